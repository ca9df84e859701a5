/*
 * net/csum.h — the Internet checksum (RFC 1071) and its incremental update (RFC 1624).
 * Nothing else in tapstack adds up 16-bit words.
 */
#ifndef TS_CSUM_H
#define TS_CSUM_H
#include <stddef.h>
#include <stdint.h>

/* Partial one's-complement sum of len bytes (big-endian words), folded into 32 bits. */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);
/* Fold and complement: the value to store in a header (network order as a host uint16). */
uint16_t csum_fold(uint32_t sum);
/* inet_csum(buf, len) == 0 when a received header's checksum is right. */
static inline uint16_t inet_csum(const void *buf, size_t len) { return csum_fold(csum_partial(buf, len, 0)); }
/* Sum of the IPv4 pseudo-header (RFC 768, RFC 793 §3.1), addresses host order. */
uint32_t csum_pseudo(uint32_t saddr, uint32_t daddr, uint8_t proto, uint16_t len);
/* RFC 1624 eqn. 3: new checksum after a 16-bit field changed from old to new. */
uint16_t csum_replace16(uint16_t check, uint16_t old, uint16_t new_);

#endif

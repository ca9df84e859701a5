/*
 * net/csum.h — the Internet checksum (RFC 1071) and its incremental update (RFC 1624).
 * Nothing else in tapstack adds up 16-bit words.
 *
 * A partial sum (the uint32_t that csum_partial returns and takes) is a one's-complement
 * sum of big-endian 16-bit words, kept in 32 bits with end-around carry. Like Linux's
 * __wsum, only its folded value is defined: csum_fold(sum) is the checksum, and two
 * partial sums of the same bytes fold to the same value, but their unfolded bits may
 * differ. Compare partial sums only through csum_fold.
 */
#ifndef TS_CSUM_H
#define TS_CSUM_H
#include <stddef.h>
#include <stdint.h>

/* Partial one's-complement sum of len bytes (big-endian words; an odd last byte is padded
 * with zero, RFC 1071 §4.1) added to sum. buf may have any alignment and any length; the
 * block is taken to start at an even offset (see csum_block_add for odd ones).
 * Linux: csum_partial (lib/checksum.c, arch/x86/lib/csum-partial_64.c). */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);
/* Copies len bytes from src to dst (which must not overlap) and returns what
 * csum_partial(src, len, sum) returns, reading the data once: a sender builds a payload
 * and its checksum in one pass. Linux: csum_partial_copy_nocheck (include/net/checksum.h). */
uint32_t csum_partial_copy(void *dst, const void *src, size_t len, uint32_t sum);
/* Fold and complement: the value to store in a header (network order as a host uint16). */
uint16_t csum_fold(uint32_t sum);
/* inet_csum(buf, len) == 0 when a received header's checksum is right. */
static inline uint16_t inet_csum(const void *buf, size_t len) { return csum_fold(csum_partial(buf, len, 0)); }
/* Sum of the IPv4 pseudo-header (RFC 768, RFC 793 §3.1), addresses host order. */
uint32_t csum_pseudo(uint32_t saddr, uint32_t daddr, uint8_t proto, uint16_t len);
/* RFC 1624 eqn. 3: new checksum after a 16-bit field changed from old to new. */
uint16_t csum_replace16(uint16_t check, uint16_t old, uint16_t new_);

/* a + b in one's complement (RFC 1071 §2(A): the carry out of the top bit is added back
 * in). Linux: csum_add (include/net/checksum.h). */
static inline uint32_t csum_add(uint32_t a, uint32_t b)
{
    a += b;
    return a + (a < b);
}

/* The partial sum of a whole from the sum of its first part (sum) and the sum of a block
 * that starts offset bytes into it (sum2), as fragments and scattered buffers are summed.
 * A block at an odd offset has its bytes in the other half of every word of the whole: its
 * sum is byte-swapped, which in one's complement is a rotation (RFC 1071 §2(B), byte order
 * independence; a rotation by 8 of the 32-bit sum swaps the bytes of its 16-bit fold).
 * Linux: csum_block_add and csum_shift (include/net/checksum.h). */
static inline uint32_t csum_block_add(uint32_t sum, uint32_t sum2, size_t offset)
{
    if (offset & 1) sum2 = sum2 >> 8 | sum2 << 24;
    return csum_add(sum, sum2);
}

#endif

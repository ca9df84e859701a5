/*
 * tcp/tcp_seq.h — sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4; Linux
 * include/net/tcp.h before()/after()/between()).
 *
 * Sequence numbers wrap: 0x00000010 comes after 0xfffffff0. Comparing them as plain
 * integers breaks at the wrap, so every comparison is the sign of the 32-bit difference:
 * a is before b when (int32_t)(a - b) < 0. That holds while the two are less than 2^31
 * apart, which the window sizes guarantee (RFC 7323 §2.3 caps the window at 2^30).
 */
#ifndef TS_TCP_SEQ_H
#define TS_TCP_SEQ_H
#include <stdbool.h>
#include <stdint.h>

static inline bool seq_before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_after(uint32_t a, uint32_t b) { return seq_before(b, a); }
static inline bool seq_before_eq(uint32_t a, uint32_t b) { return !seq_after(a, b); }
static inline bool seq_after_eq(uint32_t a, uint32_t b) { return !seq_before(a, b); }
/* lo <= x <= hi on the circle (Linux between(): one subtraction, no branch on the wrap). */
static inline bool seq_between(uint32_t x, uint32_t lo, uint32_t hi) { return hi - lo >= x - lo; }
static inline uint32_t seq_max(uint32_t a, uint32_t b) { return seq_after(a, b) ? a : b; }
static inline uint32_t seq_min(uint32_t a, uint32_t b) { return seq_before(a, b) ? a : b; }

#endif

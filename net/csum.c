/*
 * net/csum.c — RFC 1071 sum and RFC 1624 incremental update.
 *
 * How csum_partial is fast (RFC 1071 §2, the properties it lists, and §4.1's hint to
 * add 32-bit or 64-bit words):
 *  (A) one's-complement addition is associative and commutative, and a sum over wider
 *      words, with the carries out of the top bit added back in ("end-around carry"),
 *      folds to the same 16-bit sum: each 64-bit word is four 16-bit words, and
 *      2^16 = 1 (mod 2^16 - 1). So the loop adds 8 bytes per instruction into four
 *      independent accumulators (no add waits for the one before it);
 *  (B) the sum is byte-order independent: on a little-endian machine, a sum of native
 *      (byte-swapped) words is the byte-swapped sum of the big-endian ones. So the words
 *      are loaded as they lie in memory and the result is swapped once, at the end.
 * Loads go through memcpy: any alignment is allowed, and compilers turn each into one
 * load instruction. Linux does the same in do_csum (lib/checksum.c) and, in assembly,
 * csum_partial (arch/x86/lib/csum-partial_64.c).
 */
#include "csum.h"
#include <string.h>

static inline uint64_t load64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline uint32_t load32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint16_t load16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

/* a + b with the carry out of bit 63 added back in; cannot overflow again. */
static inline uint64_t add64(uint64_t a, uint64_t b)
{
    a += b;
    return a + (a < b);
}

/* Copy `n` bytes to dst when the caller copies (dst != NULL): constant n, one store. */
#define COPY_IF(dst, src, n) do { if (dst) { memcpy(dst, src, n); dst += n; } } while (0)

/* The one's-complement sum of len bytes at src in native word order (so on a little-endian
 * machine, byte-swapped), in 64 bits; copied to dst as well unless dst is NULL. Inlined
 * into its two callers, where dst is known, so the copy costs nothing when not asked for. */
static inline __attribute__((always_inline)) uint64_t sum_native(uint8_t *dst, const uint8_t *src, size_t len)
{
    uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (; len >= 32; src += 32, len -= 32) {
        uint64_t w0 = load64(src), w1 = load64(src + 8), w2 = load64(src + 16), w3 = load64(src + 24);
        if (dst) {                              /* store what was loaded: one pass */
            memcpy(dst, &w0, 8);
            memcpy(dst + 8, &w1, 8);
            memcpy(dst + 16, &w2, 8);
            memcpy(dst + 24, &w3, 8);
            dst += 32;
        }
        a0 = add64(a0, w0);
        a1 = add64(a1, w1);
        a2 = add64(a2, w2);
        a3 = add64(a3, w3);
    }
    for (; len >= 8; src += 8, len -= 8) {
        a0 = add64(a0, load64(src));
        COPY_IF(dst, src, 8);
    }
    /* The last 0..7 bytes start at an even offset, so each piece keeps its bytes in their
     * halves of the 16-bit words; where in the 64-bit word a 16-bit word lands does not
     * matter (2^16 = 1 mod 2^16 - 1). Their sum is below 2^33: no carry. */
    uint64_t tail = 0;
    if (len & 4) { tail += load32(src); COPY_IF(dst, src, 4); src += 4; }
    if (len & 2) { tail += load16(src); COPY_IF(dst, src, 2); src += 2; }
    if (len & 1) {
        /* padded with a zero byte after it (RFC 1071 §4.1): the word's first byte */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        tail += src[0];
#else
        tail += (uint32_t)src[0] << 8;
#endif
        COPY_IF(dst, src, 1);
    }
    return add64(add64(a0, a1), add64(add64(a2, a3), tail));
}

/* A native-order 64-bit sum as a big-endian-word partial sum, plus sum. */
static inline uint32_t finish(uint64_t s, uint32_t sum)
{
    s = (s & 0xffffffff) + (s >> 32);           /* end-around carry into 32 bits: twice */
    s = (s & 0xffffffff) + (s >> 32);           /* reaches it (the first is below 2^33) */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    s = __builtin_bswap32((uint32_t)s);         /* RFC 1071 §2(B): swap once, at the end */
#endif
    return csum_add((uint32_t)s, sum);
}

uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
    return finish(sum_native(NULL, buf, len), sum);
}

uint32_t csum_partial_copy(void *dst, const void *src, size_t len, uint32_t sum)
{
    return finish(sum_native(dst, src, len), sum);
}

uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint32_t csum_pseudo(uint32_t saddr, uint32_t daddr, uint8_t proto, uint16_t len)
{
    uint64_t s = (saddr >> 16) + (saddr & 0xffff) + (daddr >> 16) + (daddr & 0xffff) + proto + len;
    while (s >> 32) s = (s & 0xffffffff) + (s >> 32);
    return (uint32_t)s;
}

uint16_t csum_replace16(uint16_t check, uint16_t old, uint16_t new_)
{
    /* HC' = ~(~HC + ~m + m')  (RFC 1624 §3, eqn. 3) */
    uint32_t s = (uint16_t)~check + (uint16_t)~old + new_;
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* net/csum.c — RFC 1071 sum and RFC 1624 incremental update. */
#include "csum.h"

uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
    const uint8_t *p = buf;
    uint64_t s = sum;
    while (len >= 2) {
        s += (uint32_t)(p[0] << 8 | p[1]);
        p += 2; len -= 2;
    }
    if (len) s += (uint32_t)(p[0] << 8);      /* odd byte padded with zero (RFC 1071 §4.1) */
    while (s >> 32) s = (s & 0xffffffff) + (s >> 32);
    return (uint32_t)s;
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

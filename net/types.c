/* net/types.c — address parsing and printing. */
#include "types.h"
#include <stdio.h>
#include <stdlib.h>

char *ip4_ntop(uint32_t a, char buf[16])
{
    snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
    return buf;
}

bool ip4_pton(const char *s, uint32_t *addr)
{
    uint32_t a = 0;
    for (int i = 0; i < 4; i++) {
        if (*s < '0' || *s > '9') return false;
        unsigned v = 0; int digits = 0;
        while (*s >= '0' && *s <= '9') {
            v = v * 10 + (unsigned)(*s++ - '0');
            if (++digits > 3 || v > 255) return false;
        }
        a = a << 8 | v;
        if (i < 3 && *s++ != '.') return false;
    }
    if (*s) return false;
    *addr = a;
    return true;
}

bool ip4_prefix_pton(const char *s, uint32_t *addr, int *plen)
{
    if (!strcmp(s, "default") || !strcmp(s, "all")) { *addr = 0; *plen = 0; return true; }
    char tmp[32];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n >= sizeof(tmp)) return false;
    memcpy(tmp, s, n); tmp[n] = 0;
    if (!ip4_pton(tmp, addr)) return false;
    *plen = 32;
    if (slash) {
        char *end;
        long v = strtol(slash + 1, &end, 10);
        if (!slash[1] || *end || v < 0 || v > 32) return false;
        *plen = (int)v;
    }
    return true;
}

char *eth_ntop(const struct eth_addr *a, char buf[18])
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
             a->b[0], a->b[1], a->b[2], a->b[3], a->b[4], a->b[5]);
    return buf;
}

bool eth_pton(const char *s, struct eth_addr *a)
{
    unsigned v[6]; char extra;
    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &extra) != 6)
        return false;
    if (strlen(s) != 17) return false;
    for (int i = 0; i < 6; i++) a->b[i] = (uint8_t)v[i];
    return true;
}

/*
 * tests/udp/udp_frames.h — UDP datagrams for the suites that drive a whole stack (udp,
 * the echo example, the shell commands): build one from a peer with any length field and
 * any checksum, and take a transmitted one apart.
 *
 * Only tests/fixture.h underneath (no ip/ip_wire.h), so a test file may include
 * net/socket.h, and with it <netinet/in.h>, as well. Checksums are computed with the
 * fixture's own fx_csum, not net/csum.c, so the stack does not vouch for itself.
 */
#ifndef TS_TESTS_UDP_FRAMES_H
#define TS_TESTS_UDP_FRAMES_H
#include "tests/fixture.h"
#include <stdlib.h>
#include <string.h>

#define UDPF_PROTO 17

enum udpf_csum { UDPF_CSUM_OK, UDPF_CSUM_NONE, UDPF_CSUM_BAD };

/* A datagram to build. Zero fields mean the ordinary thing. */
struct udpf {
    uint32_t src, dst;
    uint16_t sport, dport;
    const void *data;
    size_t   len;                   /* payload bytes */
    bool     set_ulen;              /* use ulen as the length field (else 8 + len) */
    uint16_t ulen;
    size_t   pad;                   /* zero bytes after the datagram, inside the IP payload */
    bool     cut;                   /* IP payload is only ip_plen bytes (may cut the header) */
    size_t   ip_plen;
    enum udpf_csum csum;
    const struct eth_addr *eth_dst; /* NULL: eth0's MAC */
    uint16_t ip_id;
};

/* RFC 768 checksum of n UDP bytes under the pseudo-header (0 when u's checksum is right). */
static inline uint16_t udpf_csum_of(uint32_t src, uint32_t dst, const uint8_t *u, size_t n, uint16_t ulen)
{
    uint8_t *b = malloc(12 + n);
    if (!b) return 0xdead;
    put_be32(b, src);
    put_be32(b + 4, dst);
    b[8] = 0;
    b[9] = UDPF_PROTO;
    put_be16(b + 10, ulen);
    if (n) memcpy(b + 12, u, n);
    uint16_t c = fx_csum(b, 12 + n);
    free(b);
    return c;
}

/* The whole frame into buf; returns its length (0 if it does not fit). */
static inline size_t udpf_build(uint8_t *buf, size_t cap, const struct udpf *s)
{
    size_t full = 8 + s->len + s->pad;
    uint8_t *u = calloc(1, full);
    if (!u) return 0;
    uint16_t ulen = s->set_ulen ? s->ulen : (uint16_t)(8 + s->len);
    put_be16(u, s->sport);
    put_be16(u + 2, s->dport);
    put_be16(u + 4, ulen);
    if (s->len) memcpy(u + 8, s->data, s->len);
    size_t plen = s->cut ? s->ip_plen : full;
    if (s->csum != UDPF_CSUM_NONE && plen >= 8) {
        size_t cover = MIN((size_t)ulen, plen);
        uint16_t c = udpf_csum_of(s->src, s->dst, u, cover, ulen);
        if (c == 0) c = 0xffff;                         /* RFC 768: a computed zero goes as ones */
        if (s->csum == UDPF_CSUM_BAD) c = c == 0x1234 ? 0x4321 : 0x1234;
        put_be16(u + 6, c);
    }
    struct fx_ip h = { .src = s->src, .dst = s->dst, .proto = UDPF_PROTO, .ttl = 64, .id = s->ip_id,
                       .eth_dst = s->eth_dst };
    size_t n = fx_build_ip(buf, cap, &h, u, plen);
    free(u);
    return n;
}

/* A transmitted datagram, taken apart. */
struct udpf_rx {
    uint16_t sport, dport, ulen, csum;
    const uint8_t *data;            /* payload */
    size_t dlen;
    bool csum_ok;                   /* a checksum is present and verifies */
};

static inline bool udpf_parse(const struct fx_ipv4 *ip, struct udpf_rx *r)
{
    if (ip->proto != UDPF_PROTO || ip->plen < 8) return false;
    const uint8_t *u = ip->payload;
    r->sport = get_be16(u);
    r->dport = get_be16(u + 2);
    r->ulen = get_be16(u + 4);
    r->csum = get_be16(u + 6);
    r->data = u + 8;
    r->dlen = ip->plen - 8;
    r->csum_ok = r->csum != 0 && udpf_csum_of(ip->src, ip->dst, u, ip->plen, (uint16_t)ip->plen) == 0;
    return true;
}

#endif

/*
 * tests/fx_check.h — Check-side helpers over tests/fixture.h, shared by the suites that
 * drive a whole stack (neigh, arp, ip_input, icmp). Each test file gets its own copy of
 * these statics; with CK_FORK every test runs in its own process anyway.
 *
 * Tests that assert Linux behaviour the stack did not have when they were written are
 * marked LINUX_DIFF in their comment and grouped in a "linux_compat" tcase.
 */
#ifndef TS_TESTS_FX_CHECK_H
#define TS_TESTS_FX_CHECK_H
#include "fixture.h"
#include "ip/ip_wire.h"
#include "icmp/icmp.h"
#include "net/mib.h"
#include "net/drop.h"
#include <check.h>
#include <stdlib.h>
#include <string.h>

static struct fx *f;                /* the test's fixture (checked fixture setup) */
static uint8_t *fxc_cur;            /* the frame the last fxc_pop* returned */
static uint8_t fxc_buf[FX_FRAME_MAX];   /* frame builders' scratch */

static inline uint64_t MIB(enum mib_id id) { return f->net->mib.v[id]; }
static inline uint64_t DROPS(enum drop d) { return f->net->drops[d]; }

/* Pop the oldest transmitted frame (kept until the next pop / teardown). */
static inline const uint8_t *fxc_pop(size_t *len, int *ifindex)
{
    struct fx_frame fr;
    free(fxc_cur);
    fxc_cur = NULL;
    ck_assert_msg(fx_tx_pop_frame(f, &fr), "expected a transmitted frame, none left");
    fxc_cur = fr.data;
    if (len) *len = fr.len;
    if (ifindex) *ifindex = fr.ifindex;
    return fr.data;
}

static inline void fxc_pop_arp(struct fx_arp *a, int *ifindex)
{
    size_t len;
    const uint8_t *fr = fxc_pop(&len, ifindex);
    ck_assert_msg(fx_parse_arp(fr, len, a), "transmitted frame is not ARP (type 0x%04x, %zu bytes)",
                  len >= 14 ? get_be16(fr + 12) : 0, len);
}

static inline void fxc_pop_ipv4(struct fx_ipv4 *ip, int *ifindex)
{
    size_t len;
    const uint8_t *fr = fxc_pop(&len, ifindex);
    ck_assert_msg(fx_parse_ipv4(fr, len, ip), "transmitted frame is not IPv4 (type 0x%04x, %zu bytes)",
                  len >= 14 ? get_be16(fr + 12) : 0, len);
}

static inline void fxc_pop_icmp(struct fx_ipv4 *ip, struct fx_icmp *ic)
{
    fxc_pop_ipv4(ip, NULL);
    ck_assert_msg(fx_parse_icmp(ip, ic), "transmitted IPv4 frame is not ICMP (proto %u)", ip->proto);
}

/* How many frames waiting in the FIFO have this ethertype (they stay there). */
static inline unsigned fxc_count_type(uint16_t type)
{
    unsigned n = 0;
    for (unsigned i = 0; i < fx_tx_count(f); i++) {
        const struct fx_frame *fr = fx_tx_peek(f, i);
        if (fr->len >= ETH_HLEN && get_be16(fr->data + 12) == type) n++;
    }
    return n;
}

static inline void fxc_assert_mac(const struct eth_addr *got, const struct eth_addr *want)
{
    ck_assert_msg(eth_addr_eq(got, want), "MAC %02x:%02x:%02x:%02x:%02x:%02x, want %02x:%02x:%02x:%02x:%02x:%02x",
                  got->b[0], got->b[1], got->b[2], got->b[3], got->b[4], got->b[5],
                  want->b[0], want->b[1], want->b[2], want->b[3], want->b[4], want->b[5]);
}

static inline void fxc_teardown(void)
{
    free(fxc_cur);
    fxc_cur = NULL;
    if (!f) return;
    unsigned leaked = fx_free(f);
    f = NULL;
    ck_assert_msg(leaked == 0, "%u packet(s) leaked (pkt_pool_live after draining)", leaked);
}

/* Inject helpers for the common frames. */
static inline void fxc_inject_arp(uint16_t op, const struct eth_addr *sha, uint32_t spa,
                                  const struct eth_addr *tha, uint32_t tpa, const struct eth_addr *eth_dst)
{
    size_t n = fx_build_arp(fxc_buf, sizeof(fxc_buf), op, sha, spa, tha, tpa, eth_dst);
    ck_assert_uint_gt(n, 0);
    fx_inject(f, fxc_buf, n);
}

/* The usual solicited reply from the peer: unicast to us, answering our request. */
static inline void fxc_peer_reply(const struct eth_addr *mac)
{
    fxc_inject_arp(2, mac, FX_PEER, &fx_mac, FX_ADDR, &fx_mac);
}

#endif

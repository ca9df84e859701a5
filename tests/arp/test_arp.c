/*
 * tests/arp/test_arp.c — ARP receive and send (arp/arp.c): arp_rcv's validation, what a
 * received packet may teach the neighbour table (arp_process), answers, gratuitous ARP.
 * Frames come in on the fake wire (eth0, 10.0.0.2/24, 02:00:00:00:00:02).
 *
 * Tests marked LINUX_DIFF (tcase "linux_compat") assert Linux's behaviour where tapstack
 * differed when they were written; they guard the fixes.
 */
#include "tests/fx_check.h"
#include "arp/arp.h"
#include "arp/arp_wire.h"
#include "arp/neigh.h"
#include "net/sysctl.h"
#include <errno.h>
#include <stdio.h>

#define SEED       0xa4b
#define PROTO_TEST 253

static const struct eth_addr host_mac  = { { 0x02, 0, 0, 0, 0, 0x33 } };

static void setup(void)
{
    f = fx_new(SEED);
    ck_assert_ptr_nonnull(f);
}

static void teardown(void) { fxc_teardown(); }

/* A request from the peer for our address, as the table's cases start from. */
static size_t good_request(uint8_t *buf)
{
    return fx_build_arp(buf, FX_FRAME_MAX, ARP_OP_REQUEST, &fx_peer_mac, FX_PEER, NULL, FX_ADDR, &fx_bcast_mac);
}

/* ------------------------------------------------------------------ arp_rcv validation */

struct bad_arp {
    const char *name;
    enum drop   why;
    size_t      len;            /* 0: the built length */
    unsigned    off;            /* byte of the ARP packet to overwrite (if width) */
    unsigned    width;          /* 1 or 2 */
    unsigned    val;
};

static const struct bad_arp bad_arps[] = {
    { "short (27 bytes)",      DROP_ARP_BAD_HDR,    ETH_HLEN + 27, 0, 0, 0 },
    { "empty",                 DROP_ARP_BAD_HDR,    ETH_HLEN,      0, 0, 0 },
    { "htype 2 (Experimental Ethernet)", DROP_ARP_BAD_HDR, 0, ARP_OFF_HTYPE, 2, 2 },
    { "htype 0xffff",          DROP_ARP_BAD_HDR,    0, ARP_OFF_HTYPE, 2, 0xffff },
    { "ptype IPv6",            DROP_ARP_BAD_HDR,    0, ARP_OFF_PTYPE, 2, ETH_P_IPV6 },
    { "hlen 8",                DROP_ARP_BAD_HDR,    0, ARP_OFF_HLEN, 1, 8 },
    { "hlen 0",                DROP_ARP_BAD_HDR,    0, ARP_OFF_HLEN, 1, 0 },
    { "plen 16",               DROP_ARP_BAD_HDR,    0, ARP_OFF_PLEN, 1, 16 },
    { "op 0",                  DROP_ARP_BAD_OP,     0, ARP_OFF_OP, 2, 0 },
    { "op 3 (RARP request)",   DROP_ARP_BAD_OP,     0, ARP_OFF_OP, 2, 3 },
    { "op 0x0101",             DROP_ARP_BAD_OP,     0, ARP_OFF_OP, 2, 0x0101 },
    { "multicast sender MAC",  DROP_ARP_BAD_SENDER, 0, ARP_OFF_SHA, 1, 0x01 },
    { "multicast target IP",   DROP_ARP_BAD_SENDER, 0, ARP_OFF_TPA, 1, 224 },
    { "loopback target IP",    DROP_ARP_BAD_SENDER, 0, ARP_OFF_TPA, 1, 127 },
};

START_TEST(test_arp_rcv_drops_malformed)
{
    const struct bad_arp *c = &bad_arps[_i];
    size_t len = good_request(fxc_buf);
    uint8_t *a = fxc_buf + ETH_HLEN;
    if (c->width == 1) a[c->off] = (uint8_t)c->val;
    if (c->width == 2) put_be16(a + c->off, (uint16_t)c->val);
    if (c->len) len = c->len;
    uint64_t before = DROPS(c->why);
    fx_inject(f, fxc_buf, len);
    ck_assert_msg(DROPS(c->why) == before + 1, "%s: drop %s not counted", c->name, drop_name(c->why));
    ck_assert_msg(fx_tx_count(f) == 0, "%s: answered", c->name);
    ck_assert_msg(fx_neigh(f, FX_PEER) == NULL, "%s: created an entry", c->name);
    ck_assert_uint_eq(MIB(MIB_ArpOutReplies), 0);
}
END_TEST

/* LINUX_DIFF: a request for our address from a martian sender IP (multicast, limited
 * broadcast, loopback) fails ip_route_input_noref in Linux's arp_process, so it is
 * neither answered nor learned (tapstack used to answer and create the entry). */
static const uint32_t martian_sips[] = { FX_IP(224, 0, 0, 5), 0xffffffffu, FX_IP(127, 0, 0, 1) };

START_TEST(test_arp_martian_sender_ip_ignored)
{
    uint32_t sip = martian_sips[_i];
    size_t len = fx_build_arp(fxc_buf, sizeof(fxc_buf), ARP_OP_REQUEST, &host_mac, sip, NULL, FX_ADDR,
                              &fx_bcast_mac);
    fx_inject(f, fxc_buf, len);
    ck_assert_ptr_null(fx_neigh(f, sip));
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

/* ------------------------------------------------------------------ what packets teach */

START_TEST(test_arp_request_for_us_answered)
{
    size_t len = good_request(fxc_buf);
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(MIB(MIB_ArpInRequests), 1);
    ck_assert_uint_eq(MIB(MIB_ArpOutReplies), 1);
    ck_assert_uint_eq(fx_tx_count(f), 1);
    size_t flen;
    const uint8_t *fr = fxc_pop(&flen, NULL);
    ck_assert_uint_eq(flen, ETH_HLEN + ARP_LEN);
    struct fx_arp a;
    ck_assert(fx_parse_arp(fr, flen, &a));
    fxc_assert_mac(&a.eth_dst, &fx_peer_mac);
    fxc_assert_mac(&a.eth_src, &fx_mac);
    ck_assert_uint_eq(a.htype, ARP_HTYPE_ETHER);
    ck_assert_uint_eq(a.ptype, ETH_P_IP);
    ck_assert_uint_eq(a.hlen, 6);
    ck_assert_uint_eq(a.plen, 4);
    ck_assert_uint_eq(a.op, ARP_OP_REPLY);
    fxc_assert_mac(&a.sha, &fx_mac);
    ck_assert_uint_eq(a.spa, FX_ADDR);
    fxc_assert_mac(&a.tha, &fx_peer_mac);
    ck_assert_uint_eq(a.tpa, FX_PEER);
    /* neigh_event_ns: the requester is learned, but only as STALE */
    struct neigh *n = fx_neigh(f, FX_PEER);
    ck_assert_ptr_nonnull(n);
    ck_assert_uint_eq(n->nud_state, NUD_STALE);
    fxc_assert_mac(&n->ha, &fx_peer_mac);
}
END_TEST

START_TEST(test_arp_padded_request_answered)
{
    size_t len = good_request(fxc_buf);
    memset(fxc_buf + len, 0xee, ETH_ZLEN - len);        /* Ethernet minimum-size padding */
    fx_inject(f, fxc_buf, ETH_ZLEN);
    ck_assert_uint_eq(fx_tx_count(f), 1);
    struct fx_arp a;
    fxc_pop_arp(&a, NULL);
    ck_assert_uint_eq(a.op, ARP_OP_REPLY);
    ck_assert_uint_eq(fx_neigh_state(f, FX_PEER), NUD_STALE);
}
END_TEST

START_TEST(test_arp_request_for_other_creates_nothing)
{
    size_t len = fx_build_arp(fxc_buf, sizeof(fxc_buf), ARP_OP_REQUEST, &fx_peer_mac, FX_PEER, NULL,
                              FX_IP(10, 0, 0, 99), &fx_bcast_mac);
    fx_inject(f, fxc_buf, len);
    ck_assert_ptr_null(fx_neigh(f, FX_PEER));
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_uint_eq(MIB(MIB_ArpInRequests), 1);
    ck_assert_uint_eq(DROPS(DROP_ARP_NOT_FOR_US), 1);
    ck_assert_uint_eq(arp_table(f->net)->entries, 0);
}
END_TEST

START_TEST(test_arp_request_for_other_refreshes_known_sender)
{
    static const struct eth_addr moved = { { 0x02, 0, 0, 0, 0, 0x44 } };
    fxc_inject_arp(ARP_OP_REQUEST, &fx_peer_mac, FX_PEER, NULL, FX_ADDR, &fx_bcast_mac);
    fx_tx_clear(f);
    fx_advance_ms(f, 2000);                             /* past locktime */
    fxc_inject_arp(ARP_OP_REQUEST, &moved, FX_PEER, NULL, FX_IP(10, 0, 0, 99), &fx_bcast_mac);
    struct neigh *n = fx_neigh(f, FX_PEER);
    ck_assert_ptr_nonnull(n);
    fxc_assert_mac(&n->ha, &moved);
    ck_assert_uint_eq(n->nud_state, NUD_STALE);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

START_TEST(test_arp_unsolicited_reply_creates_nothing)
{
    fxc_peer_reply(&fx_peer_mac);
    ck_assert_ptr_null(fx_neigh(f, FX_PEER));
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_uint_eq(MIB(MIB_ArpInReplies), 1);
    ck_assert_uint_eq(DROPS(DROP_ARP_NOT_FOR_US), 1);
    /* broadcast, too */
    fxc_inject_arp(ARP_OP_REPLY, &fx_peer_mac, FX_PEER, &fx_mac, FX_ADDR, &fx_bcast_mac);
    ck_assert_ptr_null(fx_neigh(f, FX_PEER));
    ck_assert_uint_eq(arp_table(f->net)->entries, 0);
}
END_TEST

START_TEST(test_arp_broadcast_reply_does_not_confirm)
{
    ck_assert_int_eq(fx_send_ip(f, FX_PEER, PROTO_TEST, 20, 0x5a), 0);    /* queued for ARP counts as sent (0), as neigh_resolve_output */
    struct fx_arp a;
    fxc_pop_arp(&a, NULL);
    struct neigh *n = fx_neigh(f, FX_PEER);
    ck_assert_ptr_nonnull(n);
    fx_advance_ms(f, 100);
    fxc_inject_arp(ARP_OP_REPLY, &fx_peer_mac, FX_PEER, &fx_mac, FX_ADDR, &fx_bcast_mac);
    ck_assert_uint_ne(n->nud_state, NUD_REACHABLE);
    ck_assert_msg(n->nud_state & (NUD_STALE | NUD_DELAY), "state %s", nud_state_name(n->nud_state));
    /* no reachability asserted: "confirmed" stays long ago (a new lladdr sets it to
     * now - 2 x base_reachable_time, as __neigh_update does) */
    ck_assert_uint_le(n->confirmed + 2 * (uint64_t)NEIGH_VAR(n->parms, BASE_REACHABLE_TIME) * US_PER_MS,
                      fx_now_us(f));
    fxc_assert_mac(&n->ha, &fx_peer_mac);
    /* the waiting packet went out */
    struct fx_ipv4 ip;
    fxc_pop_ipv4(&ip, NULL);
    fxc_assert_mac(&ip.eth_dst, &fx_peer_mac);
    ck_assert_uint_eq(ip.payload[0], 0x5a);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

START_TEST(test_arp_unicast_reply_to_other_mac_ignored)
{
    static const struct eth_addr not_us = { { 0x02, 0, 0, 0, 0, 0x99 } };
    ck_assert_int_eq(fx_send_ip(f, FX_PEER, PROTO_TEST, 20, 1), 0);    /* queued for ARP counts as sent (0), as neigh_resolve_output */
    fx_tx_clear(f);
    fxc_inject_arp(ARP_OP_REPLY, &fx_peer_mac, FX_PEER, &not_us, FX_IP(10, 0, 0, 9), &not_us);
    ck_assert_uint_eq(fx_neigh_state(f, FX_PEER), NUD_INCOMPLETE);
    ck_assert_uint_eq(DROPS(DROP_OTHERHOST), 1);
}
END_TEST

/* LINUX_DIFF: arp_process answers a request only if neigh_event_ns() produced an entry
 * ("if (n) arp_send(...)"); with the table full, Linux stays silent. */
START_TEST(test_arp_request_not_answered_when_table_full)
{
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.neigh.default.gc_thresh2", "4"), 0);
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.neigh.default.gc_thresh3", "4"), 0);
    for (unsigned i = 0; i < 4; i++)
        ck_assert_int_eq(fx_send_ip(f, FX_IP(10, 0, 0, 20 + i), PROTO_TEST, 20, 1), 0);    /* queued for ARP counts as sent (0), as neigh_resolve_output */
    fx_tx_clear(f);
    size_t len = good_request(fxc_buf);
    fx_inject(f, fxc_buf, len);
    ck_assert_ptr_null(fx_neigh(f, FX_PEER));
    ck_assert_uint_eq(arp_table(f->net)->table_fulls, 1);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

/* ------------------------------------------------------------------ gratuitous ARP, DAD */

static void assert_gratuitous(uint32_t addr)
{
    struct fx_arp a;
    fxc_pop_arp(&a, NULL);
    fxc_assert_mac(&a.eth_dst, &fx_bcast_mac);
    fxc_assert_mac(&a.eth_src, &fx_mac);
    ck_assert_uint_eq(a.op, ARP_OP_REQUEST);
    fxc_assert_mac(&a.sha, &fx_mac);
    ck_assert_uint_eq(a.spa, addr);
    ck_assert_uint_eq(a.tpa, addr);
    fxc_assert_mac(&a.tha, &fx_zero_mac);
}

static void arp_notify_on(void)
{
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.conf.eth0.arp_notify", "1"), 0);
}

/* Linux's default (arp_notify = 0): inetdev_event announces nothing on link up, and
 * nothing in the kernel announces an address added with `ip addr add`. */
START_TEST(test_arp_no_gratuitous_by_default)
{
    ck_assert_int_eq(inet_addr_add(f->dev, FX_IP(10, 0, 0, 3), 24), 0);
    ck_assert_int_eq(dev_close(f->dev), 0);
    ck_assert_int_eq(dev_open(f->dev), 0);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_uint_eq(MIB(MIB_ArpOutRequests), 0);
}
END_TEST

/* With arp_notify on (tapstack extends it to `ip addr add` on a link that is up). */
START_TEST(test_arp_gratuitous_on_address_add)
{
    arp_notify_on();
    ck_assert_int_eq(inet_addr_add(f->dev, FX_IP(10, 0, 0, 3), 24), 0);
    ck_assert_uint_eq(fx_tx_count(f), 1);
    assert_gratuitous(FX_IP(10, 0, 0, 3));
}
END_TEST

START_TEST(test_arp_gratuitous_on_link_up)
{
    arp_notify_on();
    ck_assert_int_eq(inet_addr_add(f->dev, FX_IP(10, 0, 0, 3), 24), 0);
    ck_assert_int_eq(dev_close(f->dev), 0);
    fx_tx_clear(f);
    ck_assert_int_eq(dev_open(f->dev), 0);
    ck_assert_uint_eq(fx_tx_count(f), 2);               /* one per address, in order */
    assert_gratuitous(FX_ADDR);
    assert_gratuitous(FX_IP(10, 0, 0, 3));
}
END_TEST

START_TEST(test_arp_gratuitous_on_all_arp_notify)
{
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.conf.all.arp_notify", "1"), 0);
    ck_assert_int_eq(dev_close(f->dev), 0);
    ck_assert_int_eq(dev_open(f->dev), 0);
    ck_assert_uint_eq(fx_tx_count(f), 1);
    assert_gratuitous(FX_ADDR);
}
END_TEST

START_TEST(test_arp_no_gratuitous_while_down)
{
    arp_notify_on();
    ck_assert_int_eq(dev_close(f->dev), 0);
    fx_tx_clear(f);
    ck_assert_int_eq(inet_addr_add(f->dev, FX_IP(10, 0, 0, 3), 24), 0);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

START_TEST(test_arp_dad_probe_answered)
{
    fxc_inject_arp(ARP_OP_REQUEST, &host_mac, 0, NULL, FX_ADDR, &fx_bcast_mac);
    ck_assert_uint_eq(fx_tx_count(f), 1);
    struct fx_arp a;
    fxc_pop_arp(&a, NULL);
    ck_assert_uint_eq(a.op, ARP_OP_REPLY);
    fxc_assert_mac(&a.eth_dst, &host_mac);
    fxc_assert_mac(&a.sha, &fx_mac);
    ck_assert_uint_eq(a.spa, FX_ADDR);
    fxc_assert_mac(&a.tha, &host_mac);
    ck_assert_ptr_null(fx_neigh(f, 0));                 /* nothing learned from 0.0.0.0 */
    ck_assert_uint_eq(arp_table(f->net)->entries, 0);
    /* a probe for an address that is not ours: silence */
    fxc_inject_arp(ARP_OP_REQUEST, &host_mac, 0, NULL, FX_IP(10, 0, 0, 77), &fx_bcast_mac);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

/* LINUX_DIFF: arp_process answers a DAD probe with arp_send(ARPOP_REPLY, ..., sip, dev,
 * tip, sha, dev_addr, sha): the target protocol address is the probe's sender, 0.0.0.0. */
START_TEST(test_arp_dad_reply_target_ip_is_zero)
{
    fxc_inject_arp(ARP_OP_REQUEST, &host_mac, 0, NULL, FX_ADDR, &fx_bcast_mac);
    struct fx_arp a;
    fxc_pop_arp(&a, NULL);
    ck_assert_uint_eq(a.tpa, 0);
}
END_TEST

START_TEST(test_arp_send_defaults_broadcast_and_zero_tha)
{
    /* arp_send with dest_hw NULL broadcasts and target_hw NULL zero-fills. */
    arp_send(ARP_OP_REQUEST, FX_IP(10, 0, 0, 9), f->dev, FX_ADDR, NULL, NULL, NULL);
    struct fx_arp a;
    fxc_pop_arp(&a, NULL);
    fxc_assert_mac(&a.eth_dst, &fx_bcast_mac);
    fxc_assert_mac(&a.sha, &fx_mac);
    fxc_assert_mac(&a.tha, &fx_zero_mac);
    ck_assert_uint_eq(a.tpa, FX_IP(10, 0, 0, 9));
    ck_assert_uint_eq(MIB(MIB_ArpOutRequests), 1);
}
END_TEST

/* ------------------------------------------------------------------ locktime and GARP */

/* Linux arp_process: within locktime (1 s) of an entry's last change an ordinary ARP
 * packet with another MAC is ignored, a gratuitous one (arp_is_garp) overrides. The
 * entry starts REACHABLE at the peer's MAC, 200 ms after our request was answered. */
static const struct eth_addr new_mac = { { 0x02, 0, 0, 0, 0, 0x0c } };

static struct neigh *peer_locked(void)
{
    ck_assert_int_eq(fx_send_ip(f, FX_PEER, PROTO_TEST, 20, 0x01), 0);
    struct fx_arp a;
    fxc_pop_arp(&a, NULL);
    fxc_peer_reply(&fx_peer_mac);
    fx_tx_clear(f);                                     /* the released datagram */
    struct neigh *n = fx_neigh(f, FX_PEER);
    ck_assert_ptr_nonnull(n);
    ck_assert_uint_eq(n->nud_state, NUD_REACHABLE);
    fx_advance_ms(f, 200);
    return n;
}

/* Where the stack's next datagram to the peer goes. */
static void assert_next_datagram_to(const struct eth_addr *mac)
{
    ck_assert_int_eq(fx_send_ip(f, FX_PEER, PROTO_TEST, 20, 0x77), 0);
    struct fx_ipv4 ip;
    fxc_pop_ipv4(&ip, NULL);
    fxc_assert_mac(&ip.eth_dst, mac);
    ck_assert_uint_eq(ip.payload[0], 0x77);
}

/* LINUX_DIFF: arp_is_garp counts a reply with sender IP == target IP and target MAC ==
 * sender MAC (arping -A, a VRRP/keepalived failover) as gratuitous; tapstack counted
 * only requests, so a broadcast one was held back by locktime. */
START_TEST(test_garp_reply_broadcast_overrides_within_locktime)
{
    struct neigh *n = peer_locked();
    fx_trace(f, true);
    fxc_inject_arp(ARP_OP_REPLY, &new_mac, FX_PEER, &new_mac, FX_PEER, &fx_bcast_mac);
    fxc_assert_mac(&n->ha, &new_mac);
    ck_assert_uint_eq(n->nud_state, NUD_STALE);         /* broadcast: no reachability */
    ck_assert_uint_eq(n->updated, fx_now_us(f));
    ck_assert_msg(fx_log_contains(f, "arp_process(gratuitous reply -> STALE)"), "trace: %s", f->log);
    ck_assert_uint_eq(fx_tx_count(f), 0);               /* a reply is never answered */
    assert_next_datagram_to(&new_mac);
}
END_TEST

/* LINUX_DIFF: arp_is_garp does not look at the Ethernet destination: a gratuitous reply
 * unicast to us overrides too, and as a reply to this host (PACKET_HOST) it also
 * asserts reachability. */
START_TEST(test_garp_reply_unicast_overrides_and_confirms)
{
    struct neigh *n = peer_locked();
    fxc_inject_arp(ARP_OP_REPLY, &new_mac, FX_PEER, &new_mac, FX_PEER, &fx_mac);
    fxc_assert_mac(&n->ha, &new_mac);
    ck_assert_uint_eq(n->nud_state, NUD_REACHABLE);
    ck_assert_uint_eq(n->confirmed, fx_now_us(f));
    assert_next_datagram_to(&new_mac);
}
END_TEST

/* A gratuitous request's target MAC plays no part (arping -U sends broadcast, others
 * zero or their own): each overrides within locktime, as STALE, and is not answered. */
static const struct eth_addr *const garp_request_thas[] = { &fx_zero_mac, &fx_bcast_mac, &new_mac, &fx_mac };

START_TEST(test_garp_request_overrides_within_locktime)
{
    struct neigh *n = peer_locked();
    fxc_inject_arp(ARP_OP_REQUEST, &new_mac, FX_PEER, garp_request_thas[_i], FX_PEER, &fx_bcast_mac);
    fxc_assert_mac(&n->ha, &new_mac);
    ck_assert_uint_eq(n->nud_state, NUD_STALE);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    assert_next_datagram_to(&new_mac);
}
END_TEST

START_TEST(test_reply_within_locktime_held_back)
{
    struct neigh *n = peer_locked();
    uint64_t updated = n->updated;
    fxc_peer_reply(&new_mac);                           /* a second, late answer */
    fxc_assert_mac(&n->ha, &fx_peer_mac);
    ck_assert_uint_eq(n->nud_state, NUD_REACHABLE);
    ck_assert_uint_eq(n->updated, updated);             /* a refused update moves nothing */
    assert_next_datagram_to(&fx_peer_mac);
}
END_TEST

START_TEST(test_reply_after_locktime_overrides)
{
    struct neigh *n = peer_locked();
    fx_advance_ms(f, 800);                              /* exactly locktime: still held */
    fxc_peer_reply(&new_mac);
    fxc_assert_mac(&n->ha, &fx_peer_mac);
    fx_advance_us(f, 1);                                /* time_after: strictly later */
    fxc_peer_reply(&new_mac);
    fxc_assert_mac(&n->ha, &new_mac);
    ck_assert_uint_eq(n->nud_state, NUD_REACHABLE);
    assert_next_datagram_to(&new_mac);
}
END_TEST

/* Packets that are almost gratuitous are ordinary ones, held back by locktime. */
struct almost_garp {
    const char *name;
    uint16_t op;
    const struct eth_addr *tha;
    uint32_t tip;
    const struct eth_addr *eth_dst;
};

static const struct almost_garp almost_garps[] = {
    { "reply, sip == tip, tha zero",          ARP_OP_REPLY,   &fx_zero_mac,  FX_PEER, &fx_bcast_mac },
    { "reply, sip == tip, tha broadcast",     ARP_OP_REPLY,   &fx_bcast_mac, FX_PEER, &fx_bcast_mac },
    { "reply, sip == tip, tha ours",          ARP_OP_REPLY,   &fx_mac,       FX_PEER, &fx_mac },
    { "reply, tha == sha, tip ours",          ARP_OP_REPLY,   &new_mac,      FX_ADDR, &fx_bcast_mac },
    { "request for another host",             ARP_OP_REQUEST, &fx_zero_mac,  FX_IP(10, 0, 0, 99), &fx_bcast_mac },
};

START_TEST(test_almost_garp_held_back)
{
    const struct almost_garp *c = &almost_garps[_i];
    struct neigh *n = peer_locked();
    fxc_inject_arp(c->op, &new_mac, FX_PEER, c->tha, c->tip, c->eth_dst);
    ck_assert_msg(eth_addr_eq(&n->ha, &fx_peer_mac), "%s: lladdr replaced", c->name);
    ck_assert_msg(n->nud_state == NUD_REACHABLE, "%s: state %s", c->name, nud_state_name(n->nud_state));
    assert_next_datagram_to(&fx_peer_mac);
}
END_TEST

/* The same MAC announced again: override, but a STALE proposal with an unchanged address
 * does not demote a REACHABLE entry (__neigh_update), and the locktime window stays. */
START_TEST(test_garp_same_mac_keeps_reachable)
{
    struct neigh *n = peer_locked();
    uint64_t updated = n->updated;
    fxc_inject_arp(ARP_OP_REQUEST, &fx_peer_mac, FX_PEER, NULL, FX_PEER, &fx_bcast_mac);
    fxc_inject_arp(ARP_OP_REPLY, &fx_peer_mac, FX_PEER, &fx_peer_mac, FX_PEER, &fx_bcast_mac);
    ck_assert_uint_eq(n->nud_state, NUD_REACHABLE);
    fxc_assert_mac(&n->ha, &fx_peer_mac);
    ck_assert_uint_eq(n->updated, updated);
}
END_TEST

/* LINUX_DIFF: the override moves "updated", so a late ordinary reply from the old MAC
 * is now the one held back (the gratuitous reply starts a new locktime window). */
START_TEST(test_garp_reply_restarts_locktime)
{
    struct neigh *n = peer_locked();
    fxc_inject_arp(ARP_OP_REPLY, &new_mac, FX_PEER, &new_mac, FX_PEER, &fx_bcast_mac);
    fx_advance_ms(f, 900);                              /* 1.1 s after the first answer */
    fxc_peer_reply(&fx_peer_mac);
    fxc_assert_mac(&n->ha, &new_mac);
    assert_next_datagram_to(&new_mac);
}
END_TEST

/* LINUX_DIFF: someone announcing one of our addresses (sip == tip == 10.0.0.2) is not
 * answered — ip_route_input_noref refuses a local source — and arp_is_garp refuses a
 * sender whose type is RTN_LOCAL: nothing is learnt, even with arp_accept. tapstack
 * answered it and made a neighbour entry for its own address. */
START_TEST(test_garp_of_our_address_ignored)
{
    for (int accept = 0; accept <= 1; accept++) {
        if (accept) ck_assert_int_eq(fx_sysctl(f, "net.ipv4.conf.eth0.arp_accept", "1"), 0);
        fxc_inject_arp(ARP_OP_REQUEST, &host_mac, FX_ADDR, NULL, FX_ADDR, &fx_bcast_mac);
        fxc_inject_arp(ARP_OP_REPLY, &host_mac, FX_ADDR, &host_mac, FX_ADDR, &fx_bcast_mac);
        ck_assert_msg(fx_tx_count(f) == 0, "arp_accept %d: answered", accept);
        ck_assert_msg(fx_neigh(f, FX_ADDR) == NULL, "arp_accept %d: learnt our own address", accept);
    }
    ck_assert_uint_eq(arp_table(f->net)->entries, 0);
    ck_assert_uint_eq(MIB(MIB_ArpOutReplies), 0);
}
END_TEST

/* LINUX_DIFF: an existing entry whose address is local to this host (here eth1's
 * 10.0.1.2, entered by hand on eth0) is no neighbour's binding: its "gratuitous" ARP is
 * an ordinary packet and locktime holds it back (arp_is_garp: addr_type RTN_LOCAL). */
START_TEST(test_garp_from_local_address_held_back)
{
    static const struct eth_addr eth1_mac = { { 0x02, 0, 0, 0, 1, 0x02 } };
    static const struct eth_addr manual = { { 0x02, 0, 0, 0, 0, 0x0e } };
    const uint32_t other_local = FX_IP(10, 0, 1, 2);
    ck_assert_ptr_nonnull(fx_add_dev(f, "eth1", &eth1_mac, other_local, 24, 1500));
    struct neigh *n = fx_neigh_set(f, f->dev, other_local, &manual, NUD_STALE);
    ck_assert_ptr_nonnull(n);
    fx_advance_ms(f, 200);
    fxc_inject_arp(ARP_OP_REQUEST, &new_mac, other_local, NULL, other_local, &fx_bcast_mac);
    fxc_assert_mac(&n->ha, &manual);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    fx_advance_ms(f, 900);                              /* past locktime: an ordinary update */
    fxc_inject_arp(ARP_OP_REQUEST, &new_mac, other_local, NULL, other_local, &fx_bcast_mac);
    fxc_assert_mac(&n->ha, &new_mac);
}
END_TEST

/* ------------------------------------------------------------------ arp_accept */

static void set_arp_accept(const char *which, const char *value)
{
    char name[64];
    snprintf(name, sizeof(name), "net.ipv4.conf.%s.arp_accept", which);
    ck_assert_int_eq(fx_sysctl(f, name, value), 0);
}

/* One unsolicited packet from host_mac; returns the state of the entry it left. */
static uint8_t unsolicited(uint16_t op, uint32_t sip, const struct eth_addr *tha, uint32_t tip,
                           const struct eth_addr *eth_dst)
{
    fxc_inject_arp(op, &host_mac, sip, tha, tip, eth_dst);
    struct neigh *n = fx_neigh(f, sip);
    if (n) fxc_assert_mac(&n->ha, &host_mac);
    return n ? n->nud_state : NUD_NONE;
}

/* Linux's default arp_accept = 0: gratuitous or not, nothing unsolicited creates. */
START_TEST(test_arp_accept_0_creates_nothing)
{
    const uint32_t h = FX_IP(10, 0, 0, 5);
    ck_assert_uint_eq(unsolicited(ARP_OP_REQUEST, h, NULL, h, &fx_bcast_mac), NUD_NONE);
    ck_assert_uint_eq(unsolicited(ARP_OP_REPLY, h, &host_mac, h, &fx_bcast_mac), NUD_NONE);
    ck_assert_uint_eq(unsolicited(ARP_OP_REPLY, h, &fx_mac, FX_ADDR, &fx_mac), NUD_NONE);
    ck_assert_uint_eq(DROPS(DROP_ARP_NOT_FOR_US), 3);
    ck_assert_uint_eq(arp_table(f->net)->entries, 0);
}
END_TEST

/* LINUX_DIFF (arp_accept did not exist): with 1, a gratuitous ARP or a reply from a
 * unicast sender creates the entry (STALE unless a reply to this host); an ordinary
 * request, or a reply from a broadcast or local sender, does not. */
START_TEST(test_arp_accept_1_creates_from_garp_and_replies)
{
    set_arp_accept("eth0", "1");
    const uint32_t a = FX_IP(10, 0, 0, 5), b = FX_IP(10, 0, 0, 6), c = FX_IP(10, 0, 0, 7),
                   d = FX_IP(10, 0, 0, 8), e = FX_IP(10, 0, 0, 9);
    ck_assert_uint_eq(unsolicited(ARP_OP_REQUEST, a, NULL, a, &fx_bcast_mac), NUD_STALE);
    ck_assert_uint_eq(unsolicited(ARP_OP_REPLY, b, &host_mac, b, &fx_bcast_mac), NUD_STALE);
    ck_assert_uint_eq(unsolicited(ARP_OP_REPLY, c, &fx_mac, FX_ADDR, &fx_mac), NUD_REACHABLE);
    ck_assert_uint_eq(unsolicited(ARP_OP_REPLY, d, &fx_zero_mac, FX_ADDR, &fx_bcast_mac), NUD_STALE);
    ck_assert_uint_eq(unsolicited(ARP_OP_REQUEST, e, NULL, FX_IP(10, 0, 0, 99), &fx_bcast_mac), NUD_NONE);
    ck_assert_uint_eq(unsolicited(ARP_OP_REPLY, FX_BCAST, &fx_mac, FX_ADDR, &fx_mac), NUD_NONE);
    ck_assert_uint_eq(unsolicited(ARP_OP_REQUEST, FX_BCAST, NULL, FX_BCAST, &fx_bcast_mac), NUD_NONE);
    ck_assert_uint_eq(arp_table(f->net)->entries, 4);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

/* With 2, only a sender in one of the device's subnets (inet_confirm_addr). */
START_TEST(test_arp_accept_2_same_subnet_only)
{
    const uint32_t near = FX_IP(10, 0, 0, 5), far = FX_IP(192, 168, 7, 7);
    set_arp_accept("eth0", "2");
    ck_assert_uint_eq(unsolicited(ARP_OP_REQUEST, near, NULL, near, &fx_bcast_mac), NUD_STALE);
    ck_assert_uint_eq(unsolicited(ARP_OP_REQUEST, far, NULL, far, &fx_bcast_mac), NUD_NONE);
    set_arp_accept("eth0", "1");
    ck_assert_uint_eq(unsolicited(ARP_OP_REQUEST, far, NULL, far, &fx_bcast_mac), NUD_STALE);
}
END_TEST

/* IN_DEV_ARP_ACCEPT is the larger of "all" and the device's; "default" seeds new devices. */
START_TEST(test_arp_accept_all_and_default)
{
    const uint32_t h = FX_IP(10, 0, 0, 5);
    set_arp_accept("all", "1");
    ck_assert_uint_eq(unsolicited(ARP_OP_REQUEST, h, NULL, h, &fx_bcast_mac), NUD_STALE);
    set_arp_accept("all", "0");
    set_arp_accept("default", "2");
    static const struct eth_addr eth1_mac = { { 0x02, 0, 0, 0, 1, 0x02 } };
    ck_assert_ptr_nonnull(fx_add_dev(f, "eth1", &eth1_mac, FX_IP(10, 0, 1, 2), 24, 1500));
    struct sysctl_entry *e = sysctl_find(f->net, "net.ipv4.conf.eth1.arp_accept");
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(*e->val, 2);
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.conf.eth0.arp_accept", "3"), -ERANGE);
}
END_TEST

/* A created entry still needs room: a full table counts the refusal. */
START_TEST(test_arp_accept_table_full)
{
    set_arp_accept("eth0", "1");
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.neigh.default.gc_thresh2", "1"), 0);
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.neigh.default.gc_thresh3", "1"), 0);
    ck_assert_int_eq(fx_send_ip(f, FX_PEER, PROTO_TEST, 20, 1), 0);     /* INCOMPLETE: in use */
    const uint32_t h = FX_IP(10, 0, 0, 5);
    ck_assert_uint_eq(unsolicited(ARP_OP_REQUEST, h, NULL, h, &fx_bcast_mac), NUD_NONE);
    ck_assert_uint_eq(DROPS(DROP_NEIGH_CREATEFAIL), 1);
}
END_TEST

/* A tcase of this suite: the fixture per test, a 10 s timeout. */
static TCase *arp_tcase(Suite *s, const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 10);
    suite_add_tcase(s, tc);
    return tc;
}

Suite *arp_suite(void)
{
    Suite *s = suite_create("arp");

    TCase *rcv = arp_tcase(s, "arp_rcv");
    tcase_add_loop_test(rcv, test_arp_rcv_drops_malformed, 0, (int)ARRAY_SIZE(bad_arps));

    TCase *proc = arp_tcase(s, "arp_process");
    tcase_add_test(proc, test_arp_request_for_us_answered);
    tcase_add_test(proc, test_arp_padded_request_answered);
    tcase_add_test(proc, test_arp_request_for_other_creates_nothing);
    tcase_add_test(proc, test_arp_request_for_other_refreshes_known_sender);
    tcase_add_test(proc, test_arp_unsolicited_reply_creates_nothing);
    tcase_add_test(proc, test_arp_broadcast_reply_does_not_confirm);
    tcase_add_test(proc, test_arp_unicast_reply_to_other_mac_ignored);
    tcase_add_test(proc, test_arp_dad_probe_answered);
    tcase_add_test(proc, test_arp_send_defaults_broadcast_and_zero_tha);

    TCase *garp = arp_tcase(s, "gratuitous");
    tcase_add_test(garp, test_arp_no_gratuitous_by_default);
    tcase_add_test(garp, test_arp_gratuitous_on_address_add);
    tcase_add_test(garp, test_arp_gratuitous_on_link_up);
    tcase_add_test(garp, test_arp_gratuitous_on_all_arp_notify);
    tcase_add_test(garp, test_arp_no_gratuitous_while_down);

    TCase *diff = arp_tcase(s, "linux_compat");
    tcase_add_loop_test(diff, test_arp_martian_sender_ip_ignored, 0, (int)ARRAY_SIZE(martian_sips));
    tcase_add_test(diff, test_arp_request_not_answered_when_table_full);
    tcase_add_test(diff, test_arp_dad_reply_target_ip_is_zero);
    tcase_add_test(diff, test_garp_reply_broadcast_overrides_within_locktime);
    tcase_add_test(diff, test_garp_reply_unicast_overrides_and_confirms);
    tcase_add_test(diff, test_garp_reply_restarts_locktime);
    tcase_add_test(diff, test_garp_of_our_address_ignored);
    tcase_add_test(diff, test_garp_from_local_address_held_back);
    tcase_add_test(diff, test_arp_accept_1_creates_from_garp_and_replies);
    tcase_add_test(diff, test_arp_accept_2_same_subnet_only);
    tcase_add_test(diff, test_arp_accept_all_and_default);
    tcase_add_test(diff, test_arp_accept_table_full);

    TCase *lock = arp_tcase(s, "locktime");
    tcase_add_loop_test(lock, test_garp_request_overrides_within_locktime, 0, (int)ARRAY_SIZE(garp_request_thas));
    tcase_add_test(lock, test_reply_within_locktime_held_back);
    tcase_add_test(lock, test_reply_after_locktime_overrides);
    tcase_add_loop_test(lock, test_almost_garp_held_back, 0, (int)ARRAY_SIZE(almost_garps));
    tcase_add_test(lock, test_garp_same_mac_keeps_reachable);
    tcase_add_test(lock, test_arp_accept_0_creates_nothing);
    return s;
}

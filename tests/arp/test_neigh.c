/*
 * tests/arp/test_neigh.c — the NUD state machine (arp/neigh.c) driven by the virtual
 * clock through the whole stack: packets leave by ip_send, ARP comes in on the fake
 * wire, time passes with fx_advance_ms (each timer fires at its own deadline).
 *
 * The subject is usually the peer 10.0.0.1 on eth0. Defaults are Linux's arp_tbl.parms:
 * mcast_solicit 3, ucast_solicit 3, retrans_time 1 s, base_reachable_time 30 s,
 * delay_first_probe_time 5 s, locktime 1 s, gc_stale_time 60 s.
 *
 * Tests marked LINUX_DIFF (tcase "linux_compat") assert what Linux does where tapstack
 * differed when they were written; each comment names the Linux code. They guard the
 * fixes. CRASH marks a use-after-free found here.
 */
#include "tests/fx_check.h"
#include "arp/neigh.h"
#include "ip/ip.h"
#include <stdio.h>

#define SEED       0x5eed
#define PROTO_TEST 253                  /* RFC 3692 experimental: nothing handles it */

static const struct eth_addr other_mac = { { 0x02, 0, 0, 0, 0, 0x0b } };
static const struct eth_addr perm_mac  = { { 0x02, 0, 0, 0, 0, 0x0c } };
static const struct eth_addr eth1_mac  = { { 0x02, 0, 0, 0, 1, 0x02 } };

static void setup(void)
{
    f = fx_new(SEED);
    ck_assert_ptr_nonnull(f);
}

static void teardown(void) { fxc_teardown(); }

static struct neigh *peer(void)
{
    struct neigh *n = fx_neigh(f, FX_PEER);
    ck_assert_ptr_nonnull(n);
    return n;
}

static void send_to(uint32_t dst, uint8_t mark)
{
    int rc = fx_send_ip(f, dst, PROTO_TEST, 32, mark);
    ck_assert_int_ge(rc, 0);
}

static void send_to_peer(uint8_t mark) { send_to(FX_PEER, mark); }

static void assert_arp_request(const struct fx_arp *a, uint32_t tpa, const struct eth_addr *eth_dst)
{
    ck_assert_uint_eq(a->htype, 1);
    ck_assert_uint_eq(a->ptype, ETH_P_IP);
    ck_assert_uint_eq(a->hlen, 6);
    ck_assert_uint_eq(a->plen, 4);
    ck_assert_uint_eq(a->op, 1);
    fxc_assert_mac(&a->eth_dst, eth_dst);
    fxc_assert_mac(&a->eth_src, &fx_mac);
    fxc_assert_mac(&a->sha, &fx_mac);
    ck_assert_uint_eq(a->spa, FX_ADDR);
    ck_assert_uint_eq(a->tpa, tpa);
}

/* The next transmitted frame is our test datagram to the peer, carrying mark. */
static void pop_ip_to_peer(uint8_t mark, const struct eth_addr *mac)
{
    struct fx_ipv4 ip;
    fxc_pop_ipv4(&ip, NULL);
    fxc_assert_mac(&ip.eth_dst, mac);
    fxc_assert_mac(&ip.eth_src, &fx_mac);
    ck_assert_uint_eq(ip.src, FX_ADDR);
    ck_assert_uint_eq(ip.dst, FX_PEER);
    ck_assert_uint_eq(ip.proto, PROTO_TEST);
    ck_assert_uint_eq(ip.plen, 32);
    ck_assert_uint_eq(ip.payload[0], mark);
}

/* Peer resolved by our request and its solicited reply; returns with the FIFO empty. */
static void resolve_peer(void)
{
    struct fx_arp a;
    send_to_peer(0x01);
    fxc_pop_arp(&a, NULL);
    fxc_peer_reply(&fx_peer_mac);
    pop_ip_to_peer(0x01, &fx_peer_mac);
    ck_assert_uint_eq(peer()->nud_state, NUD_REACHABLE);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}

/* Peer learned as STALE from its request for our address (neigh_event_ns). */
static void peer_stale_by_request(void)
{
    struct fx_arp a;
    fxc_inject_arp(1, &fx_peer_mac, FX_PEER, NULL, FX_ADDR, &fx_bcast_mac);
    fxc_pop_arp(&a, NULL);
    ck_assert_uint_eq(a.op, 2);
    ck_assert_uint_eq(peer()->nud_state, NUD_STALE);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}

static void set_gc_thresholds(const char *t1, const char *t2, const char *t3)
{
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.neigh.default.gc_thresh1", t1), 0);
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.neigh.default.gc_thresh2", t2), 0);
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.neigh.default.gc_thresh3", t3), 0);
}

static struct eth_addr host_mac(unsigned i)
{
    struct eth_addr m = { { 0x02, 0, 0, 0, 0x01, (uint8_t)i } };
    return m;
}

/* ------------------------------------------------------------------ resolution */

START_TEST(test_first_packet_goes_incomplete_and_broadcasts)
{
    ck_assert_ptr_null(fx_neigh(f, FX_PEER));
    uint64_t t0 = fx_now_us(f), requests = MIB(MIB_ArpOutRequests);
    ck_assert_int_eq(fx_send_ip(f, FX_PEER, PROTO_TEST, 32, 1), 0);    /* queued for ARP counts as sent (0), as neigh_resolve_output */
    struct neigh *n = peer();
    ck_assert_uint_eq(n->nud_state, NUD_INCOMPLETE);
    ck_assert_uint_eq(n->arp_queue_len, 1);
    ck_assert_uint_eq(fx_tx_count(f), 1);
    ck_assert_uint_eq(fx_tx_peek(f, 0)->at_us, t0);                     /* immediate, not at +1 s */
    struct fx_arp a;
    fxc_pop_arp(&a, NULL);
    assert_arp_request(&a, FX_PEER, &fx_bcast_mac);
    fxc_assert_mac(&a.tha, &fx_zero_mac);
    ck_assert_uint_eq(MIB(MIB_ArpOutRequests), requests + 1);
}
END_TEST

START_TEST(test_incomplete_three_requests_then_failed)
{
    uint64_t t0 = fx_now_us(f);
    send_to_peer(1);
    ck_assert_uint_eq(fx_tx_count(f), 1);
    fx_advance_ms(f, 999);
    ck_assert_uint_eq(fx_tx_count(f), 1);
    fx_advance_ms(f, 1);
    ck_assert_uint_eq(fx_tx_count(f), 2);
    fx_advance_ms(f, 1000);
    ck_assert_uint_eq(fx_tx_count(f), 3);
    fx_advance_ms(f, 999);
    ck_assert_uint_eq(peer()->nud_state, NUD_INCOMPLETE);
    ck_assert_uint_eq(DROPS(DROP_NEIGH_FAILED), 0);
    fx_advance_ms(f, 1);                                     /* t0 + 3 s */
    struct neigh *n = peer();
    ck_assert_uint_eq(n->nud_state, NUD_FAILED);
    ck_assert_uint_eq(n->arp_queue_len, 0);
    ck_assert_uint_eq(DROPS(DROP_NEIGH_FAILED), 1);
    ck_assert_uint_eq(arp_table(f->net)->res_failed, 1);
    ck_assert(!timer_pending(&n->timer));
    /* Exactly 3 broadcast requests (mcast_solicit), 1 s apart (retrans_time). */
    ck_assert_uint_eq(fx_tx_count(f), 3);
    for (unsigned i = 0; i < 3; i++) {
        ck_assert_uint_eq(fx_tx_peek(f, 0)->at_us, t0 + i * US_PER_S);
        struct fx_arp a;
        fxc_pop_arp(&a, NULL);
        assert_arp_request(&a, FX_PEER, &fx_bcast_mac);
    }
    /* ipv4_link_failure: host unreachable to the packet's source, which is us (over lo). */
    ck_assert_uint_eq(MIB(MIB_IcmpOutDestUnreachs), 1);
    ck_assert_uint_eq(MIB(MIB_IcmpInDestUnreachs), 1);
}
END_TEST

START_TEST(test_failed_sends_host_unreachable_to_forwarded_source)
{
    const uint32_t remote = FX_IP(172, 16, 0, 9), target = FX_IP(192, 168, 1, 50);
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.ip_forward", "1"), 0);
    struct netdev *eth1 = fx_add_dev(f, "eth1", &eth1_mac, FX_IP(192, 168, 1, 2), 24, 0);
    ck_assert_ptr_nonnull(eth1);
    fx_tx_clear(f);
    ck_assert_ptr_nonnull(fx_neigh_set(f, f->dev, FX_PEER, &fx_peer_mac, NUD_PERMANENT));
    uint8_t payload[16];
    for (unsigned i = 0; i < sizeof(payload); i++) payload[i] = (uint8_t)(0xa0 + i);
    size_t len = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), remote, target, PROTO_TEST, 64, 0x4242, 0,
                               payload, sizeof(payload));
    fx_inject(f, fxc_buf, len);
    ck_assert_uint_eq(MIB(MIB_IpForwDatagrams), 1);
    struct neigh *x = neigh_lookup(arp_table(f->net), target, eth1);
    ck_assert_ptr_nonnull(x);
    ck_assert_uint_eq(x->nud_state, NUD_INCOMPLETE);
    ck_assert_uint_eq(x->arp_queue_len, 1);

    fx_advance_ms(f, 3000);
    x = neigh_lookup(arp_table(f->net), target, eth1);
    ck_assert_ptr_nonnull(x);
    ck_assert_uint_eq(x->nud_state, NUD_FAILED);
    ck_assert_uint_eq(DROPS(DROP_NEIGH_FAILED), 1);
    for (int i = 0; i < 3; i++) {
        struct fx_arp a;
        int ifindex;
        fxc_pop_arp(&a, &ifindex);
        ck_assert_int_eq(ifindex, eth1->ifindex);
        ck_assert_uint_eq(a.op, 1);
        ck_assert_uint_eq(a.spa, FX_IP(192, 168, 1, 2));      /* arp_announce 0: eth1's address */
        ck_assert_uint_eq(a.tpa, target);
        fxc_assert_mac(&a.eth_dst, &fx_bcast_mac);
    }
    struct fx_ipv4 ip;
    struct fx_icmp ic;
    int ifindex;
    fxc_pop_ipv4(&ip, &ifindex);
    ck_assert_int_eq(ifindex, f->dev->ifindex);
    ck_assert(fx_parse_icmp(&ip, &ic));
    fxc_assert_mac(&ip.eth_dst, &fx_peer_mac);                 /* via the default gateway */
    ck_assert_uint_eq(ip.src, FX_ADDR);
    ck_assert_uint_eq(ip.dst, remote);
    ck_assert(ip.csum_ok);
    ck_assert_uint_eq(ic.type, ICMP_DEST_UNREACH);
    ck_assert_uint_eq(ic.code, ICMP_HOST_UNREACH);
    ck_assert(ic.csum_ok);
    /* The quote is the datagram as it waited in the queue: TTL already decremented. */
    ck_assert_uint_eq(ic.dlen, 20 + sizeof(payload));
    ck_assert_uint_eq(ip4_src(ic.data), remote);
    ck_assert_uint_eq(ip4_dst(ic.data), target);
    ck_assert_uint_eq(ip4_id(ic.data), 0x4242);
    ck_assert_uint_eq(ip4_ttl(ic.data), 63);
    ck_assert_int_eq(memcmp(ic.data + 20, payload, sizeof(payload)), 0);
    ck_assert_uint_eq(MIB(MIB_IcmpOutDestUnreachs), 1);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

START_TEST(test_solicited_reply_makes_reachable_and_flushes_in_order)
{
    send_to_peer(1);
    send_to_peer(2);
    send_to_peer(3);
    ck_assert_uint_eq(peer()->arp_queue_len, 3);
    ck_assert_uint_eq(fx_tx_count(f), 1);           /* one request, not one per packet */
    struct fx_arp a;
    fxc_pop_arp(&a, NULL);
    fx_advance_ms(f, 300);
    uint64_t t = fx_now_us(f);
    fxc_peer_reply(&fx_peer_mac);
    struct neigh *n = peer();
    ck_assert_uint_eq(n->nud_state, NUD_REACHABLE);
    fxc_assert_mac(&n->ha, &fx_peer_mac);
    ck_assert_uint_eq(n->confirmed, t);
    ck_assert_uint_eq(n->arp_queue_len, 0);
    ck_assert(timer_pending(&n->timer));
    ck_assert_uint_eq(n->timer.expires_us, t + (uint64_t)n->parms->reachable_time * US_PER_MS);
    pop_ip_to_peer(1, &fx_peer_mac);
    pop_ip_to_peer(2, &fx_peer_mac);
    pop_ip_to_peer(3, &fx_peer_mac);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_uint_eq(MIB(MIB_ArpInReplies), 1);
}
END_TEST

/* ------------------------------------------------------------------ ageing */

START_TEST(test_reachable_ages_to_stale)
{
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.neigh.eth0.base_reachable_time_ms", "10000"), 0);
    int rt = f->dev->arp_parms->reachable_time;
    ck_assert_int_ge(rt, 5000);                 /* [0.5, 1.5) x base */
    ck_assert_int_lt(rt, 15000);
    struct fx_arp a;
    send_to_peer(1);
    fxc_pop_arp(&a, NULL);
    fx_advance_ms(f, 900);                      /* the reply comes 0.9 s after the last use */
    fxc_peer_reply(&fx_peer_mac);
    pop_ip_to_peer(1, &fx_peer_mac);
    struct neigh *n = peer();
    uint64_t c = n->confirmed, at;
    const char *what;
    ck_assert(neigh_next_transition(n, &at, &what));
    ck_assert_uint_eq(at, c + (uint64_t)rt * US_PER_MS);
    ck_assert_str_eq(what, "STALE");
    ck_assert_uint_ge(at - c, 5000 * US_PER_MS);
    ck_assert_uint_lt(at - c, 15000 * US_PER_MS);
    fx_advance_us(f, at - fx_now_us(f) - US_PER_MS);
    ck_assert_uint_eq(n->nud_state, NUD_REACHABLE);
    fx_advance_ms(f, 11);                       /* Linux: at the deadline, or one tick later */
    ck_assert_uint_eq(n->nud_state, NUD_STALE);
    ck_assert(!timer_pending(&n->timer));
    ck_assert_uint_eq(fx_tx_count(f), 0);       /* STALE sends nothing until it is used */
    fx_advance_ms(f, 20000);
    ck_assert_uint_eq(n->nud_state, NUD_STALE);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

START_TEST(test_reachable_time_randomised_by_seed)
{
    int v[8];
    unsigned distinct = 0;
    for (unsigned i = 0; i < 8; i++) {
        struct fx *g = fx_new(100 + i);
        ck_assert_ptr_nonnull(g);
        v[i] = g->dev->arp_parms->reachable_time;
        ck_assert_int_ge(v[i], 15000);
        ck_assert_int_lt(v[i], 45000);
        ck_assert_uint_eq(fx_free(g), 0);
        bool seen = false;
        for (unsigned j = 0; j < i; j++) seen |= v[j] == v[i];
        if (!seen) distinct++;
    }
    ck_assert_uint_ge(distinct, 4);
    struct fx *g1 = fx_new(777), *g2 = fx_new(777);
    ck_assert_ptr_nonnull(g1);
    ck_assert_ptr_nonnull(g2);
    ck_assert_int_eq(g1->dev->arp_parms->reachable_time, g2->dev->arp_parms->reachable_time);
    ck_assert_int_eq(arp_table(g1->net)->parms.reachable_time, arp_table(g2->net)->parms.reachable_time);
    ck_assert_uint_eq(fx_free(g1), 0);
    ck_assert_uint_eq(fx_free(g2), 0);
}
END_TEST

START_TEST(test_stale_packet_delay_then_probe_then_reachable)
{
    peer_stale_by_request();
    uint64_t t0 = fx_now_us(f);
    send_to_peer(7);
    pop_ip_to_peer(7, &fx_peer_mac);            /* STALE is usable: the packet goes at once */
    struct neigh *n = peer();
    ck_assert_uint_eq(n->nud_state, NUD_DELAY);
    uint64_t at;
    const char *what;
    ck_assert(neigh_next_transition(n, &at, &what));
    ck_assert_uint_eq(at, t0 + 5 * US_PER_S);
    ck_assert_str_eq(what, "PROBE");
    fx_advance_ms(f, 4999);
    ck_assert_uint_eq(n->nud_state, NUD_DELAY);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    fx_advance_ms(f, 1);
    ck_assert_uint_eq(n->nud_state, NUD_PROBE);
    ck_assert_uint_eq(fx_tx_count(f), 1);
    struct fx_arp a;
    fxc_pop_arp(&a, NULL);
    assert_arp_request(&a, FX_PEER, &fx_peer_mac);     /* unicast to the cached address */
    fx_advance_ms(f, 500);
    fxc_peer_reply(&fx_peer_mac);
    ck_assert_uint_eq(n->nud_state, NUD_REACHABLE);
    fx_advance_ms(f, 3000);
    ck_assert_uint_eq(n->nud_state, NUD_REACHABLE);
    ck_assert_uint_eq(fx_tx_count(f), 0);               /* no more probes */
}
END_TEST

/* LINUX_DIFF: Linux's arp_solicit passes target_hw = NULL to arp_send, so even a unicast
 * probe carries tha 00:00:00:00:00:00 (arp_create zero-fills it). */
START_TEST(test_unicast_probe_target_hw_is_zero)
{
    peer_stale_by_request();
    send_to_peer(7);
    pop_ip_to_peer(7, &fx_peer_mac);
    fx_advance_ms(f, 5000);
    struct fx_arp a;
    fxc_pop_arp(&a, NULL);
    fxc_assert_mac(&a.eth_dst, &fx_peer_mac);
    fxc_assert_mac(&a.tha, &fx_zero_mac);
}
END_TEST

START_TEST(test_probe_fails_after_ucast_solicit_probes)
{
    peer_stale_by_request();
    uint64_t t0 = fx_now_us(f);
    send_to_peer(7);
    pop_ip_to_peer(7, &fx_peer_mac);
    struct neigh *n = peer();
    fx_advance_ms(f, 5000);
    ck_assert_uint_eq(n->nud_state, NUD_PROBE);
    fx_advance_ms(f, 2000);
    ck_assert_uint_eq(n->nud_state, NUD_PROBE);
    fx_advance_ms(f, 999);
    ck_assert_uint_eq(n->nud_state, NUD_PROBE);
    fx_advance_ms(f, 1);                                /* t0 + 8 s */
    ck_assert_uint_eq(n->nud_state, NUD_FAILED);
    ck_assert_uint_eq(fx_tx_count(f), 3);               /* ucast_solicit = 3 */
    for (unsigned i = 0; i < 3; i++) {
        ck_assert_uint_eq(fx_tx_peek(f, 0)->at_us, t0 + (5 + i) * US_PER_S);
        struct fx_arp a;
        fxc_pop_arp(&a, NULL);
        assert_arp_request(&a, FX_PEER, &fx_peer_mac);
    }
    ck_assert_uint_eq(DROPS(DROP_NEIGH_FAILED), 0);     /* nothing was queued in PROBE */
    /* The next packet starts over: INCOMPLETE with a broadcast request. */
    send_to_peer(8);
    ck_assert_uint_eq(n->nud_state, NUD_INCOMPLETE);
    struct fx_arp a;
    fxc_pop_arp(&a, NULL);
    assert_arp_request(&a, FX_PEER, &fx_bcast_mac);
}
END_TEST

START_TEST(test_delay_confirmed_goes_reachable_without_probe)
{
    peer_stale_by_request();
    send_to_peer(7);
    pop_ip_to_peer(7, &fx_peer_mac);
    struct neigh *n = peer();
    ck_assert_uint_eq(n->nud_state, NUD_DELAY);
    fx_advance_ms(f, 2000);
    uint64_t c = fx_now_us(f);
    neigh_confirm(n);                                   /* TCP saw its data acknowledged */
    ck_assert_uint_eq(n->confirmed, c);
    fx_advance_ms(f, 2999);
    ck_assert_uint_eq(n->nud_state, NUD_DELAY);
    fx_advance_ms(f, 1);                                /* the DELAY deadline */
    ck_assert_uint_eq(n->nud_state, NUD_REACHABLE);
    ck_assert(timer_pending(&n->timer));
    ck_assert_uint_eq(n->timer.expires_us, c + (uint64_t)n->parms->reachable_time * US_PER_MS);
    fx_advance_ms(f, 3000);
    ck_assert_uint_eq(n->nud_state, NUD_REACHABLE);
    ck_assert_uint_eq(fx_tx_count(f), 0);               /* never probed */
}
END_TEST

START_TEST(test_busy_entry_goes_delay_never_stale)
{
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.neigh.eth0.base_reachable_time_ms", "10000"), 0);
    resolve_peer();
    struct neigh *n = peer();
    unsigned seen = 0, ip_frames = 0, probes = 0;
    bool answered = false;
    for (int step = 0; step < 600; step++) {
        if (step % 10 == 0) send_to_peer((uint8_t)step);     /* busy: a packet every second */
        fx_advance_ms(f, 100);
        seen |= n->nud_state;
        struct fx_frame fr;
        while (fx_tx_pop_frame(f, &fr)) {
            struct fx_arp a;
            if (fx_parse_arp(fr.data, fr.len, &a)) {
                assert_arp_request(&a, FX_PEER, &fx_peer_mac);
                probes++;
            } else {
                ip_frames++;
            }
            free(fr.data);
        }
        if (n->nud_state == NUD_PROBE && !answered) {
            fxc_peer_reply(&fx_peer_mac);
            answered = true;
        }
        if (answered && n->nud_state == NUD_REACHABLE) break;
    }
    ck_assert_msg(seen & NUD_DELAY, "never went DELAY (seen 0x%x)", seen);
    ck_assert_msg(seen & NUD_PROBE, "never went PROBE (seen 0x%x)", seen);
    ck_assert_msg(!(seen & NUD_STALE), "a busy entry went STALE (seen 0x%x)", seen);
    ck_assert(answered);
    ck_assert_uint_eq(n->nud_state, NUD_REACHABLE);
    ck_assert_uint_eq(probes, 1);
    ck_assert_uint_gt(ip_frames, 10);                   /* nothing was held back meanwhile */
}
END_TEST

/* LINUX_DIFF: __neigh_update flushes the queue through n->output, which for a STALE entry
 * is neigh_resolve_output -> neigh_event_send: the entry goes DELAY and is probed 5 s
 * later. tapstack used to transmit the queue directly and leave the entry STALE. */
START_TEST(test_flush_through_stale_entry_enters_delay)
{
    send_to_peer(1);
    struct fx_arp a;
    fxc_pop_arp(&a, NULL);
    /* The peer asks for us instead of answering: neigh_event_ns -> STALE, queue flushed. */
    fxc_inject_arp(1, &fx_peer_mac, FX_PEER, NULL, FX_ADDR, &fx_bcast_mac);
    ck_assert_uint_eq(fxc_count_type(ETH_P_IP), 1);
    ck_assert_uint_eq(fxc_count_type(ETH_P_ARP), 1);
    fx_tx_clear(f);
    ck_assert_uint_eq(peer()->nud_state, NUD_DELAY);
    fx_advance_ms(f, 5000);
    ck_assert_uint_eq(peer()->nud_state, NUD_PROBE);
    fxc_pop_arp(&a, NULL);
    assert_arp_request(&a, FX_PEER, &fx_peer_mac);
}
END_TEST

/* ------------------------------------------------------------------ queue, override, admin */

START_TEST(test_unres_qlen_drops_oldest)
{
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.neigh.eth0.unres_qlen", "3"), 0);
    for (uint8_t m = 1; m <= 3; m++) send_to_peer(m);
    ck_assert_uint_eq(peer()->arp_queue_len, 3);
    ck_assert_uint_eq(DROPS(DROP_NEIGH_QUEUEFULL), 0);
    send_to_peer(4);
    ck_assert_uint_eq(peer()->arp_queue_len, 3);
    ck_assert_uint_eq(DROPS(DROP_NEIGH_QUEUEFULL), 1);
    send_to_peer(5);
    ck_assert_uint_eq(peer()->arp_queue_len, 3);
    ck_assert_uint_eq(DROPS(DROP_NEIGH_QUEUEFULL), 2);
    ck_assert_uint_eq(MIB(MIB_ArpUnresDiscards), 2);
    ck_assert_uint_eq(arp_table(f->net)->unres_discards, 2);
    struct fx_arp a;
    fxc_pop_arp(&a, NULL);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    fxc_peer_reply(&fx_peer_mac);
    pop_ip_to_peer(3, &fx_peer_mac);                    /* the newest three, in order */
    pop_ip_to_peer(4, &fx_peer_mac);
    pop_ip_to_peer(5, &fx_peer_mac);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

START_TEST(test_locktime_keeps_first_reply)
{
    resolve_peer();
    struct neigh *n = peer();
    fx_advance_ms(f, 500);
    fxc_peer_reply(&other_mac);                         /* a second proxy answers late */
    fxc_assert_mac(&n->ha, &fx_peer_mac);
    ck_assert_uint_eq(n->nud_state, NUD_REACHABLE);
    fx_advance_ms(f, 500);                              /* exactly locktime: still locked */
    fxc_peer_reply(&other_mac);
    fxc_assert_mac(&n->ha, &fx_peer_mac);
    fx_advance_ms(f, 500);                              /* past locktime: it replaces */
    fxc_peer_reply(&other_mac);
    fxc_assert_mac(&n->ha, &other_mac);
    ck_assert_uint_eq(n->nud_state, NUD_REACHABLE);
    send_to_peer(9);
    pop_ip_to_peer(9, &other_mac);
}
END_TEST

START_TEST(test_gratuitous_arp_overrides_within_locktime)
{
    resolve_peer();
    struct neigh *n = peer();
    fx_advance_ms(f, 200);
    fxc_inject_arp(1, &other_mac, FX_PEER, NULL, FX_PEER, &fx_bcast_mac);   /* sip == tip */
    fxc_assert_mac(&n->ha, &other_mac);
    ck_assert_uint_eq(n->nud_state, NUD_STALE);        /* a request asserts no reachability */
    ck_assert_uint_eq(fx_tx_count(f), 0);               /* not for us: no answer */
}
END_TEST

START_TEST(test_permanent_entry_not_changed_by_arp)
{
    struct neigh *n = fx_neigh_set(f, f->dev, FX_PEER, &perm_mac, NUD_PERMANENT);
    ck_assert_ptr_nonnull(n);
    ck_assert(!timer_pending(&n->timer));
    fxc_peer_reply(&fx_peer_mac);
    ck_assert_uint_eq(n->nud_state, NUD_PERMANENT);
    fxc_assert_mac(&n->ha, &perm_mac);
    fxc_inject_arp(1, &fx_peer_mac, FX_PEER, NULL, FX_ADDR, &fx_bcast_mac);
    ck_assert_uint_eq(n->nud_state, NUD_PERMANENT);
    fxc_assert_mac(&n->ha, &perm_mac);
    struct fx_arp a;
    fxc_pop_arp(&a, NULL);                              /* the request is still answered */
    ck_assert_uint_eq(a.op, 2);
    fxc_inject_arp(1, &fx_peer_mac, FX_PEER, NULL, FX_PEER, &fx_bcast_mac);    /* gratuitous */
    fxc_assert_mac(&n->ha, &perm_mac);
    fx_advance_ms(f, 120000);
    ck_assert_uint_eq(n->nud_state, NUD_PERMANENT);
    send_to_peer(3);
    pop_ip_to_peer(3, &perm_mac);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

/* ------------------------------------------------------------------ garbage collection */

START_TEST(test_gc_thresh3_evicts_unused_stale_first)
{
    set_gc_thresholds("2", "4", "8");
    struct neigh_table *tbl = arp_table(f->net);
    for (unsigned i = 0; i < 8; i++) {
        struct eth_addr m = host_mac(i);
        fxc_inject_arp(1, &m, FX_IP(10, 0, 0, 10 + i), NULL, FX_ADDR, &fx_bcast_mac);
        fx_advance_ms(f, 10);
    }
    fx_tx_clear(f);
    ck_assert_uint_eq(tbl->entries, 8);
    fx_advance_ms(f, 6000);             /* Linux's forced GC spares entries updated < 5 s ago */
    send_to(FX_IP(10, 0, 0, 50), 1);
    ck_assert_uint_ge(tbl->forced_gc_runs, 1);
    ck_assert_uint_eq(tbl->table_fulls, 0);
    ck_assert_uint_eq(tbl->entries, 5);                 /* down to gc_thresh2, plus the new one */
    for (unsigned i = 0; i < 4; i++) ck_assert_ptr_null(fx_neigh(f, FX_IP(10, 0, 0, 10 + i)));
    for (unsigned i = 4; i < 8; i++) ck_assert_uint_eq(fx_neigh_state(f, FX_IP(10, 0, 0, 10 + i)), NUD_STALE);
    ck_assert_uint_eq(fx_neigh_state(f, FX_IP(10, 0, 0, 50)), NUD_INCOMPLETE);
}
END_TEST

START_TEST(test_gc_table_full_refuses_when_all_incomplete)
{
    set_gc_thresholds("2", "4", "8");
    struct neigh_table *tbl = arp_table(f->net);
    for (unsigned i = 0; i < 8; i++) send_to(FX_IP(10, 0, 0, 20 + i), (uint8_t)i);
    ck_assert_uint_eq(tbl->entries, 8);
    int rc = fx_send_ip(f, FX_IP(10, 0, 0, 99), PROTO_TEST, 32, 9);
    ck_assert_int_lt(rc, 0);
    ck_assert_ptr_null(fx_neigh(f, FX_IP(10, 0, 0, 99)));
    ck_assert_uint_eq(tbl->entries, 8);
    ck_assert_uint_eq(tbl->table_fulls, 1);
    ck_assert_uint_eq(MIB(MIB_ArpTableFull), 1);
    ck_assert_uint_eq(DROPS(DROP_NEIGH_CREATEFAIL), 1);
    ck_assert_uint_eq(fxc_count_type(ETH_P_ARP), 8);    /* one request per entry, none for .99 */
    ck_assert_uint_eq(fx_tx_count(f), 8);
    for (unsigned i = 0; i < 8; i++) ck_assert_uint_eq(fx_neigh_state(f, FX_IP(10, 0, 0, 20 + i)), NUD_INCOMPLETE);
}
END_TEST

START_TEST(test_periodic_gc_removes_unused_stale_above_thresh1)
{
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.neigh.default.gc_thresh1", "2"), 0);
    struct neigh_table *tbl = arp_table(f->net);
    for (unsigned i = 0; i < 3; i++) {
        struct eth_addr m = host_mac(i);
        fxc_inject_arp(1, &m, FX_IP(10, 0, 0, 10 + i), NULL, FX_ADDR, &fx_bcast_mac);
    }
    ck_assert_ptr_nonnull(fx_neigh_set(f, f->dev, FX_IP(10, 0, 0, 40), &perm_mac, NUD_PERMANENT));
    fx_tx_clear(f);
    ck_assert_uint_eq(tbl->entries, 4);
    uint64_t runs = tbl->periodic_gc_runs;
    fx_advance_ms(f, 59000);                            /* used < gc_stale_time ago: kept */
    ck_assert_uint_gt(tbl->periodic_gc_runs, runs);
    ck_assert_uint_eq(tbl->entries, 4);
    fx_advance_ms(f, 16000);                            /* a periodic run after 60 s unused */
    for (unsigned i = 0; i < 3; i++) ck_assert_ptr_null(fx_neigh(f, FX_IP(10, 0, 0, 10 + i)));
    ck_assert_uint_eq(fx_neigh_state(f, FX_IP(10, 0, 0, 40)), NUD_PERMANENT);
    ck_assert_uint_eq(tbl->entries, 1);
}
END_TEST

START_TEST(test_periodic_gc_keeps_entries_below_thresh1)
{
    struct neigh_table *tbl = arp_table(f->net);
    ck_assert_int_eq(tbl->gc_thresh1, 128);
    for (unsigned i = 0; i < 3; i++) {
        struct eth_addr m = host_mac(i);
        fxc_inject_arp(1, &m, FX_IP(10, 0, 0, 10 + i), NULL, FX_ADDR, &fx_bcast_mac);
    }
    fx_tx_clear(f);
    fx_advance_ms(f, 180000);
    ck_assert_uint_eq(tbl->entries, 3);
    for (unsigned i = 0; i < 3; i++) ck_assert_uint_eq(fx_neigh_state(f, FX_IP(10, 0, 0, 10 + i)), NUD_STALE);
}
END_TEST

/* ------------------------------------------------------------------ reporting, link down */

START_TEST(test_next_transition_reports_target_and_time)
{
    uint64_t at;
    const char *what;
    uint64_t t0 = fx_now_us(f);
    send_to_peer(1);
    struct neigh *n = peer();
    ck_assert(neigh_next_transition(n, &at, &what));
    ck_assert_uint_eq(at, t0 + US_PER_S);
    ck_assert_str_eq(what, "probe");
    fx_advance_ms(f, 2000);                             /* third request sent */
    ck_assert(neigh_next_transition(n, &at, &what));
    ck_assert_uint_eq(at, t0 + 3 * US_PER_S);
    ck_assert_str_eq(what, "FAILED");
    fx_advance_ms(f, 1000);
    ck_assert_uint_eq(n->nud_state, NUD_FAILED);
    ck_assert(!neigh_next_transition(n, &at, &what));
    fx_tx_clear(f);

    /* REACHABLE, idle: STALE at confirmed + reachable_time */
    resolve_peer();
    uint64_t c = n->confirmed;
    ck_assert(neigh_next_transition(n, &at, &what));
    ck_assert_uint_eq(at, c + (uint64_t)n->parms->reachable_time * US_PER_MS);
    ck_assert_str_eq(what, "STALE");
    /* ... used 2 s before that deadline: DELAY */
    fx_advance_us(f, at - fx_now_us(f) - 2 * US_PER_S);
    send_to_peer(2);
    pop_ip_to_peer(2, &fx_peer_mac);
    uint64_t at2;
    ck_assert(neigh_next_transition(n, &at2, &what));
    ck_assert_uint_eq(at2, at);
    ck_assert_str_eq(what, "DELAY");
    fx_advance_us(f, at - fx_now_us(f));
    ck_assert_uint_eq(n->nud_state, NUD_DELAY);
    ck_assert(neigh_next_transition(n, &at2, &what));
    ck_assert_uint_eq(at2, at + 5 * US_PER_S);
    ck_assert_str_eq(what, "PROBE");
    fx_advance_ms(f, 5000);
    ck_assert_uint_eq(n->nud_state, NUD_PROBE);
    ck_assert(neigh_next_transition(n, &at2, &what));
    ck_assert_uint_eq(at2, at + 6 * US_PER_S);
    ck_assert_str_eq(what, "probe");
}
END_TEST

/* BUG (not a Linux difference): in DELAY after neigh_confirm() the timer leads to
 * REACHABLE; neigh_next_transition used to say "PROBE". */
START_TEST(test_next_transition_after_confirm_in_delay)
{
    peer_stale_by_request();
    uint64_t t0 = fx_now_us(f);
    send_to_peer(7);
    pop_ip_to_peer(7, &fx_peer_mac);
    struct neigh *n = peer();
    neigh_confirm(n);
    uint64_t at;
    const char *what;
    ck_assert(neigh_next_transition(n, &at, &what));
    ck_assert_uint_eq(at, t0 + 5 * US_PER_S);
    fx_advance_ms(f, 5000);
    ck_assert_uint_eq(n->nud_state, NUD_REACHABLE);     /* what actually happened */
    ck_assert_str_eq(what, "REACHABLE");                /* what was predicted */
}
END_TEST

START_TEST(test_link_down_flushes_dynamic_entries)
{
    peer_stale_by_request();                                            /* STALE */
    struct eth_addr m = host_mac(1);
    fxc_inject_arp(1, &m, FX_IP(10, 0, 0, 10), NULL, FX_ADDR, &fx_bcast_mac);
    send_to(FX_IP(10, 0, 0, 10), 1);                                    /* DELAY */
    send_to(FX_IP(10, 0, 0, 30), 2);                                    /* INCOMPLETE + queue */
    fx_tx_clear(f);
    ck_assert_uint_eq(fx_neigh_state(f, FX_IP(10, 0, 0, 10)), NUD_DELAY);
    ck_assert_uint_eq(fx_neigh_state(f, FX_IP(10, 0, 0, 30)), NUD_INCOMPLETE);
    uint64_t drops_before = DROPS(DROP_NEIGH_DEAD);
    ck_assert_int_eq(dev_close(f->dev), 0);
    ck_assert_ptr_null(fx_neigh(f, FX_PEER));
    ck_assert_ptr_null(fx_neigh(f, FX_IP(10, 0, 0, 10)));
    ck_assert_ptr_null(fx_neigh(f, FX_IP(10, 0, 0, 30)));
    ck_assert_uint_eq(DROPS(DROP_NEIGH_DEAD), drops_before + 1);         /* the queued packet */
    ck_assert_uint_eq(pkt_pool_live(&f->st->pool), 0);
    ck_assert_uint_eq(fx_tx_count(f), 0);
}
END_TEST

/* LINUX_DIFF: `ip link set DEV down` runs fib_disable_ip -> arp_ifdown -> neigh_ifdown,
 * which flushes with skip_perm = false: PERMANENT entries go too (only carrier loss,
 * neigh_carrier_down, keeps them). */
START_TEST(test_link_down_flushes_permanent_too)
{
    ck_assert_ptr_nonnull(fx_neigh_set(f, f->dev, FX_PEER, &perm_mac, NUD_PERMANENT));
    ck_assert_int_eq(dev_close(f->dev), 0);
    ck_assert_ptr_null(fx_neigh(f, FX_PEER));
}
END_TEST

/* CRASH (use after free): resolution of X fails, neigh_invalidate hands X's last queued
 * packet to arp_error_report -> icmp_send -> ip_send -> arp_output -> neigh_create for
 * the ICMP's next hop; the table is at gc_thresh3, so neigh_forced_gc runs, and X —
 * FAILED, its queue already emptied — is the one victim: it is freed while
 * neigh_invalidate (and neigh_timer) are still using it. Linux holds a reference in the
 * timer handler. */
START_TEST(test_forced_gc_during_failure_report_keeps_entry_alive)
{
    const uint32_t src = FX_IP(10, 0, 0, 77);          /* on eth0, never resolved */
    set_gc_thresholds("128", "1", "2");
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.ip_forward", "1"), 0);
    struct netdev *eth1 = fx_add_dev(f, "eth1", &eth1_mac, FX_IP(192, 168, 1, 2), 24, 0);
    ck_assert_ptr_nonnull(eth1);
    fx_tx_clear(f);
    struct eth_addr m = host_mac(7);
    struct fx_ip h = { .src = src, .dst = FX_IP(192, 168, 1, 50), .proto = PROTO_TEST, .ttl = 64,
                       .id = 1, .eth_src = &m };
    uint8_t payload[8] = { 0 };
    size_t len = fx_build_ip(fxc_buf, sizeof(fxc_buf), &h, payload, sizeof(payload));
    fx_inject(f, fxc_buf, len);                                 /* X = .50: INCOMPLETE */
    fx_advance_ms(f, 500);
    h.dst = FX_IP(192, 168, 1, 51);
    h.id = 2;
    len = fx_build_ip(fxc_buf, sizeof(fxc_buf), &h, payload, sizeof(payload));
    fx_inject(f, fxc_buf, len);                                 /* Y = .51: INCOMPLETE */
    ck_assert_uint_eq(arp_table(f->net)->entries, 2);
    fx_advance_ms(f, 2500);                                     /* X fails at +3 s */
    ck_assert_uint_eq(DROPS(DROP_NEIGH_FAILED), 1);
    /* Linux pins X (the timer handler holds a reference), so the table stays full and the
     * ICMP is dropped (NEIGH_CREATEFAIL). A fix that evicts X only after the report lets
     * the ICMP wait for .77 instead. Either is fine; freeing X under our feet is not. */
    struct neigh *s = fx_neigh(f, src);
    if (s) {
        ck_assert_uint_eq(s->nud_state, NUD_INCOMPLETE);
        ck_assert_uint_eq(s->arp_queue_len, 1);
    } else {
        ck_assert_uint_eq(DROPS(DROP_NEIGH_CREATEFAIL), 1);
        ck_assert_uint_eq(arp_table(f->net)->table_fulls, 1);
    }
}
END_TEST

Suite *neigh_suite(void)
{
    Suite *s = suite_create("neigh");

    TCase *res = tcase_create("resolution");
    tcase_add_checked_fixture(res, setup, teardown);
    tcase_set_timeout(res, 10);
    tcase_add_test(res, test_first_packet_goes_incomplete_and_broadcasts);
    tcase_add_test(res, test_incomplete_three_requests_then_failed);
    tcase_add_test(res, test_failed_sends_host_unreachable_to_forwarded_source);
    tcase_add_test(res, test_solicited_reply_makes_reachable_and_flushes_in_order);
    tcase_add_test(res, test_unres_qlen_drops_oldest);
    tcase_add_test(res, test_locktime_keeps_first_reply);
    tcase_add_test(res, test_gratuitous_arp_overrides_within_locktime);
    tcase_add_test(res, test_permanent_entry_not_changed_by_arp);
    suite_add_tcase(s, res);

    TCase *age = tcase_create("ageing");
    tcase_add_checked_fixture(age, setup, teardown);
    tcase_set_timeout(age, 10);
    tcase_add_test(age, test_reachable_ages_to_stale);
    tcase_add_test(age, test_reachable_time_randomised_by_seed);
    tcase_add_test(age, test_stale_packet_delay_then_probe_then_reachable);
    tcase_add_test(age, test_probe_fails_after_ucast_solicit_probes);
    tcase_add_test(age, test_delay_confirmed_goes_reachable_without_probe);
    tcase_add_test(age, test_busy_entry_goes_delay_never_stale);
    tcase_add_test(age, test_next_transition_reports_target_and_time);
    suite_add_tcase(s, age);

    TCase *gc = tcase_create("gc");
    tcase_add_checked_fixture(gc, setup, teardown);
    tcase_set_timeout(gc, 10);
    tcase_add_test(gc, test_gc_thresh3_evicts_unused_stale_first);
    tcase_add_test(gc, test_gc_table_full_refuses_when_all_incomplete);
    tcase_add_test(gc, test_periodic_gc_removes_unused_stale_above_thresh1);
    tcase_add_test(gc, test_periodic_gc_keeps_entries_below_thresh1);
    tcase_add_test(gc, test_link_down_flushes_dynamic_entries);
    suite_add_tcase(s, gc);

    /* Linux behaviour tapstack lacked, and a crash: regression guards for those fixes. */
    TCase *diff = tcase_create("linux_compat");
    tcase_add_checked_fixture(diff, setup, teardown);
    tcase_set_timeout(diff, 10);
    tcase_add_test(diff, test_unicast_probe_target_hw_is_zero);
    tcase_add_test(diff, test_flush_through_stale_entry_enters_delay);
    tcase_add_test(diff, test_next_transition_after_confirm_in_delay);
    tcase_add_test(diff, test_link_down_flushes_permanent_too);
    tcase_add_test(diff, test_forced_gc_during_failure_report_keeps_entry_alive);
    suite_add_tcase(s, diff);
    return s;
}

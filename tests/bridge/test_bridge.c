/*
 * tests/bridge/test_bridge.c — the learning bridge (bridge/): learning, forwarding to
 * the learned port only, flooding (never back out of the port a frame came in on),
 * ageing on the virtual clock, stations moving, static entries, the FDB's bound, the
 * bridge's own address answering ARP and ping, and ports leaving.
 *
 * Three fake ports p1..p3 (no addresses) join br0 (MAC 02:00:00:00:0b:01, up); stations
 * A, B, C are MACs on the wire behind them.
 */
#include "tests/fx_check.h"
#include "bridge/br.h"
#include "net/link.h"
#include "arp/arp_wire.h"
#include "arp/neigh.h"
#include "net/netlink.h"
#include <errno.h>
#include <stdio.h>

static struct netdev *br, *port[3];
static const struct eth_addr br_mac = { { 0x02, 0, 0, 0, 0x0b, 0x01 } };
static const struct eth_addr sta_a = { { 0x02, 0, 0, 0, 0xaa, 0x01 } };
static const struct eth_addr sta_b = { { 0x02, 0, 0, 0, 0xaa, 0x02 } };
static const struct eth_addr sta_c = { { 0x02, 0, 0, 0, 0xaa, 0x03 } };

static void set_master(struct netdev *dev, struct netdev *master)
{
    struct link_change ch = { .up = -1, .master = master, .nomaster = !master };
    ck_assert_int_eq(link_setlink(dev, &ch, NULL), 0);
}

static void bridge_args(const char *k, const char *v)
{
    char *argv[] = { (char *)k, (char *)v };
    struct link_change ch = { .up = -1, .kind = "bridge", .kind_args = { 2, argv } };
    ck_assert_int_eq(link_setlink(br, &ch, NULL), 0);
}

static void setup(void)
{
    f = fx_new(0xb1d);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(link_newlink(f->net, "bridge", "br0", NULL, NULL), 0);
    br = netdev_by_name(f->net, "br0");
    ck_assert_ptr_nonnull(br);
    struct link_change ch = { .up = 1, .addr = &br_mac };
    ck_assert_int_eq(link_setlink(br, &ch, NULL), 0);
    for (int i = 0; i < 3; i++) {
        char name[16];
        struct eth_addr mac = { { 0x02, 0, 0, 0, 0x01, (uint8_t)(i + 1) } };
        snprintf(name, sizeof(name), "p%d", i + 1);
        port[i] = fx_add_dev(f, name, &mac, 0, 0, 0);
        ck_assert_ptr_nonnull(port[i]);
        set_master(port[i], br);
    }
}

static void teardown(void) { fxc_teardown(); }

/* A frame from src to dst arrives on port i (an ethertype nobody handles: pure L2). */
static void send_on(int i, const struct eth_addr *src, const struct eth_addr *dst, uint8_t mark)
{
    uint8_t payload[46];
    memset(payload, mark, sizeof(payload));
    size_t n = fx_build_eth(fxc_buf, sizeof(fxc_buf), dst, src, 0x88b5, payload, sizeof(payload));
    fx_inject_dev(f, port[i], fxc_buf, n);
}

/* Port i transmitted exactly the frame src->dst with `mark`, and nothing else. */
static void expect_out(int i, const struct eth_addr *src, const struct eth_addr *dst, uint8_t mark)
{
    size_t len;
    ck_assert_uint_eq(fx_tx_count_dev(f, port[i]), 1);
    uint8_t *fr = fx_tx_pop_dev(f, port[i], &len);
    struct fx_eth e;
    ck_assert(fx_parse_eth(fr, len, &e));
    ck_assert(eth_addr_eq(&e.src, src) && eth_addr_eq(&e.dst, dst));
    ck_assert_uint_eq(e.plen, 46);
    ck_assert_uint_eq(e.payload[0], mark);
    ck_assert_uint_eq(e.payload[45], mark);
    free(fr);
}

static void expect_none(int i) { ck_assert_uint_eq(fx_tx_count_dev(f, port[i]), 0); }

static struct br_counters counters(void)
{
    struct br_counters c;
    ck_assert(br_get_counters(br, &c));
    return c;
}

/* ------------------------------------------------------------------ learning and forwarding */

START_TEST(test_broadcast_floods_all_other_ports_and_learns)
{
    send_on(0, &sta_a, &fx_bcast_mac, 1);
    expect_none(0);                                     /* no hairpin */
    expect_out(1, &sta_a, &fx_bcast_mac, 1);
    expect_out(2, &sta_a, &fx_bcast_mac, 1);
    ck_assert_uint_eq(counters().fdb_n_learned, 1);
    /* B answers A: only A's port gets it */
    send_on(1, &sta_b, &sta_a, 2);
    expect_out(0, &sta_b, &sta_a, 2);
    expect_none(1);
    expect_none(2);
    ck_assert_uint_eq(counters().fdb_n_learned, 2);
    /* and back: only B's */
    send_on(0, &sta_a, &sta_b, 3);
    expect_out(1, &sta_a, &sta_b, 3);
    expect_none(0);
    expect_none(2);
    ck_assert_uint_eq(br->stats.rx_packets, 1);         /* the broadcast went up br0 too */
}
END_TEST

START_TEST(test_unknown_unicast_and_multicast_flood)
{
    static const struct eth_addr mcast = { { 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03 } };
    send_on(2, &sta_a, &sta_c, 4);                      /* C never spoke: flooded */
    expect_out(0, &sta_a, &sta_c, 4);
    expect_out(1, &sta_a, &sta_c, 4);
    expect_none(2);
    ck_assert_uint_eq(br->stats.rx_packets, 0);         /* not for br0 */
    send_on(1, &sta_b, &mcast, 5);
    expect_out(0, &sta_b, &mcast, 5);
    expect_out(2, &sta_b, &mcast, 5);
    expect_none(1);
    ck_assert_uint_eq(br->stats.rx_packets, 1);         /* a copy went up */
}
END_TEST

START_TEST(test_no_hairpin_to_learned_port)
{
    send_on(0, &sta_a, &fx_bcast_mac, 1);
    fx_tx_clear(f);
    uint64_t before = DROPS(DROP_NO_TX_TARGET);
    send_on(0, &sta_b, &sta_a, 6);                      /* A lives behind the port B is on */
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_uint_eq(DROPS(DROP_NO_TX_TARGET), before + 1);
}
END_TEST

START_TEST(test_station_moves_port)
{
    send_on(0, &sta_a, &fx_bcast_mac, 1);
    send_on(2, &sta_a, &fx_bcast_mac, 2);               /* A now answers from p3 */
    fx_tx_clear(f);
    ck_assert_uint_eq(counters().fdb_n_learned, 1);     /* replaced, not added */
    send_on(1, &sta_b, &sta_a, 7);
    expect_out(2, &sta_b, &sta_a, 7);
    expect_none(0);
}
END_TEST

/* ------------------------------------------------------------------ ageing */

START_TEST(test_ageing_default_300s)
{
    send_on(0, &sta_a, &fx_bcast_mac, 1);
    fx_advance_ms(f, 299 * 1000);
    fx_tx_clear(f);
    send_on(1, &sta_b, &sta_a, 2);                      /* still known at 299 s */
    expect_out(0, &sta_b, &sta_a, 2);
    expect_none(2);
    fx_advance_ms(f, 1000);                             /* A's 300 s are up; B's are not */
    ck_assert_uint_eq(counters().fdb_aged, 1);
    ck_assert_uint_eq(counters().fdb_n_learned, 1);
    send_on(1, &sta_b, &sta_a, 3);                      /* forgotten: flooded */
    expect_out(0, &sta_b, &sta_a, 3);
    expect_out(2, &sta_b, &sta_a, 3);
}
END_TEST

START_TEST(test_ageing_refreshed_by_traffic_and_configurable)
{
    send_on(0, &sta_a, &fx_bcast_mac, 1);
    fx_advance_ms(f, 200 * 1000);
    send_on(0, &sta_a, &fx_bcast_mac, 1);               /* heard again: 300 s from now */
    fx_advance_ms(f, 250 * 1000);
    ck_assert_uint_eq(counters().fdb_aged, 0);
    bridge_args("ageing_time", "1000");                 /* 10 s, in centiseconds */
    ck_assert_uint_eq(counters().fdb_aged, 1);          /* 250 s old: gone at once */
    send_on(0, &sta_a, &fx_bcast_mac, 1);
    fx_advance_ms(f, 9999);
    ck_assert_uint_eq(counters().fdb_n_learned, 1);
    fx_advance_ms(f, 1);
    ck_assert_uint_eq(counters().fdb_n_learned, 0);
    ck_assert_uint_eq(counters().fdb_aged, 2);
}
END_TEST

START_TEST(test_static_entry_survives_ageing)
{
    ck_assert_int_eq(br_fdb_add(port[2], &sta_c, NUD_NOARP, true, NULL), 0);
    ck_assert_int_eq(br_fdb_add(port[2], &sta_c, NUD_NOARP, true, NULL), -EEXIST);
    fx_advance_ms(f, 3600 * 1000);
    send_on(0, &sta_a, &sta_c, 8);
    expect_out(2, &sta_a, &sta_c, 8);
    expect_none(1);
    ck_assert_int_eq(br_fdb_delete(port[2], &sta_c, NULL), 0);
    ck_assert_int_eq(br_fdb_delete(port[2], &sta_c, NULL), -ENOENT);
    send_on(0, &sta_a, &sta_c, 9);                      /* unknown again: flooded */
    expect_out(1, &sta_a, &sta_c, 9);
    expect_out(2, &sta_a, &sta_c, 9);
}
END_TEST

START_TEST(test_fdb_bound)
{
    bridge_args("fdb_max_learned", "5");
    for (int i = 0; i < 12; i++) {
        struct eth_addr s = { { 0x02, 0x55, 0, 0, 0, (uint8_t)i } };
        send_on(i % 3, &s, &fx_bcast_mac, 1);
    }
    ck_assert_uint_eq(counters().fdb_n_learned, 5);
    ck_assert_uint_eq(counters().fdb_learn_refused, 7);
    /* a refused station still gets its frames through (flooded) */
    struct eth_addr last = { { 0x02, 0x55, 0, 0, 0, 11 } };
    fx_tx_clear(f);
    send_on(0, &sta_a, &last, 2);
    ck_assert_uint_eq(fx_tx_count(f), 2);
    fx_advance_ms(f, 301 * 1000);                       /* everything ages out */
    ck_assert_uint_eq(counters().fdb_n_learned, 0);
    ck_assert_uint_eq(counters().fdb_n_entries, 4);     /* br0's and the ports' own MACs */
}
END_TEST

START_TEST(test_bad_sources_and_link_local)
{
    static const struct eth_addr pause = { { 0x01, 0x80, 0xc2, 0, 0, 0x01 } };
    static const struct eth_addr stp = { { 0x01, 0x80, 0xc2, 0, 0, 0x00 } };
    uint64_t inv = DROPS(DROP_MAC_INVALID_SOURCE), ctl = DROPS(DROP_MAC_IEEE_MAC_CONTROL);
    send_on(0, &fx_zero_mac, &fx_bcast_mac, 1);
    send_on(0, &fx_bcast_mac, &sta_b, 1);
    send_on(0, &sta_a, &pause, 1);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_uint_eq(DROPS(DROP_MAC_INVALID_SOURCE), inv + 2);
    ck_assert_uint_eq(DROPS(DROP_MAC_IEEE_MAC_CONTROL), ctl + 1);
    ck_assert_uint_eq(counters().fdb_n_learned, 0);
    send_on(0, &sta_a, &stp, 3);                        /* STP off: BPDUs cross */
    expect_out(1, &sta_a, &stp, 3);
    expect_out(2, &sta_a, &stp, 3);
}
END_TEST

/* ------------------------------------------------------------------ the bridge's own address */

/* Station A on p1 sends an echo request to br_ip, with eth_dst as its destination MAC. */
static void ping_from_a(uint32_t a_ip, uint32_t br_ip, const struct eth_addr *eth_dst)
{
    uint8_t icmp[64];
    size_t ilen = fx_build_icmp(icmp, sizeof(icmp), 8, 0, (0x1234u << 16) | 1, "bridge!!", 8);
    struct fx_ip h = { .src = a_ip, .dst = br_ip, .proto = 1, .ttl = 64, .eth_dst = eth_dst, .eth_src = &sta_a };
    size_t n = fx_build_ip(fxc_buf, sizeof(fxc_buf), &h, icmp, ilen);
    fx_inject_dev(f, port[0], fxc_buf, n);
}

/* br0 answered A's echo request out of p1, from br0's MAC. */
static void expect_reply_to_a(uint32_t a_ip)
{
    size_t len;
    uint8_t *fr = fx_tx_pop_dev(f, port[0], &len);
    ck_assert_ptr_nonnull(fr);
    struct fx_ipv4 ip;
    struct fx_icmp ic;
    ck_assert(fx_parse_ipv4(fr, len, &ip) && fx_parse_icmp(&ip, &ic));
    ck_assert_uint_eq(ic.type, 0);
    ck_assert_uint_eq(ip.dst, a_ip);
    ck_assert(eth_addr_eq(&ip.eth_src, &br_mac));
    free(fr);
}

START_TEST(test_bridge_address_answers_arp_and_ping)
{
    const uint32_t br_ip = FX_IP(10, 9, 0, 1), a_ip = FX_IP(10, 9, 0, 7);
    ck_assert_int_eq(inet_rtm_newaddr(br, br_ip, 24, NLM_F_CREATE | NLM_F_EXCL, NULL), 0);
    size_t n = fx_build_arp(fxc_buf, sizeof(fxc_buf), ARP_OP_REQUEST, &sta_a, a_ip, NULL, br_ip, &fx_bcast_mac);
    fx_inject_dev(f, port[0], fxc_buf, n);
    /* the request was flooded to p2 and p3; the reply goes to p1 only */
    ck_assert_uint_eq(fx_tx_count_dev(f, port[1]), 1);
    ck_assert_uint_eq(fx_tx_count_dev(f, port[2]), 1);
    size_t len;
    uint8_t *fr = fx_tx_pop_dev(f, port[0], &len);
    ck_assert_ptr_nonnull(fr);
    struct fx_arp a;
    ck_assert(fx_parse_arp(fr, len, &a));
    ck_assert_uint_eq(a.op, ARP_OP_REPLY);
    ck_assert(eth_addr_eq(&a.sha, &br_mac) && eth_addr_eq(&a.eth_dst, &sta_a));
    ck_assert_uint_eq(a.spa, br_ip);
    free(fr);
    fx_tx_clear(f);

    ping_from_a(a_ip, br_ip, &br_mac);
    ck_assert_uint_eq(fx_tx_count_dev(f, port[1]), 0);  /* for br0: not forwarded */
    expect_reply_to_a(a_ip);
}
END_TEST

/* A frame for the MAC of the port it came in on is the host's: up on br0, answered from
 * br0 (Linux: a local FDB entry, br_pass_frame_up, and eth_type_trans had called it
 * PACKET_HOST on the port). One for another port's MAC also goes up, not out, but is
 * no one's (PACKET_OTHERHOST: dropped). Both as Linux 6.18 does with a veth port. */
START_TEST(test_frame_for_a_port_mac_goes_up)
{
    const uint32_t br_ip = FX_IP(10, 9, 0, 1), a_ip = FX_IP(10, 9, 0, 7);
    ck_assert_int_eq(inet_rtm_newaddr(br, br_ip, 24, NLM_F_CREATE | NLM_F_EXCL, NULL), 0);
    size_t n = fx_build_arp(fxc_buf, sizeof(fxc_buf), ARP_OP_REQUEST, &sta_a, a_ip, NULL, br_ip, &fx_bcast_mac);
    fx_inject_dev(f, port[0], fxc_buf, n);              /* br0 learns A's MAC */
    fx_tx_clear(f);
    ping_from_a(a_ip, br_ip, &port[0]->addr);
    ck_assert_uint_eq(fx_tx_count_dev(f, port[1]), 0);  /* not forwarded, not flooded */
    ck_assert_uint_eq(fx_tx_count_dev(f, port[2]), 0);
    expect_reply_to_a(a_ip);                            /* br0 answers, with its own MAC */

    uint64_t other = DROPS(DROP_OTHERHOST), up = br->stats.rx_packets;
    ping_from_a(a_ip, br_ip, &port[1]->addr);           /* p2's MAC, arriving on p1 */
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_uint_eq(br->stats.rx_packets, up + 1);    /* it went up ... */
    ck_assert_uint_eq(DROPS(DROP_OTHERHOST), other + 1);/* ... to be dropped there */
}
END_TEST

/* Link-local frames other than STP's and pause (LLDP here) are the port's own, not
 * forwarded, but their source is learned (Linux __br_handle_local_finish with
 * no_linklocal_learn 0). */
START_TEST(test_link_local_source_learned)
{
    static const struct eth_addr lldp = { { 0x01, 0x80, 0xc2, 0, 0, 0x0e } };
    send_on(0, &sta_a, &lldp, 1);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_uint_eq(counters().fdb_n_learned, 1);
    send_on(1, &sta_b, &sta_a, 2);                      /* A is known: only p1 gets it */
    expect_out(0, &sta_b, &sta_a, 2);
    expect_none(2);
}
END_TEST

/* ------------------------------------------------------------------ ports leaving */

START_TEST(test_nomaster_and_unregister_release_ports)
{
    send_on(0, &sta_a, &fx_bcast_mac, 1);
    fx_tx_clear(f);
    set_master(port[0], NULL);
    ck_assert_ptr_null(port[0]->master);
    ck_assert(!netif_is_bridge_port(port[0]));
    ck_assert_uint_eq(counters().fdb_n_learned, 0);     /* A went with its port */
    send_on(0, &sta_a, &fx_bcast_mac, 1);               /* p1 is a plain device again */
    ck_assert_uint_eq(fx_tx_count(f), 0);
    send_on(1, &sta_b, &sta_a, 2);                      /* A is unknown: only p3 is left */
    expect_out(2, &sta_b, &sta_a, 2);
    expect_none(0);
    netdev_unregister(port[2]);                         /* the port disappears */
    send_on(1, &sta_b, &sta_c, 3);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_int_eq(link_dellink(br, NULL), 0);        /* the bridge lets p2 go */
    ck_assert_ptr_null(port[1]->master);
    ck_assert(!netif_is_bridge_port(port[1]));
}
END_TEST

START_TEST(test_bridge_down_stops_forwarding)
{
    struct link_change down = { .up = 0 };
    ck_assert_int_eq(link_setlink(br, &down, NULL), 0);
    uint64_t before = DROPS(DROP_BRIDGE_INGRESS_STP_STATE);
    send_on(0, &sta_a, &fx_bcast_mac, 1);
    ck_assert_uint_eq(fx_tx_count(f), 0);
    ck_assert_uint_eq(DROPS(DROP_BRIDGE_INGRESS_STP_STATE), before + 1);
    struct link_change port_down = { .up = 0 };          /* and a port that is down gets nothing */
    struct link_change up = { .up = 1 };
    ck_assert_int_eq(link_setlink(br, &up, NULL), 0);
    ck_assert_int_eq(link_setlink(port[2], &port_down, NULL), 0);
    send_on(0, &sta_a, &fx_bcast_mac, 2);
    expect_out(1, &sta_a, &fx_bcast_mac, 2);
    expect_none(2);
}
END_TEST

/* The bridge's carrier follows its ports' carrier, also when a port gets or loses it
 * while up (a veth whose peer comes up later: NETDEV_CHANGE, Linux's linkwatch). */
START_TEST(test_carrier_follows_port_carrier)
{
    ck_assert(netif_oper_up(br));
    for (int i = 0; i < 3; i++) netif_carrier_off(port[i]);
    ck_assert(!netif_oper_up(br));
    netif_carrier_on(port[1]);
    ck_assert(netif_oper_up(br));
    netif_carrier_off(port[1]);
    ck_assert(!netif_oper_up(br));
}
END_TEST

START_TEST(test_enslave_refusals)
{
    struct extack ext = { 0 };
    ck_assert_int_eq(br_add_if(br, br, &ext), -ELOOP);
    ck_assert_int_eq(br_add_if(br, f->net->loopback, NULL), -EINVAL);
    ck_assert_int_eq(br_add_if(br, port[0], NULL), -EBUSY);     /* already a port */
    ck_assert_int_eq(link_newlink(f->net, "bridge", "br1", NULL, NULL), 0);
    struct netdev *br1 = netdev_by_name(f->net, "br1");
    set_master(port[0], br1);                                    /* moves from br0 to br1 */
    ck_assert_ptr_eq(port[0]->master, br1);
    ck_assert_uint_eq(counters().fdb_n_entries, 3);             /* br0, p2, p3 */
    struct net *ns1 = fx_add_net(f, "ns1");                     /* a port moved away leaves */
    ck_assert_ptr_nonnull(ns1);
    struct link_change move = { .up = -1, .netns = ns1 };
    ck_assert_int_eq(link_setlink(port[1], &move, NULL), 0);
    ck_assert_ptr_null(port[1]->master);
    ck_assert_uint_eq(counters().fdb_n_entries, 2);
    struct link_change move_br = { .up = -1, .netns = ns1 };     /* a bridge stays (netns-local) */
    ck_assert_int_eq(link_setlink(br, &move_br, NULL), -EINVAL);
}
END_TEST

Suite *bridge_suite(void)
{
    Suite *s = suite_create("bridge");
    TCase *tc = tcase_create("bridge");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_broadcast_floods_all_other_ports_and_learns);
    tcase_add_test(tc, test_unknown_unicast_and_multicast_flood);
    tcase_add_test(tc, test_no_hairpin_to_learned_port);
    tcase_add_test(tc, test_station_moves_port);
    tcase_add_test(tc, test_ageing_default_300s);
    tcase_add_test(tc, test_ageing_refreshed_by_traffic_and_configurable);
    tcase_add_test(tc, test_static_entry_survives_ageing);
    tcase_add_test(tc, test_fdb_bound);
    tcase_add_test(tc, test_bad_sources_and_link_local);
    tcase_add_test(tc, test_bridge_address_answers_arp_and_ping);
    tcase_add_test(tc, test_frame_for_a_port_mac_goes_up);
    tcase_add_test(tc, test_link_local_source_learned);
    tcase_add_test(tc, test_nomaster_and_unregister_release_ports);
    tcase_add_test(tc, test_bridge_down_stops_forwarding);
    tcase_add_test(tc, test_enslave_refusals);
    tcase_add_test(tc, test_carrier_follows_port_carrier);
    suite_add_tcase(s, tc);
    return s;
}

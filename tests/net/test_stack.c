/*
 * tests/net/test_stack.c — namespaces (net/stack.c: net_new, net_by_name, everything a
 * namespace owns hanging off struct net) through the whole stack: two namespaces with a
 * device of the same name and address answer separately, learn separately and count
 * separately; forwarding follows each namespace's own ip_forward; and the fixture's
 * per-device transmit queues (fx_tx_pop_dev) that these tests read.
 */
#include "tests/fx_check.h"

#define SEED 7

/* In each namespace: "eth1" 192.168.5.1/24, its peer 192.168.5.2. */
#define NS_ADDR  FX_IP(192, 168, 5, 1)
#define NS_PEER  FX_IP(192, 168, 5, 2)
static const struct eth_addr mac1 = { { 0x02, 0, 0, 0, 0x01, 0x01 } };
static const struct eth_addr mac2 = { { 0x02, 0, 0, 0, 0x02, 0x01 } };
static const struct eth_addr peer1 = { { 0x02, 0, 0, 0, 0x01, 0x02 } };
static const struct eth_addr peer2 = { { 0x02, 0, 0, 0, 0x02, 0x02 } };

static void setup(void)
{
    f = fx_new(SEED);
    ck_assert_ptr_nonnull(f);
}

static void teardown(void) { fxc_teardown(); }

static uint64_t NS_MIB(const struct net *net, enum mib_id id) { return net->mib.v[id]; }

/* An echo request from src to dst, in an Ethernet frame from eth_src to eth_dst. */
static size_t echo_frame(uint8_t *buf, const struct eth_addr *eth_dst, const struct eth_addr *eth_src,
                         uint32_t src, uint32_t dst, uint16_t seq, uint8_t ttl)
{
    static const uint8_t data[24] = "namespaces are separate";
    uint8_t ic[ICMP_HLEN + sizeof(data)];
    size_t n = fx_build_icmp(ic, sizeof(ic), ICMP_ECHO, 0, 0x4e530000u | seq, data, sizeof(data));
    struct fx_ip h = { .src = src, .dst = dst, .proto = IPPROTO_ICMP, .ttl = ttl, .id = (uint16_t)(0x300 + seq),
                       .eth_dst = eth_dst, .eth_src = eth_src };
    size_t len = fx_build_ip(buf, FX_FRAME_MAX, &h, ic, n);
    ck_assert_uint_gt(len, 0);
    return len;
}

/* Pop dev's oldest frame as IPv4 (the buffer is kept in fxc_cur until the next pop). */
static void pop_ipv4_dev(struct netdev *dev, struct fx_ipv4 *ip)
{
    size_t len;
    free(fxc_cur);
    fxc_cur = fx_tx_pop_dev(f, dev, &len);
    ck_assert_msg(fxc_cur, "expected a frame transmitted on %s", dev->name);
    ck_assert(fx_parse_ipv4(fxc_cur, len, ip));
}

START_TEST(test_net_by_name)
{
    ck_assert_ptr_eq(net_by_name(f->st, ""), f->net);
    ck_assert_ptr_eq(net_by_name(f->st, "default"), f->net);
    ck_assert_ptr_null(net_by_name(f->st, "ns1"));
    struct net *ns1 = fx_add_net(f, "ns1");
    ck_assert_ptr_nonnull(ns1);
    ck_assert_ptr_ne(ns1, f->net);
    ck_assert_ptr_eq(net_by_name(f->st, "ns1"), ns1);
    ck_assert_ptr_null(fx_add_net(f, "ns1"));           /* the name is taken */
    /* A new namespace has its own loopback, down, and nothing else. */
    ck_assert_ptr_nonnull(ns1->loopback);
    ck_assert_ptr_eq(ns1->devs, ns1->loopback);
    ck_assert(!(ns1->loopback->flags & IFF_UP));
    ck_assert_ptr_null(netdev_by_name(ns1, "eth0"));
}
END_TEST

/* The same name and address in two namespaces: each request is answered by its own
 * device with its own MAC, and only its own namespace learns and counts. */
START_TEST(test_two_namespaces_answer_separately)
{
    struct net *ns1 = fx_add_net(f, "ns1"), *ns2 = fx_add_net(f, "ns2");
    ck_assert_ptr_nonnull(ns1);
    ck_assert_ptr_nonnull(ns2);
    struct netdev *d1 = fx_add_dev_in(f, ns1, "eth1", &mac1, NS_ADDR, 24, 0);
    struct netdev *d2 = fx_add_dev_in(f, ns2, "eth1", &mac2, NS_ADDR, 24, 0);
    ck_assert_ptr_nonnull(d1);
    ck_assert_ptr_nonnull(d2);
    ck_assert_int_eq(d1->ifindex, d2->ifindex);         /* ifindexes are per namespace */
    fx_tx_clear(f);

    size_t n = fx_build_arp(fxc_buf, sizeof(fxc_buf), 1, &peer1, NS_PEER, NULL, NS_ADDR, &fx_bcast_mac);
    fx_inject_dev(f, d1, fxc_buf, n);
    ck_assert_uint_eq(fx_tx_count_dev(f, d1), 1);
    ck_assert_uint_eq(fx_tx_count_dev(f, d2), 0);
    ck_assert_uint_eq(fx_tx_count_dev(f, f->dev), 0);
    struct fx_arp a;
    size_t len;
    free(fxc_cur);
    fxc_cur = fx_tx_pop_dev(f, d1, &len);
    ck_assert(fx_parse_arp(fxc_cur, len, &a));
    ck_assert_uint_eq(a.op, 2);
    fxc_assert_mac(&a.sha, &mac1);
    ck_assert_uint_eq(fx_neigh_state(f, NS_PEER), NUD_NONE);            /* not in init_net */
    ck_assert_ptr_nonnull(neigh_lookup(arp_table(ns1), NS_PEER, d1));
    ck_assert_ptr_null(neigh_lookup(arp_table(ns2), NS_PEER, d2));

    n = echo_frame(fxc_buf, &mac2, &peer2, NS_PEER, NS_ADDR, 1, 64);
    fx_inject_dev(f, d2, fxc_buf, n);
    /* ns2 has no entry for the peer yet: the reply waits for ARP, on d2 only. */
    ck_assert_uint_eq(fx_tx_count_dev(f, d1), 0);
    ck_assert_uint_eq(fx_tx_count_dev(f, d2), 1);
    free(fxc_cur);
    fxc_cur = fx_tx_pop_dev(f, d2, &len);
    ck_assert(fx_parse_arp(fxc_cur, len, &a));
    ck_assert_uint_eq(a.op, 1);
    fxc_assert_mac(&a.sha, &mac2);
    n = fx_build_arp(fxc_buf, sizeof(fxc_buf), 2, &peer2, NS_PEER, &mac2, NS_ADDR, &mac2);
    fx_inject_dev(f, d2, fxc_buf, n);
    struct fx_ipv4 ip;
    struct fx_icmp ic;
    pop_ipv4_dev(d2, &ip);
    ck_assert(fx_parse_icmp(&ip, &ic));
    ck_assert_uint_eq(ic.type, ICMP_ECHOREPLY);
    fxc_assert_mac(&ip.eth_src, &mac2);
    fxc_assert_mac(&ip.eth_dst, &peer2);
    ck_assert_uint_eq(fx_tx_count(f), 0);

    ck_assert_uint_eq(NS_MIB(ns1, MIB_ArpInRequests), 1);
    ck_assert_uint_eq(NS_MIB(ns2, MIB_ArpInRequests), 0);
    ck_assert_uint_eq(NS_MIB(ns2, MIB_IcmpInEchos), 1);
    ck_assert_uint_eq(NS_MIB(ns1, MIB_IcmpInEchos), 0);
    ck_assert_uint_eq(MIB(MIB_IpInReceives), 0);
}
END_TEST

/* A router namespace forwards between its two devices with its own ip_forward; the same
 * datagram in a namespace with ip_forward=0 is dropped there, and nothing leaks across. */
START_TEST(test_forwarding_follows_the_namespace)
{
    struct net *rt = fx_add_net(f, "rt"), *host = fx_add_net(f, "host");
    ck_assert_ptr_nonnull(rt);
    ck_assert_ptr_nonnull(host);
    struct netdev *in = fx_add_dev_in(f, rt, "eth1", &mac1, FX_IP(192, 168, 1, 1), 24, 0);
    struct netdev *out = fx_add_dev_in(f, rt, "eth2", &mac2, FX_IP(192, 168, 2, 1), 24, 0);
    struct netdev *h1 = fx_add_dev_in(f, host, "eth1", &mac1, FX_IP(192, 168, 1, 1), 24, 0);
    struct netdev *h2 = fx_add_dev_in(f, host, "eth2", &mac2, FX_IP(192, 168, 2, 1), 24, 0);
    ck_assert(in && out && h1 && h2);
    ck_assert_int_eq(fx_sysctl_in(rt, "net.ipv4.ip_forward", "1"), 0);
    ck_assert_ptr_nonnull(fx_neigh_set(f, out, FX_IP(192, 168, 2, 2), &peer2, NUD_PERMANENT));
    ck_assert_ptr_nonnull(fx_neigh_set(f, h2, FX_IP(192, 168, 2, 2), &peer2, NUD_PERMANENT));
    fx_tx_clear(f);

    size_t n = echo_frame(fxc_buf, &mac1, &peer1, FX_IP(192, 168, 1, 2), FX_IP(192, 168, 2, 2), 1, 64);
    fx_inject_dev(f, in, fxc_buf, n);
    fx_inject_dev(f, h1, fxc_buf, n);
    ck_assert_uint_eq(fx_tx_count(f), 1);
    struct fx_ipv4 ip;
    pop_ipv4_dev(out, &ip);
    ck_assert_uint_eq(ip.ttl, 63);
    ck_assert(ip.csum_ok);
    ck_assert_uint_eq(ip.dst, FX_IP(192, 168, 2, 2));
    fxc_assert_mac(&ip.eth_src, &mac2);
    fxc_assert_mac(&ip.eth_dst, &peer2);
    ck_assert_uint_eq(NS_MIB(rt, MIB_IpForwDatagrams), 1);
    ck_assert_uint_eq(NS_MIB(host, MIB_IpForwDatagrams), 0);
    ck_assert_uint_eq(NS_MIB(host, MIB_IpInAddrErrors), 1);
    ck_assert_uint_eq(NS_MIB(rt, MIB_IpInAddrErrors), 0);
    ck_assert_uint_eq(MIB(MIB_IpInReceives), 0);
}
END_TEST

/* fx_tx_pop_dev takes one device's frames in order and leaves the rest in theirs; a
 * frame whose device is gone stays queued without it. */
START_TEST(test_tx_queue_per_device)
{
    struct net *ns1 = fx_add_net(f, "ns1");
    ck_assert_ptr_nonnull(ns1);
    struct netdev *d1 = fx_add_dev_in(f, ns1, "eth1", &mac1, NS_ADDR, 24, 0);
    ck_assert_ptr_nonnull(d1);
    ck_assert_ptr_nonnull(fx_neigh_set(f, d1, NS_PEER, &peer1, NUD_PERMANENT));
    ck_assert_ptr_nonnull(fx_neigh_set(f, f->dev, FX_PEER, &fx_peer_mac, NUD_PERMANENT));
    fx_tx_clear(f);
    /* Interleave: eth0 seq 1, d1 seq 1, eth0 seq 2, d1 seq 2. */
    for (uint16_t seq = 1; seq <= 2; seq++) {
        size_t n = echo_frame(fxc_buf, &fx_mac, &fx_peer_mac, FX_PEER, FX_ADDR, seq, 64);
        fx_inject(f, fxc_buf, n);
        n = echo_frame(fxc_buf, &mac1, &peer1, NS_PEER, NS_ADDR, seq, 64);
        fx_inject_dev(f, d1, fxc_buf, n);
    }
    ck_assert_uint_eq(fx_tx_count(f), 4);
    ck_assert_uint_eq(fx_tx_count_dev(f, d1), 2);
    ck_assert_uint_eq(fx_tx_count_dev(f, f->dev), 2);
    struct fx_ipv4 ip;
    struct fx_icmp ic;
    pop_ipv4_dev(d1, &ip);
    ck_assert(fx_parse_icmp(&ip, &ic));
    ck_assert_uint_eq(ic.seq, 1);
    ck_assert_uint_eq(ip.dst, NS_PEER);
    ck_assert_uint_eq(fx_tx_count(f), 3);
    /* What is left keeps its order: eth0 1, eth0 2, d1 2. */
    ck_assert_ptr_eq(fx_tx_peek(f, 0)->dev, f->dev);
    ck_assert_ptr_eq(fx_tx_peek(f, 1)->dev, f->dev);
    ck_assert_ptr_eq(fx_tx_peek(f, 2)->dev, d1);
    fxc_pop_icmp(&ip, &ic);
    ck_assert_uint_eq(ic.seq, 1);
    ck_assert_uint_eq(ip.dst, FX_PEER);
    netdev_unregister(d1);
    ck_assert_uint_eq(fx_tx_count(f), 2);
    ck_assert_ptr_null(fx_tx_peek(f, 1)->dev);
    ck_assert_ptr_null(fx_tx_pop_dev(f, NULL, NULL));
    fxc_pop_icmp(&ip, &ic);
    ck_assert_uint_eq(ic.seq, 2);
    ck_assert_ptr_null(fx_tx_pop_dev(f, f->dev, NULL));
}
END_TEST

Suite *stack_suite(void)
{
    Suite *s = suite_create("stack");
    TCase *tc = tcase_create("namespaces");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_net_by_name);
    tcase_add_test(tc, test_two_namespaces_answer_separately);
    tcase_add_test(tc, test_forwarding_follows_the_namespace);
    tcase_add_test(tc, test_tx_queue_per_device);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * tests/net/test_netns.c — deleting a namespace (`ip netns del NS`; net/stack.c net_free)
 * as Linux's cleanup_net does it: its devices are unregistered (a veth's peer in another
 * namespace with them; a bridge port leaves its bridge; a bridge in it lets its ports
 * go), its sockets are closed (a descriptor of the BSD face then says EBADF), its
 * timers stop and the packets it held are freed. ASan/UBSan check what the assertions
 * cannot see: nothing freed is touched again, nothing leaks.
 *
 * Commands run through the shell (cmd_run_line) as a user types them; the fixture's
 * fake devices ("fx") stand in for TAPs.
 */
#include "net/socket.h"             /* first: its <netinet/in.h> must precede ip/ip_wire.h */
#undef IPPROTO_ICMP
#undef IPPROTO_TCP
#undef IPPROTO_UDP
#include "tests/fx_check.h"
#include "bridge/br.h"
#include "net/link.h"
#include "shell/cmd.h"
#include "veth/veth.h"
#include <stdarg.h>
#include <stdio.h>

static struct cmd_ctx ctx;
static char out[16384];
static size_t out_len;

static void cap_write(void *io, int fd, const char *buf, size_t n)
{
    (void)io; (void)fd;
    if (out_len + n >= sizeof(out)) n = sizeof(out) - 1 - out_len;
    memcpy(out + out_len, buf, n);
    out_len += n;
    out[out_len] = 0;
}

static void setup(void)
{
    f = fx_new(0x9e7);
    ck_assert_ptr_nonnull(f);
    memset(&ctx, 0, sizeof(ctx));
    ctx.st = f->st;
    ctx.write = cap_write;
    ctx.out_fd = ctx.in_fd = -1;
}

static void teardown(void) { fxc_teardown(); }

/* Run a command line in the default namespace; it must succeed. */
static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    out_len = 0;
    out[0] = 0;
    ctx.net = f->net;
    int st = cmd_run_line(&ctx, line);
    ck_assert_msg(st == 0, "\"%s\" failed (%d): %s", line, st, out);
}

static struct netdev *dev(struct net *net, const char *name)
{
    struct netdev *d = netdev_by_name(net, name);
    ck_assert_msg(d, "no device %s", name);
    return d;
}

static unsigned n_devs(const struct net *net)
{
    unsigned n = 0;
    for (const struct netdev *d = net->devs; d; d = d->next) n++;
    return n;
}

START_TEST(test_devices_go_and_veth_peers_with_them)
{
    unsigned before = n_devs(f->net);
    sh("ip netns add ns1");
    struct net *ns1 = net_by_name(f->st, "ns1");
    ck_assert_ptr_nonnull(ns1);
    sh("ip link add v0 type veth peer name v1 netns ns1");     /* v0 here, v1 there */
    sh("ip -n ns1 link add w0 type veth peer name w1");        /* a pair inside */
    sh("ip -n ns1 link add br1 type bridge");
    struct eth_addr m = { { 0x02, 0, 0, 0, 0x0e, 1 } };
    ck_assert_ptr_nonnull(fx_add_dev_in(f, ns1, "eth1", &m, FX_IP(10, 1, 0, 1), 24, 0));
    ck_assert_uint_eq(n_devs(f->net), before + 1);
    ck_assert_uint_eq(n_devs(ns1), 6);                          /* lo v1 w1 w0 br1 eth1 */
    sh("ip netns del ns1");
    ck_assert_ptr_null(net_by_name(f->st, "ns1"));
    ck_assert_ptr_null(netdev_by_name(f->net, "v0"));          /* the peer went with it */
    ck_assert_uint_eq(n_devs(f->net), before);
    sh("ip netns add ns1");                                     /* the name is free again */
    sh("ip link add v0 type veth peer name v1 netns ns1");
}
END_TEST

/* A bridge here with a veth port whose peer is in the namespace: the port goes with its
 * peer and leaves the bridge — its FDB entries, its number, its MAC as the bridge's. */
START_TEST(test_port_leaves_its_bridge)
{
    sh("ip netns add ns1");
    sh("ip link add br0 type bridge");
    sh("ip link add v0 type veth peer name v1 netns ns1");
    sh("ip link set v0 address 02:00:00:00:0e:01");
    sh("ip link set v0 master br0");
    struct eth_addr pm = { { 0x02, 0, 0, 0, 0x0e, 0x09 } };
    struct netdev *p2 = fx_add_dev(f, "p2", &pm, 0, 0, 0);
    ck_assert_ptr_nonnull(p2);
    sh("ip link set p2 master br0");
    sh("bridge fdb add 02:00:00:00:aa:01 dev v0 master static");
    struct netdev *br = dev(f->net, "br0");
    struct br_counters c;
    ck_assert(br_get_counters(br, &c));
    ck_assert_uint_eq(c.fdb_n_entries, 3);                      /* v0's, p2's, the static one */
    ck_assert(eth_addr_eq(&br->addr, &dev(f->net, "v0")->addr));
    sh("ip netns del ns1");
    ck_assert_ptr_null(netdev_by_name(f->net, "v0"));
    ck_assert(br_get_counters(br, &c));
    ck_assert_uint_eq(c.fdb_n_entries, 1);                      /* p2's own */
    ck_assert(eth_addr_eq(&br->addr, &pm));                     /* the lowest port left */
    ck_assert_ptr_eq(p2->master, br);
    sh("ip link add v0 type veth peer name v1");                /* port number 1 is free */
    sh("ip link set v0 master br0");
    sh("ip -d link show v0");
    ck_assert_msg(strstr(out, " port_no 0x1 "), "%s", out);
}
END_TEST

/* A bridge in the namespace with ports there (and a port whose peer is here): it goes
 * with its ports, in either order of unregistration, and its ageing timer stops. */
static void bridge_in_ns(bool bridge_first)
{
    int timers_before = f->st->timers.n;
    sh("ip netns add ns1");
    struct net *ns1 = net_by_name(f->st, "ns1");
    if (bridge_first) sh("ip -n ns1 link add br1 type bridge");
    struct eth_addr m = { { 0x02, 0, 0, 0, 0x0e, 2 } };
    struct netdev *pa = fx_add_dev_in(f, ns1, "pa", &m, 0, 0, 0);
    ck_assert_ptr_nonnull(pa);
    sh("ip -n ns1 link add x0 type veth peer name x1 netns default");
    if (!bridge_first) sh("ip -n ns1 link add br1 type bridge");
    sh("ip -n ns1 link set pa master br1");
    sh("ip -n ns1 link set x0 master br1");
    sh("ip -n ns1 link set br1 up");
    static const struct eth_addr sta = { { 0x02, 0, 0, 0, 0xaa, 7 } };
    uint8_t payload[46] = { 0 };
    size_t n = fx_build_eth(fxc_buf, sizeof(fxc_buf), &fx_bcast_mac, &sta, 0x88b5, payload, sizeof(payload));
    fx_inject_dev(f, pa, fxc_buf, n);                           /* learned: the gc timer runs */
    struct br_counters c;
    ck_assert(br_get_counters(dev(ns1, "br1"), &c));
    ck_assert_uint_eq(c.fdb_n_learned, 1);
    ck_assert_int_gt(f->st->timers.n, timers_before);
    sh("ip netns del ns1");
    ck_assert_ptr_null(netdev_by_name(f->net, "x1"));
    ck_assert_int_eq(f->st->timers.n, timers_before);
    fx_advance_ms(f, 600 * 1000);                               /* nothing fires into freed memory */
}

START_TEST(test_bridge_goes_with_its_ports_bridge_first) { bridge_in_ns(true); }
END_TEST

START_TEST(test_bridge_goes_with_its_ports_ports_first) { bridge_in_ns(false); }
END_TEST

/* Sockets are closed: what they had queued is freed, a BSD descriptor is closed (EBADF),
 * and the default namespace's sockets are untouched. */
START_TEST(test_sockets_closed)
{
    sh("ip netns add ns1");
    struct net *ns1 = net_by_name(f->st, "ns1");
    struct eth_addr m = { { 0x02, 0, 0, 0, 0x0e, 3 } };
    struct netdev *eth1 = fx_add_dev_in(f, ns1, "eth1", &m, FX_IP(10, 1, 0, 1), 24, 0);
    ck_assert_ptr_nonnull(eth1);
    unsigned live_before = pkt_pool_live(&f->st->pool);
    int fd = ts_socket(ns1, AF_INET, SOCK_DGRAM, 0), keep = ts_socket(f->net, AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_ge(keep, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(7) };
    ck_assert_int_eq(ts_bind(f->st, fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    ck_assert_int_eq(ts_bind(f->st, keep, (struct sockaddr *)&sin, sizeof(sin)), 0);
    int err;
    struct sock *raw = sock_create(ns1, SOCK_DGRAM, IPPROTO_ICMP, &err);   /* a ping socket */
    ck_assert_ptr_nonnull(raw);
    uint8_t udp[12] = { 0x30, 0x39, 0, 7, 0, 12, 0, 0, 'h', 'e', 'l', 'o' };    /* 12345 -> 7 */
    struct fx_ip h = { .src = FX_IP(10, 1, 0, 9), .dst = FX_IP(10, 1, 0, 1), .proto = 17, .ttl = 64,
                       .eth_dst = &m, .eth_src = &fx_peer_mac };
    size_t n = fx_build_ip(fxc_buf, sizeof(fxc_buf), &h, udp, sizeof(udp));
    fx_inject_dev(f, eth1, fxc_buf, n);
    fx_inject_dev(f, eth1, fxc_buf, n);
    ck_assert_uint_eq(pkt_pool_live(&f->st->pool), live_before + 2);   /* two datagrams queued */
    sh("ip netns del ns1");
    ck_assert_uint_eq(pkt_pool_live(&f->st->pool), live_before);
    ck_assert_ptr_null(ts_sock(f->st, fd));
    char buf[16];
    errno = 0;
    ck_assert_int_eq(ts_recv(f->st, fd, buf, sizeof(buf), 0), -1);
    ck_assert_int_eq(errno, EBADF);
    ck_assert_int_eq(ts_close(f->st, fd), -1);
    ck_assert_ptr_nonnull(ts_sock(f->st, keep));               /* the default one stays */
    ck_assert_int_eq(ts_getsockname(f->st, keep, (struct sockaddr *)&sin, &(socklen_t){ sizeof(sin) }), 0);
    ck_assert_uint_eq(ntohs(sin.sin_port), 7);
    ck_assert_int_eq(ts_close(f->st, keep), 0);
}
END_TEST

/* What runs on timers or waits in queues inside the namespace goes with it: an ARP
 * resolution with a datagram waiting for it, a fragment queue, a netem qdisc holding
 * frames, neighbour entries, a bridge's ageing. Afterwards the timer heap and the
 * packet pool are where they were before the namespace was made. */
START_TEST(test_timers_and_queued_packets_freed)
{
    int timers_before = f->st->timers.n;
    unsigned live_before = pkt_pool_live(&f->st->pool);
    sh("ip netns add ns1");
    struct net *ns1 = net_by_name(f->st, "ns1");
    struct eth_addr m = { { 0x02, 0, 0, 0, 0x0e, 4 } };
    struct netdev *eth1 = fx_add_dev_in(f, ns1, "eth1", &m, FX_IP(10, 1, 0, 1), 24, 0);
    ck_assert_ptr_nonnull(eth1);
    sh("ip netns exec ns1 tc qdisc add dev eth1 root netem delay 500ms");
    sh("ip netns exec ns1 ip neigh add 10.1.0.8 lladdr 02:00:00:00:0e:08 dev eth1");   /* REACHABLE: a timer */
    int fd = ts_socket(ns1, AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(FX_IP(10, 1, 0, 9)) };
    ck_assert_int_eq(ts_sendto(f->st, fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)), 1);  /* waits for ARP */
    to.sin_addr.s_addr = htonl(FX_IP(10, 1, 0, 8));
    ck_assert_int_eq(ts_sendto(f->st, fd, "y", 1, 0, (struct sockaddr *)&to, sizeof(to)), 1);  /* in netem */
    uint8_t part[16] = { 0 };
    struct fx_ip h = { .src = FX_IP(10, 1, 0, 9), .dst = FX_IP(10, 1, 0, 1), .proto = 17, .ttl = 64, .id = 77,
                       .frag = 0x2000, .eth_dst = &m, .eth_src = &fx_peer_mac };        /* MF, offset 0 */
    size_t n = fx_build_ip(fxc_buf, sizeof(fxc_buf), &h, part, sizeof(part));
    fx_inject_dev(f, eth1, fxc_buf, n);
    ck_assert_int_gt(f->st->timers.n, timers_before + 2);
    ck_assert_uint_gt(pkt_pool_live(&f->st->pool), live_before + 2);
    ck_assert_uint_eq(fx_tx_count_dev(f, eth1), 0);             /* netem holds the ARP request and y */
    sh("ip netns del ns1");
    ck_assert_int_eq(f->st->timers.n, timers_before);
    ck_assert_uint_eq(pkt_pool_live(&f->st->pool), live_before);
    fx_advance_ms(f, 3600 * 1000);
    ck_assert_int_eq(f->st->timers.n, timers_before);
}
END_TEST

Suite *netns_suite(void)
{
    Suite *s = suite_create("netns");
    TCase *tc = tcase_create("netns_del");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_devices_go_and_veth_peers_with_them);
    tcase_add_test(tc, test_port_leaves_its_bridge);
    tcase_add_test(tc, test_bridge_goes_with_its_ports_bridge_first);
    tcase_add_test(tc, test_bridge_goes_with_its_ports_ports_first);
    tcase_add_test(tc, test_sockets_closed);
    tcase_add_test(tc, test_timers_and_queued_packets_freed);
    suite_add_tcase(s, tc);
    return s;
}

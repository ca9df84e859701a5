/*
 * tests/shell/test_cmd_trace.c — the `trace` command (shell/cmd_misc.c) on the unit
 * fixture: its grammar (on [-v] [DEV], off [DEV]), and whole journeys as it prints them
 * with the shell's decoder for the summaries: a ping across a bridge and a veth pair into
 * a namespace and back, a broadcast flooded by clones, the -v layout, and VXLAN
 * summaries (4789 as tcpdump, 8472 and an encapsulation socket's port as VXLAN too).
 */
#include "net/sock.h"               /* before <sys/socket.h>: it names the SO_* options itself */
#include "shell/cmd.h"
#include "shell/decode.h"
#include "net/trace.h"
#include "tests/fx_check.h"
#include "tests/udp/udp_frames.h"
#include "udp/udp.h"
#include <stdio.h>
#include <sys/socket.h>

static struct cmd_ctx ctx;
struct outbuf { char b[4096]; size_t n; };
static struct outbuf out, err;                      /* what the command wrote: fd 1, fd 2 */
static struct netdev *p1;
static const struct eth_addr sta_mac = { { 0x02, 0, 0, 0, 0, 0x09 } };      /* the host behind p1 */
static const struct eth_addr c1_mac = { { 0x02, 0x42, 0xac, 0x11, 0, 0x02 } };
#define STA_IP FX_IP(172, 17, 0, 9)
#define C1_IP  FX_IP(172, 17, 0, 2)

static void capture(void *io, int fd, const char *buf, size_t n)
{
    struct outbuf *o = fd == 2 ? &err : &out;
    size_t room = sizeof(o->b) - 1 - o->n;
    memcpy(o->b + o->n, buf, n < room ? n : room);
    o->n += n < room ? n : room;
    o->b[o->n] = 0;
}

static void setup(void)
{
    f = fx_new(0x7ac3);
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fx_neigh_set(f, f->dev, FX_PEER, &fx_peer_mac, NUD_PERMANENT));
    memset(&ctx, 0, sizeof(ctx));
    ctx.st = f->st;
    ctx.write = capture;
    ctx.out_fd = ctx.in_fd = -1;
    p1 = NULL;
}

static void teardown(void) { fxc_teardown(); }

static int run(const char *line)
{
    out.n = err.n = 0;
    out.b[0] = err.b[0] = 0;
    ctx.net = f->net;
    return cmd_run_line(&ctx, line);
}

static void ok(const char *line)
{
    int st = run(line);
    ck_assert_msg(st == 0 && !err.n && !out.n, "\"%s\": status %d [%s][%s]", line, st, out.b, err.b);
}

static void refused(const char *line, int status, const char *want)
{
    int st = run(line);
    ck_assert_msg(st == status, "\"%s\" returned %d, want %d (stderr [%s])", line, st, status, err.b);
    ck_assert_msg(!out.n && !strncmp(err.b, want, strlen(want)) && err.b[strlen(want)] == '\n',
                  "\"%s\" said [%s], want [%s]", line, err.b, want);
}

static void log_is(const char *want)
{
    const char *got = f->log ? f->log : "";
    ck_assert_msg(!strcmp(got, want), "trace printed:\n%s\nwant:\n%s", got, want);
}

static unsigned log_count(const char *needle)
{
    unsigned n = 0;
    for (const char *s = f->log; s && (s = strstr(s, needle)); s += strlen(needle)) n++;
    return n;
}

/* ------------------------------------------------------------------ grammar */

START_TEST(test_trace_grammar)
{
    ok("trace on -v eth0");
    ck_assert_uint_eq(f->dev->trace, 2);
    ck_assert(f->st->tracing);
    ck_assert_ptr_nonnull(f->st->trace_summary);
    ok("trace on eth0");
    ck_assert_uint_eq(f->dev->trace, 1);
    ok("trace on -v");
    ck_assert_uint_eq(f->net->trace_all, 2);
    ok("trace off");
    ck_assert_uint_eq(f->net->trace_all, 0);
    ck_assert_uint_eq(f->dev->trace, 0);
    ck_assert(!f->st->tracing);
    const char *usage = "trace: usage: trace on [-v] [DEV] | trace off [DEV]";
    refused("trace", 2, usage);
    refused("trace off -v", 2, usage);
    refused("trace on -x", 2, usage);
    refused("trace on eth0 lo", 2, usage);
    refused("trace maybe", 2, usage);
    refused("trace on nosuch", 1, "trace: Cannot find device \"nosuch\"");
    ck_assert(!f->st->tracing);
}
END_TEST

/* ------------------------------------------------------------------ journeys */

/* br0 with ports p1 (a wire, the host 172.17.0.9 behind it) and veth1, whose peer eth0
 * (172.17.0.2/16) is in namespace c1, as the docker lab builds it. */
static void bridge_and_veth(void)
{
    p1 = fx_add_dev(f, "p1", &(struct eth_addr){ { 0x02, 0, 0, 0, 0x01, 0x01 } }, 0, 0, 0);
    ck_assert_ptr_nonnull(p1);
    static const char *const lines[] = {
        "ip link add br0 type bridge", "ip link set br0 up", "ip link set p1 master br0",
        "ip netns add c1", "ip link add veth1 type veth peer name eth0 netns c1",
        "ip link set veth1 master br0", "ip link set veth1 up",
        "ip -n c1 link set eth0 address 02:42:ac:11:00:02", "ip -n c1 addr add 172.17.0.2/16 dev eth0",
        "ip -n c1 link set eth0 up",
        "ip -n c1 neigh add 172.17.0.9 lladdr 02:00:00:00:00:09 nud permanent dev eth0",
    };
    for (size_t i = 0; i < ARRAY_SIZE(lines); i++) ok(lines[i]);
}

static void echo_from_host(uint16_t seq)
{
    uint8_t data[56];
    memset(data, 0xa5, sizeof(data));
    size_t n = fx_build_icmp_echo(fxc_buf, sizeof(fxc_buf), STA_IP, C1_IP, 8, 0x77, seq, data, sizeof(data));
    memcpy(fxc_buf, c1_mac.b, 6);
    memcpy(fxc_buf + 6, sta_mac.b, 6);
    fx_inject_dev(f, p1, fxc_buf, n);
}

START_TEST(test_trace_ping_across_bridge_and_veth)
{
    bridge_and_veth();
    ok("trace on");
    ok("ip netns exec c1 trace on");
    fx_log_clear(f);
    echo_from_host(1);
    log_is("IP 172.17.0.9 > 172.17.0.2: ICMP echo request, id 119, seq 1, length 64\n"
           "  p1 rx: net_rx_poll(napi_poll) > br_handle_frame > br_fdb_update(learned) > br_flood > br_forward(__br_forward: to veth1)\n"
           "  veth1 tx: veth_xmit(ndo_start_xmit)\n"
           "  [c1] eth0 rx: netif_rx > enqueue_to_backlog > process_backlog > eth_rcv(__netif_receive_skb_core) > ip_rcv"
           " > ip_route_input(ip_route_input_noref: local) > ip_local_deliver > icmp_rcv(echo) > icmp_reply"
           " > ip_route_output(ip_route_output_flow: eth0) > ip_local_out > ip_output(eth0) > ip_finish_output2 > neigh_output(PERMANENT)\n"
           "then IP 172.17.0.2 > 172.17.0.9: ICMP echo reply, id 119, seq 1, length 64\n"
           "  [c1] eth0 tx: veth_xmit(ndo_start_xmit)\n"
           "  veth1 rx: netif_rx > enqueue_to_backlog > process_backlog > br_handle_frame > br_fdb_update(learned)"
           " > br_forward(__br_forward: to p1)\n"
           "  p1 tx: fx_xmit(ndo_start_xmit)\n");
    ck_assert_uint_eq(fx_tx_count_dev(f, p1), 1);   /* the reply left by p1 */
    /* traced in c1 only: the same journey, seen from where c1's part starts */
    ok("trace off");
    fx_log_clear(f);
    echo_from_host(2);
    const char *start = "IP 172.17.0.9 > 172.17.0.2: ICMP echo request, id 119, seq 2, length 64\n"
                        "  [c1] eth0 rx: netif_rx > ";
    ck_assert_msg(!strncmp(f->log, start, strlen(start)), "%s", f->log);
    ck_assert_uint_eq(log_count("  p1 tx: fx_xmit(ndo_start_xmit)\n"), 1);  /* followed out of c1 */
}
END_TEST

START_TEST(test_trace_flood_clones_each_journey)
{
    bridge_and_veth();
    static const struct eth_addr p2_mac = { { 0x02, 0, 0, 0, 0x01, 0x02 } };
    struct netdev *p2 = fx_add_dev(f, "p2", &p2_mac, 0, 0, 0);
    ck_assert_ptr_nonnull(p2);
    ok("ip link set p2 master br0");
    ok("trace on");
    fx_log_clear(f);
    size_t n = fx_build_arp(fxc_buf, sizeof(fxc_buf), 1, &sta_mac, STA_IP, &(struct eth_addr){ { 0 } }, C1_IP,
                            &(struct eth_addr){ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } });
    fx_inject_dev(f, p1, fxc_buf, n);
    /* the original goes up br0; a clone each to veth1 and p2, and each copy's journey is
     * printed whole: the one into c1 too (c1 traces nothing, but the journey started on a
     * traced device), and c1's answer, which crosses traced devices on its way out */
    const char *req = "ARP, Request who-has 172.17.0.2 tell 172.17.0.9, length 28\n";
    ck_assert_uint_eq(log_count(req), 3);
    ck_assert_uint_eq(log_count(" > br_flood > pkt_clone(skb_clone) > br_forward(__br_forward: to "), 2);
    ck_assert_uint_eq(log_count(" > br_flood > br_pass_frame_up\n  br0 rx: netif_receive_skb > "), 1);
    ck_assert_uint_eq(log_count("  p2 tx: fx_xmit(ndo_start_xmit)\n"), 1);
    ck_assert_uint_eq(log_count("  veth1 tx: veth_xmit(ndo_start_xmit)\n  [c1] eth0 rx: netif_rx > "), 1);
    ck_assert_uint_eq(log_count("ARP, Reply 172.17.0.2 is-at 02:42:ac:11:00:02, length 28\n"
                                "  [c1] eth0 tx: arp_send(arp_xmit: reply) > veth_xmit(ndo_start_xmit)\n"
                                "  veth1 rx: netif_rx > "), 1);
    ck_assert_uint_eq(f->log_lines, 3 + 3 + 4 + 4);     /* to p2, up br0, into c1, c1's reply */
}
END_TEST

START_TEST(test_trace_verbose_columns)
{
    ok("trace on -v eth0");
    fx_log_clear(f);
    uint8_t data[8] = { 0 };
    size_t n = fx_build_icmp_echo(fxc_buf, sizeof(fxc_buf), FX_PEER, FX_ADDR, 8, 1, 1, data, sizeof(data));
    fx_inject(f, fxc_buf, n);
    log_is("IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 16\n"
           "  eth0 rx\n"
           "    net_rx_poll        napi_poll\n"
           "    eth_rcv            __netif_receive_skb_core\n"
           "    ip_rcv             ip_rcv\n"
           "    ip_route_input     ip_route_input_noref      local\n"
           "    ip_local_deliver   ip_local_deliver\n"
           "    icmp_rcv           icmp_rcv                  echo\n"
           "    icmp_reply         icmp_reply\n"
           "    ip_route_output    ip_route_output_flow      eth0\n"
           "    ip_local_out       ip_local_out\n"
           "    ip_output          ip_output                 eth0\n"
           "    ip_finish_output2  ip_finish_output2\n"
           "    neigh_output       neigh_output              PERMANENT\n"
           "then IP 10.0.0.2 > 10.0.0.1: ICMP echo reply, id 1, seq 1, length 16\n"
           "  eth0 tx\n"
           "    fx_xmit            ndo_start_xmit\n");
}
END_TEST

/* ------------------------------------------------------------------ VXLAN summaries */

/* A VXLAN datagram from the peer to eth0's UDP port `port`: vni 42, inner echo request
 * to the MAC inner_dst (NULL: eth0's), no UDP checksum (Linux's default for VXLAN). */
static size_t vxlan_frame(uint16_t port, const struct eth_addr *inner_dst)
{
    uint8_t inner[128], vx[160];
    uint8_t data[8] = { 0 };
    size_t in = fx_build_icmp_echo(inner, sizeof(inner), FX_IP(10, 244, 1, 2), FX_IP(10, 244, 0, 2), 8, 5, 1,
                                   data, sizeof(data));
    if (inner_dst) memcpy(inner, inner_dst->b, 6);
    memset(vx, 0, 8);
    vx[0] = 0x08;                                   /* I flag */
    vx[6] = 42;                                     /* VNI 42 in bytes 4..6 */
    memcpy(vx + 8, inner, in);
    struct udpf u = { .src = FX_PEER, .dst = FX_ADDR, .sport = 51234, .dport = port, .data = vx, .len = 8 + in,
                      .csum = UDPF_CSUM_NONE };
    return udpf_build(fxc_buf, sizeof(fxc_buf), &u);
}

static int consume_encap(struct sock *sk, struct pkt *p) { (void)sk; pkt_consume(p); return 0; }

/* The journey whose summary is `want` was printed (other journeys may come first: the
 * ICMP error a closed port sends ends before the datagram that caused it). */
static void journey_printed(const char *want)
{
    char line[600];
    snprintf(line, sizeof(line), "\n%s\n", want);
    bool first = f->log && !strncmp(f->log, line + 1, strlen(line + 1));
    ck_assert_msg(first || fx_log_contains(f, line), "no journey [%s] in:\n%s", want, f->log ? f->log : "");
}

START_TEST(test_trace_summary_vxlan)
{
    ok("trace on eth0");
    const char *inner = "VXLAN, flags [I] (0x08), vni 42 IP 10.244.1.2 > 10.244.0.2: ICMP echo request, id 5, seq 1, length 16";
    char want[512];
    static const uint16_t ports[] = { 4789, 8472 };
    for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
        fx_log_clear(f);
        size_t n = vxlan_frame(ports[i], NULL);
        fx_inject(f, fxc_buf, n);
        snprintf(want, sizeof(want), "IP 10.0.0.1.51234 > 10.0.0.2.%u: %s", ports[i], inner);
        journey_printed(want);
    }
    /* another port: plain UDP, until an encapsulation socket listens there */
    fx_log_clear(f);
    size_t n = vxlan_frame(9000, NULL);
    fx_inject(f, fxc_buf, n);
    journey_printed("IP 10.0.0.1.51234 > 10.0.0.2.9000: UDP, length 58");
    int e;
    struct sock *sk = sock_create(f->net, SOCK_DGRAM, 0, &e);
    ck_assert_ptr_nonnull(sk);
    ck_assert_int_eq(udp_set_encap(sk, consume_encap, NULL, NULL), 0);
    ck_assert_int_eq(sock_bind(sk, 0, 9000), 0);
    fx_log_clear(f);
    fx_inject(f, fxc_buf, n);
    snprintf(want, sizeof(want), "IP 10.0.0.1.51234 > 10.0.0.2.9000: %s", inner);
    journey_printed(want);
    ck_assert(fx_log_contains(f, " > encap_rcv\n"));   /* and the journey ends in the tunnel */
    sock_close(sk);
    /* tcpdump's own reading of 8472 is unchanged: OTV */
    n = vxlan_frame(8472, NULL);
    char line[512];
    frame_decode(line, sizeof(line), fxc_buf, n, false);
    ck_assert_msg(strstr(line, ": OTV, flags [I] (0x08), overlay 0, instance 42 IP 10.244.1.2 > "), "%s", line);
}
END_TEST

/* A VXLAN device on eth0: the encapsulated echo request comes in, is decapsulated onto
 * vxlan0 (netif_rx: its own line, `then` the inner frame), answered, and the reply leaves
 * encapsulated through eth0 (`then` the outer frame): one journey, four lines. */
START_TEST(test_trace_vxlan_journey)
{
    static const char *const lines[] = {
        "ip link add vxlan0 type vxlan id 42 dstport 4789 local 10.0.0.2 remote 10.0.0.1 dev eth0",
        "ip link set vxlan0 address 02:44:00:00:00:02", "ip addr add 10.244.0.2/16 dev vxlan0",
        "ip link set vxlan0 up", "ip neigh add 10.244.1.2 lladdr 02:00:00:00:00:01 nud permanent dev vxlan0",
        "trace on",
    };
    for (size_t i = 0; i < ARRAY_SIZE(lines); i++) ok(lines[i]);
    fx_log_clear(f);
    size_t n = vxlan_frame(4789, &(struct eth_addr){ { 0x02, 0x44, 0, 0, 0, 0x02 } });   /* to vxlan0 */
    fx_inject(f, fxc_buf, n);
    const char *want[] = {
        "IP 10.0.0.1.51234 > 10.0.0.2.4789: VXLAN, flags [I] (0x08), vni 42 IP 10.244.1.2 > 10.244.0.2: ICMP echo request, id 5, seq 1, length 16\n"
        "  eth0 rx: net_rx_poll(napi_poll) > ",
        " > udp_rcv(__udp4_lib_rcv) > __udp4_lib_lookup(port 4789) > encap_rcv > vxlan_rcv(vni 42) > gro_cells_receive\n"
        "then IP 10.244.1.2 > 10.244.0.2: ICMP echo request, id 5, seq 1, length 16\n"
        "  vxlan0 rx: netif_rx > enqueue_to_backlog > process_backlog > ",
        " > icmp_reply > ",
        " > neigh_output(PERMANENT)\n"
        "then IP 10.244.0.2 > 10.244.1.2: ICMP echo reply, id 5, seq 1, length 16\n"
        "  vxlan0 tx: vxlan_xmit(ndo_start_xmit) > vxlan_xmit_one(vni 42 to 10.0.0.1:4789) > udp_tunnel_xmit_skb(",
        " -> 4789) > iptunnel_xmit > ip_route_output(ip_route_output_flow: eth0) > ",
        "then IP 10.0.0.2.",
        " > 10.0.0.1.4789: VXLAN, flags [I] (0x08), vni 42 IP 10.244.0.2 > 10.244.1.2: ICMP echo reply, id 5, seq 1, length 16\n"
        "  eth0 tx: fx_xmit(ndo_start_xmit)\n",
    };
    const char *at = f->log ? f->log : "";
    ck_assert_msg(!strncmp(at, want[0], strlen(want[0])), "%s", at);
    for (size_t i = 1; i < ARRAY_SIZE(want); i++) {
        const char *next = strstr(at, want[i]);
        ck_assert_msg(next, "[%s] not after [%.60s...] in:\n%s", want[i], at, f->log);
        at = next + strlen(want[i]);
    }
    ck_assert_str_eq(at, "");                       /* one journey, nothing else */
}
END_TEST

Suite *cmd_trace_suite(void)
{
    Suite *s = suite_create("cmd_trace");
    TCase *tc = tcase_create("trace");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_trace_grammar);
    tcase_add_test(tc, test_trace_ping_across_bridge_and_veth);
    tcase_add_test(tc, test_trace_flood_clones_each_journey);
    tcase_add_test(tc, test_trace_verbose_columns);
    tcase_add_test(tc, test_trace_summary_vxlan);
    tcase_add_test(tc, test_trace_vxlan_journey);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * tests/shell/test_cmd_ip.c — unit tests for shell/cmd_ip.c: ip, arp, route, bridge, fdb.
 *
 * Each test builds a full stack on the virtual clock, creates TAP devices through the tap
 * link kind over a fake backend (a device whose xmit drops the frame: there is no
 * /dev/net/tun here),
 * runs command lines through the cmd_* functions and compares stdout and stderr with
 * what Linux prints, byte for byte. The expected texts were checked against iproute2 6.1
 * and net-tools 2.10 source; column layouts computed with printf itself.
 *
 * Error contract (docs/commands.md): a bad command prints exactly one line on stderr that
 * starts with the command's name, nothing on stdout, and returns non-zero.
 */
#include "shell/cmd.h"
#include "ip/inet.h"
#include "ip/ip.h"
#include "net/netdev.h"
#include "net/link.h"
#include "net/tap_link.h"
#include "arp/neigh.h"
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ fixture */

struct fx {
    struct stack  *st;
    struct cmd_ctx c;
    char   out[65536], err[8192];
    size_t out_len, err_len;
};

static void fx_write(void *io, int fd, const char *buf, size_t n)
{
    struct fx *f = io;
    char *dst = fd == 2 ? f->err : f->out;
    size_t *len = fd == 2 ? &f->err_len : &f->out_len;
    size_t cap = fd == 2 ? sizeof(f->err) : sizeof(f->out);
    if (*len + n >= cap) n = cap - 1 - *len;
    memcpy(dst + *len, buf, n);
    *len += n;
    dst[*len] = 0;
}

static int fake_xmit(struct netdev *dev, struct pkt *p)
{
    pkt_free(p);
    return 0;
}

static const struct netdev_ops fake_tap_ops = { .kind = "tap", .xmit = fake_xmit, .xmit_name = "fake_tap_xmit" };

static int fake_tap_create(void *ctx, struct net *net, const char *name, const char *ifname, struct extack *ext)
{
    struct netdev *d = netdev_alloc(net, name, &fake_tap_ops, 0);
    if (!d) return -EINVAL;
    netdev_random_mac(net->st, &d->addr);
    int rc = netdev_register(d);
    if (rc < 0) { free(d); return rc; }
    netif_carrier_on(d);
    return 0;
}

static const struct tap_backend fake_tap = { .create = fake_tap_create };

static struct fx *fx_new(void)
{
    struct fx *f = calloc(1, sizeof(*f));
    ck_assert_ptr_nonnull(f);
    f->st = inet_stack_new(&(struct stack_cfg){ .seed = 1, .virtual_clock = true });
    ck_assert_ptr_nonnull(f->st);
    f->c.st = f->st;
    f->c.net = f->st->init_net;
    f->c.write = fx_write;
    f->c.io = f;
    f->c.out_fd = f->c.in_fd = -1;
    ck_assert_int_eq(tap_link_register(f->st, &fake_tap), 0);
    return f;
}

static void fx_free(struct fx *f)
{
    stack_free(f->st);
    free(f);
}

/* Run one command line (words split on blanks), with fresh output buffers. */
static int run(struct fx *f, const char *line)
{
    char buf[512];
    char *argv[64];
    int argc = 0;
    snprintf(buf, sizeof(buf), "%s", line);
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w && argc < 63; w = strtok_r(NULL, " ", &save))
        argv[argc++] = w;
    argv[argc] = NULL;
    f->out_len = f->err_len = 0;
    f->out[0] = f->err[0] = 0;
    f->c.name = argv[0];
    if (!strcmp(argv[0], "ip")) return cmd_ip(&f->c, argc, argv);
    if (!strcmp(argv[0], "arp")) return cmd_arp(&f->c, argc, argv);
    if (!strcmp(argv[0], "route")) return cmd_route(&f->c, argc, argv);
    if (!strcmp(argv[0], "bridge")) return cmd_bridge(&f->c, argc, argv);
    if (!strcmp(argv[0], "fdb")) return cmd_fdb(&f->c, argc, argv);
    ck_abort_msg("no such command in this test: %s", argv[0]);
    return -1;
}

/* The command succeeds silently. */
static void ok(struct fx *f, const char *line)
{
    int st = run(f, line);
    ck_assert_msg(st == 0, "\"%s\" failed (%d): %s", line, st, f->err);
    ck_assert_msg(f->err_len == 0, "\"%s\" wrote to stderr: %s", line, f->err);
}

/* The command succeeds and prints exactly `want`. */
static void out_is(struct fx *f, const char *line, const char *want)
{
    int st = run(f, line);
    ck_assert_msg(st == 0, "\"%s\" failed (%d): %s", line, st, f->err);
    ck_assert_msg(!strcmp(f->out, want), "\"%s\" printed\n[%s]\nwant\n[%s]", line, f->out, want);
    ck_assert_msg(f->err_len == 0, "\"%s\" wrote to stderr: %s", line, f->err);
}

/* The command succeeds and its output has `want` in it. */
static void out_contains(struct fx *f, const char *line, const char *want)
{
    int st = run(f, line);
    ck_assert_msg(st == 0, "\"%s\" failed (%d): %s", line, st, f->err);
    ck_assert_msg(strstr(f->out, want) != NULL, "\"%s\" printed\n[%s]\nwithout\n[%s]", line, f->out, want);
}

/* The command fails: non-zero, nothing on stdout, exactly the one stderr line `want`. */
static void err_is(struct fx *f, const char *line, const char *want)
{
    int st = run(f, line);
    ck_assert_msg(st != 0, "\"%s\" succeeded", line);
    ck_assert_msg(f->out_len == 0, "\"%s\" wrote to stdout: %s", line, f->out);
    char w[600];
    snprintf(w, sizeof(w), "%s\n", want);
    ck_assert_msg(!strcmp(f->err, w), "\"%s\" said\n[%s]\nwant\n[%s]", line, f->err, w);
}

/* The command fails with one stderr line starting with `prefix`. */
static void err_starts(struct fx *f, const char *line, const char *prefix)
{
    int st = run(f, line);
    ck_assert_msg(st != 0, "\"%s\" succeeded", line);
    ck_assert_msg(f->out_len == 0, "\"%s\" wrote to stdout: %s", line, f->out);
    ck_assert_msg(!strncmp(f->err, prefix, strlen(prefix)), "\"%s\" said [%s], want prefix [%s]", line, f->err, prefix);
    ck_assert_msg(strchr(f->err, '\n') == f->err + f->err_len - 1, "\"%s\": not exactly one line: [%s]", line, f->err);
}

/* tap1 with a known MAC, 10.0.0.2/24, up. */
static struct fx *fx_lab(void)
{
    struct fx *f = fx_new();
    ok(f, "ip link add tap1 type tap");
    ok(f, "ip link set tap1 address 02:00:00:00:00:01");
    ok(f, "ip addr add 10.0.0.2/24 dev tap1");
    ok(f, "ip link set tap1 up");
    return f;
}

/* ------------------------------------------------------------------ ip link */

START_TEST(test_link_show_lo)
{
    struct fx *f = fx_new();
    out_is(f, "ip link show lo",
           "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n"
           "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n");
    fx_free(f);
}
END_TEST

START_TEST(test_link_add_set_del)
{
    struct fx *f = fx_new();
    ok(f, "ip link add tap1 type tap");
    ok(f, "ip link set dev tap1 address 02:00:00:00:00:01");
    out_is(f, "ip link show tap1",
           "2: tap1: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n"
           "    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n");
    ok(f, "ip link set tap1 mtu 1400 up");             /* several changes in one command */
    out_is(f, "ip l show dev tap1",
           "2: tap1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc pfifo_fast state UNKNOWN mode DEFAULT group default qlen 1000\n"
           "    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n");
    netif_carrier_off(netdev_by_name(f->st->init_net, "tap1"));
    out_is(f, "ip link ls tap1",
           "2: tap1: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1400 qdisc pfifo_fast state DOWN mode DEFAULT group default qlen 1000\n"
           "    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n");
    out_is(f, "ip -br link",
           "lo               UNKNOWN        00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> \n"
           "tap1             DOWN           02:00:00:00:00:01 <NO-CARRIER,BROADCAST,MULTICAST,UP> \n");
    err_is(f, "ip link add tap1 type tap", "ip: RTNETLINK answers: File exists");
    ok(f, "ip link delete tap1");
    err_is(f, "ip link show tap1", "ip: Device \"tap1\" does not exist.");
    fx_free(f);
}
END_TEST

START_TEST(test_link_errors)
{
    struct fx *f = fx_lab();
    err_is(f, "ip link set tap9 up", "ip: Cannot find device \"tap9\"");
    err_is(f, "ip link del tap9", "ip: Cannot find device \"tap9\"");
    err_is(f, "ip link set tap1 mtu 10", "ip: Error: mtu less than device minimum.");
    err_is(f, "ip link set tap1 mtu 100000", "ip: Error: mtu greater than device maximum.");
    err_is(f, "ip link set tap1 mtu abc", "ip: Error: argument \"abc\" is wrong: Invalid \"mtu\" value");
    err_is(f, "ip link set tap1 mtu", "ip: Command line is not complete. Try option \"help\"");
    err_is(f, "ip link set tap1 address zz", "ip: \"zz\" is invalid lladdr.");
    err_is(f, "ip link set tap1 address 01:00:5e:00:00:01", "ip: RTNETLINK answers: Cannot assign requested address");
    err_is(f, "ip link set tap1 netns nosuch", "ip: Error: argument \"nosuch\" is wrong: Invalid \"netns\" value");
    err_is(f, "ip link set tap1 up tap2", "ip: Error: either \"dev\" is duplicate, or \"tap2\" is a garbage.");
    err_is(f, "ip link del lo", "ip: RTNETLINK answers: Operation not supported");
    err_is(f, "ip link add thisnameiswaytoolong type tap",
           "ip: Error: argument \"thisnameiswaytoolong\" is wrong: \"name\" not a valid ifname");
    err_is(f, "ip link add x1", "ip: Not enough information: \"type\" argument is required");
    err_is(f, "ip link add", "ip: Not enough information: \"dev\" argument is required.");
    err_is(f, "ip link add x1 type foo", "ip: Error: Unknown device type.");
    err_is(f, "ip link add v0 type veth foo", "ip: Error: either \"peer\" is duplicate, or \"foo\" is a garbage.");
    err_is(f, "ip link add v0 type veth peer name tap1", "ip: RTNETLINK answers: File exists");
    err_is(f, "ip link add v0 type veth peer name v0", "ip: RTNETLINK answers: File exists");
    err_is(f, "ip link add v0 type veth peer name v1 netns nosuch",
           "ip: Error: argument \"nosuch\" is wrong: Invalid \"netns\" value.");
    err_is(f, "ip link add v0 type veth peer name", "ip: Error: argument for \"name\" is missing.");
    ck_assert_ptr_null(netdev_by_name(f->st->init_net, "v0"));      /* nothing half-made */
    err_is(f, "ip link add vl0 type vlan id 42", "ip: link type \"vlan\" is not available in this build yet");
    err_is(f, "ip link set tap1 master br0", "ip: Error: argument \"br0\" is wrong: Device does not exist");
    err_is(f, "ip link set tap1 master lo", "ip: RTNETLINK answers: Operation not supported");
    err_is(f, "ip link set tap1 type bridge ageing_time 5", "ip: RTNETLINK answers: Operation not supported");
    err_is(f, "ip link frob", "ip: Command \"frob\" is unknown, try \"ip link help\".");
    link_kind_unregister(f->st, "tap");                 /* a program without a TAP driver */
    err_is(f, "ip link add x2 type tap", "ip: Error: Unknown device type.");
    fx_free(f);
}
END_TEST

START_TEST(test_link_stats_and_details)
{
    struct fx *f = fx_lab();
    struct netdev *d = netdev_by_name(f->st->init_net, "tap1");
    memset(&d->stats, 0, sizeof(d->stats));
    d->stats.rx_bytes = 123456789012ULL;
    d->stats.rx_packets = 100;
    d->stats.rx_dropped = 3;
    d->stats.tx_bytes = 5;
    d->stats.tx_packets = 1;
    out_is(f, "ip -s link show tap1",
           "2: tap1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UNKNOWN mode DEFAULT group default qlen 1000\n"
           "    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n"
           "    RX:    bytes packets errors dropped  missed   mcast           \n"
           "    123456789012     100      0       3       0       0 \n"
           "    TX:    bytes packets errors dropped carrier collsns           \n"
           "               5       1      0       0       0       0 \n");
    ck_assert_int_eq(run(f, "ip -d link show tap1"), 0);
    ck_assert_ptr_nonnull(strstr(f->out, "\n    tun type tap "));
    ck_assert_ptr_nonnull(strstr(f->out, " promiscuity 0 minmtu 68 maxmtu 9000 "));
    fx_free(f);
}
END_TEST

/* ------------------------------------------------------------------ ip address */

START_TEST(test_addr_show_and_connected_route)
{
    struct fx *f = fx_new();
    ok(f, "ip link add tap1 type tap");
    ok(f, "ip link set tap1 address 02:00:00:00:00:01");
    ok(f, "ip addr add 10.0.0.2/24 dev tap1");
    out_is(f, "ip route show", "");                     /* link down: no subnet route yet */
    out_is(f, "ip route show table local",
           "local 10.0.0.2 dev tap1 proto kernel scope host src 10.0.0.2 \n"
           "local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1 \n"
           "local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1 \n"
           "broadcast 127.255.255.255 dev lo proto kernel scope link src 127.0.0.1 \n");
    ok(f, "ip link set tap1 up");
    out_is(f, "ip r", "10.0.0.0/24 dev tap1 proto kernel scope link src 10.0.0.2 \n");
    out_is(f, "ip address show dev tap1",
           "2: tap1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UNKNOWN group default qlen 1000\n"
           "    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n"
           "    inet 10.0.0.2/24 scope global tap1\n"
           "       valid_lft forever preferred_lft forever\n");
    out_is(f, "ip a",
           "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n"
           "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
           "    inet 127.0.0.1/8 scope host lo\n"
           "       valid_lft forever preferred_lft forever\n"
           "2: tap1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UNKNOWN group default qlen 1000\n"
           "    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n"
           "    inet 10.0.0.2/24 scope global tap1\n"
           "       valid_lft forever preferred_lft forever\n");
    ok(f, "ip addr add 10.0.0.3/24 dev tap1");
    ok(f, "ip addr add 192.168.1.1/16 dev tap1");
    out_is(f, "ip -4 addr show tap1",
           "2: tap1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UNKNOWN group default qlen 1000\n"
           "    inet 10.0.0.2/24 scope global tap1\n"
           "       valid_lft forever preferred_lft forever\n"
           "    inet 192.168.1.1/16 scope global tap1\n"
           "       valid_lft forever preferred_lft forever\n"
           "    inet 10.0.0.3/24 scope global secondary tap1\n"
           "       valid_lft forever preferred_lft forever\n");
    out_is(f, "ip -br a",
           "lo               UNKNOWN        127.0.0.1/8 \n"
           "tap1             UNKNOWN        10.0.0.2/24 192.168.1.1/16 10.0.0.3/24 \n");
    ok(f, "ip addr del 192.168.1.1/16 dev tap1");
    ok(f, "ip link set tap1 down");
    out_is(f, "ip route", "");                          /* link down: its routes are gone */
    fx_free(f);
}
END_TEST

START_TEST(test_addr_errors)
{
    struct fx *f = fx_lab();
    err_is(f, "ip addr add 10.0.0.2/24 dev tap1", "ip: RTNETLINK answers: File exists");
    err_is(f, "ip addr del 10.0.0.9/24 dev tap1", "ip: RTNETLINK answers: Cannot assign requested address");
    err_is(f, "ip addr add x dev tap1", "ip: Error: any valid prefix is expected rather than \"x\".");
    err_is(f, "ip addr add 10.0.0.5/33 dev tap1", "ip: Error: any valid prefix is expected rather than \"10.0.0.5/33\".");
    err_is(f, "ip addr add 10.0.0.5/24 dev tap9", "ip: Cannot find device \"tap9\"");
    err_is(f, "ip addr add 10.0.0.5/24", "ip: Not enough information: \"dev\" argument is required.");
    err_is(f, "ip addr add 10.0.0.5/24 10.0.0.6/24 dev tap1",
           "ip: Error: either \"local\" is duplicate, or \"10.0.0.6/24\" is a garbage.");
    err_is(f, "ip addr add 10.0.0.5/24 dev", "ip: Command line is not complete. Try option \"help\"");
    err_is(f, "ip addr show tap9", "ip: Device \"tap9\" does not exist.");
    err_is(f, "ip address frob", "ip: Command \"frob\" is unknown, try \"ip address help\".");
    /* deletion without a length works and warns, as iproute2 */
    ck_assert_int_eq(run(f, "ip addr del 10.0.0.2 dev tap1"), 0);
    ck_assert_ptr_nonnull(strstr(f->err, "Warning: Executing wildcard deletion"));
    ck_assert_ptr_null(netdev_by_name(f->st->init_net, "tap1")->ifa_list);
    fx_free(f);
}
END_TEST

/* ------------------------------------------------------------------ ip route */

START_TEST(test_route_add_show_del)
{
    struct fx *f = fx_lab();
    ok(f, "ip route add default via 10.0.0.1");
    ok(f, "ip route add 192.168.5.0/24 dev tap1 metric 10");
    ok(f, "ip ro add 172.16.0.0/12 via 10.0.0.1 dev tap1 proto static");
    ok(f, "ip route add blackhole 10.9.0.0/16");
    out_is(f, "ip route",
           "default via 10.0.0.1 dev tap1 \n"
           "10.0.0.0/24 dev tap1 proto kernel scope link src 10.0.0.2 \n"
           "blackhole 10.9.0.0/16 \n"
           "172.16.0.0/12 via 10.0.0.1 dev tap1 proto static \n"
           "192.168.5.0/24 dev tap1 scope link metric 10 \n");
    out_is(f, "ip route show dev tap1 192.168.5.0/24", "192.168.5.0/24 scope link metric 10 \n");
    err_is(f, "ip route add default via 10.0.0.1", "ip: RTNETLINK answers: File exists");
    ok(f, "ip route replace default via 10.0.0.3");
    out_is(f, "ip route show default", "default via 10.0.0.3 dev tap1 \n");
    ok(f, "ip route del 192.168.5.0/24");
    ok(f, "ip route del blackhole 10.9.0.0/16");
    ok(f, "ip route delete 172.16.0.0/12 via 10.0.0.1");
    err_is(f, "ip route del 172.16.0.0/12", "ip: RTNETLINK answers: No such process");
    out_is(f, "ip route list",
           "default via 10.0.0.3 dev tap1 \n"
           "10.0.0.0/24 dev tap1 proto kernel scope link src 10.0.0.2 \n");
    /* same prefix, longer mask first, as Linux's trie dumps them */
    ok(f, "ip route add 10.0.0.0/8 via 10.0.0.1");
    out_is(f, "ip route show root 10.0.0.0/8",
           "10.0.0.0/24 dev tap1 proto kernel scope link src 10.0.0.2 \n"
           "10.0.0.0/8 via 10.0.0.1 dev tap1 \n");
    ok(f, "ip route flush dev tap1");
    out_is(f, "ip route", "");
    fx_free(f);
}
END_TEST

START_TEST(test_route_table_all)
{
    struct fx *f = fx_lab();
    ok(f, "ip route add default via 10.0.0.1");
    out_is(f, "ip route show table all",
           "default via 10.0.0.1 dev tap1 \n"
           "10.0.0.0/24 dev tap1 proto kernel scope link src 10.0.0.2 \n"
           "local 10.0.0.2 dev tap1 table local proto kernel scope host src 10.0.0.2 \n"
           "broadcast 10.0.0.255 dev tap1 table local proto kernel scope link src 10.0.0.2 \n"
           "local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1 \n"
           "local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1 \n"
           "broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1 \n");
    fx_free(f);
}
END_TEST

START_TEST(test_route_get)
{
    struct fx *f = fx_lab();
    out_is(f, "ip route get 10.0.0.1", "10.0.0.1 dev tap1 src 10.0.0.2 uid 0 \n    cache \n");
    out_is(f, "ip route get 10.0.0.2", "local 10.0.0.2 dev lo table local src 10.0.0.2 uid 0 \n    cache <local> \n");
    err_is(f, "ip route get 8.8.8.8", "ip: RTNETLINK answers: Network is unreachable");
    ok(f, "ip route add default via 10.0.0.1");
    out_is(f, "ip route get 8.8.8.8", "8.8.8.8 via 10.0.0.1 dev tap1 src 10.0.0.2 uid 0 \n    cache \n");
    err_is(f, "ip route get x", "ip: Error: any valid prefix is expected rather than \"x\".");
    err_is(f, "ip route get", "ip: need at least a destination address");
    fx_free(f);
}
END_TEST

START_TEST(test_route_errors)
{
    struct fx *f = fx_lab();
    err_is(f, "ip route add 8.8.0.0/16 via 192.168.99.1", "ip: Error: Nexthop has invalid gateway.");
    err_is(f, "ip route add 10.1.0.0/16 via x", "ip: Error: inet address is expected rather than \"x\".");
    err_is(f, "ip route add default via x", "ip: Error: any valid address is expected rather than \"x\".");
    err_is(f, "ip route add x dev tap1", "ip: Error: any valid prefix is expected rather than \"x\".");
    err_is(f, "ip route add 10.1.0.0/16 dev tap9", "ip: Cannot find device \"tap9\"");
    err_is(f, "ip route add 10.1.2.3/16 dev tap1", "ip: Error: Invalid prefix for given prefix length.");
    err_is(f, "ip route add 10.1.0.0/16 dev tap1 src 1.2.3.4", "ip: Error: Invalid prefsrc address.");
    err_is(f, "ip route add", "ip: Command line is not complete. Try option \"help\"");
    err_is(f, "ip route add 10.1.0.0/16 dev tap1 metric x", "ip: Error: argument \"x\" is wrong: \"metric\" value is invalid");
    err_is(f, "ip route frob", "ip: Command \"frob\" is unknown, try \"ip route help\".");
    ok(f, "ip link add tap2 type tap");
    err_is(f, "ip route add 10.2.0.0/16 dev tap2", "ip: Error: Nexthop device is not up.");
    fx_free(f);
}
END_TEST

START_TEST(test_route_net_tools)
{
    struct fx *f = fx_lab();
    ok(f, "route add default gw 10.0.0.1");
    const char *hdr = "Kernel IP routing table\n"
                      "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n";
    char want[1024];
    snprintf(want, sizeof(want), "%s%s", hdr,
             "0.0.0.0         10.0.0.1        0.0.0.0         UG    0      0        0 tap1\n"
             "10.0.0.0        0.0.0.0         255.255.255.0   U     0      0        0 tap1\n");
    out_is(f, "route -n", want);
    snprintf(want, sizeof(want), "%s%s", hdr,
             "default         10.0.0.1        0.0.0.0         UG    0      0        0 tap1\n"
             "10.0.0.0        0.0.0.0         255.255.255.0   U     0      0        0 tap1\n");
    out_is(f, "route", want);
    ok(f, "route add -net 192.168.7.0 netmask 255.255.255.0 gw 10.0.0.1 metric 5");
    ok(f, "route add -host 10.0.0.77 dev tap1");
    snprintf(want, sizeof(want), "%s%s", hdr,
             "0.0.0.0         10.0.0.1        0.0.0.0         UG    0      0        0 tap1\n"
             "10.0.0.0        0.0.0.0         255.255.255.0   U     0      0        0 tap1\n"
             "10.0.0.77       0.0.0.0         255.255.255.255 UH    0      0        0 tap1\n"
             "192.168.7.0     10.0.0.1        255.255.255.0   UG    5      0        0 tap1\n");
    out_is(f, "route -n", want);
    ok(f, "route del -net 192.168.7.0 netmask 255.255.255.0");
    err_is(f, "route del -net 192.168.7.0 netmask 255.255.255.0", "route: SIOCDELRT: No such process");
    err_is(f, "route add default gw 10.0.0.1", "route: SIOCADDRT: File exists");
    err_is(f, "route add -net 10.9.0.0 netmask 255.255.0.0 dev tap9", "route: SIOCADDRT: No such device");
    err_is(f, "route add -net 10.9.0.0 netmask 255.255.0.0 gw 192.168.99.1", "route: SIOCADDRT: Network is unreachable");
    err_is(f, "route add -net 10.9.1.0 netmask 255.255.0.0 dev tap1", "route: netmask doesn't match route address");
    err_starts(f, "route -x", "route: ");
    err_starts(f, "route frob", "route: ");
    fx_free(f);
}
END_TEST

/* ------------------------------------------------------------------ ip neigh and arp */

START_TEST(test_neigh_add_show_del)
{
    struct fx *f = fx_lab();
    out_is(f, "ip neigh", "");
    ok(f, "ip neigh add 10.0.0.1 lladdr aa:bb:cc:dd:ee:ff dev tap1");
    out_is(f, "ip neigh show", "10.0.0.1 dev tap1 lladdr aa:bb:cc:dd:ee:ff PERMANENT \n");
    out_is(f, "ip neigh show dev tap1", "10.0.0.1 lladdr aa:bb:cc:dd:ee:ff PERMANENT \n");
    err_is(f, "ip neigh add 10.0.0.1 lladdr aa:bb:cc:dd:ee:ff dev tap1", "ip: RTNETLINK answers: File exists");
    ok(f, "ip neigh replace 10.0.0.1 lladdr aa:bb:cc:dd:ee:1 dev tap1 nud reachable");
    ok(f, "ip neigh add 10.0.0.9 nud failed dev tap1");
    ok(f, "ip neighbour add 10.0.0.8 lladdr 02:00:00:00:00:08 nud stale dev tap1");
    out_is(f, "ip n",
           "10.0.0.1 dev tap1 lladdr aa:bb:cc:dd:ee:01 REACHABLE \n"
           "10.0.0.8 dev tap1 lladdr 02:00:00:00:00:08 STALE \n"
           "10.0.0.9 dev tap1 FAILED \n");
    out_is(f, "ip neighbor show dev tap1 nud failed", "10.0.0.9 FAILED \n");
    out_is(f, "ip neigh show 10.0.0.8", "10.0.0.8 dev tap1 lladdr 02:00:00:00:00:08 STALE \n");

    /* ip -s neigh: Linux's cacheinfo, then tapstack's "next ... in" extension */
    f->st->now_us += 3 * US_PER_S;
    ck_assert_int_eq(run(f, "ip -s neigh show 10.0.0.1"), 0);
    const char *want = "10.0.0.1 dev tap1 lladdr aa:bb:cc:dd:ee:01  used 3/3/3probes 0 REACHABLE next ";
    ck_assert_msg(!strncmp(f->out, want, strlen(want)), "got [%s]", f->out);
    ck_assert_ptr_nonnull(strstr(f->out, " in "));
    ck_assert_int_eq(f->out[f->out_len - 3], 's');      /* "... in 2.345s \n" */
    out_is(f, "ip -s neigh show 10.0.0.8", "10.0.0.8 dev tap1 lladdr 02:00:00:00:00:08  used 3/3/3probes 0 STALE \n");

    ok(f, "ip neigh del 10.0.0.1 dev tap1");
    err_is(f, "ip neigh del 10.0.0.1 dev tap1", "ip: RTNETLINK answers: No such file or directory");
    err_is(f, "ip neigh change 10.0.0.1 lladdr aa:bb:cc:dd:ee:ff dev tap1", "ip: RTNETLINK answers: No such file or directory");
    ok(f, "ip neigh add 10.0.0.1 lladdr aa:bb:cc:dd:ee:ff dev tap1");
    ok(f, "ip neigh flush dev tap1");                  /* permanent entries survive a flush */
    out_is(f, "ip neigh", "10.0.0.1 dev tap1 lladdr aa:bb:cc:dd:ee:ff PERMANENT \n");
    ok(f, "ip neigh flush all nud all");
    out_is(f, "ip neigh", "");
    fx_free(f);
}
END_TEST

START_TEST(test_neigh_errors)
{
    struct fx *f = fx_lab();
    err_is(f, "ip neigh add 10.0.0.1 lladdr zz dev tap1", "ip: \"zz\" is invalid lladdr.");
    err_is(f, "ip neigh add 10.0.0.1 lladdr aa:bb:cc:dd:ee:ff", "ip: Device and destination are required arguments.");
    err_is(f, "ip neigh add x lladdr aa:bb:cc:dd:ee:ff dev tap1", "ip: Error: any valid address is expected rather than \"x\".");
    err_is(f, "ip neigh add 10.0.0.1 lladdr aa:bb:cc:dd:ee:ff dev tap9", "ip: Cannot find device \"tap9\"");
    err_is(f, "ip neigh add 10.0.0.1 nud bogus dev tap1", "ip: Error: argument \"bogus\" is wrong: nud state is bad");
    err_is(f, "ip neigh add 10.0.0.1 dev tap1", "ip: Error: No link layer address given.");
    err_is(f, "ip neigh show dev tap9", "ip: Cannot find device \"tap9\"");
    err_is(f, "ip neigh flush", "ip: Flush requires arguments.");
    out_is(f, "ip neigh", "");                          /* the failed add left nothing behind */
    fx_free(f);
}
END_TEST

START_TEST(test_arp_net_tools)
{
    struct fx *f = fx_lab();
    out_is(f, "arp -n", "");
    ok(f, "ip neigh add 10.0.0.1 lladdr aa:bb:cc:dd:ee:01 nud reachable dev tap1");
    ok(f, "ip neigh add 10.0.0.9 nud incomplete dev tap1");
    ok(f, "arp -s 10.0.0.7 02:00:00:00:00:07");          /* device found by route */
    out_is(f, "arp -n",
           "Address                  HWtype  HWaddress           Flags Mask            Iface\n"
           "10.0.0.1                 ether   aa:bb:cc:dd:ee:01   C                     tap1\n"
           "10.0.0.7                 ether   02:00:00:00:00:07   CM                    tap1\n"
           "10.0.0.9                         (incomplete)                              tap1\n");
    out_is(f, "arp -an",
           "? (10.0.0.1) at aa:bb:cc:dd:ee:01 [ether] on tap1\n"
           "? (10.0.0.7) at 02:00:00:00:00:07 [ether] PERM on tap1\n"
           "? (10.0.0.9) at <incomplete> on tap1\n");
    out_is(f, "ip neigh show 10.0.0.7", "10.0.0.7 dev tap1 lladdr 02:00:00:00:00:07 PERMANENT \n");
    out_is(f, "arp -n 10.0.0.55", "10.0.0.55 (10.0.0.55) -- no entry\n");
    ok(f, "arp -d 10.0.0.7");
    err_is(f, "arp -d 10.0.0.7", "arp: No ARP entry for 10.0.0.7");
    ok(f, "arp -i tap1 -s 10.0.0.6 02:00:00:00:00:06 temp");
    out_is(f, "ip neigh show 10.0.0.6", "10.0.0.6 dev tap1 lladdr 02:00:00:00:00:06 STALE \n");
    err_is(f, "arp -s 10.0.0.5 zz", "arp: invalid hardware address");
    err_is(f, "arp -s x 02:00:00:00:00:05", "arp: x: Unknown host");
    err_is(f, "arp -s 10.9.9.9 02:00:00:00:00:05", "arp: SIOCSARP: Network is unreachable");
    err_is(f, "arp -s 10.0.0.5 02:00:00:00:00:05 dev tap9", "arp: SIOCSARP: No such device");
    err_is(f, "arp -q", "arp: invalid option -- 'q'");
    err_starts(f, "arp -s 10.0.0.5", "arp: ");
    fx_free(f);
}
END_TEST

/* ------------------------------------------------------------------ netns, objects, stubs */

START_TEST(test_netns)
{
    struct fx *f = fx_lab();
    ok(f, "ip netns add ns1");
    ok(f, "ip netns add ns2");
    out_is(f, "ip netns", "ns2\nns1\n");
    out_is(f, "ip netns list", "ns2\nns1\n");
    err_is(f, "ip netns add ns1", "ip: Cannot create namespace file \"/var/run/netns/ns1\": File exists");
    err_is(f, "ip netns add a/b", "ip: Invalid netns name \"a/b\"");
    ck_assert_int_eq(run(f, "ip -n ns1 link"), 0);
    /* A new namespace's lo starts DOWN, as in Linux. */
    ck_assert_msg(!strncmp(f->out, "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN", 49), "got [%s]", f->out);
    ok(f, "ip link set tap1 netns ns1");
    err_is(f, "ip link show tap1", "ip: Device \"tap1\" does not exist.");
    ck_assert_int_eq(run(f, "ip -n ns1 -br link show tap1"), 0);
    ck_assert_msg(!strncmp(f->out, "tap1             DOWN", 21), "got [%s]", f->out);
    err_is(f, "ip -n nosuch link", "ip: Cannot open network namespace \"nosuch\": No such file or directory");
    ok(f, "ip netns del ns1");
    err_is(f, "ip netns del ns1", "ip: Cannot remove namespace file \"/var/run/netns/ns1\": No such file or directory");
    err_is(f, "ip netns del default", "ip: Cannot remove namespace file \"/var/run/netns/default\": No such file or directory");
    out_is(f, "ip netns", "ns2\n");
    fx_free(f);
}
END_TEST

/* A veth pair as iproute2 6.1 shows it: the peer registered first, "NAME@PEER" in one
 * namespace with M-DOWN while the peer is down, "NAME@ifN" and link-netns across. */
START_TEST(test_veth_show)
{
    struct fx *f = fx_new();
    ok(f, "ip netns add ns1");
    ok(f, "ip link add v0 type veth peer name v1");
    ok(f, "ip link set v0 address 02:00:00:00:00:10");
    ok(f, "ip link set v1 address 02:00:00:00:00:11");
    out_is(f, "ip link show v1",
           "2: v1@v0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n"
           "    link/ether 02:00:00:00:00:11 brd ff:ff:ff:ff:ff:ff\n");
    ok(f, "ip link set v0 up");
    out_is(f, "ip link show v0",
           "3: v0@v1: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000\n"
           "    link/ether 02:00:00:00:00:10 brd ff:ff:ff:ff:ff:ff\n");
    ok(f, "ip link set v1 up");
    out_is(f, "ip -d link show v0",
           "3: v0@v1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n"
           "    link/ether 02:00:00:00:00:10 brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 68 maxmtu 9000 \n"
           "    veth numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 \n");
    out_is(f, "ip -br link show v1",
           "v1@v0            UP             02:00:00:00:00:11 <BROADCAST,MULTICAST,UP,LOWER_UP> \n");
    ok(f, "ip link set v0 down");                       /* either end down: no carrier */
    out_is(f, "ip link show v1",
           "2: v1@v0: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000\n"
           "    link/ether 02:00:00:00:00:11 brd ff:ff:ff:ff:ff:ff\n");
    /* across namespaces: the peer by its ifindex there, its namespace by name (or id) */
    ok(f, "ip link add a0 type veth peer name b0 netns ns1");
    ok(f, "ip link set a0 address 02:00:00:00:00:20");
    ok(f, "ip -n ns1 link set b0 address 02:00:00:00:00:21");
    out_is(f, "ip link show a0",
           "4: a0@if2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n"
           "    link/ether 02:00:00:00:00:20 brd ff:ff:ff:ff:ff:ff link-netns ns1\n");
    out_is(f, "ip -n ns1 link show b0",
           "2: b0@if4: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n"
           "    link/ether 02:00:00:00:00:21 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n");
    /* deleting one end deletes both; deleting a namespace takes the peers of its ends */
    ok(f, "ip link del v1");
    err_is(f, "ip link show v0", "ip: Device \"v0\" does not exist.");
    ok(f, "ip netns del ns1");
    err_is(f, "ip link show a0", "ip: Device \"a0\" does not exist.");
    fx_free(f);
}
END_TEST

/* ------------------------------------------------------------------ bridge */

static void out_has(struct fx *f, const char *line, const char *needle)
{
    int st = run(f, line);
    ck_assert_msg(st == 0, "\"%s\" failed (%d): %s", line, st, f->err);
    ck_assert_msg(strstr(f->out, needle), "\"%s\" printed\n[%s]\nwithout [%s]", line, f->out, needle);
}

#define BR_LINK_TAIL " mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:0b:01 brd ff:ff:ff:ff:ff:ff\n"

START_TEST(test_bridge_master_and_link_show)
{
    struct fx *f = fx_lab();
    ok(f, "ip link add br0 type bridge");
    ok(f, "ip link set br0 address 02:00:00:00:0b:01");
    out_is(f, "ip link show br0", "3: br0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN" BR_LINK_TAIL);
    ok(f, "ip link set br0 up");                        /* no port: no carrier */
    out_is(f, "ip link show br0",
           "3: br0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN" BR_LINK_TAIL);
    ok(f, "ip link set tap1 master br0");
    out_is(f, "ip link show tap1",
           "2: tap1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast master br0 state UNKNOWN mode DEFAULT "
           "group default qlen 1000\n    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n");
    out_is(f, "ip link show br0", "3: br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP" BR_LINK_TAIL);
    ok(f, "ip link set tap1 master br0");               /* already its master: nothing to do */
    err_is(f, "ip link set br0 master br0", "ip: Error: Can not enslave a bridge to a bridge.");
    err_is(f, "ip link set lo master br0", "ip: RTNETLINK answers: Invalid argument");
    ok(f, "ip netns add ns1");
    err_is(f, "ip link set br0 netns ns1", "ip: RTNETLINK answers: Invalid argument");   /* netns-local */
    ok(f, "ip link set tap1 mtu 1400");                 /* the bridge follows its ports */
    out_has(f, "ip link show br0", "mtu 1400 qdisc noqueue state UP");
    ok(f, "ip link set br0 type bridge ageing_time 1000 fdb_max_learned 7");
    out_has(f, "ip -d link show br0", " ageing_time 1000 stp_state 0 ");
    out_has(f, "ip -d link show br0", " fdb_n_learned 0 fdb_max_learned 7 ");
    err_is(f, "ip link set br0 type bridge ageing_time x", "ip: Error: argument \"x\" is wrong: invalid ageing_time.");
    err_is(f, "ip link add br1 type bridge hello 1", "ip: Error: either \"ageing_time\" is duplicate, or \"hello\" is a garbage.");
    ok(f, "ip link set tap1 nomaster");
    out_has(f, "ip link show tap1", "qdisc pfifo_fast state UNKNOWN");
    out_has(f, "ip link show br0", "<NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500");
    ok(f, "ip link set tap1 nomaster");                 /* no master: nothing to do */
    ok(f, "ip link set tap1 master br0");
    ok(f, "ip link del br0");                           /* its ports are let go */
    out_has(f, "ip link show tap1", "qdisc pfifo_fast state UNKNOWN");
    fx_free(f);
}
END_TEST

/* `ip -d link` of a bridge and of its ports: iproute2's words in its order
 * (ip/iplink_bridge.c, ip/iplink_bridge_slave.c), the fields Linux 6.18 reports for a
 * bridge without VLAN filtering, multicast snooping or bridge netfilter. */
#define BR_DETAILS(id, gc, learned) \
    "    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768 " \
    "vlan_filtering 0 bridge_id 8000." id " designated_root 8000." id " root_port 0 root_path_cost 0 " \
    "topology_change 0 topology_change_detected 0 hello_timer    0.00 tcn_timer    0.00 " \
    "topology_change_timer    0.00 gc_timer " gc " fdb_n_learned " learned " fdb_max_learned 4000 " \
    "group_fwd_mask 0 group_address 01:80:c2:00:00:00 no_linklocal_learn 0 mcast_vlan_snooping 0 " \
    "numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 \n"
#define BR_SLAVE(state, cost, no, dport, id) \
    "    bridge_slave state " state " priority 32 cost " cost " hairpin off guard off root_block off " \
    "fastleave off learning on flood on port_id 0x800" no " port_no 0x" no " designated_port " dport \
    " designated_cost 0 designated_bridge 8000." id " designated_root 8000." id " " \
    "hold_timer    0.00 message_age_timer    0.00 forward_delay_timer    0.00 topology_change_ack 0 " \
    "config_pending 0 proxy_arp off proxy_arp_wifi off mcast_fast_leave off mcast_flood on " \
    "bcast_flood on mcast_to_unicast off neigh_suppress off group_fwd_mask 0 group_fwd_mask_str 0x0 " \
    "vlan_tunnel off isolated off locked off numtxqueues 1 numrxqueues 1 gso_max_size 65536 " \
    "gso_max_segs 65535 \n"

START_TEST(test_bridge_details)
{
    struct fx *f = fx_lab();                            /* tap1: 02:00:00:00:00:01 */
    ok(f, "ip link add br0 type bridge");
    out_has(f, "ip -d link show br0", "maxmtu 9000 \n" BR_DETAILS("0:0:0:0:0:0", "   0.00", "0"));
    ok(f, "ip link add v0 type veth peer name v1");
    ok(f, "ip link set v0 address 02:00:00:00:00:20");
    ok(f, "ip link set v0 master br0");                 /* the bridge takes v0's MAC */
    out_is(f, "ip -d link show v0",
           "5: v0@v1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop master br0 state DOWN mode DEFAULT group "
           "default qlen 1000\n    link/ether 02:00:00:00:00:20 brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 68 "
           "maxmtu 9000 \n    veth \n" BR_SLAVE("disabled", "2", "1", "32769", "2:0:0:0:0:20"));
    ok(f, "ip link set br0 up");
    ok(f, "ip link set v0 up");
    ok(f, "ip link set v1 up");                         /* carrier: the port forwards */
    out_has(f, "ip -d link show v0", "    bridge_slave state forwarding priority 32 cost 2 ");
    ok(f, "ip link set tap1 master br0");               /* a lower MAC, a tap (10 Mb/s: cost 100) */
    out_has(f, "ip link show br0", "link/ether 02:00:00:00:00:01 ");
    out_has(f, "ip -d link show tap1", "\n" BR_SLAVE("forwarding", "100", "2", "32770", "2:0:0:0:0:1"));
    ok(f, "bridge fdb add 02:00:00:00:00:bb dev tap1 master dynamic");
    f->st->now_us += 100 * US_PER_S;                    /* it ages out 300 s after it was added */
    out_has(f, "ip -d link show br0", "maxmtu 9000 \n" BR_DETAILS("2:0:0:0:0:1", " 200.00", "0"));
    ok(f, "ip link set v0 nomaster");                   /* its number is free again */
    ok(f, "ip link set v1 master br0");
    out_has(f, "ip -d link show v1", "\n" BR_SLAVE("forwarding", "2", "1", "32769", "2:0:0:0:0:1"));
    fx_free(f);
}
END_TEST

START_TEST(test_bridge_fdb_cmds)
{
    struct fx *f = fx_lab();
    ok(f, "ip link add br0 type bridge");
    ok(f, "ip link set br0 address 02:00:00:00:0b:01");
    ok(f, "ip link set tap1 master br0");
    out_is(f, "bridge fdb show",
           "02:00:00:00:00:01 dev tap1 master br0 permanent\n"
           "02:00:00:00:0b:01 dev br0 master br0 permanent\n");
    ok(f, "bridge fdb add 02:00:00:00:00:aa dev tap1 master static");
    ok(f, "bridge fdb add 02:00:00:00:00:bb dev tap1 master dynamic");
    /* one device listed: iproute2 leaves "dev tap1" out */
    out_is(f, "bridge fdb show dev tap1",
           "02:00:00:00:00:01 master br0 permanent\n"
           "02:00:00:00:00:aa master br0 static\n"
           "02:00:00:00:00:bb master br0 \n");
    f->st->now_us += 11 * US_PER_S;                     /* no frame from it for 10 s */
    out_is(f, "fdb show dev tap1",
           "02:00:00:00:00:01 master br0 permanent\n"
           "02:00:00:00:00:aa master br0 static\n"
           "02:00:00:00:00:bb master br0 stale\n");
    err_is(f, "bridge fdb add 02:00:00:00:00:aa dev tap1 master", "bridge: RTNETLINK answers: File exists");
    ok(f, "bridge fdb replace 02:00:00:00:00:aa dev tap1 master permanent");
    ok(f, "bridge fdb del 02:00:00:00:00:bb dev tap1 master");
    err_is(f, "bridge fdb del 02:00:00:00:00:bb dev tap1 master", "bridge: RTNETLINK answers: No such file or directory");
    err_is(f, "bridge fdb del 02:00:00:00:00:aa dev br0 self", "bridge: RTNETLINK answers: No such file or directory");
    out_is(f, "bridge fdb show br br0",
           "02:00:00:00:00:01 dev tap1 master br0 permanent\n"
           "02:00:00:00:00:aa dev tap1 master br0 permanent\n"
           "02:00:00:00:0b:01 dev br0 master br0 permanent\n");
    ok(f, "bridge fdb add 02:00:00:00:00:cc dev br0 self permanent");
    out_is(f, "bridge fdb show dev br0",
           "02:00:00:00:0b:01 master br0 permanent\n"
           "02:00:00:00:00:cc master br0 permanent\n");
    err_is(f, "bridge fdb add 02:00:00:00:00:dd dev br0 self static",
           "bridge: Error: FDB entry towards bridge must be permanent.");
    err_is(f, "bridge fdb add 02:00:00:00:00:dd dev tap1",
           "bridge: \"self\" would change tap1's own address filter, which tapstack does not keep; "
           "say \"master\" for its bridge's forwarding database");
    err_is(f, "bridge fdb add 02:00:00:00:00:dd dev tap1 master dst 10.0.0.9",
           "bridge: dst, port, vni and via are for VXLAN devices; tap1 is not one");
    /* iproute2 assumes permanent when no state is given */
    ok(f, "bridge fdb add 02:00:00:00:00:ee dev tap1 master");
    out_contains(f, "bridge fdb show dev tap1", "02:00:00:00:00:ee master br0 permanent\n");
    ok(f, "bridge fdb del 02:00:00:00:00:ee dev tap1 master");
    err_is(f, "bridge fdb add 01:00:5e:00:00:01 dev tap1 master", "bridge: RTNETLINK answers: Invalid argument");
    err_is(f, "bridge fdb add zz dev tap1 master", "bridge: Invalid mac address zz");
    err_is(f, "bridge fdb add 02:00:00:00:00:dd master", "bridge: Device and address are required arguments.");
    err_is(f, "bridge fdb show dev nosuch", "bridge: Cannot find device \"nosuch\"");
    err_is(f, "bridge fdb add 02:00:00:00:00:dd dev lo master", "bridge: RTNETLINK answers: Invalid argument");
    ok(f, "ip link set tap1 nomaster");                 /* its entries go with it */
    out_is(f, "bridge fdb show",
           "02:00:00:00:0b:01 dev br0 master br0 permanent\n"
           "02:00:00:00:00:cc dev br0 master br0 permanent\n");
    fx_free(f);
}
END_TEST

START_TEST(test_objects_and_stubs)
{
    struct fx *f = fx_lab();
    static const char *const fine[] = {
        "ip l", "ip link", "ip a", "ip addr", "ip address", "ip address show", "ip r", "ip ro", "ip route",
        "ip route list", "ip route ls", "ip n", "ip neigh", "ip neighbour", "ip neighbor", "ip addr lst",
        "ip -s link", "ip -d addr", "ip -stats -details link show lo", "ip help", "ip link help",
    };
    for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
        int st = run(f, fine[i]);
        ck_assert_msg(st == 0 && f->err_len == 0, "\"%s\" -> %d [%s]", fine[i], st, f->err);
    }
    err_is(f, "ip xyz", "ip: Object \"xyz\" is unknown, try \"ip help\".");
    err_is(f, "ip -x link", "ip: Option \"-x\" is unknown, try \"ip -help\".");
    err_starts(f, "ip rule", "ip: \"ip rule\" is not supported");
    err_starts(f, "ip", "ip: ");
    out_is(f, "bridge fdb show", "");                   /* no bridge: nothing to list */
    out_is(f, "fdb show", "");
    err_is(f, "bridge mdb show", "bridge: \"bridge mdb\" is not available in this build yet");
    err_starts(f, "bridge", "bridge: ");
    fx_free(f);
}
END_TEST

Suite *cmd_ip_suite(void)
{
    Suite *s = suite_create("cmd_ip");
    TCase *tc = tcase_create("cmd_ip");
    tcase_add_test(tc, test_link_show_lo);
    tcase_add_test(tc, test_link_add_set_del);
    tcase_add_test(tc, test_link_errors);
    tcase_add_test(tc, test_bridge_master_and_link_show);
    tcase_add_test(tc, test_bridge_fdb_cmds);
    tcase_add_test(tc, test_bridge_details);
    tcase_add_test(tc, test_link_stats_and_details);
    tcase_add_test(tc, test_addr_show_and_connected_route);
    tcase_add_test(tc, test_addr_errors);
    tcase_add_test(tc, test_route_add_show_del);
    tcase_add_test(tc, test_route_table_all);
    tcase_add_test(tc, test_route_get);
    tcase_add_test(tc, test_route_errors);
    tcase_add_test(tc, test_route_net_tools);
    tcase_add_test(tc, test_neigh_add_show_del);
    tcase_add_test(tc, test_neigh_errors);
    tcase_add_test(tc, test_arp_net_tools);
    tcase_add_test(tc, test_netns);
    tcase_add_test(tc, test_veth_show);
    tcase_add_test(tc, test_objects_and_stubs);
    suite_add_tcase(s, tc);
    return s;
}

#ifdef TEST_STANDALONE
/* ---- Standalone build only: the bits of shell/cmd.c that cmd_ip.c uses. In the full
 * unit build shell/cmd.c provides them (and must then be linked with cmd_ip.c). ---- */
bool shell_exit_requested;

void cmd_write(struct cmd_ctx *c, int fd, const char *buf, size_t n)
{
    if (c->write) c->write(c->io, fd, buf, n);
}

static int standalone_vwrite(struct cmd_ctx *c, int fd, const char *fmt, va_list ap)
{
    char buf[8192];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    if (n > 0) cmd_write(c, fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
    return n;
}

int cmd_printf(struct cmd_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = standalone_vwrite(c, 1, fmt, ap);
    va_end(ap);
    return n;
}

int cmd_error(struct cmd_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = standalone_vwrite(c, 2, fmt, ap);
    va_end(ap);
    if (n > 0 && fmt[strlen(fmt) - 1] != '\n') cmd_write(c, 2, "\n", 1);    /* as cmd.c */
    return n;
}

int main(void)
{
    SRunner *sr = srunner_create(cmd_ip_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
#endif

/*
 * tests/shell/test_cmd_tc.c — `tc qdisc` (shell/cmd_tc.c, shell/cmd_tc_netem.c) through
 * cmd_run_line on the unit fixture (lo and eth0).
 *
 * The expected lines are tc's: the default qdiscs were printed by iproute2 6.1's tc on
 * Linux 6.18 (a TAP in a namespace: "qdisc pfifo_fast 0: dev tapq root refcnt 2 bands 3
 * priomap ...", "qdisc noqueue 0: dev lo root refcnt 2 " with its trailing space, the -s
 * lines, and the kernel's "Error: ..." answers); netem's line follows tc/q_netem.c's
 * netem_print_opt (that kernel had no netem to ask).
 */
#include "shell/cmd.h"
#include "shell/cmd_tc.h"
#include "net/sch_generic.h"
#include "tests/fx_check.h"
#include <stdarg.h>
#include <stdio.h>

static struct cmd_ctx ctx;
static char out[16384], err[4096];
static size_t out_len, err_len;

static void capture(void *io, int fd, const char *buf, size_t n)
{
    char *dst = fd == 2 ? err : out;
    size_t *len = fd == 2 ? &err_len : &out_len;
    size_t room = (fd == 2 ? sizeof(err) : sizeof(out)) - 1 - *len;
    n = n < room ? n : room;
    memcpy(dst + *len, buf, n);
    *len += n;
    dst[*len] = 0;
}

static void setup(void)
{
    f = fx_new(7);
    ck_assert_ptr_nonnull(f);
    memset(&ctx, 0, sizeof(ctx));
    ctx.st = f->st;
    ctx.write = capture;
    ctx.out_fd = ctx.in_fd = -1;
}

static void teardown(void) { fxc_teardown(); }

static int tc(const char *line)
{
    out_len = err_len = 0;
    out[0] = err[0] = 0;
    ctx.net = f->net;
    return cmd_run_line(&ctx, line);
}

/* Succeeds and prints exactly `want`. */
static void prints(const char *line, const char *want)
{
    int st = tc(line);
    ck_assert_msg(st == 0 && !err_len, "\"%s\": status %d, stderr [%s]", line, st, err);
    ck_assert_msg(!strcmp(out, want), "\"%s\" printed\n[%s]\nwant\n[%s]", line, out, want);
}

static void quiet(const char *line) { prints(line, ""); }

/* Fails with `status` and exactly the one stderr line `want`. */
static void refused(const char *line, int status, const char *want)
{
    int st = tc(line);
    ck_assert_msg(st == status, "\"%s\" returned %d, want %d (stderr [%s])", line, st, status, err);
    ck_assert_msg(!out_len, "\"%s\" wrote to stdout [%s]", line, out);
    ck_assert_msg(!strncmp(err, want, strlen(want)) && err[strlen(want)] == '\n' && !err[strlen(want) + 1],
                  "\"%s\" said [%s], want [%s]", line, err, want);
}

#define PFIFO_FAST "bands 3 priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1"
#define ZERO_STATS " Sent 0 bytes 0 pkt (dropped 0, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n"

START_TEST(test_show_defaults)
{
    prints("tc qdisc show", "qdisc noqueue 0: dev lo root refcnt 2 \n"
                            "qdisc pfifo_fast 0: dev eth0 root refcnt 2 " PFIFO_FAST "\n");
    prints("tc qdisc", "qdisc noqueue 0: dev lo root refcnt 2 \n"
                       "qdisc pfifo_fast 0: dev eth0 root refcnt 2 " PFIFO_FAST "\n");
    prints("tc qdisc show dev eth0", "qdisc pfifo_fast 0: root refcnt 2 " PFIFO_FAST "\n");
    prints("tc -s qdisc show dev lo", "qdisc noqueue 0: root refcnt 2 \n" ZERO_STATS);
    prints("tc -s qdisc ls", "qdisc noqueue 0: dev lo root refcnt 2 \n" ZERO_STATS
                             "qdisc pfifo_fast 0: dev eth0 root refcnt 2 " PFIFO_FAST "\n" ZERO_STATS);
    refused("tc qdisc show dev nosuch", 1, "tc: Cannot find device \"nosuch\"");
    refused("tc qdisc show dev eth0 blah", 255, "tc: What is \"blah\"? Try \"tc qdisc help\".");
}
END_TEST

START_TEST(test_default_follows_the_device)
{
    /* never up: noop; the first up attaches pfifo_fast; down keeps it (as Linux) */
    struct netdev *d = fx_add_dev(f, "eth1", &fx_peer_mac, 0, 0, 0);
    ck_assert_ptr_nonnull(d);
    dev_close(d);
    prints("tc qdisc show dev eth1", "qdisc pfifo_fast 0: root refcnt 2 " PFIFO_FAST "\n");
    struct netdev *n = netdev_alloc(f->net, "eth2", d->ops, sizeof(struct fx *));
    *(struct fx **)n->priv = f;
    ck_assert_int_eq(netdev_register(n), 0);
    prints("tc qdisc show dev eth2", "");    /* the built-in noop is not listed */
    ck_assert_str_eq(qdisc_kind(n), "noop");
    refused("tc qdisc del dev eth2 root", 2, "tc: Error: Cannot delete qdisc with handle of zero.");
    n->txqlen = 0;                      /* txqueuelen 0 at the first up: noqueue */
    ck_assert_int_eq(dev_open(n), 0);
    prints("tc qdisc show dev eth2", "qdisc noqueue 0: root refcnt 2 \n");
    ck_assert_str_eq(qdisc_kind(n), "noqueue");
}
END_TEST

START_TEST(test_netem_add_show_change_del)
{
    quiet("tc qdisc add dev eth0 root netem delay 100ms 10ms loss 30%");
    prints("tc qdisc show dev eth0", "qdisc netem 8001: root refcnt 2 limit 1000 delay 100ms  10ms loss 30%\n");
    prints("tc -s qdisc show dev eth0",
           "qdisc netem 8001: root refcnt 2 limit 1000 delay 100ms  10ms loss 30%\n" ZERO_STATS);
    quiet("tc qdisc change dev eth0 root netem delay 100ms 10ms 25% loss 30% 10% duplicate 1% "
          "corrupt 0.1% reorder 25% 50% rate 1mbit limit 50");
    prints("tc qdisc show",
           "qdisc noqueue 0: dev lo root refcnt 2 \n"
           "qdisc netem 8001: dev eth0 root refcnt 2 limit 50 delay 100ms  10ms 25% loss 30% 10% "
           "duplicate 1% reorder 25% 50% corrupt 0.1% rate 1Mbit gap 1\n");
    /* a change replaces what it carries; corruption and the rate stay (netem_change) */
    quiet("tc qdisc change dev eth0 root netem loss 5");
    prints("tc qdisc show dev eth0", "qdisc netem 8001: root refcnt 2 limit 1000 loss 5% 10% "
                                     "reorder 25% 50% corrupt 0.1% rate 1Mbit\n");
    quiet("tc qdisc del dev eth0 root");
    prints("tc qdisc show dev eth0", "qdisc pfifo_fast 0: root refcnt 2 " PFIFO_FAST "\n");
    quiet("tc qdisc add dev eth0 root netem delay 1.5s 250us duplicate 3% 20");
    prints("tc qdisc show dev eth0", "qdisc netem 8002: root refcnt 2 limit 1000 delay 1.5s  250us duplicate 3%\n");
    quiet("tc qdisc replace dev eth0 root netem delay 12345us 999 rate 1500kbit 20 64 -4");
    prints("tc qdisc show dev eth0", "qdisc netem 8002: root refcnt 2 limit 1000 delay 12.3ms  999us "
                                     "rate 1500Kbit packetoverhead 20 cellsize 64 celloverhead -4\n");
    quiet("tc qdisc d dev eth0 root netem");
}
END_TEST

START_TEST(test_pfifo_and_replace)
{
    quiet("tc qdisc add dev eth0 root pfifo limit 10");
    prints("tc qdisc show dev eth0", "qdisc pfifo 8001: root refcnt 2 limit 10p\n");
    quiet("tc qdisc change dev eth0 root pfifo limit 20");
    prints("tc qdisc show dev eth0", "qdisc pfifo 8001: root refcnt 2 limit 20p\n");
    /* replace with another kind: a new qdisc and a new handle */
    quiet("tc qdisc replace dev eth0 root netem rate 8000");
    prints("tc qdisc show dev eth0", "qdisc netem 8002: root refcnt 2 limit 1000 rate 8Kbit\n");
    prints("ip link show eth0", "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc netem state UNKNOWN "
                                "mode DEFAULT group default qlen 1000\n"
                                "    link/ether 02:00:00:00:00:02 brd ff:ff:ff:ff:ff:ff\n");
    quiet("tc qdisc del dev eth0 root");
    quiet("tc qdisc add dev eth0 root handle 1: pfifo");
    prints("tc qdisc show dev eth0", "qdisc pfifo 1: root refcnt 2 limit 1000p\n");
    prints("tc qdisc show dev eth0 handle 2:", "");
    quiet("tc qdisc del dev eth0 root handle 1:");
    quiet("tc qdisc add dev lo root pfifo");
    prints("tc qdisc show dev lo", "qdisc pfifo 8003: root refcnt 2 limit 1000p\n");
    quiet("tc qdisc del dev lo root");
    prints("tc qdisc show dev lo", "qdisc noqueue 0: root refcnt 2 \n");
}
END_TEST

START_TEST(test_kernel_refusals)
{
    quiet("tc qdisc add dev eth0 root netem loss 1%");
    refused("tc qdisc add dev eth0 root netem loss 2%", 2, "tc: Error: Exclusivity flag on, cannot modify.");
    refused("tc qdisc change dev eth0 root pfifo", 2, "tc: Error: Invalid qdisc name: must match existing qdisc.");
    refused("tc qdisc del dev eth0 root pfifo", 2, "tc: Error: Invalid qdisc name: must match existing qdisc.");
    refused("tc qdisc add dev eth0 root handle 5: pfifo", 2, "tc: Error: NLM_F_REPLACE needed to override.");
    quiet("tc qdisc del dev eth0 root");
    refused("tc qdisc del dev eth0 root", 2, "tc: Error: Cannot delete qdisc with handle of zero.");
    refused("tc qdisc del dev eth0 root netem", 2, "tc: Error: Invalid qdisc name: must match existing qdisc.");
    refused("tc qdisc change dev eth0 root netem loss 1%", 2,
            "tc: Error: Qdisc not found. To create specify NLM_F_CREATE flag.");
    refused("tc qdisc add dev eth0 root fq_codel", 2, "tc: Error: Specified qdisc kind is unknown.");
    refused("tc qdisc add dev eth0", 2, "tc: Error: Handle cannot be zero.");
    refused("tc qdisc add root netem", 2, "tc: RTNETLINK answers: No such device");
    prints("tc qdisc show dev eth0", "qdisc pfifo_fast 0: root refcnt 2 " PFIFO_FAST "\n");
}
END_TEST

START_TEST(test_parse_errors)
{
    refused("tc qdisc add dev nosuch root netem", 1, "tc: Cannot find device \"nosuch\"");
    refused("tc qdisc add dev eth0 root netem loss 150%", 1, "tc: Illegal \"loss percent\"");
    refused("tc qdisc add dev eth0 root netem loss 3x", 1, "tc: Illegal \"loss percent\"");
    refused("tc qdisc add dev eth0 root netem loss .5%", 1, "tc: Unknown loss parameter: .5%");
    refused("tc qdisc add dev eth0 root netem loss 1% loss 2%", 1, "tc: Illegal \"duplicate loss argument\"");
    refused("tc qdisc add dev eth0 root netem delay fast", 1, "tc: Illegal \"latency\"");
    refused("tc qdisc add dev eth0 root netem delay 10ns", 1, "tc: Illegal \"latency\"");
    refused("tc qdisc add dev eth0 root netem delay 300s", 1, "tc: Illegal 300000000 time (too large)");
    refused("tc qdisc add dev eth0 root netem delay nan", 1, "tc: Illegal \"latency\"");
    refused("tc qdisc add dev eth0 root netem rate 1furlong", 1, "tc: Illegal \"rate\"");
    refused("tc qdisc add dev eth0 root netem rate -5mbit", 1, "tc: Illegal \"rate\"");
    refused("tc qdisc add dev eth0 root netem limit many", 1, "tc: Illegal \"limit\"");
    refused("tc qdisc add dev eth0 root netem gap 5", 1, "tc: gap specified without reorder probability");
    refused("tc qdisc add dev eth0 root netem reorder 25%", 1,
            "tc: reordering not possible without specifying some delay");
    refused("tc qdisc add dev eth0 root netem frob", 1, "tc: What is \"frob\"?");
    refused("tc qdisc add dev eth0 root netem delay", 255, "tc: Command line is not complete. Try option \"help\"");
    refused("tc qdisc add dev eth0 root pfifo limit x", 1, "tc: pfifo: Illegal value for \"limit\": \"x\"");
    refused("tc qdisc add dev eth0 root pfifo_fast bands 3", 1,
            "tc: Unknown qdisc \"pfifo_fast\", hence option \"bands\" is unparsable");
    refused("tc qdisc add dev eth0 root handle zz: netem", 255,
            "tc: Error: argument \"zz:\" is wrong: invalid qdisc ID");
    refused("tc qdisc add dev eth0 dev eth0 root netem", 255,
            "tc: Error: duplicate \"dev\": \"eth0\" is the second value.");
    refused("tc qdisc frob", 255, "tc: Command \"frob\" is unknown, try \"tc qdisc help\".");
    refused("tc -x qdisc", 255, "tc: Option \"-x\" is unknown, try \"tc -help\".");
    refused("tc class show", 255, "tc: \"class\" is not available: tc here manages root qdiscs (tc qdisc)");
    refused("tc blah", 255, "tc: Object \"blah\" is unknown, try \"tc help\".");
    /* nothing was changed by any of them */
    prints("tc qdisc show dev eth0", "qdisc pfifo_fast 0: root refcnt 2 " PFIFO_FAST "\n");
}
END_TEST

START_TEST(test_value_formats)
{
    char b[64];
    struct { uint32_t us; const char *s; } t[] = {
        { 0, "0us" }, { 999, "999us" }, { 1000, "1ms" }, { 12345, "12.3ms" }, { 100000, "100ms" },
        { 999999, "1e+03ms" }, { 1000000, "1s" }, { 1500000, "1.5s" }, { 123456789, "123s" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
        tc_sprint_time(b, sizeof(b), t[i].us);
        ck_assert_str_eq(b, t[i].s);
    }
    struct { uint64_t bytes; const char *s; } r[] = {
        { 12, "96bit" }, { 125, "1Kbit" }, { 125000, "1Mbit" }, { 187500, "1500Kbit" },
        { 125000000, "1Gbit" }, { 1250000001, "10Gbit" }, { 130, "1040bit" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(r); i++) {
        tc_sprint_rate(b, sizeof(b), r[i].bytes);
        ck_assert_str_eq(b, r[i].s);
    }
    struct { uint32_t n; const char *s; } z[] = {
        { 0, "0b" }, { 1514, "1514b" }, { 10240, "10Kb" }, { 10250, "10Kb" }, { 10260, "10260b" },
        { 2 << 20, "2Mb" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(z); i++) {
        tc_sprint_size(b, sizeof(b), z[i].n);
        ck_assert_str_eq(b, z[i].s);
    }
    uint64_t rate;
    uint32_t v;
    ck_assert(tc_get_rate64(&rate, "1mbit") && rate == 125000);
    ck_assert(tc_get_rate64(&rate, "1MBps") && rate == 1000000);
    ck_assert(tc_get_rate64(&rate, "1Kibit") && rate == 128);
    ck_assert(tc_get_rate64(&rate, "8000") && rate == 1000);
    ck_assert(!tc_get_rate64(&rate, "mbit"));
    ck_assert(tc_get_time(&v, "1.5s") && v == 1500000);
    ck_assert(tc_get_time(&v, "20") && v == 20);
    ck_assert(tc_get_time(&v, "3MSEC") && v == 3000);
    ck_assert(tc_get_percent(&v, "30%") && v == 1288490188u);
    ck_assert(tc_get_percent(&v, "100") && v == UINT32_MAX);
    ck_assert(!tc_get_percent(&v, "30%%"));
    ck_assert(tc_get_size(&v, "10k") && v == 10240);
    ck_assert(!tc_get_size(&v, "5000000000"));
    ck_assert(tc_matches("del", "delete") && !tc_matches("", "delete") && !tc_matches("deletex", "delete"));
}
END_TEST

Suite *cmd_tc_suite(void)
{
    Suite *s = suite_create("cmd_tc");
    TCase *t = tcase_create("tc");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, test_show_defaults);
    tcase_add_test(t, test_default_follows_the_device);
    tcase_add_test(t, test_netem_add_show_change_del);
    tcase_add_test(t, test_pfifo_and_replace);
    tcase_add_test(t, test_kernel_refusals);
    tcase_add_test(t, test_parse_errors);
    tcase_add_test(t, test_value_formats);
    suite_add_tcase(s, t);
    return s;
}

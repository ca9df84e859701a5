/*
 * tests/shell/test_cmd_ethtool.c — shell/cmd_ethtool.c: ethtool -k / -K / -S.
 *
 * The expected texts are what ethtool 6.1 printed on Linux 6.18 for a veth and for lo
 * (the same layout, the same "Actual changes:" reply, the same errors and exit codes),
 * with tapstack's features in place of the kernel's. eth0 of the fixture plays a TAP:
 * its set_features hook records what the driver was told (TUNSETOFFLOAD on a real one).
 */
#include "shell/cmd.h"
#include "tests/fixture.h"
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct fx *f;
static struct cmd_ctx ctx;
static char out[16384], err[4096];
static size_t out_len, err_len;
static struct netdev_ops tap_like_ops;
static int hook_calls;
static netdev_features_t hook_last;

static void cap_write(void *io, int fd, const char *buf, size_t n)
{
    char *dst = fd == 2 ? err : out;
    size_t *len = fd == 2 ? &err_len : &out_len;
    size_t cap = fd == 2 ? sizeof(err) : sizeof(out);
    if (*len + n >= cap) n = cap - 1 - *len;
    memcpy(dst + *len, buf, n);
    *len += n;
    dst[*len] = 0;
}

static int hook(struct netdev *dev, netdev_features_t fts) { hook_calls++; hook_last = fts; return 0; }

#define TAP_FEATURES (NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO | NETIF_F_TSO_ECN | NETIF_F_GSO | \
                      NETIF_F_RXCSUM | NETIF_F_GRO_HW)

static void setup(void)
{
    f = fx_new(0xe7);
    ck_assert_ptr_nonnull(f);
    memset(&ctx, 0, sizeof(ctx));
    ctx.st = f->st;
    ctx.net = f->net;
    ctx.write = cap_write;
    ctx.out_fd = ctx.in_fd = -1;
    tap_like_ops = *f->dev->ops;
    tap_like_ops.set_features = hook;
    f->dev->ops = &tap_like_ops;
    f->dev->hw_features = TAP_FEATURES;
    f->dev->features = f->dev->wanted_features = TAP_FEATURES;
    hook_calls = 0;
}

static void teardown(void) { ck_assert_uint_eq(fx_free(f), 0); }

static int run(const char *line)
{
    out_len = err_len = 0;
    out[0] = err[0] = 0;
    return cmd_run_line(&ctx, line);
}

/* The line of `ethtool -k eth0` that starts with name (NULL if none). */
static const char *kline(const char *name)
{
    static char line[128];
    ck_assert_int_eq(run("ethtool -k eth0"), 0);
    for (const char *p = out; *p; ) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *q = p;
        while (*q == '\t') q++;
        if (!strncmp(q, name, strlen(name)) && q[strlen(name)] == ':') {
            snprintf(line, sizeof(line), "%.*s", (int)n, p);
            return line;
        }
        p += n + (e ? 1 : 0);
    }
    return NULL;
}

START_TEST(test_k_layout)
{
    ck_assert_int_eq(run("ethtool -k eth0"), 0);
    ck_assert_str_eq(err, "");
    static const char head[] =
        "Features for eth0:\n"
        "rx-checksumming: on\n"
        "tx-checksumming: on\n"
        "\ttx-checksum-ipv4: off [fixed]\n"
        "\ttx-checksum-ip-generic: on\n"
        "\ttx-checksum-ipv6: off [fixed]\n"
        "\ttx-checksum-fcoe-crc: off [fixed]\n"
        "\ttx-checksum-sctp: off [fixed]\n"
        "scatter-gather: on\n"
        "\ttx-scatter-gather: on\n"
        "\ttx-scatter-gather-fraglist: off [fixed]\n"
        "tcp-segmentation-offload: on\n"
        "\ttx-tcp-segmentation: on\n"
        "\ttx-tcp-ecn-segmentation: on\n"
        "\ttx-tcp-mangleid-segmentation: off [fixed]\n"
        "\ttx-tcp6-segmentation: off [fixed]\n"
        "\ttx-tcp-accecn-segmentation: off [fixed]\n"
        "generic-segmentation-offload: on\n"
        "generic-receive-offload: off [fixed]\n"
        "large-receive-offload: off [fixed]\n"
        "rx-vlan-offload: off [fixed]\n"
        "tx-vlan-offload: off [fixed]\n"
        "ntuple-filters: off [fixed]\n"
        "receive-hashing: off [fixed]\n"
        "highdma: off [fixed]\n"
        "rx-vlan-filter: off [fixed]\n";
    ck_assert_msg(!strncmp(out, head, strlen(head)), "got:\n%s", out);
    /* 64 lines in all, as Linux 6.18's lo and veth; the last is hsr-dup-offload */
    unsigned lines = 0;
    for (const char *p = out; *p; p++) lines += *p == '\n';
    ck_assert_uint_eq(lines, 64);
    ck_assert_ptr_nonnull(strstr(out, "\nrx-gro-hw: on\ntls-hw-record: off [fixed]\n"));
    ck_assert_ptr_nonnull(strstr(out, "\nhsr-dup-offload: off [fixed]\n"));
    /* a device without SG: software GSO asked for, not possible */
    ck_assert_int_eq(run("ethtool -k lo"), 0);
    ck_assert_ptr_nonnull(strstr(out, "\nrx-checksumming: on [fixed]\n"));
    ck_assert_ptr_nonnull(strstr(out, "\n\ttx-tcp-segmentation: on\n"));
    ck_assert_ptr_nonnull(strstr(out, "\nloopback: on [fixed]\n"));
    f->dev->hw_features = 0;
    f->dev->features = 0;
    f->dev->wanted_features = NETIF_F_GSO;
    f->dev->hw_features = NETIF_F_GSO;
    ck_assert_str_eq(kline("generic-segmentation-offload"), "generic-segmentation-offload: off [requested on]");
    ck_assert_str_eq(kline("rx-checksumming"), "rx-checksumming: off [fixed]");
}
END_TEST

START_TEST(test_K_tx_off_drops_tso)
{
    ck_assert_int_eq(run("ethtool -K eth0 tx off"), 0);
    ck_assert_str_eq(out, "Actual changes:\n"
                          "tx-checksum-ip-generic: off\n"
                          "tx-tcp-segmentation: off [not requested]\n"
                          "tx-tcp-ecn-segmentation: off [not requested]\n");
    ck_assert_str_eq(err, "");
    ck_assert_int_eq(hook_calls, 1);
    ck_assert_uint_eq(hook_last, TAP_FEATURES & ~(netdev_features_t)(NETIF_F_HW_CSUM | NETIF_F_ALL_TSO));
    ck_assert_str_eq(kline("tx-checksumming"), "tx-checksumming: off");
    ck_assert_str_eq(kline("tx-tcp-segmentation"), "\ttx-tcp-segmentation: off [requested on]");
    /* and back: TSO returns with the checksum */
    ck_assert_int_eq(run("ethtool -K eth0 tx on"), 0);
    ck_assert_str_eq(out, "Actual changes:\n"
                          "tx-checksum-ipv4: off [requested on]\n"
                          "tx-checksum-ip-generic: on\n"
                          "tx-checksum-ipv6: off [requested on]\n"
                          "tx-tcp-segmentation: on [not requested]\n"
                          "tx-tcp-ecn-segmentation: on [not requested]\n"
                          "tx-checksum-fcoe-crc: off [requested on]\n"
                          "tx-checksum-sctp: off [requested on]\n");
    ck_assert_uint_eq(f->dev->features, TAP_FEATURES);
}
END_TEST

START_TEST(test_K_rx_off_stops_super_frames)
{
    /* rx-gro-hw needs rx-checksum: the TAP then asks the kernel for neither */
    ck_assert_int_eq(run("ethtool -K eth0 rx off"), 0);
    ck_assert_str_eq(out, "Actual changes:\nrx-checksum: off\nrx-gro-hw: off [not requested]\n");
    ck_assert_uint_eq(hook_last & (NETIF_F_RXCSUM | NETIF_F_GRO_HW), 0);
    /* features switched exactly as asked print nothing */
    ck_assert_int_eq(run("ethtool -K eth0 rx on rx-gro-hw on gso off"), 0);
    ck_assert_str_eq(out, "");
    ck_assert_str_eq(err, "");
    ck_assert_uint_eq(f->dev->features, TAP_FEATURES & ~(netdev_features_t)NETIF_F_GSO);
    ck_assert_int_eq(run("ethtool -K eth0 tso off sg off"), 0);
    ck_assert_str_eq(out, "");
    ck_assert_uint_eq(f->dev->features & (NETIF_F_SG | NETIF_F_ALL_TSO), 0);
}
END_TEST

START_TEST(test_K_fixed_feature)
{
    ck_assert_int_eq(run("ethtool -K eth0 loopback on"), 1);
    ck_assert_str_eq(out, "Actual changes:\nloopback: off [requested on]\n");
    ck_assert_str_eq(err, "Could not change any device features\n");
    ck_assert_int_eq(run("ethtool -K eth0"), 1);
    ck_assert_str_eq(out, "");
    ck_assert_str_eq(err, "Could not change any device features\n");
    ck_assert_int_eq(run("ethtool -K eth0 ufo on"), 1);                 /* no such kernel feature */
    ck_assert_str_eq(err, "Could not change any device features\n");
    ck_assert_int_eq(hook_calls, 0);
}
END_TEST

START_TEST(test_errors)
{
    ck_assert_int_eq(run("ethtool -K eth0 foo on"), 92);
    ck_assert_str_eq(err, "netlink error: bit name not found (offset 56)\nnetlink error: Operation not supported\n");
    /* the offset counts the bits before it: tx expands to 5 names, sg to 2 */
    ck_assert_int_eq(run("ethtool -K eth0 tx off foo on"), 92);
    ck_assert_str_eq(err, "netlink error: bit name not found (offset 204)\nnetlink error: Operation not supported\n");
    ck_assert_int_eq(run("ethtool -K eth0 sg off foo on"), 92);
    ck_assert_str_eq(err, "netlink error: bit name not found (offset 120)\nnetlink error: Operation not supported\n");
    ck_assert_uint_eq(f->dev->features, TAP_FEATURES);                 /* nothing applied */
    ck_assert_int_eq(run("ethtool -K eth0 tx"), 1);
    ck_assert_str_eq(err, "ethtool (-K): flag '(null)' for parameter '(null)' is not followed by 'on' or 'off'\n");
    ck_assert_int_eq(run("ethtool -K eth0 tx maybe"), 1);
    ck_assert_str_eq(err, "ethtool (-K): flag 'maybe' for parameter '(null)' is not followed by 'on' or 'off'\n");
    ck_assert_int_eq(run("ethtool -k nosuch"), 1);
    ck_assert_str_eq(err, "netlink error: no device matches name (offset 24)\nnetlink error: No such device\n");
    ck_assert_int_eq(run("ethtool -K nosuch tso off"), 92);
    ck_assert_int_eq(run("ethtool -S nosuch"), 96);
    ck_assert_str_eq(err, "Cannot get stats strings information: No such device\n");
    ck_assert_int_eq(run("ethtool"), 1);
    ck_assert_str_eq(err, "ethtool: bad command line argument(s)\nFor more information run ethtool -h\n");
    ck_assert_int_eq(run("ethtool -k"), 1);
    ck_assert_int_eq(run("ethtool -k eth0 extra"), 1);
    ck_assert_str_eq(err, "ethtool: unexpected parameter 'extra'\n");
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_S_counters)
{
    f->dev->offload_stats.rx_csum_sw_bytes = 1508;
    f->dev->offload_stats.tx_sw_gso_segs = 45;
    ck_assert_int_eq(run("ethtool -S eth0"), 0);
    ck_assert_str_eq(out, "NIC statistics:\n"
                          "     rx_csum_unnecessary: 0\n"
                          "     rx_csum_partial: 0\n"
                          "     rx_gso_packets: 0\n"
                          "     rx_csum_sw_bytes: 1508\n"
                          "     tx_csum_partial: 0\n"
                          "     tx_gso_packets: 0\n"
                          "     tx_sw_gso_segs: 45\n"
                          "     tx_sw_csum: 0\n"
                          "     tx_csum_sw_bytes: 0\n");
    ck_assert_int_eq(run("help ethtool"), 0);
    ck_assert_ptr_nonnull(strstr(out, "usage: ethtool -k DEV"));
}
END_TEST

Suite *cmd_ethtool_suite(void)
{
    Suite *s = suite_create("cmd_ethtool");
    TCase *tc = tcase_create("ethtool");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_k_layout);
    tcase_add_test(tc, test_K_tx_off_drops_tso);
    tcase_add_test(tc, test_K_rx_off_stops_super_frames);
    tcase_add_test(tc, test_K_fixed_feature);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_S_counters);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * shell/cmd_ethtool.c — ethtool -k / -K / -S: a device's offload features and statistics,
 * printed as ethtool 6.x prints them over netlink (netlink/features.c).
 *
 *   ethtool -k DEV                  "Features for DEV:", then the legacy groups
 *                                   (rx-checksumming, tx-checksumming, ...) each with
 *                                   the kernel features it covers, then the rest, in the
 *                                   kernel's feature order (Linux 6.18's strings)
 *   ethtool -K DEV NAME on|off ...  NAME: a legacy name (rx, tx, sg, tso, gso, gro, ...,
 *                                   or its long form) or a kernel feature name; what did
 *                                   not come out as asked is listed under
 *                                   "Actual changes:", as the kernel's reply shows it
 *   ethtool -S DEV                  "NIC statistics:" — the device's offload counters
 *
 * A feature the device lacks is "off [fixed]"; one it could have but whose dependency is
 * off is "off [requested on]" (TSO without checksum offload, GSO without SG).
 */
#include "cmd.h"
#include "net/netdev.h"
#include <stdlib.h>

/* The kernel's feature strings in bit order (net/ethtool/common.c, Linux 6.18) and the
 * tapstack feature each one is; 0: never supported. */
static const struct { const char *name; netdev_features_t bit; } features[] = {
    { "tx-scatter-gather", NETIF_F_SG }, { "tx-checksum-ipv4", NETIF_F_IP_CSUM },
    { "tx-checksum-ip-generic", NETIF_F_HW_CSUM }, { "tx-checksum-ipv6", 0 },
    { "highdma", NETIF_F_HIGHDMA }, { "tx-scatter-gather-fraglist", NETIF_F_FRAGLIST },
    { "tx-vlan-hw-insert", 0 }, { "rx-vlan-hw-parse", 0 }, { "rx-vlan-filter", 0 },
    { "vlan-challenged", 0 }, { "tx-generic-segmentation", NETIF_F_GSO }, { "rx-gro", 0 },
    { "rx-lro", 0 }, { "tx-tcp-segmentation", NETIF_F_TSO }, { "tx-gso-robust", 0 },
    { "tx-tcp-ecn-segmentation", NETIF_F_TSO_ECN }, { "tx-tcp-mangleid-segmentation", 0 },
    { "tx-tcp6-segmentation", 0 }, { "tx-fcoe-segmentation", 0 }, { "tx-gre-segmentation", 0 },
    { "tx-gre-csum-segmentation", 0 }, { "tx-ipxip4-segmentation", 0 },
    { "tx-ipxip6-segmentation", 0 }, { "tx-udp_tnl-segmentation", 0 },
    { "tx-udp_tnl-csum-segmentation", 0 }, { "tx-gso-partial", 0 },
    { "tx-tunnel-remcsum-segmentation", 0 }, { "tx-sctp-segmentation", 0 },
    { "tx-esp-segmentation", 0 }, { "tx-udp-segmentation", NETIF_F_GSO_UDP_L4 },
    { "tx-gso-list", 0 }, { "tx-tcp-accecn-segmentation", 0 }, { "tx-checksum-fcoe-crc", 0 },
    { "tx-checksum-sctp", 0 }, { "rx-ntuple-filter", 0 }, { "rx-hashing", 0 },
    { "rx-checksum", NETIF_F_RXCSUM }, { "tx-nocache-copy", 0 }, { "loopback", NETIF_F_LOOPBACK },
    { "rx-fcs", 0 }, { "rx-all", 0 }, { "tx-vlan-stag-hw-insert", 0 },
    { "rx-vlan-stag-hw-parse", 0 }, { "rx-vlan-stag-filter", 0 }, { "l2-fwd-offload", 0 },
    { "hw-tc-offload", 0 }, { "esp-hw-offload", 0 }, { "esp-tx-csum-hw-offload", 0 },
    { "rx-udp_tunnel-port-offload", 0 }, { "tls-hw-tx-offload", 0 }, { "tls-hw-rx-offload", 0 },
    { "rx-gro-hw", NETIF_F_GRO_HW }, { "tls-hw-record", 0 }, { "rx-gro-list", 0 },
    { "macsec-hw-offload", 0 }, { "rx-udp-gro-forwarding", 0 }, { "hsr-tag-ins-offload", 0 },
    { "hsr-tag-rm-offload", 0 }, { "hsr-fwd-offload", 0 }, { "hsr-dup-offload", 0 },
};
#define NFEAT ARRAY_SIZE(features)

/* ethtool's legacy flags (common.c off_flag_def): short name, long name, and the pattern
 * of kernel feature names each one stands for (at most one '*'). */
static const struct { const char *shrt, *lng, *pattern; } legacy[] = {
    { "rx", "rx-checksumming", "rx-checksum" },
    { "tx", "tx-checksumming", "tx-checksum-*" },
    { "sg", "scatter-gather", "tx-scatter-gather*" },
    { "tso", "tcp-segmentation-offload", "tx-tcp*-segmentation" },
    { "ufo", "udp-fragmentation-offload", "tx-udp-fragmentation" },
    { "gso", "generic-segmentation-offload", "tx-generic-segmentation" },
    { "gro", "generic-receive-offload", "rx-gro" },
    { "lro", "large-receive-offload", "rx-lro" },
    { "rxvlan", "rx-vlan-offload", "rx-vlan-hw-parse" },
    { "txvlan", "tx-vlan-offload", "tx-vlan-hw-insert" },
    { "ntuple", "ntuple-filters", "rx-ntuple-filter" },
    { "rxhash", "receive-hashing", "rx-hashing" },
};
#define LEGACY_UFO 4

/* ethtool's flag_pattern_match */
static bool pattern_match(const char *name, const char *pattern)
{
    const char *star = strchr(pattern, '*');
    if (!star) return !strcmp(name, pattern);
    size_t nlen = strlen(name), plen = strlen(pattern), pre = (size_t)(star - pattern);
    if (nlen + 1 < plen || strncmp(name, pattern, pre)) return false;
    return !strcmp(name + nlen - (plen - pre - 1), star + 1);
}

/* The legacy flag a feature is shown under (-1: none). */
static int legacy_of(size_t i)
{
    for (size_t j = 0; j < ARRAY_SIZE(legacy); j++)
        if (pattern_match(features[i].name, legacy[j].pattern)) return (int)j;
    return -1;
}

static bool f_on(netdev_features_t set, size_t i) { return features[i].bit && (set & features[i].bit); }

static void dump_feature(struct cmd_ctx *c, const struct netdev *dev, size_t i, const char *name,
                         const char *prefix)
{
    const char *suffix = "";
    bool active = f_on(dev->features, i);
    if (!f_on(dev->hw_features, i)) suffix = " [fixed]";
    else if (active != f_on(dev->wanted_features, i))
        suffix = f_on(dev->wanted_features, i) ? " [requested on]" : " [requested off]";
    cmd_printf(c, "%s%s: %s%s\n", prefix, name, active ? "on" : "off", suffix);
}

static void show_features(struct cmd_ctx *c, const struct netdev *dev)
{
    cmd_printf(c, "Features for %s:\n", dev->name);
    for (size_t j = 0; j < ARRAY_SIZE(legacy); j++) {
        if (j == LEGACY_UFO) continue;      /* no kernel with netlink has UFO */
        unsigned n = 0;
        bool any = false;
        for (size_t i = 0; i < NFEAT; i++)
            if (legacy_of(i) == (int)j) { n++; any = any || f_on(dev->features, i); }
        if (n != 1) cmd_printf(c, "%s: %s\n", legacy[j].lng, any ? "on" : "off");
        for (size_t i = 0; i < NFEAT; i++)
            if (legacy_of(i) == (int)j)
                dump_feature(c, dev, i, n == 1 ? legacy[j].lng : features[i].name, n == 1 ? "" : "\t");
    }
    for (size_t i = 0; i < NFEAT; i++)
        if (legacy_of(i) < 0) dump_feature(c, dev, i, features[i].name, "");
}

/* A FEATURES_SET request as ethtool builds it: which features, which values, and where
 * each bit's name sits in the netlink message (the kernel's error names that offset). */
struct feat_req {
    bool mask[NFEAT], val[NFEAT];
    size_t off;                         /* next attribute's offset in the message */
    const char *bad;                    /* first name the kernel does not know */
    size_t bad_off;
};

#define NLA_ALIGN(n) (((n) + 3) & ~(size_t)3)

static void req_bit(struct feat_req *r, const char *name, int idx, bool on)
{
    /* ETHTOOL_A_BITSET_BITS_BIT nest: NAME string, VALUE flag only when on */
    if (idx < 0 && !r->bad) { r->bad = name; r->bad_off = r->off + 4; }
    r->off += 4 + NLA_ALIGN(4 + strlen(name) + 1) + (on ? 4 : 0);
    if (idx >= 0) { r->mask[idx] = true; r->val[idx] = on; }
}

static void req_add(struct feat_req *r, const char *name, bool on)
{
    for (size_t j = 0; j < ARRAY_SIZE(legacy); j++) {
        if (strcmp(name, legacy[j].shrt) && strcmp(name, legacy[j].lng)) continue;
        for (size_t i = 0; i < NFEAT; i++)      /* fill_legacy_flag: every match */
            if (pattern_match(features[i].name, legacy[j].pattern)) req_bit(r, features[i].name, (int)i, on);
        return;
    }
    int idx = -1;
    for (size_t i = 0; i < NFEAT && idx < 0; i++)
        if (!strcmp(name, features[i].name)) idx = (int)i;
    req_bit(r, name, idx, on);
}

/* The kernel's side (ethnl_set_features): the new wanted set, then the active one. */
static void apply(struct netdev *dev, const struct feat_req *r)
{
    netdev_features_t wanted = dev->wanted_features;
    for (size_t i = 0; i < NFEAT; i++) {
        if (!r->mask[i] || !features[i].bit) continue;
        if (r->val[i]) wanted |= features[i].bit;
        else wanted &= ~features[i].bit;
    }
    if (wanted == dev->wanted_features) return;
    dev->wanted_features = (dev->wanted_features & ~dev->hw_features) | (wanted & dev->hw_features);
    netdev_update_features(dev);        /* a driver that refuses leaves the old set */
}

/* ethtool's show_feature_changes over the kernel's reply; returns "nothing changed". */
static bool show_changes(struct cmd_ctx *c, const struct feat_req *r, netdev_features_t old, netdev_features_t now)
{
    bool wdiff[NFEAT], adiff[NFEAT], diff = false, nothing = true;
    for (size_t i = 0; i < NFEAT; i++) {
        wdiff[i] = r->mask[i] && r->val[i] != f_on(now, i);
        adiff[i] = f_on(old, i) != f_on(now, i);
        if (wdiff[i] != r->mask[i]) nothing = false;
        if (wdiff[i] || (adiff[i] && !r->mask[i])) diff = true;
    }
    if (!diff) return nothing;
    cmd_printf(c, "Actual changes:\n");
    for (size_t i = 0; i < NFEAT; i++) {
        if (wdiff[i])
            cmd_printf(c, "%s: %s [requested %s]\n", features[i].name, r->val[i] ? "off" : "on", r->val[i] ? "on" : "off");
        else if (adiff[i])
            cmd_printf(c, "%s: %s%s\n", features[i].name, f_on(now, i) ? "on" : "off", r->mask[i] ? "" : " [not requested]");
    }
    return nothing;
}

static int set_features(struct cmd_ctx *c, struct netdev *dev, int argc, char **argv)
{
    struct feat_req r;
    memset(&r, 0, sizeof(r));
    /* nlmsghdr + genlmsghdr, the header nest (device name, flags), WANTED and BITS nests */
    r.off = 16 + 4 + 4 + NLA_ALIGN(4 + strlen(dev->name) + 1) + 8 + 4 + 4;
    for (int i = 0; i < argc; i += 2) {
        if (i + 1 >= argc || (strcmp(argv[i + 1], "on") && strcmp(argv[i + 1], "off"))) {
            cmd_error(c, "ethtool (-K): flag '%s' for parameter '(null)' is not followed by 'on' or 'off'",
                      i + 1 < argc ? argv[i + 1] : "(null)");
            return 1;
        }
        req_add(&r, argv[i], !strcmp(argv[i + 1], "on"));
    }
    if (r.bad) {
        cmd_error(c, "netlink error: bit name not found (offset %zu)\nnetlink error: Operation not supported", r.bad_off);
        return 92;
    }
    netdev_features_t old = dev->features;
    apply(dev, &r);
    if (show_changes(c, &r, old, dev->features)) {
        cmd_error(c, "Could not change any device features");
        return 1;
    }
    return 0;
}

static void show_stats(struct cmd_ctx *c, const struct netdev *dev)
{
    const struct netdev_offload_stats *s = &dev->offload_stats;
    const struct { const char *name; uint64_t v; } rows[] = {
        { "rx_csum_unnecessary", s->rx_csum_unnecessary }, { "rx_csum_partial", s->rx_csum_partial },
        { "rx_gso_packets", s->rx_gso_packets }, { "rx_csum_sw_bytes", s->rx_csum_sw_bytes },
        { "tx_csum_partial", s->tx_csum_partial }, { "tx_gso_packets", s->tx_gso_packets },
        { "tx_sw_gso_segs", s->tx_sw_gso_segs }, { "tx_sw_csum", s->tx_sw_csum },
        { "tx_csum_sw_bytes", s->tx_csum_sw_bytes },
    };
    cmd_printf(c, "NIC statistics:\n");
    for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
        cmd_printf(c, "     %s: %llu\n", rows[i].name, (unsigned long long)rows[i].v);
}

static int bad_args(struct cmd_ctx *c)
{
    cmd_error(c, "ethtool: bad command line argument(s)\nFor more information run ethtool -h");
    return 1;
}

int cmd_ethtool(struct cmd_ctx *c, int argc, char **argv)
{
    if (argc < 3) return bad_args(c);
    const char *o = argv[1];
    int mode = !strcmp(o, "-k") || !strcmp(o, "--show-features") || !strcmp(o, "--show-offload") ? 'k'
             : !strcmp(o, "-K") || !strcmp(o, "--features") || !strcmp(o, "--offload") ? 'K'
             : !strcmp(o, "-S") || !strcmp(o, "--statistics") ? 'S' : 0;
    if (!mode) return bad_args(c);
    if (mode != 'K' && argc > 3) {
        cmd_error(c, "ethtool: unexpected parameter '%s'", argv[3]);
        return 1;
    }
    struct netdev *dev = netdev_by_name(c->net, argv[2]);
    if (!dev) {
        if (mode == 'S') { cmd_error(c, "Cannot get stats strings information: No such device"); return 96; }
        cmd_error(c, "netlink error: no device matches name (offset 24)\nnetlink error: No such device");
        return mode == 'K' ? 92 : 1;
    }
    if (mode == 'k') { show_features(c, dev); return 0; }
    if (mode == 'S') { show_stats(c, dev); return 0; }
    return set_features(c, dev, argc - 3, argv + 3);
}

/*
 * shell/cmd_ip_link.c — `ip link` (iproute2's ip/iplink.c and ipaddress.c's print_linkinfo).
 *
 * Devices are created, changed and deleted through net/link.h; what a device shows that
 * depends on its driver (state, qdisc, the `ip -d` details) comes from its link kind.
 */
#include "cmd_ip.h"
#include "net/link.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Linux's IFF_* bits in the order iproute2's print_link_flags names them. */
static const struct { unsigned bit; const char *name; } iff_names[] = {
    { 0x8, "LOOPBACK" }, { 0x2, "BROADCAST" }, { 0x10, "POINTOPOINT" }, { 0x1000, "MULTICAST" },
    { 0x80, "NOARP" }, { 0x200, "ALLMULTI" }, { 0x100, "PROMISC" }, { 0x400, "MASTER" },
    { 0x800, "SLAVE" }, { 0x4, "DEBUG" }, { 0x8000, "DYNAMIC" }, { 0x4000, "AUTOMEDIA" },
    { 0x2000, "PORTSEL" }, { 0x20, "NOTRAILERS" }, { 0x1, "UP" }, { 0x10000, "LOWER_UP" },
    { 0x20000, "DORMANT" }, { 0x40000, "ECHO" },
};

/* iproute2's oper_states[], indexed by IF_OPER_*. */
static const char *const oper_names[] = {
    "UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP",
};

/* Link kinds iproute2 knows the options of but this build has no driver for: say so in
 * the user's terms rather than "Unknown device type". A kind registered later (by its
 * driver) is found in the registry first, and this list no longer matters for it. */
static const char *const kinds_not_built[] = { "vlan", "macvlan", "ipvlan", "geneve", "gre", "ipip" };

/* The flags as the kernel reports them (dev_get_flags): RUNNING and LOWER_UP only while
 * the device is up. Linux's lo has no IFF_NOARP (tapstack sets it so lo never resolves). */
unsigned link_flags(const struct netdev *d)
{
    unsigned f = d->flags & ~(unsigned)(IFF_RUNNING | IFF_LOWER_UP);
    if (d->flags & IFF_LOOPBACK) f &= ~(unsigned)IFF_NOARP;
    if (netif_running(d) && (d->flags & IFF_LOWER_UP)) f |= IFF_RUNNING | IFF_LOWER_UP;
    return f;
}

const char *link_state(const struct netdev *d)
{
    enum if_oper s = link_operstate(d);
    return (unsigned)s < ARRAY_SIZE(oper_names) ? oper_names[s] : "UNKNOWN";
}

/* iproute2's print_link_flags; mdown: the linked device (same namespace) is down. */
static void put_link_flags(struct line *l, unsigned flags, bool mdown)
{
    put(l, "<");
    if ((flags & IFF_UP) && !(flags & IFF_RUNNING)) put(l, "NO-CARRIER,");
    flags &= ~(unsigned)IFF_RUNNING;
    for (size_t i = 0; i < ARRAY_SIZE(iff_names); i++) {
        if (!(flags & iff_names[i].bit)) continue;
        flags &= ~iff_names[i].bit;
        put(l, flags ? "%s," : "%s", iff_names[i].name);
    }
    if (flags) put(l, "%x", flags);
    if (mdown) put(l, ",M-DOWN");
    put(l, "> ");
}

/* `ip -d`: the details line. Linux prints more (addrgenmode, tso/gro sizes); these are
 * the fields that mean something here. The kind's own line comes from its fill_info; a
 * device of no registered kind shows its driver's name there. */
static void put_link_details(struct line *l, const struct netdev *d)
{
    char info[1024];
    put(l, " promiscuity %d minmtu %d maxmtu %d ", (d->flags & IFF_PROMISC) ? 1 : 0, 68, ETH_MAX_MTU);
    if (link_fill_info(d, info, sizeof(info))) put(l, "\n    %s ", info);
    else if (!link_kind_of(d)) put(l, "\n    %s ", d->ops && d->ops->kind ? d->ops->kind : "");
    if (link_fill_slave_info(d, info, sizeof(info))) put(l, "\n    %s ", info);   /* a bridge port */
    put(l, "numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 ");
}

/* iproute2's size_columns: widen a column to the number's digits. `p < v` (not <=) is
 * iproute2's: 10, 100, ... count one digit short, and we size the same. */
static void size_col(unsigned *col, uint64_t v)
{
    unsigned len = 1;
    for (uint64_t p = 10; p < v && len < 20; p *= 10) len++;
    if (len > *col) *col = len;
}

/* `ip -s link`: iproute2 6.1's print_stats64, right-aligned columns sized to the values.
 * Ends without a newline, as the caller's line goes on. */
static void put_link_stats(struct line *l, const struct netdev_stats *s)
{
    unsigned w[7] = { 10, 7, 6, 7, 7, 7, 10 };    /* "*X errors:", "packets", ..., "compressed" */
    const uint64_t rx[6] = { s->rx_bytes, s->rx_packets, s->rx_errors, s->rx_dropped, 0, 0 };
    const uint64_t tx[6] = { s->tx_bytes, s->tx_packets, s->tx_errors, s->tx_dropped, 0, 0 };
    for (int i = 0; i < 6; i++) { size_col(&w[i], rx[i]); size_col(&w[i], tx[i]); }

    put(l, "    RX: %*s %*s %*s %*s %*s %*s %*s\n", (int)w[0] - 4, "bytes", (int)w[1], "packets",
        (int)w[2], "errors", (int)w[3], "dropped", (int)w[4], "missed", (int)w[5], "mcast", (int)w[6], "");
    put(l, "    ");
    for (int i = 0; i < 6; i++) put(l, "%*" PRIu64 " ", (int)w[i], rx[i]);
    put(l, "\n    TX: %*s %*s %*s %*s %*s %*s %*s\n", (int)w[0] - 4, "bytes", (int)w[1], "packets",
        (int)w[2], "errors", (int)w[3], "dropped", (int)w[4], "carrier", (int)w[5], "collsns", (int)w[6], "");
    put(l, "    ");
    for (int i = 0; i < 6; i++) put(l, "%*" PRIu64 " ", (int)w[i], tx[i]);
}

/* iproute2's print_name_and_link: "NAME@LINK" for a linked device in the same
 * namespace, "NAME@ifN" (the link's ifindex) for one in another. fmt has one %s.
 * Returns the M-DOWN flag: the link is in this namespace and down. */
static bool put_name_and_link(struct line *l, const char *fmt, const struct netdev *d)
{
    const struct netdev *link = link_get_link(d);
    char name[IFNAMSIZ + 24];
    if (!link) snprintf(name, sizeof(name), "%s", d->name);
    else if (link->net == d->net) snprintf(name, sizeof(name), "%s@%s", d->name, link->name);
    else snprintf(name, sizeof(name), "%s@if%d", d->name, link->ifindex);
    put(l, fmt, name);
    return link && link->net == d->net && !netif_running(link);
}

/* print_linkinfo's IFLA_LINK_NETNSID: the link's namespace by its name, "link-netnsid"
 * with its id when it has none (only the default namespace here, which is the first
 * one another namespace gets an id for). */
static void put_link_netns(struct line *l, const struct netdev *d)
{
    const struct netdev *link = link_get_link(d);
    if (!link || link->net == d->net) return;
    if (link->net->name[0]) put(l, " link-netns %s", link->net->name);
    else put(l, " link-netnsid 0");
}

/* iproute2's print_linkinfo. */
void put_link(struct line *l, const struct ipopt *o, const struct netdev *d, bool do_link)
{
    unsigned f = link_flags(d);
    bool loop = d->flags & IFF_LOOPBACK;
    char mac[18];

    put(l, "%d: ", d->ifindex);
    bool mdown = put_name_and_link(l, "%s: ", d);
    put_link_flags(l, f, mdown);
    put(l, "mtu %u qdisc %s ", d->mtu, link_qdisc_name(d));
    if (d->master) put(l, "master %s ", d->master->name);
    put(l, "state %s ", link_state(d));
    if (do_link) put(l, "mode DEFAULT ");
    put(l, "group default ");
    if (d->txqlen) put(l, "qlen %u", d->txqlen);
    if (!do_link && o->inet_only) return;           /* ip -4 addr: no link/ether line */
    put(l, "\n    link/%s %s brd %s", loop ? "loopback" : "ether", eth_ntop(&d->addr, mac),
        loop ? "00:00:00:00:00:00" : "ff:ff:ff:ff:ff:ff");
    put_link_netns(l, d);
    if (o->details) put_link_details(l, d);
    if (do_link && o->stats) {
        put(l, "\n");
        put_link_stats(l, &d->stats);
    }
}

/* `ip -br link`: NAME STATE MAC <FLAGS> */
static void put_link_brief(struct line *l, const struct netdev *d)
{
    char mac[18];
    bool mdown = put_name_and_link(l, "%-16s ", d);
    put(l, "%-14s %s ", link_state(d), eth_ntop(&d->addr, mac));
    put_link_flags(l, link_flags(d), mdown);
    put(l, "\n");
}

static int ip_link_show(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    struct netdev *only;
    bool up_only;
    int st = parse_show_dev(c, o, argc, argv, &only, &up_only);
    if (st) return st;
    for (struct netdev *d = o->net->devs; d; d = d->next) {
        if ((only && d != only) || (up_only && !netif_running(d))) continue;
        struct line l = { .n = 0 };
        if (o->brief) put_link_brief(&l, d);
        else { put_link(&l, o, d, true); put(&l, "\n"); }
        emit(c, &l);
    }
    return ST_OK;
}

static bool kind_not_built(const char *kind)
{
    for (size_t i = 0; i < ARRAY_SIZE(kinds_not_built); i++)
        if (!strcmp(kind, kinds_not_built[i])) return true;
    return false;
}

/* ip link add [name] NAME type KIND [KIND OPTIONS]: the options go to the kind. */
static int ip_link_add(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    const char *name = NULL, *kind = NULL;
    int i;
    for (i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "type")) { NEXT_ARG(); kind = argv[i]; i++; break; }
        else if (!strcmp(argv[i], "name") || !strcmp(argv[i], "dev")) { NEXT_ARG(); name = argv[i]; }
        else if (!name) name = argv[i];
        else return garbage(c, "dev", argv[i]);
    }
    if (!name) return fail(c, "ip", ST_USAGE, "Not enough information: \"dev\" argument is required.");
    if (!dev_valid_name(name)) return invarg(c, "\"name\" not a valid ifname", name);
    if (!kind) return fail(c, "ip", ST_USAGE, "Not enough information: \"type\" argument is required");
    if (!link_kind_find(c->st, kind) && kind_not_built(kind))
        return fail(c, "ip", ST_USAGE, "link type \"%s\" is not available in this build yet", kind);
    struct link_args args = { .argc = argc - i, .argv = argv + i };
    struct extack ext = { 0 };
    int err = link_newlink(o->net, kind, name, &args, &ext);
    return err < 0 ? rtnl_fail(c, err, &ext) : ST_OK;
}

/* The words of `ip link set` (iproute2's iplink_parse). */
static int link_set_parse(struct cmd_ctx *c, int argc, char **argv, const char **name,
                          struct link_change *ch, struct eth_addr *mac, const char **master)
{
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        uint32_t v;
        if (!strcmp(w, "up")) ch->up = 1;
        else if (!strcmp(w, "down")) ch->up = 0;
        else if (!strcmp(w, "mtu")) {
            NEXT_ARG();
            if (!parse_u32(argv[i], &v) || v > INT32_MAX) return invarg(c, "Invalid \"mtu\" value", argv[i]);
            ch->set_mtu = true;
            ch->mtu = v;
        } else if (!strcmp(w, "address") || !strcmp(w, "addr")) {
            NEXT_ARG();
            if (!parse_mac(argv[i], mac)) return fail(c, "ip", ST_USAGE, "\"%s\" is invalid lladdr.", argv[i]);
            ch->addr = mac;
        } else if (!strcmp(w, "netns")) {
            NEXT_ARG();
            /* Linux: iproute2 tries /var/run/netns/NS, then a pid, then gives up so. */
            if (!argv[i][0] || !(ch->netns = net_by_name(c->st, argv[i])))
                return invarg(c, "Invalid \"netns\" value", argv[i]);
        } else if (!strcmp(w, "txqueuelen") || !strcmp(w, "txqlen") || !strcmp(w, "qlen")) {
            NEXT_ARG();
            if (!parse_u32(argv[i], &v)) return invarg(c, "Invalid \"txqueuelen\" value", argv[i]);
            ch->set_txqlen = true;
            ch->txqlen = v;
        } else if (!strcmp(w, "master")) {
            NEXT_ARG();
            *master = argv[i];
            ch->nomaster = false;
        } else if (!strcmp(w, "nomaster")) {
            *master = NULL;
            ch->nomaster = true;
        } else if (!strcmp(w, "type") && *name) {
            /* the rest are the kind's options (iproute2: IFLA_INFO_KIND + DATA) */
            NEXT_ARG();
            ch->kind = argv[i];
            ch->kind_args = (struct link_args){ .argc = argc - i - 1, .argv = argv + i + 1 };
            break;
        } else if (!strcmp(w, "dev")) {
            NEXT_ARG();
            if (*name) return garbage(c, "dev", argv[i]);
            *name = argv[i];
        } else if (!*name) {
            *name = w;
        } else if (!strcmp(w, "name") || !strcmp(w, "arp") || !strcmp(w, "promisc") ||
                   !strcmp(w, "multicast") || !strcmp(w, "alias") || !strcmp(w, "group")) {
            return fail(c, "ip", ST_USAGE, "\"ip link set ... %s\" is not supported by tapstack", w);
        } else {
            return garbage(c, "dev", w);
        }
    }
    return ST_OK;
}

/* ip link set DEV [up|down] [mtu N] [address MAC] [netns NS] [txqueuelen N]: parsed
 * whole, then applied by the core in the kernel's do_setlink order. */
static int ip_link_set(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    const char *name = NULL;
    struct link_change ch = { .up = -1 };
    struct eth_addr mac;
    const char *master = NULL;
    int st = link_set_parse(c, argc, argv, &name, &ch, &mac, &master);
    if (st) return st;
    if (!name) return fail(c, "ip", ST_USAGE, "Not enough information: \"dev\" argument is required.");
    /* iproute2 resolves the master's name first (ll_name_to_index) */
    if (master && !(ch.master = netdev_by_name(o->net, master)))
        return invarg(c, "Device does not exist", master);
    struct netdev *d = find_dev(c, o->net, name);
    if (!d) return ST_USAGE;
    struct extack ext = { 0 };
    int err = link_setlink(d, &ch, &ext);
    return err < 0 ? rtnl_fail(c, err, &ext) : ST_OK;
}

static int ip_link_del(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    const char *name = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "dev")) { NEXT_ARG(); name = argv[i]; }
        else if (!strcmp(argv[i], "type")) { NEXT_ARG(); }     /* accepted, as iproute2 */
        else if (!name) name = argv[i];
        else return garbage(c, "dev", argv[i]);
    }
    if (!name) return fail(c, "ip", ST_USAGE, "Not enough information: \"dev\" argument is required.");
    struct netdev *d = find_dev(c, o->net, name);
    if (!d) return ST_USAGE;
    struct extack ext = { 0 };
    int err = link_dellink(d, &ext);
    return err < 0 ? rtnl_fail(c, err, &ext) : ST_OK;
}

int ip_link(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    if (argc == 0) return ip_link_show(c, o, 0, argv);
    const char *w = argv[0];
    if (matches(w, "add")) return ip_link_add(c, o, argc - 1, argv + 1);
    if (matches(w, "set") || matches(w, "change")) return ip_link_set(c, o, argc - 1, argv + 1);
    if (matches(w, "delete")) return ip_link_del(c, o, argc - 1, argv + 1);
    if (matches(w, "show") || matches(w, "lst") || matches(w, "list")) return ip_link_show(c, o, argc - 1, argv + 1);
    if (matches(w, "help")) {
        cmd_printf(c, "Usage: ip link add NAME type tap [ifname HOSTIF]\n"
                      "       ip link add NAME type veth [peer name NAME2 [netns NS]]\n"
                      "       ip link add NAME type bridge [ ageing_time CENTISECONDS ] [ fdb_max_learned N ]\n"
                      "       ip link add NAME type vxlan id VNI [ dstport PORT ] [ local IP ] [ remote IP ]\n"
                      "                   [ dev DEV ] [ [no]learning ] [ ageing SECONDS ] [ srcport MIN MAX ]\n"
                      "                   [ ttl N | auto ] [ maxaddress N ] [ [no]udpcsum ]\n"
                      "       ip link set { DEVICE | dev DEVICE } [ up | down ] [ mtu MTU ]\n"
                      "                   [ address LLADDR ] [ netns NETNSNAME ] [ txqueuelen N ]\n"
                      "                   [ master DEVICE | nomaster ] [ type bridge OPTIONS ]\n"
                      "       ip link delete { DEVICE | dev DEVICE }\n"
                      "       ip [-s] [-d] [-br] link show [ DEVICE ] [ up ]\n");
        return ST_OK;
    }
    return fail(c, "ip", ST_USAGE, "Command \"%s\" is unknown, try \"ip link help\".", w);
}

/*
 * shell/cmd_ip.c — the network configuration commands: `ip` (a subset of iproute2),
 * `arp` and `route` (net-tools), and the `bridge fdb` / `fdb` placeholders.
 *
 * Output: what Debian 12 prints (iproute2 6.1, net-tools 2.10, Linux 6.1) wherever
 * tapstack holds the same state, byte for byte, trailing spaces included — iproute2 ends
 * every `ip route` line with a space, `ip -s link` pads its headers — because scripts and
 * learners diff the two. Where tapstack knows less than Linux, or Linux's choice depends on
 * history we don't keep, a comment starting "Linux:" says what differs and why.
 *
 * Errors: exactly one line on stderr through cmd_error, starting with the command's name
 * ("ip: ", "arp: ", "route: ", "bridge: ", "fdb: ") followed by the phrase the Linux tool
 * prints. Status 1 for a command line we can't parse, 2 for what the kernel would refuse
 * (iproute2's "RTNETLINK answers: ..." and extack "Error: ...." messages).
 *
 * State: none of its own. Every command reads and changes the namespace it runs in
 * (c->net, or NS of `ip -n NS`) through the core's API, and keeps nothing between
 * commands. Pointers into the FIB are never held across a change of the FIB.
 */
#include "cmd.h"
#include "net/netdev.h"
#include "net/stack.h"
#include "net/sch_generic.h"
#include "arp/neigh.h"
#include "ip/ip.h"
#include "ip/fib.h"
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { ST_OK = 0, ST_USAGE = 1, ST_KERNEL = 2 };

/* Linux's main and local routing tables, by id. tapstack keeps one FIB whose routes carry
 * a type: local and broadcast routes are "table local", the rest "table main". */
enum { TABLE_ALL = 0, TABLE_MAIN = 254, TABLE_LOCAL = 255 };

/* The global options of one `ip` command line. */
struct ipopt {
    struct net *net;        /* -n NS, else the namespace the command runs in */
    int  stats;             /* -s */
    bool details;           /* -d */
    bool brief;             /* -br */
    bool inet_only;         /* -4 */
};

/* ------------------------------------------------------------------ output helpers */

/* One output line (or a few) built in pieces, then written with one cmd_printf. */
struct line { char b[2048]; size_t n; };

static void __attribute__((format(printf, 2, 3))) put(struct line *l, const char *fmt, ...)
{
    if (l->n >= sizeof(l->b) - 1) return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(l->b + l->n, sizeof(l->b) - l->n, fmt, ap);
    va_end(ap);
    if (k > 0) l->n = MIN(l->n + (size_t)k, sizeof(l->b) - 1);
}

static void emit(struct cmd_ctx *c, struct line *l)
{
    if (l->n) cmd_printf(c, "%s", l->b);
    l->n = 0;
    l->b[0] = 0;
}

/* Print "WHO: MESSAGE" on stderr and return status. */
static int __attribute__((format(printf, 4, 5)))
fail(struct cmd_ctx *c, const char *who, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cmd_error(c, "%s: %s", who, msg);
    return status;
}

/* What iproute2 prints when the kernel says no: strerror of the errno. */
static int rtnl_fail(struct cmd_ctx *c, int err)
{
    return fail(c, "ip", ST_KERNEL, "RTNETLINK answers: %s", strerror(err < 0 ? -err : err));
}

/* What iproute2 prints when the kernel says no with an extack message (Linux >= 4.12). */
static int extack_fail(struct cmd_ctx *c, const char *msg)
{
    return fail(c, "ip", ST_KERNEL, "Error: %s.", msg);
}

static int incomplete(struct cmd_ctx *c)
{
    return fail(c, "ip", ST_USAGE, "Command line is not complete. Try option \"help\"");
}

static int garbage(struct cmd_ctx *c, const char *key, const char *word)
{
    return fail(c, "ip", ST_USAGE, "Error: either \"%s\" is duplicate, or \"%s\" is a garbage.", key, word);
}

static int invarg(struct cmd_ctx *c, const char *what, const char *word)
{
    return fail(c, "ip", ST_USAGE, "Error: argument \"%s\" is wrong: %s", word, what);
}

/* iproute2 names the family it expected: "inet" once an IPv4 word was seen, else "any valid". */
static int bad_prefix(struct cmd_ctx *c, bool inet_known, const char *word)
{
    return fail(c, "ip", ST_USAGE, "Error: %s prefix is expected rather than \"%s\".",
                inet_known ? "inet" : "any valid", word);
}

static int bad_address(struct cmd_ctx *c, bool inet_known, const char *word)
{
    return fail(c, "ip", ST_USAGE, "Error: %s address is expected rather than \"%s\".",
                inet_known ? "inet" : "any valid", word);
}

/* iproute2 argument loops: the word after a keyword, or "not complete". Uses i/argc/argv. */
#define NEXT_ARG() do { if (++i >= argc) return incomplete(c); } while (0)

/* ------------------------------------------------------------------ parsing helpers */

/* iproute2's matches(): word is a non-empty prefix of full ("sh" for "show"). */
static bool matches(const char *word, const char *full)
{
    size_t n = strlen(word);
    return n > 0 && n <= strlen(full) && strncmp(word, full, n) == 0;
}

/* "A.B.C.D[/N]", "default", "all" or "any" (0/0), as iproute2's get_prefix. */
static bool parse_prefix(const char *s, uint32_t *addr, int *plen)
{
    if (!strcmp(s, "any")) { *addr = 0; *plen = 0; return true; }
    return ip4_prefix_pton(s, addr, plen);
}

static bool parse_u32(const char *s, uint32_t *v)
{
    if (!*s || *s == '-' || *s == '+') return false;
    char *end;
    unsigned long long x = strtoull(s, &end, 0);
    if (*end || x > UINT32_MAX) return false;
    *v = (uint32_t)x;
    return true;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* aa:bb:cc:dd:ee:ff; like iproute2's ll_addr_a2n a byte may also be one digit (2:0:0:0:0:1). */
static bool parse_mac(const char *s, struct eth_addr *a)
{
    if (eth_pton(s, a)) return true;
    for (int i = 0; i < ETH_ALEN; i++) {
        int hi = hexval(*s), lo;
        if (hi < 0) return false;
        s++;
        if ((lo = hexval(*s)) >= 0) { hi = hi * 16 + lo; s++; }
        a->b[i] = (uint8_t)hi;
        if (i < ETH_ALEN - 1 && *s++ != ':') return false;
    }
    return *s == 0;
}

static bool valid_ifname(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, "..")) return false;
    for (; *s; s++)
        if (*s == '/' || *s == ':' || *s == ' ' || *s == '\t' || *s == '\n') return false;
    return true;
}

static struct netdev *find_dev(struct cmd_ctx *c, struct net *net, const char *name)
{
    struct netdev *d = netdev_by_name(net, name);
    if (!d) fail(c, "ip", ST_USAGE, "Cannot find device \"%s\"", name);
    return d;
}

static const char *dev_kind(const struct netdev *d)
{
    return d->ops && d->ops->kind ? d->ops->kind : "";
}

static bool is_kind(const struct netdev *d, const char *kind) { return !strcmp(dev_kind(d), kind); }

static const char *ifname_of(struct net *net, int ifindex, char buf[16])
{
    struct netdev *d = netdev_by_index(net, ifindex);
    if (d) return d->name;
    snprintf(buf, 16, "if%d", ifindex);
    return buf;
}

/* The device whose connected (link-scope, gateway-less unicast) route covers addr, as Linux
 * finds the nexthop device for "via GW" without "dev". NULL if none. */
static struct netdev *onlink_dev(struct net *net, uint32_t addr)
{
    const struct fib_route *r = fib_lookup(net->fib, addr);
    if (!r || r->type != RTN_UNICAST || r->gateway) return NULL;
    return netdev_by_index(net, r->ifindex);
}

/* ================================================================== ip link */

/* Linux's IFF_* bits in the order iproute2's print_link_flags names them. */
static const struct { unsigned bit; const char *name; } iff_names[] = {
    { 0x8, "LOOPBACK" }, { 0x2, "BROADCAST" }, { 0x10, "POINTOPOINT" }, { 0x1000, "MULTICAST" },
    { 0x80, "NOARP" }, { 0x200, "ALLMULTI" }, { 0x100, "PROMISC" }, { 0x400, "MASTER" },
    { 0x800, "SLAVE" }, { 0x4, "DEBUG" }, { 0x8000, "DYNAMIC" }, { 0x4000, "AUTOMEDIA" },
    { 0x2000, "PORTSEL" }, { 0x20, "NOTRAILERS" }, { 0x1, "UP" }, { 0x10000, "LOWER_UP" },
    { 0x20000, "DORMANT" }, { 0x40000, "ECHO" },
};

/* The flags as the kernel reports them (dev_get_flags): RUNNING and LOWER_UP only while
 * the device is up. Linux's lo has no IFF_NOARP (tapstack sets it so lo never resolves). */
static unsigned link_flags(const struct netdev *d)
{
    unsigned f = d->flags & ~(unsigned)(IFF_RUNNING | IFF_LOWER_UP);
    if (d->flags & IFF_LOOPBACK) f &= ~(unsigned)IFF_NOARP;
    if (netif_running(d) && (d->flags & IFF_LOWER_UP)) f |= IFF_RUNNING | IFF_LOWER_UP;
    return f;
}

static void put_link_flags(struct line *l, unsigned flags)
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
    put(l, "> ");
}

/* RFC 2863 operstate as Linux computes it. tun, lo and vxlan never set one, so an up
 * device with carrier stays UNKNOWN; veth and bridge report UP. A device stacked on a peer
 * (veth) without carrier is LOWERLAYERDOWN. */
static const char *link_operstate(const struct netdev *d, unsigned flags)
{
    if (!(flags & IFF_UP)) return "DOWN";
    if (!(flags & IFF_LOWER_UP)) return is_kind(d, "veth") ? "LOWERLAYERDOWN" : "DOWN";
    if (is_kind(d, "veth") || is_kind(d, "bridge")) return "UP";
    return "UNKNOWN";
}

/* The root qdisc's kind (net/sch_generic.h): noop until the first up, then the default
 * (pfifo_fast, noqueue for lo) or what tc attached; it stays when the device goes down. */
static const char *link_qdisc(const struct netdev *d) { return qdisc_kind(d); }

/* `ip -d`: the details line. Linux prints more (addrgenmode, tso/gro sizes); these are
 * the fields that mean something here. min/max MTU are what dev_set_mtu enforces. */
static void put_link_details(struct line *l, const struct netdev *d)
{
    put(l, " promiscuity %d minmtu %d maxmtu %d ", (d->flags & IFF_PROMISC) ? 1 : 0, 68, ETH_MAX_MTU);
    if (!(d->flags & IFF_LOOPBACK)) {
        if (is_kind(d, "tap")) put(l, "\n    tun type tap pi off vnet_hdr off persist off ");
        else put(l, "\n    %s ", dev_kind(d));
    }
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

/* iproute2's print_linkinfo: "N: NAME: <FLAGS> mtu ..." and the link/ether line, without
 * the final newline. do_link: `ip link` (adds "mode DEFAULT" and -s statistics). */
static void put_link(struct line *l, const struct ipopt *o, const struct netdev *d, bool do_link)
{
    unsigned f = link_flags(d);
    bool loop = d->flags & IFF_LOOPBACK;
    char mac[18];

    put(l, "%d: %s: ", d->ifindex, d->name);
    put_link_flags(l, f);
    put(l, "mtu %u qdisc %s state %s ", d->mtu, link_qdisc(d), link_operstate(d, f));
    if (do_link) put(l, "mode DEFAULT ");
    put(l, "group default ");
    if (d->txqlen) put(l, "qlen %u", d->txqlen);
    if (!do_link && o->inet_only) return;           /* ip -4 addr: no link/ether line */
    put(l, "\n    link/%s %s brd %s", loop ? "loopback" : "ether", eth_ntop(&d->addr, mac),
        loop ? "00:00:00:00:00:00" : "ff:ff:ff:ff:ff:ff");
    if (o->details) put_link_details(l, d);
    if (do_link && o->stats) {
        put(l, "\n");
        put_link_stats(l, &d->stats);
    }
}

/* `ip -br link`: NAME STATE MAC <FLAGS> */
static void put_link_brief(struct line *l, const struct netdev *d)
{
    unsigned f = link_flags(d);
    char mac[18];
    put(l, "%-16s %-14s %s ", d->name, link_operstate(d, f), eth_ntop(&d->addr, mac));
    put_link_flags(l, f);
    put(l, "\n");
}

static int ip_link_show(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    const char *name = NULL;
    bool up_only = false;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "dev")) { NEXT_ARG(); name = argv[i]; }
        else if (!strcmp(argv[i], "up")) up_only = true;
        else if (!name) name = argv[i];
        else return garbage(c, "dev", argv[i]);
    }
    struct netdev *only = NULL;
    if (name && !(only = netdev_by_name(o->net, name)))
        return fail(c, "ip", ST_USAGE, "Device \"%s\" does not exist.", name);
    for (struct netdev *d = o->net->devs; d; d = d->next) {
        if ((only && d != only) || (up_only && !netif_running(d))) continue;
        struct line l = { .n = 0 };
        if (o->brief) put_link_brief(&l, d);
        else { put_link(&l, o, d, true); put(&l, "\n"); }
        emit(c, &l);
    }
    return ST_OK;
}

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
    if (!valid_ifname(name)) return invarg(c, "\"name\" not a valid ifname", name);
    if (!kind) return fail(c, "ip", ST_USAGE, "Not enough information: \"type\" argument is required");

    if (!strcmp(kind, "veth") || !strcmp(kind, "vxlan") || !strcmp(kind, "bridge"))
        return fail(c, "ip", ST_USAGE, "link type \"%s\" is not built yet (see issue list)", kind);
    if (strcmp(kind, "tap"))
        return extack_fail(c, "Unknown device type");

    const char *host = name;                        /* tap options: [ifname HOSTIF] */
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "ifname")) { NEXT_ARG(); host = argv[i]; }
        else return garbage(c, "ifname", argv[i]);
    }
    if (!valid_ifname(host)) return invarg(c, "\"ifname\" not a valid ifname", host);
    if (netdev_by_name(o->net, name)) return rtnl_fail(c, EEXIST);
    if (!tap_create_hook) return fail(c, "ip", ST_KERNEL, "tap devices cannot be created in this mode");
    char err[256] = "";
    int rc = tap_create_hook(o->net, name, host, err, sizeof(err));
    if (rc < 0) {
        if (err[0]) return fail(c, "ip", ST_KERNEL, "%s", err);
        return rtnl_fail(c, rc);
    }
    return ST_OK;
}

/* ip link set DEV [up|down] [mtu N] [address MAC] [netns NS] [txqueuelen N]: parsed
 * whole, then applied in the kernel's do_setlink order (netns, address, mtu, flags). */
static int ip_link_set(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    const char *name = NULL;
    int updown = -1;
    bool set_mtu = false, set_mac = false, set_txq = false;
    uint32_t mtu = 0, txq = 0;
    struct eth_addr mac;
    struct net *to = NULL;

    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (!strcmp(w, "up")) updown = 1;
        else if (!strcmp(w, "down")) updown = 0;
        else if (!strcmp(w, "mtu")) {
            NEXT_ARG();
            if (!parse_u32(argv[i], &mtu) || mtu > INT32_MAX) return invarg(c, "Invalid \"mtu\" value", argv[i]);
            set_mtu = true;
        } else if (!strcmp(w, "address") || !strcmp(w, "addr")) {
            NEXT_ARG();
            if (!parse_mac(argv[i], &mac)) return fail(c, "ip", ST_USAGE, "\"%s\" is invalid lladdr.", argv[i]);
            set_mac = true;
        } else if (!strcmp(w, "netns")) {
            NEXT_ARG();
            /* Linux: iproute2 tries /var/run/netns/NS, then a pid, then gives up so. */
            if (!argv[i][0] || !(to = net_by_name(c->st, argv[i])))
                return invarg(c, "Invalid \"netns\" value", argv[i]);
        } else if (!strcmp(w, "txqueuelen") || !strcmp(w, "txqlen") || !strcmp(w, "qlen")) {
            NEXT_ARG();
            if (!parse_u32(argv[i], &txq)) return invarg(c, "Invalid \"txqueuelen\" value", argv[i]);
            set_txq = true;
        } else if (!strcmp(w, "master") || !strcmp(w, "nomaster")) {
            return fail(c, "ip", ST_USAGE, "\"%s\" is not built yet (comes with the bridge issue)", w);
        } else if (!strcmp(w, "dev")) {
            NEXT_ARG();
            if (name) return garbage(c, "dev", argv[i]);
            name = argv[i];
        } else if (!name) {
            name = w;
        } else if (!strcmp(w, "name") || !strcmp(w, "arp") || !strcmp(w, "promisc") ||
                   !strcmp(w, "multicast") || !strcmp(w, "alias") || !strcmp(w, "group")) {
            return fail(c, "ip", ST_USAGE, "\"ip link set ... %s\" is not supported by tapstack", w);
        } else {
            return garbage(c, "dev", w);
        }
    }
    if (!name) return fail(c, "ip", ST_USAGE, "Not enough information: \"dev\" argument is required.");
    struct netdev *d = find_dev(c, o->net, name);
    if (!d) return ST_USAGE;

    int err;
    if (to && (err = netdev_set_netns(d, to)) < 0) return rtnl_fail(c, err);
    if (set_mac && (err = dev_set_mac(d, &mac)) < 0) return rtnl_fail(c, err);
    if (set_mtu) {
        if (mtu < 68) return extack_fail(c, "mtu less than device minimum");
        if (mtu > ETH_MAX_MTU) return extack_fail(c, "mtu greater than device maximum");
        if ((err = dev_set_mtu(d, mtu)) < 0) return rtnl_fail(c, err);
    }
    if (set_txq) d->txqlen = txq;
    if (updown == 1 && (err = dev_open(d)) < 0) return rtnl_fail(c, err);
    if (updown == 0 && (err = dev_close(d)) < 0) return rtnl_fail(c, err);
    return ST_OK;
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
    if (d->flags & IFF_LOOPBACK) return rtnl_fail(c, EOPNOTSUPP);
    netdev_unregister(d);
    return ST_OK;
}

static int ip_link(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    if (argc == 0) return ip_link_show(c, o, 0, argv);
    const char *w = argv[0];
    if (matches(w, "add")) return ip_link_add(c, o, argc - 1, argv + 1);
    if (matches(w, "set") || matches(w, "change")) return ip_link_set(c, o, argc - 1, argv + 1);
    if (matches(w, "delete")) return ip_link_del(c, o, argc - 1, argv + 1);
    if (matches(w, "show") || matches(w, "lst") || matches(w, "list")) return ip_link_show(c, o, argc - 1, argv + 1);
    if (matches(w, "help")) {
        cmd_printf(c, "Usage: ip link add NAME type tap [ifname HOSTIF]\n"
                      "       ip link set { DEVICE | dev DEVICE } [ up | down ] [ mtu MTU ]\n"
                      "                   [ address LLADDR ] [ netns NETNSNAME ] [ txqueuelen N ]\n"
                      "       ip link delete { DEVICE | dev DEVICE }\n"
                      "       ip [-s] [-d] [-br] link show [ DEVICE ] [ up ]\n");
        return ST_OK;
    }
    return fail(c, "ip", ST_USAGE, "Command \"%s\" is unknown, try \"ip link help\".", w);
}

/* ================================================================== ip address */

/* Linux marks an address "secondary" when an earlier address of the device has the same
 * prefix length and subnet (inet_insert_ifa). Deleting the primary promotes the next one,
 * as Debian's promote_secondaries=1 does. */
static bool ifa_secondary(const struct netdev *d, const struct in_ifaddr *a)
{
    for (const struct in_ifaddr *b = d->ifa_list; b && b != a; b = b->next)
        if (b->plen == a->plen && ((b->addr ^ a->addr) & ip4_mask(a->plen)) == 0) return true;
    return false;
}

/* iproute2's default scope: host for 127/8, global otherwise. */
static const char *ifa_scope(const struct in_ifaddr *a) { return (a->addr >> 24) == 127 ? "host" : "global"; }

/*
 * "    inet A/N scope global [secondary ]LABEL" and the lifetimes line.
 * Linux: no "brd": `ip addr add A/N` sets no broadcast address unless asked (`brd +`), so
 * that is what Linux shows for addresses added the way tapstack adds them. (The core does
 * keep ifa->broadcast — Linux's broadcast route exists either way.)
 */
static void put_ifaddr(struct line *l, const struct netdev *d, const struct in_ifaddr *a)
{
    char ab[16];
    put(l, "    inet %s/%u scope %s %s%s\n", ip4_ntop(a->addr, ab), a->plen, ifa_scope(a),
        ifa_secondary(d, a) ? "secondary " : "", a->label);
    put(l, "       valid_lft forever preferred_lft forever\n");
}

/* Linux lists primaries (in the order added), then secondaries. */
static void put_ifaddrs(struct cmd_ctx *c, const struct netdev *d, bool brief)
{
    for (int pass = 0; pass < 2; pass++)
        for (const struct in_ifaddr *a = d->ifa_list; a; a = a->next) {
            if (ifa_secondary(d, a) != (pass == 1)) continue;
            struct line l = { .n = 0 };
            if (brief) {
                char ab[16];
                put(&l, "%s/%u ", ip4_ntop(a->addr, ab), a->plen);
            } else {
                put_ifaddr(&l, d, a);
            }
            emit(c, &l);
        }
}

static int ip_addr_show(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    const char *name = NULL;
    bool up_only = false;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "dev")) { NEXT_ARG(); name = argv[i]; }
        else if (!strcmp(argv[i], "up")) up_only = true;
        else if (!name) name = argv[i];
        else return garbage(c, "dev", argv[i]);
    }
    struct netdev *only = NULL;
    if (name && !(only = netdev_by_name(o->net, name)))
        return fail(c, "ip", ST_USAGE, "Device \"%s\" does not exist.", name);
    for (struct netdev *d = o->net->devs; d; d = d->next) {
        if ((only && d != only) || (up_only && !netif_running(d))) continue;
        if (o->inet_only && !d->ifa_list) continue;
        struct line l = { .n = 0 };
        if (o->brief) put(&l, "%-16s %-14s ", d->name, link_operstate(d, link_flags(d)));
        else { put_link(&l, o, d, false); put(&l, "\n"); }
        emit(c, &l);
        put_ifaddrs(c, d, o->brief);
        if (o->brief) cmd_printf(c, "\n");
    }
    return ST_OK;
}

enum addr_op { ADDR_ADD, ADDR_REPLACE, ADDR_CHANGE, ADDR_DEL };

static int ip_addr_modify(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv, enum addr_op op)
{
    const char *local = NULL, *name = NULL;
    uint32_t addr = 0;
    int plen = 32;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (!strcmp(w, "dev")) { NEXT_ARG(); name = argv[i]; }
        else if (!strcmp(w, "broadcast") || !strcmp(w, "brd") || !strcmp(w, "label") ||
                 !strcmp(w, "scope") || !strcmp(w, "valid_lft") || !strcmp(w, "preferred_lft")) {
            NEXT_ARG();     /* accepted; the core derives broadcast, label and scope itself */
        } else if (!strcmp(w, "peer") || !strcmp(w, "remote") || !strcmp(w, "anycast") ||
                   !strcmp(w, "noprefixroute") || !strcmp(w, "metric")) {
            return fail(c, "ip", ST_USAGE, "\"ip address ... %s\" is not supported by tapstack", w);
        } else {
            if (!strcmp(w, "local")) NEXT_ARG();
            if (local) return garbage(c, "local", argv[i]);
            local = argv[i];
            if (!parse_prefix(local, &addr, &plen)) return bad_prefix(c, false, local);
        }
    }
    if (!name) return fail(c, "ip", ST_USAGE, "Not enough information: \"dev\" argument is required.");
    struct netdev *d = find_dev(c, o->net, name);
    if (!d) return ST_USAGE;
    if (!local) return rtnl_fail(c, EINVAL);

    if (op == ADDR_DEL) {
        bool wildcard = !strchr(local, '/');
        if (wildcard)       /* iproute2 still deletes by address alone, and says so */
            cmd_error(c, "Warning: Executing wildcard deletion to stay compatible with old scripts.\n"
                         "         Explicitly specify the prefix length (%s/%d) to avoid this warning.\n"
                         "         This special behaviour is likely to disappear in further releases,\n"
                         "         fix your scripts!", local, 32);
        int err = inet_addr_del(d, addr, wildcard ? -1 : plen);
        return err < 0 ? rtnl_fail(c, err) : ST_OK;
    }
    bool exists = false;
    for (const struct in_ifaddr *a = d->ifa_list; a; a = a->next)
        if (a->addr == addr && a->plen == plen) exists = true;
    if (exists && op != ADDR_ADD) return ST_OK;             /* replace/change: nothing to change */
    if (!exists && op == ADDR_CHANGE) return rtnl_fail(c, ENOENT);
    int err = inet_addr_add(d, addr, plen);
    return err < 0 ? rtnl_fail(c, err) : ST_OK;
}

static int ip_addr_flush(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    const char *name = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "dev")) { NEXT_ARG(); name = argv[i]; }
        else if (!name) name = argv[i];
        else return garbage(c, "dev", argv[i]);
    }
    if (!name) return fail(c, "ip", ST_USAGE, "Flush requires arguments.");
    struct netdev *d = find_dev(c, o->net, name);
    if (!d) return ST_USAGE;
    int n = 0;
    while (d->ifa_list) {
        /* secondaries first, so no promotion happens half-way (as Linux's flush order) */
        struct in_ifaddr *last = d->ifa_list;
        while (last->next) last = last->next;
        inet_addr_del(d, last->addr, last->plen);
        n++;
    }
    if (o->stats) {
        if (n) cmd_printf(c, "\n*** Round 1, deleting %d addresses ***\n*** Flush is complete after 1 round ***\n", n);
        else cmd_printf(c, "Nothing to flush.\n");
    }
    return ST_OK;
}

static int ip_addr(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    if (argc == 0) return ip_addr_show(c, o, 0, argv);
    const char *w = argv[0];
    if (matches(w, "add")) return ip_addr_modify(c, o, argc - 1, argv + 1, ADDR_ADD);
    if (matches(w, "change") || !strcmp(w, "chg")) return ip_addr_modify(c, o, argc - 1, argv + 1, ADDR_CHANGE);
    if (matches(w, "replace")) return ip_addr_modify(c, o, argc - 1, argv + 1, ADDR_REPLACE);
    if (matches(w, "delete")) return ip_addr_modify(c, o, argc - 1, argv + 1, ADDR_DEL);
    if (matches(w, "list") || matches(w, "show") || matches(w, "lst")) return ip_addr_show(c, o, argc - 1, argv + 1);
    if (matches(w, "flush")) return ip_addr_flush(c, o, argc - 1, argv + 1);
    if (matches(w, "help")) {
        cmd_printf(c, "Usage: ip address {add|change|replace} IFADDR dev IFNAME\n"
                      "       ip address del IFADDR dev IFNAME\n"
                      "       ip address flush dev IFNAME\n"
                      "       ip [-4] [-br] address [ show [ dev IFNAME ] [ up ] ]\n"
                      "IFADDR := A.B.C.D[/N]\n");
        return ST_OK;
    }
    return fail(c, "ip", ST_USAGE, "Command \"%s\" is unknown, try \"ip address help\".", w);
}

/* ================================================================== ip route */

static bool main_table_type(uint8_t type) { return type != RTN_LOCAL && type != RTN_BROADCAST; }

static const struct { uint8_t type; const char *name; } rtn_names[] = {
    { RTN_UNICAST, "unicast" }, { RTN_LOCAL, "local" }, { RTN_BROADCAST, "broadcast" },
    { RTN_BLACKHOLE, "blackhole" }, { RTN_UNREACHABLE, "unreachable" }, { RTN_PROHIBIT, "prohibit" },
};
static const struct { uint8_t proto; const char *name; } rtprot_names[] = {     /* /etc/iproute2/rt_protos */
    { 1, "redirect" }, { RTPROT_KERNEL, "kernel" }, { RTPROT_BOOT, "boot" }, { RTPROT_STATIC, "static" },
    { 8, "gated" }, { 9, "ra" }, { 10, "mrt" }, { 11, "zebra" }, { 12, "bird" }, { 13, "dnrouted" },
    { 14, "xorp" }, { 15, "ntk" }, { 16, "dhcp" },
};
static const struct { uint8_t scope; const char *name; } scope_names[] = {
    { RT_SCOPE_UNIVERSE, "global" }, { 200, "site" }, { RT_SCOPE_LINK, "link" },
    { RT_SCOPE_HOST, "host" }, { 255, "nowhere" },
};

static void put_rtn(struct line *l, uint8_t type)
{
    for (size_t i = 0; i < ARRAY_SIZE(rtn_names); i++)
        if (rtn_names[i].type == type) { put(l, "%s ", rtn_names[i].name); return; }
    put(l, "%u ", type);
}

static void put_proto(struct line *l, uint8_t proto)
{
    for (size_t i = 0; i < ARRAY_SIZE(rtprot_names); i++)
        if (rtprot_names[i].proto == proto) { put(l, "proto %s ", rtprot_names[i].name); return; }
    put(l, "proto %u ", proto);
}

static void put_scope(struct line *l, uint8_t scope)
{
    for (size_t i = 0; i < ARRAY_SIZE(scope_names); i++)
        if (scope_names[i].scope == scope) { put(l, "scope %s ", scope_names[i].name); return; }
    put(l, "scope %u ", scope);
}

/* Names or numbers as iproute2's rtnl_*_a2n take them. */
static bool lookup_rtn(const char *s, uint8_t *type)
{
    for (size_t i = 0; i < ARRAY_SIZE(rtn_names); i++)
        if (!strcmp(s, rtn_names[i].name)) { *type = rtn_names[i].type; return true; }
    return false;
}

static bool lookup_proto(const char *s, uint8_t *proto)
{
    uint32_t v;
    for (size_t i = 0; i < ARRAY_SIZE(rtprot_names); i++)
        if (!strcmp(s, rtprot_names[i].name)) { *proto = rtprot_names[i].proto; return true; }
    if (parse_u32(s, &v) && v <= 255) { *proto = (uint8_t)v; return true; }
    return false;
}

static bool lookup_scope(const char *s, uint8_t *scope)
{
    uint32_t v;
    for (size_t i = 0; i < ARRAY_SIZE(scope_names); i++)
        if (!strcmp(s, scope_names[i].name)) { *scope = scope_names[i].scope; return true; }
    if (!strcmp(s, "universe")) { *scope = RT_SCOPE_UNIVERSE; return true; }
    if (parse_u32(s, &v) && v <= 255) { *scope = (uint8_t)v; return true; }
    return false;
}

static bool lookup_table(const char *s, int *table)
{
    uint32_t v;
    if (!strcmp(s, "main")) { *table = TABLE_MAIN; return true; }
    if (!strcmp(s, "local")) { *table = TABLE_LOCAL; return true; }
    if (!strcmp(s, "all")) { *table = TABLE_ALL; return true; }
    if (parse_u32(s, &v) && (v == TABLE_MAIN || v == TABLE_LOCAL || v == TABLE_ALL)) { *table = (int)v; return true; }
    return false;
}

/* Every route, in the order Linux dumps its trie: ascending prefix, and for one prefix
 * the longer masks first (fib_insert_alias keeps a leaf's aliases by suffix length);
 * routes of one prefix/plen stay in the FIB's preference order. */
struct rt_item { struct fib_route r; size_t seq; };
struct rt_list { struct rt_item *v; size_t n, cap; bool oom; };

static int rt_collect(const struct fib_route *r, void *arg)
{
    struct rt_list *L = arg;
    if (L->n == L->cap) {
        size_t cap = L->cap ? L->cap * 2 : 64;
        struct rt_item *v = realloc(L->v, cap * sizeof(*v));
        if (!v) { L->oom = true; return 1; }
        L->v = v;
        L->cap = cap;
    }
    L->v[L->n].r = *r;
    L->v[L->n].seq = L->n;
    L->n++;
    return 0;
}

static int rt_cmp(const void *pa, const void *pb)
{
    const struct rt_item *a = pa, *b = pb;
    if (a->r.prefix != b->r.prefix) return a->r.prefix < b->r.prefix ? -1 : 1;
    if (a->r.plen != b->r.plen) return a->r.plen > b->r.plen ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool rt_list_load(struct net *net, struct rt_list *L)
{
    memset(L, 0, sizeof(*L));
    fib_walk(net->fib, rt_collect, L);
    if (L->oom) { free(L->v); L->v = NULL; L->n = 0; return false; }
    if (L->n > 1) qsort(L->v, L->n, sizeof(*L->v), rt_cmp);
    return true;
}

/* One line of `ip route show`, iproute2's print_route: every field ends with a space. */
static void put_route(struct line *l, struct net *net, const struct fib_route *r, bool show_table, bool show_dev)
{
    char ab[16], nb[16];
    if (r->type != RTN_UNICAST) put_rtn(l, r->type);
    if (r->plen == 0) put(l, "default ");
    else if (r->plen == 32) put(l, "%s ", ip4_ntop(r->prefix, ab));
    else put(l, "%s/%u ", ip4_ntop(r->prefix, ab), r->plen);
    if (r->gateway) put(l, "via %s ", ip4_ntop(r->gateway, ab));
    if (r->ifindex && show_dev) put(l, "dev %s ", ifname_of(net, r->ifindex, nb));
    if (show_table && !main_table_type(r->type)) put(l, "table local ");
    if (r->protocol != RTPROT_BOOT) put_proto(l, r->protocol);
    if (r->scope != RT_SCOPE_UNIVERSE) put_scope(l, r->scope);
    if (r->prefsrc) put(l, "src %s ", ip4_ntop(r->prefsrc, ab));
    if (r->metric) put(l, "metric %u ", r->metric);
    /* RTNH_F_LINKDOWN: the device is up but has no carrier (not on scope-host routes) */
    struct netdev *d = r->ifindex ? netdev_by_index(net, r->ifindex) : NULL;
    if (d && netif_running(d) && !(d->flags & IFF_LOWER_UP) && r->scope != RT_SCOPE_HOST) put(l, "linkdown ");
    put(l, "\n");
}

enum { MATCH_EXACT, MATCH_ROOT, MATCH_COVER };

static bool rt_prefix_ok(const struct fib_route *r, int how, uint32_t pfx, int plen)
{
    switch (how) {
    case MATCH_ROOT:  return r->plen >= plen && ((r->prefix ^ pfx) & ip4_mask(plen)) == 0;
    case MATCH_COVER: return r->plen <= plen && ((r->prefix ^ pfx) & ip4_mask(r->plen)) == 0;
    default:          return r->plen == plen && r->prefix == (pfx & ip4_mask(plen));
    }
}

static int ip_route_show(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    int table = TABLE_MAIN, how = -1, plen = 0;
    uint32_t pfx = 0;
    struct netdev *dev = NULL;
    bool have_proto = false;
    uint8_t proto = 0;

    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (matches(w, "table")) {
            NEXT_ARG();
            if (!lookup_table(argv[i], &table)) return invarg(c, "table id value is invalid", argv[i]);
        } else if (!strcmp(w, "dev") || !strcmp(w, "oif")) {
            NEXT_ARG();
            if (!(dev = find_dev(c, o->net, argv[i]))) return ST_USAGE;
        } else if (matches(w, "protocol")) {
            NEXT_ARG();
            if (!lookup_proto(argv[i], &proto)) return invarg(c, "invalid \"protocol\"", argv[i]);
            have_proto = true;
        } else {
            if (!strcmp(w, "to")) NEXT_ARG();
            how = MATCH_EXACT;
            if (matches(argv[i], "root")) { NEXT_ARG(); how = MATCH_ROOT; }
            else if (matches(argv[i], "match")) { NEXT_ARG(); how = MATCH_COVER; }
            else if (matches(argv[i], "exact")) { NEXT_ARG(); }
            if (!parse_prefix(argv[i], &pfx, &plen)) return bad_prefix(c, false, argv[i]);
        }
    }
    struct rt_list L;
    if (!rt_list_load(o->net, &L)) return fail(c, "ip", ST_KERNEL, "RTNETLINK answers: %s", strerror(ENOMEM));
    for (int pass = 0; pass < 2; pass++) {             /* Linux dumps table main, then local */
        if ((pass == 0 && table == TABLE_LOCAL) || (pass == 1 && table == TABLE_MAIN)) continue;
        for (size_t k = 0; k < L.n; k++) {
            const struct fib_route *r = &L.v[k].r;
            if (main_table_type(r->type) != (pass == 0)) continue;
            if (dev && r->ifindex != dev->ifindex) continue;
            if (have_proto && r->protocol != proto) continue;
            if (how >= 0 && !rt_prefix_ok(r, how, pfx, plen)) continue;
            struct line l = { .n = 0 };
            put_route(&l, o->net, r, table == TABLE_ALL, !dev);
            emit(c, &l);
        }
    }
    free(L.v);
    return ST_OK;
}

/* What `ip route add|del|change|replace` asked for. */
struct rt_req {
    bool     have_dst, have_gw, have_src, have_metric, onlink, inet_known;
    uint32_t dst, gw, src, metric;
    int      plen;
    struct netdev *dev;
    uint8_t  type;          /* 0: not given */
    int      proto, scope;  /* -1: not given */
    int      table;         /* -1: not given */
};

static int rt_parse(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv, struct rt_req *q)
{
    memset(q, 0, sizeof(*q));
    q->proto = q->scope = q->table = -1;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (!strcmp(w, "via")) {
            NEXT_ARG();
            if (!strcmp(argv[i], "inet")) NEXT_ARG();
            if (!ip4_pton(argv[i], &q->gw)) return bad_address(c, q->inet_known, argv[i]);
            q->have_gw = q->inet_known = true;
        } else if (!strcmp(w, "src")) {
            NEXT_ARG();
            if (!ip4_pton(argv[i], &q->src)) return bad_address(c, q->inet_known, argv[i]);
            q->have_src = q->inet_known = true;
        } else if (!strcmp(w, "dev") || !strcmp(w, "oif")) {
            NEXT_ARG();
            if (!(q->dev = find_dev(c, o->net, argv[i]))) return ST_USAGE;
        } else if (matches(w, "metric") || matches(w, "priority") || !strcmp(w, "preference")) {
            NEXT_ARG();
            if (!parse_u32(argv[i], &q->metric)) return invarg(c, "\"metric\" value is invalid", argv[i]);
            q->have_metric = true;
        } else if (matches(w, "protocol")) {
            uint8_t p;
            NEXT_ARG();
            if (!lookup_proto(argv[i], &p)) return invarg(c, "\"protocol\" value is invalid", argv[i]);
            q->proto = p;
        } else if (!strcmp(w, "scope")) {
            uint8_t s;
            NEXT_ARG();
            if (!lookup_scope(argv[i], &s)) return invarg(c, "invalid \"scope\" value", argv[i]);
            q->scope = s;
        } else if (matches(w, "table")) {
            NEXT_ARG();
            if (!lookup_table(argv[i], &q->table) || q->table == TABLE_ALL)
                return invarg(c, "\"table\" value is invalid", argv[i]);
        } else if (!strcmp(w, "onlink")) {
            q->onlink = true;
        } else if (!strcmp(w, "mtu") || !strcmp(w, "advmss") || !strcmp(w, "hoplimit") || !strcmp(w, "tos") ||
                   !strcmp(w, "nexthop") || !strcmp(w, "from") || !strcmp(w, "realms") || !strcmp(w, "encap")) {
            return fail(c, "ip", ST_USAGE, "route attribute \"%s\" is not supported by tapstack", w);
        } else {
            if (!strcmp(w, "to")) NEXT_ARG();
            uint8_t t;
            if ((argv[i][0] < '0' || argv[i][0] > '9') && lookup_rtn(argv[i], &t)) { q->type = t; NEXT_ARG(); }
            if (q->have_dst) return garbage(c, "to", argv[i]);
            if (!parse_prefix(argv[i], &q->dst, &q->plen)) return bad_prefix(c, q->inet_known, argv[i]);
            q->have_dst = true;
            if (q->plen || q->dst) q->inet_known = true;
        }
    }
    if (!q->have_dst) return incomplete(c);
    return ST_OK;
}

/*
 * Validate a route to add and fill in what the kernel would (fib_create_info and
 * fib_check_nh): the nexthop device, the default scope. Messages are Linux 6.1's extack.
 */
static int rt_build(struct cmd_ctx *c, struct net *net, struct rt_req *q, struct fib_route *r)
{
    if (!q->type) q->type = q->table == TABLE_LOCAL ? RTN_LOCAL : RTN_UNICAST;
    if (q->table >= 0 && (q->table == TABLE_LOCAL) == main_table_type(q->type))
        return fail(c, "ip", ST_USAGE, "tapstack keeps local and broadcast routes in table local, the others in table main");
    if (q->plen < 32 && (q->dst & ~ip4_mask(q->plen)))
        return extack_fail(c, "Invalid prefix for given prefix length");

    bool reject = q->type == RTN_BLACKHOLE || q->type == RTN_UNREACHABLE || q->type == RTN_PROHIBIT;
    if (reject && (q->have_gw || q->dev))
        return extack_fail(c, "Gateway, device and multipath can not be specified for this route type");
    if (!reject && q->have_gw) {
        if (q->onlink) {
            if (!q->dev) return extack_fail(c, "Nexthop device required for onlink");
        } else {
            struct netdev *via = onlink_dev(net, q->gw);
            if (!via || (q->dev && via != q->dev)) return extack_fail(c, "Nexthop has invalid gateway");
            q->dev = via;
        }
    }
    if (!reject && !q->dev) return rtnl_fail(c, ENODEV);
    if (q->dev && !netif_running(q->dev)) return extack_fail(c, "Nexthop device is not up");
    if (q->have_src && !inet_addr_dev(net, q->src)) return extack_fail(c, "Invalid prefsrc address");

    int scope = q->scope;
    if (scope < 0) {        /* iproute2's defaults */
        if (q->type == RTN_LOCAL) scope = RT_SCOPE_HOST;
        else if (q->type == RTN_BROADCAST) scope = RT_SCOPE_LINK;
        else if (q->type == RTN_UNICAST && !q->have_gw) scope = RT_SCOPE_LINK;
        else scope = RT_SCOPE_UNIVERSE;
    }
    memset(r, 0, sizeof(*r));
    r->prefix = q->dst;
    r->plen = (uint8_t)q->plen;
    r->type = q->type;
    r->scope = (uint8_t)scope;
    r->protocol = (uint8_t)(q->proto >= 0 ? q->proto : RTPROT_BOOT);
    r->gateway = q->have_gw ? q->gw : 0;
    r->ifindex = q->dev ? q->dev->ifindex : 0;
    r->prefsrc = q->have_src ? q->src : 0;
    r->metric = q->metric;
    return ST_OK;
}

/* The route Linux's NLM_F_REPLACE would replace: same prefix, length, metric and table. */
struct rt_find { uint32_t prefix; int plen; uint32_t metric; bool main_tbl; bool found; struct fib_route r; };

static int rt_find_cb(const struct fib_route *r, void *arg)
{
    struct rt_find *f = arg;
    if (r->prefix == f->prefix && r->plen == f->plen && r->metric == f->metric &&
        main_table_type(r->type) == f->main_tbl) {
        f->r = *r;
        f->found = true;
        return 1;
    }
    return 0;
}

enum rt_op { RT_ADD, RT_CHANGE, RT_REPLACE };

static int ip_route_modify(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv, enum rt_op op)
{
    struct rt_req q;
    struct fib_route r;
    int st = rt_parse(c, o, argc, argv, &q);
    if (st) return st;
    if ((st = rt_build(c, o->net, &q, &r))) return st;

    struct net *net = o->net;
    if (op == RT_ADD) {
        /* Linux refuses a second route of the same prefix and metric in a table whatever
         * its type; the FIB alone only refuses the same type. */
        const struct fib_route *old = fib_find(net->fib, r.prefix, r.plen);
        if (old && old->metric == r.metric && main_table_type(old->type) == main_table_type(r.type))
            return rtnl_fail(c, EEXIST);
    } else {
        struct rt_find f = { .prefix = r.prefix, .plen = r.plen, .metric = r.metric, .main_tbl = main_table_type(r.type) };
        fib_walk(net->fib, rt_find_cb, &f);
        if (!f.found && op == RT_CHANGE) return rtnl_fail(c, ENOENT);
        if (f.found) {
            struct fib_route m = { .gateway = f.r.gateway, .ifindex = f.r.ifindex, .type = f.r.type, .metric = f.r.metric };
            fib_delete(net->fib, f.r.prefix, f.r.plen, &m);
        }
    }
    int err = fib_insert(net->fib, &r);
    return err < 0 ? rtnl_fail(c, err) : ST_OK;
}

static int ip_route_del(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    struct rt_req q;
    int st = rt_parse(c, o, argc, argv, &q);
    if (st) return st;
    if (q.plen < 32 && (q.dst & ~ip4_mask(q.plen))) return extack_fail(c, "Invalid prefix for given prefix length");
    static const uint8_t main_types[] = { RTN_UNICAST, RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT };
    static const uint8_t local_types[] = { RTN_LOCAL, RTN_BROADCAST };
    const uint8_t *types = q.table == TABLE_LOCAL ? local_types : main_types;
    size_t ntypes = q.table == TABLE_LOCAL ? ARRAY_SIZE(local_types) : ARRAY_SIZE(main_types);
    if (q.type) { types = &q.type; ntypes = 1; }
    struct fib_route m = { .gateway = q.have_gw ? q.gw : 0, .ifindex = q.dev ? q.dev->ifindex : 0,
                           .metric = q.have_metric ? q.metric : 0 };
    for (size_t k = 0; k < ntypes; k++) {
        m.type = types[k];
        if (fib_delete(o->net->fib, q.dst, q.plen, &m) == 0) return ST_OK;
    }
    return rtnl_fail(c, ESRCH);
}

static int ip_route_flush(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    int table = TABLE_MAIN;
    struct netdev *dev = NULL;
    bool any = false;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "cache")) return ST_OK;        /* no route cache since Linux 3.6 */
        if (matches(argv[i], "table")) {
            NEXT_ARG();
            if (!lookup_table(argv[i], &table)) return invarg(c, "table id value is invalid", argv[i]);
        } else if (!strcmp(argv[i], "dev") || !strcmp(argv[i], "oif")) {
            NEXT_ARG();
            if (!(dev = find_dev(c, o->net, argv[i]))) return ST_USAGE;
        } else {
            return garbage(c, "to", argv[i]);
        }
        any = true;
    }
    if (!any) return fail(c, "ip", ST_USAGE, "\"ip route flush\" requires arguments.");
    struct rt_list L;
    if (!rt_list_load(o->net, &L)) return fail(c, "ip", ST_KERNEL, "RTNETLINK answers: %s", strerror(ENOMEM));
    int n = 0;
    for (size_t k = 0; k < L.n; k++) {
        const struct fib_route *r = &L.v[k].r;
        if (table != TABLE_ALL && main_table_type(r->type) != (table == TABLE_MAIN)) continue;
        if (dev && r->ifindex != dev->ifindex) continue;
        struct fib_route m = { .gateway = r->gateway, .ifindex = r->ifindex, .type = r->type, .metric = r->metric };
        if (fib_delete(o->net->fib, r->prefix, r->plen, &m) == 0) n++;
    }
    free(L.v);
    if (o->stats) cmd_printf(c, "\n*** Round 1, deleting %d entries ***\n*** Flush is complete after 1 round ***\n", n);
    return ST_OK;
}

/* ip route get A [oif|dev DEV]: Linux's answer for a cloned output route. */
static int ip_route_get(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    uint32_t dst = 0;
    bool have_dst = false;
    struct netdev *dev = NULL;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (!strcmp(w, "oif") || !strcmp(w, "dev")) {
            NEXT_ARG();
            if (!(dev = find_dev(c, o->net, argv[i]))) return ST_USAGE;
        } else if (!strcmp(w, "from") || !strcmp(w, "iif") || !strcmp(w, "mark") || !strcmp(w, "tos")) {
            return fail(c, "ip", ST_USAGE, "\"ip route get ... %s\" is not supported by tapstack", w);
        } else {
            if (!strcmp(w, "to")) NEXT_ARG();
            if (have_dst) return garbage(c, "to", argv[i]);
            if (!ip4_pton(argv[i], &dst)) return bad_prefix(c, false, argv[i]);
            have_dst = true;
        }
    }
    if (!have_dst) return fail(c, "ip", ST_USAGE, "need at least a destination address");

    struct rt_result res;
    int err = ip_route_output(o->net, dst, dev ? dev->ifindex : 0, &res);
    if (err < 0) return rtnl_fail(c, err);
    char ab[16];
    struct line l = { .n = 0 };
    const char *flags = "";
    if (res.type == RTN_LOCAL) { put(&l, "local "); flags = "<local> "; }
    else if (res.type == RTN_BROADCAST) { put(&l, "broadcast "); flags = "<local,brd> "; }
    put(&l, "%s ", ip4_ntop(dst, ab));
    if (res.route && res.route->gateway) put(&l, "via %s ", ip4_ntop(res.route->gateway, ab));
    if (res.dev) put(&l, "dev %s ", res.dev->name);
    /* Linux 6.1 reports the table the lookup matched in: local for local/broadcast. */
    if (res.type == RTN_LOCAL || res.type == RTN_BROADCAST) put(&l, "table local ");
    if (res.src) put(&l, "src %s ", ip4_ntop(res.src, ab));
    put(&l, "uid 0 \n    cache %s\n", flags);
    emit(c, &l);
    return ST_OK;
}

static int ip_route(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    if (argc == 0) return ip_route_show(c, o, 0, argv);
    const char *w = argv[0];
    if (matches(w, "add")) return ip_route_modify(c, o, argc - 1, argv + 1, RT_ADD);
    if (matches(w, "change") || !strcmp(w, "chg")) return ip_route_modify(c, o, argc - 1, argv + 1, RT_CHANGE);
    if (matches(w, "replace")) return ip_route_modify(c, o, argc - 1, argv + 1, RT_REPLACE);
    if (matches(w, "prepend") || matches(w, "append")) return ip_route_modify(c, o, argc - 1, argv + 1, RT_ADD);
    if (matches(w, "delete")) return ip_route_del(c, o, argc - 1, argv + 1);
    if (matches(w, "list") || matches(w, "show") || matches(w, "lst")) return ip_route_show(c, o, argc - 1, argv + 1);
    if (matches(w, "get")) return ip_route_get(c, o, argc - 1, argv + 1);
    if (matches(w, "flush")) return ip_route_flush(c, o, argc - 1, argv + 1);
    if (matches(w, "help")) {
        cmd_printf(c, "Usage: ip route { list | flush } [ table TABLE ] [ dev DEV ] [ PREFIX ]\n"
                      "       ip route get ADDRESS [ oif DEV ]\n"
                      "       ip route { add | del | change | append | replace } ROUTE\n"
                      "ROUTE := [ TYPE ] PREFIX [ via ADDRESS ] [ dev DEV ] [ src ADDRESS ]\n"
                      "         [ metric N ] [ proto PROTO ] [ scope SCOPE ] [ table TABLE ] [ onlink ]\n"
                      "TYPE := { unicast | local | broadcast | blackhole | unreachable | prohibit }\n");
        return ST_OK;
    }
    return fail(c, "ip", ST_USAGE, "Command \"%s\" is unknown, try \"ip route help\".", w);
}

/* ================================================================== ip neigh */

static const struct { uint8_t state; const char *name; } nud_names[] = {   /* iproute2's order */
    { NUD_INCOMPLETE, "INCOMPLETE" }, { NUD_REACHABLE, "REACHABLE" }, { NUD_STALE, "STALE" },
    { NUD_DELAY, "DELAY" }, { NUD_PROBE, "PROBE" }, { NUD_FAILED, "FAILED" },
    { NUD_NOARP, "NOARP" }, { NUD_PERMANENT, "PERMANENT" },
};

static bool lookup_nud(const char *s, unsigned *state)
{
    if (!strcasecmp(s, "none")) { *state = NUD_NONE; return true; }
    for (size_t i = 0; i < ARRAY_SIZE(nud_names); i++)
        if (!strcasecmp(s, nud_names[i].name)) { *state = nud_names[i].state; return true; }
    return false;
}

/* Which entries `ip neigh show|flush` selects. state: iproute2's mask, 0x100 = NUD_NONE. */
struct neigh_sel {
    struct netdev *dev;
    unsigned state;
    bool     have_pfx;
    uint32_t pfx;
    int      plen;
};

static bool neigh_selected(const struct neigh *n, const struct neigh_sel *s)
{
    if (s->dev && n->dev != s->dev) return false;
    if (s->have_pfx && ((n->key ^ s->pfx) & ip4_mask(s->plen))) return false;
    return (s->state & n->nud_state) || (n->nud_state == NUD_NONE && (s->state & 0x100));
}

static int neigh_sel_parse(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv,
                           struct neigh_sel *s, bool flush)
{
    bool state_given = false;
    memset(s, 0, sizeof(*s));
    /* iproute2: show hides NOARP (and NONE); flush also spares PERMANENT */
    s->state = flush ? ~(unsigned)(NUD_PERMANENT | NUD_NOARP) : 0xff & ~(unsigned)NUD_NOARP;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (!strcmp(w, "dev")) {
            NEXT_ARG();
            if (!(s->dev = find_dev(c, o->net, argv[i]))) return ST_USAGE;
        } else if (!strcmp(w, "nud")) {
            unsigned st;
            NEXT_ARG();
            if (!state_given) { state_given = true; s->state = 0; }
            if (!strcmp(argv[i], "all")) st = flush ? ~(unsigned)NUD_NOARP : ~0u;
            else if (!lookup_nud(argv[i], &st)) return invarg(c, "nud state is bad", argv[i]);
            if (st == 0) st = 0x100;
            s->state |= st;
        } else if (!strcmp(w, "unused") || !strcmp(w, "proxy") || !strcmp(w, "vrf") || !strcmp(w, "master")) {
            return fail(c, "ip", ST_USAGE, "\"ip neigh ... %s\" is not supported by tapstack", w);
        } else {
            if (!strcmp(w, "to")) NEXT_ARG();
            if (s->have_pfx) return garbage(c, "to", argv[i]);
            if (!parse_prefix(argv[i], &s->pfx, &s->plen)) return bad_prefix(c, false, argv[i]);
            s->have_pfx = true;
        }
    }
    return ST_OK;
}

static uint64_t secs_since(uint64_t now, uint64_t t) { return now > t ? (uint64_t)((now - t) / US_PER_S) : 0; }

/*
 * One line of `ip neigh`, exactly as Debian 12's iproute2 6.1 prints it (print_neigh):
 * every field is followed by a space, so lines end in one — "10.0.0.1 dev tap0 lladdr
 * 02:00:00:00:00:01 REACHABLE ". With -s, Linux's cacheinfo comes before the state as
 * iproute2 6.1 lays it out, quirks included: " used U/C/A" (seconds since last use,
 * confirmation, update) then "probes N " with no space before it. (" ref N" is left out:
 * tapstack has no route cache holding references.)
 * tapstack's extension of `ip -s neigh`, which no other stack shows, follows the state in
 * the same style: "next STATE in S.SSSs " — when the entry's timer fires and what it
 * leads to (neigh_next_transition: DELAY, STALE, PROBE, REACHABLE, FAILED, or "probe" for a
 * retransmitted solicitation) — and "sent N ", the solicitations sent over its life.
 */
static void put_neigh(struct line *l, const struct neigh *n, const struct ipopt *o, bool show_dev, uint64_t now)
{
    char ab[16], mac[18];
    put(l, "%s ", ip4_ntop(n->key, ab));
    if (show_dev) put(l, "dev %s ", n->dev->name);
    if (n->nud_state & NUD_VALID) put(l, "lladdr %s ", eth_ntop(&n->ha, mac));
    if (o->stats)
        put(l, " used %" PRIu64 "/%" PRIu64 "/%" PRIu64 "probes %u ", secs_since(now, n->used),
            secs_since(now, n->confirmed), secs_since(now, n->updated), n->probes);
    for (size_t i = 0; i < ARRAY_SIZE(nud_names); i++)
        if (n->nud_state & nud_names[i].state) put(l, "%s ", nud_names[i].name);
    if (o->stats) {
        uint64_t at;
        const char *what;
        if (neigh_next_transition(n, &at, &what)) {
            uint64_t left = at > now ? at - now : 0;
            put(l, "next %s in %" PRIu64 ".%03" PRIu64 "s ", what, (uint64_t)(left / US_PER_S), (uint64_t)((left % US_PER_S) / US_PER_MS));
        }
        if (n->probes_sent) put(l, "sent %" PRIu64 " ", n->probes_sent);
    }
    put(l, "\n");
}

/* Entries chosen by a walk, acted upon after it (the walk must not see the table change). */
struct neigh_pick { const struct neigh_sel *sel; struct neigh **v; size_t n, cap; bool oom; };

static void neigh_pick_cb(struct neigh *n, void *arg)
{
    struct neigh_pick *p = arg;
    if (!neigh_selected(n, p->sel) || p->oom) return;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 32;
        struct neigh **v = realloc(p->v, cap * sizeof(*v));
        if (!v) { p->oom = true; return; }
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = n;
}

static bool neigh_pick(struct net *net, const struct neigh_sel *s, struct neigh_pick *p)
{
    memset(p, 0, sizeof(*p));
    p->sel = s;
    if (net->arp_tbl) neigh_for_each(net->arp_tbl, neigh_pick_cb, p);
    if (p->oom) { free(p->v); return false; }
    return true;
}

static int ip_neigh_show(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    struct neigh_sel s;
    struct neigh_pick p;
    int st = neigh_sel_parse(c, o, argc, argv, &s, false);
    if (st) return st;
    if (!neigh_pick(o->net, &s, &p)) return fail(c, "ip", ST_KERNEL, "RTNETLINK answers: %s", strerror(ENOMEM));
    for (size_t k = 0; k < p.n; k++) {
        struct line l = { .n = 0 };
        put_neigh(&l, p.v[k], o, !s.dev, c->st->now_us);
        emit(c, &l);
    }
    free(p.v);
    return ST_OK;
}

static int ip_neigh_flush(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    struct neigh_sel s;
    struct neigh_pick p;
    if (argc == 0) return fail(c, "ip", ST_USAGE, "Flush requires arguments.");
    int st = neigh_sel_parse(c, o, argc, argv, &s, true);
    if (st) return st;
    if (!neigh_pick(o->net, &s, &p)) return fail(c, "ip", ST_KERNEL, "RTNETLINK answers: %s", strerror(ENOMEM));
    for (size_t k = 0; k < p.n; k++) neigh_destroy(p.v[k]);
    if (o->stats) {
        if (p.n) cmd_printf(c, "\n*** Round 1, deleting %zu entries ***\n*** Flush is complete after 1 round ***\n", p.n);
        else cmd_printf(c, "Nothing to flush.\n");
    }
    free(p.v);
    return ST_OK;
}

/* ip neigh add|change|replace|del|get ADDR [lladdr MAC] [nud STATE] dev DEV */
enum neigh_op { NEIGH_ADD, NEIGH_CHANGE, NEIGH_REPLACE, NEIGH_DEL, NEIGH_GET };

static int ip_neigh_modify(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv, enum neigh_op op)
{
    const char *dst_arg = NULL;
    uint32_t dst = 0;
    unsigned state = NUD_PERMANENT;             /* iproute2's default */
    struct eth_addr mac;
    bool have_mac = false;
    struct netdev *dev = NULL;

    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (!strcmp(w, "lladdr")) {
            NEXT_ARG();
            if (!parse_mac(argv[i], &mac)) return fail(c, "ip", ST_USAGE, "\"%s\" is invalid lladdr.", argv[i]);
            have_mac = true;
        } else if (!strcmp(w, "nud")) {
            NEXT_ARG();
            if (!lookup_nud(argv[i], &state)) return invarg(c, "nud state is bad", argv[i]);
        } else if (!strcmp(w, "dev")) {
            NEXT_ARG();
            if (!(dev = find_dev(c, o->net, argv[i]))) return ST_USAGE;
        } else if (!strcmp(w, "router") || !strcmp(w, "extern_learn")) {
            /* flags tapstack's IPv4 neighbours don't have: accepted */
        } else if (!strcmp(w, "proxy") || !strcmp(w, "protocol")) {
            return fail(c, "ip", ST_USAGE, "\"ip neigh ... %s\" is not supported by tapstack", w);
        } else {
            if (!strcmp(w, "to")) NEXT_ARG();
            if (dst_arg) return garbage(c, "to", argv[i]);
            dst_arg = argv[i];
            if (!ip4_pton(dst_arg, &dst)) return bad_address(c, false, dst_arg);
        }
    }
    if (!dev || !dst_arg) return fail(c, "ip", ST_USAGE, "Device and destination are required arguments.");
    struct neigh_table *tbl = o->net->arp_tbl;
    if (!tbl) return rtnl_fail(c, EAFNOSUPPORT);
    struct neigh *n = neigh_lookup(tbl, dst, dev);

    if (op == NEIGH_DEL || op == NEIGH_GET) {
        if (!n) return rtnl_fail(c, ENOENT);
        if (op == NEIGH_DEL) { neigh_destroy(n); return ST_OK; }
        struct line l = { .n = 0 };
        put_neigh(&l, n, o, true, c->st->now_us);
        emit(c, &l);
        return ST_OK;
    }
    if (n && op == NEIGH_ADD) return rtnl_fail(c, EEXIST);
    if (!n && op == NEIGH_CHANGE) return rtnl_fail(c, ENOENT);
    bool created = !n;
    if (!n && !(n = neigh_create(tbl, dst, dev))) return rtnl_fail(c, ENOBUFS);
    int err = neigh_update(n, have_mac ? &mac : NULL, (uint8_t)state, NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_ADMIN);
    if (err < 0) {
        if (created) neigh_destroy(n);      /* Linux leaves a NONE entry for GC; nobody sees it */
        if (err == -EINVAL && !have_mac) return extack_fail(c, "No link layer address given");
        return rtnl_fail(c, err);
    }
    return ST_OK;
}

static int ip_neigh(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    if (argc == 0) return ip_neigh_show(c, o, 0, argv);
    const char *w = argv[0];
    if (matches(w, "add")) return ip_neigh_modify(c, o, argc - 1, argv + 1, NEIGH_ADD);
    if (matches(w, "change") || !strcmp(w, "chg")) return ip_neigh_modify(c, o, argc - 1, argv + 1, NEIGH_CHANGE);
    if (matches(w, "replace")) return ip_neigh_modify(c, o, argc - 1, argv + 1, NEIGH_REPLACE);
    if (matches(w, "delete")) return ip_neigh_modify(c, o, argc - 1, argv + 1, NEIGH_DEL);
    if (matches(w, "get")) return ip_neigh_modify(c, o, argc - 1, argv + 1, NEIGH_GET);
    if (matches(w, "list") || matches(w, "show") || matches(w, "lst")) return ip_neigh_show(c, o, argc - 1, argv + 1);
    if (matches(w, "flush")) return ip_neigh_flush(c, o, argc - 1, argv + 1);
    if (matches(w, "help")) {
        cmd_printf(c, "Usage: ip neigh { add | del | change | replace }\n"
                      "                { ADDR [ lladdr LLADDR ] [ nud STATE ] dev DEV }\n"
                      "       ip neigh get ADDR dev DEV\n"
                      "       ip [-s] neigh { show | flush } [ to PREFIX ] [ dev DEV ] [ nud STATE ]\n"
                      "STATE := { permanent | noarp | stale | reachable | none | incomplete |\n"
                      "           delay | probe | failed | all }\n");
        return ST_OK;
    }
    return fail(c, "ip", ST_USAGE, "Command \"%s\" is unknown, try \"ip neigh help\".", w);
}

/* ================================================================== ip netns */

static bool valid_netns_name(const char *s)
{
    return *s && strlen(s) < sizeof(((struct net *)0)->name) && !strchr(s, '/') &&
           strcmp(s, ".") && strcmp(s, "..") && strcmp(s, "default");
}

static int ip_netns(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    const char *w = argc ? argv[0] : "list";
    if (argc > 1 && !valid_netns_name(argv[1]) && strcmp(argv[1], "default"))
        return fail(c, "ip", ST_USAGE, "Invalid netns name \"%s\"", argv[1]);
    if (matches(w, "list") || matches(w, "show") || matches(w, "lst")) {
        /* newest first, as `ls -t /var/run/netns` shows them; the default namespace has no name */
        size_t n = 0;
        for (struct net *ns = c->st->nets; ns; ns = ns->next) n++;
        for (size_t k = n; k > 0; k--) {
            struct net *ns = c->st->nets;
            for (size_t j = 1; j < k; j++) ns = ns->next;
            if (ns->name[0]) cmd_printf(c, "%s\n", ns->name);
        }
        return ST_OK;
    }
    if (matches(w, "add")) {
        if (argc < 2) return fail(c, "ip", ST_USAGE, "No netns name specified");
        if (!valid_netns_name(argv[1])) return fail(c, "ip", ST_USAGE, "Invalid netns name \"%s\"", argv[1]);
        if (net_by_name(c->st, argv[1]))
            return fail(c, "ip", ST_KERNEL, "Cannot create namespace file \"/var/run/netns/%s\": File exists", argv[1]);
        if (!net_new(c->st, argv[1]))
            return fail(c, "ip", ST_KERNEL, "Failed to create a new network namespace \"%s\": %s", argv[1], strerror(ENOMEM));
        return ST_OK;
    }
    if (matches(w, "delete")) {
        if (argc < 2) return fail(c, "ip", ST_USAGE, "No netns name specified");
        struct net *ns = strcmp(argv[1], "default") ? net_by_name(c->st, argv[1]) : NULL;
        if (!ns || !ns->name[0])
            return fail(c, "ip", ST_KERNEL, "Cannot remove namespace file \"/var/run/netns/%s\": %s", argv[1], strerror(ENOENT));
        /* A command runs in it (this one, or another session's ping...): freeing it would
         * pull the floor from under that command. */
        if (ns == c->net || ns == o->net || ns->cmd_refs > 0)
            return fail(c, "ip", ST_KERNEL, "Cannot remove namespace file \"/var/run/netns/%s\": %s", argv[1], strerror(EBUSY));
        net_free(ns);
        return ST_OK;
    }
    if (matches(w, "exec"))
        return fail(c, "ip", ST_USAGE, "netns exec: write it in full at the start of the line: ip netns exec NS COMMAND...");
    if (matches(w, "help")) {
        cmd_printf(c, "Usage: ip netns list\n"
                      "       ip netns add NAME\n"
                      "       ip netns delete NAME\n"
                      "       ip netns exec NAME cmd ...\n");
        return ST_OK;
    }
    return fail(c, "ip", ST_USAGE, "Command \"%s\" is unknown, try \"ip netns help\".", w);
}

/* ================================================================== ip */

typedef int (*ip_object_fn)(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv);

static int ip_help(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    cmd_printf(c, "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n"
                  "where  OBJECT := { address | link | neigh | netns | route }\n"
                  "       OPTIONS := { -s[tatistics] | -d[etails] | -br[ief] | -4 | -n[etns] name }\n");
    return ST_OK;
}

/* iproute2's object table, in its order, so abbreviations resolve as they do there
 * ("ip r" is route, not rule; "ip n" is neighbor). NULL: not in tapstack. */
static const struct { const char *name; ip_object_fn fn; } ip_objects[] = {
    { "address", ip_addr }, { "addrlabel", NULL }, { "maddress", NULL }, { "route", ip_route },
    { "rule", NULL }, { "neighbor", ip_neigh }, { "neighbour", ip_neigh }, { "ntable", NULL },
    { "ntbl", NULL }, { "link", ip_link }, { "l2tp", NULL }, { "fou", NULL }, { "ila", NULL },
    { "macsec", NULL }, { "tunnel", NULL }, { "tunl", NULL }, { "tuntap", NULL }, { "tap", NULL },
    { "token", NULL }, { "tcpmetrics", NULL }, { "tcp_metrics", NULL }, { "monitor", NULL },
    { "xfrm", NULL }, { "mroute", NULL }, { "mrule", NULL }, { "netns", ip_netns },
    { "netconf", NULL }, { "vrf", NULL }, { "sr", NULL }, { "nexthop", NULL }, { "mptcp", NULL },
    { "ioam", NULL }, { "help", ip_help }, { "stats", NULL },
};

int cmd_ip(struct cmd_ctx *c, int argc, char **argv)
{
    struct ipopt o = { .net = c->net };
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *opt = argv[i];
        if (opt[1] == '-') opt++;               /* --stats as -stats */
        if (!strcmp(opt, "-4")) o.inet_only = true;
        else if (matches(opt, "-stats") || matches(opt, "-statistics")) o.stats++;
        else if (matches(opt, "-details")) o.details = true;
        else if (strlen(opt) > 2 && matches(opt, "-brief")) o.brief = true;
        else if (matches(opt, "-resolve") || matches(opt, "-Numeric")) { /* no DNS here: numeric anyway */ }
        else if (matches(opt, "-netns")) {
            if (++i >= argc) return incomplete(c);
            struct net *ns = argv[i][0] ? net_by_name(c->st, argv[i]) : NULL;
            if (!ns) return fail(c, "ip", ST_USAGE, "Cannot open network namespace \"%s\": %s", argv[i], strerror(ENOENT));
            o.net = ns;
        } else if (!strcmp(opt, "-6") || matches(opt, "-json") || matches(opt, "-oneline") ||
                   matches(opt, "-human") || matches(opt, "-batch") || matches(opt, "-color") ||
                   matches(opt, "-timestamp") || matches(opt, "-all") || matches(opt, "-family")) {
            return fail(c, "ip", ST_USAGE, "Option \"%s\" is not supported by tapstack", argv[i]);
        } else {
            return fail(c, "ip", ST_USAGE, "Option \"%s\" is unknown, try \"ip -help\".", argv[i]);
        }
    }
    if (i >= argc) return fail(c, "ip", ST_USAGE, "Object is missing, try \"ip help\".");
    const char *obj = argv[i];
    for (size_t k = 0; k < ARRAY_SIZE(ip_objects); k++) {
        if (!matches(obj, ip_objects[k].name)) continue;
        if (!ip_objects[k].fn)
            return fail(c, "ip", ST_USAGE, "\"ip %s\" is not supported by tapstack, try \"ip help\".", ip_objects[k].name);
        return ip_objects[k].fn(c, &o, argc - i - 1, argv + i + 1);
    }
    return fail(c, "ip", ST_USAGE, "Object \"%s\" is unknown, try \"ip help\".", obj);
}

/* ================================================================== arp (net-tools) */

/* net-tools' flags from /proc/net/arp (arp_state_to_flags): C complete, M permanent. */
struct arp_show {
    struct cmd_ctx *c;
    const char *devname;        /* -i DEV: a filter (a missing device matches nothing) */
    bool have_host, bsd;
    uint32_t host;
    int entries, shown;
};

static void arp_show_cb(struct neigh *n, void *arg)
{
    struct arp_show *a = arg;
    /* /proc/net/arp skips NOARP and NONE entries (NEIGH_SEQ_SKIP_NOARP) */
    if (!(n->nud_state & ~NUD_NOARP)) return;
    a->entries++;
    if ((a->devname && strcmp(n->dev->name, a->devname)) || (a->have_host && n->key != a->host)) return;
    a->shown++;
    bool complete = n->nud_state & NUD_VALID, perm = n->nud_state & NUD_PERMANENT;
    char ip[16], mac[18];
    ip4_ntop(n->key, ip);
    eth_ntop(&n->ha, mac);
    struct line l = { .n = 0 };
    if (a->bsd) {       /* arp -a: no DNS here, so the name is "?" */
        put(&l, "? (%s) at ", ip);
        if (complete) put(&l, "%s [ether] ", mac);
        else put(&l, "<incomplete> ");
        if (perm) put(&l, "PERM ");
        put(&l, "on %s\n", n->dev->name);
    } else {
        if (a->shown == 1)
            put(&l, "Address                  HWtype  HWaddress           Flags Mask            Iface\n");
        put(&l, "%-23.23s  ", ip);
        if (complete) put(&l, "%-8.8s%-20.20s", "ether", mac);
        else put(&l, "%-8.8s%-20.20s", "", "(incomplete)");
        put(&l, "%-6.6s%-15.15s %s\n", perm ? "CM" : complete ? "C" : "", "", n->dev->name);
    }
    emit(a->c, &l);
}

static int arp_list(struct cmd_ctx *c, struct net *net, struct arp_show *a, const char *host)
{
    if (host) {
        if (!ip4_pton(host, &a->host)) return fail(c, "arp", ST_USAGE, "%s: Unknown host", host);
        a->have_host = true;
    }
    if (net->arp_tbl) neigh_for_each(net->arp_tbl, arp_show_cb, a);
    if (!a->shown) {        /* net-tools prints these on stdout and still succeeds */
        if (host && !a->bsd) cmd_printf(c, "%s (%s) -- no entry\n", host, host);
        else if (host || a->devname) cmd_printf(c, "arp: in %d entries no match found.\n", a->entries);
    }
    return ST_OK;
}

/* arp -s IP MAC [temp] [dev DEV]  /  arp -d IP [dev DEV] (also -i DEV), as SIOCSARP/SIOCDARP. */
static int arp_set_del(struct cmd_ctx *c, struct net *net, bool set, const char *devname, int argc, char **argv)
{
    const char *ioctl_name = set ? "SIOCSARP" : "SIOCDARP(dontpub)";
    if (argc < (set ? 2 : 1))
        return fail(c, "arp", ST_USAGE, "need host name%s (usage: arp -s IP MAC [temp] [dev DEV] | arp -d IP [dev DEV])",
                    set ? " and hardware address" : "");
    uint32_t ip;
    struct eth_addr mac;
    if (!ip4_pton(argv[0], &ip)) return fail(c, "arp", ST_USAGE, "%s: Unknown host", argv[0]);
    if (set && !parse_mac(argv[1], &mac)) return fail(c, "arp", ST_USAGE, "invalid hardware address");
    bool perm = true;
    for (int i = set ? 2 : 1; i < argc; i++) {
        if (set && !strcmp(argv[i], "temp")) perm = false;
        else if (!strcmp(argv[i], "dev") && i + 1 < argc) devname = argv[++i];
        else return fail(c, "arp", ST_USAGE, "unknown argument \"%s\"", argv[i]);
    }
    struct netdev *dev;
    if (devname) {
        if (!(dev = netdev_by_name(net, devname))) return fail(c, "arp", ST_KERNEL, "%s: %s", ioctl_name, strerror(ENODEV));
    } else if (!(dev = onlink_dev(net, ip))) {      /* Linux routes the address (RTO_ONLINK) */
        return fail(c, "arp", ST_KERNEL, "%s: %s", ioctl_name, strerror(ENETUNREACH));
    }
    if (!net->arp_tbl) return fail(c, "arp", ST_KERNEL, "%s: %s", ioctl_name, strerror(EAFNOSUPPORT));
    struct neigh *n = neigh_lookup(net->arp_tbl, ip, dev);
    if (!set) {
        if (!n) return fail(c, "arp", ST_USAGE, "No ARP entry for %s", argv[0]);
        neigh_destroy(n);
        return ST_OK;
    }
    bool created = !n;
    if (!n && !(n = neigh_create(net->arp_tbl, ip, dev))) return fail(c, "arp", ST_KERNEL, "%s: %s", ioctl_name, strerror(ENOBUFS));
    /* Linux arp_req_set: PERMANENT, or STALE for "temp" */
    int err = neigh_update(n, &mac, perm ? NUD_PERMANENT : NUD_STALE, NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_ADMIN);
    if (err < 0) {
        if (created) neigh_destroy(n);
        return fail(c, "arp", ST_KERNEL, "%s: %s", ioctl_name, strerror(-err));
    }
    return ST_OK;
}

int cmd_arp(struct cmd_ctx *c, int argc, char **argv)
{
    struct arp_show a = { .c = c };
    bool verbose = false;
    int mode = 0;                               /* 0 show, 's' set, 'd' delete */
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *w = argv[i];
        bool took_value = false;
        for (size_t k = 1; w[k] && !took_value; k++) {
            switch (w[k]) {
            case 'n': case 'e': break;          /* numeric, Linux style: we never resolve names */
            case 'a': a.bsd = true; break;
            case 'v': verbose = true; break;
            case 's': case 'd': mode = w[k]; break;
            case 'i': case 'H': case 't': {     /* -iDEV or -i DEV */
                const char *v = w[k + 1] ? w + k + 1 : (i + 1 < argc ? argv[++i] : NULL);
                if (!v) return fail(c, "arp", ST_USAGE, "option requires an argument -- '%c'", w[k]);
                if (w[k] == 'i') a.devname = v;
                else if (strcmp(v, "ether")) return fail(c, "arp", ST_USAGE, "%s: unknown hardware type.", v);
                took_value = true;
                break;
            }
            default:
                return fail(c, "arp", ST_USAGE, "invalid option -- '%c'", w[k]);
            }
        }
    }
    if (mode) return arp_set_del(c, c->net, mode == 's', a.devname, argc - i, argv + i);
    int st = arp_list(c, c->net, &a, i < argc ? argv[i] : NULL);
    if (verbose && !st) cmd_printf(c, "Entries: %d\tSkipped: %d\tFound: %d\n", a.entries, a.entries - a.shown, a.shown);
    return st;
}

/* ================================================================== route (net-tools) */

static const char *route_addr(uint32_t a, bool numeric, bool is_dst, char buf[16])
{
    if (!a && !numeric && is_dst) return "default";     /* INET_rresolve's special case */
    return ip4_ntop(a, buf);
}

static int route_show(struct cmd_ctx *c, struct net *net, bool numeric)
{
    struct rt_list L;
    if (!rt_list_load(net, &L)) return fail(c, "route", ST_KERNEL, "%s", strerror(ENOMEM));
    cmd_printf(c, "Kernel IP routing table\n"
                  "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n");
    for (size_t k = 0; k < L.n; k++) {
        const struct fib_route *r = &L.v[k].r;
        if (!main_table_type(r->type)) continue;        /* /proc/net/route: table main only */
        char db[16], gb[16], mb[16], nb[16], flags[8] = "";
        /* fib_flag_trans: U, G with a gateway, H for /32; reject routes print "!" */
        bool reject = r->type == RTN_UNREACHABLE || r->type == RTN_PROHIBIT;
        if (reject) strcpy(flags, "!");
        else {
            strcat(flags, "U");
            if (r->gateway) strcat(flags, "G");
        }
        if (r->plen == 32) strcat(flags, "H");
        const char *dst = route_addr(r->prefix, numeric, true, db);
        const char *mask = ip4_ntop(ip4_mask(r->plen), mb);
        struct line l = { .n = 0 };
        if (reject)
            put(&l, "%-15s -               %-15s %-5s %-6u -  %7s -\n", dst, mask, flags, r->metric, "-");
        else
            put(&l, "%-15s %-15s %-15s %-5s %-6u %-2d %7d %s\n", dst, route_addr(r->gateway, numeric, false, gb),
                mask, flags, r->metric, 0, 0, r->ifindex ? ifname_of(net, r->ifindex, nb) : "*");
        emit(c, &l);
    }
    free(L.v);
    return ST_OK;
}

/* net-tools: a contiguous netmask, as dotted quad. */
static bool parse_netmask(const char *s, int *plen)
{
    uint32_t m;
    if (!ip4_pton(s, &m)) return false;
    int n = 0;
    while (n < 32 && (m & (0x80000000u >> n))) n++;
    if (m != ip4_mask(n)) return false;
    *plen = n;
    return true;
}

/* route add|del [-net|-host] TARGET [netmask M] [gw G] [metric N] [reject] [[dev] IF] */
static int route_modify(struct cmd_ctx *c, struct net *net, bool add, int argc, char **argv)
{
    const char *ioctl_name = add ? "SIOCADDRT" : "SIOCDELRT";
    int kind = 0;                               /* 1 -net, 2 -host */
    int i = 0;
    if (i < argc && !strcmp(argv[i], "-net")) { kind = 1; i++; }
    else if (i < argc && !strcmp(argv[i], "-host")) { kind = 2; i++; }
    if (i >= argc) return fail(c, "route", ST_USAGE, "missing target (usage: route %s [-net|-host] TARGET [netmask M] [gw G] [metric N] [[dev] IF])", add ? "add" : "del");
    const char *target = argv[i++];
    uint32_t dst, gw = 0, metric = 0;
    int plen = -1, mask_plen = -1;
    bool have_gw = false, reject = false, have_metric = false;
    struct netdev *dev = NULL;

    if (!strcmp(target, "default")) { dst = 0; plen = 0; }
    else if (!ip4_prefix_pton(target, &dst, &plen) || !strcmp(target, "all"))
        return fail(c, "route", ST_USAGE, "%s: Unknown host", target);
    else if (!strchr(target, '/')) plen = -1;   /* length still to come: netmask or -host */

    for (; i < argc; i++) {
        const char *w = argv[i];
        if (!strcmp(w, "netmask") || !strcmp(w, "genmask")) {
            if (++i >= argc) return fail(c, "route", ST_USAGE, "netmask requires an argument");
            if (!parse_netmask(argv[i], &mask_plen)) return fail(c, "route", ST_USAGE, "bogus netmask %s", argv[i]);
        } else if (!strcmp(w, "gw") || !strcmp(w, "gateway")) {
            if (++i >= argc) return fail(c, "route", ST_USAGE, "gw requires an argument");
            if (!ip4_pton(argv[i], &gw)) return fail(c, "route", ST_USAGE, "%s: Unknown host", argv[i]);
            have_gw = true;
        } else if (!strcmp(w, "metric")) {
            if (++i >= argc || !parse_u32(argv[i], &metric)) return fail(c, "route", ST_USAGE, "metric requires a number");
            have_metric = true;
        } else if (!strcmp(w, "reject")) {
            reject = true;
        } else if (!strcmp(w, "mss") || !strcmp(w, "window") || !strcmp(w, "irtt")) {
            if (++i >= argc) return fail(c, "route", ST_USAGE, "%s requires an argument", w);
        } else if (!strcmp(w, "mod") || !strcmp(w, "dyn") || !strcmp(w, "reinstate")) {
            /* ICMP-redirect flags: nothing to do */
        } else {
            if (!strcmp(w, "dev")) {
                if (++i >= argc) return fail(c, "route", ST_USAGE, "dev requires an argument");
                w = argv[i];
            }
            if (dev) return fail(c, "route", ST_USAGE, "unexpected argument \"%s\"", w);
            if (!(dev = netdev_by_name(net, w))) return fail(c, "route", ST_USAGE, "%s: %s", ioctl_name, strerror(ENODEV));
        }
    }
    if (kind == 2) plen = 32;
    else if (mask_plen >= 0) plen = mask_plen;
    else if (plen < 0) plen = kind == 1 ? 0 : 32;   /* a bare address is a host; -net without mask: /0 */
    if (plen < 32 && (dst & ~ip4_mask(plen))) {
        if (plen == 0) return fail(c, "route", ST_KERNEL, "%s: %s", ioctl_name, strerror(EINVAL));
        return fail(c, "route", ST_USAGE, "netmask doesn't match route address");
    }

    if (!add) {
        struct fib_route m = { .gateway = have_gw ? gw : 0, .ifindex = dev ? dev->ifindex : 0,
                               .type = reject ? RTN_UNREACHABLE : RTN_UNICAST, .metric = have_metric ? metric : 0 };
        if (fib_delete(net->fib, dst, plen, &m) < 0) return fail(c, "route", ST_KERNEL, "%s: %s", ioctl_name, strerror(ESRCH));
        return ST_OK;
    }
    if (!reject) {
        if (have_gw) {
            struct netdev *via = onlink_dev(net, gw);
            if (!via || (dev && via != dev)) return fail(c, "route", ST_KERNEL, "%s: %s", ioctl_name, strerror(ENETUNREACH));
            dev = via;
        }
        if (!dev) return fail(c, "route", ST_KERNEL, "%s: %s", ioctl_name, strerror(ENODEV));
        if (!netif_running(dev)) return fail(c, "route", ST_KERNEL, "%s: %s", ioctl_name, strerror(ENETDOWN));
    }
    struct fib_route r = {
        .prefix = dst, .plen = (uint8_t)plen, .type = reject ? RTN_UNREACHABLE : RTN_UNICAST,
        .scope = (uint8_t)(have_gw || reject ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK), .protocol = RTPROT_BOOT,
        .gateway = have_gw ? gw : 0, .ifindex = reject ? 0 : dev->ifindex, .metric = metric,
    };
    const struct fib_route *old = fib_find(net->fib, r.prefix, r.plen);
    int err = old && old->metric == r.metric && main_table_type(old->type) ? -EEXIST : fib_insert(net->fib, &r);
    if (err < 0) return fail(c, "route", ST_KERNEL, "%s: %s", ioctl_name, strerror(-err));
    return ST_OK;
}

int cmd_route(struct cmd_ctx *c, int argc, char **argv)
{
    bool numeric = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "-net") && strcmp(argv[i], "-host"); i++) {
        for (const char *f = argv[i] + 1; *f; f++) {
            if (*f == 'n') numeric = true;
            else if (*f == 'v' || *f == '4') { /* verbose, inet: nothing to change */ }
            else if (*f == 'A') {
                if (f[1] ? strcmp(f + 1, "inet") : (i + 1 >= argc || strcmp(argv[++i], "inet")))
                    return fail(c, "route", ST_USAGE, "only the inet family is supported");
                break;
            } else return fail(c, "route", ST_USAGE, "invalid option -- '%c'", *f);
        }
    }
    if (i >= argc) return route_show(c, c->net, numeric);
    if (!strcmp(argv[i], "add")) return route_modify(c, c->net, true, argc - i - 1, argv + i + 1);
    if (!strcmp(argv[i], "del") || !strcmp(argv[i], "delete")) return route_modify(c, c->net, false, argc - i - 1, argv + i + 1);
    return fail(c, "route", ST_USAGE, "unknown command \"%s\" (usage: route [-n] | route {add|del} [-net|-host] TARGET ...)", argv[i]);
}

/* ================================================================== bridge / fdb */

int cmd_bridge(struct cmd_ctx *c, int argc, char **argv)
{
    int i = 1;
    while (i < argc && argv[i][0] == '-') i++;      /* -s, -d ... */
    if (i >= argc) return fail(c, "bridge", ST_USAGE, "Object is missing, try \"bridge help\".");
    const char *obj = argv[i];
    if (matches(obj, "fdb")) return fail(c, "bridge", ST_USAGE, "fdb is not built yet (comes with the VXLAN/bridge issues)");
    if (matches(obj, "link") || matches(obj, "mdb") || matches(obj, "vlan") || matches(obj, "vni") || matches(obj, "monitor"))
        return fail(c, "bridge", ST_USAGE, "\"bridge %s\" is not built yet (comes with the VXLAN/bridge issues)", obj);
    return fail(c, "bridge", ST_USAGE, "Object \"%s\" is unknown, try \"bridge help\".", obj);
}

int cmd_fdb(struct cmd_ctx *c, int argc, char **argv)
{
    return fail(c, "fdb", ST_USAGE, "bridge fdb is not built yet (comes with the VXLAN/bridge issues)");
}

/*
 * shell/cmd_nettools.c — net-tools' `arp` and `route` (net-tools 2.10), the ioctl-era
 * front ends. They change the same tables as `ip neigh` and `ip route`, through the same
 * core calls (neigh_admin_set / neigh_admin_del, ip_route_add / ip_route_del), and print
 * /proc/net/arp and /proc/net/route as net-tools formats them.
 */
#include "cmd_ip.h"
#include "arp/arp.h"
#include "ip/ip.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================== arp */

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
    if (arp_table(net)) neigh_for_each(arp_table(net), arp_show_cb, a);
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
    struct netdev *dev = NULL;      /* none: the core routes the address, as the ioctl does */
    if (devname && !(dev = netdev_by_name(net, devname)))
        return fail(c, "arp", ST_KERNEL, "%s: %s", ioctl_name, strerror(ENODEV));
    /* Linux arp_req_set: PERMANENT, or STALE for "temp"; create or replace */
    int err = set ? neigh_admin_set(net, dev, ip, &mac, perm ? NUD_PERMANENT : NUD_STALE,
                                    NLM_F_CREATE | NLM_F_REPLACE, NULL)
                  : neigh_admin_del(net, dev, ip, NULL);
    if (err == -ENOENT && !set) return fail(c, "arp", ST_USAGE, "No ARP entry for %s", argv[0]);
    if (err < 0) return fail(c, "arp", ST_KERNEL, "%s: %s", ioctl_name, strerror(-err));
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

/* ================================================================== route */

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
    bool reject = false;
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
        } else if (!strcmp(w, "metric")) {
            if (++i >= argc || !parse_u32(argv[i], &metric)) return fail(c, "route", ST_USAGE, "metric requires a number");
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
    /* net-tools' own check; a default route with host bits is the kernel's EINVAL */
    if (plen > 0 && plen < 32 && (dst & ~ip4_mask(plen)))
        return fail(c, "route", ST_USAGE, "netmask doesn't match route address");

    /* Linux ip_rt_ioctl: rtentry_to_fib_config, then the same fib_table_insert /
     * fib_table_delete as `ip route` (net-tools shows the errno, not the extack). A reject
     * route ignores device and gateway and has scope host; an add asks NLM_F_CREATE. */
    struct fib_config cfg = {
        .dst = dst, .dst_len = plen, .type = RTN_UNICAST, .scope = RT_SCOPE_NOWHERE,
        .protocol = RTPROT_BOOT, .gateway = gw, .oif = dev ? dev->ifindex : 0,
        .priority = metric, .nlflags = NLM_F_CREATE,
    };
    if (reject) {
        cfg.type = RTN_UNREACHABLE;
        cfg.scope = RT_SCOPE_HOST;
        cfg.gateway = 0;
        cfg.oif = 0;
    }
    int err = add ? ip_route_add(net, &cfg, NULL) : ip_route_del(net, &cfg, NULL);
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

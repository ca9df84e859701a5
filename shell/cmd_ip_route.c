/*
 * shell/cmd_ip_route.c — `ip route` (iproute2's ip/iproute.c). Routes are added and
 * deleted through ip_route_add / ip_route_del (ip/fib_frontend.c), which hold Linux's
 * rules; this file turns words into a struct fib_config and routes into lines.
 */
#include "cmd_ip.h"
#include "ip/ip.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    if (!strcmp(s, "main")) { *table = RT_TABLE_MAIN; return true; }
    if (!strcmp(s, "local")) { *table = RT_TABLE_LOCAL; return true; }
    if (!strcmp(s, "all")) { *table = TABLE_ALL; return true; }
    if (parse_u32(s, &v) && (v == RT_TABLE_MAIN || v == RT_TABLE_LOCAL || v == TABLE_ALL)) { *table = (int)v; return true; }
    return false;
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
    /* iproute2 print_rt_flags: onlink, then linkdown */
    if (r->nh_flags & RTNH_F_ONLINK) put(l, "onlink ");
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
    int table = RT_TABLE_MAIN, how = -1, plen = 0;
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
    if (!rt_list_load(o->net, &L)) return rtnl_fail(c, ENOMEM, NULL);
    for (int pass = 0; pass < 2; pass++) {             /* Linux dumps table main, then local */
        if ((pass == 0 && table == RT_TABLE_LOCAL) || (pass == 1 && table == RT_TABLE_MAIN)) continue;
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

/* The words of `ip route add|del|change|replace` as a request (iproute2's iproute_modify):
 * protocol boot and iproute2's default scope unless given. */
static int rt_parse(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv, struct fib_config *cfg)
{
    bool have_dst = false, inet_known = false;
    *cfg = (struct fib_config){ .scope = RT_SCOPE_NOWHERE, .protocol = RTPROT_BOOT };
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        uint8_t v8;
        if (!strcmp(w, "via")) {
            NEXT_ARG();
            if (!strcmp(argv[i], "inet")) NEXT_ARG();
            if (!ip4_pton(argv[i], &cfg->gateway)) return bad_address(c, inet_known, argv[i]);
            inet_known = true;
        } else if (!strcmp(w, "src")) {
            NEXT_ARG();
            if (!ip4_pton(argv[i], &cfg->prefsrc)) return bad_address(c, inet_known, argv[i]);
            inet_known = true;
        } else if (!strcmp(w, "dev") || !strcmp(w, "oif")) {
            NEXT_ARG();
            struct netdev *dev = find_dev(c, o->net, argv[i]);
            if (!dev) return ST_USAGE;
            cfg->oif = dev->ifindex;
        } else if (matches(w, "metric") || matches(w, "priority") || !strcmp(w, "preference")) {
            NEXT_ARG();
            if (!parse_u32(argv[i], &cfg->priority)) return invarg(c, "\"metric\" value is invalid", argv[i]);
        } else if (matches(w, "protocol")) {
            NEXT_ARG();
            if (!lookup_proto(argv[i], &cfg->protocol)) return invarg(c, "\"protocol\" value is invalid", argv[i]);
        } else if (!strcmp(w, "scope")) {
            NEXT_ARG();
            if (!lookup_scope(argv[i], &cfg->scope)) return invarg(c, "invalid \"scope\" value", argv[i]);
        } else if (matches(w, "table")) {
            NEXT_ARG();
            if (!lookup_table(argv[i], &cfg->table) || cfg->table == TABLE_ALL)
                return invarg(c, "\"table\" value is invalid", argv[i]);
        } else if (!strcmp(w, "onlink")) {
            cfg->flags |= RTNH_F_ONLINK;
        } else if (!strcmp(w, "mtu") || !strcmp(w, "advmss") || !strcmp(w, "hoplimit") || !strcmp(w, "tos") ||
                   !strcmp(w, "nexthop") || !strcmp(w, "from") || !strcmp(w, "realms") || !strcmp(w, "encap")) {
            return fail(c, "ip", ST_USAGE, "route attribute \"%s\" is not supported by tapstack", w);
        } else {
            if (!strcmp(w, "to")) NEXT_ARG();
            if ((argv[i][0] < '0' || argv[i][0] > '9') && lookup_rtn(argv[i], &v8)) { cfg->type = v8; NEXT_ARG(); }
            if (have_dst) return garbage(c, "to", argv[i]);
            if (!parse_prefix(argv[i], &cfg->dst, &cfg->dst_len)) return bad_prefix(c, inet_known, argv[i]);
            have_dst = true;
            if (cfg->dst_len || cfg->dst) inet_known = true;
        }
    }
    if (!have_dst) return incomplete(c);
    return ST_OK;
}

/* add CREATE|EXCL, change REPLACE, replace CREATE|REPLACE; append and prepend behave as
 * add here (tapstack keeps one route per prefix, metric and type). */
static int ip_route_modify(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv, unsigned nlflags)
{
    struct fib_config cfg;
    int st = rt_parse(c, o, argc, argv, &cfg);
    if (st) return st;
    cfg.nlflags = nlflags;
    struct extack ext = { 0 };
    int err = ip_route_add(o->net, &cfg, &ext);
    return err < 0 ? rtnl_fail(c, err, &ext) : ST_OK;
}

static int ip_route_delete(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    struct fib_config cfg;
    int st = rt_parse(c, o, argc, argv, &cfg);
    if (st) return st;
    struct extack ext = { 0 };
    int err = ip_route_del(o->net, &cfg, &ext);
    return err < 0 ? rtnl_fail(c, err, &ext) : ST_OK;
}

static int ip_route_flush(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    int table = RT_TABLE_MAIN;
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
    if (!rt_list_load(o->net, &L)) return rtnl_fail(c, ENOMEM, NULL);
    int n = 0;
    for (size_t k = 0; k < L.n; k++) {
        const struct fib_route *r = &L.v[k].r;
        if (table != TABLE_ALL && main_table_type(r->type) != (table == RT_TABLE_MAIN)) continue;
        if (dev && r->ifindex != dev->ifindex) continue;
        struct fib_config cfg = { .dst = r->prefix, .dst_len = r->plen, .type = r->type, .gateway = r->gateway,
                                  .oif = r->ifindex, .priority = r->metric };
        if (ip_route_del(o->net, &cfg, NULL) == 0) n++;
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
    if (err < 0) return rtnl_fail(c, err, NULL);
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

int ip_route(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    if (argc == 0) return ip_route_show(c, o, 0, argv);
    const char *w = argv[0];
    if (matches(w, "add")) return ip_route_modify(c, o, argc - 1, argv + 1, NLM_F_CREATE | NLM_F_EXCL);
    if (matches(w, "change") || !strcmp(w, "chg")) return ip_route_modify(c, o, argc - 1, argv + 1, NLM_F_REPLACE);
    if (matches(w, "replace")) return ip_route_modify(c, o, argc - 1, argv + 1, NLM_F_CREATE | NLM_F_REPLACE);
    if (matches(w, "prepend") || matches(w, "append")) return ip_route_modify(c, o, argc - 1, argv + 1, NLM_F_CREATE | NLM_F_EXCL);
    if (matches(w, "delete")) return ip_route_delete(c, o, argc - 1, argv + 1);
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

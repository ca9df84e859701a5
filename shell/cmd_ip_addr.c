/*
 * shell/cmd_ip_addr.c — `ip address` (iproute2's ip/ipaddress.c). Addresses are added and
 * removed through ip/devinet.h, which also decides which are secondary.
 */
#include "cmd_ip.h"
#include "ip/ip.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* iproute2's default scope: host for 127/8, global otherwise. */
static const char *ifa_scope(const struct in_ifaddr *a) { return (a->addr >> 24) == 127 ? "host" : "global"; }

/*
 * "    inet A/N scope global [secondary ]LABEL" and the lifetimes line.
 * Linux: no "brd": `ip addr add A/N` sets no broadcast address unless asked (`brd +`), so
 * that is what Linux shows for addresses added the way tapstack adds them. (The core does
 * keep ifa->broadcast — Linux's broadcast route exists either way.)
 */
static void put_ifaddr(struct line *l, const struct in_ifaddr *a)
{
    char ab[16];
    put(l, "    inet %s/%u scope %s %s%s\n", ip4_ntop(a->addr, ab), a->plen, ifa_scope(a),
        (a->flags & IFA_F_SECONDARY) ? "secondary " : "", a->label);
    put(l, "       valid_lft forever preferred_lft forever\n");
}

/* In the device's order, which is Linux's: primaries, then secondaries. */
static void put_ifaddrs(struct cmd_ctx *c, const struct netdev *d, bool brief)
{
    for (const struct in_ifaddr *a = d->ifa_list; a; a = a->next) {
        struct line l = { .n = 0 };
        if (brief) {
            char ab[16];
            put(&l, "%s/%u ", ip4_ntop(a->addr, ab), a->plen);
        } else {
            put_ifaddr(&l, a);
        }
        emit(c, &l);
    }
}

static int ip_addr_show(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    struct netdev *only;
    bool up_only;
    int st = parse_show_dev(c, o, argc, argv, &only, &up_only);
    if (st) return st;
    for (struct netdev *d = o->net->devs; d; d = d->next) {
        if ((only && d != only) || (up_only && !netif_running(d))) continue;
        if (o->inet_only && !d->ifa_list) continue;
        struct line l = { .n = 0 };
        if (o->brief) put(&l, "%-16s %-14s ", d->name, link_state(d));
        else { put_link(&l, o, d, false); put(&l, "\n"); }
        emit(c, &l);
        put_ifaddrs(c, d, o->brief);
        if (o->brief) cmd_printf(c, "\n");
    }
    return ST_OK;
}

/* add|change|replace with iproute2's request flags for each verb, or delete. */
static int ip_addr_modify(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv, unsigned nlflags,
                          bool del)
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
    if (!local) return rtnl_fail(c, EINVAL, NULL);

    if (del) {
        bool wildcard = !strchr(local, '/');
        if (wildcard)       /* iproute2 still deletes by address alone, and says so */
            cmd_error(c, "Warning: Executing wildcard deletion to stay compatible with old scripts.\n"
                         "         Explicitly specify the prefix length (%s/%d) to avoid this warning.\n"
                         "         This special behaviour is likely to disappear in further releases,\n"
                         "         fix your scripts!", local, 32);
        int err = inet_addr_del(d, addr, wildcard ? -1 : plen);
        return err < 0 ? rtnl_fail(c, err, NULL) : ST_OK;
    }
    struct extack ext = { 0 };
    int err = inet_rtm_newaddr(d, addr, plen, nlflags, &ext);
    return err < 0 ? rtnl_fail(c, err, &ext) : ST_OK;
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
    int n = inet_addr_flush(d);
    if (o->stats) {
        if (n) cmd_printf(c, "\n*** Round 1, deleting %d addresses ***\n*** Flush is complete after 1 round ***\n", n);
        else cmd_printf(c, "Nothing to flush.\n");
    }
    return ST_OK;
}

int ip_addr(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    if (argc == 0) return ip_addr_show(c, o, 0, argv);
    const char *w = argv[0];
    if (matches(w, "add")) return ip_addr_modify(c, o, argc - 1, argv + 1, NLM_F_CREATE | NLM_F_EXCL, false);
    if (matches(w, "change") || !strcmp(w, "chg")) return ip_addr_modify(c, o, argc - 1, argv + 1, NLM_F_REPLACE, false);
    if (matches(w, "replace")) return ip_addr_modify(c, o, argc - 1, argv + 1, NLM_F_CREATE | NLM_F_REPLACE, false);
    if (matches(w, "delete")) return ip_addr_modify(c, o, argc - 1, argv + 1, 0, true);
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

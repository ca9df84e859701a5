/*
 * shell/cmd_ip.c — the `ip` command (a subset of iproute2): its global options and the
 * object table. Each object has its own file (see cmd_ip.h).
 */
#include "cmd_ip.h"
#include <errno.h>
#include <string.h>

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

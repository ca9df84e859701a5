/*
 * shell/cmd_bridge.c — iproute2's `bridge fdb` (bridge/fdb.c) and the `fdb` shorthand,
 * for the forwarding databases of bridge devices (bridge/br.h).
 *
 *   bridge fdb show [dev DEV] [br BRIDGE]
 *   bridge fdb add|replace MAC dev DEV master|self [permanent|static|dynamic]
 *   bridge fdb del MAC dev DEV master|self
 *
 * Output is Linux's: "MAC dev DEV master BRIDGE STATE" per entry, grouped by device in
 * ifindex order, STATE "permanent" (the bridge's and its ports' own MACs), "static",
 * "stale" (no frame for 10 s) or nothing (a station heard recently). Linux also lists,
 * with "self permanent", every device's own multicast and unicast filter addresses
 * (33:33:00:00:00:01, 01:00:5e:00:00:01 ...); tapstack keeps no such lists and shows
 * none. VXLAN's forwarding database (dst, append) is not in this build.
 */
#include "cmd_ip.h"
#include "bridge/br.h"
#include "arp/neigh.h"
#include "net/netlink.h"
#include <string.h>

#define NTF_SELF   0x02         /* Linux's ndm_flags */
#define NTF_MASTER 0x04

static int br_rtnl_fail(struct cmd_ctx *c, int err, const struct extack *ext)
{
    if (ext && ext->msg) return fail(c, "bridge", ST_KERNEL, "Error: %s.", ext->msg);
    return fail(c, "bridge", ST_KERNEL, "RTNETLINK answers: %s", strerror(err < 0 ? -err : err));
}

struct fdb_show {
    struct cmd_ctx      *c;
    const struct netdev *dev;     /* the device whose entries are printed now */
};

/* iproute2 print_fdb: "MAC dev DEV master BR " then the state (state_n2a). */
static void fdb_print_one(void *arg, const struct br_fdb_view *v)
{
    struct fdb_show *s = arg;
    if (v->dev != s->dev) return;
    char mac[18];
    const char *state = v->state == NUD_PERMANENT ? "permanent" : v->state == NUD_NOARP ? "static" :
                        v->state == NUD_STALE ? "stale" : "";
    struct line l = { .n = 0 };
    put(&l, "%s dev %s master %s %s\n", eth_ntop(&v->addr, mac), v->dev->name, v->br->name, state);
    emit(s->c, &l);
}

/* Linux rtnl_fdb_dump: device by device; a port's entries come from its master. */
static int fdb_show(struct cmd_ctx *c, int argc, char **argv)
{
    struct netdev *only = NULL, *br_only = NULL;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        struct netdev **slot = !strcmp(w, "dev") ? &only : (!strcmp(w, "br") || !strcmp(w, "brport")) ? &br_only : NULL;
        if (!slot) return fail(c, "bridge", ST_USAGE, "\"%s\" is not supported by tapstack's bridge fdb show", w);
        NEXT_ARG();
        if (!(*slot = netdev_by_name(c->net, argv[i])))
            return fail(c, "bridge", ST_USAGE, "Cannot find device \"%s\"", argv[i]);
    }
    for (struct netdev *d = c->net->devs; d; d = d->next) {
        struct netdev *br = netif_is_bridge_master(d) ? d : d->master;
        if (!br || (only && d != only) || (br_only && br != br_only)) continue;
        struct fdb_show s = { .c = c, .dev = d };
        br_fdb_walk(br, fdb_print_one, &s);
    }
    return ST_OK;
}

struct fdb_req {
    struct eth_addr addr;
    const char     *mac, *dev;
    unsigned        state, flags;
};

/* iproute2 fdb_modify's words. The state starts at NUD_NOARP (static). */
static int fdb_parse(struct cmd_ctx *c, int argc, char **argv, struct fdb_req *r)
{
    r->state = NUD_NOARP;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (!strcmp(w, "dev")) { NEXT_ARG(); r->dev = argv[i]; }
        else if (!strcmp(w, "self")) r->flags |= NTF_SELF;
        else if (matches(w, "master")) r->flags |= NTF_MASTER;
        else if (matches(w, "local") || matches(w, "permanent")) r->state |= NUD_PERMANENT;
        else if (matches(w, "temp") || matches(w, "static")) r->state |= NUD_REACHABLE;
        else if (matches(w, "dynamic")) { r->state |= NUD_REACHABLE; r->state &= ~(unsigned)NUD_NOARP; }
        else if (!strcmp(w, "dst") || !strcmp(w, "port") || !strcmp(w, "vni") || !strcmp(w, "src_vni") ||
                 !strcmp(w, "via"))
            return fail(c, "bridge", ST_USAGE, "\"%s\" is for VXLAN devices, which this build does not have", w);
        else if (!strcmp(w, "vlan") || !strcmp(w, "router") || !strcmp(w, "use") || !strcmp(w, "extern_learn") ||
                 !strcmp(w, "sticky"))
            return fail(c, "bridge", ST_USAGE, "\"%s\" is not supported by tapstack's bridge", w);
        else if (!r->mac) r->mac = w;
        else return fail(c, "bridge", ST_USAGE, "Error: either \"lladdr\" is duplicate, or \"%s\" is a garbage.", w);
    }
    if (!r->mac || !r->dev) return fail(c, "bridge", ST_USAGE, "Device and address are required arguments.");
    if (!parse_mac(r->mac, &r->addr)) return fail(c, "bridge", ST_USAGE, "Invalid mac address %s", r->mac);
    if (!(r->flags & (NTF_SELF | NTF_MASTER))) r->flags |= NTF_SELF;    /* iproute2's default */
    return ST_OK;
}

/* Linux rtnl_fdb_add / rtnl_fdb_del: "master" goes to the bridge of a port, "self" to
 * the device's own table — a bridge's FDB for br0 itself; other devices' own address
 * filters are not kept here. */
static int fdb_modify(struct cmd_ctx *c, int argc, char **argv, int op)
{
    struct fdb_req r = { 0 };
    int st = fdb_parse(c, argc, argv, &r);
    if (st) return st;
    struct netdev *dev = netdev_by_name(c->net, r.dev);
    if (!dev) return fail(c, "bridge", ST_USAGE, "Cannot find device \"%s\"", r.dev);
    if ((r.flags & NTF_SELF) && !netif_is_bridge_master(dev))
        return fail(c, "bridge", ST_USAGE, "\"self\" would change %s's own address filter, which tapstack does "
                    "not keep; say \"master\" for its bridge's forwarding database", dev->name);
    if ((r.flags & NTF_MASTER) && !netif_is_bridge_port(dev) && !(r.flags & NTF_SELF))
        return br_rtnl_fail(c, -EINVAL, NULL);
    struct extack ext = { 0 };
    int err = op == 'd' ? br_fdb_delete(dev, &r.addr, &ext) : br_fdb_add(dev, &r.addr, r.state, op == 'a', &ext);
    return err < 0 ? br_rtnl_fail(c, err, &ext) : ST_OK;
}

static int bridge_fdb(struct cmd_ctx *c, int argc, char **argv)
{
    if (argc == 0) return fdb_show(c, 0, argv);
    const char *w = argv[0];
    if (matches(w, "show") || matches(w, "list") || matches(w, "lst")) return fdb_show(c, argc - 1, argv + 1);
    if (matches(w, "add")) return fdb_modify(c, argc - 1, argv + 1, 'a');
    if (matches(w, "replace")) return fdb_modify(c, argc - 1, argv + 1, 'r');
    if (matches(w, "delete")) return fdb_modify(c, argc - 1, argv + 1, 'd');
    if (matches(w, "append"))
        return fail(c, "bridge", ST_USAGE, "\"append\" is for VXLAN devices, which this build does not have");
    if (matches(w, "help")) {
        cmd_printf(c, "Usage: bridge fdb { add | replace | del } ADDR dev DEV { master | self }\n"
                      "              [ permanent | static | dynamic ]\n"
                      "       bridge fdb [ show [ br BRDEV ] [ dev DEV ] ]\n");
        return ST_OK;
    }
    return fail(c, "bridge", ST_USAGE, "Command \"%s\" is unknown, try \"bridge fdb help\".", w);
}

int cmd_bridge(struct cmd_ctx *c, int argc, char **argv)
{
    int i = 1;
    while (i < argc && argv[i][0] == '-') i++;      /* -s, -d ... */
    if (i >= argc) return fail(c, "bridge", ST_USAGE, "Object is missing, try \"bridge help\".");
    const char *obj = argv[i];
    if (matches(obj, "fdb")) return bridge_fdb(c, argc - i - 1, argv + i + 1);
    if (matches(obj, "link") || matches(obj, "mdb") || matches(obj, "vlan") || matches(obj, "vni") || matches(obj, "monitor"))
        return fail(c, "bridge", ST_USAGE, "\"bridge %s\" is not available in this build yet", obj);
    return fail(c, "bridge", ST_USAGE, "Object \"%s\" is unknown, try \"bridge help\".", obj);
}

int cmd_fdb(struct cmd_ctx *c, int argc, char **argv)
{
    return bridge_fdb(c, argc - 1, argv + 1);
}

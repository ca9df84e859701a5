/*
 * shell/cmd_bridge.c — iproute2's `bridge fdb` (bridge/fdb.c) and the `fdb` shorthand,
 * for the forwarding databases of bridge devices (bridge/br.h).
 *
 *   bridge fdb show [dev DEV] [br BRIDGE]
 *   bridge fdb add|append|replace MAC dev DEV [master|self] [permanent|static|dynamic]
 *                                 [dst IP] [port PORT] [vni VNI] [via DEV]
 *   bridge fdb del MAC dev DEV [master|self] [dst IP] [port PORT] [vni VNI] [via DEV]
 *
 * Output is Linux's: per entry "MAC dev DEV master BRIDGE STATE" for a bridge's FDB and
 * "MAC dev DEV dst IP [port P] [vni V] [via DEV] self STATE" for a vxlan device's,
 * grouped by device in ifindex order; "dev DEV" is left out when the listing is of one
 * device (`show dev DEV`), as iproute2 does. STATE is "permanent" (a bridge's and its
 * ports' own MACs; what `add` makes unless told otherwise), "static", "stale" (no
 * frame for 10 s) or nothing (a station heard recently). Linux also lists, with "self
 * permanent", every device's own multicast and unicast filter addresses
 * (33:33:00:00:00:01, 01:00:5e:00:00:01 ...); tapstack keeps no such lists and shows
 * none. "self" on a vxlan device reaches its own FDB (vxlan/vxlan.h); on a bridge, the
 * bridge's entries for itself.
 */
#include "cmd_ip.h"
#include "bridge/br.h"
#include "vxlan/vxlan.h"
#include "arp/neigh.h"
#include "net/netlink.h"
#include <stdlib.h>
#include <string.h>

static int br_rtnl_fail(struct cmd_ctx *c, int err, const struct extack *ext)
{
    if (ext && ext->msg) return fail(c, "bridge", ST_KERNEL, "Error: %s.", ext->msg);
    return fail(c, "bridge", ST_KERNEL, "RTNETLINK answers: %s", strerror(err < 0 ? -err : err));
}

struct fdb_show {
    struct cmd_ctx      *c;
    const struct netdev *dev;     /* the device whose entries are printed now */
    bool                 one_dev; /* `show dev DEV`: iproute2 leaves "dev DEV" out */
};

/* iproute2 state_n2a as `bridge fdb` uses it. */
static const char *fdb_state_name(unsigned state)
{
    return (state & NUD_PERMANENT) ? "permanent" : (state & NUD_NOARP) ? "static" :
           (state & NUD_STALE) ? "stale" : "";
}

static void fdb_put_mac_dev(struct line *l, const struct fdb_show *s, const struct eth_addr *addr)
{
    char mac[18];
    put(l, "%s ", eth_ntop(addr, mac));
    if (!s->one_dev) put(l, "dev %s ", s->dev->name);
}

/* iproute2 print_fdb for a bridge's entry: "MAC dev DEV master BR STATE". */
static void fdb_print_one(void *arg, const struct br_fdb_view *v)
{
    struct fdb_show *s = arg;
    if (v->dev != s->dev) return;
    struct line l = { .n = 0 };
    fdb_put_mac_dev(&l, s, &v->addr);
    put(&l, "master %s %s\n", v->br->name, fdb_state_name(v->state));
    emit(s->c, &l);
}

/* ... and for a vxlan device's: "MAC dev DEV dst IP [port P] [vni V] [via DEV] self STATE". */
static void fdb_print_vxlan(void *arg, const struct vxlan_fdb_view *v)
{
    struct fdb_show *s = arg;
    struct line l = { .n = 0 };
    fdb_put_mac_dev(&l, s, &v->addr);
    put(&l, "dst %u.%u.%u.%u ", v->dst >> 24, (v->dst >> 16) & 0xff, (v->dst >> 8) & 0xff, v->dst & 0xff);
    if (v->port) put(&l, "port %u ", v->port);
    if (v->vni_differs) put(&l, "vni %u ", v->vni);
    if (v->via) put(&l, "via %s ", v->via->name);
    put(&l, "self %s\n", fdb_state_name(v->state));
    emit(s->c, &l);
}

/* Linux rtnl_fdb_dump: device by device; a port's entries come from its master, a vxlan
 * device's own from itself (a vxlan port of a bridge has both). */
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
        if (only && d != only) continue;
        struct netdev *br = netif_is_bridge_master(d) ? d : d->master;
        struct fdb_show s = { .c = c, .dev = d, .one_dev = only != NULL };
        if (br && (!br_only || br == br_only)) br_fdb_walk(br, fdb_print_one, &s);
        if (netif_is_vxlan(d) && !br_only) vxlan_fdb_walk(d, fdb_print_vxlan, &s);
    }
    return ST_OK;
}

struct fdb_req {
    const char     *mac, *dev;
    unsigned        flags;
    struct vxlan_fdb_req vx;        /* the address, state and the VXLAN words */
};

static int fdb_parse_vxlan_word(struct cmd_ctx *c, const char *w, const char *v, struct fdb_req *r)
{
    unsigned long n;
    char *end;
    if (!strcmp(w, "dst")) {
        int plen;
        if (!parse_prefix(v, &r->vx.dst, &plen) || plen != 32) return fail(c, "bridge", ST_USAGE, "Invalid address \"%s\"", v);
    } else if (!strcmp(w, "via")) {
        struct netdev *d = netdev_by_name(c->net, v);
        if (!d) return fail(c, "bridge", ST_USAGE, "Cannot find device \"%s\"", v);
        r->vx.ifindex = d->ifindex;
    } else {
        unsigned long max = !strcmp(w, "port") ? 65535 : 16777215;
        n = strtoul(v, &end, 0);
        if (!*v || *end || n > max) return fail(c, "bridge", ST_USAGE, "Invalid %s \"%s\"", w, v);
        if (!strcmp(w, "port")) { r->vx.has_port = true; r->vx.port = (uint16_t)n; }
        else { r->vx.has_vni = true; r->vx.vni = (uint32_t)n; }
    }
    return ST_OK;
}

/* iproute2 fdb_modify's words. The state starts at NUD_NOARP (static); with neither
 * permanent nor a reachable state asked for, iproute2 assumes permanent. */
static int fdb_parse(struct cmd_ctx *c, int argc, char **argv, struct fdb_req *r)
{
    unsigned state = NUD_NOARP;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (!strcmp(w, "dev")) { NEXT_ARG(); r->dev = argv[i]; }
        else if (!strcmp(w, "self")) r->flags |= NTF_SELF;
        else if (matches(w, "master")) r->flags |= NTF_MASTER;
        else if (matches(w, "local") || matches(w, "permanent")) state |= NUD_PERMANENT;
        else if (matches(w, "temp") || matches(w, "static")) state |= NUD_REACHABLE;
        else if (matches(w, "dynamic")) { state |= NUD_REACHABLE; state &= ~(unsigned)NUD_NOARP; }
        else if (!strcmp(w, "dst") || !strcmp(w, "port") || !strcmp(w, "vni") || !strcmp(w, "via")) {
            NEXT_ARG();
            int st = fdb_parse_vxlan_word(c, w, argv[i], r);
            if (st) return st;
        } else if (!strcmp(w, "src_vni") || !strcmp(w, "nhid"))
            return fail(c, "bridge", ST_USAGE, "\"%s\" is for VXLAN devices in external (collect_metadata) "
                        "mode, which tapstack does not have", w);
        else if (!strcmp(w, "vlan") || !strcmp(w, "router") || !strcmp(w, "use") || !strcmp(w, "extern_learn") ||
                 !strcmp(w, "sticky"))
            return fail(c, "bridge", ST_USAGE, "\"%s\" is not supported by tapstack's bridge", w);
        else if (!r->mac) r->mac = w;
        else return fail(c, "bridge", ST_USAGE, "Error: either \"lladdr\" is duplicate, or \"%s\" is a garbage.", w);
    }
    if (!r->mac || !r->dev) return fail(c, "bridge", ST_USAGE, "Device and address are required arguments.");
    if (!parse_mac(r->mac, &r->vx.addr)) return fail(c, "bridge", ST_USAGE, "Invalid mac address %s", r->mac);
    if (!(state & (NUD_PERMANENT | NUD_REACHABLE))) state |= NUD_PERMANENT;   /* "Assume permanent" */
    r->vx.state = state;
    if (!(r->flags & (NTF_SELF | NTF_MASTER))) r->flags |= NTF_SELF;    /* iproute2's default */
    return ST_OK;
}

/* The RTM_NEWNEIGH flags of each verb (iproute2 bridge/fdb.c). */
static unsigned fdb_nlflags(int op)
{
    return op == 'a' ? FDB_NLM_F_CREATE | FDB_NLM_F_EXCL : op == 'p' ? FDB_NLM_F_CREATE | FDB_NLM_F_APPEND :
           FDB_NLM_F_CREATE | FDB_NLM_F_REPLACE;
}

/* Linux rtnl_fdb_add / rtnl_fdb_del: "master" goes to the bridge of a port, "self" to
 * the device's own table — a vxlan device's FDB, a bridge's entries for br0 itself;
 * other devices' own address filters are not kept here. */
static int fdb_modify(struct cmd_ctx *c, int argc, char **argv, int op)
{
    struct fdb_req r = { 0 };
    int st = fdb_parse(c, argc, argv, &r);
    if (st) return st;
    struct netdev *dev = netdev_by_name(c->net, r.dev);
    if (!dev) return fail(c, "bridge", ST_USAGE, "Cannot find device \"%s\"", r.dev);
    bool vxlan = netif_is_vxlan(dev);
    if (!vxlan && (r.vx.dst || r.vx.has_port || r.vx.has_vni || r.vx.ifindex))
        return fail(c, "bridge", ST_USAGE, "dst, port, vni and via are for VXLAN devices; %s is not one", dev->name);
    if ((r.flags & NTF_SELF) && !vxlan && !netif_is_bridge_master(dev))
        return fail(c, "bridge", ST_USAGE, "\"self\" would change %s's own address filter, which tapstack does "
                    "not keep; say \"master\" for its bridge's forwarding database", dev->name);
    if ((r.flags & NTF_MASTER) && !netif_is_bridge_port(dev) && !(r.flags & NTF_SELF))
        return br_rtnl_fail(c, -EINVAL, NULL);
    struct extack ext = { 0 };
    int err = 0;
    if ((r.flags & NTF_MASTER) && netif_is_bridge_port(dev)) {
        if (op == 'p') return fail(c, "bridge", ST_USAGE, "\"append\" is for VXLAN devices' own FDB (self)");
        err = op == 'd' ? br_fdb_delete(dev, &r.vx.addr, &ext) : br_fdb_add(dev, &r.vx.addr, r.vx.state, op == 'a', &ext);
    }
    if (!err && (r.flags & NTF_SELF) && vxlan)
        err = op == 'd' ? vxlan_fdb_delete(dev, &r.vx, &ext) : vxlan_fdb_add(dev, &r.vx, fdb_nlflags(op), &ext);
    else if (!err && (r.flags & NTF_SELF) && netif_is_bridge_master(dev)) {
        if (op == 'p') return fail(c, "bridge", ST_USAGE, "\"append\" is for VXLAN devices' own FDB (self)");
        err = op == 'd' ? br_fdb_delete(dev, &r.vx.addr, &ext) : br_fdb_add(dev, &r.vx.addr, r.vx.state, op == 'a', &ext);
    }
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
    if (matches(w, "append")) return fdb_modify(c, argc - 1, argv + 1, 'p');
    if (matches(w, "help")) {
        cmd_printf(c, "Usage: bridge fdb { add | append | replace | del } ADDR dev DEV\n"
                      "              [ self ] [ master ] [ permanent | static | dynamic ]\n"
                      "              [ dst IPADDR ] [ port PORT ] [ vni VNI ] [ via DEV ]\n"
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

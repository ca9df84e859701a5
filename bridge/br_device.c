/*
 * bridge/br_device.c — the bridge device itself and its link kind (Linux:
 * net/bridge/br_device.c and br_netlink.c). br0 sends like a port that reaches every
 * other port: br_dev_xmit looks the destination up in the FDB and forwards or floods.
 * Options (iproute2's, in centiseconds as there): ageing_time, fdb_max_learned.
 */
#include "br_private.h"
#include "net/link.h"
#include "net/netlink.h"
#include "net/trace.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* Linux br_dev_xmit: frames the stack sends on br0 (Ethernet header at data). */
static int br_dev_xmit(struct netdev *dev, struct pkt *p)
{
    struct bridge *br = br_of(dev);
    if (p->len < ETH_HLEN) {
        dev->stats.tx_dropped++;
        pkt_drop(dev->net, p, DROP_PKT_TOO_SMALL);
        return 0;
    }
    const struct eth_addr *dst = (const struct eth_addr *)p->data;
    struct net_bridge_fdb_entry *f = eth_is_multicast(dst) ? NULL : br_fdb_find(br, dst);
    if (f) br_forward(f->dst, p, false, true);
    else br_flood(br, p, false, true);
    return 0;
}

static void br_dev_destroy(struct netdev *dev)
{
    br_fdb_fini(br_of(dev));
}

static const struct netdev_ops br_netdev_ops;

bool netif_is_bridge_master(const struct netdev *dev) { return dev->ops == &br_netdev_ops; }
bool netif_is_bridge_port(const struct netdev *dev) { return dev->rx_handler == br_handle_frame; }

static int br_add_slave(struct netdev *br_dev, struct netdev *dev, struct extack *ext)
{
    return br_add_if(br_dev, dev, ext);
}

static int br_del_slave(struct netdev *br_dev, struct netdev *dev)
{
    return br_del_if(br_dev, dev);
}

static const struct netdev_ops br_netdev_ops = {
    .kind = "bridge", .xmit = br_dev_xmit, .destroy = br_dev_destroy, .xmit_name = "br_dev_xmit",
    .add_slave = br_add_slave, .del_slave = br_del_slave,
};

static int br_parse_u32(const struct link_args *args, const char *key, uint32_t *v, struct extack *ext)
{
    const char *s = link_arg(args, key);
    if (!s) return 0;
    char *end;
    unsigned long long n = strtoull(s, &end, 0);
    if (!*s || *end || *s == '-' || n > UINT32_MAX) {
        NL_SET_ERR_MSG_FMT(ext, "argument \"%s\" is wrong: invalid %s", s, key);
        return -EINVAL;
    }
    *v = (uint32_t)n;
    return 1;
}

/* Linux br_changelink: ageing_time (centiseconds, as clock_t) and fdb_max_learned
 * (0: as many as the table holds, as Linux's "no limit"). Parsed whole, then applied. */
static int br_changelink(struct netdev *dev, const struct link_args *args, struct extack *ext)
{
    static const char *const keys[] = { "ageing_time", "fdb_max_learned", NULL };
    struct bridge *br = br_of(dev);
    uint32_t ageing = 0, max = 0;
    int err, has_ageing, has_max;
    if ((err = link_args_check(args, keys, ext)) < 0) return err;
    if ((has_ageing = br_parse_u32(args, "ageing_time", &ageing, ext)) < 0) return has_ageing;
    if ((has_max = br_parse_u32(args, "fdb_max_learned", &max, ext)) < 0) return has_max;
    if (has_max) br->fdb_max_learned = max && max < BR_FDB_POOL ? max : BR_FDB_POOL;
    if (has_ageing) {
        br->ageing_us = (uint64_t)ageing * 10000;
        br_fdb_ageing_changed(br);
    }
    return 0;
}

/* Linux br_dev_newlink + br_dev_setup: a random MAC (eth_hw_addr_random), no queue,
 * no carrier until a port forwards, and a local FDB entry for its own address. */
static int br_newlink(void *ctx, struct net *net, const char *name, const struct link_args *args,
                      struct extack *ext)
{
    (void)ctx;
    struct netdev *dev = link_alloc(net, name, link_kind_find(net->st, "bridge"), &br_netdev_ops);
    if (!dev) return -EINVAL;
    struct bridge *br = br_of(dev);
    br->dev = dev;
    br->ageing_us = (uint64_t)BR_AGEING_TIME_DEFAULT_CS * 10000;
    br->fdb_max_learned = BR_FDB_MAX_LEARNED_DEFAULT;
    dev->priv_flags |= IFF_NO_QUEUE | IFF_NETNS_LOCAL;     /* Linux br_dev_setup */
    netdev_random_mac(net->st, &dev->addr);
    br->own_addr = dev->addr;           /* the bridge id stays zero until a port joins */
    int err = br_fdb_init(br);
    if (!err) err = br_changelink(dev, args, ext);
    if (!err) err = br_fdb_insert_local(br, NULL, &dev->addr);
    if (!err) err = netdev_register(dev);
    if (err < 0) {
        if (br->fdb) br_fdb_fini(br);
        free(dev);
    }
    return err;
}

/* Linux: a bridge's operstate follows its carrier (UP while a port forwards). */
static enum if_oper br_operstate(const struct netdev *dev)
{
    return netif_oper_up(dev) ? IF_OPER_UP : IF_OPER_DOWN;
}

static const struct link_ops br_link_ops = {
    .kind = "bridge", .priv_size = sizeof(struct bridge), .newlink = br_newlink,
    .changelink = br_changelink, .fill_info = br_fill_info, .operstate = br_operstate,
    .fill_slave_info = br_port_fill_slave_info,
};

bool br_get_counters(const struct netdev *dev, struct br_counters *c)
{
    if (!netif_is_bridge_master(dev)) return false;
    *c = br_of(dev)->cnt;
    return true;
}

int br_init(struct stack *st)
{
    int err = link_kind_register(st, &br_link_ops, NULL);
    return err < 0 ? err : br_if_init(st);
}

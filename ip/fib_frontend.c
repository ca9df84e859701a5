/*
 * ip/fib_frontend.c — adding and deleting routes on request (Linux net/ipv4/fib_frontend.c
 * and the checks of fib_create_info / fib_check_nh / fib_table_insert in fib_semantics.c
 * and fib_trie.c). iproute2's `ip route` (rtnetlink) and net-tools' `route` (the
 * SIOCADDRT ioctl) both end here, as in Linux, where ip_rt_ioctl and inet_rtm_newroute
 * meet in fib_table_insert; so do the default lab, the test fixture and the fuzz target.
 */
#include "ip.h"
#include "net/netdev.h"
#include "net/netlink.h"
#include "net/stack.h"
#include <errno.h>

/* Local and broadcast routes are Linux's table local; the rest, table main. */
static bool main_table_type(uint8_t type) { return type != RTN_LOCAL && type != RTN_BROADCAST; }

static bool rtn_is_reject(uint8_t type)
{
    return type == RTN_BLACKHOLE || type == RTN_UNREACHABLE || type == RTN_PROHIBIT;
}

struct netdev *fib_onlink_dev(struct net *net, uint32_t addr)
{
    const struct fib_route *r = fib_lookup(fib_get_table(net), addr);
    if (!r || r->type != RTN_UNICAST || r->gateway) return NULL;
    return netdev_by_index(net, r->ifindex);
}

/* Linux fib_valid_key_len. */
static bool fib_valid_key_len(uint32_t key, int plen, struct extack *ext)
{
    if (plen < 0 || plen > 32) {
        NL_SET_ERR_MSG(ext, "Invalid prefix length");
        return false;
    }
    if (plen < 32 && (key & ~ip4_mask(plen))) {
        NL_SET_ERR_MSG(ext, "Invalid prefix for given prefix length");
        return false;
    }
    return true;
}

/* Linux fib_check_nh_v4_gw with RTNH_F_ONLINK: the device is given and up, and the
 * gateway is not one of our own addresses. */
static int fib_check_nh_onlink(struct net *net, const struct fib_config *cfg, struct netdev *dev,
                               struct extack *ext)
{
    if (!dev) {
        NL_SET_ERR_MSG(ext, "Nexthop device required for onlink");
        return -ENODEV;
    }
    if (!netif_running(dev)) {
        NL_SET_ERR_MSG(ext, "Nexthop device is not up");
        return -ENETDOWN;
    }
    if (ip_is_local(net, cfg->gateway) || inet_is_bcast(dev, cfg->gateway)) {
        NL_SET_ERR_MSG(ext, "Nexthop has invalid gateway");
        return -EINVAL;
    }
    return 0;
}

/* Linux fib_check_nh: the nexthop device, found from the gateway's connected route when
 * not given (and then it must be that route's device), and up. */
static int fib_check_nh(struct net *net, const struct fib_config *cfg, struct netdev **devp,
                        struct extack *ext)
{
    struct netdev *dev = cfg->oif ? netdev_by_index(net, cfg->oif) : NULL;
    if (cfg->oif && !dev) return -ENODEV;
    if (cfg->gateway && (cfg->flags & RTNH_F_ONLINK)) {
        int err = fib_check_nh_onlink(net, cfg, dev, ext);
        if (err < 0) return err;
    } else if (cfg->gateway) {
        struct netdev *via = fib_onlink_dev(net, cfg->gateway);
        if (!via || (dev && via != dev)) {
            NL_SET_ERR_MSG(ext, "Nexthop has invalid gateway");
            return -ENETUNREACH;
        }
        dev = via;
    }
    if (!dev) return -ENODEV;
    if (!netif_running(dev)) {
        NL_SET_ERR_MSG(ext, "Nexthop device is not up");
        return -ENETDOWN;
    }
    *devp = dev;
    return 0;
}

/* iproute2's default scope (ip/iproute.c): host for local, link for broadcast and for a
 * unicast route without gateway (the destination is on the link), universe otherwise. */
static uint8_t fib_default_scope(uint8_t type, uint32_t gateway)
{
    if (type == RTN_LOCAL) return RT_SCOPE_HOST;
    if (type == RTN_BROADCAST || (type == RTN_UNICAST && !gateway)) return RT_SCOPE_LINK;
    return RT_SCOPE_UNIVERSE;
}

static uint8_t fib_cfg_type(const struct fib_config *cfg)
{
    if (cfg->type) return cfg->type;
    return cfg->table == RT_TABLE_LOCAL ? RTN_LOCAL : RTN_UNICAST;
}

/* Linux fib_create_info: check the request and build the route it asks for. */
static int fib_create_info(struct net *net, const struct fib_config *cfg, struct fib_route *r,
                           struct extack *ext)
{
    uint8_t type = fib_cfg_type(cfg);
    if (cfg->table && (cfg->table == RT_TABLE_LOCAL) == main_table_type(type)) {
        NL_SET_ERR_MSG(ext, "tapstack keeps local and broadcast routes in table local, the others in table main");
        return -EINVAL;
    }
    if (!fib_valid_key_len(cfg->dst, cfg->dst_len, ext)) return -EINVAL;
    struct netdev *dev = NULL;
    if (rtn_is_reject(type)) {
        if (cfg->gateway || cfg->oif) {
            NL_SET_ERR_MSG(ext, "Gateway, device and multipath can not be specified for this route type");
            return -EINVAL;
        }
    } else {
        int err = fib_check_nh(net, cfg, &dev, ext);
        if (err < 0) return err;
    }
    if (cfg->prefsrc && !inet_addr_dev(net, cfg->prefsrc)) {      /* fib_valid_prefsrc */
        NL_SET_ERR_MSG(ext, "Invalid prefsrc address");
        return -EINVAL;
    }
    *r = (struct fib_route){
        .prefix = cfg->dst, .plen = (uint8_t)cfg->dst_len, .type = type,
        .scope = cfg->scope != RT_SCOPE_NOWHERE ? cfg->scope : fib_default_scope(type, cfg->gateway),
        .protocol = cfg->protocol, .gateway = cfg->gateway, .ifindex = dev ? dev->ifindex : 0,
        .prefsrc = cfg->prefsrc, .metric = cfg->priority,
        .nh_flags = (uint8_t)(cfg->flags & RTNH_F_ONLINK),
    };
    return 0;
}

/* The route NLM_F_EXCL and NLM_F_REPLACE are about (Linux fib_find_alias): same prefix,
 * length and metric, in the same table, whatever its type. */
struct fib_same { const struct fib_route *want; struct fib_route found; };

static int fib_same_cb(const struct fib_route *r, void *arg)
{
    struct fib_same *s = arg;
    if (r->metric != s->want->metric || main_table_type(r->type) != main_table_type(s->want->type)) return 0;
    s->found = *r;
    return 1;
}

static int fib_delete_exact(struct fib_table *t, const struct fib_route *r)
{
    struct fib_route m = { .gateway = r->gateway, .ifindex = r->ifindex, .type = r->type, .metric = r->metric };
    return fib_delete(t, r->prefix, r->plen, &m);
}

/* Linux fib_table_insert's flag rules. A replaced route comes back if its successor
 * cannot be inserted. */
static int fib_table_insert(struct fib_table *t, const struct fib_route *r, unsigned nlflags)
{
    struct fib_same s = { .want = r };
    bool exists = fib_walk_prefix(t, r->prefix, r->plen, fib_same_cb, &s);
    if (exists && (nlflags & NLM_F_EXCL)) return -EEXIST;
    if (exists && (nlflags & NLM_F_REPLACE)) {
        fib_delete_exact(t, &s.found);
        int err = fib_insert(t, r);
        if (err < 0) fib_insert(t, &s.found);
        return err;
    }
    if (!(nlflags & NLM_F_CREATE)) return -ENOENT;
    return fib_insert(t, r);
}

int ip_route_add(struct net *net, const struct fib_config *cfg, struct extack *ext)
{
    struct fib_table *t = fib_get_table(net);
    if (!t) return -EAFNOSUPPORT;
    struct fib_route r;
    int err = fib_create_info(net, cfg, &r, ext);
    if (err < 0) return err;
    return fib_table_insert(t, &r, cfg->nlflags);
}

int ip_route_del(struct net *net, const struct fib_config *cfg, struct extack *ext)
{
    static const uint8_t main_types[] = { RTN_UNICAST, RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT };
    static const uint8_t local_types[] = { RTN_LOCAL, RTN_BROADCAST };
    struct fib_table *t = fib_get_table(net);
    if (!t) return -EAFNOSUPPORT;
    if (!fib_valid_key_len(cfg->dst, cfg->dst_len, ext)) return -EINVAL;
    const uint8_t *types = cfg->table == RT_TABLE_LOCAL ? local_types : main_types;
    size_t ntypes = cfg->table == RT_TABLE_LOCAL ? ARRAY_SIZE(local_types) : ARRAY_SIZE(main_types);
    if (cfg->type) { types = &cfg->type; ntypes = 1; }
    struct fib_route m = { .gateway = cfg->gateway, .ifindex = cfg->oif, .metric = cfg->priority };
    for (size_t k = 0; k < ntypes; k++) {
        m.type = types[k];
        if (fib_delete(t, cfg->dst, cfg->dst_len, &m) == 0) return 0;
    }
    return -ESRCH;
}

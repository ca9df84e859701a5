/*
 * ip/route.c — routing decisions over the FIB (Linux net/ipv4/route.c, fib_frontend.c).
 *
 * Connected routes follow addresses and links, as fib_add_ifaddr / fib_del_ifaddr /
 * fib_disable_ip do:
 *   address added           local A/32 (type local, scope host); if the link is up also
 *                           the subnet route (scope link, proto kernel, src A) and the
 *                           subnet broadcast
 *   link up                 the same for every address of the device
 *   link down               every route through the device goes (static ones too)
 *   last address deleted    likewise
 */
#include "ip.h"
#include "net/stack.h"
#include "net/netdev.h"
#include <errno.h>
#include <stdlib.h>

/* The namespace's FIB (net_generic(net, fib_net_id)); Linux: net->ipv4.fib_main. */
struct fib_net { struct fib_table *table; };
static unsigned fib_net_id;

struct fib_table *fib_get_table(const struct net *net)
{
    const struct fib_net *fn = net_generic(net, fib_net_id);
    return fn ? fn->table : NULL;
}

static void fib_magic(struct net *net, enum rtn_type type, uint32_t prefix, int plen,
                      struct netdev *dev, uint32_t src, uint8_t scope)
{
    struct fib_route r = {
        .prefix = prefix & ip4_mask(plen), .plen = (uint8_t)plen, .type = (uint8_t)type,
        .scope = scope, .protocol = RTPROT_KERNEL, .ifindex = dev->ifindex, .prefsrc = src,
    };
    fib_insert(fib_get_table(net), &r);       /* -EEXIST for a second address in a subnet: fine */
}

static void fib_add_ifaddr(struct netdev *dev, const struct in_ifaddr *ifa)
{
    struct net *net = dev->net;
    fib_magic(net, RTN_LOCAL, ifa->addr, 32, dev, ifa->addr, RT_SCOPE_HOST);
    if (!netif_running(dev)) return;
    if (ifa->broadcast) fib_magic(net, RTN_BROADCAST, ifa->broadcast, 32, dev, ifa->addr, RT_SCOPE_LINK);
    if (ifa->plen < 32)
        fib_magic(net, (dev->flags & IFF_LOOPBACK) ? RTN_LOCAL : RTN_UNICAST, ifa->addr, ifa->plen, dev,
                  ifa->addr, (dev->flags & IFF_LOOPBACK) ? RT_SCOPE_HOST : RT_SCOPE_LINK);
}

static void fib_del_ifaddr(struct netdev *dev, const struct in_ifaddr *ifa)
{
    struct fib_table *fib = fib_get_table(dev->net);
    if (!dev->ifa_list) {           /* the last address: nothing can use this device now */
        fib_flush_dev(fib, dev->ifindex);
        return;
    }
    struct fib_route m = { .ifindex = dev->ifindex, .type = RTN_LOCAL };
    fib_delete(fib, ifa->addr, 32, &m);
    /* Another address in the same subnet takes over (promote_secondaries = 1, Debian's
     * default): the subnet and broadcast routes are made again with it as source. */
    const struct in_ifaddr *heir = NULL;
    for (const struct in_ifaddr *a = dev->ifa_list; a && !heir; a = a->next)
        if (a->plen == ifa->plen && ((a->addr ^ ifa->addr) & ip4_mask(a->plen)) == 0) heir = a;
    m.type = RTN_BROADCAST;
    if (ifa->broadcast) fib_delete(fib, ifa->broadcast, 32, &m);
    m.type = (dev->flags & IFF_LOOPBACK) ? RTN_LOCAL : RTN_UNICAST;
    if (ifa->plen < 32) fib_delete(fib, ifa->addr & ip4_mask(ifa->plen), ifa->plen, &m);
    if (heir) fib_add_ifaddr(dev, heir);
}

static void route_netdev_event(struct netdev *dev, enum net_event ev, const void *info)
{
    struct net *net = dev->net;
    struct fib_table *fib = fib_get_table(net);
    if (!fib) return;
    /* fib_netdev_event / fib_inetaddr_event: whatever a device does, cached routes go */
    rt_cache_flush(net);
    switch (ev) {
    case NETDEV_UP:
        for (struct in_ifaddr *a = dev->ifa_list; a; a = a->next) fib_add_ifaddr(dev, a);
        break;
    case NETDEV_DOWN:
    case NETDEV_UNREGISTER:
        fib_flush_dev(fib, dev->ifindex);
        break;
    case INETADDR_UP:   fib_add_ifaddr(dev, info); break;
    case INETADDR_DOWN: fib_del_ifaddr(dev, info); break;
    default: break;
    }
}

bool ip_is_local(struct net *net, uint32_t addr)
{
    const struct fib_route *r = fib_lookup(fib_get_table(net), addr);
    return r && r->type == RTN_LOCAL;
}

enum rtn_type inet_addr_type(struct net *net, uint32_t addr)
{
    /* __inet_dev_addr_type: 0/8 and the limited broadcast are broadcast, class D is
     * multicast; otherwise the answer of table local, and an address that table does
     * not cover is unicast (another host's). */
    if (ipv4_is_zeronet(addr) || ipv4_is_lbcast(addr)) return RTN_BROADCAST;
    if (ipv4_is_multicast(addr)) return RTN_MULTICAST;
    const struct fib_route *r = fib_lookup_local(fib_get_table(net), addr);
    return r ? (enum rtn_type)r->type : RTN_UNICAST;
}

int ip_route_output(struct net *net, uint32_t dst, int oif, struct rt_result *res)
{
    memset(res, 0, sizeof(*res));
    net->rt_stat.out_slow_tot++;
    struct netdev *odev = oif ? netdev_by_index(net, oif) : NULL;
    if (oif && !odev) return -ENODEV;
    if (ipv4_is_lbcast(dst)) {
        if (!odev) {
            /* No device given: out of the device the table would use for it (the
             * default route's), as Linux's output lookup does. */
            const struct fib_route *d = fib_lookup(fib_get_table(net), dst);
            odev = d ? netdev_by_index(net, d->ifindex) : NULL;
            if (!odev) return -ENETUNREACH;
        }
        res->type = RTN_BROADCAST; res->dev = odev; res->nexthop = dst;
        res->src = inet_select_addr(odev, dst);
        return 0;
    }
    const struct fib_route *r = fib_lookup(fib_get_table(net), dst);
    if (r && r->type == RTN_LOCAL) {
        /* To ourselves: through lo, as Linux routes local destinations. */
        res->type = RTN_LOCAL; res->dev = net->loopback; res->nexthop = dst;
        res->src = dst; res->route = r;
        return 0;
    }
    if (odev && (!r || r->ifindex != oif)) {
        /* Bound to a device the table does not route through: Linux assumes the
         * destination is on-link there ("routing tables are wrong", route.c). */
        res->type = RTN_UNICAST; res->dev = odev; res->nexthop = dst;
        res->src = inet_select_addr(odev, dst);
        return odev->ifa_list ? 0 : -EADDRNOTAVAIL;
    }
    if (!r) return -ENETUNREACH;
    switch (r->type) {
    case RTN_BLACKHOLE:   return -EINVAL;
    case RTN_UNREACHABLE: return -EHOSTUNREACH;
    case RTN_PROHIBIT:    return -EACCES;
    default: break;
    }
    struct netdev *dev = netdev_by_index(net, r->ifindex);
    if (!dev) return -ENETUNREACH;
    res->type = (enum rtn_type)r->type;
    res->dev = dev;
    res->nexthop = r->gateway ? r->gateway : dst;
    res->src = r->prefsrc ? r->prefsrc : inet_select_addr(dev, dst);
    res->route = r;
    return 0;
}

int ip_route_input(struct net *net, uint32_t dst, uint32_t src, struct netdev *in, struct rt_result *res)
{
    memset(res, 0, sizeof(*res));
    /* Martian sources (RFC 1812 §5.3.7): never accepted. */
    if (ipv4_is_multicast(src) || ipv4_is_lbcast(src)) return -EINVAL;
    if (ipv4_is_lbcast(dst) || (dst && inet_is_bcast(in, dst))) {
        res->type = RTN_BROADCAST; res->dev = in;
        return 0;
    }
    if (ipv4_is_multicast(dst)) return -EINVAL;         /* no multicast routing/groups */
    if (ipv4_is_zeronet(dst) || ipv4_is_zeronet(src)) return -EINVAL;
    /* "127/8 must not appear on wire" (RFC 1122 §3.2.1.3) unless it came in on lo. */
    if (!(in->flags & IFF_LOOPBACK) && (ipv4_is_loopback(dst) || ipv4_is_loopback(src))) return -EINVAL;
    const struct fib_route *r = fib_lookup(fib_get_table(net), dst);
    /* ip_route_input_slow: with forwarding off, "no route" is "not for this host" */
    if (!r) return net->ipv4.ip_forward ? -ENETUNREACH : -EHOSTUNREACH;
    if (r->type == RTN_LOCAL) {
        res->type = RTN_LOCAL; res->dev = in; res->route = r;
        return 0;
    }
    if (r->type == RTN_BROADCAST) {
        res->type = RTN_BROADCAST; res->dev = in; res->route = r;
        return 0;
    }
    if (!net->ipv4.ip_forward) return -EHOSTUNREACH;
    if (r->type != RTN_UNICAST) return -EHOSTUNREACH;
    struct netdev *dev = netdev_by_index(net, r->ifindex);
    if (!dev) return -ENETUNREACH;
    res->type = RTN_UNICAST; res->dev = dev; res->route = r;
    res->nexthop = r->gateway ? r->gateway : dst;
    res->src = r->prefsrc;
    return 0;
}

static int route_net_init(struct net *net)
{
    struct fib_net *fn = net_generic(net, fib_net_id);
    fn->table = fib_table_new();
    return fn->table ? 0 : -ENOMEM;
}

static void route_net_exit(struct net *net)
{
    struct fib_net *fn = net_generic(net, fib_net_id);
    fib_table_free(fn->table);
    fn->table = NULL;
}

static const struct pernet_ops route_pernet = {
    .name = "fib", .init = route_net_init, .exit = route_net_exit,
    .id = &fib_net_id, .size = sizeof(struct fib_net),
};

int ip_route_init(struct stack *st)
{
    if (pernet_register(st, &route_pernet) < 0) return -1;
    return net_notifier_register(st, route_netdev_event);
}

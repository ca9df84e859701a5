/*
 * ip/dst.c — a connected socket's cached route and neighbour (see dst.h; Linux
 * net/core/dst.c, sock.h's __sk_dst_check, route.c's ipv4_dst_check).
 */
#include "dst.h"
#include "net/stack.h"
#include "net/netdev.h"
#include "arp/arp.h"

static bool sk_dst_current(const struct net *net, const struct sk_dst *d)
{
    return d->rt_genid == net->rt_genid && d->fib_genid == fib_genid(fib_get_table(net));
}

static void sk_dst_stamp(const struct net *net, struct sk_dst *d)
{
    d->rt_genid = net->rt_genid;
    d->fib_genid = fib_genid(fib_get_table(net));
}

const struct rt_result *sk_dst_check(struct net *net, struct sk_dst *d, uint32_t daddr, int oif)
{
    if (!d->valid || d->daddr != daddr || d->oif != oif) return NULL;
    if (!sk_dst_current(net, d)) { d->valid = false; return NULL; }     /* dst_check failed */
    net->rt_stat.out_hit++;
    return &d->rt;
}

void sk_dst_set(struct net *net, struct sk_dst *d, uint32_t daddr, int oif, const struct rt_result *rt)
{
    d->rt = *rt;
    d->rt.neigh = NULL;                 /* found on first use (sk_dst_neigh) */
    d->daddr = daddr;
    d->oif = oif;
    d->bcast = rt->type == RTN_BROADCAST || ipv4_is_lbcast(daddr) || inet_is_bcast(rt->dev, daddr);
    sk_dst_stamp(net, d);
    d->valid = true;
}

struct neigh *sk_dst_neigh(struct net *net, struct sk_dst *d)
{
    if (!d->valid || d->rt.neigh || d->rt.type == RTN_LOCAL || d->bcast) return d->rt.neigh;
    if (!sk_dst_current(net, d)) { d->valid = false; return NULL; }
    /* Only an entry that exists: output creates it, which moves rt_genid, and the next
     * send makes the cache again and finds it. */
    d->rt.neigh = arp_neigh_for(d->rt.dev, d->rt.nexthop);
    return d->rt.neigh;
}

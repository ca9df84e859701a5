/*
 * ip/dst.h — a connected socket's cached route and neighbour (Linux sk_dst_cache with
 * __sk_dst_check / dst_check and ipv4_dst_check's rt_genid test).
 *
 * A connected sender (UDP after connect, TCP) sends to one destination: it looks the
 * route up once and keeps it, with the next hop's neighbour entry. The entry stays good
 * while two generation counts are what they were when it was made:
 *   fib_genid(fib_get_table(net))   every route insert, delete and flush (ip/fib_trie.c)
 *   net->rt_genid         every device event — register, up, down, unregister, address
 *                         or MTU change (ip/route.c's notifier, rt_cache_flush) — and
 *                         every neighbour entry created, destroyed or given a new
 *                         link-layer address (arp/neigh.c)
 * so a cached pointer (the route, the device, the neighbour) is never used after what it
 * points to may have changed or gone. net->rt_stat counts lookups (out_slow_tot, in
 * ip_route_output) and cache hits (out_hit).
 */
#ifndef TS_DST_H
#define TS_DST_H
#include "ip.h"

struct sk_dst {
    bool valid;
    uint32_t rt_genid, fib_genid;   /* the generations it was made in */
    uint32_t daddr;                 /* what it routes */
    int oif;
    bool bcast;                     /* daddr is a broadcast address on that route */
    struct rt_result rt;            /* rt.neigh: the next hop's entry, once known */
};

/* The cached route for daddr out of oif if still current, else NULL (the entry is
 * dropped). Counts a hit. */
const struct rt_result *sk_dst_check(struct net *net, struct sk_dst *d, uint32_t daddr, int oif);
/* Keep rt (from ip_route_output(net, daddr, oif, rt)) for the next sends. */
void sk_dst_set(struct net *net, struct sk_dst *d, uint32_t daddr, int oif, const struct rt_result *rt);
static inline void sk_dst_reset(struct sk_dst *d) { d->valid = false; }
/* The next hop's neighbour entry for a current cache entry, looked up on first use and
 * kept. NULL when the route needs none (loopback, broadcast) or it does not exist yet. */
struct neigh *sk_dst_neigh(struct net *net, struct sk_dst *d);

#endif

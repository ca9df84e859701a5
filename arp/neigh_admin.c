/*
 * arp/neigh_admin.c — neighbour entries set and removed on request: `ip neigh add|change|
 * replace|del` (Linux neigh_add / neigh_delete in net/core/neighbour.c) and net-tools'
 * `arp -s` / `arp -d` (the SIOCSARP / SIOCDARP ioctls: arp_req_set, arp_req_delete in
 * net/ipv4/arp.c). Both front ends end here, as both Linux paths end in neigh_update
 * with NEIGH_UPDATE_F_ADMIN.
 */
#include "arp.h"
#include "ip/ip.h"
#include "net/netdev.h"
#include "net/netlink.h"
#include "net/stack.h"
#include <errno.h>

/* The ioctls take no device: Linux arp_req_set routes the address (RTO_ONLINK) and uses
 * the device it leaves by. */
static int neigh_admin_dev(struct net *net, uint32_t ip, struct netdev **dev)
{
    if (*dev) return 0;
    *dev = fib_onlink_dev(net, ip);
    return *dev ? 0 : -ENETUNREACH;
}

int neigh_admin_set(struct net *net, struct netdev *dev, uint32_t ip, const struct eth_addr *lladdr,
                    uint8_t state, unsigned nlflags, struct extack *ext)
{
    struct neigh_table *tbl = arp_table(net);
    if (!tbl) return -EAFNOSUPPORT;
    int err = neigh_admin_dev(net, ip, &dev);
    if (err < 0) return err;
    unsigned flags = NEIGH_UPDATE_F_ADMIN | NEIGH_UPDATE_F_OVERRIDE;
    struct neigh *n = neigh_lookup(tbl, ip, dev);
    bool created = false;
    if (n) {
        if (nlflags & NLM_F_EXCL) return -EEXIST;
        if (!(nlflags & NLM_F_REPLACE)) flags &= ~(unsigned)NEIGH_UPDATE_F_OVERRIDE;
    } else {
        if (!(nlflags & NLM_F_CREATE)) return -ENOENT;
        if (!(n = neigh_create(tbl, ip, dev))) return -ENOBUFS;
        created = true;
    }
    err = neigh_update(n, lladdr, state, flags);
    if (err < 0) {
        /* Linux leaves a NONE entry for the garbage collector; nobody could see it */
        if (created) neigh_destroy(n);
        if (err == -EINVAL && !lladdr) NL_SET_ERR_MSG(ext, "No link layer address given");
    }
    return err;
}

int neigh_admin_del(struct net *net, struct netdev *dev, uint32_t ip, struct extack *ext)
{
    struct neigh_table *tbl = arp_table(net);
    if (!tbl) return -EAFNOSUPPORT;
    int err = neigh_admin_dev(net, ip, &dev);
    if (err < 0) return err;
    struct neigh *n = neigh_lookup(tbl, ip, dev);
    if (!n) return -ENOENT;
    neigh_destroy(n);
    return 0;
}

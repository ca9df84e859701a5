/*
 * arp/arp.h — what ip/ and shell/ may call of ARP.
 */
#ifndef TS_ARP_H
#define TS_ARP_H
#include "net/types.h"
#include "neigh.h"

struct extack;

int  arp_init(struct stack *st);
/* The namespace's ARP neighbour table (NULL in a stack built without ARP). Entries are
 * read through it; they change on received ARP, on output, and through neigh_admin_set
 * / neigh_admin_del (the `ip neigh` and `arp` commands). */
struct neigh_table *arp_table(const struct net *net);
/* Send an ARP packet (Linux arp_send); target_hw NULL means zeros, dest_hw NULL broadcast. */
void arp_send(int op, uint32_t dest_ip, struct netdev *dev, uint32_t src_ip,
              const struct eth_addr *dest_hw, const struct eth_addr *src_hw,
              const struct eth_addr *target_hw);
/* Announce addr on dev (gratuitous ARP request, sender = target = addr). */
void arp_announce(struct netdev *dev, uint32_t addr);
/* `ip neigh add|change|replace` and `arp -s` (arp/neigh_admin.c): set the entry for ip on
 * dev to state with lladdr (NULL: keep the known one), as an administrator may — even
 * PERMANENT and NOARP entries change. nlflags as netlink's: NLM_F_CREATE makes a missing
 * entry (else -ENOENT), NLM_F_EXCL refuses an existing one (-EEXIST), and without
 * NLM_F_REPLACE an existing entry keeps a different lladdr. dev NULL: the device of the
 * on-link route to ip, as the ARP ioctls find it (-ENETUNREACH if none). -EINVAL "No link
 * layer address given" when the state needs one and none is known; an entry made for a
 * request that fails is removed again. */
int  neigh_admin_set(struct net *net, struct netdev *dev, uint32_t ip, const struct eth_addr *lladdr,
                     uint8_t state, unsigned nlflags, struct extack *ext);
/* `ip neigh del`, `ip neigh flush` and `arp -d`: remove the entry (queued packets are
 * dropped with it). -ENOENT if there is none; dev NULL as above. */
int  neigh_admin_del(struct net *net, struct netdev *dev, uint32_t ip, struct extack *ext);

/* Hand an IPv4 packet to the neighbour layer for nexthop on dev (ip_finish_output2). */
int  arp_output(struct netdev *dev, uint32_t nexthop, struct pkt *p);
/* The entry a unicast next hop resolves through (Linux ip_neigh_for_gw), for a socket's
 * route cache: NULL when the device resolves nothing (loopback, NOARP, broadcast) or
 * there is no entry yet (arp_output makes it). */
struct neigh *arp_neigh_for(struct netdev *dev, uint32_t nexthop);
/* arp_output through an entry already found. */
int  arp_neigh_output(struct neigh *n, struct pkt *p);

#endif

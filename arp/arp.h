/*
 * arp/arp.h — what ip/ and shell/ may call of ARP.
 */
#ifndef TS_ARP_H
#define TS_ARP_H
#include "net/types.h"
#include "neigh.h"

int  arp_init(struct stack *st);
/* Send an ARP packet (Linux arp_send); target_hw NULL means zeros, dest_hw NULL broadcast. */
void arp_send(int op, uint32_t dest_ip, struct netdev *dev, uint32_t src_ip,
              const struct eth_addr *dest_hw, const struct eth_addr *src_hw,
              const struct eth_addr *target_hw);
/* Announce addr on dev (gratuitous ARP request, sender = target = addr). */
void arp_announce(struct netdev *dev, uint32_t addr);
/* Hand an IPv4 packet to the neighbour layer for nexthop on dev (ip_finish_output2). */
int  arp_output(struct netdev *dev, uint32_t nexthop, struct pkt *p);
/* The entry a unicast next hop resolves through (Linux ip_neigh_for_gw), for a socket's
 * route cache: NULL when the device resolves nothing (loopback, NOARP, broadcast) or
 * there is no entry yet (arp_output makes it). */
struct neigh *arp_neigh_for(struct netdev *dev, uint32_t nexthop);
/* arp_output through an entry already found. */
int  arp_neigh_output(struct neigh *n, struct pkt *p);

#endif

/*
 * net/eth.h — Ethernet II framing (IEEE 802.3 with DIX ethertypes).
 */
#ifndef TS_ETH_H
#define TS_ETH_H
#include "types.h"

/* Validate, classify (own / broadcast / multicast / other host), pull the header and
 * dispatch by ethertype (Linux: eth_type_trans + deliver_skb via ptype_base). Consumes p. */
void eth_rcv(struct netdev *dev, struct pkt *p);
/* Push an Ethernet header (Linux: eth_header); -1 if the headroom is short. */
int eth_header(struct pkt *p, const struct eth_addr *dst, const struct eth_addr *src, uint16_t type);
extern const struct eth_addr eth_broadcast;

#endif

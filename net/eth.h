/*
 * net/eth.h — Ethernet II framing (IEEE 802.3 with DIX ethertypes).
 */
#ifndef TS_ETH_H
#define TS_ETH_H
#include "types.h"

/* Validate, classify (own / broadcast / multicast / other host), pull the header and
 * dispatch by ethertype (Linux: eth_type_trans + deliver_skb via ptype_base). Consumes p.
 * classified: p->pkt_type is already set by the device the frame came in on (a bridge
 * port, for a frame the bridge passes up), and stays. */
void eth_rcv(struct netdev *dev, struct pkt *p, bool classified);
/* Linux eth_type_trans's class of a frame to dst received on dev: PACKET_BROADCAST,
 * PACKET_MULTICAST, PACKET_HOST (dev's own MAC; anything on a loopback) or
 * PACKET_OTHERHOST. */
uint8_t eth_pkt_type(const struct netdev *dev, const struct eth_addr *dst);
/* Push an Ethernet header (Linux: eth_header); -1 if the headroom is short. */
int eth_header(struct pkt *p, const struct eth_addr *dst, const struct eth_addr *src, uint16_t type);
extern const struct eth_addr eth_broadcast;

#endif

/* ip/ip_priv.h — shared between ip/ files only. */
#ifndef TS_IP_PRIV_H
#define TS_IP_PRIV_H
#include "ip.h"

void ip_rcv(struct netdev *dev, struct pkt *p);
void ip_local_deliver(struct net *net, struct pkt *p);
void ip_forward(struct net *net, struct pkt *p, const struct rt_result *rt);
int  ip_route_init(struct stack *st);
/* Last step of output: neighbour resolution and the device (ip_finish_output2). */
int  ip_finish_output2(struct net *net, struct pkt *p, const struct rt_result *rt);
/* Is p too big for mtu? A GSO packet is not when each of its segments fits (Linux
 * ip_exceeds_mtu / skb_gso_validate_network_len). p->data at the IP header. */
bool ip_exceeds_mtu(const struct pkt *p, unsigned mtu);

#endif

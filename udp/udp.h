/*
 * udp/udp.h — UDP (RFC 768, RFC 1122 §4.1) on the socket layer.
 */
#ifndef TS_UDP_H
#define TS_UDP_H
#include "net/sock.h"
#include "udp_wire.h"

int udp_init(struct stack *st);
/* The socket that would receive a datagram with these addresses (Linux
 * __udp4_lib_lookup): the most specific match wins. NULL if none. */
struct sock *udp_lookup(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport);
/* Every UDP socket of net in port order (for ss). */
void udp_for_each(struct net *net, void (*fn)(struct sock *sk, void *arg), void *arg);
/* Encapsulation sockets (VXLAN): set before or after bind. The hook runs after the
 * checksum is verified; it returns 0 when it consumed the packet, > 0 to have UDP deliver
 * it as an ordinary datagram. p->data is at the UDP header. -EINVAL if sk is not UDP. */
int udp_set_encap(struct sock *sk, int (*encap_rcv)(struct sock *sk, struct pkt *p),
                  void (*encap_destroy)(struct sock *sk), void *user);
/* encap_destroy (may be NULL) runs when the socket closes (Linux encap_destroy), before
 * it is unhashed: the owner must forget sk. */
/* An encapsulation socket (its port carries a tunnel: the trace decodes it as VXLAN). */
bool udp_sk_is_encap(struct sock *sk);
/* The UDP checksum of the datagram at u inside p (its length field set), partial when
 * dev can finish it (Linux udp_set_csum). Addresses host order. */
void udp4_set_csum(struct pkt *p, uint8_t *u, uint32_t saddr, uint32_t daddr, struct netdev *dev);

#endif

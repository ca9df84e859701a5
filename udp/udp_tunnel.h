/*
 * udp/udp_tunnel.h — what a UDP tunnel (VXLAN) needs of UDP and IPv4 (Linux:
 * net/ipv4/udp_tunnel_core.c and udp_flow_src_port in include/net/udp.h).
 */
#ifndef TS_UDP_TUNNEL_H
#define TS_UDP_TUNNEL_H
#include "net/types.h"
#include "ip/ip.h"

struct pkt;
struct sock;

/* A kernel UDP socket on port (any address) in net whose datagrams go to encap_rcv
 * (Linux udp_sock_create + setup_udp_tunnel_sock). NULL with *err set (-EADDRINUSE when
 * a socket has the port). Release it with sock_close. */
struct sock *udp_tunnel_sock_create(struct net *net, uint16_t port,
                                    int (*encap_rcv)(struct sock *sk, struct pkt *p),
                                    void (*encap_destroy)(struct sock *sk), void *user, int *err);

/* Linux udp_flow_src_port: the outer source port of an encapsulated frame, a hash of its
 * inner flow mapped onto [min, max) (ip_local_port_range when min >= max), so one inner
 * flow keeps one outer port (the underlay's ECMP and RSS keep it on one path) and
 * different flows spread. The hash is keyed with the stack's seeded generator (Linux:
 * skb_get_hash with its boot-time random key). p->data at the inner Ethernet header. */
uint16_t udp_flow_src_port(struct net *net, const struct pkt *p, unsigned min, unsigned max);

/* Linux udp_tunnel_xmit_skb -> iptunnel_xmit -> ip_local_out: push the UDP header onto
 * the payload at p->data, set its checksum (none when !csum; partial when the route's
 * device finishes it), and send the datagram on the route rt looked up by the caller.
 * Consumes p; 0 or -errno. */
struct udp_tunnel_xmit {
    uint32_t saddr, daddr;
    uint16_t sport, dport;
    uint8_t  tos, ttl;
    bool     df, csum;
};
int udp_tunnel_xmit_skb(struct net *net, struct pkt *p, const struct rt_result *rt,
                        const struct udp_tunnel_xmit *x);

#endif

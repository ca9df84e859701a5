/*
 * ip/ip.h — what other folders may call of IPv4.
 */
#ifndef TS_IP_H
#define TS_IP_H
#include "net/types.h"
#include "ip_wire.h"
#include "fib.h"

int  ip_init(struct stack *st);

/* Routing (ip/route.c). */
struct rt_result {
    enum rtn_type type;
    struct netdev *dev;         /* output device (lo for local) */
    uint32_t nexthop;           /* gateway, or the destination when on-link */
    uint32_t src;               /* preferred source address */
    const struct fib_route *route;
    struct neigh *neigh;        /* the next hop's entry when a socket's cache knows it
                                 * (ip/dst.h); NULL: looked up on output */
};
/* Output route for locally generated packets; -ENETUNREACH if none. oif 0: any. */
int  ip_route_output(struct net *net, uint32_t dst, int oif, struct rt_result *res);
/* Input route for a received packet (Linux ip_route_input_noref): local, broadcast or forward. */
int  ip_route_input(struct net *net, uint32_t dst, uint32_t src, struct netdev *in, struct rt_result *res);
/* Is addr one of ours (any device of net)? */
bool ip_is_local(struct net *net, uint32_t addr);
/* What addr is to this host (Linux inet_addr_type_dev_table): RTN_LOCAL, RTN_BROADCAST,
 * RTN_MULTICAST, or RTN_UNICAST for anything else. */
enum rtn_type inet_addr_type(struct net *net, uint32_t addr);

/* Send a transport payload (p->data at the transport header) as an IPv4 datagram.
 * Routes, builds the header, fragments to the route MTU, resolves the neighbour.
 * src 0: chosen by routing. ttl 0: ip_default_ttl. df: set Don't Fragment.
 * Consumes p. Returns 0 or -errno (ENETUNREACH, EMSGSIZE, ENOBUFS). */
struct ip_send_opts {
    uint32_t src, dst; uint8_t proto, tos, ttl; bool df; int oif;
    bool id_set; uint16_t id;       /* a connected socket's own IP ID (inet_id) */
};
int  ip_send(struct net *net, struct pkt *p, const struct ip_send_opts *o);
/* The same on a route the caller already looked up (no second lookup). */
int  ip_send_rt(struct net *net, struct pkt *p, const struct ip_send_opts *o, const struct rt_result *rt);
/* Output a complete IP datagram (header at p->data) on a route: fragment as needed. */
int  ip_output(struct net *net, struct pkt *p, const struct rt_result *rt);
uint16_t ip_select_id(struct net *net);

/* Reassembly (ip/ip_fragment.c). Takes a fragment (IP header at p->data, trimmed to its
 * total length, already checked by ip_rcv). Returns the reassembled datagram, with the
 * IP header at data and tot_len/frag fields rewritten, or NULL when the fragment was
 * queued or dropped (then it was consumed). */
struct pkt *ip_defrag(struct net *net, struct pkt *p);
int  ipfrag_net_init(struct net *net);
void ipfrag_net_exit(struct net *net);
/* Bytes currently held by fragment queues (for tests and `ip -s`). */
size_t ipfrag_mem(const struct net *net);
unsigned ipfrag_queues(const struct net *net);

/* Fragment a datagram that is too big for mtu (Linux ip_do_fragment): calls out(arg, frag)
 * for each fragment (IP header at data); consumes p. -EMSGSIZE if DF is set. */
int  ip_fragment(struct net *net, struct pkt *p, unsigned mtu,
                 int (*out)(void *arg, struct pkt *frag), void *arg);

#endif

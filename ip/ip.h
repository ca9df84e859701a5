/*
 * ip/ip.h — what other folders may call of IPv4.
 */
#ifndef TS_IP_H
#define TS_IP_H
#include "net/types.h"
#include "ip_wire.h"
#include "fib.h"
#include "devinet.h"

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

/* The namespace's FIB, for reading (ip route show, route -n). Routes change only
 * through ip_route_add / ip_route_del (ip/fib_frontend.c) and the connected routes that
 * follow addresses and links (ip/route.c). NULL in a stack without IPv4 routing. */
struct fib_table *fib_get_table(const struct net *net);

/*
 * Route configuration (ip/fib_frontend.c; Linux inet_rtm_newroute / ip_rt_ioctl ->
 * fib_table_insert / fib_table_delete): the one way `ip route` and `route` change the
 * FIB. tapstack keeps one FIB whose routes carry a type: local and broadcast routes are
 * what Linux keeps in table local, the others are table main.
 */
enum { RT_TABLE_UNSPEC = 0, RT_TABLE_MAIN = 254, RT_TABLE_LOCAL = 255 };
#define RTNH_F_ONLINK 0x4               /* the gateway is on the link, whatever the FIB says */

struct fib_config {                     /* Linux struct fib_config */
    uint32_t dst;                       /* prefix, host order; host bits must be 0 */
    int      dst_len;                   /* 0..32 */
    uint8_t  type;                      /* RTN_*; 0: unicast (local in table local) */
    uint8_t  scope;                     /* RT_SCOPE_*; RT_SCOPE_NOWHERE: iproute2's default
                                           (host for local, link for broadcast and for
                                           unicast without gateway, else universe) */
    uint8_t  protocol;                  /* RTPROT_*; both front ends send RTPROT_BOOT */
    uint32_t gateway;                   /* 0: none */
    int      oif;                       /* output ifindex; 0: from the gateway */
    uint32_t prefsrc;                   /* 0: none */
    uint32_t priority;                  /* metric */
    int      table;                     /* RT_TABLE_MAIN or RT_TABLE_LOCAL; 0: by type */
    unsigned flags;                     /* RTNH_F_ONLINK */
    unsigned nlflags;                   /* NLM_F_*: add CREATE|EXCL, replace CREATE|REPLACE,
                                           change REPLACE (net/netlink.h) */
};

/* Validate (fib_create_info, fib_check_nh) and insert. Errors, with Linux's extack:
 *   -EINVAL   "Invalid prefix length", "Invalid prefix for given prefix length",
 *             "Gateway, device and multipath can not be specified for this route type",
 *             "Invalid prefsrc address", a type in the other table's kind, a local
 *             gateway with onlink ("Nexthop has invalid gateway")
 *   -ENETUNREACH "Nexthop has invalid gateway" (no connected route to it, or not via oif)
 *   -ENODEV   no device and no gateway; "Nexthop device required for onlink"
 *   -ENETDOWN "Nexthop device is not up"
 *   -EEXIST   a route of that prefix and metric in the same table, with NLM_F_EXCL
 *   -ENOENT   nothing to replace without NLM_F_CREATE */
int  ip_route_add(struct net *net, const struct fib_config *cfg, struct extack *ext);
/* Delete the first route of dst/dst_len that matches every given field of cfg (type 0:
 * any type of the table; gateway, oif, priority 0: any). -ESRCH if none, -EINVAL for a
 * bad prefix (with the same messages as add). */
int  ip_route_del(struct net *net, const struct fib_config *cfg, struct extack *ext);
/* The device whose connected route (link scope, no gateway) covers addr: where Linux
 * finds a gateway's device, and the ARP ioctls an entry's. NULL if none. */
struct netdev *fib_onlink_dev(struct net *net, uint32_t addr);

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
/* Register reassembly's per-namespace state (ip_init does it; a test may do it alone). */
int  ipfrag_init(struct stack *st);
/* Its pernet init and exit: exit drops every held fragment (DROP_NETNS_GONE). */
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

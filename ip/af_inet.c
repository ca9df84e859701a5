/*
 * ip/af_inet.c — assembling the IPv4 stack (Linux inet_init in net/ipv4/af_inet.c):
 * every layer registers itself with the one below, in dependency order, then the default
 * namespace is created.
 */
#include "ip.h"
#include "ip_priv.h"
#include "net/stack.h"
#include "net/loopback.h"
#include "arp/arp.h"
#include "icmp/icmp.h"
#include "inet.h"

static void ip_eth_rcv(struct netdev *dev, struct pkt *p) { ip_rcv(dev, p); }

static int ipfrag_pernet_init(struct net *net) { return ipfrag_net_init(net); }
static void ipfrag_pernet_exit(struct net *net) { ipfrag_net_exit(net); }
static const struct pernet_ops ipfrag_pernet = { .name = "ipfrag", .init = ipfrag_pernet_init, .exit = ipfrag_pernet_exit };

int ip_init(struct stack *st)
{
    if (ip_route_init(st) < 0) return -1;           /* FIB first: lo's address needs it */
    if (pernet_register(st, &ipfrag_pernet) < 0) return -1;
    return eth_proto_register(st, ETH_P_IP, ip_eth_rcv, "ip");
}

struct stack *inet_stack_new(const struct stack_cfg *cfg)
{
    struct stack *st = stack_new(cfg);
    if (!st) return NULL;
    if (ip_init(st) < 0 || loopback_init(st) < 0 || arp_init(st) < 0 || icmp_init(st) < 0 ||
        inet_extra_init(st) < 0 || !net_new(st, "")) {
        stack_free(st);
        return NULL;
    }
    return st;
}

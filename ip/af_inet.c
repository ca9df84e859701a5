/*
 * ip/af_inet.c — assembling the IPv4 stack (Linux inet_init in net/ipv4/af_inet.c):
 * every layer registers itself with the one below, in dependency order, then the default
 * namespace is created.
 */
#include "ip.h"
#include "ip_priv.h"
#include "net/stack.h"
#include "net/loopback.h"
#include "veth/veth.h"
#include "arp/arp.h"
#include "icmp/icmp.h"
#include "inet.h"
#include "net/sysctl.h"

static void ip_eth_rcv(struct netdev *dev, struct pkt *p) { ip_rcv(dev, p); }

/* Linux inet_init_net (and ipv4_sysctl_init_net): IPv4's own defaults and sysctls.
 * Reassembly, ICMP and ARP set theirs in their own pernet init. */
static int inet_net_init(struct net *net)
{
    struct ipv4_sysctl *s = &net->ipv4;
    s->ip_forward = 0;
    s->ip_default_ttl = 64;
    s->ip_local_port_lo = 32768;
    s->ip_local_port_hi = 60999;
    sysctl_register(net, "net.ipv4.ip_forward", &s->ip_forward, SC_INT, 0, 1, NULL, net);
    sysctl_register(net, "net.ipv4.conf.all.forwarding", &s->ip_forward, SC_INT, 0, 1, NULL, net);
    sysctl_register(net, "net.ipv4.ip_default_ttl", &s->ip_default_ttl, SC_INT, 1, 255, NULL, net);
    /* one key, two values ("32768\t60999"), as Linux's proc_dointvec pair */
    sysctl_register(net, "net.ipv4.ip_local_port_range", &s->ip_local_port_lo, SC_INT_PAIR, 1, 65535, NULL, net);
    return 0;
}

static const struct pernet_ops inet_pernet = { .name = "inet", .init = inet_net_init };

int ip_init(struct stack *st)
{
    if (pernet_register(st, &inet_pernet) < 0) return -1;
    if (devinet_init(st) < 0) return -1;            /* first notifier: addresses go before routes */
    if (ip_route_init(st) < 0) return -1;           /* FIB before lo: lo's address needs it */
    if (ipfrag_init(st) < 0) return -1;
    return eth_proto_register(st, ETH_P_IP, ip_eth_rcv, "ip");
}

struct stack *inet_stack_new(const struct stack_cfg *cfg)
{
    struct stack *st = stack_new(cfg);
    if (!st) return NULL;
    if (ip_init(st) < 0 || loopback_init(st) < 0 || veth_init(st) < 0 || arp_init(st) < 0 ||
        icmp_init(st) < 0 || inet_extra_init(st) < 0 || !net_new(st, "")) {
        stack_free(st);
        return NULL;
    }
    return st;
}

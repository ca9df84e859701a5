/* udp/udp_tunnel.c — UDP tunnel sockets and output (see udp_tunnel.h). */
#include "udp_tunnel.h"
#include "udp.h"
#include "net/stack.h"
#include "net/netdev.h"
#include "net/trace.h"
#include <sys/socket.h>

struct sock *udp_tunnel_sock_create(struct net *net, uint16_t port,
                                    int (*encap_rcv)(struct sock *sk, struct pkt *p),
                                    void (*encap_destroy)(struct sock *sk), void *user, int *err)
{
    struct sock *sk = sock_create(net, SOCK_DGRAM, IPPROTO_UDP, err);
    if (!sk) return NULL;
    if ((*err = sock_bind(sk, 0, port)) < 0 ||
        (*err = udp_set_encap(sk, encap_rcv, encap_destroy, user)) < 0) {
        sock_close(sk);
        return NULL;
    }
    return sk;
}

/* A keyed mix of 32-bit words (the finaliser of MurmurHash3 after each word): cheap,
 * and the seeded key keeps outer ports unpredictable from outside as Linux's random
 * hash key does. */
static uint32_t flow_mix(uint32_t h, uint32_t w)
{
    h ^= w * 0xcc9e2d51u;
    h = (h << 13 | h >> 19) * 5 + 0xe6546b64u;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    return h;
}

/* Linux skb_get_hash over the inner frame (the flow dissector): IPv4 addresses and
 * protocol, plus the ports of a TCP or UDP first fragment; other frames hash their
 * Ethernet addresses (use_eth). */
static uint32_t inner_flow_hash(uint32_t key, const struct pkt *p)
{
    const uint8_t *d = p->data;
    uint32_t h = key;
    if (p->len >= ETH_HLEN + 20 && get_be16(d + 12) == ETH_P_IP && (d[ETH_HLEN] >> 4) == 4) {
        const uint8_t *ip = d + ETH_HLEN;
        size_t ihl = (size_t)(ip[0] & 0xf) * 4;
        h = flow_mix(flow_mix(flow_mix(h, get_be32(ip + 12)), get_be32(ip + 16)), ip[9]);
        bool first = (get_be16(ip + 6) & 0x1fff) == 0;
        if (first && (ip[9] == IPPROTO_TCP || ip[9] == IPPROTO_UDP) && ihl >= 20 &&
            p->len >= ETH_HLEN + ihl + 4)
            h = flow_mix(h, get_be32(ip + ihl));
        return h;
    }
    for (int i = 0; i + 4 <= 12 && (size_t)i + 4 <= p->len; i += 4) h = flow_mix(h, get_be32(d + i));
    return flow_mix(h, p->protocol);
}

uint16_t udp_flow_src_port(struct net *net, const struct pkt *p, unsigned min, unsigned max)
{
    if (min >= max) {
        min = (unsigned)net->ipv4.ip_local_port_lo;
        max = (unsigned)net->ipv4.ip_local_port_hi;
    }
    uint32_t hash = inner_flow_hash(net->st->flow_hash_key, p);
    hash ^= hash << 16;                 /* as Linux: only the upper 16 bits count below */
    return (uint16_t)((((uint64_t)hash * (max - min)) >> 32) + min);
}

int udp_tunnel_xmit_skb(struct net *net, struct pkt *p, const struct rt_result *rt,
                        const struct udp_tunnel_xmit *x)
{
    uint8_t *u = pkt_push(p, UDP_HLEN);
    put_be16(u + UDP_OFF_SPORT, x->sport);
    put_be16(u + UDP_OFF_DPORT, x->dport);
    put_be16(u + UDP_OFF_LEN, (uint16_t)p->len);
    put_be16(u + UDP_OFF_CSUM, 0);
    if (x->csum) udp4_set_csum(p, u, x->saddr, x->daddr, rt->dev);
    TRACEF(p, "udp_tunnel_xmit_skb", NULL, "%u -> %u", x->sport, x->dport);
    TRACE(p, "iptunnel_xmit", NULL);
    struct ip_send_opts o = { .src = x->saddr, .dst = x->daddr, .proto = IPPROTO_UDP, .tos = x->tos,
                              .ttl = x->ttl, .df = x->df };
    return ip_send_rt(net, p, &o, rt);
}

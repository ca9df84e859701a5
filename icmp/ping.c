/*
 * icmp/ping.c — echo sockets (Linux net/ipv4/ping.c, the "ping socket" iputils uses):
 * each has an identifier; echo replies and errors quoting our echo requests are
 * delivered to the socket by identifier.
 */
#include "icmp.h"
#include "icmp_priv.h"
#include "net/stack.h"
#include "net/csum.h"
#include "net/trace.h"
#include "ip/ip.h"
#include "net/netdev.h"
#include <errno.h>
#include <stdlib.h>

struct ping_sock {
    struct ping_sock *next;
    struct net *net;
    uint16_t ident;
    const struct ping_sock_ops *ops;
    void *arg;
};

static struct ping_sock *ping_lookup(struct net *net, uint16_t ident)
{
    for (struct ping_sock *s = *icmp_ping_socks(net); s; s = s->next)
        if (s->ident == ident) return s;
    return NULL;
}

struct ping_sock *ping_sock_open(struct net *net, const struct ping_sock_ops *ops, void *arg)
{
    struct ping_sock *s = calloc(1, sizeof(*s));
    if (!s) return NULL;
    s->net = net; s->ops = ops; s->arg = arg;
    do s->ident = (uint16_t)stack_rand32(net->st); while (!s->ident || ping_lookup(net, s->ident));
    s->next = *icmp_ping_socks(net);
    *icmp_ping_socks(net) = s;
    return s;
}

void ping_sock_close(struct ping_sock *s)
{
    for (struct ping_sock **pp = icmp_ping_socks(s->net); *pp; pp = &(*pp)->next)
        if (*pp == s) { *pp = s->next; break; }
    free(s);
}

uint16_t ping_sock_ident(const struct ping_sock *s) { return s->ident; }

int ping_sock_send(struct ping_sock *s, uint32_t dst, uint16_t seq, const uint8_t *payload, size_t len,
                   uint8_t ttl, int oif)
{
    struct net *net = s->net;
    if (len > IP4_MAX_LEN - IP4_HLEN - ICMP_HLEN) return -EMSGSIZE;
    struct pkt *p = net_pkt_alloc(net, ICMP_HLEN + len);
    if (!p) return -ENOBUFS;
    uint8_t *ic = pkt_put(p, ICMP_HLEN + len);
    ic[0] = ICMP_ECHO; ic[1] = 0;
    put_be16(ic + 2, 0);
    put_be16(ic + 4, s->ident);
    put_be16(ic + 6, seq);
    if (len) memcpy(ic + ICMP_HLEN, payload, len);
    put_be16(ic + 2, inet_csum(ic, ICMP_HLEN + len));
    trace_begin_local(net, p, "ping");
    TRACEF(p, "ping_sendmsg", NULL, "seq %u", seq);
    mib_inc(net, MIB_IcmpOutMsgs);
    mib_inc(net, MIB_IcmpOutEchos);
    icmpmsg_mib(net)->out[ICMP_ECHO]++;
    /* IP_PMTUDISC_WANT: DF when it fits the route, fragmented locally when it does not. */
    struct rt_result rt;
    bool df = ip_route_output(net, dst, oif, &rt) == 0 && ICMP_HLEN + len + IP4_HLEN <= rt.dev->mtu
              && rt.type != RTN_LOCAL;
    struct ip_send_opts o = { .dst = dst, .proto = IPPROTO_ICMP, .ttl = ttl, .df = df, .oif = oif };
    return ip_send(net, p, &o);
}

void ping_rcv(struct net *net, struct pkt *p)
{
    const uint8_t *ic = p->data;
    struct ping_sock *s = ping_lookup(net, get_be16(ic + 4));
    if (!s) { TRACEF(p, "ping_rcv", NULL, "no socket"); pkt_drop(net, p, DROP_NO_SOCKET); return; }
    const uint8_t *ih = pkt_network_header(p);
    TRACEF(p, "ping_rcv", NULL, "seq %u", get_be16(ic + 6));
    s->ops->reply(s->arg, ip4_src(ih), get_be16(ic + 6), ip4_ttl(ih), ic + ICMP_HLEN, p->len - ICMP_HLEN);
    pkt_consume(p);
}

void ping_err(struct net *net, uint32_t from, int type, int code, const uint8_t *q, size_t qlen)
{
    unsigned hl = ip4_hlen(q);
    if (qlen < hl + 8) return;
    const uint8_t *ic = q + hl;
    if (ic[0] != ICMP_ECHO) return;
    struct ping_sock *s = ping_lookup(net, get_be16(ic + 4));
    if (s && s->ops->error) s->ops->error(s->arg, from, type, code, get_be16(ic + 6));
}

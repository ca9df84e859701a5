/*
 * udp/udp.c — UDP (RFC 768; RFC 1122 §4.1; Linux net/ipv4/udp.c).
 *
 *   udp_rcv          lengths (the UDP length field against the IP payload), checksum
 *                    (zero = none), then the socket: most specific match first
 *                    (__udp4_lib_lookup's scoring); broadcasts go to every match.
 *                    An encapsulation socket's encap_rcv sees the datagram first
 *                    (0: consumed, > 0: deliver as plain UDP). No socket: ICMP port
 *                    unreachable (RFC 1122 §4.1.3.1; rate-limited by icmp_send).
 *   udp_err          an ICMP error quoting one of our datagrams: hard errors reach a
 *                    connected socket, whose next call returns it (ECONNREFUSED ...)
 *   udp_sendmsg      route, automatic bind to an ephemeral port, header and checksum
 *                    (ip_make_skb, udp_send_skb); IP fragments what exceeds the MTU
 *
 * Ports: a hash of local ports. Ephemeral ports are drawn from ip_local_port_range,
 * starting at a random point from the stack's seeded generator.
 */
#include "udp.h"
#include "net/stack.h"
#include "net/netdev.h"
#include "net/csum.h"
#include "net/offload.h"
#include "net/trace.h"
#include "ip/ip.h"
#include "icmp/icmp.h"
#include <errno.h>
#include <stdlib.h>

#define UDP_HTABLE 256

struct udp_table { struct sock *hash[UDP_HTABLE]; unsigned count; };

static struct sock **udp_chain(struct net *net, uint16_t port) { return &net->udp->hash[port % UDP_HTABLE]; }

/* Linux compute_score: every bound field must match; each one that does makes the
 * socket more specific. -1: no match. */
static int udp_score(const struct sock *sk, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport)
{
    if (sk->local.port != dport) return -1;
    int score = 2;
    if (sk->local.addr) { if (sk->local.addr != daddr) return -1; score += 4; }
    if (sk->connected) {
        if (sk->remote.addr != saddr || sk->remote.port != sport) return -1;
        score += 8;
    }
    return score;
}

struct sock *udp_lookup(struct net *net, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport)
{
    struct sock *best = NULL;
    int best_score = -1;
    for (struct sock *sk = *udp_chain(net, dport); sk; sk = sk->hash_next) {
        int s = udp_score(sk, saddr, sport, daddr, dport);
        if (s > best_score) { best = sk; best_score = s; }
    }
    return best;
}

/* Linux udp_lib_lport_inuse: the same port on an overlapping address is taken unless
 * both sockets asked to share it. */
static bool udp_port_in_use(struct net *net, const struct sock *sk, uint32_t addr, uint16_t port)
{
    for (struct sock *s = *udp_chain(net, port); s; s = s->hash_next) {
        if (s == sk || s->local.port != port) continue;
        if (s->local.addr && addr && s->local.addr != addr) continue;
        if ((sk->reuseaddr && s->reuseaddr) || (sk->reuseport && s->reuseport)) continue;
        return true;
    }
    return false;
}

static void udp_hash(struct sock *sk)
{
    struct sock **chain = udp_chain(sk->net, sk->local.port);
    sk->hash_next = *chain;
    *chain = sk;
    sk->net->udp->count++;
}

/* Linux udp_lib_get_port; port 0 picks an ephemeral one. -EADDRINUSE when none is free
 * (inet_autobind's callers turn that into -EAGAIN). */
static int udp_get_port(struct sock *sk, uint32_t addr, uint16_t port)
{
    struct net *net = sk->net;
    if (!port) {
        int lo = net->ipv4.ip_local_port_lo, hi = net->ipv4.ip_local_port_hi;
        if (hi < lo) return -EADDRINUSE;
        uint32_t range = (uint32_t)(hi - lo + 1);
        uint32_t start = stack_rand_range(net->st, 0, range - 1);
        for (uint32_t i = 0; i < range && !port; i++) {
            uint16_t cand = (uint16_t)(lo + (start + i) % range);
            if (!udp_port_in_use(net, sk, addr, cand)) port = cand;
        }
        if (!port) return -EADDRINUSE;
    } else if (udp_port_in_use(net, sk, addr, port)) {
        return -EADDRINUSE;
    }
    sk->local.addr = addr;
    sk->local.port = port;
    sk->bound = true;
    udp_hash(sk);
    return 0;
}

/* inet_autobind: no free ephemeral port is EAGAIN for send and connect */
static int udp_autobind(struct sock *sk)
{
    int err = udp_get_port(sk, 0, 0);
    return err == -EADDRINUSE ? -EAGAIN : err;
}

static int udp_bind(struct sock *sk, uint32_t addr, uint16_t port)
{
    /* inet_bind: a specific address must be one of ours (or a broadcast) */
    if (addr && !ip_is_local(sk->net, addr) && !ipv4_is_lbcast(addr) && !ipv4_is_multicast(addr)) {
        bool bcast = false;
        for (struct netdev *d = sk->net->devs; d && !bcast; d = d->next) bcast = inet_is_bcast(d, addr);
        if (!bcast) return -EADDRNOTAVAIL;
    }
    int err = udp_get_port(sk, addr, port);
    if (!err && addr) sk->addr_bound = true;
    return err;
}

static void udp_unhash(struct sock *sk)
{
    if (!sk->bound) return;
    for (struct sock **pp = udp_chain(sk->net, sk->local.port); *pp; pp = &(*pp)->hash_next)
        if (*pp == sk) { *pp = sk->hash_next; sk->net->udp->count--; break; }
    sk->bound = false;
}

/* Linux ip4_datagram_connect: pick the route now; an unbound socket is bound to the
 * route's source address and an ephemeral port. addr 0 + port 0 disconnects. */
static int udp_connect(struct sock *sk, uint32_t addr, uint16_t port)
{
    if (!addr && !port) {
        /* __udp_disconnect: forget the peer, and the local address too unless bind()
         * chose it, so the socket receives on every address again */
        sk->connected = false;
        sk->remote.addr = 0;
        sk->remote.port = 0;
        if (!sk->addr_bound) sk->local.addr = 0;
        return 0;
    }
    if (!port) return -EINVAL;
    struct rt_result rt;
    int err = ip_route_output(sk->net, addr, 0, &rt);
    if (err) return err;
    if ((rt.type == RTN_BROADCAST || ipv4_is_lbcast(addr)) && !sk->broadcast) return -EACCES;
    if (!sk->bound) {
        err = udp_autobind(sk);
        if (err) return err;
    }
    if (!sk->local.addr) {
        /* rehash is not needed: the table is keyed by port alone */
        sk->local.addr = rt.src;
    }
    sk->remote.addr = addr;
    sk->remote.port = port;
    sk->connected = true;
    sk->inet_id = (uint16_t)stack_rand32(sk->net->st);
    return 0;
}

static int udp_sendmsg(struct sock *sk, const void *buf, size_t len, const struct sock_addr *to)
{
    struct net *net = sk->net;
    uint32_t daddr;
    uint16_t dport;
    if (len > UDP_MAX_PAYLOAD) return -EMSGSIZE;
    if (to) {
        daddr = to->addr;
        dport = to->port;
        if (!dport) return -EINVAL;
    } else {
        if (!sk->connected) return -EDESTADDRREQ;
        daddr = sk->remote.addr;
        dport = sk->remote.port;
    }
    if (!sk->bound) {
        int err = udp_autobind(sk);
        if (err) return err;
    }
    struct rt_result rt;
    int err = ip_route_output(net, daddr, 0, &rt);
    if (err) { mib_inc(net, MIB_IpOutNoRoutes); return err; }
    if ((rt.type == RTN_BROADCAST || ipv4_is_lbcast(daddr) || inet_is_bcast(rt.dev, daddr)) && !sk->broadcast)
        return -EACCES;
    uint32_t saddr = sk->local.addr && !ipv4_is_lbcast(sk->local.addr) ? sk->local.addr : rt.src;
    size_t ulen = UDP_HLEN + len;
    struct pkt *p = net_pkt_alloc(net, ulen);
    if (!p) return -ENOBUFS;
    uint8_t *u = pkt_put(p, ulen);
    /* ip_make_skb: the one copy, from the caller's buffer into the packet */
    if (len) memcpy(u + UDP_HLEN, buf, len);
    if (!sk_charge_tx(sk, p)) {
        pkt_free(p);
        mib_inc(net, MIB_UdpSndbufErrors);
        return -EAGAIN;
    }
    trace_begin_local(net, p, "udp");
    TRACEF(p, "udp_sendmsg", NULL, "%u -> %u", sk->local.port, dport);
    TRACE(p, "ip_make_skb", NULL);
    /* udp_send_skb: header and checksum (RFC 768: a computed zero is sent as all ones) */
    put_be16(u + UDP_OFF_SPORT, sk->local.port);
    put_be16(u + UDP_OFF_DPORT, dport);
    put_be16(u + UDP_OFF_LEN, (uint16_t)ulen);
    put_be16(u + UDP_OFF_CSUM, 0);
    if ((rt.dev->features & NETIF_F_CSUM_MASK) && ulen + IP4_HLEN <= rt.dev->mtu) {
        /* __ip_append_data: one unfragmented datagram to a device that checksums leaves
         * its checksum partial (udp4_hwcsum) */
        pkt_csum_partial_l4(p, u, UDP_OFF_CSUM, saddr, daddr, IPPROTO_UDP, (uint16_t)ulen);
    } else {
        uint16_t c = csum_fold(csum_partial(u, ulen, csum_pseudo(saddr, daddr, IPPROTO_UDP, (uint16_t)ulen)));
        put_be16(u + UDP_OFF_CSUM, c ? c : 0xffff);
        rt.dev->offload_stats.tx_csum_sw_bytes += ulen;
    }
    TRACE(p, "udp_send_skb", NULL);
    /* IP_PMTUDISC_WANT: DF when it fits the route, fragmented locally when it does not */
    struct ip_send_opts o = { .src = saddr, .dst = daddr, .proto = IPPROTO_UDP,
                              .df = ulen + IP4_HLEN <= rt.dev->mtu && rt.type != RTN_LOCAL };
    if (sk->connected && !to) { o.id_set = true; o.id = sk->inet_id++; }
    err = ip_send_rt(net, p, &o, &rt);
    if (err) return err;
    mib_inc(net, MIB_UdpOutDatagrams);
    return (int)len;
}

static void udp_close(struct sock *sk) { (void)sk; }

/* udp_recvmsg counts UDP_MIB_INDATAGRAMS when a datagram is read, not when it is queued */
static void udp_recvmsg_done(struct sock *sk) { mib_inc(sk->net, MIB_UdpInDatagrams); }

static const struct sock_proto udp_prot = {
    .name = "udp", .bind = udp_bind, .connect = udp_connect, .sendmsg = udp_sendmsg,
    .unhash = udp_unhash, .close = udp_close, .recvmsg_done = udp_recvmsg_done,
};

void udp_set_encap(struct sock *sk, int (*encap_rcv)(struct sock *sk, struct pkt *p), void *user)
{
    sk->encap_rcv = encap_rcv;
    sk->user = user;
}

/* Queue for a reader (udp_queue_rcv_skb), or hand to the encapsulation. Consumes p. */
static void udp_queue_rcv(struct net *net, struct sock *sk, struct pkt *p, uint32_t saddr, uint32_t daddr)
{
    const uint8_t *u = p->data;
    if (sk->encap_rcv) {
        TRACE(p, "encap_rcv", NULL);
        int r = sk->encap_rcv(sk, p);
        if (r <= 0) { mib_inc(net, MIB_UdpInDatagrams); return; }   /* consumed */
        u = p->data;                                               /* plain UDP after all */
    }
    struct sock_addr from = { saddr, udp_sport(u) };
    pkt_pull(p, UDP_HLEN);
    if (!sk_queue_rcv(sk, p, &from, daddr)) {
        mib_inc(net, MIB_UdpRcvbufErrors);
        mib_inc(net, MIB_UdpInErrors);
        pkt_drop(net, p, DROP_SOCKET_RCVBUFF);
        return;
    }
    TRACEF(p, "udp_queue_rcv_skb", NULL, "queued %u bytes", p->len);
    trace_end(p, NULL);             /* the journey ends in the socket's queue */
}

static void udp_rcv(struct pkt *p);

/* A UDP super-frame (USO, from a TAP) carries several datagrams under one header:
 * cut it into the datagrams the sender wrote and receive each (Linux udp_rcv_segment,
 * for sockets without UDP_GRO). p->data at the UDP header. */
static void udp_rcv_segment(struct net *net, struct pkt *p)
{
    enum drop why;
    pkt_push(p, (size_t)(p->data - pkt_network_header(p)));
    struct pkt *segs = pkt_gso_segment(p, &why);
    if (!segs) {
        mib_inc(net, MIB_UdpInErrors);
        pkt_drop(net, p, why);
        return;
    }
    while (segs) {
        struct pkt *s = segs;
        segs = s->next;
        s->next = NULL;
        pkt_pull(s, ip4_hlen(s->data));
        pkt_reset_transport_header(s);
        udp_rcv(s);
    }
}

static void udp_rcv(struct pkt *p)
{
    struct net *net = p->dev->net;
    TRACE(p, "udp_rcv", "__udp4_lib_rcv");
    if (p->len < UDP_HLEN) goto short_packet;
    const uint8_t *u = p->data;
    unsigned ulen = udp_len(u);
    /* RFC 768: the length covers header and data; more than arrived, or less than a
     * header, is malformed. Less than the IP payload: the rest is padding (trimmed). */
    if (ulen > p->len || ulen < UDP_HLEN) goto short_packet;
    pkt_trim(p, ulen);
    const uint8_t *ih = pkt_network_header(p);
    uint32_t saddr = ip4_src(ih), daddr = ip4_dst(ih);
    /* udp4_csum_init: a checksum the device verified or a partial one is trusted
     * (skb_csum_unnecessary); zero means none was sent */
    if (udp_csum(u) && !pkt_csum_unnecessary(p)) {
        p->dev->offload_stats.rx_csum_sw_bytes += ulen;
        if (csum_fold(csum_partial(u, ulen, csum_pseudo(saddr, daddr, IPPROTO_UDP, (uint16_t)ulen))) != 0) {
            mib_inc(net, MIB_UdpInCsumErrors);
            mib_inc(net, MIB_UdpInErrors);
            pkt_drop(net, p, DROP_UDP_CSUM);
            return;
        }
    }
    if (p->gso_size) { udp_rcv_segment(net, p); return; }
    uint16_t sport = udp_sport(u), dport = udp_dport(u);
    if (p->dst.flags & RTCF_BROADCAST) {
        /* __udp4_lib_mcast_deliver: a clone for every socket that matches (shared
         * bytes: readers only read them) */
        struct sock *last = NULL;
        for (struct sock *sk = *udp_chain(net, dport); sk; sk = sk->hash_next) {
            if (sk->local.port != dport) continue;
            if (sk->local.addr && sk->local.addr != daddr && !ipv4_is_lbcast(sk->local.addr)) continue;
            if (sk->connected && (sk->remote.addr != saddr || sk->remote.port != sport)) continue;
            if (last) {
                struct pkt *c = pkt_clone(p);
                if (c) udp_queue_rcv(net, last, c, saddr, daddr);
            }
            last = sk;
        }
        TRACEF(p, "__udp4_lib_lookup", NULL, "broadcast %s", last ? "delivered" : "no socket");
        if (last) { udp_queue_rcv(net, last, p, saddr, daddr); return; }
        mib_inc(net, MIB_UdpIgnoredMulti);       /* not NoPorts: __udp4_lib_mcast_deliver */
        pkt_drop(net, p, DROP_NO_SOCKET);
        return;
    }
    struct sock *sk = udp_lookup(net, saddr, sport, daddr, dport);
    TRACEF(p, "__udp4_lib_lookup", NULL, sk ? "port %u" : "port %u: no socket", dport);
    if (!sk) {
        mib_inc(net, MIB_UdpNoPorts);
        icmp_send(p, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
        pkt_drop(net, p, DROP_NO_SOCKET);
        return;
    }
    udp_queue_rcv(net, sk, p, saddr, daddr);
    return;
short_packet:
    mib_inc(net, MIB_UdpInErrors);
    pkt_drop(net, p, DROP_UDP_BADLEN);
}

/* icmp_err_convert[]: errno and whether the error is "hard" (RFC 1122 §4.1.3.3: the
 * application must be told about port unreachable). */
static int udp_icmp_errno(int type, int code, bool *hard)
{
    *hard = false;
    if (type == ICMP_DEST_UNREACH) {
        static const struct { int err; bool hard; } tab[] = {
            { ENETUNREACH, false }, { EHOSTUNREACH, false }, { ENOPROTOOPT, true }, { ECONNREFUSED, true },
            /* FRAG_NEEDED: hard for UDP, whose sockets do PMTU discovery (IP_PMTUDISC_WANT):
             * __udp4_lib_err reports EMSGSIZE unless pmtudisc is DONT */
            { EMSGSIZE, true }, { EOPNOTSUPP, false }, { ENETUNREACH, true }, { EHOSTDOWN, true },
            { ENONET, true }, { ENETUNREACH, true }, { EHOSTUNREACH, true }, { ENETUNREACH, false },
            { EHOSTUNREACH, false }, { EHOSTUNREACH, true }, { EHOSTUNREACH, true }, { EHOSTUNREACH, true },
        };
        if (code < 0 || code >= (int)ARRAY_SIZE(tab)) return EHOSTUNREACH;
        *hard = tab[code].hard;
        return tab[code].err;
    }
    if (type == ICMP_PARAMETERPROB) { *hard = true; return EPROTO; }
    return EHOSTUNREACH;                /* time exceeded, source quench: soft */
}

static void udp_err(struct net *net, int type, int code, uint32_t info, const uint8_t *q, size_t qlen)
{
    unsigned hl = ip4_hlen(q);
    if (qlen < hl + UDP_HLEN) return;
    const uint8_t *u = q + hl;
    /* the quoted datagram went from us to them: look it up as their answer would come */
    struct sock *sk = udp_lookup(net, ip4_dst(q), udp_dport(u), ip4_src(q), udp_sport(u));
    if (!sk) { mib_inc(net, MIB_IcmpInErrors); return; }
    bool hard;
    int err = udp_icmp_errno(type, code, &hard);
    if (!hard || !sk->connected) return;     /* inet->recverr = 0: only hard, only connected */
    sk_set_err(sk, err);
}

void udp_for_each(struct net *net, void (*fn)(struct sock *sk, void *arg), void *arg)
{
    unsigned n = net->udp->count, k = 0;
    if (!n) return;
    struct sock **v = malloc(n * sizeof(*v));
    if (!v) return;
    for (unsigned i = 0; i < UDP_HTABLE; i++)
        for (struct sock *sk = net->udp->hash[i]; sk && k < n; sk = sk->hash_next) v[k++] = sk;
    for (unsigned i = 1; i < k; i++)            /* insertion sort by (port, address) */
        for (unsigned j = i; j > 0 && (v[j - 1]->local.port > v[j]->local.port ||
             (v[j - 1]->local.port == v[j]->local.port && v[j - 1]->local.addr > v[j]->local.addr)); j--) {
            struct sock *t = v[j]; v[j] = v[j - 1]; v[j - 1] = t;
        }
    for (unsigned i = 0; i < k; i++) fn(v[i], arg);
    free(v);
}

static const struct ip_proto udp_ip_proto = { .rcv = udp_rcv, .err = udp_err, .name = "udp",
                                              .linux_name = "udp_rcv" };

static int udp_net_init(struct net *net)
{
    net->udp = calloc(1, sizeof(*net->udp));
    return net->udp ? 0 : -ENOMEM;
}

static void udp_net_exit(struct net *net)
{
    free(net->udp);
    net->udp = NULL;
}

static const struct pernet_ops udp_pernet = { .name = "udp", .init = udp_net_init, .exit = udp_net_exit };

int udp_init(struct stack *st)
{
    if (pernet_register(st, &udp_pernet) < 0) return -1;
    sock_register_proto(IPPROTO_UDP, &udp_prot);
    return ip_proto_register(st, IPPROTO_UDP, &udp_ip_proto);
}

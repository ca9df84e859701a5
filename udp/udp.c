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
 *   udp_sendmsg      route (a connected socket's is cached: ip/dst.h), automatic bind
 *                    to an ephemeral port, header and checksum (ip_make_skb,
 *                    udp_send_skb); IP fragments what exceeds the MTU
 *
 * The socket: struct udp_sock embeds struct sock (udp_prot.obj_size); the socket type is
 * the datagram one (net/datagram.c: queue, reads, connect). Ports: a hash of local ports.
 * Ephemeral ports are drawn from ip_local_port_range, starting at a random point from the
 * stack's seeded generator.
 */
#include "udp.h"
#include "net/stack.h"
#include "net/netdev.h"
#include "net/datagram.h"
#include "net/csum.h"
#include "net/offload.h"
#include "net/trace.h"
#include "ip/ip.h"
#include "ip/dst.h"
#include "icmp/icmp.h"
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#define UDP_HTABLE 256

/* A UDP socket (Linux struct udp_sock): the base socket first, then UDP's own state. */
struct udp_sock {
    struct sock sk;
    /* encapsulation hook (Linux udp_sk(sk)->encap_rcv): 0 = consumed, > 0 = deliver as
     * ordinary UDP; its owner is in sk.user (Linux sk_user_data) */
    int (*encap_rcv)(struct sock *sk, struct pkt *p);
    /* the socket is closing (Linux encap_destroy): its owner lets go of it */
    void (*encap_destroy)(struct sock *sk);
    struct sk_dst dst;              /* the connected peer's route */
};
static inline struct udp_sock *udp_sk(struct sock *sk) { return container_of(sk, struct udp_sock, sk); }

/* The namespace's bound sockets (net_generic(net, udp_net_id)), zeroed by the core. */
struct udp_table { struct sock *hash[UDP_HTABLE]; unsigned count; };
static unsigned udp_net_id;
static struct udp_table *udp_tbl(const struct net *net) { return net_generic(net, udp_net_id); }

static struct sock **udp_chain(struct net *net, uint16_t port) { return &udp_tbl(net)->hash[port % UDP_HTABLE]; }

/* Linux compute_score: every bound field must match; each one that does makes the
 * socket more specific. -1: no match. */
static int udp_score(const struct sock *sk, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport)
{
    if (sk->local.port != dport) return -1;
    int score = 2;
    if (sk->local.addr) { if (sk->local.addr != daddr) return -1; score += 4; }
    if (sk_connected(sk)) {
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
    udp_tbl(sk->net)->count++;
}

/* Linux udp_lib_get_port for sk->local.addr; port 0 picks an ephemeral one. -EADDRINUSE
 * when none is free (inet_autobind turns that into -EAGAIN). */
static int udp_get_port(struct sock *sk, uint16_t port)
{
    struct net *net = sk->net;
    uint32_t addr = sk->local.addr;
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
    sk->local.port = port;
    sk->bound = true;
    udp_hash(sk);
    return 0;
}

static int udp_bind(struct sock *sk, uint32_t addr, uint16_t port)
{
    /* inet_bind: a specific address must be one of ours (or a broadcast) */
    if (addr && !ip_is_local(sk->net, addr) && !ipv4_is_lbcast(addr) && !ipv4_is_multicast(addr)) {
        bool bcast = false;
        for (struct netdev *d = sk->net->devs; d && !bcast; d = d->next) bcast = inet_is_bcast(d, addr);
        if (!bcast) return -EADDRNOTAVAIL;
    }
    sk->local.addr = addr;                      /* inet_bind: inet_rcv_saddr, then the port */
    int err = udp_get_port(sk, port);
    if (err) sk->local.addr = 0;
    else if (addr) sk->addr_bound = true;
    return err;
}

/* Linux udp_destroy_sock: an encapsulation socket tells its owner first. */
static void udp_close(struct sock *sk)
{
    void (*destroy)(struct sock *sk) = udp_sk(sk)->encap_destroy;
    udp_sk(sk)->encap_rcv = NULL;
    udp_sk(sk)->encap_destroy = NULL;
    if (destroy) destroy(sk);
    sk_common_release(sk);
}

static void udp_unhash(struct sock *sk)
{
    if (!sk->bound) return;
    for (struct sock **pp = udp_chain(sk->net, sk->local.port); *pp; pp = &(*pp)->hash_next)
        if (*pp == sk) { *pp = sk->hash_next; udp_tbl(sk->net)->count--; break; }
    sk->bound = false;
}

/* Linux udp's connect is ip4_datagram_connect; the route is kept for udp_sendmsg. */
static int udp_connect(struct sock *sk, uint32_t addr, uint16_t port)
{
    if (!port) return -EINVAL;
    return ip4_datagram_connect(sk, addr, port, &udp_sk(sk)->dst);
}

static int udp_disconnect(struct sock *sk)
{
    sk_dst_reset(&udp_sk(sk)->dst);
    return dgram_disconnect(sk);
}

/* The datagram's length from the caller's iovecs; -EMSGSIZE beyond what UDP carries. */
static long udp_msg_len(const struct sk_msghdr *msg)
{
    size_t len = 0;
    for (size_t i = 0; i < msg->iovlen; i++) {
        if (msg->iov[i].iov_len > UDP_MAX_PAYLOAD - len) return -EMSGSIZE;
        len += msg->iov[i].iov_len;
    }
    return (long)len;
}

/* The route for one datagram: a connected socket's cached one while it is current
 * (udp_sendmsg's sk_dst_check), else a lookup. */
static int udp_route(struct sock *sk, uint32_t daddr, bool connected, struct rt_result *rt, bool *bcast)
{
    struct sk_dst *dst = &udp_sk(sk)->dst;
    const struct rt_result *cached = connected ? sk_dst_check(sk->net, dst, daddr, sk->bound_dev_if) : NULL;
    if (!cached) {
        int err = ip_route_output(sk->net, daddr, sk->bound_dev_if, rt);
        if (err) return err;
        if (!connected) {
            *bcast = rt->type == RTN_BROADCAST || ipv4_is_lbcast(daddr) || inet_is_bcast(rt->dev, daddr);
            return 0;
        }
        sk_dst_set(sk->net, dst, daddr, sk->bound_dev_if, rt);     /* sk_dst_set */
    }
    *rt = dst->rt;
    *bcast = dst->bcast;
    return 0;
}

/* Linux udp_set_csum for IPv4: the checksum of the datagram at u (RFC 768: a computed
 * zero is sent as all ones). One unfragmented datagram to a device that checksums leaves
 * its checksum partial (udp4_hwcsum); otherwise it is summed here. */
void udp4_set_csum(struct pkt *p, uint8_t *u, uint32_t saddr, uint32_t daddr, struct netdev *dev)
{
    uint16_t ulen = udp_len(u);
    put_be16(u + UDP_OFF_CSUM, 0);
    if ((dev->features & NETIF_F_CSUM_MASK) && (unsigned)ulen + IP4_HLEN <= dev->mtu) {
        pkt_csum_partial_l4(p, u, UDP_OFF_CSUM, saddr, daddr, IPPROTO_UDP, ulen);
        return;
    }
    uint16_t c = csum_fold(csum_partial(u, ulen, csum_pseudo(saddr, daddr, IPPROTO_UDP, ulen)));
    put_be16(u + UDP_OFF_CSUM, c ? c : 0xffff);
    dev->offload_stats.tx_csum_sw_bytes += ulen;
}

/* udp_send_skb: the header and its checksum over a packet holding the payload. */
static void udp_push_header(struct pkt *p, uint16_t sport, uint16_t dport, uint32_t saddr, uint32_t daddr,
                            struct netdev *dev)
{
    uint8_t *u = p->data;
    put_be16(u + UDP_OFF_SPORT, sport);
    put_be16(u + UDP_OFF_DPORT, dport);
    put_be16(u + UDP_OFF_LEN, (uint16_t)p->len);
    udp4_set_csum(p, u, saddr, daddr, dev);
}

static long udp_sendmsg(struct sock *sk, const struct sk_msghdr *msg)
{
    struct net *net = sk->net;
    long len = udp_msg_len(msg);
    if (len < 0) return len;
    bool connected = !msg->name;
    uint32_t daddr = connected ? sk->remote.addr : msg->name->addr;
    uint16_t dport = connected ? sk->remote.port : msg->name->port;
    if (connected && !sk_connected(sk)) return -EDESTADDRREQ;
    if (!connected && !dport) return -EINVAL;
    if (!sk->bound) {
        int err = inet_autobind(sk);
        if (err) return err;
    }
    struct rt_result rt;
    bool bcast;
    int err = udp_route(sk, daddr, connected, &rt, &bcast);
    if (err) { mib_inc(net, MIB_IpOutNoRoutes); return err; }
    if (bcast && !sk->broadcast) return -EACCES;
    uint32_t saddr = sk->local.addr && !ipv4_is_lbcast(sk->local.addr) ? sk->local.addr : rt.src;
    size_t ulen = UDP_HLEN + (size_t)len;
    struct pkt *p = net_pkt_alloc(net, ulen);
    if (!p) return -ENOBUFS;
    uint8_t *u = pkt_put(p, ulen);
    /* ip_make_skb: the one copy, from the caller's buffers into the packet */
    for (size_t i = 0, off = UDP_HLEN; i < msg->iovlen; off += msg->iov[i].iov_len, i++)
        if (msg->iov[i].iov_len) memcpy(u + off, msg->iov[i].iov_base, msg->iov[i].iov_len);
    if (!sk_charge_tx(sk, p)) {
        pkt_free(p);
        mib_inc(net, MIB_UdpSndbufErrors);
        return -EAGAIN;
    }
    trace_begin_local(net, p, "udp");
    TRACEF(p, "udp_sendmsg", NULL, "%u -> %u", sk->local.port, dport);
    TRACE(p, "ip_make_skb", NULL);
    udp_push_header(p, sk->local.port, dport, saddr, daddr, rt.dev);
    TRACE(p, "udp_send_skb", NULL);
    /* IP_PMTUDISC_WANT: DF when it fits the route, fragmented locally when it does not */
    struct ip_send_opts o = { .src = saddr, .dst = daddr, .proto = IPPROTO_UDP, .ttl = sk->ttl,
                              .df = ulen + IP4_HLEN <= rt.dev->mtu && rt.type != RTN_LOCAL };
    if (connected) {
        o.id_set = true;
        o.id = sk->inet_id++;
        rt.neigh = sk_dst_neigh(net, &udp_sk(sk)->dst);     /* no neighbour lookup either */
    }
    err = ip_send_rt(net, p, &o, &rt);
    if (err) return err;
    mib_inc(net, MIB_UdpOutDatagrams);
    return len;
}

/* udp_recvmsg: one datagram; UDP_MIB_INDATAGRAMS is counted when it is read, not when it
 * is queued. */
static long udp_recvmsg(struct sock *sk, struct sk_msghdr *msg)
{
    int err, flags = msg->flags;
    struct pkt *p = dgram_recv_pkt(sk, flags, &err);
    if (!p) return err;
    long n = dgram_copy_msg(p, msg);
    if (!(flags & SK_MSG_PEEK)) mib_inc(sk->net, MIB_UdpInDatagrams);
    dgram_free_pkt(p, flags);
    return n;
}

/* SOL_IP options (udp_setsockopt -> ip_setsockopt); no SOL_UDP ones yet. IP_RECVERR is
 * refused: udp_err is not told who sent the ICMP error, which the error queue reports. */
static int udp_setsockopt(struct sock *sk, int level, int opt, const void *val, size_t len)
{
    if (level == SOL_IP && opt == IP_RECVERR) return -ENOPROTOOPT;
    return ip_dgram_setsockopt(sk, level, opt, val, len);
}

static const struct proto udp_prot = {
    .name = "udp", .obj_size = sizeof(struct udp_sock), .get_port = udp_get_port, .bind = udp_bind,
    .connect = udp_connect, .disconnect = udp_disconnect, .sendmsg = udp_sendmsg,
    .recvmsg = udp_recvmsg, .setsockopt = udp_setsockopt, .getsockopt = ip_dgram_getsockopt,
    .for_each = udp_for_each, .unhash = udp_unhash, .close = udp_close,
};

static const struct inet_protosw udp_protosw = {
    .type = SOCK_DGRAM, .protocol = IPPROTO_UDP, .prot = &udp_prot, .ops = &inet_dgram_ops,
    .flags = INET_PROTOSW_PERMANENT,
};

int udp_set_encap(struct sock *sk, int (*encap_rcv)(struct sock *sk, struct pkt *p),
                  void (*encap_destroy)(struct sock *sk), void *user)
{
    if (sk->prot != &udp_prot) return -EINVAL;
    udp_sk(sk)->encap_rcv = encap_rcv;
    udp_sk(sk)->encap_destroy = encap_destroy;
    sk->user = user;
    return 0;
}

bool udp_sk_is_encap(struct sock *sk)
{
    return sk->prot == &udp_prot && udp_sk(sk)->encap_rcv;
}

/* Queue for a reader (udp_queue_rcv_skb), or hand to the encapsulation. Consumes p. */
static void udp_queue_rcv(struct net *net, struct sock *sk, struct pkt *p, uint32_t saddr, uint32_t daddr)
{
    const uint8_t *u = p->data;
    if (udp_sk(sk)->encap_rcv) {
        TRACE(p, "encap_rcv", NULL);
        int r = udp_sk(sk)->encap_rcv(sk, p);
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
    trace_end(p);                   /* the journey ends in the socket's queue */
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
            if (sk_connected(sk) && (sk->remote.addr != saddr || sk->remote.port != sport)) continue;
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
    if (!hard || !sk_connected(sk)) return;  /* inet->recverr = 0: only hard, only connected */
    sk_set_err(sk, err);
}

void udp_for_each(struct net *net, void (*fn)(struct sock *sk, void *arg), void *arg)
{
    unsigned n = udp_tbl(net)->count, k = 0;
    if (!n) return;
    struct sock **v = malloc(n * sizeof(*v));
    if (!v) return;
    for (unsigned i = 0; i < UDP_HTABLE; i++)
        for (struct sock *sk = udp_tbl(net)->hash[i]; sk && k < n; sk = sk->hash_next) v[k++] = sk;
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

static const struct pernet_ops udp_pernet = { .name = "udp", .id = &udp_net_id, .size = sizeof(struct udp_table) };

int udp_init(struct stack *st)
{
    if (pernet_register(st, &udp_pernet) < 0) return -1;
    int err = inet_register_protosw(st, &udp_protosw);
    if (err) return err;
    return ip_proto_register(st, IPPROTO_UDP, &udp_ip_proto);
}

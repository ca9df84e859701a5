/*
 * icmp/ping.c — ping sockets (Linux net/ipv4/ping.c, ping_prot: socket(AF_INET,
 * SOCK_DGRAM, IPPROTO_ICMP), the socket iputils' ping uses).
 *
 * A ping socket is a datagram socket (net/datagram.c) whose "port" is the echo
 * identifier: bind or the first send picks one (ping_get_port). sendmsg takes an ICMP
 * echo header and payload from the caller; the identifier and the checksum are filled
 * in. Echo replies with our identifier are queued whole (ICMP header first) and ICMP
 * errors quoting one of our echo requests go to the error queue with IP_RECVERR (else,
 * hard ones on a connected socket become its pending error), as ping_rcv / ping_err.
 *
 * ping_sock_open() and friends (icmp.h) are the in-process face shell/cmd_ping.c uses:
 * the same socket, drained from the event loop into two callbacks.
 */
#include "icmp.h"
#include "icmp_priv.h"
#include "net/stack.h"
#include "net/csum.h"
#include "net/trace.h"
#include "net/datagram.h"
#include "ip/ip.h"
#include "net/netdev.h"
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

/* A ping socket (ping_prot.obj_size): the socket, and the face's callbacks if opened
 * through ping_sock_open. */
struct ping_sock {
    struct sock sk;
    const struct ping_sock_ops *ops;
    void *arg;
};
static inline struct ping_sock *ping_sk(struct sock *sk) { return container_of(sk, struct ping_sock, sk); }

/* Linux ping_lookup: the identifier, and the bound address if there is one. */
static struct sock *ping_lookup(struct net *net, uint16_t ident, uint32_t daddr)
{
    for (struct sock *sk = *icmp_ping_socks(net); sk; sk = sk->hash_next)
        if (sk->local.port == ident && (!sk->local.addr || !daddr || sk->local.addr == daddr)) return sk;
    return NULL;
}

/* Linux ping_get_port; identifier 0 draws a free one at random from the stack's seeded
 * generator (Linux walks from a rover: the wire differs, not the rules). */
static int ping_get_port(struct sock *sk, uint16_t ident)
{
    struct net *net = sk->net;
    if (!ident) {
        do ident = (uint16_t)stack_rand32(net->st); while (!ident || ping_lookup(net, ident, 0));
    } else if (ping_lookup(net, ident, 0)) {
        return -EADDRINUSE;
    }
    sk->local.port = ident;
    sk->bound = true;
    sk->hash_next = *icmp_ping_socks(net);
    *icmp_ping_socks(net) = sk;
    return 0;
}

static void ping_unhash(struct sock *sk)
{
    if (!sk->bound) return;
    for (struct sock **pp = icmp_ping_socks(sk->net); *pp; pp = &(*pp)->hash_next)
        if (*pp == sk) { *pp = sk->hash_next; break; }
    sk->bound = false;
}

/* Linux ping_bind / ping_check_bind_addr: one of our addresses, or any. */
static int ping_bind(struct sock *sk, uint32_t addr, uint16_t ident)
{
    if (addr && !ip_is_local(sk->net, addr)) return -EADDRNOTAVAIL;
    sk->local.addr = addr;
    int err = ping_get_port(sk, ident);
    if (err) sk->local.addr = 0;
    else if (addr) sk->addr_bound = true;
    return err;
}

static int ping_connect(struct sock *sk, uint32_t addr, uint16_t port)
{
    return ip4_datagram_connect(sk, addr, port, NULL);     /* ping_prot.connect */
}

/* The echo request: header, identifier, payload from the iovecs, checksum. */
static struct pkt *ping_build(struct sock *sk, const uint8_t hdr[ICMP_HLEN], const struct sk_msghdr *msg,
                              size_t len)
{
    struct pkt *p = net_pkt_alloc(sk->net, len);
    if (!p) return NULL;
    uint8_t *ic = pkt_put(p, len);
    size_t off = 0;
    for (size_t i = 0; i < msg->iovlen; off += msg->iov[i].iov_len, i++)
        if (msg->iov[i].iov_len) memcpy(ic + off, msg->iov[i].iov_base, msg->iov[i].iov_len);
    memcpy(ic, hdr, ICMP_HLEN);
    put_be16(ic + 2, 0);
    put_be16(ic + 4, sk->local.port);           /* the identifier is the socket's */
    put_be16(ic + 2, inet_csum(ic, len));
    return p;
}

/* The header from the front of the caller's iovecs (ping_common_sendmsg's copy). */
static bool ping_msg_header(const struct sk_msghdr *msg, uint8_t hdr[ICMP_HLEN], size_t *len)
{
    size_t total = 0, got = 0;
    for (size_t i = 0; i < msg->iovlen; i++) {
        if (msg->iov[i].iov_len > 0xffff - total) return false;
        size_t n = MIN(msg->iov[i].iov_len, (size_t)ICMP_HLEN - got);
        if (n) memcpy(hdr + got, msg->iov[i].iov_base, n);
        got += n;
        total += msg->iov[i].iov_len;
    }
    *len = total;
    return true;
}

/* Linux ping_v4_sendmsg. */
static long ping_sendmsg(struct sock *sk, const struct sk_msghdr *msg)
{
    struct net *net = sk->net;
    uint8_t hdr[ICMP_HLEN];
    size_t len;
    if (!ping_msg_header(msg, hdr, &len)) return -EMSGSIZE;
    if (len > IP4_MAX_LEN - IP4_HLEN) return -EMSGSIZE;
    if (len < ICMP_HLEN) return -EINVAL;
    if (hdr[0] != ICMP_ECHO || hdr[1] != 0) return -EINVAL;    /* ping_supported */
    uint32_t dst = msg->name ? msg->name->addr : sk->remote.addr;
    if (!msg->name && !sk_connected(sk)) return -EDESTADDRREQ;
    if (!sk->bound) {
        int err = inet_autobind(sk);
        if (err) return err;
    }
    struct pkt *p = ping_build(sk, hdr, msg, len);
    if (!p) return -ENOBUFS;
    trace_begin_local(net, p, "ping");
    TRACEF(p, "ping_sendmsg", NULL, "seq %u", get_be16(hdr + 6));
    mib_inc(net, MIB_IcmpOutMsgs);
    mib_inc(net, MIB_IcmpOutEchos);
    icmpmsg_mib(net)->out[ICMP_ECHO]++;
    /* IP_PMTUDISC_WANT: DF when it fits the route, fragmented locally when it does not. */
    struct rt_result rt;
    int err = ip_route_output(net, dst, sk->bound_dev_if, &rt);
    if (err < 0) {
        mib_inc(net, MIB_IpOutNoRoutes);
        pkt_drop(net, p, DROP_NO_ROUTE);
        return err;
    }
    struct ip_send_opts o = { .dst = dst, .proto = IPPROTO_ICMP, .ttl = sk->ttl, .oif = sk->bound_dev_if,
                              .df = len + IP4_HLEN <= rt.dev->mtu && rt.type != RTN_LOCAL };
    err = ip_send_rt(net, p, &o, &rt);
    return err < 0 ? err : (long)len;
}

static const struct proto ping_prot = {
    .name = "ping", .obj_size = sizeof(struct ping_sock), .get_port = ping_get_port, .bind = ping_bind,
    .connect = ping_connect, .disconnect = dgram_disconnect, .sendmsg = ping_sendmsg,
    .setsockopt = ip_dgram_setsockopt, .getsockopt = ip_dgram_getsockopt, .unhash = ping_unhash,
};

static const struct inet_protosw ping_protosw = {
    .type = SOCK_DGRAM, .protocol = IPPROTO_ICMP, .prot = &ping_prot, .ops = &inet_dgram_ops,
};

int ping_init(struct stack *st) { return inet_register_protosw(st, &ping_protosw); }

/* Linux ping_rcv: an echo reply (p->data at its ICMP header) for the socket with its
 * identifier. Consumes p. */
void ping_rcv(struct net *net, struct pkt *p)
{
    const uint8_t *ic = p->data;
    uint32_t saddr = ip4_src(pkt_network_header(p)), daddr = ip4_dst(pkt_network_header(p));
    struct sock *sk = ping_lookup(net, get_be16(ic + 4), daddr);
    if (!sk) { TRACEF(p, "ping_rcv", NULL, "no socket"); pkt_drop(net, p, DROP_NO_SOCKET); return; }
    TRACEF(p, "ping_rcv", NULL, "seq %u", get_be16(ic + 6));
    struct sock_addr from = { saddr, 0 };
    /* ping_queue_rcv_skb; the journey ends when the reply is read (dgram_free_pkt) */
    if (!sk_queue_rcv(sk, p, &from, daddr)) pkt_drop(net, p, DROP_SOCKET_RCVBUFF);
}

/* Linux ping_err's errno for an ICMP error (icmp_err_convert for unreachables). */
static int ping_icmp_errno(int type, int code, bool *hard)
{
    static const struct { int err; bool hard; } unreach[] = {
        { ENETUNREACH, false }, { EHOSTUNREACH, false }, { ENOPROTOOPT, true }, { ECONNREFUSED, true },
        { EMSGSIZE, true }, { EOPNOTSUPP, false }, { ENETUNREACH, true }, { EHOSTDOWN, true },
        { ENONET, true }, { ENETUNREACH, true }, { EHOSTUNREACH, true }, { ENETUNREACH, false },
        { EHOSTUNREACH, false }, { EHOSTUNREACH, true }, { EHOSTUNREACH, true }, { EHOSTUNREACH, true },
    };
    *hard = false;
    if (type == ICMP_PARAMETERPROB) { *hard = true; return EPROTO; }
    if (type == ICMP_SOURCE_QUENCH || type == ICMP_REDIRECT) return EREMOTEIO;
    if (type != ICMP_DEST_UNREACH || code < 0 || code >= (int)ARRAY_SIZE(unreach)) return EHOSTUNREACH;
    *hard = unreach[code].hard;     /* FRAG_NEEDED: EMSGSIZE, hard (IP_PMTUDISC_WANT) */
    return unreach[code].err;
}

/* Linux ping_err + ip_icmp_error: from sent the error, q quotes our echo request. */
void ping_err(struct net *net, uint32_t from, int type, int code, uint32_t info, const uint8_t *q, size_t qlen)
{
    unsigned hl = ip4_hlen(q);
    if (qlen < hl + ICMP_HLEN) return;
    const uint8_t *ic = q + hl;
    if (ic[0] != ICMP_ECHO) return;
    struct sock *sk = ping_lookup(net, get_be16(ic + 4), ip4_src(q));
    if (!sk) return;
    bool hard;
    int err = ping_icmp_errno(type, code, &hard);
    if (!sk->recverr) {
        if (!hard || !sk_connected(sk)) return;
    } else {
        struct sock_ee ee = { .ee_errno = (uint32_t)err, .ee_origin = SK_EE_ORIGIN_ICMP,
                              .ee_type = (uint8_t)type, .ee_code = (uint8_t)code, .ee_info = info,
                              .offender = from };
        struct sock_addr to = { ip4_dst(q), 0 };
        struct pkt *p = net_pkt_alloc(net, qlen - hl);
        if (!p) return;
        memcpy(pkt_put(p, qlen - hl), ic, qlen - hl);
        if (!sk_queue_err(sk, p, &ee, &to)) { pkt_drop(net, p, DROP_SOCKET_RCVBUFF); return; }
    }
    sk_set_err(sk, err);
}

/* ---- the in-process face (icmp.h) ---------------------------------------------------- */

/* From the event loop: errors first (as iputils reads MSG_ERRQUEUE when a receive fails
 * with the pending error), then replies; a callback may close the socket. */
static void ping_face_ready(struct sock *sk, unsigned events, void *arg)
{
    struct ping_sock *s = arg;
    for (struct pkt *p; !sk->closed && (p = sk_dequeue_err(sk)) != NULL; pkt_free(p)) {
        struct sk_err_cb e = sk_err_cb(p);
        uint16_t seq = p->len >= ICMP_HLEN ? get_be16(p->data + 6) : 0;
        if (s->ops->error)
            s->ops->error(s->arg, e.ee.offender, e.ee.ee_type, e.ee.ee_code, seq);
    }
    int err;
    for (struct pkt *p; !sk->closed && (p = dgram_recv_pkt(sk, 0, &err)) != NULL; dgram_free_pkt(p, 0)) {
        const uint8_t *ic = p->data;
        struct sk_dgram_cb cb = sk_dgram_cb(p);
        s->ops->reply(s->arg, cb.from.addr, get_be16(ic + 6), ip4_ttl(pkt_network_header(p)),
                      ic + ICMP_HLEN, p->len - ICMP_HLEN);
    }
}

struct ping_sock *ping_sock_open(struct net *net, const struct ping_sock_ops *ops, void *arg)
{
    int err;
    struct sock *sk = sock_create(net, SOCK_DGRAM, IPPROTO_ICMP, &err);
    if (!sk) return NULL;
    struct ping_sock *s = ping_sk(sk);
    s->ops = ops;
    s->arg = arg;
    sk->recverr = true;                 /* iputils sets IP_RECVERR */
    if (sock_bind(sk, 0, 0) < 0) { sock_close(sk); return NULL; }
    static const struct sock_cb face = { .ready = ping_face_ready };
    sock_set_cb(sk, &face, s);
    return s;
}

void ping_sock_close(struct ping_sock *s) { sock_close(&s->sk); }

uint16_t ping_sock_ident(const struct ping_sock *s) { return s->sk.local.port; }

int ping_sock_send(struct ping_sock *s, uint32_t dst, uint16_t seq, const uint8_t *payload, size_t len,
                   uint8_t ttl, int oif)
{
    uint8_t hdr[ICMP_HLEN] = { ICMP_ECHO, 0 };
    put_be16(hdr + 6, seq);
    struct iovec iov[2] = { { hdr, sizeof(hdr) }, { (void *)payload, len } };
    struct sock_addr to = { dst, 0 };
    struct sk_msghdr msg = { .iov = iov, .iovlen = 2, .name = &to };
    s->sk.ttl = ttl;                    /* IP_TTL and SO_BINDTODEVICE, per call */
    s->sk.bound_dev_if = oif;
    long n = sock_sendmsg(&s->sk, &msg);
    return n < 0 ? (int)n : 0;
}

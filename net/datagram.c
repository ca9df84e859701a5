/*
 * net/datagram.c — the datagram socket type (see datagram.h): its queues, one datagram
 * per read, poll and shutdown, connect for datagram protocols, and the SOL_IP options
 * UDP and ping share.
 */
#include "datagram.h"
#include "stack.h"
#include "pkt.h"
#include "netdev.h"
#include "ip/ip.h"
#include "ip/dst.h"
#include <errno.h>

_Static_assert(sizeof(struct sk_dgram_cb) <= sizeof(((struct pkt *)0)->cb), "cb too small");
_Static_assert(sizeof(struct sk_err_cb) <= sizeof(((struct pkt *)0)->cb), "cb too small");

static void q_append(struct pkt **head, struct pkt **tail, struct pkt *p)
{
    p->next = NULL;
    if (*tail) (*tail)->next = p; else *head = p;
    *tail = p;
}

static struct pkt *q_pop(struct pkt **head, struct pkt **tail)
{
    struct pkt *p = *head;
    *head = p->next;
    if (!*head) *tail = NULL;
    p->next = NULL;
    return p;
}

bool sk_queue_rcv(struct sock *sk, struct pkt *p, const struct sock_addr *from, uint32_t dst)
{
    if (sk->rmem > (unsigned)sk->rcvbuf || sk->shut_rd) { sk->drops++; return false; }
    struct sk_dgram_cb cb = { .from = *from, .dst = dst };
    memcpy(p->cb, &cb, sizeof(cb));
    p->truesize = pkt_truesize(p);
    q_append(&sk->rq, &sk->rq_tail, p);
    sk->rq_len++;
    sk->rmem += p->truesize;
    sk_wake(sk, SK_READABLE);
    return true;
}

bool sk_queue_err(struct sock *sk, struct pkt *p, const struct sock_ee *ee, const struct sock_addr *addr)
{
    unsigned truesize = pkt_truesize(p);
    if (sk->rmem + truesize >= (unsigned)sk->rcvbuf) { sk->drops++; return false; }
    struct sk_err_cb cb = { .ee = *ee, .addr = *addr };
    memcpy(p->cb, &cb, sizeof(cb));
    p->truesize = truesize;
    q_append(&sk->eq, &sk->eq_tail, p);
    sk->eq_len++;
    sk->rmem += truesize;
    sk_wake(sk, SK_ERROR);
    return true;
}

struct pkt *dgram_recv_pkt(struct sock *sk, int flags, int *err)
{
    *err = sock_error(sk);
    if (*err) return NULL;
    if (!sk->rq) { *err = sk->shut_rd ? 0 : -EAGAIN; return NULL; }
    if (flags & SK_MSG_PEEK) return sk->rq;
    struct pkt *p = q_pop(&sk->rq, &sk->rq_tail);
    sk->rq_len--;
    sk->rmem -= p->truesize;
    return p;
}

void dgram_free_pkt(struct pkt *p, int flags)
{
    if (!(flags & SK_MSG_PEEK)) pkt_consume(p);
}

/* Copy up to the iovecs' room; returns what was copied. */
static size_t copy_to_iov(const struct sk_msghdr *msg, const uint8_t *data, size_t len)
{
    size_t done = 0;
    for (size_t i = 0; i < msg->iovlen && done < len; i++) {
        size_t n = MIN(msg->iov[i].iov_len, len - done);
        if (n) memcpy(msg->iov[i].iov_base, data + done, n);
        done += n;
    }
    return done;
}

/* What was copied, or the whole length when the caller asked for SK_MSG_TRUNC. */
static long copy_payload(const struct pkt *p, struct sk_msghdr *msg)
{
    size_t n = copy_to_iov(msg, p->data, p->len);
    bool want_len = msg->flags & SK_MSG_TRUNC;
    msg->flags &= ~SK_MSG_TRUNC;
    if (n < p->len) msg->flags |= SK_MSG_TRUNC;
    return (long)(want_len ? p->len : n);
}

long dgram_copy_msg(const struct pkt *p, struct sk_msghdr *msg)
{
    long n = copy_payload(p, msg);
    struct sk_dgram_cb cb = sk_dgram_cb(p);
    if (msg->name) *msg->name = cb.from;
    msg->dst = cb.dst;
    msg->ttl = p->nh_off >= 0 ? ip4_ttl(pkt_network_header(p)) : 0;
    return n;
}

long dgram_recvmsg(struct sock *sk, struct sk_msghdr *msg)
{
    int err;
    struct pkt *p = dgram_recv_pkt(sk, msg->flags, &err);
    if (!p) return err;
    int flags = msg->flags;
    long n = dgram_copy_msg(p, msg);
    dgram_free_pkt(p, flags);
    return n;
}

struct pkt *sk_dequeue_err(struct sock *sk)
{
    if (!sk->eq) return NULL;
    struct pkt *p = q_pop(&sk->eq, &sk->eq_tail);
    sk->eq_len--;
    sk->rmem -= p->truesize;
    /* ip_recv_error: the next queued error becomes the pending one */
    sk->err = sk->eq ? (int)sk_err_cb(sk->eq).ee.ee_errno : 0;
    if (sk->err) sk_wake(sk, SK_ERROR);
    return p;
}

long ip_recv_error(struct sock *sk, struct sk_msghdr *msg)
{
    struct pkt *p = sk_dequeue_err(sk);
    if (!p) return -EAGAIN;
    long n = copy_payload(p, msg);
    struct sk_err_cb cb = sk_err_cb(p);
    if (msg->name) *msg->name = cb.addr;
    msg->ee = cb.ee;
    msg->flags |= SK_MSG_ERRQUEUE;
    pkt_free(p);
    return n;
}

/* The type's recvmsg: the error queue is the type's (ip_recv_error serves UDP and ping
 * alike), the rest is the protocol's own recvmsg or the plain datagram read. */
static long inet_dgram_recvmsg(struct sock *sk, struct sk_msghdr *msg)
{
    if (msg->flags & SK_MSG_ERRQUEUE) return ip_recv_error(sk, msg);
    return sk->prot->recvmsg ? sk->prot->recvmsg(sk, msg) : dgram_recvmsg(sk, msg);
}

/* Linux udp_poll / datagram_poll. */
static unsigned dgram_poll(const struct sock *sk)
{
    unsigned ev = 0;
    if (sk->rq || sk->shut_rd) ev |= SK_READABLE;
    if (sk->err) ev |= SK_ERROR | SK_READABLE;
    if (sk->eq) ev |= SK_ERROR;
    if (!sk->shut_wr && (unsigned)sk->sndbuf > sk->wmem) ev |= SK_WRITABLE;
    return ev;
}

/* inet_shutdown for a datagram socket: the flags are set either way, but an unconnected
 * socket answers ENOTCONN. */
static int dgram_shutdown(struct sock *sk, int how)
{
    if (how != 1) sk->shut_rd = true;
    if (how != 0) sk->shut_wr = true;
    if (!sk_connected(sk)) return -ENOTCONN;
    sk_wake(sk, SK_READABLE);
    return 0;
}

const struct proto_ops inet_dgram_ops = {
    .name = "dgram", .recvmsg = inet_dgram_recvmsg, .poll = dgram_poll, .shutdown = dgram_shutdown,
    .listen = sock_no_listen, .accept = sock_no_accept,
};

int inet_autobind(struct sock *sk)
{
    if (!sk->prot->get_port) return -EOPNOTSUPP;
    int err = sk->prot->get_port(sk, 0);
    return err == -EADDRINUSE ? -EAGAIN : err;
}

int ip4_datagram_connect(struct sock *sk, uint32_t addr, uint16_t port, struct sk_dst *dst)
{
    struct rt_result rt;
    int err = ip_route_output(sk->net, addr, sk->bound_dev_if, &rt);
    if (err) return err;
    if ((rt.type == RTN_BROADCAST || ipv4_is_lbcast(addr)) && !sk->broadcast) return -EACCES;
    if (!sk->bound) {
        err = inet_autobind(sk);
        if (err) return err;
    }
    if (!sk->local.addr) sk->local.addr = rt.src;   /* no rehash: tables are keyed by port */
    sk->remote.addr = addr;
    sk->remote.port = port;
    sk->state = SK_ESTABLISHED;
    sk->inet_id = (uint16_t)stack_rand32(sk->net->st);
    if (dst) sk_dst_set(sk->net, dst, addr, sk->bound_dev_if, &rt);   /* sk_dst_set */
    return 0;
}

int dgram_disconnect(struct sock *sk)
{
    sk->state = SK_CLOSE;
    sk->remote.addr = 0;
    sk->remote.port = 0;
    if (!sk->addr_bound) sk->local.addr = 0;    /* receive on every address again */
    return 0;
}

int ip_dgram_setsockopt(struct sock *sk, int level, int opt, const void *val, size_t len)
{
    if (level != SOL_IP) return -ENOPROTOOPT;
    if (!val || len < sizeof(int)) return -EINVAL;
    int v;
    memcpy(&v, val, sizeof(v));
    switch (opt) {
    case IP_TTL:                        /* -1: the default (net.ipv4.ip_default_ttl) */
        if (v != -1 && (v < 1 || v > 255)) return -EINVAL;
        sk->ttl = v == -1 ? 0 : (uint8_t)v;
        return 0;
    case IP_RECVERR:
        sk->recverr = v != 0;
        while (!v && sk->eq) {          /* turning it off drops what is queued */
            struct pkt *p = q_pop(&sk->eq, &sk->eq_tail);
            sk->eq_len--;
            sk->rmem -= p->truesize;
            pkt_free(p);
        }
        return 0;
    default: return -ENOPROTOOPT;
    }
}

int ip_dgram_getsockopt(struct sock *sk, int level, int opt, void *val, size_t *len)
{
    if (level != SOL_IP) return -ENOPROTOOPT;
    if (!val || !len || *len < sizeof(int)) return -EINVAL;
    int v;
    switch (opt) {
    case IP_TTL: v = sk->ttl ? sk->ttl : sk->net->ipv4.ip_default_ttl; break;
    case IP_RECVERR: v = sk->recverr; break;
    default: return -ENOPROTOOPT;
    }
    memcpy(val, &v, sizeof(v));
    *len = sizeof(int);
    return 0;
}

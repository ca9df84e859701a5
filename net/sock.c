/*
 * net/sock.c — generic socket code (Linux net/core/sock.c, datagram.c): creation and
 * teardown, buffers, the receive queue, errors and readiness reports.
 *
 * Lifetime: a socket is freed when it is closed AND nothing refers to it any more: refs
 * counts the owner's handle (until sock_close), every sent packet still charged to it
 * (until pkt_free) and its place on the ready list.
 */
#include "sock.h"
#include "stack.h"
#include "pkt.h"
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

static const struct sock_proto *protos[256];

int sock_register_proto(int protocol, const struct sock_proto *prot)
{
    if (protocol < 0 || protocol > 255) return -EINVAL;
    protos[protocol] = prot;        /* the same set for every stack: code, not state */
    return 0;
}

static void sock_put(struct sock *sk)
{
    if (--sk->refs) return;
    free(sk);
}

struct sock *sock_create(struct net *net, int type, int protocol, int *err)
{
    const struct sock_proto *prot = protocol >= 0 && protocol < 256 ? protos[protocol] : NULL;
    if (!prot) { *err = -EPROTONOSUPPORT; return NULL; }
    struct sock *sk = calloc(1, sizeof(*sk));
    if (!sk) { *err = -ENOMEM; return NULL; }
    sk->net = net;
    sk->prot = prot;
    sk->type = type;
    sk->protocol = protocol;
    sk->rcvbuf = net->st->rmem_default;
    sk->sndbuf = net->st->wmem_default;
    sk->refs = 1;
    sk->next = net->socks;
    net->socks = sk;
    *err = 0;
    return sk;
}

int sock_bind(struct sock *sk, uint32_t addr, uint16_t port)
{
    if (sk->closed) return -EBADF;
    if (sk->bound) return -EINVAL;              /* as inet_bind: already bound */
    return sk->prot->bind(sk, addr, port);
}

int sock_connect(struct sock *sk, uint32_t addr, uint16_t port)
{
    if (sk->closed) return -EBADF;
    return sk->prot->connect(sk, addr, port);
}

static int sock_error(struct sock *sk)
{
    int err = sk->err;
    sk->err = 0;
    return err ? -err : 0;
}

long sock_sendto(struct sock *sk, const void *buf, size_t len, const struct sock_addr *to)
{
    if (sk->closed) return -EBADF;
    int err = sock_error(sk);          /* a pending error (ICMP) is reported once, first */
    if (err) return err;
    if (sk->shut_wr) return -EPIPE;
    return sk->prot->sendmsg(sk, buf, len, to);
}

long sock_recvfrom(struct sock *sk, void *buf, size_t len, struct sock_addr *from)
{
    if (sk->closed) return -EBADF;
    /* __skb_recv_udp: a pending error is reported before any queued datagram */
    int err = sock_error(sk);
    if (err) return err;
    struct pkt *d = sk->rq;
    if (!d) return sk->shut_rd ? 0 : -EAGAIN;
    sk->rq = d->next;
    if (!sk->rq) sk->rq_tail = NULL;
    sk->rq_len--;
    sk->rmem -= d->truesize;
    d->next = NULL;
    size_t n = MIN(len, (size_t)d->len);
    if (n) memcpy(buf, d->data, n);
    if (from) {
        struct sk_dgram_cb cb;
        memcpy(&cb, d->cb, sizeof(cb));     /* memcpy: no type punning of the cb words */
        *from = cb.from;
    }
    pkt_free(d);
    if (sk->prot->recvmsg_done) sk->prot->recvmsg_done(sk);   /* UdpInDatagrams: counted when read */
    return (long)n;
}

int sock_shutdown(struct sock *sk, int how)
{
    if (how < 0 || how > 2) return -EINVAL;
    if (how != 1) sk->shut_rd = true;
    if (how != 0) sk->shut_wr = true;
    if (!sk->connected) return -ENOTCONN;       /* Linux: datagram sockets must be connected */
    sk_wake(sk, SK_READABLE);
    return 0;
}

static void sk_purge_rq(struct sock *sk)
{
    while (sk->rq) {
        struct pkt *d = sk->rq;
        sk->rq = d->next;
        pkt_free(d);
    }
    sk->rq_tail = NULL;
    sk->rq_len = 0;
    sk->rmem = 0;
}

void sock_close(struct sock *sk)
{
    if (!sk || sk->closed) return;
    sk->closed = true;
    if (sk->prot->unhash) sk->prot->unhash(sk);
    if (sk->prot->close) sk->prot->close(sk);
    sk_purge_rq(sk);
    for (struct sock **pp = &sk->net->socks; *pp; pp = &(*pp)->next)
        if (*pp == sk) { *pp = sk->next; break; }
    sk->cb.ready = NULL;
    sk->net = NULL;                 /* packets in flight may outlive the namespace */
    sock_put(sk);
}

int sock_setsockopt(struct sock *sk, int opt, int val)
{
    struct stack *st = sk->net->st;
    switch (opt) {
    case SO_REUSEADDR: sk->reuseaddr = val != 0; return 0;
    case SO_REUSEPORT: sk->reuseport = val != 0; return 0;
    case SO_BROADCAST: sk->broadcast = val != 0; return 0;
    /* As sock_setsockopt: capped by *mem_max (compared unsigned, so a negative value means
     * "the most"), kept below INT_MAX / 2 so that doubling (bookkeeping overhead) cannot
     * overflow, then floored at SOCK_MIN_RCVBUF / SOCK_MIN_SNDBUF. */
    case SO_RCVBUF: {
        unsigned v = MIN((unsigned)val, (unsigned)st->rmem_max);
        sk->rcvbuf = MAX((int)MIN(v, (unsigned)INT_MAX / 2) * 2, 2304);
        return 0;
    }
    case SO_SNDBUF: {
        unsigned v = MIN((unsigned)val, (unsigned)st->wmem_max);
        sk->sndbuf = MAX((int)MIN(v, (unsigned)INT_MAX / 2) * 2, 4608);
        return 0;
    }
    default: return -ENOPROTOOPT;
    }
}

int sock_getsockopt(struct sock *sk, int opt, int *val)
{
    switch (opt) {
    case SO_REUSEADDR: *val = sk->reuseaddr; return 0;
    case SO_REUSEPORT: *val = sk->reuseport; return 0;
    case SO_BROADCAST: *val = sk->broadcast; return 0;
    case SO_RCVBUF: *val = sk->rcvbuf; return 0;
    case SO_SNDBUF: *val = sk->sndbuf; return 0;
    case SO_ERROR: *val = sk->err; sk->err = 0; return 0;
    default: return -ENOPROTOOPT;
    }
}

void sock_set_cb(struct sock *sk, const struct sock_cb *cb, void *arg)
{
    sk->cb = *cb;
    sk->cb_arg = arg;
    unsigned ev = sock_poll(sk);
    if (ev) sk_wake(sk, ev);
}

unsigned sock_poll(const struct sock *sk)
{
    unsigned ev = 0;
    if (sk->rq || sk->shut_rd) ev |= SK_READABLE;
    if (sk->err) ev |= SK_ERROR | SK_READABLE;
    if (!sk->shut_wr && (unsigned)sk->sndbuf > sk->wmem) ev |= SK_WRITABLE;
    return ev;
}

void sk_wake(struct sock *sk, unsigned events)
{
    if (sk->closed || !sk->net) return;
    sk->pending |= events;
    if (sk->on_ready) return;
    struct stack *st = sk->net->st;
    sk->on_ready = true;
    sk->refs++;
    sk->ready_next = NULL;
    if (st->ready_tail) st->ready_tail->ready_next = sk; else st->ready_head = sk;
    st->ready_tail = sk;
}

void sk_set_err(struct sock *sk, int err)
{
    sk->err = err;
    sk_wake(sk, SK_ERROR | SK_READABLE);
}

bool sk_queue_rcv(struct sock *sk, struct pkt *p, const struct sock_addr *from, uint32_t dst)
{
    /* As __udp_enqueue_schedule_skb: refuse once what is queued exceeds rcvbuf (so one
     * datagram is always admitted to an empty queue, however small rcvbuf is). */
    if (sk->rmem > (unsigned)sk->rcvbuf || sk->shut_rd) { sk->drops++; return false; }
    _Static_assert(sizeof(struct sk_dgram_cb) <= sizeof(p->cb), "cb too small");
    struct sk_dgram_cb cb = { .from = *from, .dst = dst };
    memcpy(p->cb, &cb, sizeof(cb));
    p->truesize = pkt_truesize(p);
    p->next = NULL;
    if (sk->rq_tail) sk->rq_tail->next = p; else sk->rq = p;
    sk->rq_tail = p;
    sk->rq_len++;
    sk->rmem += p->truesize;
    sk_wake(sk, SK_READABLE);
    return true;
}

bool sk_charge_tx(struct sock *sk, struct pkt *p)
{
    unsigned truesize = pkt_truesize(p);
    /* sock_alloc_send_pskb: admitted while what is in flight is below sndbuf */
    if (sk->wmem >= (unsigned)sk->sndbuf) return false;
    p->sk = sk;
    p->destructor = sk_tx_done;     /* sock_wfree: the charge comes back at pkt_free */
    p->truesize = truesize;
    sk->wmem += truesize;
    sk->refs++;
    return true;
}

void sk_tx_done(struct pkt *p)
{
    struct sock *sk = p->sk;
    p->sk = NULL;
    sk->wmem -= p->truesize;
    /* sock_def_write_space: writable again once half the buffer is free */
    if (!sk->closed && sk->wmem * 2 <= (unsigned)sk->sndbuf) sk_wake(sk, SK_WRITABLE);
    sock_put(sk);
}

int sock_run_ready(struct stack *st)
{
    int n = 0;
    /* Only what is on the list now: callbacks may wake sockets again (next round). */
    struct sock *tail = st->ready_tail;
    while (st->ready_head) {
        struct sock *sk = st->ready_head;
        st->ready_head = sk->ready_next;
        if (!st->ready_head) st->ready_tail = NULL;
        sk->on_ready = false;
        unsigned ev = sk->pending;
        sk->pending = 0;
        if (!sk->closed && sk->cb.ready && ev) { sk->cb.ready(sk, ev, sk->cb_arg); n++; }
        bool last = sk == tail;
        sock_put(sk);
        if (last) break;
    }
    return n;
}

void sock_release_ready(struct sock *sk) { sock_put(sk); }

void sock_net_exit(struct net *net)
{
    while (net->socks) sock_close(net->socks);
}

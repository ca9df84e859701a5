/*
 * net/sock.c — generic socket code (Linux net/socket.c, net/core/sock.c, af_inet.c's
 * inet_create and inet_register_protosw): the protocol table, creation and teardown,
 * dispatch to the socket type (sk->ops) and the protocol (sk->prot), socket-level
 * options, send-buffer accounting, errors and readiness reports.
 *
 * What a datagram means (one per read, truncation, the queues) is in net/datagram.c;
 * what a stream means is left to its protocol through net/stream.c.
 */
#include "sock.h"
#include "stack.h"
#include "pkt.h"
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/socket.h>

_Static_assert(STACK_MAX_PROTOSW == ARRAY_SIZE(((struct stack *)0)->protosw), "protosw table size");

/* Linux inet_register_protosw: one entry per (type, protocol). Permanent entries (the
 * type's default, which protocol 0 picks) stay in front of the others. */
int inet_register_protosw(struct stack *st, const struct inet_protosw *p)
{
    if (!p->prot || !p->ops || !p->prot->sendmsg || p->prot->obj_size < sizeof(struct sock) ||
        p->protocol <= 0 || p->protocol > 255)
        return -EINVAL;
    for (int i = 0; i < st->n_protosw; i++)
        if (st->protosw[i]->type == p->type && st->protosw[i]->protocol == p->protocol) return -EEXIST;
    if (st->n_protosw == STACK_MAX_PROTOSW) return -ENOSPC;
    int at = st->n_protosw;
    if (p->flags & INET_PROTOSW_PERMANENT)
        for (at = 0; at < st->n_protosw && (st->protosw[at]->flags & INET_PROTOSW_PERMANENT); at++) {}
    memmove(&st->protosw[at + 1], &st->protosw[at], (size_t)(st->n_protosw - at) * sizeof(st->protosw[0]));
    st->protosw[at] = p;
    st->n_protosw++;
    return 0;
}

/* inet_create's search: an exact match, or for protocol 0 the first entry of the type. */
static const struct inet_protosw *protosw_find(const struct stack *st, int type, int protocol)
{
    for (int i = 0; i < st->n_protosw; i++) {
        const struct inet_protosw *p = st->protosw[i];
        if (p->type == type && (protocol == 0 || protocol == p->protocol)) return p;
    }
    return NULL;
}

static struct sock *sk_alloc(struct net *net, const struct inet_protosw *sw, int *err)
{
    struct sock *sk = calloc(1, sw->prot->obj_size);
    if (!sk) { *err = -ENOMEM; return NULL; }
    sk->net = net;
    sk->prot = sw->prot;
    sk->ops = sw->ops;
    sk->type = sw->type;
    sk->protocol = sw->protocol;
    sk->state = SK_CLOSE;
    sk->rcvbuf = net->st->rmem_default;
    sk->sndbuf = net->st->wmem_default;
    sk->refs = 1;
    if (sk->prot->init && (*err = sk->prot->init(sk)) < 0) { free(sk); return NULL; }
    sk->next = net->socks;
    if (sk->next) sk->next->pprev = &sk->next;
    net->socks = sk;
    sk->pprev = &net->socks;
    *err = 0;
    return sk;
}

struct sock *sock_create(struct net *net, int type, int protocol, int *err)
{
    const struct inet_protosw *sw = protosw_find(net->st, type, protocol);
    if (!sw) { *err = -EPROTONOSUPPORT; return NULL; }
    return sk_alloc(net, sw, err);
}

struct sock *sk_clone(const struct sock *sk, int *err)
{
    if (!sk->net) { *err = -EBADF; return NULL; }
    const struct inet_protosw *sw = protosw_find(sk->net->st, sk->type, sk->protocol);
    if (!sw) { *err = -EPROTONOSUPPORT; return NULL; }
    struct sock *n = sk_alloc(sk->net, sw, err);
    if (!n) return NULL;
    n->reuseaddr = sk->reuseaddr; n->reuseport = sk->reuseport; n->broadcast = sk->broadcast;
    n->recverr = sk->recverr; n->ttl = sk->ttl; n->bound_dev_if = sk->bound_dev_if;
    n->rcvbuf = sk->rcvbuf; n->sndbuf = sk->sndbuf; n->userlocks = sk->userlocks;
    n->keepalive = sk->keepalive;               /* SOCK_KEEPOPEN is inherited (sock_copy) */
    n->linger = sk->linger; n->lingertime_s = sk->lingertime_s;
    return n;
}

void sock_put(struct sock *sk)
{
    if (--sk->refs) return;
    free(sk);
}

int sock_bind(struct sock *sk, uint32_t addr, uint16_t port)
{
    if (sk->closed) return -EBADF;
    if (sk->bound) return -EINVAL;              /* as inet_bind: already bound */
    return sk->prot->bind ? sk->prot->bind(sk, addr, port) : -EOPNOTSUPP;
}

int sock_disconnect(struct sock *sk)
{
    if (sk->closed) return -EBADF;
    return sk->prot->disconnect ? sk->prot->disconnect(sk) : -EOPNOTSUPP;
}

int sock_connect(struct sock *sk, uint32_t addr, uint16_t port)
{
    if (sk->closed) return -EBADF;
    if (!addr && !port) return sock_disconnect(sk);
    return sk->prot->connect ? sk->prot->connect(sk, addr, port) : -EOPNOTSUPP;
}

int sock_error(struct sock *sk)
{
    int err = sk->err;
    sk->err = 0;
    return err ? -err : 0;
}

long sock_sendmsg(struct sock *sk, const struct sk_msghdr *msg)
{
    if (sk->closed) return -EBADF;
    /* sock_alloc_send_pskb: a pending error (ICMP) is reported once, first */
    int err = sock_error(sk);
    if (err) return err;
    if (sk->shut_wr) return -EPIPE;
    return sk->prot->sendmsg(sk, msg);
}

long sock_recvmsg(struct sock *sk, struct sk_msghdr *msg)
{
    if (sk->closed) return -EBADF;
    return sk->ops->recvmsg(sk, msg);
}

long sock_sendto(struct sock *sk, const void *buf, size_t len, const struct sock_addr *to)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
    struct sock_addr a;
    if (to) a = *to;
    struct sk_msghdr msg = { .iov = &iov, .iovlen = 1, .name = to ? &a : NULL };
    return sock_sendmsg(sk, &msg);
}

long sock_recvfrom(struct sock *sk, void *buf, size_t len, struct sock_addr *from)
{
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    struct sk_msghdr msg = { .iov = &iov, .iovlen = 1, .name = from };
    return sock_recvmsg(sk, &msg);
}

int sock_shutdown(struct sock *sk, int how)
{
    if (sk->closed) return -EBADF;
    if (how < 0 || how > 2) return -EINVAL;
    return sk->ops->shutdown(sk, how);
}

int sock_listen(struct sock *sk, int backlog)
{
    if (sk->closed) return -EBADF;
    return sk->ops->listen(sk, backlog);
}

struct sock *sock_accept(struct sock *sk, int *err)
{
    if (sk->closed) { *err = -EBADF; return NULL; }
    return sk->ops->accept(sk, err);
}

int sock_no_listen(struct sock *sk, int backlog) { return -EOPNOTSUPP; }
struct sock *sock_no_accept(struct sock *sk, int *err) { *err = -EOPNOTSUPP; return NULL; }

static void sk_purge(struct pkt **head, struct pkt **tail, unsigned *len)
{
    while (*head) {
        struct pkt *p = *head;
        *head = p->next;
        pkt_free(p);
    }
    *tail = NULL;
    *len = 0;
}

void sk_common_release(struct sock *sk)
{
    if (sk->released) return;
    sk->released = true;
    if (sk->prot->destroy) sk->prot->destroy(sk);
    if (sk->prot->unhash) sk->prot->unhash(sk);
    sk_purge(&sk->rq, &sk->rq_tail, &sk->rq_len);
    sk_purge(&sk->eq, &sk->eq_tail, &sk->eq_len);
    sk->rmem = 0;
    *sk->pprev = sk->next;              /* 100,000 connections close in O(1) each */
    if (sk->next) sk->next->pprev = sk->pprev;
    sk->net = NULL;                 /* packets in flight may outlive the namespace */
}

void sock_close(struct sock *sk)
{
    if (!sk || sk->closed) return;
    sk->closed = true;
    sk->cb.ready = NULL;
    if (sk->prot->close) sk->prot->close(sk);   /* may keep the endpoint (sock_hold) */
    else sk_common_release(sk);
    sock_put(sk);
}

int sock_setsockopt(struct sock *sk, int opt, int val)
{
    if (sk->closed) return -EBADF;
    struct stack *st = sk->net->st;
    switch (opt) {
    case SO_REUSEADDR: sk->reuseaddr = val != 0; return 0;
    case SO_REUSEPORT: sk->reuseport = val != 0; return 0;
    case SO_BROADCAST: sk->broadcast = val != 0; return 0;
    case SO_KEEPALIVE:                  /* sk_prot->keepalive, then SOCK_KEEPOPEN */
        if (sk->prot->keepalive) sk->prot->keepalive(sk, val != 0);
        sk->keepalive = val != 0;
        return 0;
    /* As sock_setsockopt: capped by *mem_max (compared unsigned, so a negative value means
     * "the most"), kept below INT_MAX / 2 so that doubling (bookkeeping overhead) cannot
     * overflow, then floored at SOCK_MIN_RCVBUF / SOCK_MIN_SNDBUF. */
    case SO_RCVBUF: {
        unsigned v = MIN((unsigned)val, (unsigned)st->rmem_max);
        sk->rcvbuf = MAX((int)MIN(v, (unsigned)INT_MAX / 2) * 2, 2304);
        sk->userlocks |= SOCK_RCVBUF_LOCK;
        return 0;
    }
    case SO_SNDBUF: {
        unsigned v = MIN((unsigned)val, (unsigned)st->wmem_max);
        sk->sndbuf = MAX((int)MIN(v, (unsigned)INT_MAX / 2) * 2, 4608);
        sk->userlocks |= SOCK_SNDBUF_LOCK;
        if (sk->prot->poll && (sk->prot->poll(sk) & SK_WRITABLE)) sk_wake(sk, SK_WRITABLE);
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
    case SO_KEEPALIVE: *val = sk->keepalive; return 0;
    case SO_RCVBUF: *val = sk->rcvbuf; return 0;
    case SO_SNDBUF: *val = sk->sndbuf; return 0;
    case SO_ERROR: *val = sk->err; sk->err = 0; return 0;
    case SO_BINDTODEVICE: *val = sk->bound_dev_if; return 0;
    default: return -ENOPROTOOPT;
    }
}

/* SO_LINGER (sock_setsockopt): a struct linger, l_linger in seconds; a negative one is,
 * taken unsigned as Linux does, "for ever" (here INT_MAX). */
static int sock_set_linger(struct sock *sk, const void *val, size_t len)
{
    struct linger l;
    if (!val || len < sizeof(l)) return -EINVAL;
    memcpy(&l, val, sizeof(l));
    sk->linger = l.l_onoff != 0;
    if (sk->linger) sk->lingertime_s = l.l_linger < 0 ? INT_MAX : l.l_linger;
    return 0;
}

static int sock_get_linger(const struct sock *sk, void *val, size_t *len)
{
    struct linger l = { .l_onoff = sk->linger, .l_linger = sk->lingertime_s };
    if (!val || !len) return -EINVAL;
    *len = MIN(*len, sizeof(l));                  /* sock_getsockopt copies what fits */
    memcpy(val, &l, *len);
    return 0;
}

/* __sys_setsockopt: SOL_SOCKET is the socket layer's, every other level the protocol's. */
int sock_setsockopt_level(struct sock *sk, int level, int opt, const void *val, size_t len)
{
    if (sk->closed) return -EBADF;
    if (level != SOL_SOCKET)
        return sk->prot->setsockopt ? sk->prot->setsockopt(sk, level, opt, val, len) : -ENOPROTOOPT;
    if (opt == SO_LINGER) return sock_set_linger(sk, val, len);
    if (!val || len < sizeof(int)) return -EINVAL;
    int v;
    memcpy(&v, val, sizeof(v));
    return sock_setsockopt(sk, opt, v);
}

int sock_getsockopt_level(struct sock *sk, int level, int opt, void *val, size_t *len)
{
    if (sk->closed) return -EBADF;
    if (level != SOL_SOCKET)
        return sk->prot->getsockopt ? sk->prot->getsockopt(sk, level, opt, val, len) : -ENOPROTOOPT;
    if (opt == SO_LINGER) return sock_get_linger(sk, val, len);
    if (!val || !len || *len < sizeof(int)) return -EINVAL;
    int v;
    int err = sock_getsockopt(sk, opt, &v);
    if (err) return err;
    memcpy(val, &v, sizeof(v));
    *len = sizeof(int);
    return 0;
}

void sock_get_queues(const struct sock *sk, unsigned *rq, unsigned *sq)
{
    if (sk->prot->get_queues) { sk->prot->get_queues(sk, rq, sq); return; }
    *rq = sk->rmem;
    *sq = sk->wmem;
}

int sock_get_info(const struct sock *sk, char *buf, size_t len, unsigned flags)
{
    if (len) buf[0] = '\0';
    return sk->prot->get_info && len ? sk->prot->get_info(sk, buf, len, flags) : 0;
}

int sock_for_each(struct net *net, int type, int protocol, void (*fn)(struct sock *sk, void *arg), void *arg)
{
    const struct inet_protosw *sw = protocol ? protosw_find(net->st, type, protocol) : NULL;
    if (!sw) return -EPROTONOSUPPORT;
    if (sw->prot->for_each) { sw->prot->for_each(net, fn, arg); return 0; }
    for (struct sock *sk = net->socks; sk; sk = sk->next)       /* newest first */
        if (sk->prot == sw->prot) fn(sk, arg);
    return 0;
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
    if (sk->closed) return 0;
    return sk->ops->poll(sk);
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

bool sk_charge_tx(struct sock *sk, struct pkt *p)
{
    /* sock_alloc_send_pskb: admitted while what is in flight is below sndbuf */
    if (sk->wmem >= (unsigned)sk->sndbuf) return false;
    sk_charge_tx_always(sk, p);
    return true;
}

void sk_charge_tx_always(struct sock *sk, struct pkt *p)
{
    unsigned truesize = pkt_truesize(p);
    p->sk = sk;
    p->destructor = sk_tx_done;     /* sock_wfree: the charge comes back at pkt_free */
    p->truesize = truesize;
    sk->wmem += truesize;
    sk->refs++;
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
    /* Open sockets are closed. A socket its protocol kept after close (lingering) holds
     * one reference for the protocol: release it here as the protocol would have. */
    while (net->socks) {
        struct sock *sk = net->socks;
        if (!sk->closed) { sock_close(sk); continue; }
        sk_common_release(sk);
        sock_put(sk);
    }
}

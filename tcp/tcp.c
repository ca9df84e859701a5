/*
 * tcp/tcp.c — TCP as the stream protocol of the socket layer (Linux net/ipv4/tcp.c,
 * inet_connection_sock.c, tcp_minisocks.c): struct tcp_sock embeds struct sock
 * (tcp_prot.obj_size), registered for SOCK_STREAM/IPPROTO_TCP with inet_stream_ops.
 *
 *   connect   SYN_SENT: route, source address, ephemeral port, ISN, SYN; returns
 *             -EINPROGRESS (the calls never wait); writable once ESTABLISHED
 *   listen    a listener with an accept backlog (somaxconn caps it); each SYN makes a
 *             child socket in SYN_RECV (sk_clone), bounded by tcp_max_syn_backlog;
 *             children that finish the handshake wait for accept()
 *   sendmsg   the one copy: bytes appended to the last unsent packet up to the size
 *             goal (a 64 KiB super-segment), charged to the send buffer, then pushed
 *             (tcp_push: Nagle or a cork may hold a partial last segment; MSG_OOB,
 *             MSG_MORE)
 *   recvmsg   the one copy out of the queued packets, around the urgent byte
 *             (tcp_urg.c; MSG_OOB reads it); 0 at the peer's FIN
 *   shutdown  SHUT_WR sends the FIN (half-close); close as Linux's tcp_close: an RST
 *             when unread data is thrown away or SO_LINGER's time is 0, else a FIN and
 *             an orphan that lives through FIN_WAIT/TIME_WAIT holding its own reference
 *   options   SOL_TCP in tcp_sockopt.c
 */
#include "tcp_priv.h"
#include "tcp_trace.h"
#include "tcp_sockopt.h"
#include "net/stack.h"
#include "net/stream.h"
#include "net/netdev.h"
#include "ip/ip.h"
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

void tcp_set_state(struct sock *sk, int state)
{
    /* Linux tcp_set_state: a synchronized connection that ends, whatever ends it (an
     * RST either way, a timeout), counts as EstabResets */
    if (state == SK_CLOSE && (sk->state == SK_ESTABLISHED || sk->state == SK_CLOSE_WAIT))
        mib_inc(sk->net, MIB_TcpEstabResets);
    TCP_TRACE_STATE(sk, state);
    sk->state = (uint8_t)state;
    if (state != SK_ESTABLISHED) return;
    struct tcp_sock *tp = tcp_sk(sk);
    /* the handshake's ACK: heard from; the idle clocks of ss's lastsnd/lastrcv start
     * (tcp_finish_connect, tcp_create_openreq_child) */
    tp->rcv_tstamp = tp->lsndtime_us = tp->lrcvtime_us = sk->net->st->now_us;
    tcp_init_buffer_space(tp);                        /* tcp_init_transfer */
    if (sk->keepalive) tcp_keepalive_reset(tp);       /* tcp_finish_connect */
}

static int tcp_init_sock(struct sock *sk)
{
    struct tcp_sock *tp = tcp_sk(sk);
    tcp_init_timers(tp);
    tp->rto_us = TCP_TIMEOUT_INIT;
    tp->snd_cwnd = TCP_INIT_CWND;
    tp->rack.reo_wnd_steps = 1;                       /* RACK's reo_wnd multiplier (tcp_rack.c) */
    tp->snd_ssthresh = 0x7fffffff;                    /* TCP_INFINITE_SSTHRESH */
    tcp_cong_init_sock(tp);
    tp->mss_cache = tp->advmss = tp->rx_mss = TCP_MSS_DEFAULT;
    tp->rcv_mss = TCP_MSS_DEFAULT;
    tp->wscale_ok = tp->sack_ok = tp->tstamp_ok = true;   /* what our SYN offers */
    const struct tcp_net *tn = tcp_net_sysctls(sk->net);
    sk->rcvbuf = tn->rmem[1];                         /* net.ipv4.tcp_rmem, tcp_wmem */
    sk->sndbuf = tn->wmem[1];
    sk->inet_id = (uint16_t)stack_rand32(sk->net->st);
    return 0;
}

/* Route MTU to MSS (at most TCP_MAXSEG's, tcp_mss_clamp), and the first window
 * (tcp_select_initial_window). */
static int tcp_init_path(struct tcp_sock *tp, uint32_t daddr)
{
    struct sock *sk = &tp->sk;
    struct rt_result rt;
    int err = ip_route_output(sk->net, daddr, sk->bound_dev_if, &rt);
    if (err) return err;
    if (!sk->local.addr) sk->local.addr = rt.src;
    /* an IPv4 packet is at most 65535 bytes, whatever the MTU (lo: 65536) */
    tp->advmss = (uint16_t)(MIN(rt.dev->mtu, 65535u) - IP4_HLEN - TCP_HLEN);
    if (tp->user_mss) tp->advmss = MIN(tp->advmss, tp->user_mss);
    return 0;
}

static int tcp_bind(struct sock *sk, uint32_t addr, uint16_t port)
{
    if (addr && !ip_is_local(sk->net, addr)) return -EADDRNOTAVAIL;
    sk->local.addr = addr;
    int err = tcp_get_port(sk, port);
    if (err) sk->local.addr = 0;
    else if (addr) sk->addr_bound = true;
    return err;
}

static int tcp_v4_connect(struct sock *sk, uint32_t addr, uint16_t port)
{
    struct tcp_sock *tp = tcp_sk(sk);
    if (sk->state == SK_SYN_SENT) return -EALREADY;
    if (sk->state != SK_CLOSE) return -EISCONN;
    if (!port || !addr) return -EINVAL;
    int err = tcp_init_path(tp, addr);
    if (err) return err;
    tcp_select_initial_window(tp, tp->advmss);       /* tcp_connect_init */
    sk->remote.addr = addr;
    sk->remote.port = port;
    uint32_t isn = 0;                   /* set when a TIME_WAIT connection is taken over */
    if ((err = tcp_v4_hash_connect(sk, &isn)) < 0) { sk->remote.addr = 0; sk->remote.port = 0; return err; }
    tp->iss = isn ? isn : tcp_v4_init_seq(sk->net, sk->local.addr, addr, sk->local.port, port);
    tp->snd_una = tp->snd_nxt = tp->write_seq = tp->iss;
    tcp_set_state(sk, SK_SYN_SENT);
    mib_inc(sk->net, MIB_TcpActiveOpens);
    tcp_send_syn(tp);
    return -EINPROGRESS;
}

static int tcp_listen(struct sock *sk, int backlog)
{
    struct tcp_sock *tp = tcp_sk(sk);
    if (!sk->bound) {
        int err = tcp_get_port(sk, 0);
        if (err) return -EAGAIN;
    }
    tp->max_ack_backlog = (unsigned)MIN(backlog, tcp_net_sysctls(sk->net)->somaxconn);
    if (sk->state == SK_LISTEN) return 0;
    tcp_set_state(sk, SK_LISTEN);
    tcp_lhash_add(tp);
    return 0;
}

struct tcp_sock *tcp_create_child(struct tcp_sock *lp, const struct tcp_seg *seg)
{
    int err;
    struct sock *nsk = sk_clone(&lp->sk, &err);
    if (!nsk) return NULL;
    struct tcp_sock *tp = tcp_sk(nsk);
    tcp_sockopt_inherit(tp, lp);
    nsk->local.addr = seg->daddr;
    if (tcp_init_path(tp, seg->saddr) < 0) { sock_close(nsk); return NULL; }
    tcp_bhash_add(tp, lp->sk.local.port);
    nsk->remote.addr = seg->saddr;
    nsk->remote.port = seg->sport;
    tcp_negotiate_syn(tp, seg);
    tcp_select_initial_window(tp, tp->advmss - (tp->tstamp_ok ? TCPOLEN_TSTAMP_ALIGNED : 0));   /* tcp_openreq_init_rwin */
    /* a SYN that ended a TIME_WAIT gets an ISN past the old connection's (tcp_timewait.c) */
    tp->iss = seg->tw_isn ? seg->tw_isn : tcp_v4_init_seq(nsk->net, seg->daddr, seg->saddr, seg->dport, seg->sport);
    tp->snd_una = tp->snd_nxt = tp->write_seq = tp->iss;
    tp->snd_wnd = tp->max_window = seg->win;
    tp->snd_wl1 = seg->seq;
    tcp_set_state(nsk, SK_SYN_RECV);
    tp->parent = lp;
    tp->q_next = lp->syn_q;
    lp->syn_q = tp;
    lp->syn_qlen++;
    tcp_ehash_add(tp);
    return tp;
}

/* Take a child off its listener's queues. */
static void tcp_unlink_child(struct tcp_sock *child)
{
    struct tcp_sock *lp = child->parent;
    for (struct tcp_sock **pp = &lp->syn_q; *pp; pp = &(*pp)->q_next)
        if (*pp == child) { *pp = child->q_next; lp->syn_qlen--; child->parent = NULL; return; }
    struct tcp_sock *prev = NULL;
    for (struct tcp_sock *c = lp->acc_q; c; prev = c, c = c->q_next)
        if (c == child) {
            if (prev) prev->q_next = c->q_next; else lp->acc_q = c->q_next;
            if (lp->acc_tail == c) lp->acc_tail = prev;
            lp->acc_qlen--;
            break;
        }
    child->parent = NULL;
}

void tcp_child_established(struct tcp_sock *child)
{
    struct tcp_sock *lp = child->parent;
    tcp_unlink_child(child);
    child->parent = lp;
    child->q_next = NULL;
    if (lp->acc_tail) lp->acc_tail->q_next = child; else lp->acc_q = child;
    lp->acc_tail = child;
    lp->acc_qlen++;
    mib_inc(lp->sk.net, MIB_TcpPassiveOpens);
    sk_wake(&lp->sk, SK_READABLE);
}

static struct sock *tcp_accept(struct sock *sk, int *err)
{
    struct tcp_sock *lp = tcp_sk(sk), *child = lp->acc_q;
    if (!child) { *err = -EAGAIN; return NULL; }
    tcp_unlink_child(child);
    *err = 0;
    return &child->sk;
}

void tcp_done(struct sock *sk)
{
    struct tcp_sock *tp = tcp_sk(sk);
    if (sk->state == SK_SYN_SENT || sk->state == SK_SYN_RECV) mib_inc(sk->net, MIB_TcpAttemptFails);
    tcp_set_state(sk, SK_CLOSE);
    tcp_stop_timers(tp);
    tcp_unhash(sk);
    sk->shut_rd = sk->shut_wr = true;
    if (tp->parent) { tcp_unlink_child(tp); sock_close(sk); return; }   /* never accepted */
    if (tp->orphan_held) {
        tp->orphan_held = false;
        sk_common_release(sk);
        sock_put(sk);
        return;
    }
    sk_wake(sk, SK_READABLE | SK_WRITABLE);          /* sk_state_change */
}

/* inet_csk_listen_stop: children not yet accepted go; those already connected are
 * reset (tcp_disconnect), half-open ones are just forgotten. */
static void tcp_listen_stop(struct tcp_sock *lp)
{
    while (lp->syn_q || lp->acc_q) {
        struct tcp_sock *c = lp->syn_q ? lp->syn_q : lp->acc_q;
        tcp_unlink_child(c);
        if (c->sk.state == SK_ESTABLISHED) tcp_send_active_reset(c);
        tcp_set_state(&c->sk, SK_CLOSE);
        sock_close(&c->sk);
    }
    tcp_unhash(&lp->sk);
}

static void tcp_purge_write_queue(struct tcp_sock *tp)
{
    while (tp->wq_head) {
        struct pkt *p = tp->wq_head;
        tp->wq_head = p->next;
        pkt_free(p);
    }
    tp->wq_tail = tp->send_head = NULL;
}

static void tcp_destroy(struct sock *sk)
{
    struct tcp_sock *tp = tcp_sk(sk);
    tcp_stop_timers(tp);
    tcp_purge_write_queue(tp);
    tcp_ofo_purge(tp);
}

static int tcp_disconnect(struct sock *sk)
{
    struct tcp_sock *tp = tcp_sk(sk);
    if (sk->state == SK_LISTEN) tcp_listen_stop(tp);
    tcp_stop_timers(tp);
    tcp_purge_write_queue(tp);
    tcp_ofo_purge(tp);
    tcp_unhash(sk);
    tcp_set_state(sk, SK_CLOSE);
    return 0;
}

/* The FIN of a close or SHUT_WR (tcp_close_state: ESTABLISHED/SYN_RECV -> FIN_WAIT1,
 * CLOSE_WAIT -> LAST_ACK). false: nothing to send in this state. */
static bool tcp_close_state(struct tcp_sock *tp)
{
    struct sock *sk = &tp->sk;
    if (sk->state == SK_ESTABLISHED || sk->state == SK_SYN_RECV) tcp_set_state(sk, SK_FIN_WAIT1);
    else if (sk->state == SK_CLOSE_WAIT) tcp_set_state(sk, SK_LAST_ACK);
    else return false;
    tcp_send_fin(tp);
    return true;
}

static int tcp_shutdown(struct sock *sk, int how)
{
    if (how != 0) tcp_close_state(tcp_sk(sk));
    return 0;
}

/* tcp_need_reset: the states an abort tells the peer about (Linux tcp_disconnect). */
static bool tcp_need_reset(const struct tcp_sock *tp)
{
    switch (tp->sk.state) {
    case SK_ESTABLISHED: case SK_CLOSE_WAIT: case SK_FIN_WAIT1: case SK_FIN_WAIT2: case SK_SYN_RECV:
        return true;
    case SK_CLOSING: case SK_LAST_ACK:
        return tp->snd_nxt != tp->write_seq;          /* data still unsent */
    default:
        return false;
    }
}

static void tcp_close(struct sock *sk)
{
    struct tcp_sock *tp = tcp_sk(sk);
    if (tp->parent) tcp_unlink_child(tp);
    if (sk->state == SK_LISTEN) tcp_listen_stop(tp);
    if (sk->state == SK_LISTEN || sk->state == SK_CLOSE || sk->state == SK_SYN_SENT) {
        tcp_set_state(sk, SK_CLOSE);
        sk_common_release(sk);
        return;
    }
    /* RFC 2525 §2.17: unread data is an abort; so is SO_LINGER with a zero time, checked
     * after it as Linux's tcp_close does (tcp_disconnect: the RST, then gone at once).
     * A longer linger cannot make close wait here (no call blocks): the FIN goes and the
     * orphan finishes the close, as without SO_LINGER. */
    bool abort_linger = sk->linger && !sk->lingertime_s;
    if (sk->rq || abort_linger) {
        mib_inc(sk->net, sk->rq ? MIB_TcpExtTCPAbortOnClose : MIB_TcpExtTCPAbortOnData);
        if (sk->rq || tcp_need_reset(tp)) tcp_send_active_reset(tp);   /* unread: always */
        tcp_set_state(sk, SK_CLOSE);
        sk_common_release(sk);
        return;
    }
    sock_hold(sk);                      /* the orphan lives on (tcp_done lets go) */
    tp->orphan_held = true;
    sk->shut_rd = sk->shut_wr = true;
    if (!tcp_close_state(tp) && sk->state == SK_FIN_WAIT2)
        timer_arm_in(sk->net->st, &tp->tw_timer, (uint64_t)tcp_net_sysctls(sk->net)->fin_timeout_ms * US_PER_MS);
}

/* tcp_xmit_size_goal: the largest super-segment, a whole number of MSS; when one MSS
 * is larger than a packet can carry with every option (lo), the packet's limit: never
 * 0, which would queue empty packets without end. */
static uint32_t tcp_size_goal(const struct tcp_sock *tp)
{
    uint32_t max = 65535 - IP4_HLEN - TCP_HLEN_MAX;
    return max < tp->mss_cache ? max : max - max % tp->mss_cache;
}

/* Append up to n bytes to the unsent tail if it has room; returns bytes taken. */
static size_t tcp_append_tail(struct tcp_sock *tp, const uint8_t *src, size_t n, uint32_t goal)
{
    struct pkt *t = tp->send_head ? tp->wq_tail : NULL;
    if (!t || (TCP_SKB_CB(t)->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_FIN)) || t->len >= goal) return 0;
    size_t k = MIN(n, MIN(goal - t->len, pkt_tailroom(t)));
    memcpy(pkt_put(t, k), src, k);
    TCP_SKB_CB(t)->end_seq += (uint32_t)k;
    tp->write_seq += (uint32_t)k;
    return k;
}

/* A full unsent tail's partial last segment (bytes past its last whole MSS): they move
 * to the front of the next packet, so that only the last packet of the queue can end
 * in a partial segment — the one Nagle or a cork may hold (Linux's tail skb grows
 * instead; ours are buffers). Less than one MSS is copied per buffer filled. */
static uint32_t tcp_tail_carry(struct tcp_sock *tp)
{
    struct pkt *t = tp->send_head ? tp->wq_tail : NULL;
    if (!t || (TCP_SKB_CB(t)->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_FIN)) || t->len <= tp->mss_cache) return 0;
    return t->len % tp->mss_cache;
}

/* A new packet for up to n bytes (its size by what is asked, up to the goal), after
 * the tail's carried bytes. */
static long tcp_new_tail(struct tcp_sock *tp, const uint8_t *src, size_t n, uint32_t goal)
{
    struct sock *sk = &tp->sk;
    uint32_t carry = tcp_tail_carry(tp);
    struct pkt *p = net_pkt_alloc(sk->net, MIN(n + carry, goal));
    if (!p) return -ENOBUFS;
    if (!sk_charge_tx(sk, p)) { pkt_free(p); return -EAGAIN; }
    if (carry) {
        struct pkt *t = tp->wq_tail;
        memcpy(pkt_put(p, carry), t->data + t->len - carry, carry);
        pkt_trim(t, t->len - carry);
        TCP_SKB_CB(t)->end_seq -= carry;
    }
    size_t k = MIN(n, MIN(goal - carry, pkt_tailroom(p)));
    memcpy(pkt_put(p, k), src, k);
    struct tcp_skb_cb *cb = TCP_SKB_CB(p);
    memset(cb, 0, sizeof(*cb));
    cb->seq = tp->write_seq - carry;
    cb->end_seq = tp->write_seq + (uint32_t)k;
    tp->write_seq += (uint32_t)k;
    tcp_queue_tail(tp, p);
    tp->nonagle &= (uint8_t)~TCP_NAGLE_PUSH;          /* skb_entail: a push is spent */
    return (long)k;
}

static long tcp_sendmsg(struct sock *sk, const struct sk_msghdr *msg)
{
    struct tcp_sock *tp = tcp_sk(sk);
    if (sk->state == SK_SYN_SENT || sk->state == SK_SYN_RECV) return -EAGAIN;
    if (sk->state != SK_ESTABLISHED && sk->state != SK_CLOSE_WAIT) return -EPIPE;
    uint32_t goal = tcp_size_goal(tp);
    long copied = 0, err = 0;
    for (size_t i = 0; i < msg->iovlen && !err; i++) {
        const uint8_t *src = msg->iov[i].iov_base;
        size_t left = msg->iov[i].iov_len;
        while (left) {
            size_t k = tcp_append_tail(tp, src, left, goal);
            if (!k) {
                long r = tcp_new_tail(tp, src, left, goal);
                if (r < 0) { err = r; break; }
                k = (size_t)r;
            }
            src += k; left -= k; copied += (long)k;
        }
    }
    TRACE_CAUSE(sk->net, "tcp", "tcp_sendmsg", NULL, "%ld bytes", copied);
    if (copied) tcp_push(tp, msg->flags);
    else tcp_write_xmit(tp);
    return copied ? copied : err;
}

/* tcp_cleanup_rbuf: after a read, tell the peer when the window it may use has at least
 * doubled (only worth working out while the offer is at most half the clamp). */
static void tcp_cleanup_rbuf(struct tcp_sock *tp)
{
    uint32_t offered = tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt;
    if (tp->sk.shut_rd || 2 * offered > tp->window_clamp || tp->sk.state != SK_ESTABLISHED) return;
    uint32_t win = tcp_window_from_free_space(tp);
    if (win && win >= 2 * offered) tcp_send_ack(tp);
}

void tcp_rq_eat(struct sock *sk, struct pkt *p, size_t n)
{
    pkt_pull(p, n);
    if (p->len) return;
    sk->rq = p->next;
    if (!sk->rq) sk->rq_tail = NULL;
    sk->rq_len--;
    sk->rmem -= p->truesize;
    pkt_free(p);
}

/* tcp_recvmsg: the one copy out of the queued packets. A read stops at the urgent mark
 * once it has copied something, and the urgent byte itself is skipped (SO_OOBINLINE
 * off: it is read with MSG_OOB). */
static long tcp_recvmsg(struct sock *sk, struct sk_msghdr *msg)
{
    struct tcp_sock *tp = tcp_sk(sk);
    if (sk->state == SK_LISTEN) return -ENOTCONN;
    if (msg->flags & SK_MSG_OOB) return tcp_recv_urg(tp, msg);
    bool peek = msg->flags & SK_MSG_PEEK;
    long copied = 0;
    uint32_t seq = tcp_copied_seq(tp);
    struct pkt *p = sk->rq;
    size_t i = 0, off = 0, poff = 0;
    while (p && i < msg->iovlen) {
        if (off == msg->iov[i].iov_len) { i++; off = 0; continue; }
        bool skip;
        size_t k = tcp_urg_clip(tp, seq, p->len - (uint32_t)poff, copied != 0, &skip);
        if (skip) k = 1;
        else if (!k) break;                                /* at the mark */
        else {
            k = MIN(k, msg->iov[i].iov_len - off);
            memcpy((uint8_t *)msg->iov[i].iov_base + off, p->data + poff, k);
            off += k; copied += (long)k;
        }
        seq += (uint32_t)k;
        if (!peek) { tcp_rq_eat(sk, p, k); p = sk->rq; continue; }
        poff += k;
        if (poff == p->len) { p = p->next; poff = 0; }
    }
    if (!peek) tcp_urg_consumed(tp);
    if (copied && !peek) {
        tp->copied_seq += (uint32_t)copied;
        tcp_rcv_space_adjust(tp);
        tcp_cleanup_rbuf(tp);
    }
    if (copied) return copied;
    if (sk->err) return sock_error(sk);
    if (sk->shut_rd || sk->state == SK_CLOSE) return 0;
    return -EAGAIN;
}

static unsigned tcp_poll(const struct sock *sk)
{
    const struct tcp_sock *tp = tcp_csk(sk);
    unsigned m = sk->err ? SK_ERROR : 0;
    if (sk->state == SK_LISTEN) return m | (tp->acc_q ? SK_READABLE : 0);
    if ((sk->rq && !tcp_urg_only_left(tp)) || sk->shut_rd) m |= SK_READABLE;
    if (tp->urg_data & TCP_URG_VALID) m |= SK_PRI;
    if ((sk->state == SK_ESTABLISHED || sk->state == SK_CLOSE_WAIT) && sk->wmem < (unsigned)sk->sndbuf)
        m |= SK_WRITABLE;
    return m;
}

static const struct proto tcp_prot = {
    .name = "tcp", .obj_size = sizeof(struct tcp_sock), .init = tcp_init_sock, .get_port = tcp_get_port,
    .bind = tcp_bind, .connect = tcp_v4_connect, .disconnect = tcp_disconnect, .sendmsg = tcp_sendmsg,
    .recvmsg = tcp_recvmsg, .poll = tcp_poll, .shutdown = tcp_shutdown, .listen = tcp_listen,
    .accept = tcp_accept, .close = tcp_close, .destroy = tcp_destroy, .unhash = tcp_unhash,
    .get_queues = tcp_get_queues, .get_info = tcp_get_info,
    .keepalive = tcp_set_keepalive, .setsockopt = tcp_setsockopt, .getsockopt = tcp_getsockopt,
};

const struct inet_protosw tcp_protosw = {
    .type = SOCK_STREAM, .protocol = IPPROTO_TCP, .prot = &tcp_prot, .ops = &inet_stream_ops,
    .flags = INET_PROTOSW_PERMANENT,
};

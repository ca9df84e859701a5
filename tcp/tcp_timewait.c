/*
 * tcp/tcp_timewait.c — TIME_WAIT: what a segment for a connection in TIME_WAIT does
 * (Linux tcp_minisocks.c tcp_timewait_state_process), and when a new connection may
 * take its 4-tuple over (RFC 1122 4.2.2.13, RFC 6191; Linux tcp_twsk_unique).
 *
 * A connection in TIME_WAIT keeps its 4-tuple for 60 s (TCP_TIMEWAIT_LEN) so that old
 * duplicates of it cannot be taken for data of a new one. Linux's rules, branch by branch:
 *   - an RST or a bare ACK exactly at rcv_nxt: the RST ends TIME_WAIT at once
 *     ("assassination", net.ipv4.tcp_rfc1337 = 0, Linux's default; with 1 it is
 *     ignored as RFC 1337 asks); the ACK restarts the 60 s and is not answered
 *   - a SYN without ACK or RST, not rejected by PAWS, whose sequence number is after
 *     rcv_nxt or whose timestamp is newer than TS.Recent (RFC 6191): a new connection.
 *     TIME_WAIT ends and the listener takes the SYN, answering with an ISN past
 *     everything the old connection sent (snd_nxt + 65537)
 *   - anything else but an RST is answered by an ACK (at most one per
 *     net.ipv4.tcp_invalid_ratelimit for pure ACKs and SYNs: TCPACKSkippedTimeWait),
 *     and an ACK or a PAWS reject (PAWSTimewait) restarts the 60 s; an RST out of place
 *     is ignored
 * A connect() may take over a TIME_WAIT 4-tuple when the old connection had timestamps
 * (PAWS then tells the incarnations apart): always for a port the socket bound itself,
 * and for an ephemeral port when net.ipv4.tcp_tw_reuse allows (1: always, 2 — the
 * default — loopback only) and tcp_tw_reuse_delay ms have passed since TIME_WAIT began.
 * The new connection starts at snd_nxt + 65537 and inherits TS.Recent (TWRecycled).
 */
#include "tcp_priv.h"
#include "net/stack.h"
#include "net/sysctl.h"
#include "ip/ip_wire.h"

#define TCP_PAWS_MSL 60         /* s: an RST's timestamp counts only this long (Linux) */

void tcp_timewait_net_init(struct net *net, struct tcp_net *tn)
{
    tn->rfc1337 = 0;
    tn->tw_reuse = 2;
    tn->tw_reuse_delay_ms = 1000;
    sysctl_register(net, "net.ipv4.tcp_rfc1337", &tn->rfc1337, SC_INT, 0, 1, NULL, tn);
    sysctl_register(net, "net.ipv4.tcp_tw_reuse", &tn->tw_reuse, SC_INT, 0, 2, NULL, tn);
    sysctl_register(net, "net.ipv4.tcp_tw_reuse_delay", &tn->tw_reuse_delay_ms, SC_INT, 1, 600000, NULL, tn);
}

static uint64_t now_s(const struct tcp_sock *tp) { return tp->sk.net->st->now_us / US_PER_S; }

/* tcp_paws_reject: an older TSval than TS.Recent is an old duplicate; an RST's only
 * within TCP_PAWS_MSL of when TS.Recent was taken. */
static bool tcp_tw_paws_reject(const struct tcp_sock *tp, const struct tcp_seg *seg)
{
    if (!tp->tstamp_ok || !seg->opt.ts_ok || tcp_paws_check(tp, seg->opt.ts_val, 0)) return false;
    return !((seg->flags & TCP_FLAG_RST) && now_s(tp) >= tp->ts_recent_stamp + TCP_PAWS_MSL);
}

/* tcp_oow_rate_limited: pure ACKs and SYNs are answered at most once per
 * tcp_invalid_ratelimit (an ACK war with a confused peer ends); data always is. */
static bool tcp_tw_ack_limited(struct tcp_sock *tp, const struct tcp_seg *seg)
{
    return tcp_oow_rate_limited(tp, seg, MIB_TcpExtTCPACKSkippedTimeWait);
}

/* RFC 6191 / Linux: may this SYN open a new connection over the TIME_WAIT one? */
static bool tcp_tw_syn_acceptable(const struct tcp_sock *tp, const struct tcp_seg *seg, bool paws_reject)
{
    if ((seg->flags & (TCP_FLAG_SYN | TCP_FLAG_RST | TCP_FLAG_ACK)) != TCP_FLAG_SYN || paws_reject) return false;
    if (seq_after(seg->seq, tp->rcv_nxt)) return true;
    return tp->tstamp_ok && seg->opt.ts_ok && (int32_t)(tp->ts_recent - seg->opt.ts_val) < 0;
}

/* The first sequence number of a connection that replaces tp: past all it sent. */
static uint32_t tcp_tw_isn(const struct tcp_sock *tp)
{
    uint32_t isn = tp->snd_nxt + 65535 + 2;
    return isn ? isn : 1;
}

/* A new SYN for a connection in TIME_WAIT: the listener on the port takes it (TIME_WAIT
 * ends); with none, it is answered like any other segment (Linux's TCP_TW_SYN falls
 * through to TCP_TW_ACK). */
static void tcp_tw_new_syn(struct tcp_sock *tp, struct pkt *p, struct tcp_seg *seg)
{
    struct tcp_sock *lp = tcp_lookup_listener(tp->sk.net, seg->daddr, seg->dport);
    if (!lp) { tcp_send_ack(tp); pkt_consume(p); return; }
    seg->tw_isn = tcp_tw_isn(tp);
    tcp_done(&tp->sk);                      /* inet_twsk_deschedule_put; the caller holds tp */
    tcp_listen_rcv(&lp->sk, p, seg);
}

void tcp_timewait_rcv(struct tcp_sock *tp, struct pkt *p, struct tcp_seg *seg)
{
    struct sock *sk = &tp->sk;
    struct net *net = sk->net;
    bool paws_reject = tcp_tw_paws_reject(tp, seg), rst = seg->flags & TCP_FLAG_RST;
    if (!paws_reject && seg->seq == tp->rcv_nxt && (seg->seq == seg->end_seq || rst)) {
        if (rst && !tcp_net(net)->rfc1337) { pkt_drop(net, p, DROP_TCP_RESET); tcp_done(sk); return; }
        timer_arm_in(net->st, &tp->tw_timer, TCP_TIMEWAIT_LEN);
        if (tp->tstamp_ok && seg->opt.ts_ok) { tp->ts_recent = seg->opt.ts_val; tp->ts_recent_stamp = now_s(tp); }
        pkt_consume(p);
        return;
    }
    if (tcp_tw_syn_acceptable(tp, seg, paws_reject)) { tcp_tw_new_syn(tp, p, seg); return; }
    if (paws_reject) mib_inc(net, MIB_TcpExtPAWSTimewait);      /* LINUX_MIB_PAWS_TW_REJECTED */
    if (rst) { pkt_drop(net, p, paws_reject ? DROP_TCP_RFC7323_TW_PAWS : DROP_TCP_INVALID_SEQUENCE); return; }
    /* an ACKless SYN before rcv_nxt may be a new one with a random ISN: the wait is not
     * restarted for it */
    if (paws_reject || (seg->flags & TCP_FLAG_ACK)) timer_arm_in(net->st, &tp->tw_timer, TCP_TIMEWAIT_LEN);
    if (!tcp_tw_ack_limited(tp, seg)) tcp_send_ack(tp);
    if (paws_reject) pkt_drop(net, p, DROP_TCP_RFC7323_TW_PAWS);
    else pkt_consume(p);
}

/* tcp_twsk_unique: may connect() from sk take over tw's 4-tuple? port_search: the port
 * is an ephemeral one being chosen (Linux's twp), not one the socket bound. On yes, the
 * new connection's ISN and TS.Recent are set from tw. */
bool tcp_twsk_unique(struct tcp_sock *tp, const struct tcp_sock *tw, bool port_search, uint32_t *isn)
{
    struct net *net = tp->sk.net;
    struct tcp_net *tn = tcp_net(net);
    int reuse = tn->tw_reuse;
    if (reuse == 2) {               /* loopback only: a loopback address or bound to lo */
        struct netdev *d = tw->sk.bound_dev_if ? netdev_by_index(net, tw->sk.bound_dev_if) : NULL;
        bool loopback = (d && (d->flags & IFF_LOOPBACK)) || ipv4_is_loopback(tw->sk.remote.addr) ||
                        ipv4_is_loopback(tw->sk.local.addr);
        if (!loopback) reuse = 0;
    }
    if (!tw->tstamp_ok || !tw->ts_recent_stamp) return false;
    if (port_search && !(reuse && net->st->now_us > tw->tw_entry_us + (uint64_t)tn->tw_reuse_delay_ms * US_PER_MS))
        return false;
    *isn = tcp_tw_isn(tw);
    tp->ts_recent = tw->ts_recent;
    tp->ts_recent_stamp = tw->ts_recent_stamp;
    return true;
}

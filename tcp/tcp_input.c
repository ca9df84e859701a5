/*
 * tcp/tcp_input.c — what an arriving segment does (RFC 9293 §3.10.7 "SEGMENT ARRIVES";
 * Linux net/ipv4/tcp_input.c, tcp_minisocks.c).
 *
 *   tcp_listen_rcv          LISTEN: RST ignored, ACK answered by RST, SYN opens a child
 *                           in SYN_RECV (tcp_conn_request) within the SYN and accept
 *                           backlogs
 *   tcp_rcv_synsent         SYN_SENT: the SYN-ACK (or a SYN: simultaneous open)
 *   tcp_rcv_state_process   the synchronized states, in the RFC's order: sequence
 *                           check, RST (RFC 5961 §3), SYN (RFC 5961 §4), ACK (tcp_ack,
 *                           RFC 5961 §5), data (tcp_data_queue), FIN (tcp_fin)
 *
 * Data after a hole waits in the out-of-order queue (tcp_ofo.c). Each received packet, whatever its length
 * (a GSO super-frame too), is queued whole: no copy.
 */
#include "tcp_priv.h"
#include "tcp_trace.h"
#include "net/stack.h"
#include "net/trace.h"
#include "arp/neigh.h"
#include <errno.h>

/* The options a SYN brought (tcp_parse_options at connection set-up, tcp_sync_mss). */
void tcp_negotiate_syn(struct tcp_sock *tp, const struct tcp_seg *seg)
{
    const struct tcp_opts *o = &seg->opt;
    tp->rx_mss = o->mss_ok ? MAX(o->mss, (uint16_t)TCP_MIN_MSS) : TCP_MSS_DEFAULT;
    if (tp->user_mss) tp->rx_mss = MIN(tp->rx_mss, tp->user_mss);     /* TCP_MAXSEG's clamp */
    tp->wscale_ok = tp->wscale_ok && o->wscale_ok;
    tp->snd_wscale = tp->wscale_ok ? o->wscale : 0;
    if (!tp->wscale_ok) { tp->rcv_wscale = 0; tp->window_clamp = MIN(tp->window_clamp, 65535u); }
    tp->sack_ok = tp->sack_ok && o->sack_ok;
    tp->tstamp_ok = tp->tstamp_ok && o->ts_ok;
    if (tp->tstamp_ok) { tp->ts_recent = o->ts_val; tp->ts_recent_stamp = tp->sk.net->st->now_us / US_PER_S; }
    tp->mss_cache = (uint16_t)(MIN(tp->advmss, tp->rx_mss) - (tp->tstamp_ok ? TCPOLEN_TSTAMP_ALIGNED : 0));
    tp->rcv_mss = MIN(TCP_MSS_DEFAULT, tp->mss_cache);
    tp->irs = seg->seq;
    tp->rcv_nxt = seg->seq + 1;
    tp->rcv_wup = tp->rcv_nxt;
    tp->copied_seq = tp->rcv_nxt;
}

/* tcp_sequence (RFC 9293 §3.10.7.4 "first"): does any of the segment fall in the window
 * we offered? Linux's form: not entirely before rcv_wup, not starting after the right edge. */
static bool tcp_sequence_ok(const struct tcp_sock *tp, const struct tcp_seg *seg)
{
    uint32_t right = tp->rcv_wup + tp->rcv_wnd;
    return !seq_before(seg->end_seq, tp->rcv_wup) && !seq_after(seg->seq, seq_max(right, tp->rcv_nxt));
}

/* tcp_reset: the peer aborted. The error the application sees depends on the state
 * (ECONNREFUSED while connecting, EPIPE after its FIN, else ECONNRESET). */
static void tcp_reset(struct tcp_sock *tp)
{
    struct sock *sk = &tp->sk;
    if (!(sk->state == SK_SYN_RECV && tp->parent)) {
        int err = sk->state == SK_SYN_SENT || sk->state == SK_SYN_RECV ? ECONNREFUSED :
                  sk->state == SK_CLOSE_WAIT ? EPIPE : ECONNRESET;
        sk_set_err(sk, err);
    }
    tcp_done(sk);
}

/* The RTT sample of an ACK (Linux tcp_ack_update_rtt): from the oldest newly acked
 * segment if none of them was retransmitted (Karn's rule, RFC 6298 §3); else from the
 * timestamp it echoes (RFC 7323 §4.1, tcp_rtt_tsopt_us), which names the transmission
 * that was acknowledged. A valid sample sets a fresh RTO and ends the backoff
 * (RFC 6298 §5.7 leaves the backed-off RTO in place until one comes). */
static void tcp_ack_update_rtt(struct tcp_sock *tp, const struct tcp_seg *seg, uint64_t first_when, bool retrans)
{
    uint64_t rtt_us = 0;
    if (first_when && !retrans) rtt_us = MAX(tp->sk.net->st->now_us - first_when, 1);
    else if (seg && tp->tstamp_ok && seg->opt.ts_ok && seg->opt.ts_ecr) rtt_us = tcp_rtt_tsopt_us(tp, seg->opt.ts_ecr);
    if (!rtt_us) return;
    tcp_rtt_estimator(tp, (uint32_t)MIN(rtt_us, (uint64_t)TCP_RTO_MAX));
    tp->backoff = 0;
}

/* The congestion control's RTT sample (Linux ca_rtt_us, for pkts_acked: HyStart's
 * delay signal): from the newest segment the ACK covers, a partly acked super-segment
 * too, unless retransmitted data was acked; else from the timestamp. Not the
 * handshake's: Linux starts the algorithm after it (tcp_init_transfer). */
static void tcp_ca_rtt_sample(struct tcp_sock *tp, const struct tcp_seg *seg, uint64_t last_when, bool retrans,
                              uint32_t acked)
{
    uint64_t rtt_us = 0;
    if (last_when && !retrans) rtt_us = MAX(tp->sk.net->st->now_us - last_when, 1);
    else if (seg && tp->tstamp_ok && seg->opt.ts_ok && seg->opt.ts_ecr) rtt_us = tcp_rtt_tsopt_us(tp, seg->opt.ts_ecr);
    if (rtt_us) tp->ca_ops->pkts_acked(tp, acked, (uint32_t)MIN(rtt_us, (uint64_t)TCP_RTO_MAX));
}

/* tcp_clean_rtx_queue: free what the ACK covers and take its RTT samples (seg NULL: no
 * timestamp to use). Returns segments acked; *fresh: those of them not SACKed before
 * (what the ACK delivered, for PRR). */
static uint32_t tcp_clean_rtx_queue(struct tcp_sock *tp, uint32_t ack, const struct tcp_seg *seg, uint32_t *fresh)
{
    uint64_t first_when = 0, last_when = 0;     /* the oldest fully acked; the newest acked */
    bool retrans = false, ca_retrans = false, syn = false;
    uint32_t acked_bytes = 0, sacked_bytes = 0;
    while (tp->wq_head && tp->wq_head != tp->send_head) {
        struct pkt *p = tp->wq_head;
        struct tcp_skb_cb *cb = TCP_SKB_CB(p);
        bool full = !seq_after(cb->end_seq, ack);
        if (!full && !seq_after(ack, cb->seq)) break;
        if (seq_after(ack, cb->seq)) tcp_rack_advance(tp, cb);     /* RACK: delivered */
        if (!(cb->sacked & TCPCB_SACKED_ACKED)) last_when = cb->when_us;
        ca_retrans |= cb->retrans != 0;
        syn |= (cb->tcp_flags & TCP_FLAG_SYN) != 0;
        if (full) {
            if (!first_when) first_when = cb->when_us;
            retrans |= cb->retrans != 0;
            acked_bytes += cb->end_seq - cb->seq;
            if (cb->sacked & TCPCB_SACKED_ACKED) sacked_bytes += cb->end_seq - cb->seq;
            /* a child's SYN-ACK is not in bytes_acked: Linux's child starts with snd_una
             * past it (tcp_create_openreq_child), an active opener counts its SYN */
            if ((cb->tcp_flags & TCP_FLAG_SYN) && tp->parent) tp->bytes_acked--;
            tp->wq_head = p->next;
            if (!tp->wq_head) tp->wq_tail = NULL;
            pkt_free(p);                        /* the send buffer charge comes back */
            continue;
        }
        uint32_t n = ack - cb->seq;             /* tcp_trim_head: part of it is acked */
        if (cb->tcp_flags & TCP_FLAG_SYN) { n--; cb->tcp_flags &= (uint8_t)~TCP_FLAG_SYN; }
        pkt_pull(p, MIN(n, p->len));
        acked_bytes += ack - cb->seq;
        cb->seq = ack;
        break;
    }
    uint32_t mss = tp->mss_cache ? tp->mss_cache : 1, acked = (acked_bytes + mss - 1) / mss;
    if (acked_bytes) tcp_ack_update_rtt(tp, seg, first_when, retrans);
    if (acked_bytes && !syn && tp->ca_ops && tp->ca_ops->pkts_acked) tcp_ca_rtt_sample(tp, seg, last_when, ca_retrans, acked);
    tp->bytes_acked += acked_bytes;
    if (fresh) *fresh = (acked_bytes - sacked_bytes + mss - 1) / mss;
    return tp->mss_cache ? acked : 1;
}

/* tcp_ack_update_window (RFC 9293 §3.10.7.4, SND.WL1/WL2 rule). */
static void tcp_ack_update_window(struct tcp_sock *tp, const struct tcp_seg *seg)
{
    if (seq_before(tp->snd_wl1, seg->seq) || (tp->snd_wl1 == seg->seq && !seq_before(seg->ack, tp->snd_wl2))) {
        tp->snd_wnd = (uint32_t)seg->win << tp->snd_wscale;
        tp->snd_wl1 = seg->seq;
        tp->snd_wl2 = seg->ack;
        tp->max_window = MAX(tp->max_window, tp->snd_wnd);
    }
}

/* sk_dst_confirm (Linux tcp_ack: forward progress, or a plain duplicate ACK): the
 * peer answers, so its neighbour entry is reachable without an ARP probe (the upper
 * layer's confirmation of RFC 1122 §2.3.2.1; arp/neigh.c's timer reads it). */
static void tcp_dst_confirm(struct tcp_sock *tp)
{
    struct neigh *n = sk_dst_neigh(tp->sk.net, &tp->dst);
    if (n) neigh_confirm(n);
}

/* tcp_sndbuf_expand: room for twice the larger of cwnd and the initial window in
 * segments (fast recovery sends up to 1.7 cwnd under CUBIC; 2 leaves a cushion for an
 * application slow to refill), each charged as a segment in a buffer of its own: the
 * power-of-two buffer that holds it and its headers, plus the packet's header. Up to
 * tcp_wmem[2]. */
void tcp_sndbuf_expand(struct tcp_sock *tp)
{
    struct sock *sk = &tp->sk;
    uint32_t seg = MAX(tp->rx_mss, tp->mss_cache) + PKT_HEADROOM, pow2 = 1;
    while (pow2 < seg) pow2 <<= 1;
    uint64_t per_mss = pow2 + sizeof(struct pkt);
    uint32_t nr_segs = MAX(MAX((uint32_t)TCP_INIT_CWND, tp->snd_cwnd), (uint32_t)TCP_DUPTHRESH + 1);
    uint64_t sndmem = 2 * (uint64_t)nr_segs * per_mss;
    if ((uint64_t)sk->sndbuf < sndmem)
        sk->sndbuf = (int)MIN(sndmem, (uint64_t)tcp_net_sysctls(sk->net)->wmem[2]);
}

/* tcp_new_space: an ACK freed send buffer. If the sender is not using all of cwnd, the
 * buffer, not cwnd, is what limits it: let the buffer follow cwnd (tcp_should_expand_sndbuf;
 * never when SO_SNDBUF fixed it). Then wake a writer once half the buffer is free. */
static void tcp_new_space(struct tcp_sock *tp)
{
    struct sock *sk = &tp->sk;
    uint32_t packets_out = tp->mss_cache ? (tp->snd_nxt - tp->snd_una + tp->mss_cache - 1) / tp->mss_cache : 0;
    uint32_t in_flight = packets_out - MIN(packets_out, tp->sacked_out + tp->lost_out) + tp->retrans_out;
    if (!(sk->userlocks & SOCK_SNDBUF_LOCK) && in_flight < tp->snd_cwnd) tcp_sndbuf_expand(tp);
    if (sk->wmem * 2 <= (unsigned)sk->sndbuf) sk_wake(sk, SK_WRITABLE);
}

/* tcp_ack: DROP_NONE when the segment goes on, else the reason it is dropped (an ACK
 * or challenge ACK already sent). */
static enum drop tcp_ack(struct tcp_sock *tp, const struct tcp_seg *seg)
{
    if (seq_after(seg->ack, tp->snd_nxt)) {           /* RFC 5961 §5.2, RFC 9293: ACK, drop */
        tcp_send_challenge_ack(tp);
        return DROP_TCP_ACK_UNSENT_DATA;
    }
    if (seq_before(seg->ack, tp->snd_una - tp->max_window)) {
        tcp_send_challenge_ack(tp);
        return DROP_TCP_TOO_OLD_ACK;
    }
    bool dup = tcp_is_dupack(tp, seg);
    tcp_ack_update_window(tp, seg);
    uint32_t delivered = 0, fresh = 0;                /* segments the ACK delivered (PRR) */
    tcp_undo_ack_begin(tp, seg);                      /* the TSecr an undo judges by */
    if (tp->sack_ok && seg->opt.num_sacks) delivered = tcp_sacktag(tp, seg);     /* the scoreboard, D-SACK */
    if (dup || seq_after(seg->ack, tp->snd_una) || (tp->sack_ok && seg->opt.num_sacks)) tcp_dst_confirm(tp);
    uint32_t acked = 0;
    if (seq_after(seg->ack, tp->snd_una)) {
        tp->snd_una = seg->ack;
        tcp_urg_ack(tp);
        acked = tcp_clean_rtx_queue(tp, seg->ack, seg, &fresh);
        tp->retransmits = 0;
    }
    tcp_count_delivered(tp, acked, delivered + fresh, dup);   /* tp->delivered (tcp_recovery.c) */
    tcp_rack_update_reo_wnd(tp);                      /* D-SACK rounds grow reo_wnd (tcp_rack.c) */
    uint32_t prior_cwnd = tp->snd_cwnd, prior_ssthresh = tp->snd_ssthresh;     /* for trace */
    tcp_process_tlp_ack(tp, seg, acked != 0);         /* a loss probe's episode (tcp_rack.c) */
    tcp_recovery_ack(tp, seg->ack, acked, delivered + fresh, dup);   /* cwnd growth, or fast recovery */
    TCP_TRACE_CWND(tp, prior_cwnd, prior_ssthresh);
    tcp_rack_ack_timer(tp, acked != 0);               /* RFC 6298 §5.3: the RTO, or the PTO */
    if (acked) tcp_new_space(tp);                     /* tcp_check_space */
    tcp_ack_probe(tp);                                /* the peer answers: probes stop */
    return DROP_NONE;
}

/* Our FIN is acknowledged: every byte we queued, FIN included. */
static bool tcp_fin_acked(const struct tcp_sock *tp) { return tp->fin_queued && tp->snd_una == tp->write_seq; }

/* The ACK's effect on the closing states (RFC 9293 §3.10.7.4 "fifth"). false: the
 * connection is gone (the segment is done with). */
static bool tcp_ack_closing_states(struct tcp_sock *tp)
{
    struct sock *sk = &tp->sk;
    switch (sk->state) {
    case SK_FIN_WAIT1:
        if (!tcp_fin_acked(tp)) break;
        tcp_set_state(sk, SK_FIN_WAIT2);
        if (sk->closed) timer_arm_in(sk->net->st, &tp->tw_timer, (uint64_t)tcp_net_sysctls(sk->net)->fin_timeout_ms * US_PER_MS);
        break;
    case SK_CLOSING:
        if (tcp_fin_acked(tp)) tcp_time_wait(tp);
        break;
    case SK_LAST_ACK:
        if (tcp_fin_acked(tp)) { tcp_done(sk); return false; }
        break;
    default:
        break;
    }
    return true;
}

/* tcp_fin (RFC 9293 §3.10.7.4 "eighth"): the peer is done sending. */
static void tcp_fin(struct tcp_sock *tp)
{
    struct sock *sk = &tp->sk;
    tp->rcv_nxt++;
    sk->shut_rd = true;             /* RCV_SHUTDOWN: reads return 0 once the queue drains */
    switch (sk->state) {
    case SK_SYN_RECV:
    case SK_ESTABLISHED: tcp_set_state(sk, SK_CLOSE_WAIT); break;
    case SK_FIN_WAIT1: tcp_set_state(sk, SK_CLOSING); break;
    case SK_FIN_WAIT2: tcp_time_wait(tp); break;
    default: break;
    }
    sk_wake(sk, SK_READABLE);
}

/* __tcp_ack_snd_check: ACK now (quick-ack mode, more than one full segment since the
 * last window we sent) or within the delayed-ACK timer. */
static void tcp_ack_snd_check(struct tcp_sock *tp)
{
    if (tp->quick) { tp->quick--; tcp_send_ack(tp); return; }
    if (tp->rcv_nxt - tp->rcv_wup > tp->rcv_mss) { tcp_send_ack(tp); return; }
    tcp_schedule_delack(tp);
}

/* Queue in-order payload on the receive queue (consumes p). false: no room. held:
 * it comes from the out-of-order queue, already within the buffer (no room test). */
bool tcp_queue_rcv(struct tcp_sock *tp, struct pkt *p, uint32_t seq, bool held)
{
    struct sock *sk = &tp->sk;
    uint32_t truesize = pkt_truesize(p);
    /* Data here is inside the window we offered, which is at most half the free buffer
     * (tcp_select_window); a frame's buffer may be twice its payload (buffer classes,
     * copybreak), so in-window data can pass rcvbuf a little. It is taken up to twice
     * rcvbuf (Linux instead collapses the queue, tcp_prune_queue, and drops only when
     * that fails); data from the out-of-order queue (held) was charged already. */
    if (!held && sk->rmem >= (unsigned)sk->rcvbuf) tcp_clamp_window(tp);    /* tcp_prune_queue */
    if (!held && sk->rmem + truesize > 2u * (unsigned)sk->rcvbuf && sk->rq) return false;
    TCP_SKB_CB(p)->seq = seq;
    TCP_SKB_CB(p)->end_seq = seq + p->len;
    p->next = NULL;
    p->truesize = truesize;
    if (sk->rq_tail) sk->rq_tail->next = p; else sk->rq = p;
    sk->rq_tail = p;
    sk->rq_len++;
    sk->rmem += truesize;
    tp->rcv_nxt += p->len;
    tp->bytes_received += p->len;
    sk_wake(sk, SK_READABLE);
    return true;
}

/* tcp_data_queue: in-order payload (a duplicate head trimmed, a tail past the window
 * cut), then what it lets the out-of-order queue hand on, then the FIN if it is next.
 * A segment after a hole is held (tcp_data_queue_ofo) and answered at once: the
 * duplicate ACK with SACK blocks tells the sender (RFC 5681 §4.2, RFC 2018 §4). Any
 * segment while data is held is ACKed at once too (__tcp_ack_snd_check's ofo test,
 * ICSK_ACK_NOW when a hole fills). Consumes p. */
static void tcp_data_queue(struct tcp_sock *tp, struct pkt *p, struct tcp_seg *seg)
{
    struct net *net = tp->sk.net;
    bool fin = seg->flags & TCP_FLAG_FIN;
    if (seq_after(seg->seq, tp->rcv_nxt)) {           /* a hole before it */
        tcp_data_queue_ofo(tp, p, seg);
        tcp_send_ack(tp);
        return;
    }
    uint32_t dup = tp->rcv_nxt - seg->seq;            /* bytes we already have */
    if (dup >= seg->len && !(fin && dup == seg->len)) {
        tcp_send_dupack(tp, seg);                     /* all of it old: a D-SACK of it */
        pkt_drop(net, p, DROP_TCP_OLD_DATA);
        return;
    }
    if (dup) tcp_dsack_set(tp, seg->seq, tp->rcv_nxt);   /* its head is old (RFC 2883 §4.1.1) */
    pkt_pull(p, dup);
    uint32_t win = tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt;
    if (p->len > win) { pkt_trim(p, win); fin = false; }          /* beyond the window */
    tp->rcv_mss = MAX(tp->rcv_mss, MIN(p->gso_size ? p->gso_size : p->len, tp->advmss));
    bool held = tp->ooo_head != NULL;
    if (p->len) {
        uint32_t len = p->len, truesize = pkt_truesize(p);
        if (!tcp_queue_rcv(tp, p, tp->rcv_nxt, false)) { pkt_drop(net, p, DROP_SOCKET_RCVBUFF); tcp_send_ack(tp); return; }
        TRACEF(p, "tcp_data_queue", NULL, "queued %u bytes", len);
        if (held) TRACEF(p, "tcp_ofo_queue", NULL, "%u segments held", tp->ooo_len);
        trace_end(p);
        tcp_rcv_rtt_measure(tp);                      /* tcp_event_data_recv */
        if (len >= 128) tcp_grow_window(tp, truesize, len);
    } else {
        pkt_consume(p);
    }
    if (held && !fin) fin = tcp_ofo_queue(tp);
    if (fin) { tcp_fin(tp); tcp_send_ack(tp); return; }
    if (held) { tcp_send_ack(tp); return; }
    tcp_ack_snd_check(tp);
}

/* SYN_SENT (RFC 9293 §3.10.7.3; Linux tcp_rcv_synsent_state_process). */
static void tcp_rcv_synsent(struct tcp_sock *tp, struct pkt *p, struct tcp_seg *seg)
{
    struct sock *sk = &tp->sk;
    struct net *net = sk->net;
    bool ack = seg->flags & TCP_FLAG_ACK;
    if (ack && (!seq_after(seg->ack, tp->iss) || seq_after(seg->ack, tp->snd_nxt))) {
        tcp_v4_send_reset(net, seg);
        pkt_drop(net, p, DROP_TCP_ACK_UNSENT_DATA);
        return;
    }
    if (seg->flags & TCP_FLAG_RST) {
        pkt_drop(net, p, DROP_TCP_RESET);
        if (ack) tcp_reset(tp);                       /* connection refused */
        return;
    }
    if (!(seg->flags & TCP_FLAG_SYN)) { pkt_drop(net, p, DROP_TCP_FLAGS); return; }
    tcp_negotiate_syn(tp, seg);
    tp->snd_wnd = seg->win;                           /* a SYN's window is never scaled */
    tp->snd_wl1 = seg->seq;
    tp->snd_wl2 = seg->ack;
    tp->max_window = tp->snd_wnd;
    if (!ack) {                                       /* simultaneous open: SYN-ACK, same ISS */
        tcp_set_state(sk, SK_SYN_RECV);
        tcp_retransmit_head(tp);
        pkt_consume(p);
        return;
    }
    tp->snd_una = seg->ack;
    tcp_clean_rtx_queue(tp, seg->ack, seg, NULL);
    tp->delivered++;                                  /* our SYN (Linux counts it in tcp_ack) */
    tp->retransmits = tp->backoff = 0;
    tcp_rearm_rto(tp);
    tcp_set_state(sk, SK_ESTABLISHED);
    tp->quick = TCP_MAX_QUICKACKS;
    sk_wake(sk, SK_WRITABLE);
    pkt_consume(p);
    tcp_send_ack(tp);
    tcp_write_xmit(tp);
}

/* RFC 5961 §3.2: only an RST at exactly rcv_nxt resets; one elsewhere in the window
 * gets a challenge ACK. (The sequence check already dropped those outside it.) */
static void tcp_rcv_rst(struct tcp_sock *tp, struct pkt *p, const struct tcp_seg *seg)
{
    pkt_drop(tp->sk.net, p, DROP_TCP_RESET);
    if (seg->seq == tp->rcv_nxt) tcp_reset(tp);
    else tcp_send_challenge_ack(tp);
}

/* Simultaneous open: in SYN_RECV after our SYN-ACK, the peer's SYN-ACK acknowledges
 * our SYN and repeats its own; Linux's tcp_validate_incoming lets it pass as the ACK
 * that completes the handshake. */
static bool tcp_simultaneous_synack(const struct tcp_sock *tp, const struct tcp_seg *seg)
{
    return tp->sk.state == SK_SYN_RECV && !tp->parent && (seg->flags & TCP_FLAG_ACK) &&
           seg->seq + 1 == tp->rcv_nxt && seg->ack == tp->snd_nxt;
}

static bool tcp_synrecv_ack(struct tcp_sock *tp, struct pkt *p, struct tcp_seg *seg);

static void tcp_rcv_synack_simopen(struct tcp_sock *tp, struct pkt *p, struct tcp_seg *seg)
{
    if (!tcp_synrecv_ack(tp, p, seg)) return;
    enum drop why = tcp_ack(tp, seg);
    if (why != DROP_NONE) pkt_drop(tp->sk.net, p, why); else pkt_consume(p);
}

/* A SYN in a synchronized state. A child in SYN_RECV seeing its peer's SYN again
 * repeats the SYN-ACK (tcp_check_req); otherwise RFC 5961 §4: a challenge ACK. */
static void tcp_rcv_syn(struct tcp_sock *tp, struct pkt *p, struct tcp_seg *seg)
{
    struct net *net = tp->sk.net;
    if (tp->sk.state == SK_SYN_RECV && seg->seq == tp->irs && !(seg->flags & TCP_FLAG_ACK)) {
        tcp_retransmit_head(tp);
        pkt_consume(p);
        return;
    }
    if (tcp_simultaneous_synack(tp, seg)) { tcp_rcv_synack_simopen(tp, p, seg); return; }
    mib_inc(net, MIB_TcpExtTCPSYNChallenge);
    tcp_send_challenge_ack(tp);
    pkt_drop(net, p, DROP_TCP_INVALID_SYN);
}

/* SYN_RECV's ACK (RFC 9293 §3.10.7.4 "fifth", SYN-RECEIVED): acceptable → ESTABLISHED,
 * else an RST. false: the segment is done with. */
static bool tcp_synrecv_ack(struct tcp_sock *tp, struct pkt *p, struct tcp_seg *seg)
{
    if (!seq_after(seg->ack, tp->snd_una) || seq_after(seg->ack, tp->snd_nxt)) {
        tcp_v4_send_reset(tp->sk.net, seg);
        pkt_drop(tp->sk.net, p, DROP_TCP_FLAGS);
        return false;
    }
    tcp_set_state(&tp->sk, SK_ESTABLISHED);
    tp->snd_wl1 = seg->seq - 1;                       /* so the window below is taken */
    tp->quick = TCP_MAX_QUICKACKS;
    if (tp->parent) tcp_child_established(tp);
    else sk_wake(&tp->sk, SK_WRITABLE);
    return true;
}

void tcp_rcv_state_process(struct sock *sk, struct pkt *p, struct tcp_seg *seg)
{
    struct tcp_sock *tp = tcp_sk(sk);
    struct net *net = sk->net;
    uint16_t segs = MAX(p->gso_segs, (uint16_t)1);    /* tcp_segs_in */
    tp->segs_in += segs;
    if (seg->len) {
        tp->data_segs_in += segs;
        tp->lrcvtime_us = net->st->now_us;
    }
    if (sk->state == SK_SYN_SENT) { tcp_rcv_synsent(tp, p, seg); return; }
    if (sk->state == SK_CLOSE) { tcp_v4_send_reset(net, seg); pkt_drop(net, p, DROP_TCP_CLOSE); return; }
    if (sk->state == SK_TIME_WAIT) { tcp_timewait_rcv(tp, p, seg); return; }     /* tcp_timewait.c */
    if (tcp_paws_reject(tp, p, seg)) return;         /* RFC 7323 §5 (tcp_validate_incoming) */
    if (!tcp_sequence_ok(tp, seg)) {
        if (!(seg->flags & TCP_FLAG_RST) && !tcp_oow_rate_limited(tp, seg, MIB_TcpExtTCPACKSkippedSeq))
            tcp_send_dupack(tp, seg);                 /* with a D-SACK of old data */
        pkt_drop(net, p, DROP_TCP_INVALID_SEQUENCE);
        return;
    }
    if (seg->flags & TCP_FLAG_RST) { tcp_rcv_rst(tp, p, seg); return; }
    tcp_replace_ts_recent(tp, seg);                   /* RFC 7323 §4.3 */
    if (seg->flags & TCP_FLAG_SYN) { tcp_rcv_syn(tp, p, seg); return; }
    if (!(seg->flags & TCP_FLAG_ACK)) { pkt_drop(net, p, DROP_TCP_FLAGS); return; }
    if (sk->state == SK_SYN_RECV && !tcp_synrecv_ack(tp, p, seg)) return;
    uint32_t prior_una = tp->snd_una;                 /* for trace */
    enum drop why = tcp_ack(tp, seg);
    TCP_TRACE_ACK(p, tp, prior_una);
    if (why != DROP_NONE) { pkt_drop(net, p, why); return; }
    if (!tcp_ack_closing_states(tp)) { pkt_consume(p); return; }
    bool takes_data = sk->state == SK_ESTABLISHED || sk->state == SK_FIN_WAIT1 || sk->state == SK_FIN_WAIT2;
    if (takes_data && sk->closed && seq_after(seg->end_seq - !!(seg->flags & TCP_FLAG_FIN), tp->rcv_nxt)) {
        mib_inc(net, MIB_TcpExtTCPAbortOnData);       /* data for an application that left */
        tcp_send_active_reset(tp);
        pkt_drop(net, p, DROP_TCP_CLOSE);
        tcp_done(sk);
        return;
    }
    if (takes_data) tcp_urg(tp, p, seg);              /* "sixth, check the URG bit" */
    if (takes_data && seg->len) tcp_rcv_rtt_measure_ts(tp, seg);
    if (takes_data && (seg->len || (seg->flags & TCP_FLAG_FIN))) tcp_data_queue(tp, p, seg);
    else pkt_consume(p);
    tcp_write_xmit(tp);
}

/* LISTEN (RFC 9293 §3.10.7.2; Linux tcp_v4_conn_request within the backlogs). */
void tcp_listen_rcv(struct sock *sk, struct pkt *p, struct tcp_seg *seg)
{
    struct tcp_sock *lp = tcp_sk(sk);
    struct net *net = sk->net;
    if (seg->flags & TCP_FLAG_RST) { pkt_drop(net, p, DROP_TCP_FLAGS); return; }
    if ((seg->flags & TCP_FLAG_ACK) && tcp_syncookie_check(lp, p, seg)) return;      /* cookie_v4_check */
    if (seg->flags & TCP_FLAG_ACK) { tcp_v4_send_reset(net, seg); pkt_drop(net, p, DROP_TCP_FLAGS); return; }
    if (!(seg->flags & TCP_FLAG_SYN)) { pkt_drop(net, p, DROP_TCP_FLAGS); return; }
    /* tcp_conn_request: a full SYN backlog means a cookie (tcp_syncookies), a full accept
     * queue a drop */
    bool want_cookie = tcp_want_cookie(lp, lp->syn_qlen >= MIN(lp->max_ack_backlog, (unsigned)tcp_net_sysctls(lp->sk.net)->max_syn_backlog));
    bool syn_full = !want_cookie && lp->syn_qlen >= MIN(lp->max_ack_backlog, (unsigned)tcp_net_sysctls(lp->sk.net)->max_syn_backlog);
    if (lp->acc_qlen >= lp->max_ack_backlog) mib_inc(net, MIB_TcpExtListenOverflows);
    if (lp->acc_qlen >= lp->max_ack_backlog || syn_full) {
        mib_inc(net, MIB_TcpExtListenDrops);
        pkt_drop(net, p, DROP_TCP_LISTEN_OVERFLOW);
        return;
    }
    if (want_cookie) { tcp_syncookie_send(lp, seg); pkt_consume(p); return; }
    struct tcp_sock *child = tcp_create_child(lp, seg);
    if (!child) { mib_inc(net, MIB_TcpExtListenDrops); pkt_drop(net, p, DROP_NOMEM); return; }
    TRACEF(p, "tcp_conn_request", NULL, "SYN_RECV");
    pkt_consume(p);
    tcp_send_syn(child);
}

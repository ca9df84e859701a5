/*
 * tcp/tcp_recovery.c — fast retransmit and fast recovery (RFC 5681 §3.2; with SACK
 * RFC 6675; without, NewReno RFC 6582; Linux tcp_fastretrans_alert, tcp_enter_recovery,
 * tcp_xmit_retransmit_queue).
 *
 *   Open      every ACK that advances SND.UNA grows cwnd (the congestion control's
 *             cong_avoid); duplicate ACKs are counted.
 *   entry     on the third duplicate ACK (DupThresh), or with SACK as soon as the
 *             scoreboard takes the first unacknowledged segment as lost (IsLost):
 *             RecoveryPoint = SND.NXT, ssthresh from the congestion control (Reno
 *             half, CUBIC 0.7), cwnd = ssthresh, and the first segment is sent again
 *             at once (the fast retransmit).
 *   Recovery  what may be sent is cwnd - pipe (RFC 6675 SetPipe; without SACK each
 *             duplicate ACK counts as a segment that left, which is RFC 5681's window
 *             inflation). Lost segments go first (NextSeg rule 1), then new data.
 *             A partial ACK without SACK marks and resends the next hole at once
 *             (RFC 6582 §3.2 step 5).
 *   exit      the ACK reaching RecoveryPoint: cwnd = ssthresh (Linux
 *             tcp_end_cwnd_reduction), Open again.
 *   Loss      after an RTO (Linux tcp_enter_loss, RFC 5681 §3.1, RFC 6298 §5.4):
 *             everything sent and not SACKed is taken as lost, RecoveryPoint =
 *             SND.NXT; cwnd grows from 1 in slow start and each ACK sends the next
 *             lost segments while pipe < cwnd (go-back-N without SACK), so the rest
 *             of the window does not wait for one more RTO each; the ACK reaching
 *             RecoveryPoint ends it.
 *
 *   undo      a recovery or RTO found needless (D-SACK, timestamps) gives cwnd and
 *             ssthresh back (tcp_undo.c): hooks at entry, on each ACK, at the end.
 *
 *             F-RTO (RFC 5682) sends new data on the first ACK after an RTO, to tell a
 *             delay from a loss (tcp_undo.c).
 *
 * Not built: PRR (RFC 6937, which Linux uses to pace the reduction), RACK-TLP,
 * lost-retransmission detection (an RTO covers it).
 */
#include "tcp_priv.h"
#include "tcp_trace.h"
#include "net/stack.h"

/* RFC 5681 §2 DUPLICATE ACKNOWLEDGMENT: data outstanding, no payload, no SYN/FIN,
 * the ACK unchanged and the window unchanged. Call before the window is updated. */
bool tcp_is_dupack(const struct tcp_sock *tp, const struct tcp_seg *seg)
{
    return tp->snd_una != tp->snd_nxt && !seg->len && !(seg->flags & (TCP_FLAG_SYN | TCP_FLAG_FIN)) &&
           seg->ack == tp->snd_una && ((uint32_t)seg->win << tp->snd_wscale) == tp->snd_wnd;
}

/* One lost packet again, at most segs segments of it (Linux tcp_retransmit_skb with
 * segs = cwnd - pipe: the rest keeps its LOST mark and goes with the next room, so a
 * super-segment is cut a few times, not once per segment -- each cut copies what
 * follows). Counted as Linux does: RetransSegs, and TCPFastRetrans in a fast recovery
 * or TCPSlowStartRetrans after an RTO. false: no memory to cut it, nothing sent. */
static bool tcp_retransmit_lost(struct tcp_sock *tp, struct pkt *p, uint32_t segs)
{
    uint32_t max = segs * tp->mss_cache;
    if (p->len > max && tcp_fragment(tp, p, max) < 0) return false;
    struct tcp_skb_cb *cb = TCP_SKB_CB(p);
    uint32_t n = tcp_pcount(tp, p);
    cb->sacked |= TCPCB_SACKED_RETRANS;
    cb->retrans++;
    tcp_undo_note_retrans(tp, n);
    tp->total_retrans += n;
    mib_add(tp->sk.net, MIB_TcpRetransSegs, n);
    mib_add(tp->sk.net, tp->ca_state == TCP_CA_LOSS ? MIB_TcpExtTCPSlowStartRetrans : MIB_TcpExtTCPFastRetrans, n);
    TRACE_CAUSE(tp->sk.net, "tcp", "tcp_retransmit_skb", NULL, "lost, retransmission %u", cb->retrans);
    tcp_transmit_skb(tp, p);
    return true;
}

/* tcp_xmit_retransmit_queue: lost segments, oldest first, while pipe < cwnd, in one
 * pass (each packet sent adds its segments to pipe: they were lost, now they are out
 * again). A packet that cannot be cut (no memory) stops it until the next ACK or the
 * RTO, as Linux's loop breaks when tcp_retransmit_skb fails. */
static void tcp_xmit_lost(struct tcp_sock *tp)
{
    uint32_t pipe = tcp_pipe(tp);
    for (struct pkt *p = tp->wq_head; p && p != tp->send_head && pipe < tp->snd_cwnd; p = p->next) {
        uint8_t s = TCP_SKB_CB(p)->sacked;
        if (!(s & TCPCB_LOST) || (s & (TCPCB_SACKED_ACKED | TCPCB_SACKED_RETRANS))) continue;
        if (!tcp_retransmit_lost(tp, p, tp->snd_cwnd - pipe)) break;
        pipe += tcp_pcount(tp, p);
    }
}

/* The head is lost: marked, and sent again now whatever pipe says (RFC 5681 §3.2
 * step 2, RFC 6675 §5 (4.3), RFC 6582 §3.2 step 5). */
static void tcp_resend_head(struct tcp_sock *tp)
{
    struct pkt *p = tp->wq_head;
    if (!p || p == tp->send_head || (TCP_SKB_CB(p)->sacked & (TCPCB_SACKED_ACKED | TCPCB_SACKED_RETRANS))) return;
    if (p->len > tp->mss_cache && tcp_fragment(tp, p, tp->mss_cache) < 0) return;   /* only its first segment */
    TCP_SKB_CB(p)->sacked |= TCPCB_LOST;
    tcp_retransmit_lost(tp, p, 1);
}

/* tcp_enter_recovery. */
static void tcp_enter_recovery(struct tcp_sock *tp)
{
    struct net *net = tp->sk.net;
    mib_inc(net, tp->sack_ok ? MIB_TcpExtTCPSackRecovery : MIB_TcpExtTCPRenoRecovery);
    tcp_undo_enter_recovery(tp);                      /* tcp_init_undo, prior_ssthresh */
    tp->high_seq = tp->snd_nxt;
    tp->prior_cwnd = tp->snd_cwnd;
    tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
    tp->snd_cwnd = tp->snd_ssthresh;
    tp->cwnd_cnt = 0;
    tp->ca_state = TCP_CA_RECOVERY;
    tcp_resend_head(tp);
}

static void tcp_exit_recovery(struct tcp_sock *tp)
{
    tp->snd_cwnd = tp->snd_ssthresh;                  /* tcp_end_cwnd_reduction */
    tp->ca_state = TCP_CA_OPEN;
    tp->dupacks = 0;
    tcp_clear_lost_marks(tp);
    tcp_try_undo_recovery(tp);                        /* needless after all: cwnd back */
}

/* Is the first unacknowledged segment lost (RFC 6675 §5 entry, IsLost(HighACK+1))? */
static bool tcp_head_lost(struct tcp_sock *tp)
{
    struct pkt *p = tp->wq_head;
    return p && p != tp->send_head && (TCP_SKB_CB(p)->sacked & TCPCB_LOST);
}

/* tcp_process_loss: slow start from the RTO's cwnd; the lost segments go first. */
static void tcp_process_loss(struct tcp_sock *tp, uint32_t ack, uint32_t acked, bool dup)
{
    if (acked) tcp_try_undo_loss(tp);                 /* a needless RTO: cwnd back */
    bool new_data_first = tcp_frto_ack(tp, ack, acked, dup);     /* F-RTO (tcp_undo.c) */
    if (!seq_before(ack, tp->high_seq)) {             /* all sent before the RTO is in */
        tp->ca_state = TCP_CA_OPEN;
        tp->dupacks = 0;
        tcp_clear_lost_marks(tp);
    }
    if (acked) tcp_cong_avoid(tp, acked);             /* slow start: cwnd < ssthresh */
    if (tp->ca_state == TCP_CA_LOSS && !new_data_first) tcp_xmit_lost(tp);
}

/* tcp_fastretrans_alert and the cwnd growth of tcp_ack, after the ACK was taken
 * (SACK blocks tagged, acknowledged data freed). acked: segments newly acknowledged;
 * dup: it was a duplicate ACK (tcp_is_dupack, judged before the window update). */
void tcp_recovery_ack(struct tcp_sock *tp, uint32_t ack, uint32_t acked, bool dup)
{
    if (tp->ca_state == TCP_CA_LOSS) { tcp_process_loss(tp, ack, acked, dup); return; }
    if (tcp_undo_ack(tp, ack, acked)) return;         /* D-SACK or timestamp undo (tcp_undo.c) */
    if (tp->sack_ok && (dup || tp->ca_state == TCP_CA_RECOVERY)) tcp_mark_lost(tp);   /* not per plain ACK */
    if (tp->ca_state == TCP_CA_RECOVERY) {
        if (!seq_before(ack, tp->high_seq)) { tcp_exit_recovery(tp); return; }
        if (dup) tp->dupacks++;
        else if (acked && !tp->sack_ok) {             /* NewReno partial ACK */
            tp->dupacks = tp->dupacks > acked ? tp->dupacks - acked : 0;
            tcp_resend_head(tp);
        }
        tcp_xmit_lost(tp);
        return;
    }
    if (acked) {
        tp->dupacks = 0;
        tcp_cong_avoid(tp, acked);
        return;
    }
    if (!dup) return;
    tp->dupacks++;
    if (tp->dupacks >= TCP_DUPTHRESH || (tp->sack_ok && tcp_head_lost(tp))) {
        tcp_enter_recovery(tp);
        tcp_xmit_lost(tp);
    }
}

/* tcp_enter_loss: an RTO ends any recovery; the scoreboard keeps what the peer SACKed
 * and takes the rest as lost (the timer then sends the head again). */
void tcp_recovery_on_rto(struct tcp_sock *tp)
{
    tp->ca_state = TCP_CA_LOSS;
    tp->high_seq = tp->snd_nxt;
    tp->dupacks = 0;
    for (struct pkt *p = tp->wq_head; p && p != tp->send_head; p = p->next) {
        struct tcp_skb_cb *cb = TCP_SKB_CB(p);
        cb->sacked = (cb->sacked & TCPCB_SACKED_ACKED) ? TCPCB_SACKED_ACKED : TCPCB_LOST;
    }
}

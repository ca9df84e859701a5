/*
 * tcp/tcp_recovery.c — fast retransmit and fast recovery (RFC 5681 §3.2; with SACK
 * RFC 6675; without, NewReno RFC 6582; Linux tcp_fastretrans_alert, tcp_enter_recovery,
 * tcp_xmit_retransmit_queue).
 *
 *   Open      every ACK that advances SND.UNA grows cwnd (the congestion control's
 *             cong_avoid); duplicate ACKs are counted.
 *   entry     on the third duplicate ACK (DupThresh), or with SACK as soon as the
 *             scoreboard takes the first unacknowledged segment as lost (IsLost); with
 *             SACK and RACK (net.ipv4.tcp_recovery = 1, the default, tcp_rack.c) as
 *             soon as RACK marks any segment lost, by an ACK or by its reordering
 *             timer, however few duplicate ACKs came (Linux tcp_time_to_recover):
 *             RecoveryPoint = SND.NXT, ssthresh from the congestion control (Reno
 *             half, CUBIC 0.7), the first segment marked lost; PRR (tcp_prr.c,
 *             Linux tcp_init_cwnd_reduction) lets it go at once (the fast retransmit).
 *   Recovery  what may be sent is cwnd - pipe (RFC 6675 SetPipe; without SACK each
 *             duplicate ACK counts as a segment that left, which is RFC 5681's window
 *             inflation), with cwnd from PRR on every ACK (RFC 6937, Linux
 *             tcp_cwnd_reduction): the window comes down to ssthresh in proportion to
 *             what the ACKs deliver, not at once. Lost segments go first (NextSeg
 *             rule 1), then new data. A partial ACK without SACK marks the next hole
 *             lost (RFC 6582 §3.2 step 5, Linux tcp_newreno_mark_lost); it goes as
 *             PRR allows, at once unless the window is still coming down.
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
 * With RACK, RACK marks what is lost (in recovery and after an RTO too: a
 * retransmission lost again is found and sent once more); RFC 6675's IsLost marks it
 * with tcp_recovery = 0, NewReno's head rule without SACK. Tail losses are probed first
 * (TLP, tcp_rack.c).
 *
 * RACK's reordering window grows with D-SACKs (tcp_rack.c, Linux
 * tcp_rack_update_reo_wnd); a recovery's end counts down how long it stays grown.
 *
 * Not built: there is no tp->reordering to adapt DupThresh.
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
    tcp_prr_sent(tp, n);
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

/* The head is lost (RFC 5681 §3.2 step 2, RFC 6675 §5 (4.3), RFC 6582 §3.2 step 5;
 * Linux tcp_newreno_mark_lost): its first segment marked, to go when PRR allows. */
static void tcp_mark_head_lost(struct tcp_sock *tp)
{
    struct pkt *p = tp->wq_head;
    if (!p || p == tp->send_head || (TCP_SKB_CB(p)->sacked & (TCPCB_SACKED_ACKED | TCPCB_SACKED_RETRANS))) return;
    if (p->len > tp->mss_cache && tcp_fragment(tp, p, tp->mss_cache) < 0) return;   /* only its first segment */
    TCP_SKB_CB(p)->sacked |= TCPCB_LOST;
}

/* tcp_enter_recovery. */
static void tcp_enter_recovery(struct tcp_sock *tp)
{
    struct net *net = tp->sk.net;
    mib_inc(net, tp->sack_ok ? MIB_TcpExtTCPSackRecovery : MIB_TcpExtTCPRenoRecovery);
    tcp_undo_enter_recovery(tp);                      /* tcp_init_undo, prior_ssthresh */
    tcp_init_cwnd_reduction(tp);
    tp->ca_state = TCP_CA_RECOVERY;
    tp->tlp_episode = false;                          /* tcp_init_cwnd_reduction */
    tcp_mark_head_lost(tp);
}

/* tcp_rack_reo_timeout: RACK's timer marked segments lost with no ACK to act on: the
 * recovery begins if none was under way, and the lost segments go. */
void tcp_recovery_rack_lost(struct tcp_sock *tp)
{
    if (tp->ca_state == TCP_CA_OPEN) {
        tcp_enter_recovery(tp);
        tcp_cwnd_reduction(tp, 1, false, false);      /* as Linux's tcp_rack_reo_timeout */
    }
    tcp_xmit_lost(tp);
}

static void tcp_exit_recovery(struct tcp_sock *tp)
{
    tcp_end_cwnd_reduction(tp);
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
        if (tp->ca_state == TCP_CA_LOSS) tcp_rack_recovery_end(tp, false);   /* not undone */
        tp->ca_state = TCP_CA_OPEN;
        tp->dupacks = 0;
        tcp_clear_lost_marks(tp);
    }
    if (acked) tcp_cong_avoid(tp, acked);             /* slow start: cwnd < ssthresh */
    if (tp->ca_state != TCP_CA_LOSS || new_data_first) return;
    if (tcp_rack_enabled(tp)) tcp_rack_mark_lost(tp);   /* retransmissions lost again */
    tcp_xmit_lost(tp);
}

/* Without SACK, what an ACK delivered (Linux tcp_add_reno_sack, tcp_remove_reno_sacks):
 * a duplicate ACK one segment; a cumulative ACK what it covers beyond the duplicates
 * that already counted, at least one. */
static uint32_t tcp_reno_delivered(const struct tcp_sock *tp, uint32_t acked, bool dup)
{
    if (dup) return 1;
    if (!acked) return 0;
    return acked > tp->dupacks ? acked - tp->dupacks : 1;
}

/* tp->delivered (Linux tcp_count_delivered): with SACK what the ACK newly SACKed or
 * acked (sack_delivered); without, the reno counting above. Before tcp_recovery_ack. */
void tcp_count_delivered(struct tcp_sock *tp, uint32_t acked, uint32_t sack_delivered, bool dup)
{
    tp->delivered += tp->sack_ok ? sack_delivered : tcp_reno_delivered(tp, acked, dup);
}

/* Segments marked lost now (before and after an ACK's marks: PRR's newly_lost). */
static uint32_t tcp_lost_segs(struct tcp_sock *tp)
{
    tcp_scoreboard_count(tp);
    return tp->lost_out;
}

/* An ACK in Recovery below RecoveryPoint (tcp_fastretrans_alert's TCP_CA_Recovery, then
 * tcp_cong_control's tcp_cwnd_reduction and tcp_xmit_recovery). */
static void tcp_recovery_partial(struct tcp_sock *tp, uint32_t acked, uint32_t delivered, bool dup)
{
    uint32_t lost = tcp_lost_segs(tp);
    if (tcp_rack_enabled(tp)) tcp_rack_mark_lost(tp);     /* tcp_identify_packet_loss */
    else if (tp->sack_ok) tcp_mark_lost(tp);
    if (dup) tp->dupacks++;
    else if (acked && !tp->sack_ok) {                 /* NewReno partial ACK */
        tp->dupacks = tp->dupacks > acked ? tp->dupacks - acked : 0;
        tcp_mark_head_lost(tp);
    }
    tcp_cwnd_reduction(tp, delivered, tcp_lost_segs(tp) > lost, acked != 0);
    tcp_xmit_lost(tp);
}

/* tcp_fastretrans_alert and the cwnd growth of tcp_ack, after the ACK was taken
 * (SACK blocks tagged, acknowledged data freed). acked: segments newly acknowledged;
 * delivered (with SACK): segments newly SACKed or acked and not SACKed before; dup: it
 * was a duplicate ACK (tcp_is_dupack, judged before the window update). */
void tcp_recovery_ack(struct tcp_sock *tp, uint32_t ack, uint32_t acked, uint32_t delivered, bool dup)
{
    if (tp->ca_state == TCP_CA_LOSS) { tcp_process_loss(tp, ack, acked, dup); return; }
    if (tcp_undo_ack(tp, ack, acked)) return;         /* D-SACK or timestamp undo (tcp_undo.c) */
    if (!tp->sack_ok) delivered = tcp_reno_delivered(tp, acked, dup);
    bool rack = tcp_rack_enabled(tp);
    if (tp->ca_state == TCP_CA_RECOVERY) {
        if (!seq_before(ack, tp->high_seq)) tcp_exit_recovery(tp);
        else tcp_recovery_partial(tp, acked, delivered, dup);
        return;
    }
    if (rack && tcp_rack_mark_lost(tp)) {          /* tcp_time_to_recover: the loss is proven */
        TRACE_CAUSE(tp->sk.net, "tcp", "tcp_rack_mark_lost", NULL, NULL);
        tcp_enter_recovery(tp);
        tcp_cwnd_reduction(tp, delivered, false, false);
        tcp_xmit_lost(tp);
        return;
    }
    if (!rack && tp->sack_ok && dup) tcp_mark_lost(tp);   /* not per plain ACK */
    if (acked) {
        tp->dupacks = 0;
        tcp_cong_avoid(tp, acked);
        return;
    }
    if (!dup) return;
    tp->dupacks++;
    if (!rack && (tp->dupacks >= TCP_DUPTHRESH || (tp->sack_ok && tcp_head_lost(tp)))) {
        tcp_enter_recovery(tp);
        tcp_cwnd_reduction(tp, delivered, false, false);
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

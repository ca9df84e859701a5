/*
 * tcp/tcp_undo.c — undoing a congestion-window reduction that was not needed (Linux
 * tcp_input.c: tcp_init_undo, tcp_may_undo, tcp_packet_delayed, tcp_undo_cwnd_reduction,
 * tcp_try_undo_recovery, tcp_try_undo_dsack, tcp_try_undo_partial, tcp_try_undo_loss).
 *
 * A fast retransmit after reordering, or an RTO after a delay spike, cuts cwnd and
 * ssthresh although nothing was lost. Two kinds of evidence show it afterwards:
 *   D-SACK      (RFC 2883 §5, RFC 3708) the peer reports every retransmission of the
 *               episode as a duplicate: undo_retrans, the retransmissions not yet
 *               reported, reaches 0 (tcp_dsack.c counts it down).
 *   timestamps  (Eifel, RFC 3522) an ACK echoes a TSval older than the first
 *               retransmission: the original segment arrived, not the retransmission.
 * Entering Recovery or Loss remembers where the episode began (undo_marker = SND.UNA)
 * and ssthresh before it (prior_ssthresh, at least 3/4 cwnd as Linux's
 * tcp_current_ssthresh; prior_cwnd is kept by the entry itself). Undoing sets cwnd to
 * what the congestion control's undo_cwnd says (max(cwnd, prior_cwnd); CUBIC also
 * takes back its W_max) and ssthresh back to prior_ssthresh if that is higher.
 *
 * On each ACK, in the order of Linux's tcp_fastretrans_alert:
 *   Recovery, an ACK below RecoveryPoint that advances  tcp_try_undo_partial
 *             (timestamps: the hole was filled by the original; while retransmissions
 *             are still out it only stops more being sent)
 *   Recovery or Open                                    tcp_try_undo_dsack (every
 *             retransmission D-SACKed; also after the recovery ended)
 *   Recovery, the ACK reaching RecoveryPoint            tcp_try_undo_recovery
 *   Loss, an ACK that advances                          tcp_try_undo_loss, then F-RTO
 * Each undo is a trace event line named after the function, then the cwnd line.
 *
 * F-RTO (RFC 5682 §3, the SACK-enhanced form as Linux's tcp_process_loss; sysctl
 * net.ipv4.tcp_frto): after an RTO from Open (or a repeated one) the first ACK that
 * advances sends new data rather than the next segments taken as lost (step 2b); if the
 * ACK after that acknowledges data sent before the RTO and never sent again, the
 * segments were only delayed: the RTO is undone (step 3b, TCPSpuriousRTOs). A
 * duplicate ACK or a new SACK instead means the loss was real (step 3a): go-back-N
 * goes on.
 *
 * Not built: the reordering degree Linux raises when an undo shows reordering
 * (tcp_check_sack_reordering, tp->reordering, RACK's reo_wnd_persist): DupThresh stays
 * 3, so under heavy reordering recoveries start, and are undone, again and again.
 */
#include "tcp_priv.h"
#include "tcp_trace.h"
#include "net/stack.h"

/* tcp_current_ssthresh: in a reduction, ssthresh; else at least 3/4 of cwnd (what the
 * window was worth before the episode). */
static uint32_t tcp_current_ssthresh(const struct tcp_sock *tp)
{
    if (tp->ca_state == TCP_CA_RECOVERY) return tp->snd_ssthresh;
    return MAX(tp->snd_ssthresh, (tp->snd_cwnd >> 1) + (tp->snd_cwnd >> 2));
}

/* tcp_init_undo: the episode starts at SND.UNA; retransmissions already out may still
 * be D-SACKed (-1: none yet, so that 0 means "all reported"). */
static void tcp_init_undo(struct tcp_sock *tp)
{
    if (tp->ca_state == TCP_CA_OPEN || tp->ca_state == TCP_CA_DISORDER)
        tp->retrans_stamped = false;                  /* Linux clears retrans_stamp in Open */
    tcp_scoreboard_count(tp);
    tp->undo_marker = tp->snd_una;
    tp->undo_armed = true;
    tp->undo_retrans = tp->retrans_out ? (int32_t)tp->retrans_out : -1;
    tp->prior_ssthresh = tcp_current_ssthresh(tp);
}

/* tcp_enter_recovery: called before ssthresh and cwnd are cut. */
void tcp_undo_enter_recovery(struct tcp_sock *tp) { tcp_init_undo(tp); }

/* tcp_enter_loss: only when this RTO reduces ssthresh afresh as Linux's does (from
 * Open, after the last recovery's end was acknowledged, or in Loss after progress);
 * a backed-off RTO keeps the episode of the first. Called before the cut. A SYN's
 * timeout is no episode to undo (RFC 6298 §5.7 keeps its cost). */
void tcp_undo_enter_loss(struct tcp_sock *tp)
{
    tp->frto = false;
    if (tp->sk.state == SK_SYN_SENT || tp->sk.state == SK_SYN_RECV) return;   /* no data yet */
    /* F-RTO unless this RTO ends a fast recovery (RFC 5682 §3.1 step 1, §3.2) */
    tp->frto = tcp_net_sysctls(tp->sk.net)->frto && (tp->ca_state < TCP_CA_RECOVERY || tp->retransmits);
    if (tp->ca_state == TCP_CA_OPEN || tp->ca_state == TCP_CA_DISORDER || !seq_after(tp->high_seq, tp->snd_una) ||
        (tp->ca_state == TCP_CA_LOSS && !tp->retransmits)) {
        tp->prior_cwnd = tp->snd_cwnd;
        tcp_init_undo(tp);
    }
}

/* tcp_retransmit_skb's bookkeeping: the TSval of the episode's first retransmission,
 * and one more retransmission that a D-SACK may report. */
void tcp_undo_note_retrans(struct tcp_sock *tp, uint32_t segs)
{
    if (!tp->retrans_stamped) {
        tp->retrans_stamp = tcp_time_stamp(tp->sk.net);
        tp->retrans_stamped = true;
    }
    if (tp->undo_retrans < 0) tp->undo_retrans = 0;
    tp->undo_retrans += (int32_t)segs;
}

/* Does [seq,end) meet one of the ACK's SACK blocks (the packet is split at the block's
 * edges later, tcp_sacktag)? */
static bool tcp_frto_in_sack(const struct tcp_seg *seg, uint32_t seq, uint32_t end)
{
    for (unsigned i = 0; i < seg->opt.num_sacks; i++) {
        const struct tcp_sack_block *b = &seg->opt.sacks[i];
        if (seq_before(seq, b->end) && seq_after(end, b->start) && seq_before(b->start, b->end)) return true;
    }
    return false;
}

/* For F-RTO, before the ACK is taken: does it acknowledge (cumulatively, also a packet's
 * head only, or by a SACK) a packet sent before the RTO and never retransmitted (up to
 * RecoveryPoint), and does it SACK anything not SACKed yet? One pass over what it
 * covers. */
static void tcp_frto_scan(struct tcp_sock *tp, const struct tcp_seg *seg)
{
    tp->frto_orig_acked = tp->frto_sacked = false;
    for (struct pkt *p = tp->wq_head; p && p != tp->send_head; p = p->next) {
        struct tcp_skb_cb *cb = TCP_SKB_CB(p);
        if (cb->sacked & TCPCB_SACKED_ACKED) continue;
        bool cum = seq_before(cb->seq, seg->ack);            /* all of it, or its head */
        bool sacked = !cum && tcp_frto_in_sack(seg, cb->seq, cb->end_seq);
        if (!cum && !sacked && !seg->opt.num_sacks) break;        /* nothing further is covered */
        tp->frto_sacked |= sacked;
        if ((cum || sacked) && !cb->retrans && !seq_after(cb->end_seq, tp->high_seq)) tp->frto_orig_acked = true;
    }
}

/* The timestamp this ACK echoes (Linux rx_opt.saw_tstamp, rcv_tsecr); F-RTO's look
 * at what it covers. */
void tcp_undo_ack_begin(struct tcp_sock *tp, const struct tcp_seg *seg)
{
    tp->saw_tstamp = tp->tstamp_ok && seg->opt.ts_ok;
    tp->rcv_tsecr = seg->opt.ts_ecr;
    if (tp->frto && tp->ca_state == TCP_CA_LOSS) tcp_frto_scan(tp, seg);
}

/* tcp_packet_delayed: nothing was retransmitted, or the ACK echoes a TSval from before
 * the first retransmission (RFC 3522 §2). */
static bool tcp_packet_delayed(const struct tcp_sock *tp)
{
    if (!tp->retrans_stamped) return true;
    return tp->saw_tstamp && tp->rcv_tsecr && seq_before(tp->rcv_tsecr, tp->retrans_stamp);
}

/* tcp_may_undo: an episode to undo, and the evidence that it was needless. */
static bool tcp_may_undo(const struct tcp_sock *tp)
{
    return tp->undo_armed && (!tp->undo_retrans || tcp_packet_delayed(tp));
}

/* tcp_undo_cwnd_reduction: cwnd and ssthresh as before the episode (unless an ECN
 * echo or a second episode made it not undoable: prior_ssthresh 0); unmark_loss: what
 * was taken as lost is not (the losses were the reordering). fn names the undo in the
 * trace; mib counts it. */
static void tcp_unmark_lost(struct tcp_sock *tp)
{
    for (struct pkt *p = tp->wq_head; p && p != tp->send_head; p = p->next) TCP_SKB_CB(p)->sacked &= (uint8_t)~TCPCB_LOST;
}

static void tcp_undo_cwnd_reduction(struct tcp_sock *tp, bool unmark_loss, const char *fn, enum mib_id mib)
{
    TCP_TRACE_UNDO(tp, fn, "cwnd %u ssthresh %u back to %u", tp->snd_cwnd, tp->snd_ssthresh, tp->prior_ssthresh);
    if (unmark_loss) tcp_unmark_lost(tp);
    if (tp->prior_ssthresh) {
        tp->snd_cwnd = tp->ca_ops->undo_cwnd ? tp->ca_ops->undo_cwnd(tp) : tcp_reno_undo_cwnd(tp);
        if (tp->prior_ssthresh > tp->snd_ssthresh) tp->snd_ssthresh = tp->prior_ssthresh;
    }
    tp->undo_armed = false;
    mib_inc(tp->sk.net, mib);
}

/* tcp_try_to_open after an undo: Open again, RecoveryPoint at SND.NXT, the losses
 * taken and the duplicate ACKs counted towards them forgotten (Linux keeps the marks
 * for RACK to look at again; without RACK they would only start the next recovery at
 * once). Retransmissions still out keep their mark: a new recovery does not send them
 * yet again. */
static void tcp_undo_to_open(struct tcp_sock *tp)
{
    tp->ca_state = TCP_CA_OPEN;
    tp->high_seq = tp->snd_nxt;
    tp->dupacks = 0;
    tcp_unmark_lost(tp);
}

/* tcp_try_undo_dsack: every retransmission of the episode was D-SACKed. */
static bool tcp_try_undo_dsack(struct tcp_sock *tp)
{
    if (!tp->undo_armed || tp->undo_retrans) return false;
    tcp_rack_recovery_end(tp, true);                  /* a grown reo_wnd persists longer */
    tcp_undo_cwnd_reduction(tp, false, "tcp_try_undo_dsack", MIB_TcpExtTCPDSACKUndo);
    return true;
}

/* tcp_try_undo_partial: a partial ACK that echoes a TSval from before the first
 * retransmission: the hole was filled by the delayed original. true: retransmissions
 * are still out, so this ACK sends nothing again (Linux returns from the alert). */
static bool tcp_try_undo_partial(struct tcp_sock *tp)
{
    if (!tcp_packet_delayed(tp)) return false;
    tcp_scoreboard_count(tp);
    if (tp->retrans_out) return true;
    tcp_undo_cwnd_reduction(tp, true, "tcp_try_undo_partial", MIB_TcpExtTCPPartialUndo);
    tcp_undo_to_open(tp);
    return false;
}

/* The undo checks of an ACK in Recovery (below RecoveryPoint) or Open. true: the ACK
 * does no more recovery work. */
bool tcp_undo_ack(struct tcp_sock *tp, uint32_t ack, uint32_t acked)
{
    if (!tp->undo_armed) return false;
    if (tp->ca_state == TCP_CA_RECOVERY) {
        if (!seq_before(ack, tp->high_seq)) return false;     /* the end: tcp_try_undo_recovery */
        if (acked && tcp_try_undo_partial(tp)) return true;
        if (tp->ca_state == TCP_CA_RECOVERY && tcp_try_undo_dsack(tp)) tcp_undo_to_open(tp);
        return false;
    }
    if (tp->ca_state == TCP_CA_OPEN || tp->ca_state == TCP_CA_DISORDER) tcp_try_undo_dsack(tp);
    return false;
}

/* tcp_try_undo_recovery: the recovery reached RecoveryPoint (cwnd already set to
 * ssthresh); if it was needless, TCPFullUndo. */
bool tcp_try_undo_recovery(struct tcp_sock *tp)
{
    if (!tcp_may_undo(tp)) { tcp_rack_recovery_end(tp, false); return false; }
    tcp_undo_cwnd_reduction(tp, false, "tcp_try_undo_recovery", MIB_TcpExtTCPFullUndo);
    return true;
}

/* tcp_try_undo_loss: an ACK in Loss that advances, after a needless RTO (TCPLossUndo).
 * With SACK the connection is Open again; without, it stays in Loss until RecoveryPoint
 * (no false fast retransmits from the old duplicate ACKs, RFC 6582), with nothing lost. */
static bool tcp_undo_loss(struct tcp_sock *tp, bool frto_undo)
{
    if (!frto_undo && !tcp_may_undo(tp)) return false;
    tcp_undo_cwnd_reduction(tp, true, "tcp_try_undo_loss", MIB_TcpExtTCPLossUndo);
    if (frto_undo) mib_inc(tp->sk.net, MIB_TcpExtTCPSpuriousRTOs);
    tp->retransmits = 0;
    if (tp->sack_ok || frto_undo) tcp_undo_to_open(tp);
    return true;
}

bool tcp_try_undo_loss(struct tcp_sock *tp) { return tcp_undo_loss(tp, false); }

/* tcp_process_loss's F-RTO branch (RFC 5682 §3.1, SACK-enhanced). */
bool tcp_frto_ack(struct tcp_sock *tp, uint32_t ack, uint32_t acked, bool dup)
{
    if (!tp->frto || tp->ca_state != TCP_CA_LOSS) return false;
    if (tp->frto_orig_acked) return tcp_undo_loss(tp, true);     /* step 3b: only delayed */
    if (seq_after(tp->snd_nxt, tp->high_seq)) {                  /* new data went out */
        if (tp->frto_sacked || dup) tp->frto = false;             /* step 3a: a real loss */
        return false;
    }
    if (!acked || !seq_before(ack, tp->high_seq)) return false;
    tp->high_seq = tp->snd_nxt;                                  /* step 2: the first ACK */
    if (tp->send_head && seq_after(tp->snd_una + tp->snd_wnd, tp->snd_nxt)) return true;   /* 2b */
    tp->frto = false;                                            /* nothing new to send */
    return false;
}

/*
 * tcp/tcp_rack.c — RACK-TLP loss detection (RFC 8985), as Linux runs it by default
 * (net.ipv4.tcp_recovery = 1, net.ipv4.tcp_early_retrans = 3): Linux
 * net/ipv4/tcp_recovery.c, tcp_output.c tcp_schedule_loss_probe / tcp_send_loss_probe,
 * tcp_input.c tcp_process_tlp_ack.
 *
 *   RACK   (§6) loss is judged by time, not by counting duplicate ACKs: once a packet
 *          sent later than P has been delivered (ACKed or SACKed), P is lost when it
 *          has waited more than RACK.rtt + reo_wnd since it was sent. RACK.rtt and the
 *          transmit time are the newest delivered packet's (tcp_rack_advance); a
 *          retransmission whose sample is shorter than min_rtt may have been answered
 *          by its original and is ignored (§6.2 step 2). Packets not yet due wait for
 *          the reordering timer. Works on retransmissions too: a retransmission lost
 *          again is found without an RTO (TcpExtTCPLostRetransmit).
 *   reo_wnd  min_rtt / 4 times reo_wnd_steps, at most SRTT; 0 while no reordering has
 *          been seen and either recovery is under way or DupThresh segments are SACKed
 *          (Linux tcp_rack_reo_wnd). min_rtt here is the least sample over the
 *          connection (Linux keeps a windowed minimum over tcp_min_rtt_wlen, 300 s).
 *          A D-SACK after reordering was seen (RACK may have taken reordering for a
 *          loss) adds a step, at most once per round trip, judged by tp->delivered as
 *          Linux does (tcp_rack_update_reo_wnd, §6.2 step 4); the steps persist for 16
 *          recoveries, then fall back to 1. tcp_recovery bit 0x2 keeps one step.
 *   TLP    (§7) when the ACKs stop with data out in Open state, a probe after PTO =
 *          2 SRTT (+ the delayed-ACK allowance, tcp_rto_min, with one segment out; 2 ms
 *          otherwise; never after the RTO would fire): one segment of new data if the
 *          window allows, else the last segment again. Its ACK (or a SACK) lets RACK
 *          or the ACK itself repair a tail loss in about two RTTs instead of an RTO.
 *          One probe per episode (tlp_high_seq); an ACK past the episode whose probe
 *          was a retransmission means the probe repaired a loss: cwnd is reduced as
 *          in a recovery (TcpExtTCPLossProbeRecovery).
 *
 * The RTO, the probe and the reordering timer share one timer (tp->rto_timer) as
 * Linux's icsk_pending does; tp->xmit_timer says which is armed. Lazy as Linux's
 * tcp_write_timer_handler: a later deadline only moves tp->xmit_deadline, and a timer
 * that fires before it arms itself again.
 */
#include "tcp_priv.h"
#include "tcp_trace.h"
#include "net/stack.h"
#include "net/sysctl.h"

#define TCP_TIMEOUT_MIN_US (2 * US_PER_MS)   /* Linux TCP_TIMEOUT_MIN: 2 jiffies at HZ 1000 */

void tcp_rack_net_init(struct net *net, struct tcp_net *tn)
{
    tn->recovery = TCP_RACK_LOSS_DETECTION;
    tn->early_retrans = 3;
    sysctl_register(net, "net.ipv4.tcp_recovery", &tn->recovery, SC_INT, 0, 7, NULL, tn);
    sysctl_register(net, "net.ipv4.tcp_early_retrans", &tn->early_retrans, SC_INT, 0, 4, NULL, tn);
}

/* tcp_is_rack: RACK replaces DupThresh marking where SACK tells what arrived. */
bool tcp_rack_enabled(const struct tcp_sock *tp)
{
    return tp->sack_ok && (tcp_net_sysctls(tp->sk.net)->recovery & TCP_RACK_LOSS_DETECTION);
}

/* tcp_min_rtt: "infinite" before the first sample (Linux's ~0U). */
static uint32_t tcp_rack_min_rtt(const struct tcp_sock *tp)
{
    return tp->rack.min_rtt_us ? tp->rack.min_rtt_us : UINT32_MAX;
}

/* tcp_skb_sent_after: t1 later than t2, or at the same time and further in sequence. */
static bool tcp_rack_sent_after(uint64_t t1, uint64_t t2, uint32_t seq1, uint32_t seq2)
{
    return t1 > t2 || (t1 == t2 && seq_after(seq1, seq2));
}

/* tcp_rack_advance (RFC 8985 §6.2 steps 1-3): the packet of cb was just delivered
 * (called before its SACKED mark is set; a packet SACKed earlier is not news). A
 * packet never sent again and delivered below the highest delivered one shows
 * reordering (Linux tcp_check_sack_reordering; the highest is the one before this
 * ACK, so one ACK's blocks do not compare among themselves). */
void tcp_rack_advance(struct tcp_sock *tp, const struct tcp_skb_cb *cb)
{
    if (!tp->sack_ok || (cb->sacked & TCPCB_SACKED_ACKED)) return;
    uint32_t prior = tp->rack.ack_prior_delivered;   /* tcp_rate_skb_delivered: the newest */
    if (!prior || seq_after(cb->tx_delivered, prior)) tp->rack.ack_prior_delivered = cb->tx_delivered;
    uint64_t now = tp->sk.net->st->now_us;
    uint32_t rtt = (uint32_t)MIN(now - cb->when_us, (uint64_t)UINT32_MAX);
    if (cb->retrans) {
        if (rtt < tcp_rack_min_rtt(tp)) return;      /* maybe the original's answer */
    } else {
        if (tp->rack.fack_set && seq_before(cb->end_seq, tp->rack.fack)) tp->rack.reord_seen++;
        if (rtt < tcp_rack_min_rtt(tp)) tp->rack.min_rtt_us = rtt ? rtt : 1;
    }
    if (!tp->rack.advanced_once || seq_after(cb->end_seq, tp->rack.fack_next)) tp->rack.fack_next = cb->end_seq;
    tp->rack.advanced_once = true;
    tp->rack.advanced = true;
    tp->rack.rtt_us = rtt;
    if (tcp_rack_sent_after(cb->when_us, tp->rack.mstamp, cb->end_seq, tp->rack.end_seq)) {
        tp->rack.mstamp = cb->when_us;
        tp->rack.end_seq = cb->end_seq;
    }
}

/* tcp_rack_reo_wnd (RFC 8985 §6.2 RACK_reo_wnd): min_rtt / 4 times reo_wnd_steps, at
 * most SRTT. Reads sacked_out: the caller counted the scoreboard. */
uint32_t tcp_rack_reo_wnd(const struct tcp_sock *tp)
{
    if (!tp->rack.reord_seen) {
        if (tp->ca_state >= TCP_CA_RECOVERY) return 0;
        if (tp->sacked_out >= TCP_DUPTHRESH &&
            !(tcp_net_sysctls(tp->sk.net)->recovery & TCP_RACK_NO_DUPTHRESH)) return 0;
    }
    uint64_t wnd = (uint64_t)(tcp_rack_min_rtt(tp) / 4) * tp->rack.reo_wnd_steps;
    return (uint32_t)MIN(wnd, (uint64_t)tp->srtt_us);
}

/* tcp_dsack_seen's part for RACK: a D-SACK after reordering was seen may mean RACK
 * took the reordering for a loss; one that matches a loss probe does not (TLP is
 * driven by a timer, not by RACK). */
void tcp_rack_dsack_seen(struct tcp_sock *tp, uint32_t end, uint32_t segs)
{
    bool tlp = segs == 1 && tp->tlp_episode && tp->tlp_high_seq == end;     /* FLAG_DSACK_TLP */
    if (tp->rack.reord_seen && !tlp) tp->rack.dsack_seen = true;
}

/* tcp_rack_update_reo_wnd (RFC 8985 §6.2 step 4), once per ACK after the scoreboard:
 * a D-SACK grows reo_wnd by one step, at most once per round trip (the ACK must
 * deliver a packet sent after the last growth: its tx_delivered not before
 * last_delivered), and keeps it for TCP_RACK_RECOVERY_THRESH recoveries; once those
 * are spent it falls back to one step. tcp_recovery's STATIC_REO_WND bit keeps it. */
void tcp_rack_update_reo_wnd(struct tcp_sock *tp)
{
    uint32_t prior = tp->rack.ack_prior_delivered;
    tp->rack.ack_prior_delivered = 0;
    if ((tcp_net_sysctls(tp->sk.net)->recovery & TCP_RACK_STATIC_REO_WND) || !prior) return;
    if (seq_before(prior, tp->rack.last_delivered)) tp->rack.dsack_seen = false;   /* no RTT yet */
    if (tp->rack.dsack_seen) {
        if (tp->rack.reo_wnd_steps < 0xFF) tp->rack.reo_wnd_steps++;
        tp->rack.dsack_seen = false;
        tp->rack.last_delivered = tp->delivered;
        tp->rack.reo_wnd_persist = TCP_RACK_RECOVERY_THRESH;
    } else if (!tp->rack.reo_wnd_persist) {
        tp->rack.reo_wnd_steps = 1;
    }
}

/* A recovery (or Loss) ended: one fewer for a grown reo_wnd to persist (Linux
 * tcp_try_undo_recovery when it cannot undo); undone by D-SACKs (tcp_try_undo_dsack),
 * one more, at most TCP_RACK_RECOVERY_THRESH. */
void tcp_rack_recovery_end(struct tcp_sock *tp, bool dsack_undo)
{
    if (dsack_undo) tp->rack.reo_wnd_persist = (uint8_t)MIN(TCP_RACK_RECOVERY_THRESH, tp->rack.reo_wnd_persist + 1);
    else if (tp->rack.reo_wnd_persist) tp->rack.reo_wnd_persist--;
}

/* tcp_mark_skb_lost: a retransmission lost again leaves pipe and may go once more. */
static void tcp_rack_mark_skb_lost(struct tcp_sock *tp, struct pkt *p)
{
    struct tcp_skb_cb *cb = TCP_SKB_CB(p);
    uint32_t n = tcp_pcount(tp, p);
    if (cb->sacked & TCPCB_SACKED_RETRANS) {
        cb->sacked &= (uint8_t)~TCPCB_SACKED_RETRANS;
        tp->retrans_out -= MIN(tp->retrans_out, n);
        mib_add(tp->sk.net, MIB_TcpExtTCPLostRetransmit, n);
    }
    if (!(cb->sacked & TCPCB_LOST)) tp->lost_out += n;
    cb->sacked |= TCPCB_LOST;
}

/* tcp_rack_detect_loss (RFC 8985 §6.2 step 5): every packet sent before the RACK
 * packet and waiting longer than RACK.rtt + reo_wnd is lost; *reo_timeout gets the
 * longest wait of the others (µs, 0: none). The queue is in sequence order, not in
 * transmit order (a retransmission is newer than what follows it), so it is walked
 * whole. Returns how many segments it marked. */
static uint32_t tcp_rack_detect_loss(struct tcp_sock *tp, uint32_t *reo_timeout)
{
    uint64_t now = tp->sk.net->st->now_us;
    uint32_t marked = 0;
    tcp_scoreboard_count(tp);                         /* sacked_out for reo_wnd, lost_out */
    uint32_t reo_wnd = tcp_rack_reo_wnd(tp);
    *reo_timeout = 0;
    for (struct pkt *p = tp->wq_head; p && p != tp->send_head; p = p->next) {
        const struct tcp_skb_cb *cb = TCP_SKB_CB(p);
        if (cb->sacked & TCPCB_SACKED_ACKED) continue;
        if ((cb->sacked & TCPCB_LOST) && !(cb->sacked & TCPCB_SACKED_RETRANS)) continue;  /* waits to go */
        if (!tcp_rack_sent_after(tp->rack.mstamp, cb->when_us, tp->rack.end_seq, cb->end_seq)) continue;
        int64_t remaining = (int64_t)tp->rack.rtt_us + reo_wnd - (int64_t)(now - cb->when_us);
        if (remaining <= 0) {
            tcp_rack_mark_skb_lost(tp, p);
            marked += tcp_pcount(tp, p);
        } else if ((uint64_t)remaining > *reo_timeout) {
            *reo_timeout = (uint32_t)MIN(remaining, (int64_t)UINT32_MAX);
        }
    }
    return marked;
}

/* Arm the shared timer for what (Linux tcp_reset_xmit_timer), lazily: the same timer
 * already due earlier only has its deadline moved. */
static void tcp_reset_xmit_timer(struct tcp_sock *tp, uint8_t what, uint64_t delay_us)
{
    struct stack *st = tp->sk.net->st;
    uint64_t when = st->now_us + delay_us;
    bool earlier = timer_pending(&tp->rto_timer) && tp->xmit_timer == what && tp->rto_timer.expires_us <= when;
    tp->xmit_timer = what;
    tp->xmit_deadline = when;
    if (!earlier) timer_arm_at(st, &tp->rto_timer, when);
}

/* tcp_rack_mark_lost: after an ACK that delivered something; the packets not yet due
 * get the reordering timer (ICSK_TIME_REO_TIMEOUT, 2 ms of slack as Linux, at most the
 * RTO). true: some packet is lost (tcp_time_to_recover's "the loss is proven"). */
bool tcp_rack_mark_lost(struct tcp_sock *tp)
{
    tp->rack.fack = tp->rack.fack_next;
    tp->rack.fack_set = tp->rack.advanced_once;
    if (!tp->rack.advanced) return false;
    tp->rack.advanced = false;
    uint32_t timeout;
    uint32_t marked = tcp_rack_detect_loss(tp, &timeout);
    if (marked && TCP_TRACING(&tp->sk)) tcp_trace_timer(tp, "tcp_rack_mark_lost", "%u lost", marked);
    if (timeout) {
        tcp_reset_xmit_timer(tp, TCP_TIME_REO_TIMEOUT, MIN((uint64_t)timeout + TCP_TIMEOUT_MIN_US, (uint64_t)tp->rto_us));
        tp->rack.reo_armed = true;
    }
    return tp->lost_out != 0;
}

/* tcp_rack_reo_timeout: the wait for reordering is over; what is due now is lost and
 * goes (a recovery begins if none was under way); then the RTO from the oldest
 * packet's transmission. */
static void tcp_rack_reo_timeout(struct tcp_sock *tp)
{
    TCP_TRACE_TIMER(tp, "tcp_write_timer", "reo timeout");
    uint32_t timeout;
    uint32_t marked = tcp_rack_detect_loss(tp, &timeout);
    if (marked) {
        TRACE_CAUSE(tp->sk.net, "tcp", "tcp_rack_mark_lost", NULL, "%u lost", marked);
        uint32_t prior_cwnd = tp->snd_cwnd, prior_ssthresh = tp->snd_ssthresh;
        tcp_recovery_rack_lost(tp);
        TCP_TRACE_CWND(tp, prior_cwnd, prior_ssthresh);
    }
    if (tp->xmit_timer != TCP_TIME_RETRANS || !timer_pending(&tp->rto_timer)) tcp_rearm_rto(tp);
}

/* The data sent and not acknowledged is one segment (packets_out == 1). */
static bool tcp_one_segment_out(const struct tcp_sock *tp)
{
    const struct pkt *p = tp->wq_head;
    return p && p != tp->send_head && p->next == tp->send_head && tcp_pcount(tp, p) == 1;
}

/* tcp_rto_delta_us: how far ahead the RTO is, counted from the oldest packet's
 * transmission (may be negative). */
static int64_t tcp_rto_delta_us(const struct tcp_sock *tp)
{
    struct pkt *p = tp->wq_head;
    if (!p || p == tp->send_head) return tp->rto_us;
    return (int64_t)(TCP_SKB_CB(p)->when_us + tp->rto_us) - (int64_t)tp->sk.net->st->now_us;
}

/* tcp_schedule_loss_probe (RFC 8985 §7.2): arm the PTO when TLP is on, data is out,
 * SACK is in use and no recovery is under way (nor RACK's reordering wait, which is
 * Linux's Disorder state: there is no probe in it). advancing_rto: an ACK just moved
 * SND.UNA, so the RTO would be a whole RTO from now. */
bool tcp_schedule_loss_probe(struct tcp_sock *tp, bool advancing_rto)
{
    int er = tcp_net_sysctls(tp->sk.net)->early_retrans;
    if ((er != 3 && er != 4) || tp->wq_head == tp->send_head || !tp->sack_ok || tp->ca_state != TCP_CA_OPEN)
        return false;
    if (tp->sk.state == SK_SYN_SENT || tp->sk.state == SK_SYN_RECV) return false;
    if (tp->xmit_timer == TCP_TIME_REO_TIMEOUT && timer_pending(&tp->rto_timer)) return false;
    uint64_t pto = TCP_TIMEOUT_INIT;
    if (tp->srtt_us)
        pto = 2ull * tp->srtt_us + (tcp_one_segment_out(tp) ? TCP_RTO_MIN : TCP_TIMEOUT_MIN_US);
    int64_t rto_delta = advancing_rto ? (int64_t)tp->rto_us : tcp_rto_delta_us(tp);
    if (rto_delta > 0) pto = MIN(pto, (uint64_t)rto_delta);
    tcp_reset_xmit_timer(tp, TCP_TIME_LOSS_PROBE, pto);
    return true;
}

/* The end of tcp_ack (tcp_set_xmit_timer): an ACK that moved SND.UNA sets the PTO, or
 * else the RTO, unless RACK just armed its reordering timer. */
void tcp_rack_ack_timer(struct tcp_sock *tp, bool advanced)
{
    bool reo = tp->rack.reo_armed;
    tp->rack.reo_armed = false;
    if (!advanced || reo) return;
    if (!tcp_schedule_loss_probe(tp, true)) tcp_rearm_rto(tp);
}

/* The end of tcp_write_xmit with data sent: the PTO counts from the last transmission;
 * a probe that may no longer be sent gives way to the RTO (tcp_event_new_data_sent). */
void tcp_rack_after_xmit(struct tcp_sock *tp)
{
    if (!tcp_schedule_loss_probe(tp, false) && tp->xmit_timer == TCP_TIME_LOSS_PROBE) tcp_rearm_rto(tp);
}

/* The last segment of the last packet sent, once more (the probe when no new data
 * may go). false: nothing sent. */
static bool tcp_retransmit_tail(struct tcp_sock *tp)
{
    struct pkt *p = tp->wq_head;
    if (!p || p == tp->send_head) return false;
    while (p->next && p->next != tp->send_head) p = p->next;
    uint32_t n = tcp_pcount(tp, p);
    if (n > 1 && tcp_fragment(tp, p, (n - 1) * tp->mss_cache) < 0) return false;
    if (n > 1) p = p->next;
    struct tcp_skb_cb *cb = TCP_SKB_CB(p);
    cb->retrans++;
    tp->total_retrans++;
    mib_inc(tp->sk.net, MIB_TcpRetransSegs);
    return tcp_transmit_skb(tp, p) >= 0;
}

/* tcp_send_loss_probe (RFC 8985 §7.3): new data if the peer's window takes a segment,
 * else the last segment again; at most one probe until its episode ends. The RTO then
 * counts from now. */
static void tcp_send_loss_probe(struct tcp_sock *tp)
{
    if (tp->tlp_episode || tp->ca_state != TCP_CA_OPEN) { tcp_rearm_rto(tp); return; }
    TCP_TRACE_TIMER(tp, "tcp_write_timer", "TLP");
    bool sent = false, retrans = false;
    {
        TRACE_CAUSE(tp->sk.net, "tcp", "tcp_send_loss_probe", NULL, NULL);
        sent = tcp_push_one(tp);
        if (!sent) sent = retrans = tcp_retransmit_tail(tp);
    }
    if (sent) {
        tp->tlp_episode = true;
        tp->tlp_retrans = retrans;
        tp->tlp_high_seq = tp->snd_nxt;
        mib_inc(tp->sk.net, MIB_TcpExtTCPLossProbes);
        tp->xmit_timer = TCP_TIME_NONE;               /* the RTO from now */
    }
    tcp_rearm_rto(tp);
}

/* The shared timer fired (tcp_write_timer_handler). false: it is the RTO's. */
bool tcp_rack_timer(struct tcp_sock *tp)
{
    uint8_t what = tp->xmit_timer;
    if (what != TCP_TIME_LOSS_PROBE && what != TCP_TIME_REO_TIMEOUT) { tp->xmit_timer = TCP_TIME_RETRANS; return false; }
    struct stack *st = tp->sk.net->st;
    if (st->now_us < tp->xmit_deadline) { timer_arm_at(st, &tp->rto_timer, tp->xmit_deadline); return true; }
    if (tp->wq_head == tp->send_head) { tp->xmit_timer = TCP_TIME_NONE; return true; }
    if (what == TCP_TIME_LOSS_PROBE) tcp_send_loss_probe(tp);
    else tcp_rack_reo_timeout(tp);
    return true;
}

/* tcp_process_tlp_ack (RFC 8985 §7.4): the ACKs of a probe's episode. A probe of new
 * data acknowledged, or a pure duplicate ACK at its end (original and probe both
 * arrived), ends it with no loss; an ACK beyond it after a retransmitted probe means
 * the probe repaired a loss: cwnd is reduced as in a recovery (tcp_init_cwnd_reduction,
 * tcp_end_cwnd_reduction). A recovery or an RTO ends the episode too. */
void tcp_process_tlp_ack(struct tcp_sock *tp, const struct tcp_seg *seg, bool advanced)
{
    if (!tp->tlp_episode || seq_before(seg->ack, tp->tlp_high_seq)) return;
    if (!tp->tlp_retrans) { tp->tlp_episode = false; return; }
    if (seq_after(seg->ack, tp->tlp_high_seq)) {
        tp->tlp_episode = false;
        uint32_t prior_cwnd = tp->snd_cwnd, prior_ssthresh = tp->snd_ssthresh;
        tp->prior_cwnd = tp->snd_cwnd;
        tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
        tp->snd_cwnd = tp->snd_ssthresh;
        tp->cwnd_cnt = 0;
        mib_inc(tp->sk.net, MIB_TcpExtTCPLossProbeRecovery);
        TCP_TRACE_CWND(tp, prior_cwnd, prior_ssthresh);
        return;
    }
    bool sacked = false;                              /* FLAG_DATA_SACKED: a block above the ACK */
    for (unsigned i = 0; i < seg->opt.num_sacks; i++) sacked |= seq_after(seg->opt.sacks[i].end, seg->ack);
    if (!advanced && !seg->len && !(seg->flags & (TCP_FLAG_SYN | TCP_FLAG_FIN)) && !sacked) tp->tlp_episode = false;
}

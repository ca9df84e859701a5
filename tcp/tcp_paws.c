/*
 * tcp/tcp_paws.c — Protection Against Wrapped Sequences (RFC 7323 §5; Linux
 * tcp_input.c tcp_paws_check / tcp_paws_discard / tcp_disordered_ack,
 * tcp_replace_ts_recent).
 *
 * With timestamps on, a segment whose TSval is older than the last one we took
 * (TS.Recent) is an old duplicate, whatever its sequence number says (on a fast
 * connection sequence numbers wrap within a segment's lifetime): it is dropped
 * (PAWSEstab) and answered by a duplicate ACK; a SYN gets a challenge ACK. Exceptions,
 * as Linux: an RST is still judged by its sequence number; TS.Recent idle for 24 days
 * no longer counts (RFC 7323 §5.5); a pure duplicate ACK reordered behind a newer one
 * within an RTO passes (tcp_disordered_ack). TS.Recent itself only moves forward, and
 * only for a segment at or before the left edge of the window (RFC 7323 §4.3).
 */
#include "tcp_priv.h"
#include "net/stack.h"

#define TCP_PAWS_24DAYS (60ull * 60 * 24 * 24)   /* seconds */
#define TCP_PAWS_WINDOW 1                       /* a replayed TSval one tick old passes */

static uint64_t now_s(const struct tcp_sock *tp) { return tp->sk.net->st->now_us / US_PER_S; }

/* tcp_paws_check: may a segment with this TSval pass, allowing it to be `win` older? */
bool tcp_paws_check(const struct tcp_sock *tp, uint32_t tsval, int32_t win)
{
    if ((int32_t)(tp->ts_recent - tsval) <= win) return true;
    if (now_s(tp) >= tp->ts_recent_stamp + TCP_PAWS_24DAYS) return true;
    return !tp->ts_recent;
}

/* tcp_disordered_ack: a pure duplicate ACK (no data, nothing new acked, no window
 * change) that was merely overtaken, its TSval within an RTO of TS.Recent. */
static bool tcp_disordered_ack(const struct tcp_sock *tp, const struct tcp_seg *seg)
{
    return (seg->flags & ~TCP_FLAG_PSH) == TCP_FLAG_ACK && !seg->len && seg->seq == tp->rcv_nxt &&
           seg->ack == tp->snd_una && ((uint32_t)seg->win << tp->snd_wscale) == tp->snd_wnd &&
           (int32_t)(tp->ts_recent - seg->opt.ts_val) <= (int32_t)(tp->rto_us / US_PER_MS);
}

/* tcp_paws_discard as tcp_validate_incoming applies it. true: p was dropped (and
 * answered). */
bool tcp_paws_reject(struct tcp_sock *tp, struct pkt *p, const struct tcp_seg *seg)
{
    struct net *net = tp->sk.net;
    if (!tp->tstamp_ok || !seg->opt.ts_ok || (seg->flags & TCP_FLAG_RST)) return false;
    if (tcp_paws_check(tp, seg->opt.ts_val, TCP_PAWS_WINDOW) || tcp_disordered_ack(tp, seg)) return false;
    if (seg->flags & TCP_FLAG_SYN) {                  /* syn_challenge */
        mib_inc(net, MIB_TcpExtTCPSYNChallenge);
        tcp_send_challenge_ack(tp);
    } else {
        mib_inc(net, MIB_TcpExtPAWSEstab);
        if (!tcp_oow_rate_limited(tp, seg, MIB_TcpExtTCPACKSkippedPAWS)) tcp_send_dupack(tp, seg);
    }
    pkt_drop(net, p, DROP_TCP_RFC7323_PAWS);
    return true;
}

/* tcp_replace_ts_recent: take the TSval of a segment at or before the window's left
 * edge, unless it is older than what we have. */
void tcp_replace_ts_recent(struct tcp_sock *tp, const struct tcp_seg *seg)
{
    if (!tp->tstamp_ok || !seg->opt.ts_ok || seq_after(seg->seq, tp->rcv_wup)) return;
    if (!tcp_paws_check(tp, seg->opt.ts_val, 0)) return;
    tp->ts_recent = seg->opt.ts_val;
    tp->ts_recent_stamp = now_s(tp);
}

/*
 * tcp/tcp_prr.c — Proportional Rate Reduction (RFC 6937; Linux tcp_init_cwnd_reduction,
 * tcp_cwnd_reduction, tcp_end_cwnd_reduction in net/ipv4/tcp_input.c).
 *
 * A fast recovery must bring what is in flight from the old window (prior_cwnd) down
 * to ssthresh. Setting cwnd = ssthresh at once (RFC 5681, RFC 6675) makes the sender
 * fall silent for half an RTT and then burst; PRR spreads the cut over the recovery
 * instead, in step with what the ACKs say left the network:
 *
 *   prr_delivered  segments the peer received since the recovery began (newly acked
 *                  and newly SACKed, or one per duplicate ACK without SACK)
 *   prr_out        segments we sent since then (retransmissions and new data)
 *
 * On each ACK, with pipe the segments in flight (RFC 6675 SetPipe):
 *
 *   pipe > ssthresh   the proportional part: in total send ssthresh/prior_cwnd of what
 *                     was delivered, rounded up: sndcnt = ceil(ssthresh * prr_delivered
 *                     / prior_cwnd) - prr_out. A Reno halving sends one segment for
 *                     every two ACKs, CUBIC's 0.7 seven for every ten.
 *   pipe <= ssthresh  PRR-SSRB (slow-start reduction bound): catch up on what the
 *                     proportional part held back, at least what this ACK delivered,
 *                     one more when SND.UNA moved and nothing was newly lost (Linux's
 *                     rule since 5.10: a recovery that goes well grows as in slow
 *                     start), never past ssthresh.
 *
 * and cwnd = pipe + sndcnt, so cwnd - pipe (what tcp_send_allowance and the lost-segment
 * loop let out) is sndcnt. The first ACK of a recovery always allows one segment, the
 * fast retransmission (Linux: prr_out still 0). At the end cwnd = ssthresh.
 */
#include "tcp_priv.h"

/* tcp_init_cwnd_reduction: the recovery begins. RecoveryPoint, the window it began
 * with and the algorithm's ssthresh for a loss; the PRR counts from zero. */
void tcp_init_cwnd_reduction(struct tcp_sock *tp)
{
    tp->high_seq = tp->snd_nxt;
    tp->cwnd_cnt = 0;
    tp->prior_cwnd = tp->snd_cwnd;
    tp->prr_delivered = 0;
    tp->prr_out = 0;
    tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
}

/* The cwnd PRR allows after an ACK that delivered `delivered` segments, with pipe in
 * flight now (RFC 6937 §3, as Linux tcp_cwnd_reduction computes sndcnt). prr_delivered
 * counts the ACK; an ACK that delivered nothing leaves cwnd as it is. */
uint32_t tcp_prr_cwnd(struct tcp_sock *tp, uint32_t pipe, uint32_t delivered, bool newly_lost, bool una_advanced)
{
    if (!delivered || !tp->prior_cwnd) return tp->snd_cwnd;
    int64_t delta = (int64_t)tp->snd_ssthresh - pipe, sndcnt;
    tp->prr_delivered += delivered;
    if (delta < 0) {                                  /* proportional: ceil(ssthresh * delivered / prior_cwnd) */
        uint64_t dividend = (uint64_t)tp->snd_ssthresh * tp->prr_delivered + tp->prior_cwnd - 1;
        sndcnt = (int64_t)(dividend / tp->prior_cwnd) - tp->prr_out;
    } else {                                          /* PRR-SSRB */
        sndcnt = MAX((int64_t)tp->prr_delivered - tp->prr_out, (int64_t)delivered);
        if (una_advanced && !newly_lost) sndcnt++;
        sndcnt = MIN(delta, sndcnt);
    }
    sndcnt = MAX(sndcnt, tp->prr_out ? 0 : 1);        /* the fast retransmission goes */
    return pipe + (uint32_t)sndcnt;
}

/* tcp_cwnd_reduction: per ACK during a recovery (tcp_recovery.c), after the ACK's lost
 * marks are made. */
void tcp_cwnd_reduction(struct tcp_sock *tp, uint32_t delivered, bool newly_lost, bool una_advanced)
{
    if (tp->ca_state != TCP_CA_RECOVERY || !delivered) return;
    tp->snd_cwnd = tcp_prr_cwnd(tp, tcp_pipe(tp), delivered, newly_lost, una_advanced);
}

/* tcp_end_cwnd_reduction: the recovery is over; cwnd is ssthresh (unless ssthresh was
 * never set: an undone reduction gives back the infinite one). */
void tcp_end_cwnd_reduction(struct tcp_sock *tp)
{
    if (tp->snd_ssthresh < TCP_INFINITE_SSTHRESH) tp->snd_cwnd = tp->snd_ssthresh;
}

/* Segments we sent, retransmitted or new: prr_out during a recovery (Linux adds them
 * in tcp_xmit_retransmit_queue and tcp_write_xmit while tcp_in_cwnd_reduction). */
void tcp_prr_sent(struct tcp_sock *tp, uint32_t segs)
{
    if (tp->ca_state == TCP_CA_RECOVERY) tp->prr_out += segs;
}

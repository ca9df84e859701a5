/*
 * tcp/tcp_cubic.c — CUBIC congestion control (RFC 9438; Linux net/ipv4/tcp_cubic.c),
 * the default as in Linux.
 *
 * After a loss the window is cut to β = 717/1024 (≈ 0.7, Linux's beta) of what it was
 * and then regrows along a cubic curve in real time since the loss (the epoch):
 *
 *   W_cubic(t) = C (t - K)^3 + W_max,   K = cbrt((W_max - cwnd_epoch) / C),  C = 0.4
 *
 * so it rises fast far from W_max, flattens near it (the window where the last loss
 * happened) and probes beyond it again. Each ACK moves cwnd towards the target
 * W_cubic(t + RTT) (RFC 9438 §4.2), never by more than half a window per RTT. Where
 * Reno would be faster (short RTTs, small windows), CUBIC follows the Reno-friendly
 * estimate W_est (§4.3: α = 3(1-β)/(1+β) per window, 1 once past cwnd_prior).
 * Fast convergence (§4.7): a loss below the previous W_max remembers less.
 *
 * HyStart (Linux's hybrid slow start, on by default; Ha and Rhee 2011) leaves slow
 * start before the first loss when the path looks full, by setting ssthresh = cwnd:
 * once cwnd is at least 16 segments, in each round (one RTT: until SND.UNA passes
 * what was SND.NXT at its start),
 *   ACK train  the ACKs of the round, each within 2 ms of the last, have spread over
 *              more than half the minimum RTT: the window already fills the path;
 *   delay      the least RTT of the round's first 8 samples exceeds the minimum RTT
 *              by an eighth of it (clamped to 4..16 ms): a queue is building.
 * Counted as Linux does (TcpExtTCPHystartTrainDetect/TrainCwnd, DelayDetect/DelayCwnd).
 *
 * Times are the stack clock (µs), so --replay runs are exact; the arithmetic is in
 * double (no kernel constraints here).
 */
#include "tcp_priv.h"
#include "net/stack.h"
#include <math.h>

#define CUBIC_C          0.4
#define CUBIC_BETA_SCALE 1024u
#define CUBIC_BETA       717u          /* Linux tcp_cubic beta: 717/1024 */

/* HyStart's settings: Linux's tcp_cubic module parameters (hystart, hystart_detect,
 * hystart_low_window, hystart_ack_delta_us), which are not sysctls; their defaults. */
#define HYSTART_ACK_TRAIN    0x1
#define HYSTART_DELAY        0x2
#define HYSTART_DETECT       (HYSTART_ACK_TRAIN | HYSTART_DELAY)
#define HYSTART_LOW_WINDOW   16u       /* segments */
#define HYSTART_ACK_DELTA_US 2000u     /* ACKs further apart are not a train */
#define HYSTART_MIN_SAMPLES  8u        /* RTT samples per round for the delay signal */
#define HYSTART_DELAY_MIN    4000u     /* µs: the delay threshold's clamp */
#define HYSTART_DELAY_MAX    16000u
#define GSO_MAX_SIZE         65536u    /* bytes: a super-segment (hystart_ack_delay) */

struct cubic {
    double   w_max;                    /* the window at the last loss (segments) */
    double   cwnd_prior;               /* the window just before the last reduction */
    double   k;                        /* seconds from the epoch to W_max */
    double   origin;                   /* the curve's plateau: W_max, or cwnd if above it */
    double   w_est;                    /* the Reno-friendly estimate (§4.3) */
    double   frac;                     /* growth not yet a whole segment */
    uint64_t epoch_us;                 /* start of the current epoch, 0: none */
    /* HyStart (Linux struct bictcp's round_start .. curr_rtt) */
    uint64_t round_start_us, last_ack_us;   /* the round's start, the train's last ACK */
    uint32_t end_seq;                  /* the round ends when SND.UNA passes it */
    uint32_t delay_min_us;             /* the least RTT seen, 0: none yet */
    uint32_t curr_rtt_us;              /* the least RTT of this round's samples */
    uint8_t  sample_cnt;               /* samples taken this round */
    bool     in_round;                 /* a round has begun (the first sample begins one) */
    bool     found;                    /* HyStart ended slow start */
    double   w_max_undo;               /* W_max before the last loss, for an undo */
};
_Static_assert(sizeof(struct cubic) <= sizeof(((struct tcp_sock *)0)->ca_priv), "cubic fits ca_priv");
static struct cubic *cubic_ca(struct tcp_sock *tp) { return (struct cubic *)(void *)tp->ca_priv; }

/* RFC 9438 eq. 2: K = cbrt((W_max - cwnd_epoch) / C); 0 when starting above W_max. */
double cubic_k(double w_max, double cwnd_epoch)
{
    return w_max > cwnd_epoch ? cbrt((w_max - cwnd_epoch) / CUBIC_C) : 0.0;
}

/* RFC 9438 eq. 1: W_cubic(t) = C (t - K)^3 + W_max (t in seconds). */
double cubic_w(double t, double k, double w_max)
{
    double d = t - k;
    return CUBIC_C * d * d * d + w_max;
}

/* bictcp_hystart_reset: a new round from now to what is sent now. */
static void hystart_reset(struct tcp_sock *tp, struct cubic *ca)
{
    ca->round_start_us = ca->last_ack_us = tp->sk.net->st->now_us;
    ca->end_seq = tp->snd_nxt;
    ca->curr_rtt_us = UINT32_MAX;
    ca->sample_cnt = 0;
    ca->in_round = true;
}

/* cubictcp_init runs when Linux's connection is established; here the socket is new
 * (ca_priv zeroed) and the first round begins with the first RTT sample of data. */
static void cubic_init(struct tcp_sock *tp) { cubic_ca(tp)->in_round = false; }

/* bictcp_recalc_ssthresh: the new ssthresh on a loss, W_max remembered. */
static uint32_t cubic_ssthresh(struct tcp_sock *tp)
{
    struct cubic *ca = cubic_ca(tp);
    double cwnd = tp->snd_cwnd;
    ca->epoch_us = 0;
    ca->w_max_undo = ca->w_max;
    ca->cwnd_prior = cwnd;
    if (cwnd < ca->w_max) ca->w_max = cwnd * (CUBIC_BETA_SCALE + CUBIC_BETA) / (2.0 * CUBIC_BETA_SCALE);
    else ca->w_max = cwnd;
    return MAX(tp->snd_cwnd * CUBIC_BETA / CUBIC_BETA_SCALE, 2u);
}

/* The start of an epoch: the first ACK in congestion avoidance after a loss. */
static void cubic_epoch_start(struct tcp_sock *tp, struct cubic *ca, uint64_t now)
{
    ca->epoch_us = now ? now : 1;
    ca->k = cubic_k(ca->w_max, tp->snd_cwnd);
    ca->origin = ca->w_max > tp->snd_cwnd ? ca->w_max : tp->snd_cwnd;
    ca->w_est = tp->snd_cwnd;
    ca->frac = 0;
}

/* Congestion avoidance for `acked` segments (RFC 9438 §4.2-4.4). */
static void cubic_cong_avoid_ca(struct tcp_sock *tp, struct cubic *ca, uint32_t acked)
{
    uint64_t now = tp->sk.net->st->now_us;
    if (!ca->epoch_us) cubic_epoch_start(tp, ca, now);
    double cwnd = tp->snd_cwnd, rtt = tp->srtt_us / 1e6;
    double t = (double)(now - ca->epoch_us) / 1e6;
    double target = cubic_w(t + rtt, ca->k, ca->origin);
    target = target < cwnd ? cwnd : target > 1.5 * cwnd ? 1.5 * cwnd : target;
    double beta = (double)CUBIC_BETA / CUBIC_BETA_SCALE;
    double alpha = ca->w_est >= ca->cwnd_prior ? 1.0 : 3.0 * (1 - beta) / (1 + beta);
    ca->w_est += alpha * acked / cwnd;
    if (cubic_w(t, ca->k, ca->origin) < ca->w_est && ca->w_est > cwnd)
        target = ca->w_est > target ? ca->w_est : target;   /* the Reno-friendly region */
    ca->frac += (target - cwnd) * acked / cwnd;
    if (ca->frac >= 1.0) {
        uint32_t inc = (uint32_t)ca->frac;
        tp->snd_cwnd += inc;
        ca->frac -= inc;
    }
}

static void cubic_cong_avoid(struct tcp_sock *tp, uint32_t acked)
{
    struct cubic *ca = cubic_ca(tp);
    if (tp->snd_cwnd < tp->snd_ssthresh) {
        acked = tcp_slow_start(tp, acked);
        if (!acked) return;
    }
    cubic_cong_avoid_ca(tp, ca, acked);
}

/* cubictcp_state(TCP_CA_Loss) -> bictcp_reset, bictcp_hystart_reset: an RTO starts
 * the curve over, and HyStart may end the next slow start again. */
static void cubic_on_rto(struct tcp_sock *tp)
{
    struct cubic *ca = cubic_ca(tp);
    double w_max_undo = ca->w_max_undo;               /* what an undo would restore is kept */
    memset(ca, 0, sizeof(*ca));
    ca->w_max_undo = w_max_undo;
    hystart_reset(tp, ca);
}

/* hystart_ack_delay: a cushion for the ACKs of super-segments (TSO/GRO), the time 4
 * of them take at the pacing rate Linux computes in slow start (twice cwnd per RTT,
 * tcp_update_pacing_rate), at most 1 ms. */
static uint32_t hystart_ack_delay(const struct tcp_sock *tp)
{
    uint64_t rate_x_srtt = 2ull * tp->snd_cwnd * tp->mss_cache;    /* bytes per srtt */
    if (!tp->srtt_us || !rate_x_srtt) return 0;
    return (uint32_t)MIN((uint64_t)US_PER_MS, 4ull * GSO_MAX_SIZE * tp->srtt_us / rate_x_srtt);
}

/* Slow start ends here: ssthresh = cwnd, counted. */
static void hystart_exit(struct tcp_sock *tp, struct cubic *ca, enum mib_id detect, enum mib_id cwnd)
{
    ca->found = true;
    mib_inc(tp->sk.net, detect);
    mib_add(tp->sk.net, cwnd, tp->snd_cwnd);
    tp->snd_ssthresh = tp->snd_cwnd;
}

/* hystart_update: one RTT sample in slow start. The ACK-train threshold is half of
 * delay_min (plus the cushion) as Linux without pacing (sk_pacing_status NONE). */
static void hystart_update(struct tcp_sock *tp, struct cubic *ca, uint32_t delay)
{
    uint64_t now = tp->sk.net->st->now_us;
    if (!ca->in_round || seq_after(tp->snd_una, ca->end_seq)) hystart_reset(tp, ca);
    if (tp->snd_cwnd < HYSTART_LOW_WINDOW) return;
    if ((HYSTART_DETECT & HYSTART_ACK_TRAIN) && now - ca->last_ack_us <= HYSTART_ACK_DELTA_US) {
        ca->last_ack_us = now;
        uint32_t threshold = (ca->delay_min_us + hystart_ack_delay(tp)) >> 1;
        if (now - ca->round_start_us > threshold)
            hystart_exit(tp, ca, MIB_TcpExtTCPHystartTrainDetect, MIB_TcpExtTCPHystartTrainCwnd);
    }
    if (HYSTART_DETECT & HYSTART_DELAY) {
        ca->curr_rtt_us = MIN(ca->curr_rtt_us, delay);
        if (ca->sample_cnt < HYSTART_MIN_SAMPLES) { ca->sample_cnt++; return; }
        uint32_t thresh = MIN(MAX(ca->delay_min_us >> 3, HYSTART_DELAY_MIN), HYSTART_DELAY_MAX);
        if (ca->curr_rtt_us > ca->delay_min_us + thresh)
            hystart_exit(tp, ca, MIB_TcpExtTCPHystartDelayDetect, MIB_TcpExtTCPHystartDelayCwnd);
    }
}

/* cubictcp_acked: an RTT sample. None in the second after a reduction (the queue of
 * the recovery would look like delay); the minimum kept; HyStart while in slow start
 * and not yet ended. */
static void cubic_pkts_acked(struct tcp_sock *tp, uint32_t acked, uint32_t rtt_us)
{
    struct cubic *ca = cubic_ca(tp);
    (void)acked;
    if (ca->epoch_us && tp->sk.net->st->now_us - ca->epoch_us < US_PER_S) return;
    uint32_t delay = rtt_us ? rtt_us : 1;
    if (!ca->delay_min_us || ca->delay_min_us > delay) ca->delay_min_us = delay;
    if (!ca->found && tp->snd_cwnd < tp->snd_ssthresh) hystart_update(tp, ca, delay);
}

/* The loss was not one (tcp_undo.c): W_max as before it (Linux's bictcp_undo_cwnd kept
 * last_max_cwnd; today's cubictcp takes tcp_reno_undo_cwnd), a fresh epoch from the
 * restored cwnd, and cwnd back as Reno's undo gives it. */
static uint32_t cubic_undo_cwnd(struct tcp_sock *tp)
{
    struct cubic *ca = cubic_ca(tp);
    ca->w_max = ca->w_max_undo > ca->w_max ? ca->w_max_undo : ca->w_max;
    ca->epoch_us = 0;
    return tcp_reno_undo_cwnd(tp);
}

const struct tcp_cong_ops tcp_cubic = { .name = "cubic", .init = cubic_init, .ssthresh = cubic_ssthresh,
                                        .cong_avoid = cubic_cong_avoid, .on_rto = cubic_on_rto,
                                        .pkts_acked = cubic_pkts_acked,
                                        .undo_cwnd = cubic_undo_cwnd };

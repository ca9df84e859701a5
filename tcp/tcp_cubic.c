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
 * Times are the stack clock (µs), so --replay runs are exact; the arithmetic is in
 * double (no kernel constraints here). Not built: HyStart (Linux's slow-start exit).
 */
#include "tcp_priv.h"
#include "net/stack.h"
#include <math.h>

#define CUBIC_C          0.4
#define CUBIC_BETA_SCALE 1024u
#define CUBIC_BETA       717u          /* Linux tcp_cubic beta: 717/1024 */

struct cubic {
    double   w_max;                    /* the window at the last loss (segments) */
    double   cwnd_prior;               /* the window just before the last reduction */
    double   k;                        /* seconds from the epoch to W_max */
    double   origin;                   /* the curve's plateau: W_max, or cwnd if above it */
    double   w_est;                    /* the Reno-friendly estimate (§4.3) */
    double   frac;                     /* growth not yet a whole segment */
    uint64_t epoch_us;                 /* start of the current epoch, 0: none */
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

static void cubic_init(struct tcp_sock *tp) { (void)tp; }

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

/* cubictcp_state(TCP_CA_Loss) -> bictcp_reset: an RTO starts the curve over (what an
 * undo would restore is kept). */
static void cubic_on_rto(struct tcp_sock *tp)
{
    struct cubic *ca = cubic_ca(tp);
    double w_max_undo = ca->w_max_undo;
    memset(ca, 0, sizeof(*ca));
    ca->w_max_undo = w_max_undo;
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
                                        .undo_cwnd = cubic_undo_cwnd };

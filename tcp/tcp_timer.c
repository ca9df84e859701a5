/*
 * tcp/tcp_timer.c — TCP's timers on the stack clock (Linux net/ipv4/tcp_timer.c,
 * tcp_input.c tcp_rtt_estimator / tcp_set_rto).
 *
 *   retransmission   RFC 6298: SRTT/RTTVAR from samples of segments sent once (Karn),
 *                    RTO = SRTT + max(4 RTTVAR, 200 ms) as Linux (tcp_rto_min), 1 s
 *                    before the first sample, doubled on every expiry up to 120 s;
 *                    tcp_syn_retries / tcp_retries2 expiries end the connection
 *                    (ETIMEDOUT)
 *   loss probe, reordering  RACK-TLP's timers share the retransmission timer
 *                    (tcp_rack.c; tp->xmit_timer says which is armed)
 *   delayed ACK      40 ms (TCP_DELACK_MIN); armed once, not moved per segment
 *   TIME_WAIT        60 s (TCP_TIMEWAIT_LEN); the same timer ends an orphan's
 *                    FIN_WAIT2 after tcp_fin_timeout
 */
#include "tcp_priv.h"
#include "tcp_trace.h"
#include "net/stack.h"
#include <errno.h>

/* tcp_rearm_rto: the RTO from now, or, in place of a loss probe or RACK's reordering
 * timer, from the oldest packet's transmission (at least 1 µs ahead). */
void tcp_rearm_rto(struct tcp_sock *tp)
{
    struct stack *st = tp->sk.net->st;
    uint8_t was = tp->xmit_timer;
    tp->xmit_timer = TCP_TIME_RETRANS;
    if (tp->wq_head == tp->send_head) { timer_stop(st, &tp->rto_timer); return; }    /* nothing out */
    uint64_t rto = tp->rto_us;
    if (was == TCP_TIME_LOSS_PROBE || was == TCP_TIME_REO_TIMEOUT) {
        uint64_t due = TCP_SKB_CB(tp->wq_head)->when_us + tp->rto_us;
        rto = due > st->now_us ? due - st->now_us : 1;
    }
    timer_arm_in(st, &tp->rto_timer, rto);
}

/* tcp_rtt_estimator + tcp_set_rto, RFC 6298 §2.2-2.3 (in µs). */
void tcp_rtt_estimator(struct tcp_sock *tp, uint32_t r)
{
    if (!tp->srtt_us) {
        tp->srtt_us = r ? r : 1;
        tp->rttvar_us = r / 2;
    } else {
        uint32_t delta = tp->srtt_us > r ? tp->srtt_us - r : r - tp->srtt_us;
        tp->rttvar_us = tp->rttvar_us - tp->rttvar_us / 4 + delta / 4;      /* beta 1/4 */
        tp->srtt_us = tp->srtt_us - tp->srtt_us / 8 + r / 8;                /* alpha 1/8 */
    }
    uint64_t rto = (uint64_t)tp->srtt_us + MAX(4ull * tp->rttvar_us, TCP_RTO_MIN);
    tp->rto_us = (uint32_t)MIN(rto, TCP_RTO_MAX);
}

uint32_t tcp_time_stamp(const struct net *net) { return (uint32_t)(net->st->now_us / US_PER_MS); }

/* tcp_rtt_tsopt_us: the round trip an echoed TSval tells (RFC 7323 §4.1), at least one
 * tick of the timestamp clock, as Linux takes it. */
uint32_t tcp_rtt_tsopt_us(const struct tcp_sock *tp, uint32_t tsecr)
{
    uint32_t delta = tcp_time_stamp(tp->sk.net) - tsecr;
    if (delta > TCP_RTO_MAX / US_PER_MS) return 0;   /* from the future, or absurd: no sample */
    return (delta ? delta : 1) * US_PER_MS;
}

/* The connection gave up (tcp_write_err): the application hears the last soft ICMP
 * error if there was one (sk_err_soft), else ETIMEDOUT (TCPAbortOnTimeout). */
void tcp_write_err(struct tcp_sock *tp)
{
    sk_set_err(&tp->sk, tp->soft_err ? tp->soft_err : ETIMEDOUT);
    mib_inc(tp->sk.net, MIB_TcpExtTCPAbortOnTimeout);
    tcp_done(&tp->sk);
}

/* tcp_retransmit_timer: the oldest unacknowledged segment again, the RTO doubled. */
static void tcp_retransmit_timer(struct tcp_sock *tp)
{
    struct sock *sk = &tp->sk;
    if (tp->wq_head == tp->send_head) return;
    tp->tlp_episode = false;                          /* an RTO ends a probe's episode */
    const struct tcp_net *tn = tcp_net_sysctls(sk->net);
    unsigned limit = (unsigned)(sk->state == SK_SYN_SENT ? tn->syn_retries :
                                sk->state == SK_SYN_RECV ? tn->synack_retries : tn->retries2);
    if (tp->retransmits >= limit) {
        sock_hold(sk);
        if (sk->state == SK_SYN_RECV && tp->parent) tcp_done(sk);   /* a child just goes */
        else tcp_write_err(tp);
        sock_put(sk);
        return;
    }
    mib_inc(sk->net, MIB_TcpExtTCPTimeouts);
    TCP_TRACE_TIMER(tp, "tcp_retransmit_timer", "rto %u ms, retransmission %u", tp->rto_us / 1000, tp->retransmits + 1);
    uint32_t prior_cwnd = tp->snd_cwnd, prior_ssthresh = tp->snd_ssthresh;     /* for trace */
    tcp_cong_on_rto(tp);                              /* ssthresh by the algorithm, cwnd 1 */
    TCP_TRACE_CWND(tp, prior_cwnd, prior_ssthresh);
    tp->retransmits++;
    tp->backoff++;
    tcp_retransmit_head(tp);
    tp->rto_us = (uint32_t)MIN((uint64_t)tp->rto_us * 2, TCP_RTO_MAX);     /* RFC 6298 §5.5 */
    timer_arm_in(sk->net->st, &tp->rto_timer, tp->rto_us);
}

/* tcp_write_timer: the timer is the RTO's, or RACK-TLP's (tcp_rack.c). */
static void tcp_write_timer(struct timer *t, void *arg)
{
    struct tcp_sock *tp = arg;
    if (!tcp_rack_timer(tp)) tcp_retransmit_timer(tp);
}

/* tcp_delack_timer: the ACK that waited. */
static void tcp_delack_timer(struct timer *t, void *arg)
{
    struct tcp_sock *tp = arg;
    if (!tp->ack_pending) return;
    mib_inc(tp->sk.net, MIB_TcpExtDelayedACKs);
    TCP_TRACE_TIMER(tp, "tcp_delack_timer", NULL);
    tcp_send_ack(tp);
}

/* TIME_WAIT is over (tcp_timewait_kill), or an orphan waited too long in FIN_WAIT2. */
static void tcp_tw_timer(struct timer *t, void *arg)
{
    struct tcp_sock *tp = arg;
    if (tp->sk.state == SK_TIME_WAIT) mib_inc(tp->sk.net, MIB_TcpExtTW);
    tcp_done(&tp->sk);
}

void tcp_schedule_delack(struct tcp_sock *tp)
{
    tp->ack_pending = true;
    if (!timer_pending(&tp->delack_timer)) timer_arm_in(tp->sk.net->st, &tp->delack_timer, TCP_DELACK_MIN);
}

/* tcp_time_wait: 2 MSL of holding the 4-tuple (RFC 9293 §3.6.1), here as Linux's 60 s. */
void tcp_time_wait(struct tcp_sock *tp)
{
    struct stack *st = tp->sk.net->st;
    tcp_set_state(&tp->sk, SK_TIME_WAIT);
    tp->tw_entry_us = st->now_us;
    timer_stop(st, &tp->rto_timer);
    timer_stop(st, &tp->delack_timer);
    timer_arm_in(st, &tp->tw_timer, TCP_TIMEWAIT_LEN);
}

void tcp_init_timers(struct tcp_sock *tp)
{
    timer_init(&tp->rto_timer, tcp_write_timer, tp);
    timer_init(&tp->delack_timer, tcp_delack_timer, tp);
    timer_init(&tp->tw_timer, tcp_tw_timer, tp);
    tcp_probe_timers_init(tp);
}

void tcp_stop_timers(struct tcp_sock *tp)
{
    if (!tp->sk.net) return;
    struct stack *st = tp->sk.net->st;
    timer_stop(st, &tp->rto_timer);
    timer_stop(st, &tp->delack_timer);
    timer_stop(st, &tp->tw_timer);
    tcp_probe_timers_stop(tp);
}

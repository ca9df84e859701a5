/*
 * tcp/tcp_trace.c — TCP's trace stages and event lines (see tcp_trace.h). Linux shows
 * the same through its tracepoints: tcp:tcp_set_state (old and new state),
 * tcp:tcp_retransmit_skb, and tcp_probe's snd_cwnd / ssthresh.
 */
#include "tcp_trace.h"
#include <stdarg.h>
#include <stdio.h>

/* include/net/tcp_states.h, as the tcp_set_state tracepoint names them (TCP_ dropped). */
const char *tcp_state_name(int state)
{
    static const char *const names[SK_STATE_MAX] = {
        [SK_ESTABLISHED] = "ESTABLISHED", [SK_SYN_SENT] = "SYN_SENT", [SK_SYN_RECV] = "SYN_RECV",
        [SK_FIN_WAIT1] = "FIN_WAIT1", [SK_FIN_WAIT2] = "FIN_WAIT2", [SK_TIME_WAIT] = "TIME_WAIT",
        [SK_CLOSE] = "CLOSE", [SK_CLOSE_WAIT] = "CLOSE_WAIT", [SK_LAST_ACK] = "LAST_ACK",
        [SK_LISTEN] = "LISTEN", [SK_CLOSING] = "CLOSING" };
    return state > 0 && state < SK_STATE_MAX && names[state] ? names[state] : "?";
}

/* "tcp 10.0.0.2:7 > 10.0.0.1:40000", a listener's peer as "0.0.0.0:*" (ss). */
static void tcp_trace_conn(const struct sock *sk, char *buf, size_t n)
{
    char l[16], r[16];
    ip4_ntop(sk->local.addr, l);
    ip4_ntop(sk->remote.addr, r);
    if (sk->remote.port) snprintf(buf, n, "tcp %s:%u > %s:%u", l, sk->local.port, r, sk->remote.port);
    else snprintf(buf, n, "tcp %s:%u > %s:*", l, sk->local.port, r);
}

void tcp_trace_state(const struct sock *sk, int state)
{
    char c[64];
    tcp_trace_conn(sk, c, sizeof(c));
    trace_event(sk->net, "%s: %s -> %s", c, tcp_state_name(sk->state), tcp_state_name(state));
}

void tcp_trace_cwnd(const struct tcp_sock *tp, uint32_t old_cwnd, uint32_t old_ssthresh)
{
    char c[64];
    tcp_trace_conn(&tp->sk, c, sizeof(c));
    if (tp->snd_ssthresh == old_ssthresh)
        trace_event(tp->sk.net, "%s: cwnd %u -> %u ssthresh %u", c, old_cwnd, tp->snd_cwnd, tp->snd_ssthresh);
    else
        trace_event(tp->sk.net, "%s: cwnd %u -> %u ssthresh %u -> %u", c, old_cwnd, tp->snd_cwnd,
                    old_ssthresh, tp->snd_ssthresh);
}

void tcp_trace_timer(const struct tcp_sock *tp, const char *timer, const char *fmt, ...)
{
    char c[64], detail[64] = "";
    tcp_trace_conn(&tp->sk, c, sizeof(c));
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof(detail), fmt, ap);
        va_end(ap);
    }
    if (detail[0]) trace_event(tp->sk.net, "%s: %s(%s)", c, timer, detail);
    else trace_event(tp->sk.net, "%s: %s", c, timer);
}

/* The state machine's entry: Linux's fast path for ESTABLISHED has its own name. */
void tcp_trace_rcv(struct pkt *p, const struct sock *sk)
{
    if (sk->state == SK_ESTABLISHED) trace_stage(p, "tcp_rcv_established", NULL, NULL);
    else trace_stage(p, "tcp_rcv_state_process", NULL, "%s", tcp_state_name(sk->state));
}

/* What the ACK did: bytes newly acknowledged, a duplicate, or recovery under way. */
void tcp_trace_ack(struct pkt *p, const struct tcp_sock *tp, uint32_t prior_una)
{
    uint32_t acked = tp->snd_una - prior_una;
    const char *rec = tp->ca_state == TCP_CA_RECOVERY ? ", in recovery" : "";
    if (acked) trace_stage(p, "tcp_ack", NULL, "acked %u%s", acked, rec);
    else if (tp->dupacks) trace_stage(p, "tcp_ack", NULL, "dupack %u%s", tp->dupacks, rec);
    else trace_stage(p, "tcp_ack", NULL, NULL);
}

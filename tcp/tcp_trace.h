/*
 * tcp/tcp_trace.h — what `trace on` shows of TCP (net/trace.h has the facility).
 *
 * A segment's journey gets TCP's stages, as Linux's functions name them:
 *   received  tcp_v4_rcv > tcp_rcv_state_process(STATE) or tcp_rcv_established >
 *             tcp_ack(...) > tcp_data_queue(...) [> tcp_ofo_queue], or
 *             tcp_data_queue_ofo(...) for a segment after a hole
 *   sent      tcp_sendmsg(N bytes) > tcp_write_xmit > tcp_transmit_skb(...) >
 *             ip_queue_xmit > ..., the first stages being the causes open when it was
 *             made (a timer, tcp_send_ack, tcp_retransmit_skb, ...)
 * and a connection's events are lines of their own, printed at once:
 *   HH:MM:SS.us tcp LOCAL > REMOTE: OLD -> NEW                   every state change
 *   HH:MM:SS.us tcp LOCAL > REMOTE: TIMER(detail)                a timer that acts
 *   HH:MM:SS.us tcp LOCAL > REMOTE: cwnd A -> B ssthresh S [-> T] cwnd or ssthresh moved
 *   HH:MM:SS.us tcp LOCAL > REMOTE: tcp_try_undo_dsack(...)      a needless reduction undone
 *                                   (also _recovery, _partial, _loss: tcp_undo.c)
 * (segments; ssthresh 2147483647 is Linux's TCP_INFINITE_SSTHRESH, "not yet set").
 * Each check is one test of st->tracing while trace is off.
 */
#ifndef TS_TCP_TRACE_H
#define TS_TCP_TRACE_H
#include "tcp_priv.h"
#include "net/stack.h"
#include "net/trace.h"

const char *tcp_state_name(int state);          /* Linux's names without TCP_: "SYN_SENT" */
void tcp_trace_state(const struct sock *sk, int state);
void tcp_trace_cwnd(const struct tcp_sock *tp, uint32_t old_cwnd, uint32_t old_ssthresh);
void tcp_trace_timer(const struct tcp_sock *tp, const char *timer, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tcp_trace_rcv(struct pkt *p, const struct sock *sk);
void tcp_trace_ack(struct pkt *p, const struct tcp_sock *tp, uint32_t prior_una);

#define TCP_TRACING(sk) ((sk)->net->st->tracing)
/* A state change (from tcp_set_state, before the state is written; a socket already
 * released has left its namespace: no line). */
#define TCP_TRACE_STATE(sk, state) \
    do { if ((sk)->net && TCP_TRACING(sk) && (sk)->state != (state)) tcp_trace_state((sk), (state)); } while (0)
/* cwnd / ssthresh may have moved since old_cwnd / old_ssthresh were read. */
#define TCP_TRACE_CWND(tp, oc, os) \
    do { if (TCP_TRACING(&(tp)->sk) && ((tp)->snd_cwnd != (oc) || (tp)->snd_ssthresh != (os))) \
             tcp_trace_cwnd((tp), (oc), (os)); } while (0)
/* A timer acts: its event line, and a cause for what it sends (to the end of the
 * function that uses it). */
#define TCP_TRACE_TIMER(tp, name, ...) \
    TRACE_CAUSE((tp)->sk.net, "tcp", (name), NULL, __VA_ARGS__); \
    do { if (TCP_TRACING(&(tp)->sk)) tcp_trace_timer((tp), (name), __VA_ARGS__); } while (0)
/* An undo of a needless cwnd reduction: its event line, and a cause as a timer's. */
#define TCP_TRACE_UNDO(tp, name, ...) TCP_TRACE_TIMER(tp, name, __VA_ARGS__)
#define TCP_TRACE_RCV(p, sk) do { if ((p)->tr) tcp_trace_rcv((p), (sk)); } while (0)
#define TCP_TRACE_ACK(p, tp, una) do { if ((p)->tr) tcp_trace_ack((p), (tp), (una)); } while (0)

#endif

/*
 * tcp/tcp_cong.c — pluggable congestion control (Linux net/ipv4/tcp_cong.c) and Reno
 * (RFC 5681 §3.1; Linux tcp_reno_cong_avoid, tcp_reno_ssthresh).
 *
 * A socket takes its namespace's net.ipv4.tcp_congestion_control when it is created
 * ("cubic" by default as Linux, or "reno"); the algorithm says how cwnd grows per ACK
 * (cong_avoid) and what ssthresh becomes on a loss (ssthresh). Recovery itself
 * (tcp_recovery.c) and the RTO (tcp_timer.c) call these hooks.
 */
#include "tcp_priv.h"
#include "net/stack.h"
#include "net/sysctl.h"
#include <errno.h>

/* tcp_slow_start: +1 segment per segment acked up to ssthresh; returns the acked
 * segments left over for congestion avoidance. */
uint32_t tcp_slow_start(struct tcp_sock *tp, uint32_t acked)
{
    uint32_t cwnd = MIN(tp->snd_cwnd + acked, tp->snd_ssthresh);
    acked -= cwnd - tp->snd_cwnd;
    tp->snd_cwnd = cwnd;
    return acked;
}

/* tcp_cong_avoid_ai: +1 segment once w segments have been acked (additive increase). */
void tcp_cong_avoid_ai(struct tcp_sock *tp, uint32_t w, uint32_t acked)
{
    if (tp->cwnd_cnt >= w) { tp->cwnd_cnt = 0; tp->snd_cwnd++; }
    tp->cwnd_cnt += acked;
    if (tp->cwnd_cnt >= w) {
        uint32_t delta = tp->cwnd_cnt / w;
        tp->cwnd_cnt -= delta * w;
        tp->snd_cwnd += delta;
    }
}

static void reno_cong_avoid(struct tcp_sock *tp, uint32_t acked)
{
    if (tp->snd_cwnd < tp->snd_ssthresh) {
        acked = tcp_slow_start(tp, acked);
        if (!acked) return;
    }
    tcp_cong_avoid_ai(tp, tp->snd_cwnd, acked);
}

/* RFC 5681 §3.2 (4): half the window, at least 2 segments (Linux uses cwnd, not
 * FlightSize). */
static uint32_t reno_ssthresh(struct tcp_sock *tp) { return MAX(tp->snd_cwnd >> 1, 2u); }

/* tcp_reno_undo_cwnd: a needless reduction undone (tcp_undo.c): the window before it. */
uint32_t tcp_reno_undo_cwnd(struct tcp_sock *tp) { return MAX(tp->snd_cwnd, tp->prior_cwnd); }

const struct tcp_cong_ops tcp_reno = { .name = "reno", .ssthresh = reno_ssthresh, .cong_avoid = reno_cong_avoid,
                                       .undo_cwnd = tcp_reno_undo_cwnd };

/* The algorithms one can choose, by the sysctl's index. */
static const struct tcp_cong_ops *const tcp_cong_list[] = { &tcp_cubic, &tcp_reno };
static const char *const tcp_cong_names[] = { "cubic", "reno", NULL };

struct tcp_cong_net { int cong; };              /* index into tcp_cong_list */
static unsigned tcp_cong_net_id;

static int tcp_cong_net_init(struct net *net)
{
    struct tcp_cong_net *cn = net_generic(net, tcp_cong_net_id);
    cn->cong = 0;
    return sysctl_register_choice(net, "net.ipv4.tcp_congestion_control", &cn->cong, tcp_cong_names, NULL, cn);
}

static void tcp_cong_net_exit(struct net *net) { sysctl_unregister_owner(net, net_generic(net, tcp_cong_net_id)); }

static const struct pernet_ops tcp_cong_pernet = { .name = "tcp_cong", .init = tcp_cong_net_init,
    .exit = tcp_cong_net_exit, .id = &tcp_cong_net_id, .size = sizeof(struct tcp_cong_net) };

int tcp_cong_init(struct stack *st) { return pernet_register(st, &tcp_cong_pernet) < 0 ? -1 : 0; }

const struct tcp_cong_ops *tcp_cong_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(tcp_cong_list); i++)
        if (!strcmp(tcp_cong_list[i]->name, name)) return tcp_cong_list[i];
    return NULL;
}

/* tcp_assign_congestion_control + tcp_init_congestion_control for a new socket. */
void tcp_cong_init_sock(struct tcp_sock *tp)
{
    const struct tcp_cong_net *cn = net_generic(tp->sk.net, tcp_cong_net_id);
    tcp_cong_set(tp, tcp_cong_list[cn->cong]);
}

void tcp_cong_set(struct tcp_sock *tp, const struct tcp_cong_ops *ops)
{
    tp->ca_ops = ops;
    memset(tp->ca_priv, 0, sizeof(tp->ca_priv));
    if (ops->init) ops->init(tp);
}

/* Segments sent and not yet acknowledged, as the congestion window counts them
 * (tcp_packets_in_flight: in recovery, RFC 6675's pipe). */
static uint32_t tcp_in_flight(struct tcp_sock *tp)
{
    if (tp->ca_state == TCP_CA_RECOVERY || tp->ca_state == TCP_CA_LOSS) return tcp_pipe(tp);
    uint32_t mss = tp->mss_cache ? tp->mss_cache : 1;
    return (tp->snd_nxt - tp->snd_una + mss - 1) / mss;
}

/* tcp_cwnd_validate (RFC 7661's idea, Linux's rule): after a send, note whether cwnd
 * was what held the sender back, and the most it had in flight, once per window of
 * data (cwnd_usage_seq) or sooner when either grows. */
void tcp_cwnd_validate(struct tcp_sock *tp)
{
    uint32_t out = tcp_in_flight(tp);
    bool limited = out >= tp->snd_cwnd;
    if (!seq_before(tp->snd_una, tp->cwnd_usage_seq) || limited || (!tp->is_cwnd_limited && out > tp->max_packets_out)) {
        tp->is_cwnd_limited = limited;
        tp->max_packets_out = out;
        tp->cwnd_usage_seq = tp->snd_nxt;
    }
}

/* tcp_is_cwnd_limited: cwnd grows only when it was used (RFC 5681 §3.1, RFC 7661):
 * the sender filled it in this window, or in slow start had at least half of it out
 * (so cwnd may reach twice what was in flight). An application that writes little,
 * or a receiver's small window, does not inflate it. */
static bool tcp_is_cwnd_limited(const struct tcp_sock *tp)
{
    if (tp->is_cwnd_limited) return true;
    if (tp->snd_cwnd < tp->snd_ssthresh) return tp->snd_cwnd < 2 * tp->max_packets_out;
    return false;
}

/* tcp_cong_avoid: the algorithm's growth, for acked segments, when cwnd was used. */
void tcp_cong_avoid(struct tcp_sock *tp, uint32_t acked)
{
    if (tcp_is_cwnd_limited(tp)) tp->ca_ops->cong_avoid(tp, acked);
}

/* RFC 5681 §3.1 (7), Linux tcp_enter_loss: after an RTO ssthresh is what the algorithm
 * says for a loss, cwnd one segment, and the algorithm forgets its epoch. ssthresh is
 * cut once per loss, as Linux: not again when the RTO ends a fast recovery that cut
 * it (its RecoveryPoint not yet acked; PRR's cwnd there is no measure of the path),
 * nor at a second RTO of the same loss. */
void tcp_cong_on_rto(struct tcp_sock *tp)
{
    tcp_undo_enter_loss(tp);                          /* what an undo would give back */
    bool cut = tp->ca_state == TCP_CA_OPEN || tp->ca_state == TCP_CA_DISORDER ||
               !seq_after(tp->high_seq, tp->snd_una) || (tp->ca_state == TCP_CA_LOSS && !tp->retransmits);
    if (cut) tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
    tp->snd_cwnd = 1;
    tp->cwnd_cnt = 0;
    if (tp->ca_ops->on_rto) tp->ca_ops->on_rto(tp);
    tcp_recovery_on_rto(tp);
}

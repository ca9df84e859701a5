/*
 * tcp/tcp_keepalive.c — the two timers that ask a silent peer (Linux
 * net/ipv4/tcp_timer.c tcp_probe_timer / tcp_keepalive_timer, tcp_output.c
 * tcp_send_probe0 / tcp_write_wakeup / tcp_xmit_probe_skb, tcp_input.c tcp_ack_probe).
 *
 *   zero-window probe  data waits, nothing is in flight and the peer's window is shut
 *                      (RFC 9293 §3.8.6.1, RFC 1122 4.2.2.17): after max(RTO, 200 ms)
 *                      a probe, then again after that base doubled per probe (the
 *                      backoff, up to 120 s). While the peer answers, probing goes on
 *                      for ever; tcp_retries2 probes without an answer end the
 *                      connection (ETIMEDOUT). An ACK that opens the window stops it.
 *   keepalive          SO_KEEPALIVE: a connection idle for tcp_keepalive_time (7200 s)
 *                      sends a probe every tcp_keepalive_intvl (75 s); after
 *                      tcp_keepalive_probes (9) unanswered the connection is reset
 *                      and the application hears ETIMEDOUT. Any ACK from the peer
 *                      counts as an answer.
 *
 * Both probes are Linux's: an ACK with no data at snd_una - 1, a sequence number the
 * peer has already seen, which it must answer with an ACK (RFC 9293 §3.10.7.4). When
 * the window has opened and data waits, the data itself goes instead.
 */
#include "tcp_priv.h"
#include "tcp_trace.h"
#include "net/stack.h"
#include "net/sysctl.h"
#include <errno.h>

#define TCP_KEEPALIVE_TIME_MS  (7200 * 1000)    /* net.ipv4.tcp_keepalive_time */
#define TCP_KEEPALIVE_INTVL_MS (75 * 1000)      /* net.ipv4.tcp_keepalive_intvl */
#define TCP_KEEPALIVE_PROBES   9                /* net.ipv4.tcp_keepalive_probes */

void tcp_keepalive_net_init(struct net *net, struct tcp_net *tn)
{
    tn->keepalive_time_ms = TCP_KEEPALIVE_TIME_MS;
    tn->keepalive_intvl_ms = TCP_KEEPALIVE_INTVL_MS;
    tn->keepalive_probes = TCP_KEEPALIVE_PROBES;
    /* Linux: 1 s .. MAX_TCP_KEEPIDLE/INTVL (32767 s), probes 1 .. MAX_TCP_KEEPCNT (127) */
    sysctl_register(net, "net.ipv4.tcp_keepalive_time", &tn->keepalive_time_ms, SC_MS_AS_S, 1000, 32767 * 1000, NULL, tn);
    sysctl_register(net, "net.ipv4.tcp_keepalive_intvl", &tn->keepalive_intvl_ms, SC_MS_AS_S, 1000, 32767 * 1000, NULL, tn);
    sysctl_register(net, "net.ipv4.tcp_keepalive_probes", &tn->keepalive_probes, SC_INT, 1, 127, NULL, tn);
}

/* keepalive_time_when, keepalive_intvl_when, keepalive_probes: the socket's own
 * (TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT) or the namespace's sysctls. */
int tcp_keepalive_time_ms(const struct tcp_sock *tp)
{
    return tp->keepalive_time_ms ? tp->keepalive_time_ms : tcp_net(tp->sk.net)->keepalive_time_ms;
}

int tcp_keepalive_intvl_ms(const struct tcp_sock *tp)
{
    return tp->keepalive_intvl_ms ? tp->keepalive_intvl_ms : tcp_net(tp->sk.net)->keepalive_intvl_ms;
}

int tcp_keepalive_probes(const struct tcp_sock *tp)
{
    return tp->keepalive_probes ? tp->keepalive_probes : tcp_net(tp->sk.net)->keepalive_probes;
}

/* tcp_xmit_probe_skb: a bare ACK one byte behind snd_una. */
static void tcp_xmit_probe(struct tcp_sock *tp, enum mib_id mib)
{
    mib_inc(tp->sk.net, mib);
    tcp_send_ack_at(tp, tp->snd_una - 1);
}

/* tcp_write_wakeup: data if the window lets any of it go (pushed: what Nagle or a cork
 * held goes too — this is TCP_CORK's 200 ms ceiling), else the probe. */
static void tcp_write_wakeup(struct tcp_sock *tp, enum mib_id mib)
{
    struct pkt *p = tp->send_head;
    if (p && seq_before(TCP_SKB_CB(p)->seq, tp->snd_una + tp->snd_wnd)) {
        tcp_push_pending(tp, TCP_NAGLE_PUSH);
        if (tp->send_head != p) return;
    }
    tcp_xmit_probe(tp, mib);
}

/* ---- zero-window probes ---- */

/* tcp_probe0_base / tcp_probe0_when. */
static uint64_t tcp_probe0_when(const struct tcp_sock *tp)
{
    uint64_t base = MAX((uint64_t)tp->rto_us, TCP_RTO_MIN);
    return MIN(base << MIN(tp->probe_backoff, 20u), (uint64_t)TCP_RTO_MAX);
}

/* Nothing in flight, data waiting: the peer's window is what holds it
 * (tcp_check_probe_timer, after tcp_write_xmit). */
void tcp_check_probe_timer(struct tcp_sock *tp)
{
    if (!tp->send_head || tp->wq_head != tp->send_head || timer_pending(&tp->probe_timer)) return;
    if (tp->sk.state != SK_ESTABLISHED && tp->sk.state != SK_CLOSE_WAIT &&
        tp->sk.state != SK_FIN_WAIT1 && tp->sk.state != SK_LAST_ACK && tp->sk.state != SK_CLOSING) return;
    timer_arm_in(tp->sk.net->st, &tp->probe_timer, tcp_probe0_when(tp));
}

/* tcp_ack_probe: an ACK came while data waits. The window opened: stop probing (the
 * data goes by tcp_write_xmit); still shut: probe again after the backed-off time. */
void tcp_ack_probe(struct tcp_sock *tp)
{
    tp->probes_out = 0;
    tp->rcv_tstamp = tp->sk.net->st->now_us;
    struct pkt *p = tp->send_head;
    if (!p || !timer_pending(&tp->probe_timer)) return;
    if (!seq_after(TCP_SKB_CB(p)->end_seq, tp->snd_una + tp->snd_wnd) || tp->wq_head != p) {
        tp->probe_backoff = 0;
        timer_stop(tp->sk.net->st, &tp->probe_timer);
        return;
    }
    timer_arm_in(tp->sk.net->st, &tp->probe_timer, tcp_probe0_when(tp));
}

/* tcp_probe_timer + tcp_send_probe0. */
static void tcp_probe_timer(struct timer *t, void *arg)
{
    struct tcp_sock *tp = arg;
    if (!tp->send_head || tp->wq_head != tp->send_head) { tp->probes_out = 0; tp->probe_backoff = 0; return; }
    if (tp->probes_out >= tcp_net_sysctls(tp->sk.net)->retries2) {   /* no answer to any of them */
        struct sock *sk = &tp->sk;
        sock_hold(sk);
        tcp_write_err(tp);
        sock_put(sk);
        return;
    }
    TCP_TRACE_TIMER(tp, "tcp_probe_timer", "probe %u", tp->probes_out + 1);
    tcp_write_wakeup(tp, MIB_TcpExtTCPWinProbe);
    if (!tp->send_head || tp->wq_head != tp->send_head) {  /* data went: the RTO guards it */
        tp->probes_out = 0;
        tp->probe_backoff = 0;
        return;
    }
    tp->probes_out++;
    if (tp->probe_backoff < tcp_net_sysctls(tp->sk.net)->retries2) tp->probe_backoff++;
    timer_arm_in(tp->sk.net->st, &tp->probe_timer, tcp_probe0_when(tp));
}

/* ---- keepalive ---- */

/* keepalive_time_elapsed: since the peer was last heard from. */
static uint64_t tcp_keepalive_elapsed(const struct tcp_sock *tp)
{
    return tp->sk.net->st->now_us - tp->rcv_tstamp;
}

static void tcp_keepalive_timer(struct timer *t, void *arg)
{
    struct tcp_sock *tp = arg;
    struct sock *sk = &tp->sk;
    uint64_t when = (uint64_t)tcp_keepalive_time_ms(tp) * US_PER_MS;
    if (!sk->keepalive || sk->state == SK_CLOSE || sk->state == SK_SYN_SENT || sk->state == SK_LISTEN ||
        sk->state == SK_TIME_WAIT) return;
    if (tp->wq_head) { timer_arm_in(sk->net->st, &tp->keepalive_timer, when); return; }   /* alive: sending */
    uint64_t elapsed = tcp_keepalive_elapsed(tp);
    if (elapsed < when) { timer_arm_in(sk->net->st, &tp->keepalive_timer, when - elapsed); return; }
    if (tp->probes_out >= (unsigned)tcp_keepalive_probes(tp)) {
        sock_hold(sk);
        tcp_send_active_reset(tp);
        tcp_write_err(tp);
        sock_put(sk);
        return;
    }
    TCP_TRACE_TIMER(tp, "tcp_keepalive_timer", "probe %u", tp->probes_out + 1);
    tcp_write_wakeup(tp, MIB_TcpExtTCPKeepAlive);
    tp->probes_out++;
    timer_arm_in(sk->net->st, &tp->keepalive_timer, (uint64_t)tcp_keepalive_intvl_ms(tp) * US_PER_MS);
}

/* tcp_set_keepalive (SO_KEEPALIVE), and a connection becoming established with it on
 * (tcp_finish_connect, tcp_create_openreq_child): the idle clock starts now. */
void tcp_keepalive_reset(struct tcp_sock *tp)
{
    struct sock *sk = &tp->sk;
    if (sk->state == SK_CLOSE || sk->state == SK_LISTEN || sk->state == SK_SYN_SENT) return;
    timer_arm_in(sk->net->st, &tp->keepalive_timer, (uint64_t)tcp_keepalive_time_ms(tp) * US_PER_MS);
}

void tcp_set_keepalive(struct sock *sk, bool on)
{
    struct tcp_sock *tp = tcp_sk(sk);
    if (!on) timer_stop(sk->net->st, &tp->keepalive_timer);
    else if (!sk->keepalive) tcp_keepalive_reset(tp);   /* already on: the clock runs on */
}

void tcp_probe_timers_init(struct tcp_sock *tp)
{
    timer_init(&tp->probe_timer, tcp_probe_timer, tp);
    timer_init(&tp->keepalive_timer, tcp_keepalive_timer, tp);
}

void tcp_probe_timers_stop(struct tcp_sock *tp)
{
    timer_stop(tp->sk.net->st, &tp->probe_timer);
    timer_stop(tp->sk.net->st, &tp->keepalive_timer);
}

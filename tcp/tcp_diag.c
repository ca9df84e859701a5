/*
 * tcp/tcp_diag.c — what `ss -t` shows of a TCP socket (Linux tcp_diag.c and
 * tcp_get_info, printed as iproute2's ss prints them):
 *
 *   tcp_get_queues   Recv-Q / Send-Q (tcp_diag_get_info): a listener's accept queue
 *                    and its backlog; a connection's unread bytes and the bytes not
 *                    yet acknowledged
 *   tcp_get_info     the `ss -i` line: struct tcp_info filled as TCP_INFO fills it
 *                    (tcp_fill_info, tcp_sockopt.c), then printed field by field in
 *                    the order and words of iproute2's tcp_show_info/tcp_stats_print,
 *                    a field left out when it is 0 as ss leaves it out
 *
 * The stack does not pace, estimate the delivery rate or keep busy times, so pacing_rate,
 * delivery_rate, app_limited and busy never appear; ss on Linux shows them.
 */
#include "tcp_priv.h"
#include "tcp_sockopt.h"
#include "net/stack.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void tcp_get_queues(const struct sock *sk, unsigned *rq, unsigned *sq)
{
    const struct tcp_sock *tp = tcp_csk(sk);
    if (sk->state == SK_LISTEN) { *rq = tp->acc_qlen; *sq = tp->max_ack_backlog; return; }
    unsigned unread = 0;
    for (const struct pkt *p = sk->rq; p; p = p->next) unread += p->len;
    *rq = unread;
    *sq = sk->state == SK_CLOSE ? 0 : tp->write_seq - tp->snd_una;
}

/* iproute2's sprint_bw: bits per second, with -n as a plain number, else three
 * significant digits and a unit. */
static const char *tcp_diag_bw(char *buf, size_t len, double bw, bool numeric)
{
    if (numeric) snprintf(buf, len, "%.0f", bw);
    else if (bw >= 1e12) snprintf(buf, len, "%.3gT", bw / 1e12);
    else if (bw >= 1e9) snprintf(buf, len, "%.3gG", bw / 1e9);
    else if (bw >= 1e6) snprintf(buf, len, "%.3gM", bw / 1e6);
    else if (bw >= 1e3) snprintf(buf, len, "%.3gk", bw / 1e3);
    else snprintf(buf, len, "%g", bw);
    return buf;
}

struct tcp_diag_out { char *buf; size_t len, n; };

static void tcp_diag_put(struct tcp_diag_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tcp_diag_put(struct tcp_diag_out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(o->buf + o->n, o->len - o->n, fmt, ap);
    va_end(ap);
    if (k > 0) o->n = MIN(o->n + (size_t)k, o->len - 1);
}

/* tcp_stats_print's first half: options, congestion control, RTO and RTT, the segment
 * sizes, the window, byte and segment counts (ms from µs as tcp_show_info divides). */
static void tcp_diag_put_sizes(struct tcp_diag_out *o, const struct ts_tcp_info *ti, const char *ca)
{
    if (ti->tcpi_options & TS_TCPI_OPT_TIMESTAMPS) tcp_diag_put(o, " ts");
    if (ti->tcpi_options & TS_TCPI_OPT_SACK) tcp_diag_put(o, " sack");
    tcp_diag_put(o, " %s", ca);
    if (ti->tcpi_options & TS_TCPI_OPT_WSCALE) tcp_diag_put(o, " wscale:%u,%u", ti->tcpi_snd_wscale, ti->tcpi_rcv_wscale);
    if (ti->tcpi_rto && ti->tcpi_rto != 3000000) tcp_diag_put(o, " rto:%g", ti->tcpi_rto / 1000.0);
    if (ti->tcpi_backoff) tcp_diag_put(o, " backoff:%u", ti->tcpi_backoff);
    if (ti->tcpi_rtt) tcp_diag_put(o, " rtt:%g/%g", ti->tcpi_rtt / 1000.0, ti->tcpi_rttvar / 1000.0);
    if (ti->tcpi_ato) tcp_diag_put(o, " ato:%g", ti->tcpi_ato / 1000.0);
    if (ti->tcpi_snd_mss) tcp_diag_put(o, " mss:%u", ti->tcpi_snd_mss);
    if (ti->tcpi_pmtu) tcp_diag_put(o, " pmtu:%u", ti->tcpi_pmtu);
    if (ti->tcpi_rcv_mss) tcp_diag_put(o, " rcvmss:%u", ti->tcpi_rcv_mss);
    if (ti->tcpi_advmss) tcp_diag_put(o, " advmss:%u", ti->tcpi_advmss);
    if (ti->tcpi_snd_cwnd) tcp_diag_put(o, " cwnd:%u", ti->tcpi_snd_cwnd);
    if (ti->tcpi_snd_ssthresh && ti->tcpi_snd_ssthresh < 0xffff) tcp_diag_put(o, " ssthresh:%u", ti->tcpi_snd_ssthresh);
    if (ti->tcpi_bytes_sent) tcp_diag_put(o, " bytes_sent:%llu", (unsigned long long)ti->tcpi_bytes_sent);
    if (ti->tcpi_bytes_retrans) tcp_diag_put(o, " bytes_retrans:%llu", (unsigned long long)ti->tcpi_bytes_retrans);
    if (ti->tcpi_bytes_acked) tcp_diag_put(o, " bytes_acked:%llu", (unsigned long long)ti->tcpi_bytes_acked);
    if (ti->tcpi_bytes_received) tcp_diag_put(o, " bytes_received:%llu", (unsigned long long)ti->tcpi_bytes_received);
    if (ti->tcpi_segs_out) tcp_diag_put(o, " segs_out:%u", ti->tcpi_segs_out);
    if (ti->tcpi_segs_in) tcp_diag_put(o, " segs_in:%u", ti->tcpi_segs_in);
    if (ti->tcpi_data_segs_out) tcp_diag_put(o, " data_segs_out:%u", ti->tcpi_data_segs_out);
    if (ti->tcpi_data_segs_in) tcp_diag_put(o, " data_segs_in:%u", ti->tcpi_data_segs_in);
}

/* The second half: the rate cwnd allows, idle times, the scoreboard, the receiver. */
static void tcp_diag_put_state(struct tcp_diag_out *o, const struct ts_tcp_info *ti, bool listen, bool numeric)
{
    char bw[32];
    if (ti->tcpi_rtt && ti->tcpi_snd_mss && ti->tcpi_snd_cwnd)
        tcp_diag_put(o, " send %sbps", tcp_diag_bw(bw, sizeof(bw),
                     (double)ti->tcpi_snd_cwnd * ti->tcpi_snd_mss * 8000000.0 / ti->tcpi_rtt, numeric));
    if (ti->tcpi_last_data_sent) tcp_diag_put(o, " lastsnd:%u", ti->tcpi_last_data_sent);
    if (ti->tcpi_last_data_recv) tcp_diag_put(o, " lastrcv:%u", ti->tcpi_last_data_recv);
    if (ti->tcpi_last_ack_recv) tcp_diag_put(o, " lastack:%u", ti->tcpi_last_ack_recv);
    if (ti->tcpi_delivered) tcp_diag_put(o, " delivered:%u", ti->tcpi_delivered);
    if (ti->tcpi_unacked) tcp_diag_put(o, " unacked:%u", ti->tcpi_unacked);
    if (ti->tcpi_retrans || ti->tcpi_total_retrans) tcp_diag_put(o, " retrans:%u/%u", ti->tcpi_retrans, ti->tcpi_total_retrans);
    if (ti->tcpi_lost) tcp_diag_put(o, " lost:%u", ti->tcpi_lost);
    if (ti->tcpi_sacked && !listen) tcp_diag_put(o, " sacked:%u", ti->tcpi_sacked);
    if (ti->tcpi_dsack_dups) tcp_diag_put(o, " dsack_dups:%u", ti->tcpi_dsack_dups);
    if (ti->tcpi_reordering != 3) tcp_diag_put(o, " reordering:%u", ti->tcpi_reordering);
    if (ti->tcpi_reord_seen) tcp_diag_put(o, " reord_seen:%u", ti->tcpi_reord_seen);
    if (ti->tcpi_rcv_rtt) tcp_diag_put(o, " rcv_rtt:%g", ti->tcpi_rcv_rtt / 1000.0);
    if (ti->tcpi_rcv_space) tcp_diag_put(o, " rcv_space:%u", ti->tcpi_rcv_space);
    if (ti->tcpi_rcv_ssthresh) tcp_diag_put(o, " rcv_ssthresh:%u", ti->tcpi_rcv_ssthresh);
    if (ti->tcpi_notsent_bytes) tcp_diag_put(o, " notsent:%u", ti->tcpi_notsent_bytes);
    if (ti->tcpi_min_rtt && ti->tcpi_min_rtt != ~0u) tcp_diag_put(o, " minrtt:%g", ti->tcpi_min_rtt / 1000.0);
    if (ti->tcpi_rcv_ooopack) tcp_diag_put(o, " rcv_ooopack:%u", ti->tcpi_rcv_ooopack);
    if (ti->tcpi_snd_wnd) tcp_diag_put(o, " snd_wnd:%u", ti->tcpi_snd_wnd);
    if (ti->tcpi_rcv_wnd) tcp_diag_put(o, " rcv_wnd:%u", ti->tcpi_rcv_wnd);
}

int tcp_get_info(const struct sock *sk, char *buf, size_t len, unsigned flags)
{
    const struct tcp_sock *tp = tcp_csk(sk);
    if (sk->state == SK_CLOSE) { buf[0] = '\0'; return 0; }
    struct ts_tcp_info ti;
    tcp_fill_info(tp, &ti);
    struct tcp_diag_out o = { .buf = buf, .len = len, .n = 0 };
    buf[0] = '\0';
    tcp_diag_put_sizes(&o, &ti, tp->ca_ops ? tp->ca_ops->name : "reno");
    tcp_diag_put_state(&o, &ti, sk->state == SK_LISTEN, flags & SOCK_INFO_NUMERIC);
    if (o.n && buf[0] == ' ') memmove(buf, buf + 1, o.n--);    /* ss's line starts after a tab */
    return (int)o.n;
}

/*
 * tcp/tcp_sockopt.c — the SOL_TCP options (Linux net/ipv4/tcp.c do_tcp_setsockopt /
 * do_tcp_getsockopt, tcp_get_info). Other levels than SOL_TCP go to IP's options
 * (ip_setsockopt), SOL_SOCKET never comes here (net/sock.c).
 *
 *   TCP_NODELAY    Nagle off; turning it on pushes what waits (tcp_sock_set_nodelay)
 *   TCP_CORK       hold partial segments; uncorking pushes them (tcp_sock_set_cork).
 *                  The ceiling on the hold is the probe timer, max(RTO, 200 ms)
 *   TCP_MAXSEG     an MSS clamp for what we announce and use, 88 .. 32767 or 0 (none);
 *                  reads back the MSS in use (the clamp before the connection exists)
 *   TCP_KEEPIDLE, TCP_KEEPINTVL (1 .. 32767 s), TCP_KEEPCNT (1 .. 127): the socket's own
 *                  keepalive times instead of the net.ipv4.tcp_keepalive_* sysctls;
 *                  a new idle time applies at once to a running keepalive timer
 *   TCP_INFO       struct ts_tcp_info (Linux's struct tcp_info layout), read only
 *   TCP_CONGESTION the algorithm by name ("cubic", "reno"); ENOENT for others
 * Errors as Linux: EINVAL for a short value or one out of range, ENOPROTOOPT for an
 * option TCP does not have (or cannot set, as TCP_INFO).
 */
#include "tcp_priv.h"
#include "tcp_sockopt.h"
#include "net/stack.h"
#include "net/datagram.h"
#include <errno.h>
#include <stdio.h>

#define MAX_TCP_WINDOW   32767              /* TCP_MAXSEG's ceiling, Linux MAX_TCP_WINDOW */
#define MAX_TCP_KEEPIDLE 32767              /* seconds */
#define MAX_TCP_KEEPINTVL 32767
#define MAX_TCP_KEEPCNT  127

/* A child takes its listener's settings (Linux copies the whole tcp_sock). */
void tcp_sockopt_inherit(struct tcp_sock *child, const struct tcp_sock *lp)
{
    child->nonagle = lp->nonagle & (TCP_NAGLE_OFF | TCP_NAGLE_CORK);
    child->user_mss = lp->user_mss;
    child->keepalive_time_ms = lp->keepalive_time_ms;
    child->keepalive_intvl_ms = lp->keepalive_intvl_ms;
    child->keepalive_probes = lp->keepalive_probes;
    /* tcp_ca_openreq_child: the listener's algorithm if it was chosen by TCP_CONGESTION,
     * else the sysctl's of now (which init already gave the child) */
    child->ca_setsockopt = lp->ca_setsockopt;
    if (lp->ca_setsockopt && lp->ca_ops != child->ca_ops) tcp_cong_set(child, lp->ca_ops);
}

/* __tcp_sock_set_nodelay */
static void tcp_set_nodelay(struct tcp_sock *tp, bool on)
{
    if (!on) { tp->nonagle &= (uint8_t)~TCP_NAGLE_OFF; return; }
    tp->nonagle |= TCP_NAGLE_OFF | TCP_NAGLE_PUSH;
    tcp_write_xmit(tp);
}

/* __tcp_sock_set_cork */
static void tcp_set_cork(struct tcp_sock *tp, bool on)
{
    if (on) { tp->nonagle |= TCP_NAGLE_CORK; return; }
    tp->nonagle &= (uint8_t)~TCP_NAGLE_CORK;
    if (tp->nonagle & TCP_NAGLE_OFF) tp->nonagle |= TCP_NAGLE_PUSH;
    tcp_write_xmit(tp);
}

/* tcp_sock_set_keepidle_locked: a running keepalive timer is moved to the new time,
 * counted from when the peer was last heard from. */
static void tcp_set_keepidle(struct tcp_sock *tp, int secs)
{
    struct sock *sk = &tp->sk;
    tp->keepalive_time_ms = secs * 1000;
    if (!sk->keepalive || sk->state == SK_CLOSE || sk->state == SK_LISTEN || sk->state == SK_SYN_SENT) return;
    uint64_t idle = sk->net->st->now_us - tp->rcv_tstamp, when = (uint64_t)tp->keepalive_time_ms * US_PER_MS;
    timer_arm_in(sk->net->st, &tp->keepalive_timer, when > idle ? when - idle : 0);
}

/* TCP_CONGESTION (tcp_set_congestion_control): a name of up to 15 bytes. */
static int tcp_set_congestion(struct tcp_sock *tp, const void *val, size_t len)
{
    char name[TS_TCP_CA_NAME_MAX] = "";
    if (!val || len < 1) return -EINVAL;
    memcpy(name, val, MIN(len, sizeof(name) - 1));
    const struct tcp_cong_ops *ops = tcp_cong_find(name);
    if (!ops) return -ENOENT;
    tp->ca_setsockopt = true;
    if (ops != tp->ca_ops) tcp_cong_set(tp, ops);
    return 0;
}

/* The int options of do_tcp_setsockopt. */
static int tcp_set_int(struct tcp_sock *tp, int opt, int val)
{
    switch (opt) {
    case TCP_NODELAY: tcp_set_nodelay(tp, val != 0); return 0;
    case TCP_CORK: tcp_set_cork(tp, val != 0); return 0;
    case TCP_MAXSEG:
        if (val && (val < TCP_MIN_MSS || val > MAX_TCP_WINDOW)) return -EINVAL;
        tp->user_mss = (uint16_t)val;
        return 0;
    case TCP_KEEPIDLE:
        if (val < 1 || val > MAX_TCP_KEEPIDLE) return -EINVAL;
        tcp_set_keepidle(tp, val);
        return 0;
    case TCP_KEEPINTVL:
        if (val < 1 || val > MAX_TCP_KEEPINTVL) return -EINVAL;
        tp->keepalive_intvl_ms = val * 1000;
        return 0;
    case TCP_KEEPCNT:
        if (val < 1 || val > MAX_TCP_KEEPCNT) return -EINVAL;
        tp->keepalive_probes = val;
        return 0;
    default:
        return -ENOPROTOOPT;
    }
}

int tcp_setsockopt(struct sock *sk, int level, int opt, const void *val, size_t len)
{
    if (level != SOL_TCP) return ip_dgram_setsockopt(sk, level, opt, val, len);
    if (opt == TCP_CONGESTION) return tcp_set_congestion(tcp_sk(sk), val, len);
    if (!val || len < sizeof(int)) return -EINVAL;
    int v;
    memcpy(&v, val, sizeof(v));
    return tcp_set_int(tcp_sk(sk), opt, v);
}

/* tcp_get_info: what the stack keeps, in Linux's units (times in µs, last_ack_recv in
 * ms, windows in bytes). */
void tcp_fill_info(const struct tcp_sock *tp, struct ts_tcp_info *ti)
{
    const struct sock *sk = &tp->sk;
    memset(ti, 0, sizeof(*ti));
    ti->tcpi_state = sk->state;
    ti->tcpi_snd_cwnd = tp->snd_cwnd;             /* reported for every state, listeners too */
    ti->tcpi_reordering = TCP_DUPTHRESH;
    if (sk->state == SK_LISTEN) {                 /* Linux's aliases for a listener */
        ti->tcpi_unacked = tp->acc_qlen;          /* ready for accept() */
        ti->tcpi_sacked = tp->max_ack_backlog;
        return;
    }
    ti->tcpi_ca_state = tp->ca_state;
    ti->tcpi_retransmits = tp->retransmits;
    ti->tcpi_probes = tp->probes_out;
    ti->tcpi_backoff = tp->backoff;
    ti->tcpi_options = (tp->tstamp_ok ? TS_TCPI_OPT_TIMESTAMPS : 0) | (tp->sack_ok ? TS_TCPI_OPT_SACK : 0);
    if (tp->wscale_ok) {
        ti->tcpi_options |= TS_TCPI_OPT_WSCALE;
        ti->tcpi_snd_wscale = tp->snd_wscale & 0xf;
        ti->tcpi_rcv_wscale = tp->rcv_wscale & 0xf;
    }
    ti->tcpi_rto = tp->rto_us;
    /* icsk_ack.ato: set to TCP_ATO_MIN when the first data arrives (tcp_event_data_recv);
     * the stack's delayed-ACK timeout stays there (Linux's adapts to the arrival gaps) */
    ti->tcpi_ato = tp->bytes_received ? TCP_DELACK_MIN : 0;
    ti->tcpi_snd_mss = tp->mss_cache;
    ti->tcpi_rcv_mss = tp->rcv_mss;
    /* packets_out and the scoreboard's counts, fresh: the stack counts them from the
     * marks when it needs them (tcp_sack.c), so the cached ones may be old; refreshing
     * them changes no state */
    ti->tcpi_unacked = tcp_scoreboard_count((struct tcp_sock *)tp);
    ti->tcpi_sacked = tp->sacked_out;
    ti->tcpi_lost = tp->lost_out;
    ti->tcpi_retrans = tp->retrans_out;
    uint64_t now = sk->net->st->now_us;
    ti->tcpi_last_data_sent = (uint32_t)((now - tp->lsndtime_us) / US_PER_MS);
    ti->tcpi_last_data_recv = (uint32_t)((now - tp->lrcvtime_us) / US_PER_MS);
    ti->tcpi_last_ack_recv = (uint32_t)((now - tp->rcv_tstamp) / US_PER_MS);
    ti->tcpi_pmtu = tp->pmtu_cookie ? tp->pmtu_cookie : (uint32_t)tp->advmss + IP4_HLEN + TCP_HLEN;
    ti->tcpi_rcv_ssthresh = tp->rcv_ssthresh;
    ti->tcpi_rtt = tp->srtt_us;
    ti->tcpi_rttvar = tp->rttvar_us;
    ti->tcpi_snd_ssthresh = tp->snd_ssthresh;
    ti->tcpi_advmss = tp->advmss;
    ti->tcpi_total_retrans = (uint32_t)tp->total_retrans;
    ti->tcpi_bytes_acked = tp->bytes_acked;
    ti->tcpi_bytes_received = tp->bytes_received;
    ti->tcpi_segs_out = (uint32_t)tp->segs_out;
    ti->tcpi_segs_in = (uint32_t)tp->segs_in;
    ti->tcpi_data_segs_out = tp->data_segs_out;
    ti->tcpi_data_segs_in = tp->data_segs_in;
    ti->tcpi_bytes_sent = tp->bytes_sent;
    ti->tcpi_bytes_retrans = tp->bytes_retrans;
    ti->tcpi_rcv_ooopack = tp->rcv_ooopack;
    ti->tcpi_rcv_rtt = tp->rcv_rtt_est.rtt_us >> 3;   /* the receiver's estimate (tcp_rcvbuf.c) */
    ti->tcpi_rcv_space = tp->rcvq_space.space;
    ti->tcpi_notsent_bytes = tp->write_seq - tp->snd_nxt;
    ti->tcpi_snd_wnd = tp->snd_wnd;
    ti->tcpi_rcv_wnd = tp->rcv_wnd;
    ti->tcpi_min_rtt = tp->rack.min_rtt_us ? tp->rack.min_rtt_us : UINT32_MAX;   /* tcp_min_rtt (tcp_rack.c) */
    ti->tcpi_reord_seen = tp->rack.reord_seen;
    ti->tcpi_delivered = tp->delivered;
    ti->tcpi_dsack_dups = tp->dsack_dups;
}

/* Copy min(*len, n) bytes of src out, as do_tcp_getsockopt's put_user/copy_to_user. */
static int tcp_put(void *val, size_t *len, const void *src, size_t n)
{
    if (!val || !len) return -EINVAL;
    *len = MIN(*len, n);
    memcpy(val, src, *len);
    return 0;
}

int tcp_getsockopt(struct sock *sk, int level, int opt, void *val, size_t *len)
{
    if (level != SOL_TCP) return ip_dgram_getsockopt(sk, level, opt, val, len);
    struct tcp_sock *tp = tcp_sk(sk);
    int v;
    switch (opt) {
    case TCP_NODELAY: v = !!(tp->nonagle & TCP_NAGLE_OFF); break;
    case TCP_CORK: v = !!(tp->nonagle & TCP_NAGLE_CORK); break;
    case TCP_MAXSEG:
        v = tp->user_mss && (sk->state == SK_CLOSE || sk->state == SK_LISTEN) ? tp->user_mss : tp->mss_cache;
        break;
    case TCP_KEEPIDLE: v = tcp_keepalive_time_ms(tp) / 1000; break;
    case TCP_KEEPINTVL: v = tcp_keepalive_intvl_ms(tp) / 1000; break;
    case TCP_KEEPCNT: v = tcp_keepalive_probes(tp); break;
    case TCP_INFO: {
        struct ts_tcp_info ti;
        tcp_fill_info(tp, &ti);
        return tcp_put(val, len, &ti, sizeof(ti));
    }
    case TCP_CONGESTION: {
        char name[TS_TCP_CA_NAME_MAX] = "";
        snprintf(name, sizeof(name), "%s", tp->ca_ops->name);
        return tcp_put(val, len, name, sizeof(name));
    }
    default:
        return -ENOPROTOOPT;
    }
    return tcp_put(val, len, &v, sizeof(v));
}

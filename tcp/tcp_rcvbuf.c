/*
 * tcp/tcp_rcvbuf.c — receive-buffer autotuning (Linux net/ipv4/tcp_input.c "Buffer size
 * and advertised window tuning", tcp_rcv_space_adjust; tcp_output.c
 * tcp_select_initial_window).
 *
 * A socket starts with tcp_rmem[1] bytes of receive buffer and tcp_wmem[1] of send
 * buffer, unless SO_RCVBUF / SO_SNDBUF fixed them (the socket's userlocks). Half of the
 * receive buffer can be offered as window; the other half pays for the packets' own
 * overhead (tcp_win_from_space). What moves, and why:
 *
 *   rcv_wscale    chosen once, at the SYN, from the largest buffer autotuning may reach
 *                 (tcp_rmem[2]): the scale cannot change later (RFC 7323 §2.2)
 *   rcv_wnd       at the SYN at most 64 KiB, a whole number of segments; then what
 *                 tcp_select_window offers (tcp_output.c)
 *   rcvbuf        once per receiver RTT, twice what the application read in that RTT
 *                 plus room for the sender's growth (tcp_rcv_space_adjust), up to
 *                 tcp_rmem[2], while tcp_moderate_rcvbuf is on and SO_RCVBUF was not set
 *   window_clamp  the largest window offered: half of rcvbuf, it follows rcvbuf
 *   rcv_ssthresh  the window offered now: grows by two segments for each arriving one
 *                 whose overhead the buffer can carry (tcp_grow_window), up to the clamp
 *
 * The receiver needs its own RTT for "once per RTT" (tcp_rcv_rtt_*): from the
 * timestamps the peer echoes, or as the time one window of data takes to arrive.
 *
 * LINUX_DIFF: Linux since 6.7 measures each connection's payload-to-truesize ratio
 * (tp->scaling_ratio) and offers more window when its packets are dense; here the ratio
 * stays at Linux's default, one half. tcp_rmem[0] (the floor under memory pressure)
 * is kept but unused: there is no global TCP memory pressure.
 */
#include "tcp_priv.h"
#include "net/stack.h"
#include "net/sysctl.h"
#include <limits.h>

/* Linux's defaults: net.ipv4.tcp_rmem and tcp_wmem (min, default, max). */
static const int tcp_rmem_default[3] = { 4096, 131072, 6291456 };
static const int tcp_wmem_default[3] = { 4096, 16384, 4194304 };

void tcp_rcvbuf_net_init(struct net *net, struct tcp_net *tn)
{
    memcpy(tn->rmem, tcp_rmem_default, sizeof(tn->rmem));
    memcpy(tn->wmem, tcp_wmem_default, sizeof(tn->wmem));
    tn->moderate_rcvbuf = 1;
    /* proc_dointvec_minmax with extra1 = SYSCTL_ONE: every value at least 1 */
    sysctl_register_vec(net, "net.ipv4.tcp_rmem", tn->rmem, 3, 1, INT_MAX, NULL, tn);
    sysctl_register_vec(net, "net.ipv4.tcp_wmem", tn->wmem, 3, 1, INT_MAX, NULL, tn);
    sysctl_register(net, "net.ipv4.tcp_moderate_rcvbuf", &tn->moderate_rcvbuf, SC_INT, 0, 1, NULL, tn);
}

static int ilog2_u32(uint32_t v) { return v ? 31 - __builtin_clz(v) : -1; }

/* tcp_select_initial_window: the window of our SYN or SYN-ACK (whole segments of mss, at
 * most 65535 before scaling is agreed), the scale from the most the buffer may grow to
 * (tcp_rmem[2], or net.core.rmem_max if larger), and the clamp that scale can express.
 * *clamp: in, a limit already set (0: none); out, the window_clamp. A buffer fixed by
 * SO_RCVBUF also limits the clamp (tcp_connect_init, tcp_openreq_init_rwin). */
uint32_t tcp_initial_window(const struct sock *sk, uint32_t mss, bool wscale_ok, uint32_t *clamp, uint8_t *wscale)
{
    const struct tcp_net *tn = tcp_net_sysctls(sk->net);
    uint32_t space = tcp_full_space(sk);
    uint32_t wclamp = *clamp ? *clamp : 65535u << TCP_MAX_WSCALE;
    if ((sk->userlocks & SOCK_RCVBUF_LOCK) && wclamp > space) wclamp = space;
    space = MIN(space, wclamp);
    if (mss && space > mss) space -= space % mss;
    *wscale = 0;
    if (wscale_ok) {
        uint32_t most = MAX(space, (uint32_t)MAX(tn->rmem[2], sk->net->st->rmem_max));
        int s = ilog2_u32(MIN(most, wclamp)) - 15;
        *wscale = (uint8_t)(s < 0 ? 0 : MIN(s, TCP_MAX_WSCALE));
    }
    *clamp = MIN(65535u << *wscale, wclamp);
    return MIN(space, 65535u);
}

void tcp_select_initial_window(struct tcp_sock *tp, uint32_t mss)
{
    tp->rcv_wnd = tcp_initial_window(&tp->sk, mss, tp->wscale_ok, &tp->window_clamp, &tp->rcv_wscale);
    tp->rcv_ssthresh = tp->rcv_wnd;
}

/* tcp_init_buffer_space, as the connection is established: the send buffer sized for
 * the first flight, the clamp no more than the buffer's window less one segment (held
 * back for the application, tcp_app_win's "force reservation of one segment"), and
 * the first autotuning measure starts now with at most ten segments as its base. */
void tcp_init_buffer_space(struct tcp_sock *tp)
{
    struct sock *sk = &tp->sk;
    uint32_t maxwin = tcp_full_space(sk), advmss = tp->advmss;
    if (!(sk->userlocks & SOCK_SNDBUF_LOCK)) tcp_sndbuf_expand(tp);
    tp->rcvq_space.time = sk->net->st->now_us;
    tp->rcvq_space.seq = tp->copied_seq;
    if (tp->window_clamp >= maxwin) tp->window_clamp = maxwin;    /* tcp_app_win 31 keeps maxwin >> 31 */
    if (tp->window_clamp > 2 * advmss && tp->window_clamp + advmss > maxwin)
        tp->window_clamp = MAX(2 * advmss, maxwin - advmss);
    tp->rcv_ssthresh = MIN(tp->rcv_ssthresh, tp->window_clamp);
    tp->rcvq_space.space = MIN(MIN(tp->rcv_ssthresh, tp->rcv_wnd), (uint32_t)TCP_INIT_CWND * advmss);
}

/* tcp_rcv_rtt_update: the estimate is kept << 3. A sample from timestamps is smoothed
 * (7/8 old); one per window (win_dep) only ever lowers it: a window that took long
 * because the sender had nothing to send says little about the path. */
static void tcp_rcv_rtt_update(struct tcp_sock *tp, uint32_t sample_us, bool win_dep)
{
    uint32_t old = tp->rcv_rtt_est.rtt_us;
    uint64_t m = (uint64_t)sample_us << 3;
    if (!old || m < old) { tp->rcv_rtt_est.rtt_us = (uint32_t)MIN(m, (uint64_t)UINT32_MAX); return; }
    if (win_dep) return;
    tp->rcv_rtt_est.rtt_us = old - (old >> 3) + sample_us;
}

/* tcp_rcv_rtt_measure: without timestamps, the time from one window's start until
 * rcv_nxt reaches its right edge is at least one RTT. */
void tcp_rcv_rtt_measure(struct tcp_sock *tp)
{
    uint64_t now = tp->sk.net->st->now_us;
    if (tp->rcv_rtt_est.time) {
        if (seq_before(tp->rcv_nxt, tp->rcv_rtt_est.seq)) return;
        uint64_t d = now - tp->rcv_rtt_est.time;
        tcp_rcv_rtt_update(tp, d ? (uint32_t)MIN(d, (uint64_t)UINT32_MAX >> 3) : 1, true);
    }
    tp->rcv_rtt_est.seq = tp->rcv_nxt + tp->rcv_wnd;
    tp->rcv_rtt_est.time = now;
}

/* tcp_rcv_rtt_measure_ts: a full segment echoing a TSval not seen before: now minus
 * that TSval (ms; 0 ms says nothing at this resolution). */
void tcp_rcv_rtt_measure_ts(struct tcp_sock *tp, const struct tcp_seg *seg)
{
    if (!tp->tstamp_ok || !seg->opt.ts_ok || seg->opt.ts_ecr == tp->rcv_rtt_est.last_tsecr) return;
    tp->rcv_rtt_est.last_tsecr = seg->opt.ts_ecr;
    if (seg->end_seq - seg->seq < tp->rcv_mss) return;
    uint32_t delta_ms = (uint32_t)(tp->sk.net->st->now_us / US_PER_MS) - seg->opt.ts_ecr;
    if (delta_ms && delta_ms < INT_MAX / 1000) tcp_rcv_rtt_update(tp, delta_ms * 1000, false);
}

/* __tcp_grow_window: a packet whose overhead is more than its payload may still grow
 * the window while rcv_ssthresh is small: at each halving of the largest window
 * (tcp_rmem[2]'s) the overhead allowed halves too. */
static uint32_t tcp_grow_window_small(const struct tcp_sock *tp, uint32_t skb_truesize, uint32_t len)
{
    uint32_t truesize = tcp_win_from_space(skb_truesize) >> 1;
    uint32_t window = tcp_win_from_space(tcp_net_sysctls(tp->sk.net)->rmem[2]) >> 1;
    for (; tp->rcv_ssthresh <= window; truesize >>= 1, window >>= 1)
        if (truesize <= len) return 2 * tp->rcv_mss;
    return 0;
}

/* tcp_grow_window: data of len bytes held in truesize bytes arrived (in order, or out
 * of order on a SACK connection: tcp_data_queue_ofo). While there is room under the
 * clamp and the free space, rcv_ssthresh grows by two segments (or twice the packet,
 * for a large one) and the next ACK goes at once, so the sender hears of it. */
void tcp_grow_window(struct tcp_sock *tp, uint32_t truesize, uint32_t len)
{
    long room = (long)MIN(tp->window_clamp, tcp_space(&tp->sk)) - (long)tp->rcv_ssthresh;
    if (room <= 0) return;
    uint32_t incr = tcp_win_from_space(truesize) <= len ? 2u * tp->advmss : tcp_grow_window_small(tp, truesize, len);
    if (!incr) return;
    incr = MAX(incr, 2 * len);
    tp->rcv_ssthresh += (uint32_t)MIN((long)incr, room);
    tp->quick |= 1;
}

/* tcp_clamp_window: what is queued reached rcvbuf. The buffer grows to hold it (up to
 * tcp_rmem[2], unless SO_RCVBUF fixed it); if it still does not, the window falls
 * back to two segments and quick ACKs stop. */
void tcp_clamp_window(struct tcp_sock *tp)
{
    struct sock *sk = &tp->sk;
    int rmem2 = tcp_net_sysctls(sk->net)->rmem[2];
    tp->quick = 0;
    if (sk->rcvbuf < rmem2 && !(sk->userlocks & SOCK_RCVBUF_LOCK))
        sk->rcvbuf = (int)MIN(sk->rmem, (unsigned)rmem2);
    if (sk->rmem > (unsigned)sk->rcvbuf) tp->rcv_ssthresh = MIN(tp->window_clamp, 2u * tp->advmss);
}

/* The buffer for a sender that delivered `copied` in the last RTT where `space` came
 * before (tcp_rcv_space_adjust, Linux 4.19 to 6.15): twice copied (a loss costs one
 * RTT of data) plus 16 segments of slack, grown by the sender's own growth rate twice
 * over (slow start doubles each RTT, and this window is for the RTT after next). */
static void tcp_rcvbuf_grow(struct tcp_sock *tp, uint32_t copied, uint32_t space)
{
    struct sock *sk = &tp->sk;
    uint64_t rcvwin = ((uint64_t)copied << 1) + 16u * tp->advmss;
    if (space) rcvwin += 2 * (rcvwin * (copied - space) / space);
    uint64_t rcvbuf = MIN(2 * rcvwin, (uint64_t)tcp_net_sysctls(sk->net)->rmem[2]);   /* tcp_space_from_win */
    if (rcvbuf <= (uint64_t)sk->rcvbuf) return;
    sk->rcvbuf = (int)rcvbuf;
    /* the clamp follows; no more than the agreed scale can express */
    tp->window_clamp = MIN(tcp_win_from_space((long)rcvbuf), 65535u << tp->rcv_wscale);
}

/* tcp_rcv_space_adjust, after each read: once per receiver RTT, compare what the
 * application read in it with the last RTT's, and grow the buffer when it read more. */
void tcp_rcv_space_adjust(struct tcp_sock *tp)
{
    struct sock *sk = &tp->sk;
    uint64_t now = sk->net->st->now_us;
    if (!tp->rcv_rtt_est.rtt_us || now - tp->rcvq_space.time < (tp->rcv_rtt_est.rtt_us >> 3)) return;
    uint32_t copied = tp->copied_seq - tp->rcvq_space.seq;
    if (copied > tp->rcvq_space.space) {
        if (tcp_net_sysctls(sk->net)->moderate_rcvbuf && !(sk->userlocks & SOCK_RCVBUF_LOCK))
            tcp_rcvbuf_grow(tp, copied, tp->rcvq_space.space);
        tp->rcvq_space.space = copied;
    }
    tp->rcvq_space.seq = tp->copied_seq;
    tp->rcvq_space.time = now;
}

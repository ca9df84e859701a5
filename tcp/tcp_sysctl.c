/*
 * tcp/tcp_sysctl.c — the namespace's TCP settings that are plain numbers: their
 * Linux names, defaults and the ranges Linux accepts (net/ipv4/sysctl_net_ipv4.c,
 * net/core/sysctl_net_core.c), and the per-socket rate limit of the ACKs TCP sends
 * to segments it refuses.
 *
 *   tcp_syn_retries 6 (1..127)      SYNs sent again before connect() fails (ETIMEDOUT)
 *   tcp_synack_retries 5            SYN-ACKs sent again before a half-open child goes
 *   tcp_retries2 15                 retransmissions before an established connection
 *                                   is given up (ETIMEDOUT); also the probe limit
 *   tcp_fin_timeout 60 s            an orphan's wait in FIN_WAIT2
 *   tcp_max_syn_backlog 1024        half-open connections a listener holds (Linux
 *                                   scales it with its hash size: 2048 on a large host)
 *   net.core.somaxconn 4096         the largest accept backlog listen() may ask for
 *   tcp_challenge_ack_limit         RFC 5961 challenge ACKs per second in the
 *                                   namespace; Linux's default (since 6.0) is INT_MAX,
 *                                   which means no namespace-wide limit
 *   tcp_invalid_ratelimit 500 ms    the least time between two ACKs a socket sends to
 *                                   refused segments without data (out of window,
 *                                   PAWS, challenges): Linux __tcp_oow_rate_limited,
 *                                   which keeps two stacks from an endless ACK loop
 *   tcp_dsack 1                     report duplicate segments with D-SACK (RFC 2883)
 *                                   when SACK was negotiated (tcp_dsack.c)
 *   tcp_frto 2                      F-RTO after an RTO (RFC 5682; 1 and 2 are the
 *                                   same in Linux today: the SACK-enhanced form)
 */
#include "tcp_priv.h"
#include "net/stack.h"
#include "net/sysctl.h"
#include "net/trace.h"
#include <limits.h>

void tcp_sysctl_net_init(struct net *net, struct tcp_net *tn)
{
    tn->syn_retries = 6;
    tn->synack_retries = 5;
    tn->retries2 = 15;
    tn->fin_timeout_ms = 60 * 1000;
    tn->max_syn_backlog = 1024;
    tn->somaxconn = 4096;
    tn->challenge_ack_limit = INT_MAX;
    tn->invalid_ratelimit_ms = 500;
    tn->dsack = 1;
    tn->frto = 2;
    sysctl_register(net, "net.ipv4.tcp_syn_retries", &tn->syn_retries, SC_INT, 1, 127, NULL, tn);
    /* Linux takes any int for these two; a retry count here is at most 255 */
    sysctl_register(net, "net.ipv4.tcp_synack_retries", &tn->synack_retries, SC_INT, 0, 255, NULL, tn);
    sysctl_register(net, "net.ipv4.tcp_retries2", &tn->retries2, SC_INT, 0, 255, NULL, tn);
    sysctl_register(net, "net.ipv4.tcp_fin_timeout", &tn->fin_timeout_ms, SC_MS_AS_S, 1000, 86400 * 1000, NULL, tn);
    /* bounded: every half-open child is a whole socket */
    sysctl_register(net, "net.ipv4.tcp_max_syn_backlog", &tn->max_syn_backlog, SC_INT, 1, 65536, NULL, tn);
    sysctl_register(net, "net.core.somaxconn", &tn->somaxconn, SC_INT, 0, 65535, NULL, tn);
    sysctl_register(net, "net.ipv4.tcp_challenge_ack_limit", &tn->challenge_ack_limit, SC_INT, 0, INT_MAX, NULL, tn);
    sysctl_register(net, "net.ipv4.tcp_invalid_ratelimit", &tn->invalid_ratelimit_ms, SC_MS, 0, INT_MAX, NULL, tn);
    sysctl_register(net, "net.ipv4.tcp_dsack", &tn->dsack, SC_INT, 0, 255, NULL, tn);   /* a u8 in Linux */
    sysctl_register(net, "net.ipv4.tcp_frto", &tn->frto, SC_INT, 0, 2, NULL, tn);
}

/* __tcp_oow_rate_limited: true (and counted under mib) when this socket sent such an
 * ACK less than tcp_invalid_ratelimit ago; else the time is taken and it may go. */
static bool tcp_oow_limited(struct tcp_sock *tp, enum mib_id mib)
{
    struct net *net = tp->sk.net;
    uint64_t now = net->st->now_us;
    if (tp->oow_ack_sent && now - tp->last_oow_ack_us < (uint64_t)tcp_net_sysctls(net)->invalid_ratelimit_ms * US_PER_MS) {
        mib_inc(net, mib);
        return true;
    }
    tp->oow_ack_sent = true;
    tp->last_oow_ack_us = now;
    return false;
}

/* tcp_oow_rate_limited: a refused segment with data or a FIN is answered every time
 * (not part of an ACK loop); a bare ACK, or a SYN, under the per-socket limit. */
bool tcp_oow_rate_limited(struct tcp_sock *tp, const struct tcp_seg *seg, enum mib_id mib)
{
    if (seg->seq != seg->end_seq && !(seg->flags & TCP_FLAG_SYN)) return false;
    return tcp_oow_limited(tp, mib);
}

/* tcp_send_challenge_ack (RFC 5961 §3.2, §4.2, §5.2): an ACK for the peer to
 * resynchronize, under the per-socket limit and then, unless tcp_challenge_ack_limit
 * is INT_MAX, a namespace-wide budget per second drawn at random in [limit/2,
 * limit*3/2) so an off-path attacker cannot count it (Linux since 4.7, CVE-2016-5696). */
void tcp_send_challenge_ack(struct tcp_sock *tp)
{
    struct net *net = tp->sk.net;
    struct tcp_net *tn = tcp_net(net);
    if (tcp_oow_limited(tp, MIB_TcpExtTCPACKSkippedChallenge)) return;
    if (tn->challenge_ack_limit != INT_MAX) {
        uint64_t now_s = net->st->now_us / US_PER_S;
        if (tn->challenge_window_s != now_s || !tn->challenge_budget_set) {
            uint32_t half = ((uint32_t)tn->challenge_ack_limit + 1) / 2;
            tn->challenge_window_s = now_s;
            tn->challenge_budget_set = true;
            tn->challenge_count = stack_rand_range(net->st, half, (uint32_t)tn->challenge_ack_limit + half - 1);
        }
        if (!tn->challenge_count) return;
        tn->challenge_count--;
    }
    mib_inc(net, MIB_TcpExtTCPChallengeACK);
    TRACE_CAUSE(net, "tcp", "tcp_send_challenge_ack", NULL, NULL);
    tcp_send_ack(tp);
}

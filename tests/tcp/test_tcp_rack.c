/*
 * tests/tcp/test_tcp_rack.c — RACK-TLP (tcp/tcp_rack.c, RFC 8985): the reordering
 * window, RACK's marking against hand-computed times, a reordering RACK does not take
 * for a loss, its reordering timer, a loss found after one duplicate ACK, and tail
 * losses repaired by a loss probe. Scripts in the form of test_tcp_script.c (whose
 * runner this file includes), plus lines of their own:
 *   sysctl NAME VALUE   set a sysctl of the namespace
 *   cwnd N              the connection's cwnd must be N (segments)
 *   reord_seen N        RACK has seen reordering N times (TCP_INFO's tcpi_reord_seen)
 *   reo_steps N         RACK's reo_wnd multiplier is N (rack.reo_wnd_steps)
 *   info delivered N dsack_dups M   TCP_INFO's tcpi_delivered and tcpi_dsack_dups
 *   xmit_timer rto|tlp|reo [lazy]   what the retransmission timer is armed for; lazy:
 *                       due before its true deadline (moved without a re-arm)
 *
 * The handshake's RTT is 10 ms: SRTT 10 ms, min_rtt 10 ms, RTO 210 ms, reo_wnd
 * min_rtt / 4 = 2.5 ms. Our segment k starts at 1 + 1448 (k - 1).
 */
#define TCP_SCRIPT_EXT_LINE rack_line
/* this file's own copy of the runner: its exported names renamed (see test_tcp_extra.c) */
#define tcp_script_suite tcp_script_rack_copy_suite
#define run_script rack_run_script
#define tcp_script_setup rack_setup
#define tcp_script_teardown rack_teardown
#define tcp_script_fx rack_script_fx
#include "test_tcp_script.c"
#undef tcp_script_suite
#include "tcp/tcp_priv.h"
#include "net/sysctl.h"

#define MSS 1448
#define SEG(k) (1 + MSS * ((k) - 1))

static bool rack_line(struct scr *s, const char *l, const char *w)
{
    char name[96] = "";
    int v = 0;
    if (sscanf(w, "sysctl %95s %d", name, &v) == 2) {
        struct sysctl_entry *e = sysctl_find(f->net, name);
        char val[16];
        snprintf(val, sizeof(val), "%d", v);
        if (!e || sysctl_write(f->net, e, val)) die(s, "sysctl", l);
        return true;
    }
    if (sscanf(w, "cwnd %d", &v) == 1) {
        if (!s->sk || tcp_sk(s->sk)->snd_cwnd != (uint32_t)v) die(s, "other cwnd", l);
        return true;
    }
    char what[8] = "", lazy[8] = "";
    if (sscanf(w, "xmit_timer %7s %7s", what, lazy) >= 1) {
        static const char *const kinds[] = { [TCP_TIME_RETRANS] = "rto", [TCP_TIME_LOSS_PROBE] = "tlp",
                                             [TCP_TIME_REO_TIMEOUT] = "reo" };
        struct tcp_sock *tp = s->sk ? tcp_sk(s->sk) : NULL;
        if (!tp || !timer_pending(&tp->rto_timer) || tp->xmit_timer >= ARRAY_SIZE(kinds) ||
            !kinds[tp->xmit_timer] || strcmp(kinds[tp->xmit_timer], what)) die(s, "other xmit_timer", l);
        if (!strcmp(lazy, "lazy") && !(tp->rto_timer.expires_us < tp->xmit_deadline)) die(s, "not lazy", l);
        return true;
    }
    if (sscanf(w, "reo_steps %d", &v) == 1) {
        if (!s->sk || tcp_sk(s->sk)->rack.reo_wnd_steps != (uint32_t)v) die(s, "other reo_wnd_steps", l);
        return true;
    }
    int dups = 0;
    if (sscanf(w, "info delivered %d dsack_dups %d", &v, &dups) == 2) {
        struct ts_tcp_info ti;
        size_t len = sizeof(ti);
        if (!s->sk || sock_getsockopt_level(s->sk, SOL_TCP, TCP_INFO, &ti, &len) ||
            ti.tcpi_delivered != (uint32_t)v || ti.tcpi_dsack_dups != (uint32_t)dups) die(s, "other tcp_info", l);
        return true;
    }
    if (sscanf(w, "reord_seen %d", &v) == 1) {
        struct ts_tcp_info ti;
        size_t len = sizeof(ti);
        if (!s->sk || sock_getsockopt_level(s->sk, SOL_TCP, TCP_INFO, &ti, &len) || ti.tcpi_reord_seen != (uint32_t)v)
            die(s, "reord_seen differs", l);
        return true;
    }
    return false;
}

/* ---- by hand, on a socket with no peer ---- */

/* A socket with SACK, MSS 1000, SRTT 10 ms; the fixture's clock at t0. */
static struct tcp_sock *rack_sock(void)
{
    int err = 0;
    struct sock *sk = sock_create(f->net, SOCK_STREAM, IPPROTO_TCP, &err);
    ck_assert_ptr_nonnull(sk);
    struct tcp_sock *tp = tcp_sk(sk);
    tp->mss_cache = 1000;
    tp->sack_ok = true;
    tp->srtt_us = 10000;
    tp->rto_us = 210000;
    return tp;
}

/* A packet of 1000 bytes at seq, sent at `when`, on tp's retransmit queue. */
static struct pkt *rack_queue(struct tcp_sock *tp, uint32_t seq, uint64_t when)
{
    struct pkt *p = net_pkt_alloc(f->net, 1000);
    ck_assert_ptr_nonnull(p);
    memset(pkt_put(p, 1000), 'x', 1000);
    memset(TCP_SKB_CB(p), 0, sizeof(struct tcp_skb_cb));
    TCP_SKB_CB(p)->seq = seq;
    TCP_SKB_CB(p)->end_seq = seq + 1000;
    TCP_SKB_CB(p)->when_us = when;
    tcp_queue_tail(tp, p);
    tp->send_head = NULL;
    tp->snd_nxt = seq + 1000;
    return p;
}

/* reo_wnd (Linux tcp_rack_reo_wnd): min_rtt / 4 at most SRTT; 0 in recovery or with
 * DupThresh SACKed while no reordering was seen, unless tcp_recovery has the
 * NO_DUPTHRESH bit; before any RTT sample, SRTT. */
START_TEST(test_rack_reo_wnd)
{
    struct tcp_sock *tp = rack_sock();
    ck_assert_uint_eq(tcp_rack_reo_wnd(tp), 10000);          /* no min_rtt: SRTT */
    tp->rack.min_rtt_us = 8000;
    ck_assert_uint_eq(tcp_rack_reo_wnd(tp), 2000);
    tp->srtt_us = 1500;
    ck_assert_uint_eq(tcp_rack_reo_wnd(tp), 1500);           /* capped by SRTT */
    tp->srtt_us = 10000;
    tp->sacked_out = 2;
    ck_assert_uint_eq(tcp_rack_reo_wnd(tp), 2000);
    tp->sacked_out = 3;                                       /* DupThresh SACKed */
    ck_assert_uint_eq(tcp_rack_reo_wnd(tp), 0);
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.tcp_recovery", "5"), 0);   /* RACK | NO_DUPTHRESH */
    ck_assert_uint_eq(tcp_rack_reo_wnd(tp), 2000);
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.tcp_recovery", "1"), 0);
    tp->sacked_out = 0;
    tp->ca_state = TCP_CA_RECOVERY;
    ck_assert_uint_eq(tcp_rack_reo_wnd(tp), 0);
    tp->rack.reord_seen = 1;                                  /* reordering: always the window */
    ck_assert_uint_eq(tcp_rack_reo_wnd(tp), 2000);
    tp->ca_state = TCP_CA_OPEN;
    sock_close(&tp->sk);
}
END_TEST

/* One ACK that delivered a packet sent when tp->delivered was tx_delivered, after a
 * D-SACK (dsack: one arrived since the last ACK), as tcp_ack runs the update. */
static void reo_ack(struct tcp_sock *tp, uint32_t tx_delivered, bool dsack)
{
    if (dsack) tcp_rack_dsack_seen(tp, 5000, 1);
    tp->delivered += 10;
    tp->rack.ack_prior_delivered = tx_delivered;
    tcp_rack_update_reo_wnd(tp);
}

/* reo_wnd and D-SACKs (Linux tcp_rack_update_reo_wnd, RFC 8985 §6.2 step 4): min_rtt
 * 8 ms, one step 2 ms. A D-SACK adds a step once per round trip: a second one whose ACK
 * delivers only packets sent before the last growth does not count. At most SRTT. The
 * steps persist for 16 recoveries, then fall back to 1; a D-SACK undo adds one back.
 * Not without reordering seen, not for a loss probe's D-SACK, not with tcp_recovery's
 * STATIC_REO_WND bit. */
START_TEST(test_rack_reo_wnd_dsack)
{
    struct tcp_sock *tp = rack_sock();
    tp->rack.min_rtt_us = 8000;
    tp->delivered = 10;
    ck_assert_uint_eq(tp->rack.reo_wnd_steps, 1);
    reo_ack(tp, 5, true);                                     /* no reordering seen yet */
    ck_assert_uint_eq(tcp_rack_reo_wnd(tp), 2000);
    tp->rack.reord_seen = 1;
    reo_ack(tp, 5, false);                                    /* no D-SACK: nothing */
    ck_assert_uint_eq(tcp_rack_reo_wnd(tp), 2000);
    reo_ack(tp, 5, true);                                     /* delivered 40 now */
    ck_assert_uint_eq(tp->rack.reo_wnd_steps, 2);
    ck_assert_uint_eq(tp->rack.last_delivered, 40);
    ck_assert_uint_eq(tp->rack.reo_wnd_persist, TCP_RACK_RECOVERY_THRESH);
    ck_assert_uint_eq(tcp_rack_reo_wnd(tp), 4000);
    reo_ack(tp, 39, true);                                    /* sent before the growth: same RTT */
    ck_assert_uint_eq(tcp_rack_reo_wnd(tp), 4000);
    ck_assert(!tp->rack.dsack_seen);
    reo_ack(tp, 40, true);                                    /* a round trip later */
    ck_assert_uint_eq(tcp_rack_reo_wnd(tp), 6000);
    reo_ack(tp, tp->delivered, true);
    reo_ack(tp, tp->delivered, true);
    ck_assert_uint_eq(tp->rack.reo_wnd_steps, 5);
    ck_assert_uint_eq(tcp_rack_reo_wnd(tp), 10000);           /* 5 x 2 ms = SRTT */
    reo_ack(tp, tp->delivered, true);
    ck_assert_uint_eq(tp->rack.reo_wnd_steps, 6);
    ck_assert_uint_eq(tcp_rack_reo_wnd(tp), 10000);           /* capped by SRTT */
    tcp_rack_dsack_seen(tp, 5000, 0);
    reo_ack(tp, 0, false);                                    /* nothing delivered: waits */
    ck_assert(tp->rack.dsack_seen);
    tp->rack.dsack_seen = false;
    for (int i = 0; i < TCP_RACK_RECOVERY_THRESH - 1; i++) tcp_rack_recovery_end(tp, false);
    reo_ack(tp, tp->delivered, false);
    ck_assert_uint_eq(tp->rack.reo_wnd_steps, 6);             /* one recovery left */
    tcp_rack_recovery_end(tp, true);                          /* a D-SACK undo: one more */
    ck_assert_uint_eq(tp->rack.reo_wnd_persist, 2);
    tcp_rack_recovery_end(tp, false);
    tcp_rack_recovery_end(tp, false);
    tcp_rack_recovery_end(tp, false);                         /* stays at 0 */
    ck_assert_uint_eq(tp->rack.reo_wnd_persist, 0);
    reo_ack(tp, tp->delivered, false);
    ck_assert_uint_eq(tp->rack.reo_wnd_steps, 1);             /* back to one step */
    ck_assert_uint_eq(tcp_rack_reo_wnd(tp), 2000);
    tp->tlp_episode = true;                                   /* a probe's D-SACK (FLAG_DSACK_TLP) */
    tp->tlp_high_seq = 5000;
    reo_ack(tp, tp->delivered, true);
    ck_assert_uint_eq(tp->rack.reo_wnd_steps, 1);
    tp->tlp_episode = false;
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.tcp_recovery", "3"), 0);   /* RACK | STATIC_REO_WND */
    reo_ack(tp, tp->delivered, true);
    reo_ack(tp, tp->delivered, true);
    ck_assert_uint_eq(tp->rack.reo_wnd_steps, 1);
    ck_assert_uint_eq(tcp_rack_reo_wnd(tp), 2000);
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.tcp_recovery", "1"), 0);
    sock_close(&tp->sk);
}
END_TEST

/* Four packets sent 1 ms apart (t0, +1, +2, +3 ms). Packet 3 SACKed at t0 + 12 ms: the
 * RACK packet was sent at +2 ms, RTT 10 ms (also min_rtt, so reo_wnd 2.5 ms). Packet 1
 * has waited 12 ms of 10 + 2.5: 0.5 ms left; packet 2 11 ms: 1.5 ms left; none is lost
 * and the reordering timer is set for the longer wait plus 2 ms. Packet 4 SACKed at
 * +13 ms (RTT 10 ms): packet 1 has waited 13 ms > 12.5: lost; packet 2, 12 ms: not yet. */
START_TEST(test_rack_mark_by_time)
{
    struct tcp_sock *tp = rack_sock();
    uint64_t t0 = fx_now_us(f);
    uint32_t b = 0xfffff000u;                                 /* across the wrap */
    tp->snd_una = b;
    struct pkt *p1 = rack_queue(tp, b, t0), *p2 = rack_queue(tp, b + 1000, t0 + 1000);
    struct pkt *p3 = rack_queue(tp, b + 2000, t0 + 2000), *p4 = rack_queue(tp, b + 3000, t0 + 3000);
    fx_advance_ms(f, 12);
    struct tcp_seg seg = { .ack = b };
    seg.opt.num_sacks = 1;
    seg.opt.sacks[0] = (struct tcp_sack_block){ b + 2000, b + 3000 };
    tcp_sacktag(tp, &seg);
    ck_assert_uint_eq(tp->rack.rtt_us, 10000);
    ck_assert_uint_eq(tp->rack.min_rtt_us, 10000);
    ck_assert_uint_eq(tp->rack.mstamp, t0 + 2000);
    ck_assert(!tcp_rack_mark_lost(tp));
    ck_assert_uint_eq(tp->lost_out, 0);
    ck_assert_uint_eq(tp->xmit_timer, TCP_TIME_REO_TIMEOUT);
    ck_assert_uint_eq(tp->xmit_deadline, fx_now_us(f) + 1500 + 2000);
    fx_advance_ms(f, 1);
    seg.opt.sacks[0] = (struct tcp_sack_block){ b + 2000, b + 4000 };
    tcp_sacktag(tp, &seg);
    ck_assert(tcp_rack_mark_lost(tp));
    ck_assert_uint_eq(TCP_SKB_CB(p1)->sacked, TCPCB_LOST);
    ck_assert_uint_eq(TCP_SKB_CB(p2)->sacked, 0);
    ck_assert_uint_eq(TCP_SKB_CB(p3)->sacked, TCPCB_SACKED_ACKED);
    ck_assert_uint_eq(TCP_SKB_CB(p4)->sacked, TCPCB_SACKED_ACKED);
    ck_assert_uint_eq(tp->lost_out, 1);
    ck_assert_uint_eq(tp->xmit_deadline, fx_now_us(f) + 500 + 2000);
    ck_assert_uint_eq(tp->rack.reord_seen, 0);
    sock_close(&tp->sk);
}
END_TEST

/* A retransmission whose SACK comes sooner than min_rtt may answer the original
 * (RFC 8985 §6.2 step 2): RACK does not move. A retransmission lost again (sent
 * before the RACK packet by more than RTT + reo_wnd) is lost again: it leaves the
 * retransmitted count and is counted (TCPLostRetransmit). */
START_TEST(test_rack_retransmissions)
{
    struct tcp_sock *tp = rack_sock();
    uint64_t t0 = fx_now_us(f);
    tp->snd_una = 1000;
    tp->rack.min_rtt_us = 10000;
    tp->ca_state = TCP_CA_RECOVERY;                           /* reo_wnd 0 */
    struct pkt *p1 = rack_queue(tp, 1000, t0), *p2 = rack_queue(tp, 2000, t0 + 1000);
    TCP_SKB_CB(p1)->sacked = TCPCB_LOST | TCPCB_SACKED_RETRANS;
    TCP_SKB_CB(p1)->retrans = 1;
    TCP_SKB_CB(p2)->retrans = 1;
    fx_advance_ms(f, 5);                                      /* p2's "RTT" 4 ms < min_rtt */
    struct tcp_seg seg = { .ack = 1000 };
    seg.opt.num_sacks = 1;
    seg.opt.sacks[0] = (struct tcp_sack_block){ 2000, 3000 };
    tcp_sacktag(tp, &seg);
    ck_assert(!tp->rack.advanced);
    ck_assert_uint_eq(tp->rack.mstamp, 0);
    /* later: p3, sent at +20 ms, SACKed at +31 ms; p1's retransmission (t0) is lost */
    struct pkt *p3 = rack_queue(tp, 3000, t0 + 20000);
    fx_advance_ms(f, 26);
    seg.opt.sacks[0] = (struct tcp_sack_block){ 2000, 4000 };
    tcp_sacktag(tp, &seg);
    ck_assert(tcp_rack_mark_lost(tp));
    ck_assert_uint_eq(TCP_SKB_CB(p1)->sacked, TCPCB_LOST);
    ck_assert_uint_eq(TCP_SKB_CB(p3)->sacked, TCPCB_SACKED_ACKED);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPLostRetransmit), 1);
    ck_assert_uint_eq(tp->retrans_out, 0);
    tp->ca_state = TCP_CA_OPEN;
    sock_close(&tp->sk);
}
END_TEST

/* The sysctls: Linux's defaults (RACK on, TLP on), its ranges, one value per namespace. */
START_TEST(test_rack_sysctls)
{
    static const char *const want[][2] = { { "net.ipv4.tcp_recovery", "1" }, { "net.ipv4.tcp_early_retrans", "3" } };
    char buf[32];
    for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
        struct sysctl_entry *e = sysctl_find(f->net, want[i][0]);
        ck_assert_msg(e != NULL, "%s missing", want[i][0]);
        sysctl_format(e, buf, sizeof(buf));
        ck_assert_str_eq(buf, want[i][1]);
    }
    ck_assert_int_lt(fx_sysctl(f, "net.ipv4.tcp_recovery", "8"), 0);
    ck_assert_int_lt(fx_sysctl(f, "net.ipv4.tcp_early_retrans", "5"), 0);
    ck_assert_int_eq(fx_sysctl(f, "net.ipv4.tcp_early_retrans", "0"), 0);
    struct net *other = fx_add_net(f, "rack2");
    ck_assert_ptr_nonnull(other);
    ck_assert_int_eq(tcp_net_sysctls(other)->early_retrans, 3);
    ck_assert_int_eq(tcp_net_sysctls(f->net)->early_retrans, 0);
}
END_TEST

/* ---- scripts ---- */

/* The handshake, then ten segments written and sent at +0.100 (cwnd 10). */
static size_t flight_of_ten(char *sc)
{
    size_t n = (size_t)sprintf(sc, "%s+0.100 write 14480\n", PASSIVE_OPEN);
    for (int k = 1; k <= 10; k++)
        n += (size_t)sprintf(sc + n, "+0 > %s %u(%u) ack 1\n", k == 10 ? "P." : ".", SEG(k), MSS);
    return n;
}

/* Two segments out, segment 2 SACKed first and segment 1 a millisecond later: a
 * reordering RACK notes and does not call a loss. */
#define REORDER_TWO \
        "+0.100 write 2896\n" \
        "+0 > . 1(1448) ack 1\n" \
        "+0 > P. 1449(1448) ack 1\n" \
        "+0.010 < . 1(0) ack 1 win 512 <nop,nop,sack 1449:2897>\n" \
        "+0.001 < . 1(0) ack 2897 win 512\n" \
        "+0 reord_seen 1\n"

/* Reordering: segment 2 arrives before segment 1 (the SACK at +10 ms), and segment 1 a
 * millisecond later, inside reo_wnd (2.5 ms): no retransmission, and RACK notes the
 * reordering (segment 1, never sent again, delivered below the highest delivered). */
START_TEST(test_rack_reordering_not_loss)
{
    rack_run_script(PASSIVE_OPEN
        REORDER_TWO
        "+1 state ESTABLISHED\n");
    ck_assert_uint_eq(MIB(MIB_TcpRetransSegs), 0);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPSackRecovery), 0);
}
END_TEST

/* The same, but segment 1 is lost: one duplicate ACK, and RACK's reordering timer
 * (the 2.5 ms left of reo_wnd, plus 2 ms) finds it lost: recovery starts and it goes
 * again 4.5 ms after the SACK, not after two more duplicate ACKs or an RTO. */
START_TEST(test_rack_reo_timer)
{
    fx_trace(f, true);
    rack_run_script(PASSIVE_OPEN
        "+0.100 write 2896\n"
        "+0 > . 1(1448) ack 1\n"
        "+0 > P. 1449(1448) ack 1\n"
        "+0.010 < . 1(0) ack 1 win 512 <nop,nop,sack 1449:2897>\n"
        "+0 xmit_timer reo\n"
        "+0.0045 > . 1(1448) ack 1\n"
        "+0.010 < . 1(0) ack 2897 win 512\n"
        "+0 state ESTABLISHED\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPSackRecovery), 1);
    ck_assert_uint_eq(MIB(MIB_TcpRetransSegs), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPTimeouts), 0);
    ck_assert_msg(fx_log_contains(f, ": tcp_write_timer(reo timeout)\n"), "%s", f->log ? f->log : "");
    ck_assert(fx_log_contains(f, "tx: tcp_write_timer(reo timeout) > tcp_rack_mark_lost(1 lost) > "));
}
END_TEST

/* A loss found on the first duplicate ACK: segment 1 went 5 ms before segment 2, whose
 * SACK comes 10 ms after it was sent. Segment 1 has then waited 15 ms, more than
 * RACK.rtt 10 ms + reo_wnd 2.5 ms: lost at once, the recovery starts and it goes again
 * on that ACK (RFC 6675 would wait for three). */
START_TEST(test_rack_loss_first_dupack)
{
    fx_trace(f, true);
    rack_run_script(PASSIVE_OPEN
        "+0 setsockopt TCP_NODELAY 1\n"
        "+0.100 write 1448\n"
        "+0 > P. 1(1448) ack 1\n"
        "+0.005 write 1448\n"
        "+0 > P. 1449(1448) ack 1\n"
        "+0.010 < . 1(0) ack 1 win 512 <nop,nop,sack 1449:2897>\n"
        "+0 > . 1(1448) ack 1\n"
        "+0.010 < . 1(0) ack 2897 win 512\n"
        "+0 state ESTABLISHED\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPSackRecovery), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPFastRetrans), 1);
    ck_assert_uint_eq(MIB(MIB_TcpRetransSegs), 1);
    ck_assert_msg(fx_log_contains(f, ": tcp_rack_mark_lost(1 lost)\n"), "%s", f->log ? f->log : "");
    ck_assert(fx_log_contains(f, "tx: tcp_rack_mark_lost > tcp_retransmit_skb(lost, retransmission 1) > tcp_transmit_skb("));
}
END_TEST

/* The same two holes as test_tcp_recovery.c's test_sack_two_holes, RACK's way: in
 * recovery reo_wnd is 0, so segment 5 is lost as soon as segment 6, sent at the same
 * time, is SACKed (pipe 10 - 4 SACKed - 2 lost + 1 resent = 5 < cwnd 7): it goes on
 * that ACK, two ACKs sooner than RFC 6675's three segments above it. */
START_TEST(test_rack_two_holes)
{
    char *sc = malloc(8192);
    size_t n = flight_of_ten(sc);
    for (int k = 2; k <= 4; k++)
        n += (size_t)sprintf(sc + n, "+0.001 < . 1(0) ack 1 win 512 <nop,nop,sack %u:%u>\n", SEG(2), SEG(k + 1));
    n += (size_t)sprintf(sc + n, "+0 > . 1(%u) ack 1\n", MSS);
    for (int k = 6; k <= 10; k++) {
        n += (size_t)sprintf(sc + n, "+0.001 < . 1(0) ack 1 win 512 <nop,nop,sack %u:%u %u:%u>\n",
                             SEG(6), SEG(k + 1), SEG(2), SEG(5));
        if (k == 6) n += (size_t)sprintf(sc + n, "+0 > . %u(%u) ack 1\n", SEG(5), MSS);
    }
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512 <nop,nop,sack %u:%u>\n", SEG(5), SEG(6), SEG(11));
    n += (size_t)sprintf(sc + n, "+0.001 < . 1(0) ack %u win 512\n", SEG(11));
    n += (size_t)sprintf(sc + n, "+0 state ESTABLISHED\n");
    rack_run_script(sc);
    free(sc);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPSackRecovery), 1);
    ck_assert_uint_eq(MIB(MIB_TcpRetransSegs), 2);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPTimeouts), 0);
}
END_TEST

/* A spurious fast retransmit teaches RACK the path's reordering. After a small
 * reordering (reord_seen 1), segment 3 and segment 4 (4 ms later) are sent and 4 is
 * SACKed first: 3 has waited 14 ms, more than RACK.rtt 10 + reo_wnd 2.5 ms, and goes
 * again; its original arrives just after, and the retransmission comes back as a
 * D-SACK. The next ACK that delivers something adds a step (reo_wnd 5 ms), so the same
 * reordering of segments 5 and 6 waits (the reordering timer) and 5's ACK comes in
 * time: no second retransmission. With tcp_recovery's STATIC_REO_WND bit (3) the window
 * stays 2.5 ms and 5 goes again too. */
static void dsack_reordering(bool fixed)
{
    char *sc = malloc(4096);
    size_t n = (size_t)sprintf(sc, "0 sysctl net.ipv4.tcp_recovery %d\n%s", fixed ? 3 : 1, PASSIVE_OPEN
        "+0 setsockopt TCP_NODELAY 1\n"
        REORDER_TWO
        "+0.010 write 1448\n"
        "+0 > P. 2897(1448) ack 1\n"
        "+0.004 write 1448\n"
        "+0 > P. 4345(1448) ack 1\n"
        "+0.010 < . 1(0) ack 2897 win 512 <nop,nop,sack 4345:5793>\n"
        "+0 > . 2897(1448) ack 1\n"
        "+0.001 < . 1(0) ack 5793 win 512\n"
        "+0.009 < . 1(0) ack 5793 win 512 <nop,nop,sack 2897:4345>\n"
        "+0 reo_steps 1\n"
        "+0.010 write 1448\n"
        "+0 > P. 5793(1448) ack 1\n"
        "+0.004 write 1448\n"
        "+0 > P. 7241(1448) ack 1\n"
        "+0.010 < . 1(0) ack 5793 win 512 <nop,nop,sack 7241:8689>\n");
    if (fixed) n += (size_t)sprintf(sc + n, "+0 reo_steps 1\n+0 > . 5793(1448) ack 1\n");
    else n += (size_t)sprintf(sc + n, "+0 reo_steps 2\n+0 xmit_timer reo\n");
    sprintf(sc + n, "+0.001 < . 1(0) ack 8689 win 512\n"
                    "+0 info delivered %d dsack_dups 1\n"
                    "+1 state ESTABLISHED\n", 8);
    rack_run_script(sc);
    free(sc);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPDSACKRecv), 1);
    ck_assert_uint_eq(MIB(MIB_TcpRetransSegs), fixed ? 2 : 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPTimeouts), 0);
}

START_TEST(test_rack_dsack_grows_reo_wnd)
{
    dsack_reordering(false);
}
END_TEST

START_TEST(test_rack_static_reo_wnd)
{
    dsack_reordering(true);
}
END_TEST

/* Ten segments at +0.100, the ACK of the first eight 10 ms later, then the loss probe
 * (segment 10 again) 2 SRTT + 2 ms after it. The PTO armed after the flight (+22 ms) is
 * moved by that ACK without a re-arm (the timer fires at +22 ms and arms itself for the
 * rest); after the probe the RTO is armed. */
static size_t tail_probe(char *sc)
{
    size_t n = flight_of_ten(sc);
    n += (size_t)sprintf(sc + n, "+0 xmit_timer tlp\n+0.010 < . 1(0) ack %u win 512\n+0 xmit_timer tlp lazy\n"
                                 "+0.022 > P. %u(%u) ack 1\n+0 xmit_timer rto\n", SEG(9), SEG(10), MSS);
    return n;
}

/* After an RTO (no probes here): three segments lost, the RTO sends segment 1, its ACK
 * (cwnd 2) segments 2 and 3; the retransmission of segment 2 is lost again. The SACK of
 * segment 3's, sent at the same time, shows it (RACK in Loss state, reo_wnd 0): it goes
 * a third time on that ACK (TCPLostRetransmit), not after a second RTO. */
START_TEST(test_rack_lost_retransmission)
{
    rack_run_script("0 sysctl net.ipv4.tcp_early_retrans 0\n" PASSIVE_OPEN
        "+0.100 write 4344\n"
        "+0 > . 1(1448) ack 1\n"
        "+0 > . 1449(1448) ack 1\n"
        "+0 > P. 2897(1448) ack 1\n"
        "+0.210 > . 1(1448) ack 1\n"
        "+0.010 < . 1(0) ack 1449 win 512\n"
        "+0 > . 1449(1448) ack 1\n"
        "+0 > P. 2897(1448) ack 1\n"
        "+0.010 < . 1(0) ack 1449 win 512 <nop,nop,sack 2897:4345>\n"
        "+0 > . 1449(1448) ack 1\n"
        "+0.010 < . 1(0) ack 4345 win 512\n"
        "+0 state ESTABLISHED\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPLostRetransmit), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPTimeouts), 1);
    ck_assert_uint_eq(MIB(MIB_TcpRetransSegs), 4);
}
END_TEST

/* A tail loss: ten segments, the ACK of the first eight at +10 ms, segment 9 arrived
 * (its ACK lost) and segment 10 lost. Two segments out: PTO = 2 SRTT + 2 ms = 22 ms
 * after that ACK, and the probe is segment 10 again (no new data to send); its ACK
 * covers all, 2 RTTs after the last ACK where the RTO would have waited 210 ms. The
 * next ACK, past the probe's episode, shows the probe repaired a loss: cwnd 20 (10 + 8
 * + 2 in slow start) is cut to CUBIC's ssthresh, 20 * 717 / 1024 = 14. */
START_TEST(test_tlp_tail_loss)
{
    char *sc = malloc(8192);
    size_t n = tail_probe(sc);
    n += (size_t)sprintf(sc + n,
        "+0.010 < . 1(0) ack %u win 512\n"
        "+0 cwnd 20\n"
        "+0.010 write 1448\n"
        "+0 > P. %u(%u) ack 1\n"
        "+0.010 < . 1(0) ack %u win 512\n"
        "+0 cwnd 14\n"
        "+0 state ESTABLISHED\n",
        SEG(11), SEG(11), MSS, SEG(12));
    rack_run_script(sc);
    free(sc);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPLossProbes), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPLossProbeRecovery), 1);
    ck_assert_uint_eq(MIB(MIB_TcpRetransSegs), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPTimeouts), 0);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPSackRecovery), 0);
}
END_TEST

/* Segments 9 and 10 both lost: the probe (segment 10) is SACKed; RACK then finds
 * segment 9, sent 42 ms before, lost (RACK.rtt 10 ms + reo_wnd 2.5 ms) and the SACK
 * recovery sends it at once. The recovery ends the probe's episode (no
 * TCPLossProbeRecovery: the recovery itself reduced cwnd). */
START_TEST(test_tlp_then_rack)
{
    char *sc = malloc(8192);
    size_t n = tail_probe(sc);
    n += (size_t)sprintf(sc + n,
        "+0.010 < . 1(0) ack %u win 512 <nop,nop,sack %u:%u>\n"
        "+0 > . %u(%u) ack 1\n"
        "+0.010 < . 1(0) ack %u win 512\n"
        "+0 state ESTABLISHED\n",
        SEG(9), SEG(10), SEG(11), SEG(9), MSS, SEG(11));
    rack_run_script(sc);
    free(sc);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPLossProbes), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPLossProbeRecovery), 0);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPSackRecovery), 1);
    ck_assert_uint_eq(MIB(MIB_TcpRetransSegs), 2);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPTimeouts), 0);
}
END_TEST

/* With data waiting that cwnd holds back, the probe is new data: segment 11 goes when
 * the PTO fires (2 SRTT + 2 ms after the flight: 22 ms), whatever cwnd says. */
START_TEST(test_tlp_new_data)
{
    char *sc = malloc(8192);
    size_t n = (size_t)sprintf(sc, "%s+0.100 write 20272\n", PASSIVE_OPEN);
    for (int k = 1; k <= 10; k++)
        n += (size_t)sprintf(sc + n, "+0 > . %u(%u) ack 1\n", SEG(k), MSS);
    n += (size_t)sprintf(sc + n,
        "+0.022 > . %u(%u) ack 1\n"
        "+0.010 < . 1(0) ack %u win 512\n",
        SEG(11), MSS, SEG(12));
    for (int k = 12; k <= 14; k++)
        n += (size_t)sprintf(sc + n, "+0 > %s %u(%u) ack 1\n", k == 14 ? "P." : ".", SEG(k), MSS);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512\n+0 state ESTABLISHED\n", SEG(15));
    rack_run_script(sc);
    free(sc);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPLossProbes), 1);
    ck_assert_uint_eq(MIB(MIB_TcpRetransSegs), 0);
}
END_TEST

/* net.ipv4.tcp_early_retrans 0: no probe; the RTO comes 210 ms after the flight. */
START_TEST(test_tlp_off)
{
    char *sc = malloc(8192);
    size_t n = (size_t)sprintf(sc, "0 sysctl net.ipv4.tcp_early_retrans 0\n%s+0.100 write 2896\n", PASSIVE_OPEN);
    n += (size_t)sprintf(sc + n, "+0 > . 1(%u) ack 1\n+0 > P. %u(%u) ack 1\n", MSS, SEG(2), MSS);
    n += (size_t)sprintf(sc + n, "+0.210 > . 1(%u) ack 1\n+0.010 < . 1(0) ack %u win 512\n", MSS, SEG(2));
    n += (size_t)sprintf(sc + n, "+0 > P. %u(%u) ack 1\n+0.010 < . 1(0) ack %u win 512\n", SEG(2), MSS, SEG(3));
    rack_run_script(sc);
    free(sc);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPLossProbes), 0);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPTimeouts), 1);
}
END_TEST

Suite *tcp_rack_suite(void)
{
    Suite *s = suite_create("tcp_rack");
    TCase *tc = tcase_create("rack");
    tcase_add_checked_fixture(tc, rack_setup, rack_teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_rack_sysctls);
    tcase_add_test(tc, test_rack_reo_wnd);
    tcase_add_test(tc, test_rack_reo_wnd_dsack);
    tcase_add_test(tc, test_rack_dsack_grows_reo_wnd);
    tcase_add_test(tc, test_rack_static_reo_wnd);
    tcase_add_test(tc, test_rack_mark_by_time);
    tcase_add_test(tc, test_rack_retransmissions);
    tcase_add_test(tc, test_rack_reordering_not_loss);
    tcase_add_test(tc, test_rack_reo_timer);
    tcase_add_test(tc, test_rack_loss_first_dupack);
    tcase_add_test(tc, test_rack_two_holes);
    tcase_add_test(tc, test_rack_lost_retransmission);
    tcase_add_test(tc, test_tlp_tail_loss);
    tcase_add_test(tc, test_tlp_then_rack);
    tcase_add_test(tc, test_tlp_new_data);
    tcase_add_test(tc, test_tlp_off);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * tests/tcp/test_tcp_hystart.c — HyStart in CUBIC (Linux tcp_cubic.c hystart_update)
 * with hand-fed ACKs: each ACK acknowledges one segment (MSS 1000) after `gap` µs,
 * brings an RTT sample, and in slow start grows cwnd by one while two more segments
 * go out. A round lasts until SND.UNA passes what SND.NXT was at its start.
 */
#include "tests/fx_check.h"
#include "tests/tcp/tcp_script.h"
#include "tcp/tcp_priv.h"
#include <stdio.h>
#include <sys/socket.h>

static struct sock *sk;

static void setup(void)
{
    sk = tcp_script_setup_sock();
    f = tcp_script_fx();
    ck_assert_ptr_nonnull(sk);
    struct tcp_sock *tp = tcp_sk(sk);
    ck_assert_ptr_eq(tp->ca_ops, &tcp_cubic);
    tp->mss_cache = 1000;
    tp->snd_ssthresh = TCP_INFINITE_SSTHRESH;
    tp->snd_una = 0;
    tp->is_cwnd_limited = true;
}

static void teardown(void)
{
    tcp_script_teardown_sock(sk);
    f = NULL;
}

/* Start slow start at cwnd with the whole window in flight. */
static void start(uint32_t cwnd, uint32_t srtt_us)
{
    struct tcp_sock *tp = tcp_sk(sk);
    tp->snd_cwnd = cwnd;
    tp->srtt_us = srtt_us;
    tp->snd_nxt = tp->snd_una + cwnd * 1000;
}

/* One ACK as tcp_ack takes it: the RTT sample (tcp_clean_rtx_queue), then cwnd growth
 * (tcp_cong_avoid), then what it lets out. */
static void ack(uint32_t gap_us, uint32_t rtt_us)
{
    struct tcp_sock *tp = tcp_sk(sk);
    fx_advance_us(f, gap_us);
    tp->snd_una += 1000;
    tp->ca_ops->pkts_acked(tp, 1, rtt_us);
    tcp_cong_avoid(tp, 1);
    tp->snd_nxt += 2000;
}

/* Delay: round 1 (16 ACKs, 3 ms apart: no train) at RTT 10 ms sets delay_min; the
 * threshold is 10 ms / 8 = 1.25 ms clamped up to 4 ms. Round 2 at 14.001 ms: its
 * first 8 samples are taken, the 9th (ACK 25, cwnd 16 + 24 = 40) finds the round's
 * least RTT above 14 ms: ssthresh = 40, counted. The next ACK is in congestion
 * avoidance. */
START_TEST(test_hystart_delay)
{
    struct tcp_sock *tp = tcp_sk(sk);
    start(16, 10000);
    for (int i = 1; i <= 16; i++) ack(3000, 10000);
    ck_assert_uint_eq(tp->snd_ssthresh, TCP_INFINITE_SSTHRESH);
    for (int i = 17; i <= 24; i++) ack(3000, 14001);
    ck_assert_uint_eq(tp->snd_ssthresh, TCP_INFINITE_SSTHRESH);
    ck_assert_uint_eq(tp->snd_cwnd, 40);
    ack(3000, 14001);
    ck_assert_uint_eq(tp->snd_ssthresh, 40);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPHystartDelayDetect), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPHystartDelayCwnd), 40);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPHystartTrainDetect), 0);
    ack(3000, 30000);
    ck_assert_uint_le(tp->snd_cwnd, 41);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPHystartDelayDetect), 1);          /* once */
}
END_TEST

/* The same rounds, RTT exactly delay_min + 4 ms: not above the threshold, slow start
 * goes on. */
START_TEST(test_hystart_delay_at_threshold)
{
    struct tcp_sock *tp = tcp_sk(sk);
    start(16, 10000);
    for (int i = 1; i <= 16; i++) ack(3000, 10000);
    for (int i = 17; i <= 40; i++) ack(3000, 14000);
    ck_assert_uint_eq(tp->snd_ssthresh, TCP_INFINITE_SSTHRESH);
    ck_assert_uint_eq(tp->snd_cwnd, 56);
}
END_TEST

/* ACK train: ACKs 1 ms apart, RTT 10 ms. The threshold is (delay_min + the TSO cushion)
 * / 2: the cushion 4 * 64 KiB at twice cwnd per SRTT is far above its 1 ms cap, so
 * (10 + 1) / 2 = 5.5 ms. The 7th ACK is 6 ms after the round's first: ssthresh = cwnd
 * 16 + 6 = 22. */
START_TEST(test_hystart_ack_train)
{
    struct tcp_sock *tp = tcp_sk(sk);
    start(16, 10000);
    for (int i = 1; i <= 6; i++) ack(1000, 10000);
    ck_assert_uint_eq(tp->snd_ssthresh, TCP_INFINITE_SSTHRESH);
    ack(1000, 10000);
    ck_assert_uint_eq(tp->snd_ssthresh, 22);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPHystartTrainDetect), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPHystartTrainCwnd), 22);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPHystartDelayDetect), 0);
}
END_TEST

/* A gap over 2 ms breaks the train for the rest of the round: last_ack stays where
 * the train broke, so the ACKs after it, 1 ms apart again, are all too far from it,
 * though the round spans 7 ms (5.5 would do). */
START_TEST(test_hystart_train_gap)
{
    struct tcp_sock *tp = tcp_sk(sk);
    start(16, 10000);
    ack(1000, 10000);
    ack(1000, 10000);
    ack(3000, 10000);                         /* 3 ms after the last: the train breaks */
    for (int i = 4; i <= 6; i++) ack(1000, 10000);
    ck_assert_uint_eq(tp->snd_ssthresh, TCP_INFINITE_SSTHRESH);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPHystartTrainDetect), 0);
}
END_TEST

/* Below hystart_low_window (16) nothing is checked: cwnd 4 to 15 with a train of 11
 * ACKs 1 ms apart (the second round, from ACK 5, spans 6 ms) and the RTT tripled. */
START_TEST(test_hystart_low_window)
{
    struct tcp_sock *tp = tcp_sk(sk);
    start(4, 10000);
    for (int i = 1; i <= 4; i++) ack(1000, 10000);
    for (int i = 5; i <= 11; i++) ack(1000, 30000);
    ck_assert_uint_eq(tp->snd_cwnd, 15);
    ck_assert_uint_eq(tp->snd_ssthresh, TCP_INFINITE_SSTHRESH);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPHystartTrainDetect) + MIB(MIB_TcpExtTCPHystartDelayDetect), 0);
}
END_TEST

/* A steady RTT with ACKs spread out (3 ms apart, no train): slow start goes on round
 * after round, from 16 to 216 segments. */
START_TEST(test_hystart_steady_rtt)
{
    struct tcp_sock *tp = tcp_sk(sk);
    start(16, 10000);
    for (int i = 1; i <= 200; i++) ack(3000, 10000 + (uint32_t)(i % 3) * 500);
    ck_assert_uint_eq(tp->snd_cwnd, 216);
    ck_assert_uint_eq(tp->snd_ssthresh, TCP_INFINITE_SSTHRESH);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPHystartTrainDetect) + MIB(MIB_TcpExtTCPHystartDelayDetect), 0);
}
END_TEST

/* After an RTO HyStart may end the next slow start again (bictcp_reset clears found and
 * delay_min, bictcp_hystart_reset starts a round at the RTO). At RTT 20 ms the train
 * threshold is (20 + 1) / 2 = 10.5 ms; the round began 1 ms before the first ACK, so
 * the 11th ACK is past it: ssthresh = 16 + 10. */
START_TEST(test_hystart_after_rto)
{
    struct tcp_sock *tp = tcp_sk(sk);
    start(16, 10000);
    for (int i = 1; i <= 7; i++) ack(1000, 10000);
    ck_assert_uint_eq(tp->snd_ssthresh, 22);
    tcp_cong_on_rto(tp);                      /* ssthresh 22 * 0.7 = 15, cwnd 1 */
    tp->snd_ssthresh = TCP_INFINITE_SSTHRESH;
    start(16, 10000);
    for (int i = 1; i <= 7; i++) ack(1000, 20000);   /* delay_min 20 ms: threshold 10.5 */
    ck_assert_uint_eq(tp->snd_ssthresh, TCP_INFINITE_SSTHRESH);
    for (int i = 8; i <= 10; i++) ack(1000, 20000);
    ck_assert_uint_eq(tp->snd_ssthresh, TCP_INFINITE_SSTHRESH);
    ack(1000, 20000);
    ck_assert_uint_eq(tp->snd_ssthresh, 16 + 10);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPHystartTrainDetect), 2);
}
END_TEST

#define MSS 1448
#define SEG(k) (1 + MSS * ((k) - 1))

/* Through tcp_ack, in a script: ten segments at 0.110, their ACKs 1 ms apart from
 * 0.120 (RTT samples from 10 ms: delay_min 10 ms, train threshold (10 + 1) / 2 = 5.5
 * ms); each ACK in slow start grows cwnd by one and lets two segments go (11..30).
 * That round began below hystart_low_window, so its train was never followed. The
 * next round begins with the ACK of segment 11 at 0.131, cwnd 20; its 7th ACK comes 6
 * ms later with cwnd 26: HyStart ends slow start (ssthresh 26), and from then on each
 * ACK lets one segment go. Reno has no HyStart: two per ACK on. */
static void slow_start_script(const char *cong, int exit_at)
{
    char *sc = malloc(16384);
    size_t n = (size_t)sprintf(sc, "%s", PASSIVE_OPEN);
    n += (size_t)sprintf(sc + n, "+0 setsockopt TCP_CONGESTION %s\n", cong);
    n += (size_t)sprintf(sc + n, "+0.100 write %u\n", 40 * MSS);
    n += (size_t)sprintf(sc + n, "+0 write %u\n", 10 * MSS);
    for (int k = 1; k <= 10; k++) n += (size_t)sprintf(sc + n, "+0 > . %u(%u) ack 1\n", SEG(k), MSS);
    int next = 11;
    for (int k = 1; k <= 20; k++) {
        const char *t = k == 1 ? "+0.010" : k == 11 ? "+0.002" : "+0.001";
        n += (size_t)sprintf(sc + n, "%s < . 1(0) ack %u win 512\n", t, SEG(k + 1));
        for (int i = 0; i < (exit_at && k >= exit_at ? 1 : 2); i++)
            n += (size_t)sprintf(sc + n, "+0 > %s %u(%u) ack 1\n", next == 50 ? "P." : ".", SEG(next), MSS), next++;
    }
    run_script(sc);
    free(sc);
}

START_TEST(test_hystart_script_train)
{
    slow_start_script("cubic", 17);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPHystartTrainDetect), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPHystartTrainCwnd), 26);
}
END_TEST

START_TEST(test_hystart_script_reno)
{
    slow_start_script("reno", 0);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPHystartTrainDetect), 0);
}
END_TEST

Suite *tcp_hystart_suite(void)
{
    Suite *s = suite_create("tcp_hystart");
    TCase *tc = tcase_create("hystart");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_hystart_delay);
    tcase_add_test(tc, test_hystart_delay_at_threshold);
    tcase_add_test(tc, test_hystart_ack_train);
    tcase_add_test(tc, test_hystart_train_gap);
    tcase_add_test(tc, test_hystart_low_window);
    tcase_add_test(tc, test_hystart_steady_rtt);
    tcase_add_test(tc, test_hystart_after_rto);
    tcase_add_test(tc, test_hystart_script_train);
    tcase_add_test(tc, test_hystart_script_reno);
    suite_add_tcase(s, tc);
    return s;
}

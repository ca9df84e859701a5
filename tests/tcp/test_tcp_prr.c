/*
 * tests/tcp/test_tcp_prr.c — Proportional Rate Reduction (RFC 6937, Linux
 * tcp_cwnd_reduction) against hand-computed sequences, and a fast recovery in a script
 * (the form of test_tcp_script.c) that shows the paced sending.
 *
 * The sequences feed tcp_prr_cwnd one ACK at a time: each ACK delivers one segment
 * (pipe - 1), PRR gives cwnd, the sender sends cwnd - pipe (pipe + that, prr_out +
 * that). pipe at the first ACK is what is in flight once its marks are made.
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
}

static void teardown(void)
{
    tcp_script_teardown_sock(sk);
    f = NULL;
}

/* One ACK of a sequence: did SND.UNA move, was something newly marked lost. */
struct prr_ack { bool una_advanced, newly_lost; };

/* A recovery from prior_cwnd to ssthresh with pipe in flight at its first ACK: the
 * segments sent on each of n ACKs must be want[]. acks NULL: SACK-only ACKs. */
static void prr_run(uint32_t prior_cwnd, uint32_t ssthresh, uint32_t pipe, const struct prr_ack *acks,
                    const uint32_t *want, unsigned n)
{
    struct tcp_sock *tp = tcp_sk(sk);
    tp->snd_cwnd = prior_cwnd;
    tp->prior_cwnd = prior_cwnd;
    tp->snd_ssthresh = ssthresh;
    tp->prr_delivered = tp->prr_out = 0;
    tp->ca_state = TCP_CA_RECOVERY;
    for (unsigned i = 0; i < n; i++) {
        if (i) pipe--;                                /* this ACK's segment left the network */
        bool una = acks && acks[i].una_advanced, lost = acks && acks[i].newly_lost;
        uint32_t cwnd = tcp_prr_cwnd(tp, pipe, 1, lost, una);
        ck_assert_uint_ge(cwnd, pipe);
        uint32_t sent = cwnd - pipe;
        if (sent != want[i]) ck_abort_msg("ACK %u: sent %u, want %u (pipe %u, prr_delivered %u, prr_out %u)",
                                          i, sent, want[i], pipe, tp->prr_delivered, tp->prr_out);
        tp->snd_cwnd = cwnd;
        tcp_prr_sent(tp, sent);
        pipe += sent;
    }
    ck_assert_uint_eq(tp->prr_delivered, n);
}

static uint32_t sum(const uint32_t *v, unsigned n)
{
    uint32_t s = 0;
    for (unsigned i = 0; i < n; i++) s += v[i];
    return s;
}

/* Reno, cwnd 20 -> ssthresh 10, one loss: 3 SACKed and 1 lost leave pipe 16. While
 * pipe > ssthresh, ceil(10 * prr_delivered / 20) - prr_out: the retransmission on the
 * first ACK (ceil(0.5) = 1), then one segment for every second ACK. At ACK 12 pipe is
 * 10 = ssthresh: PRR-SSRB, nothing (ssthresh - pipe = 0); then one per ACK, pipe held
 * at ssthresh. 17 ACKs delivered, 10 sent: the new window. */
START_TEST(test_prr_reno_one_loss)
{
    static const uint32_t want[] = { 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1 };
    prr_run(20, 10, 16, NULL, want, ARRAY_SIZE(want));
    ck_assert_uint_eq(tcp_sk(sk)->prr_out, 10);
    ck_assert_uint_eq(tcp_sk(sk)->snd_cwnd, 10);
}
END_TEST

/* CUBIC, cwnd 20 -> ssthresh 20 * 717 / 1024 = 14: ceil(14 k / 20) for k = 1..7 is
 * 1 2 3 3 4 5 5, so sent 1 1 1 0 1 1 0; pipe reaches 14 at ACK 7 (nothing), then one
 * per ACK. The same cut from cwnd 100 to 70 sends 7 of every 10 ACKs: ceil(0.7 k) for
 * k = 1..10 is 1 2 3 3 4 5 5 6 7 7. */
START_TEST(test_prr_cubic_one_loss)
{
    static const uint32_t want20[] = { 1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1 };
    prr_run(20, 14, 16, NULL, want20, ARRAY_SIZE(want20));
    static const uint32_t want100[] = { 1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0 };
    prr_run(100, 70, 96, NULL, want100, ARRAY_SIZE(want100));
    ck_assert_uint_eq(sum(want100, 10), 7);
    ck_assert_uint_eq(tcp_sk(sk)->prr_out, 14);
}
END_TEST

/* Reno, cwnd 20 -> 10, twelve segments lost (1..12; 13..20 arrive): the third SACK
 * leaves pipe 20 - 3 - 12 = 5, below ssthresh. PRR-SSRB: one segment per SACK while
 * only SACKs come (max(prr_delivered - prr_out, 1) = 1); once the retransmissions are
 * acknowledged (SND.UNA moves, nothing newly lost) two per ACK, slow start, up to
 * ssthresh (ACK 10: 10 - 9 = 1). An ACK that also marks a loss gets no extra. */
START_TEST(test_prr_ssrb_many_losses)
{
    struct prr_ack acks[12] = { 0 };
    for (unsigned i = 6; i < 12; i++) acks[i].una_advanced = true;
    static const uint32_t want[] = { 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1 };
    prr_run(20, 10, 5, acks, want, ARRAY_SIZE(want));
    acks[6].newly_lost = true;
    static const uint32_t want_lost[] = { 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 1 };
    prr_run(20, 10, 5, acks, want_lost, ARRAY_SIZE(want_lost));
}
END_TEST

/* The first ACK of a recovery always lets the fast retransmission go, even when pipe
 * is already ssthresh (SSRB would give 0); later ones do not. An ACK that delivered
 * nothing changes nothing. Outside a recovery tcp_cwnd_reduction does nothing and
 * prr_out does not count. The end: cwnd = ssthresh, unless ssthresh was never set. */
START_TEST(test_prr_first_ack_and_end)
{
    static const uint32_t want[] = { 1, 0, 1 };
    prr_run(20, 10, 10, NULL, want, ARRAY_SIZE(want));
    struct tcp_sock *tp = tcp_sk(sk);
    ck_assert_uint_eq(tcp_prr_cwnd(tp, 3, 0, false, true), tp->snd_cwnd);
    ck_assert_uint_eq(tp->prr_delivered, 3);
    tp->ca_state = TCP_CA_OPEN;
    tp->snd_cwnd = 7;
    tcp_cwnd_reduction(tp, 5, false, true);
    ck_assert_uint_eq(tp->snd_cwnd, 7);
    tcp_prr_sent(tp, 4);
    ck_assert_uint_eq(tp->prr_out, 2);
    tcp_end_cwnd_reduction(tp);
    ck_assert_uint_eq(tp->snd_cwnd, 10);
    tp->snd_ssthresh = TCP_INFINITE_SSTHRESH;
    tp->snd_cwnd = 7;
    tcp_end_cwnd_reduction(tp);
    ck_assert_uint_eq(tp->snd_cwnd, 7);
}
END_TEST

/* An RTO cuts ssthresh once per loss (Linux tcp_enter_loss): not when it ends a fast
 * recovery that already cut it (PRR's cwnd 5 there would give 3), nor at the second
 * RTO of the same loss; from Open it does (Reno: 16 / 2). */
START_TEST(test_rto_keeps_recovery_ssthresh)
{
    struct tcp_sock *tp = tcp_sk(sk);
    tcp_cong_set(tp, &tcp_reno);
    tp->snd_una = 1000;
    tp->snd_nxt = tp->high_seq = 9000;
    tp->ca_state = TCP_CA_RECOVERY;
    tp->snd_cwnd = 5;
    tp->snd_ssthresh = 10;
    tcp_cong_on_rto(tp);
    ck_assert_uint_eq(tp->snd_ssthresh, 10);
    ck_assert_uint_eq(tp->snd_cwnd, 1);
    ck_assert_uint_eq(tp->ca_state, TCP_CA_LOSS);
    tp->retransmits = 1;                      /* the timer fired again, nothing acked */
    tcp_cong_on_rto(tp);
    ck_assert_uint_eq(tp->snd_ssthresh, 10);
    tp->ca_state = TCP_CA_OPEN;
    tp->retransmits = 0;
    tp->snd_cwnd = 16;
    tcp_cong_on_rto(tp);
    ck_assert_uint_eq(tp->snd_ssthresh, 8);
}
END_TEST

#define MSS 1448
#define SEG(k) (1 + MSS * ((k) - 1))

/* Reno with SACK, cwnd 20 (IW10 and one window of slow start), segment 11 lost, 12..30
 * SACKed one per ACK; 10 more segments wait to be sent. The third SACK (14) starts the
 * recovery: ssthresh 10, pipe 16, the retransmission. Then PRR: one new segment for
 * every second ACK (16, 18, .. 24: 31..35) while pipe > ssthresh; at 26 pipe is 10
 * and nothing goes; from 27 one per ACK (36..39). The ACK of 11..30 ends the
 * recovery at cwnd 10 with 9 in flight: segment 40 goes. Linux with PRR sends the same;
 * cwnd = ssthresh at once would have sent nothing until pipe fell below 10 and then
 * one per ACK. */
START_TEST(test_prr_script_reno_paced)
{
    char *sc = malloc(16384);
    size_t n = (size_t)sprintf(sc, "%s", PASSIVE_OPEN);
    n += (size_t)sprintf(sc + n, "+0 setsockopt TCP_CONGESTION reno\n");
    n += (size_t)sprintf(sc + n, "+0.100 write %u\n", 10 * MSS);
    for (int k = 1; k <= 10; k++)
        n += (size_t)sprintf(sc + n, "+0 > %s %u(%u) ack 1\n", k == 10 ? "P." : ".", SEG(k), MSS);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512\n", SEG(11));
    n += (size_t)sprintf(sc + n, "+0.010 write %u\n", 30 * MSS);
    for (int k = 11; k <= 30; k++) n += (size_t)sprintf(sc + n, "+0 > . %u(%u) ack 1\n", SEG(k), MSS);
    int next = 31;
    for (int k = 12; k <= 30; k++) {
        n += (size_t)sprintf(sc + n, "+0.001 < . 1(0) ack %u win 512 <nop,nop,sack %u:%u>\n", SEG(11), SEG(12), SEG(k + 1));
        if (k == 14) n += (size_t)sprintf(sc + n, "+0 > . %u(%u) ack 1\n", SEG(11), MSS);
        if ((k >= 16 && k <= 24 && k % 2 == 0) || k >= 27)
            n += (size_t)sprintf(sc + n, "+0 > . %u(%u) ack 1\n", SEG(next++), MSS);
    }
    ck_assert_int_eq(next, 40);
    n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512\n", SEG(31));
    n += (size_t)sprintf(sc + n, "+0 > P. %u(%u) ack 1\n", SEG(40), MSS);
    run_script(sc);
    free(sc);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPSackRecovery), 1);
    ck_assert_uint_eq(MIB(MIB_TcpRetransSegs), 1);
}
END_TEST

Suite *tcp_prr_suite(void)
{
    Suite *s = suite_create("tcp_prr");
    TCase *tc = tcase_create("prr");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_prr_reno_one_loss);
    tcase_add_test(tc, test_prr_cubic_one_loss);
    tcase_add_test(tc, test_prr_ssrb_many_losses);
    tcase_add_test(tc, test_prr_first_ack_and_end);
    tcase_add_test(tc, test_prr_script_reno_paced);
    tcase_add_test(tc, test_rto_keeps_recovery_ssthresh);
    suite_add_tcase(s, tc);
    return s;
}

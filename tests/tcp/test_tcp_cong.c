/*
 * tests/tcp/test_tcp_cong.c — congestion control windows against hand-computed values:
 * Reno (RFC 5681 §3.1, Linux tcp_reno_*), CUBIC (RFC 9438 with Linux's β = 717/1024),
 * and the choice by net.ipv4.tcp_congestion_control.
 */
#include "tests/fx_check.h"
#include "tests/tcp/tcp_script.h"
#include "tcp/tcp_priv.h"
#include "net/sysctl.h"
#include <errno.h>
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

/* Slow start up to ssthresh, the rest of the ACK into congestion avoidance (+1 per
 * window); ssthresh on a loss is half of cwnd, at least 2. */
START_TEST(test_reno_window)
{
    struct tcp_sock *tp = tcp_sk(sk);
    tcp_cong_set(tp, &tcp_reno);
    tp->snd_cwnd = 10;
    tp->snd_ssthresh = 12;
    tp->ca_ops->cong_avoid(tp, 5);          /* 10 -> 12 by slow start, 3 acked left over */
    ck_assert_uint_eq(tp->snd_cwnd, 12);
    ck_assert_uint_eq(tp->cwnd_cnt, 3);
    tp->ca_ops->cong_avoid(tp, 8);          /* 11 of 12: not yet */
    ck_assert_uint_eq(tp->snd_cwnd, 12);
    tp->ca_ops->cong_avoid(tp, 1);          /* a window's worth: +1 */
    ck_assert_uint_eq(tp->snd_cwnd, 13);
    ck_assert_uint_eq(tp->cwnd_cnt, 0);
    ck_assert_uint_eq(tp->ca_ops->ssthresh(tp), 6);
    tp->snd_cwnd = 3;
    ck_assert_uint_eq(tp->ca_ops->ssthresh(tp), 2);
}
END_TEST

/* cwnd grows only when it was used (Linux tcp_is_cwnd_limited, RFC 7661): in slow start
 * while at least half of it is in flight, in congestion avoidance only when the sender
 * filled it. An application writing 2 segments at a time keeps cwnd at 10. */
START_TEST(test_cwnd_grows_only_when_used)
{
    struct tcp_sock *tp = tcp_sk(sk);
    tcp_cong_set(tp, &tcp_reno);
    tp->mss_cache = 1000;
    tp->snd_cwnd = 10;
    tp->snd_ssthresh = 0x7fffffff;
    tp->snd_una = tp->cwnd_usage_seq = 5000;
    tp->snd_nxt = 7000;                     /* 2 segments out of 10 */
    tcp_cwnd_validate(tp);
    ck_assert(!tp->is_cwnd_limited);
    ck_assert_uint_eq(tp->max_packets_out, 2);
    tcp_cong_avoid(tp, 2);
    ck_assert_uint_eq(tp->snd_cwnd, 10);    /* 10 >= 2 * 2: not grown */
    tp->snd_nxt = 11000;                    /* 6 out: more than before, noted at once */
    tcp_cwnd_validate(tp);
    ck_assert_uint_eq(tp->max_packets_out, 6);
    tcp_cong_avoid(tp, 2);
    ck_assert_uint_eq(tp->snd_cwnd, 12);    /* 10 < 2 * 6: slow start */
    tp->snd_ssthresh = 12;                  /* congestion avoidance from here */
    tp->snd_una = 11000;
    tp->snd_nxt = 16000;                    /* 5 of 12: not limited */
    tcp_cwnd_validate(tp);
    tcp_cong_avoid(tp, 12);
    ck_assert_uint_eq(tp->snd_cwnd, 12);
    tp->snd_nxt = 23000;                    /* 12 of 12: limited */
    tcp_cwnd_validate(tp);
    ck_assert(tp->is_cwnd_limited);
    tcp_cong_avoid(tp, 12);
    ck_assert_uint_eq(tp->snd_cwnd, 13);
}
END_TEST

/* RFC 9438 eq. 1 and 2 by hand: W_max 100, cwnd 70 after the cut: K = cbrt(30 / 0.4)
 * = cbrt(75) = 4.2172 s; the curve starts at 70, is flat at 100 at K, and one second
 * later is 100 + 0.4 = 100.4. */
START_TEST(test_cubic_curve)
{
    ck_assert_double_eq_tol(cubic_k(100, 70), 4.2171633, 1e-6);
    ck_assert_double_eq_tol(cubic_w(0, cubic_k(100, 70), 100), 70.0, 1e-9);
    ck_assert_double_eq_tol(cubic_w(4.2171633, 4.2171633, 100), 100.0, 1e-9);
    ck_assert_double_eq_tol(cubic_w(5.2171633, 4.2171633, 100), 100.4, 1e-9);
    ck_assert_double_eq_tol(cubic_k(50, 60), 0.0, 1e-12);      /* above W_max: no plateau ahead */
}
END_TEST

/* A loss at cwnd 100: ssthresh = 100 * 717 / 1024 = 70; with SRTT 100 ms the first
 * window of ACKs aims at W(0.1) = 100 + 0.4 (0.1 - 4.2172)^3 = 72.08, so 70 ACKed
 * segments add 2.08: cwnd 72. At t + RTT = K + 1 the target is 100.4 (capped at 1.5
 * cwnd = 108 no more): 72 ACKs add 28.4 -> cwnd 100 (plus the 0.08 carried).
 * A second loss below W_max (cwnd 80) converges fast: W_max = 80 (1 + β) / 2 = 68.0. */
START_TEST(test_cubic_window)
{
    struct tcp_sock *tp = tcp_sk(sk);
    ck_assert_str_eq(tp->ca_ops->name, "cubic");          /* Linux's default */
    tp->snd_cwnd = 100;
    tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
    ck_assert_uint_eq(tp->snd_ssthresh, 70);
    tp->snd_cwnd = 70;                                    /* what recovery leaves */
    tp->srtt_us = 100000;
    tp->ca_ops->cong_avoid(tp, 70);
    ck_assert_uint_eq(tp->snd_cwnd, 72);
    fx_advance_us(f, 5117163);                            /* t = K + 1 - RTT */
    tp->ca_ops->cong_avoid(tp, 72);
    ck_assert_uint_eq(tp->snd_cwnd, 100);
    tp->snd_cwnd = 80;
    tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
    ck_assert_uint_eq(tp->snd_ssthresh, 56);              /* 80 * 717 / 1024 = 56.0 */
    ck_assert_double_eq_tol(((double *)(void *)tp->ca_priv)[0], 80 * 1741 / 2048.0, 1e-9);
}
END_TEST

/* RFC 9438 §4.3: with a 1 ms RTT the cubic curve barely moves (W(0.001) = 9.0075 after
 * a loss at 14, cwnd 9), but the Reno-friendly estimate grows α = 3 (1 - β) / (1 + β)
 * = 0.529 per window: after two windows W_est = 10.06 and cwnd is 10. */
START_TEST(test_cubic_reno_friendly)
{
    struct tcp_sock *tp = tcp_sk(sk);
    tp->snd_cwnd = 14;
    tp->snd_ssthresh = tp->ca_ops->ssthresh(tp);
    ck_assert_uint_eq(tp->snd_ssthresh, 9);
    tp->snd_cwnd = 9;
    tp->srtt_us = 1000;
    tp->ca_ops->cong_avoid(tp, 9);
    ck_assert_uint_eq(tp->snd_cwnd, 9);
    tp->ca_ops->cong_avoid(tp, 9);
    ck_assert_uint_eq(tp->snd_cwnd, 10);
}
END_TEST

/* net.ipv4.tcp_congestion_control: "cubic", set by name; a new socket takes it; an
 * unknown name is refused (ENOENT, as Linux). */
START_TEST(test_cong_sysctl)
{
    struct sysctl_entry *e = sysctl_find(f->net, "net.ipv4.tcp_congestion_control");
    ck_assert_ptr_nonnull(e);
    char buf[32];
    sysctl_format(e, buf, sizeof(buf));
    ck_assert_str_eq(buf, "cubic");
    ck_assert_int_eq(sysctl_write(f->net, e, "vegas"), -ENOENT);
    ck_assert_int_eq(sysctl_write(f->net, e, "reno"), 0);
    sysctl_format(e, buf, sizeof(buf));
    ck_assert_str_eq(buf, "reno");
    int err = 0;
    struct sock *s2 = sock_create(f->net, SOCK_STREAM, IPPROTO_TCP, &err);
    ck_assert_str_eq(tcp_sk(s2)->ca_ops->name, "reno");
    ck_assert_str_eq(tcp_sk(sk)->ca_ops->name, "cubic");  /* made before: unchanged */
    sock_close(s2);
    ck_assert_ptr_eq(tcp_cong_find("reno"), &tcp_reno);
    ck_assert_ptr_null(tcp_cong_find("bbr"));
}
END_TEST

Suite *tcp_cong_suite(void)
{
    Suite *s = suite_create("tcp_cong");
    TCase *tc = tcase_create("cong");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_reno_window);
    tcase_add_test(tc, test_cwnd_grows_only_when_used);
    tcase_add_test(tc, test_cubic_curve);
    tcase_add_test(tc, test_cubic_window);
    tcase_add_test(tc, test_cubic_reno_friendly);
    tcase_add_test(tc, test_cong_sysctl);
    suite_add_tcase(s, tc);
    return s;
}

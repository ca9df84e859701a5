/*
 * tests/tcp/test_tcp_timewait.c — TIME_WAIT as Linux handles it (tcp/tcp_timewait.c):
 * each branch of tcp_timewait_state_process and of tcp_twsk_unique as a scenario, in the
 * script form of test_tcp_script.c (whose runner this file includes), plus lines:
 *   sysctl NAME VALUE          set a sysctl of the namespace
 *   port_range LO HI           net.ipv4.ip_local_port_range
 *   connect_fail PORT ERRNO    a connect that must fail at once with -ERRNO
 *   bind_connect LPORT PORT [ERRNO]  connect from a socket with SO_REUSEADDR bound to
 *                              LPORT (the connection of later lines), or its failure
 */
#define TCP_SCRIPT_EXT_LINE tw_line
#define tcp_script_suite tcp_script_tw_copy_suite
#define run_script tw_run_script
#define tcp_script_setup tw_setup
#define tcp_script_teardown tw_teardown
#define tcp_script_fx tw_script_fx
#include "test_tcp_script.c"
#undef tcp_script_suite
#include "tcp/tcp_priv.h"
#include "net/sysctl.h"

static int errno_code(const char *n) { return !strcmp(n, "EADDRNOTAVAIL") ? EADDRNOTAVAIL : errno_by_name(n); }

static void bind_connect(struct scr *s, const char *l, int lport, int port, const char *fail)
{
    int err = 0;
    struct sock *sk = sock_create(f->net, SOCK_STREAM, IPPROTO_TCP, &err);
    ck_assert_int_eq(sock_setsockopt(sk, SO_REUSEADDR, 1), 0);
    if (sock_bind(sk, 0, (uint16_t)lport)) die(s, "bind", l);
    int want = fail ? -errno_code(fail) : -EINPROGRESS;
    if (sock_connect(sk, FX_PEER, (uint16_t)port) != want) die(s, "connect returned otherwise", l);
    if (fail) { sock_close(sk); return; }
    if (s->sk) sock_close(s->sk);
    s->sk = sk;
    s->peer_port = (uint16_t)port;
    s->port = (uint16_t)lport;
}

static bool tw_line(struct scr *s, const char *l, const char *w)
{
    char name[96] = "", val[32] = "";
    int a = 0, b = 0, err = 0, n = 0;
    if (sscanf(w, "sysctl %95s %31s", name, val) == 2) {
        struct sysctl_entry *e = sysctl_find(f->net, name);
        if (!e || sysctl_write(f->net, e, val)) die(s, "sysctl", l);
        return true;
    }
    if (sscanf(w, "port_range %d %d", &a, &b) == 2) {
        f->net->ipv4.ip_local_port_lo = a;
        f->net->ipv4.ip_local_port_hi = b;
        return true;
    }
    if ((n = sscanf(w, "bind_connect %d %d %31s", &a, &b, val)) >= 2) { bind_connect(s, l, a, b, n == 3 ? val : NULL); return true; }
    if (sscanf(w, "connect_fail %d %31s", &a, val) == 2) {
        struct sock *sk = sock_create(f->net, SOCK_STREAM, IPPROTO_TCP, &err);
        if (sock_connect(sk, FX_PEER, (uint16_t)a) != -errno_code(val)) die(s, "connect did not fail so", l);
        sock_close(sk);
        return true;
    }
    return false;
}

/* Our active close from ESTABLISHED at +0.100: FIN, its ACK, the peer's FIN, our ACK:
 * TIME_WAIT with rcv_nxt 2 and snd_nxt 2 (relative; the peer's TSval last 130). */
#define TO_TIME_WAIT \
    "+0.100 shutdown_wr\n" \
    "+0 > F. 1(0) ack 1\n" \
    "+0.010 < . 1(0) ack 2 win 512 <nop,nop,TS val 120 ecr *>\n" \
    "+0.010 < F. 1(0) ack 2 win 512 <nop,nop,TS val 130 ecr *>\n" \
    "+0 > . 2(0) ack 2\n" \
    "+0 state TIME_WAIT\n"
/* The SYN-ACK that answers a SYN taking over: ISN = old snd_nxt + 65537 */
#define NEW_SYNACK(ack) "+0 > S. 65539(0) ack " ack " " OUR_SYN_OPTS "\n"

static void setup(void) { tw_setup(); }
static void teardown(void) { tw_teardown(); }

/* RFC 6191 / tcp_timewait_state_process: a SYN after rcv_nxt is a new connection; the
 * listener answers with an ISN past the old one's, TIME_WAIT is over. */
START_TEST(test_tw_syn_after_rcv_nxt)
{
    tw_run_script(PASSIVE_OPEN TO_TIME_WAIT
        "+0 close\n"
        "+1 < S 100000(0) win 65535 <mss 1460,sackOK,TS val 200 ecr 0,nop,wscale 7>\n"
        NEW_SYNACK("100001")
        "+0.010 < . 100001(0) ack 65540 win 512 <nop,nop,TS val 210 ecr *>\n"
        "+0 accept\n"
        "+0 state ESTABLISHED\n");
    ck_assert_uint_eq(MIB(MIB_TcpPassiveOpens), 2);
    ck_assert_uint_eq(MIB(MIB_TcpExtTW), 0);          /* ended by the SYN, not the timer */
}
END_TEST

/* The same SYN number as before (not after rcv_nxt) but a newer timestamp: accepted. */
START_TEST(test_tw_syn_newer_timestamp)
{
    tw_run_script(PASSIVE_OPEN TO_TIME_WAIT
        "+1 < S 0(0) win 65535 <mss 1460,sackOK,TS val 131 ecr 0,nop,wscale 7>\n"
        NEW_SYNACK("1")
        "+0 state CLOSE\n");
}
END_TEST

/* Neither after rcv_nxt nor newer: answered by an ACK, TIME_WAIT stays, the wait is not
 * restarted (an ACKless SYN). A second within tcp_invalid_ratelimit (500 ms) is not
 * answered (TCPACKSkippedTimeWait); after it, it is. */
START_TEST(test_tw_syn_rejected)
{
    tw_run_script(PASSIVE_OPEN TO_TIME_WAIT
        "+1 < S 0(0) win 65535 <mss 1460,sackOK,TS val 130 ecr 0,nop,wscale 7>\n"
        "+0 > . 2(0) ack 2\n"
        "+0.100 < S 0(0) win 65535 <mss 1460,sackOK,TS val 130 ecr 0,nop,wscale 7>\n"
        "+0.400 < S 0(0) win 65535 <mss 1460,sackOK,TS val 130 ecr 0,nop,wscale 7>\n"
        "+0 > . 2(0) ack 2\n"
        "+58.499 state TIME_WAIT\n"
        "+0.001 state CLOSE\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPACKSkippedTimeWait), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTW), 1);
}
END_TEST

/* A SYN with ACK, or one whose timestamp is older (PAWS: PAWSTimewait, and the wait
 * restarts), is never a new connection. */
START_TEST(test_tw_syn_ack_and_paws)
{
    tw_run_script(PASSIVE_OPEN TO_TIME_WAIT
        "+1 < S. 100000(0) ack 2 win 65535 <mss 1460,sackOK,TS val 140 ecr 0,nop,wscale 7>\n"
        "+0 > . 2(0) ack 2\n"
        "+30 < S 100000(0) win 65535 <mss 1460,sackOK,TS val 129 ecr 0,nop,wscale 7>\n"
        "+0 > . 2(0) ack 2\n"
        "+59.999 state TIME_WAIT\n"
        "+0.001 state CLOSE\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtPAWSTimewait), 1);
    ck_assert_uint_eq(DROPS(DROP_TCP_RFC7323_TW_PAWS), 1);
}
END_TEST

/* A SYN that would be accepted but no listener is left: answered by an ACK. */
START_TEST(test_tw_syn_no_listener)
{
    tw_run_script(
        "0 connect 80\n"
        "0 > S 0(0) " OUR_SYN_OPTS "\n"
        "+0.010 < S. 0(0) ack 1 win 65535 " SYN_OPTS "\n"
        "+0 > . 1(0) ack 1\n"
        TO_TIME_WAIT
        "+1 < S 100000(0) win 65535 <mss 1460,TS val 200 ecr 0>\n"
        "+0 > . 2(0) ack 2\n"
        "+0 state TIME_WAIT\n");
}
END_TEST

/* An RST at rcv_nxt ends TIME_WAIT (net.ipv4.tcp_rfc1337 = 0, Linux's default); one
 * elsewhere is ignored, not answered. */
START_TEST(test_tw_rst_assassination)
{
    tw_run_script(PASSIVE_OPEN TO_TIME_WAIT
        "+1 < R 5(0) win 0\n"
        "+0 state TIME_WAIT\n"
        "+1 < R 2(0) win 0\n"
        "+0 state CLOSE\n");
    ck_assert_uint_eq(DROPS(DROP_TCP_INVALID_SEQUENCE), 1);
}
END_TEST

/* With net.ipv4.tcp_rfc1337 = 1 (RFC 1337's remedy) the RST is ignored and the wait
 * restarts, as for a bare ACK at rcv_nxt, which is not answered either. */
START_TEST(test_tw_rfc1337_and_bare_ack)
{
    tw_run_script(PASSIVE_OPEN
        "+0 sysctl net.ipv4.tcp_rfc1337 1\n"
        TO_TIME_WAIT
        "+30 < R 2(0) win 0\n"
        "+30 < . 2(0) ack 2 win 512 <nop,nop,TS val 140 ecr *>\n"
        "+59.999 state TIME_WAIT\n"
        "+0.001 state CLOSE\n");
}
END_TEST

/* A retransmitted FIN is ACKed again and restarts the wait (not rate limited: it
 * occupies sequence space). */
START_TEST(test_tw_fin_again)
{
    tw_run_script(PASSIVE_OPEN TO_TIME_WAIT
        "+0.100 < F. 1(0) ack 2 win 512 <nop,nop,TS val 140 ecr *>\n"
        "+0 > . 2(0) ack 2\n"
        "+0.100 < F. 1(0) ack 2 win 512 <nop,nop,TS val 150 ecr *>\n"
        "+0 > . 2(0) ack 2\n"
        "+59.999 state TIME_WAIT\n");
}
END_TEST

/* Our connection from the only ephemeral port, closed into TIME_WAIT. */
#define ACTIVE_TO_TIME_WAIT \
    "0 port_range 33000 33000\n" \
    "0 connect 80\n" \
    "0 > S 0(0) " OUR_SYN_OPTS "\n" \
    "+0.010 < S. 0(0) ack 1 win 65535 " SYN_OPTS "\n" \
    "+0 > . 1(0) ack 1\n" \
    TO_TIME_WAIT \
    "+0 close\n"

/* tcp_twsk_unique: tcp_tw_reuse = 2 (the default) reuses only on loopback: the only
 * ephemeral port is held, connect fails; with 1, only after tcp_tw_reuse_delay (1 s),
 * then the connection starts at the old snd_nxt + 65537 (TWRecycled). */
START_TEST(test_tw_reuse_ephemeral)
{
    tw_run_script(ACTIVE_TO_TIME_WAIT
        "+1.5 connect_fail 80 EADDRNOTAVAIL\n"
        "+0 sysctl net.ipv4.tcp_tw_reuse 1\n"
        "+0 sysctl net.ipv4.tcp_tw_reuse_delay 3000\n"
        "+1.0 connect_fail 80 EADDRNOTAVAIL\n"
        "+0.501 connect 80\n"
        "+0 > S 65539(0) " OUR_SYN_OPTS "\n"
        "+0.010 < S. 100000(0) ack 65540 win 65535 " SYN_OPTS "\n"
        "+0 > . 65540(0) ack 100001\n"
        "+0 state ESTABLISHED\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTWRecycled), 1);
}
END_TEST

/* A port the socket bound itself (SO_REUSEADDR on both, as bind needs it next to a
 * TIME_WAIT holder): the 4-tuple is taken over whatever tcp_tw_reuse says when the old
 * connection had timestamps (Linux's twp == NULL) ... */
START_TEST(test_tw_reuse_bound_port)
{
    tw_run_script(
        "0 bind_connect 33000 80\n"
        "0 > S 0(0) " OUR_SYN_OPTS "\n"
        "+0.010 < S. 0(0) ack 1 win 65535 " SYN_OPTS "\n"
        "+0 > . 1(0) ack 1\n"
        TO_TIME_WAIT
        "+0 sysctl net.ipv4.tcp_tw_reuse 0\n"
        "+0.100 bind_connect 33000 80\n"
        "+0 > S 65539(0) " OUR_SYN_OPTS "\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTWRecycled), 1);
}
END_TEST

/* ... and never without timestamps: nothing would tell the incarnations apart. */
START_TEST(test_tw_reuse_needs_timestamps)
{
    tw_run_script(
        "0 bind_connect 33000 80\n"
        "0 > S 0(0) " OUR_SYN_OPTS "\n"
        "+0.010 < S. 0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>\n"
        "+0 > . 1(0) ack 1\n"
        "+0.100 shutdown_wr\n"
        "+0 > F. 1(0) ack 1\n"
        "+0.010 < F. 1(0) ack 2 win 512\n"
        "+0 > . 2(0) ack 2\n"
        "+0 state TIME_WAIT\n"
        "+2 sysctl net.ipv4.tcp_tw_reuse 1\n"
        "+0 bind_connect 33000 80 EADDRNOTAVAIL\n"
        "+0 port_range 33000 33000\n"
        "+0 connect_fail 80 EADDRNOTAVAIL\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTWRecycled), 0);
}
END_TEST

/* tcp_tw_reuse = 2: a TIME_WAIT connection over loopback (a 127/8 address at either
 * end, or bound to lo) may be reused from a port search; one over eth0 may not. */
START_TEST(test_tw_reuse_loopback_only)
{
    struct fx *fx = tw_script_fx();
    int err;
    struct sock *a = sock_create(fx->net, SOCK_STREAM, IPPROTO_TCP, &err), *b = sock_create(fx->net, SOCK_STREAM, IPPROTO_TCP, &err);
    struct tcp_sock *tp = tcp_sk(a), *tw = tcp_sk(b);
    tw->tstamp_ok = true;
    tw->ts_recent = 77;
    tw->ts_recent_stamp = fx_now_us(fx) / US_PER_S;
    tw->snd_nxt = 0xffff0000u;
    tw->tw_entry_us = fx_now_us(fx) - 2 * US_PER_S;
    tw->sk.local.addr = FX_ADDR;
    tw->sk.remote.addr = FX_PEER;
    uint32_t isn = 0;
    ck_assert(!tcp_twsk_unique(tp, tw, true, &isn));           /* eth0: not loopback */
    ck_assert(tcp_twsk_unique(tp, tw, false, &isn));           /* a bound port: yes */
    ck_assert_uint_eq(isn, 1);                                  /* 0xffff0000 + 65537 wraps to 1 */
    tw->sk.remote.addr = FX_IP(127, 0, 0, 1);
    isn = 0;
    ck_assert(tcp_twsk_unique(tp, tw, true, &isn));
    ck_assert_uint_eq(tp->ts_recent, 77);
    tw->tw_entry_us = fx_now_us(fx) - US_PER_S;                 /* not yet tcp_tw_reuse_delay */
    ck_assert(!tcp_twsk_unique(tp, tw, true, &isn));
    sock_close(a);
    sock_close(b);
}
END_TEST

Suite *tcp_timewait_suite(void)
{
    Suite *s = suite_create("tcp_timewait");
    TCase *tc = tcase_create("timewait");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_tw_syn_after_rcv_nxt);
    tcase_add_test(tc, test_tw_syn_newer_timestamp);
    tcase_add_test(tc, test_tw_syn_rejected);
    tcase_add_test(tc, test_tw_syn_ack_and_paws);
    tcase_add_test(tc, test_tw_syn_no_listener);
    tcase_add_test(tc, test_tw_rst_assassination);
    tcase_add_test(tc, test_tw_rfc1337_and_bare_ack);
    tcase_add_test(tc, test_tw_fin_again);
    tcase_add_test(tc, test_tw_reuse_ephemeral);
    tcase_add_test(tc, test_tw_reuse_bound_port);
    tcase_add_test(tc, test_tw_reuse_needs_timestamps);
    tcase_add_test(tc, test_tw_reuse_loopback_only);
    suite_add_tcase(s, tc);
    return s;
}

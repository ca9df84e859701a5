/*
 * tests/tcp/test_tcp_opts.c — TCP's sending discipline and socket options (tcp_output.c
 * Nagle/cork, tcp_urg.c, tcp_sockopt.c, SO_LINGER in tcp_close) as scripts in the form
 * of test_tcp_script.c (whose runner this file includes), plus one line of its own:
 *   info FIELD VALUE   getsockopt(TCP_INFO) on the connection (else the listener): that
 *                      field must be VALUE (fields: state ca_state options snd_wscale
 *                      rcv_wscale snd_mss rcv_mss advmss unacked sacked snd_cwnd total_retrans bytes_acked
 *                      bytes_received segs_out segs_in notsent_bytes snd_wnd rcv_wnd
 *                      rto; rtt takes "nonzero")
 */
#define TCP_SCRIPT_EXT_LINE opts_line
/* this file's own copy of the runner: its exported names renamed (see test_tcp_extra.c) */
#define tcp_script_suite tcp_script_opts_copy_suite
#define run_script opts_run_script
#define tcp_script_setup opts_setup
#define tcp_script_teardown opts_teardown
#define tcp_script_fx opts_script_fx
#include "test_tcp_script.c"
#undef tcp_script_suite
#include "tcp/tcp_priv.h"
#include "net/sysctl.h"

static uint64_t info_field(const struct ts_tcp_info *ti, const char *name, bool *ok)
{
    *ok = true;
#define F(n) if (!strcmp(name, #n)) return ti->tcpi_##n;
    F(state) F(ca_state) F(options) F(snd_wscale) F(rcv_wscale) F(snd_mss) F(rcv_mss) F(advmss)
    F(unacked) F(sacked) F(snd_cwnd) F(total_retrans) F(bytes_acked) F(bytes_received) F(segs_out) F(segs_in)
    F(notsent_bytes) F(snd_wnd) F(rcv_wnd) F(rto) F(rtt)
#undef F
    *ok = false;
    return 0;
}

static bool opts_line(struct scr *s, const char *l, const char *w)
{
    char name[32] = "", val[32] = "";
    if (sscanf(w, "cong_default %31s", val) == 1) {
        struct sysctl_entry *e = sysctl_find(f->net, "net.ipv4.tcp_congestion_control");
        if (!e || sysctl_write(f->net, e, val)) die(s, "net.ipv4.tcp_congestion_control", l);
        return true;
    }
    if (sscanf(w, "info %31s %31s", name, val) != 2) return false;
    struct ts_tcp_info ti;
    size_t len = sizeof(ti);
    memset(&ti, 0xa5, sizeof(ti));
    ck_assert_int_eq(sock_getsockopt_level(s->sk ? s->sk : s->lsk, SOL_TCP, TCP_INFO, &ti, &len), 0);
    ck_assert_uint_eq(len, sizeof(ti));
    bool ok;
    uint64_t got = info_field(&ti, name, &ok);
    if (!ok) die(s, "unknown tcp_info field", l);
    bool same = !strcmp(val, "nonzero") ? got != 0 : got == strtoull(val, NULL, 10);
    if (!same) { char m[96]; snprintf(m, sizeof(m), "tcpi_%s is %llu", name, (unsigned long long)got); die(s, m, l); }
    return true;
}

/* ---- Nagle, TCP_NODELAY, TCP_CORK ---- */

/* RFC 896 with Minshall's rule (Linux tcp_nagle_check): the first small write goes at
 * once; the next waits while that one is unacknowledged, gathering a third; the ACK
 * sends both as one segment. */
START_TEST(test_nagle_holds_small_write)
{
    run_script(PASSIVE_OPEN
        "+0.100 write 100\n"
        "+0 > P. 1(100) ack 1\n"
        "+0.001 write 50\n"
        "+0.001 write 30\n"
        "+0.020 < . 1(0) ack 101 win 512\n"
        "+0 > P. 101(80) ack 1\n"
        "+0.010 < . 1(0) ack 181 win 512\n");
}
END_TEST

/* Full segments are never held: a write of 3000 behind an unacknowledged small
 * segment sends its two full segments, its 104-byte tail waits for the ACK. */
START_TEST(test_nagle_full_segments_go)
{
    run_script(PASSIVE_OPEN
        "+0.100 write 10\n"
        "+0 > P. 1(10) ack 1\n"
        "+0.001 write 3000\n"
        "+0 > . 11(1448) ack 1\n"
        "+0 > . 1459(1448) ack 1\n"
        "+0.020 < . 1(0) ack 11 win 512\n"
        "+0 > P. 2907(104) ack 1\n");
}
END_TEST

/* TCP_NODELAY: small writes go at once; setting it pushes what Nagle held
 * (tcp_sock_set_nodelay); getsockopt reads it back. */
START_TEST(test_nodelay)
{
    run_script(PASSIVE_OPEN
        "+0.100 write 100\n"
        "+0 > P. 1(100) ack 1\n"
        "+0.001 write 50\n"
        "+0.001 setsockopt TCP_NODELAY 1\n"
        "+0 > P. 101(50) ack 1\n"
        "+0 getsockopt TCP_NODELAY 1\n"
        "+0.001 write 20\n"
        "+0 > P. 151(20) ack 1\n"
        "+0.001 setsockopt TCP_NODELAY 0\n"
        "+0 getsockopt TCP_NODELAY 0\n"
        "+0.001 write 5\n"                          /* Nagle again: 20 bytes unacked */
        "+0.020 < . 1(0) ack 171 win 512\n"
        "+0 > P. 171(5) ack 1\n");
}
END_TEST

/* TCP_CORK holds partial segments, even with nothing in flight; full ones go; uncorking
 * sends the rest (tcp_sock_set_cork). MSG_MORE corks one write. */
START_TEST(test_cork_until_uncork)
{
    run_script(PASSIVE_OPEN
        "+0.100 setsockopt TCP_CORK 1\n"
        "+0 getsockopt TCP_CORK 1\n"
        "+0 write 100\n"
        "+0.050 write 1500\n"
        "+0 > . 1(1448) ack 1\n"
        "+0.050 setsockopt TCP_CORK 0\n"
        "+0 > P. 1449(152) ack 1\n"
        "+0.010 < . 1(0) ack 1601 win 512\n"
        "+0.010 write 10 more\n"
        "+0.010 write 10\n"
        "+0 > P. 1601(20) ack 1\n");
}
END_TEST

/* Corked writes that fill a buffer (1792 bytes in the small class) and go on in the
 * next: only whole segments leave, the partial rest (344 + 208 bytes) still waits. */
START_TEST(test_cork_across_buffers)
{
    run_script(PASSIVE_OPEN
        "+0.100 setsockopt TCP_CORK 1\n"
        "+0 write 1000\n"
        "+0.010 write 1000\n"
        "+0 > . 1(1448) ack 1\n"
        "+0.010 setsockopt TCP_CORK 0\n"
        "+0 > P. 1449(552) ack 1\n");
}
END_TEST

/* TCP_CORK's ceiling: corked data with nothing in flight goes when the probe timer
 * fires, max(RTO, 200 ms) as Linux's tcp_probe0_base: the handshake's 10 ms RTT makes
 * the RTO 210 ms. The probe counters do not move (data went, not a probe). */
START_TEST(test_cork_ceiling)
{
    run_script(PASSIVE_OPEN
        "+0.100 setsockopt TCP_CORK 1\n"
        "+0 write 100\n"
        "+0.100 write 20\n"
        "+0.110 > P. 1(120) ack 1\n"
        "+0.010 < . 1(0) ack 121 win 512\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPWinProbe), 0);
}
END_TEST

/* ---- urgent data ---- */

/* URG with pointer 5 on bytes 1..10 marks byte 5 ('f'): the first read stops before it,
 * MSG_OOB reads it once (then EINVAL), the next read skips it (SO_OOBINLINE off);
 * POLLPRI while it waits (tcp_check_urg, tcp_urg, tcp_recv_urg). */
START_TEST(test_urgent_receive)
{
    run_script(PASSIVE_OPEN
        "+0.100 < P.U 1(10) ack 1 win 512 urg 5\n"
        "+0 > . 1(0) ack 11\n"
        "+0 poll READ,WRITE,PRI\n"
        "+0 read_from 1 4\n"
        "+0 poll READ,WRITE,PRI\n"
        "+0 read_oob f\n"
        "+0 poll READ,WRITE\n"
        "+0 read_oob EINVAL\n"
        "+0 read_from 6 5\n"
        "+0.100 < P. 11(5) ack 1 win 512\n"
        "+0 > . 1(0) ack 16\n"
        "+0 read_from 11 5\n");
}
END_TEST

/* Reading past the mark before MSG_OOB loses the urgent byte, as in Linux
 * (tcp_recvmsg clears urg_data once copied_seq passes it): EINVAL after. A lone urgent
 * byte left unread does not make the socket readable (tcp_stream_is_readable). */
START_TEST(test_urgent_read_past_mark)
{
    run_script(PASSIVE_OPEN
        "+0.100 < P.U 1(3) ack 1 win 512 urg 2\n"
        "+0 > . 1(0) ack 4\n"
        "+0 read_from 1 1\n"
        "+0 read_from 3 1\n"
        "+0 read_oob EINVAL\n"
        "+0 poll WRITE\n"
        "+0.100 < P.U 4(1) ack 1 win 512 urg 1\n"
        "+0 > . 1(0) ack 5\n"
        "+0 poll WRITE,PRI\n"
        "+0 read_oob e\n"
        "+0 read EAGAIN\n"                          /* the byte is skipped in-band */
        "+0 poll WRITE\n");
}
END_TEST

/* The pointer may come before the byte: MSG_OOB says EAGAIN until it arrives, and
 * the segment that brings it is read around it. */
START_TEST(test_urgent_pointer_ahead)
{
    run_script(PASSIVE_OPEN
        "+0.100 < P.U 1(4) ack 1 win 512 urg 8\n"
        "+0 > . 1(0) ack 5\n"
        "+0 read_oob EAGAIN\n"
        "+0 read_from 1 4\n"
        "+0.010 < P. 5(6) ack 1 win 512\n"
        "+0 > . 1(0) ack 11\n"
        "+0 read_oob i\n"
        "+0 read_from 5 3\n"
        "+0 read_from 9 2\n"
        "+0 read_oob EINVAL\n");
}
END_TEST

/* send(MSG_OOB): URG with the pointer after the last byte (Linux, RFC 6093 §2); urgent
 * mode sends at once what Nagle would hold; the ACK past the pointer ends it. */
START_TEST(test_urgent_send)
{
    run_script(PASSIVE_OPEN
        "+0.100 write 3 oob\n"
        "+0 > P.U 1(3) ack 1 urg 3\n"
        "+0.001 write 2\n"
        "+0 > P. 4(2) ack 1\n"
        "+0.020 < . 1(0) ack 6 win 512\n"
        "+0.001 write 1\n"
        "+0 > P. 6(1) ack 1\n"
        "+0.001 write 1 oob\n"                      /* urgent again: not held */
        "+0 > P.U 7(1) ack 1 urg 1\n");
}
END_TEST

/* ---- SO_LINGER ---- */

/* l_onoff 1, l_linger 0: close aborts with RST|ACK and the socket is gone at once
 * (tcp_close -> tcp_disconnect, counted in TCPAbortOnData as Linux does). */
START_TEST(test_linger_zero_rst)
{
    run_script(PASSIVE_OPEN
        "+0.100 setsockopt SO_LINGER 1,0\n"
        "+0 getsockopt SO_LINGER 1,0\n"
        "+0 close\n"
        "+0 > R. 1(0) ack 1\n"
        "+0.100 < . 1(0) ack 1 win 512\n"
        "+0 > R 1(0)\n");                           /* nobody there any more */
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPAbortOnData), 1);
    ck_assert_uint_eq(MIB(MIB_TcpOutRsts), 2);
}
END_TEST

/* A linger time cannot make close wait (no call blocks): the FIN goes as without it. */
START_TEST(test_linger_time_closes_normally)
{
    run_script(PASSIVE_OPEN
        "+0.100 setsockopt SO_LINGER 1,5\n"
        "+0 close\n"
        "+0 > F. 1(0) ack 1\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPAbortOnData), 0);
}
END_TEST

/* ---- keepalive per socket ---- */

/* TCP_KEEPIDLE/INTVL/CNT override the sysctls (7200/75/9): probes after 10 s idle,
 * then 2 s apart, and after 2 unanswered an RST and ETIMEDOUT. */
START_TEST(test_keepalive_options)
{
    run_script(PASSIVE_OPEN
        "+0 setsockopt SO_KEEPALIVE 1\n"
        "+0 setsockopt TCP_KEEPIDLE 10\n"
        "+0 setsockopt TCP_KEEPINTVL 2\n"
        "+0 setsockopt TCP_KEEPCNT 2\n"
        "+0 getsockopt TCP_KEEPIDLE 10\n"
        "+0 getsockopt TCP_KEEPINTVL 2\n"
        "+0 getsockopt TCP_KEEPCNT 2\n"
        "+10 > . 0(0) ack 1\n"
        "+2 > . 0(0) ack 1\n"
        "+2 > R. 1(0) ack 1\n"
        "+0 state CLOSE\n"
        "+0 error ETIMEDOUT\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPKeepAlive), 2);
}
END_TEST

/* A new idle time moves a running keepalive timer (tcp_sock_set_keepidle_locked),
 * counted from when the peer was last heard. */
START_TEST(test_keepidle_moves_timer)
{
    run_script(PASSIVE_OPEN
        "+0 setsockopt SO_KEEPALIVE 1\n"
        "+5 setsockopt TCP_KEEPIDLE 8\n"
        "+3 > . 0(0) ack 1\n");
}
END_TEST

/* ---- TCP_INFO, TCP_MAXSEG, buffers, congestion control ---- */

/* After 100 bytes in and 3000 out, acknowledged: the counts and what was agreed. The
 * SYN-ACK's sequence number is not in bytes_acked: an accepted socket starts past it, as
 * Linux's (tcp_create_openreq_child; its ss shows bytes_acked:3000, where an active
 * opener's counts its SYN). cwnd
 * stays 10: 3 segments in flight never used it (tcp_is_cwnd_limited, as Linux). */
START_TEST(test_tcp_info_after_transfer)
{
    run_script(PASSIVE_OPEN
        "+0.100 < P. 1(100) ack 1 win 512\n"
        "+0 > . 1(0) ack 101\n"
        "+0 read 100\n"
        "+0.010 write 3000\n"
        "+0 > . 1(1448) ack 101\n"
        "+0 > . 1449(1448) ack 101\n"
        "+0 > P. 2897(104) ack 101\n"
        "+0 info unacked 3\n"
        "+0 info notsent_bytes 0\n"
        "+0.010 < . 101(0) ack 3001 win 512\n"
        "+0 info state 1\n"
        "+0 info ca_state 0\n"
        "+0 info options 7\n"
        "+0 info snd_wscale 7\n"
        "+0 info rcv_wscale 7\n"
        "+0 info snd_mss 1448\n"
        "+0 info advmss 1460\n"
        "+0 info unacked 0\n"
        "+0 info snd_cwnd 10\n"
        "+0 info total_retrans 0\n"
        "+0 info bytes_acked 3000\n"
        "+0 info bytes_received 100\n"
        "+0 info segs_out 5\n"
        "+0 info segs_in 3\n"
        "+0 info snd_wnd 65536\n"
        "+0 info rtt nonzero\n");
}
END_TEST

/* TCP_MAXSEG before connect: the SYN announces it, and it bounds the MSS in use
 * (the peer's 1460 less the timestamps: 988 of 1000). */
START_TEST(test_maxseg)
{
    run_script(
        "0 socket\n"
        "0 setsockopt TCP_MAXSEG 1000\n"
        "0 getsockopt TCP_MAXSEG 1000\n"
        "0 connect 80\n"
        "0 > S 0(0) <mss 1000,sackOK,TS val * ecr *,wscale 7>\n"
        "+0.010 < S. 0(0) ack 1 win 65535 " SYN_OPTS "\n"
        "+0 > . 1(0) ack 1\n"
        "+0 getsockopt TCP_MAXSEG 988\n"
        "+0.010 write 2000\n"
        "+0 > . 1(988) ack 1\n"
        "+0 > . 989(988) ack 1\n"
        "+0 > P. 1977(24) ack 1\n");
}
END_TEST

/* SO_RCVBUF before connect clamps the window (tcp_connect_init's window_clamp): 8192
 * asked is 16384 of buffer, 8192 of window, 7300 as whole segments, scale 0. */
START_TEST(test_rcvbuf_clamps_window)
{
    run_script(
        "0 socket\n"
        "0 setsockopt SO_RCVBUF 8192\n"
        "0 connect 80\n"
        "0 > S 0(0) win 7300 <mss 1460,sackOK,TS val * ecr *,wscale 0>\n"
        "+0.010 < S. 0(0) ack 1 win 65535 " SYN_OPTS "\n"
        "+0 > . 1(0) ack 1 win 7300\n"
        "+0 info rcv_wscale 0\n");
}
END_TEST

/* A listener's SO_RCVBUF and TCP_MAXSEG go to its children: the SYN-ACK offers 7904
 * (8192 in whole segments of 988 bytes: MSS 1000 less the timestamp option, as Linux's
 * tcp_openreq_init_rwin), scale 0, MSS 1000; the child reads them back.
 * The listener's TCP_INFO: Linux's aliases (unacked: ready to accept, sacked: backlog). */
START_TEST(test_listener_options_inherited)
{
    run_script(
        "0 listen 8080\n"
        "0 setsockopt SO_RCVBUF 8192\n"
        "0 setsockopt TCP_MAXSEG 1000\n"
        "0 setsockopt TCP_NODELAY 1\n"
        "0 < S 0(0) win 65535 " SYN_OPTS "\n"
        "0 > S. 0(0) ack 1 win 7904 <mss 1000,sackOK,TS val * ecr *,wscale 0>\n"
        "+0.010 < . 1(0) ack 1 win 512 <nop,nop,TS val 110 ecr *>\n"
        "+0 info state 10\n"                       /* the listener: LISTEN, */
        "+0 info unacked 1\n"                      /* one to accept, */
        "+0 info sacked 8\n"                       /* the backlog */
        "+0 accept\n"
        "+0 getsockopt TCP_MAXSEG 988\n"
        "+0 getsockopt TCP_NODELAY 1\n"
        "+0 getsockopt SO_RCVBUF 16384\n"
        "+0 info rcv_wscale 0\n");
}
END_TEST

/* SO_SNDBUF bounds what may wait unacknowledged: not writable while the queue holds
 * more, writable again once the ACK frees it. */
START_TEST(test_sndbuf_writable)
{
    run_script(PASSIVE_OPEN
        "+0.100 poll WRITE\n"
        "+0 setsockopt SO_SNDBUF 1\n"              /* the floor: 4608 bytes */
        "+0 write 5000\n"
        "+0 > . 1(1448) ack 1\n"
        "+0 > . 1449(1448) ack 1\n"
        "+0 > . 2897(1448) ack 1\n"
        "+0 > P. 4345(656) ack 1\n"
        "+0 poll none\n"
        "+0.010 < . 1(0) ack 5001 win 512\n"
        "+0 poll WRITE\n");
}
END_TEST

/* TCP_CONGESTION by name on a connection; a child takes its listener's. */
START_TEST(test_congestion_by_name)
{
    run_script(
        "0 listen 8080\n"
        "0 getsockopt TCP_CONGESTION cubic\n"
        "0 setsockopt TCP_CONGESTION reno\n"
        "0 setsockopt TCP_CONGESTION vegas ENOENT\n"
        "0 getsockopt TCP_CONGESTION reno\n"
        "0 < S 0(0) win 65535 " SYN_OPTS "\n"
        "0 > S. 0(0) ack 1\n"
        "+0.010 < . 1(0) ack 1 win 512 <nop,nop,TS val 110 ecr *>\n"
        "+0 accept\n"
        "+0 getsockopt TCP_CONGESTION reno\n"
        "+0 setsockopt TCP_CONGESTION cubic\n"
        "+0 getsockopt TCP_CONGESTION cubic\n");
}
END_TEST

/* A listener whose algorithm nobody chose: its children take the sysctl's of the
 * moment they are made (tcp_ca_openreq_child), not the listener's. */
START_TEST(test_congestion_default_for_children)
{
    run_script(
        "0 listen 8080\n"
        "0 cong_default reno\n"
        "0 getsockopt TCP_CONGESTION cubic\n"
        "0 < S 0(0) win 65535 " SYN_OPTS "\n"
        "0 > S. 0(0) ack 1\n"
        "+0.010 < . 1(0) ack 1 win 512 <nop,nop,TS val 110 ecr *>\n"
        "+0 accept\n"
        "+0 getsockopt TCP_CONGESTION reno\n");
}
END_TEST

/* Values Linux refuses, and what it does not know (do_tcp_setsockopt's errors). */
START_TEST(test_bad_values)
{
    run_script(
        "0 listen 8080\n"
        "0 setsockopt TCP_MAXSEG 87 EINVAL\n"
        "0 setsockopt TCP_MAXSEG 32768 EINVAL\n"
        "0 setsockopt TCP_MAXSEG 88\n"
        "0 setsockopt TCP_MAXSEG 0\n"
        "0 setsockopt TCP_KEEPIDLE 0 EINVAL\n"
        "0 setsockopt TCP_KEEPIDLE 32768 EINVAL\n"
        "0 setsockopt TCP_KEEPINTVL -1 EINVAL\n"
        "0 setsockopt TCP_KEEPCNT 128 EINVAL\n"
        "0 setsockopt TCP_KEEPCNT 127\n");
    struct fx *fx = opts_script_fx();
    int err, v = 1;
    struct sock *sk = sock_create(fx->net, SOCK_STREAM, IPPROTO_TCP, &err);
    ck_assert_ptr_nonnull(sk);
    size_t len = 2;
    ck_assert_int_eq(sock_setsockopt_level(sk, SOL_TCP, TCP_NODELAY, &v, 2), -EINVAL);     /* short */
    ck_assert_int_eq(sock_setsockopt_level(sk, SOL_TCP, TCP_CONGESTION, "reno", 0), -EINVAL);
    ck_assert_int_eq(sock_setsockopt_level(sk, SOL_TCP, 99, &v, sizeof(v)), -ENOPROTOOPT);
    ck_assert_int_eq(sock_setsockopt_level(sk, SOL_TCP, TCP_INFO, &v, sizeof(v)), -ENOPROTOOPT);
    ck_assert_int_eq(sock_setsockopt_level(sk, 99, TCP_NODELAY, &v, sizeof(v)), -ENOPROTOOPT);
    ck_assert_int_eq(sock_setsockopt_level(sk, SOL_SOCKET, SO_LINGER, &v, sizeof(v)), -EINVAL);
    ck_assert_int_eq(sock_getsockopt_level(sk, SOL_TCP, 99, &v, &len), -ENOPROTOOPT);
    /* a short read gets what fits (do_tcp_getsockopt copies min(len, size)) */
    char name[16] = "";
    len = 3;
    ck_assert_int_eq(sock_getsockopt_level(sk, SOL_TCP, TCP_CONGESTION, name, &len), 0);
    ck_assert_uint_eq(len, 3);
    ck_assert_str_eq(name, "cub");
    ck_assert_int_eq(sock_getsockopt_level(sk, SOL_TCP, TCP_MAXSEG, &v, &(size_t){ sizeof(v) }), 0);
    ck_assert_int_eq(v, TCP_MSS_DEFAULT);       /* no connection, no clamp: 536 as Linux */
    sock_close(sk);
}
END_TEST

Suite *tcp_opts_suite(void)
{
    Suite *s = suite_create("tcp_opts");
    TCase *tc = tcase_create("opts");
    tcase_add_checked_fixture(tc, opts_setup, opts_teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_nagle_holds_small_write);
    tcase_add_test(tc, test_nagle_full_segments_go);
    tcase_add_test(tc, test_nodelay);
    tcase_add_test(tc, test_cork_until_uncork);
    tcase_add_test(tc, test_cork_across_buffers);
    tcase_add_test(tc, test_cork_ceiling);
    tcase_add_test(tc, test_urgent_receive);
    tcase_add_test(tc, test_urgent_read_past_mark);
    tcase_add_test(tc, test_urgent_pointer_ahead);
    tcase_add_test(tc, test_urgent_send);
    tcase_add_test(tc, test_linger_zero_rst);
    tcase_add_test(tc, test_linger_time_closes_normally);
    tcase_add_test(tc, test_keepalive_options);
    tcase_add_test(tc, test_keepidle_moves_timer);
    tcase_add_test(tc, test_tcp_info_after_transfer);
    tcase_add_test(tc, test_maxseg);
    tcase_add_test(tc, test_rcvbuf_clamps_window);
    tcase_add_test(tc, test_listener_options_inherited);
    tcase_add_test(tc, test_sndbuf_writable);
    tcase_add_test(tc, test_congestion_by_name);
    tcase_add_test(tc, test_congestion_default_for_children);
    tcase_add_test(tc, test_bad_values);
    suite_add_tcase(s, tc);
    return s;
}

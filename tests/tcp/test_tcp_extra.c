/*
 * tests/tcp/test_tcp_extra.c — scenarios for ICMP errors (tcp_err.c), zero-window
 * probes and keepalive (tcp_keepalive.c) and SYN cookies (tcp_syncookies.c), in the
 * PAWS (tcp_paws.c), in the script form of test_tcp_script.c (whose runner this file includes), plus lines of
 * its own:
 *   icmp unreach net|host|proto|port|frag [mtu N] seq S   an ICMP error from the peer
 *        quoting our segment with relative sequence S (time_exceeded / param too)
 *   peer_port N        later segments come from (and must go to) that port
 *   sysctl NAME VALUE  set a sysctl of the namespace
 *   keepalive 1|0      SO_KEEPALIVE on the connection (before accept: the listener)
 *   recverr 1          IP_RECVERR on the connection
 *   mss N              the MSS now in use (payload per segment) must be N
 *   df 0|1             the last segment expected had (not) the DF bit
 *   nop                nothing (time passes: what timers send must be expected)
 *   forget_isn         the next SYN we send tells our ISN again (another connection)
 *   wscale N           the peer's window scale in use must be N
 */
#define TCP_SCRIPT_EXT_LINE extra_line
/* this file's own copy of the runner (with the extra lines): its exported names are
 * renamed so they do not collide with test_tcp_script.c's */
#define tcp_script_suite tcp_script_base_copy_suite
#define run_script extra_run_script
#define tcp_script_setup setup
#define tcp_script_teardown teardown
#define tcp_script_fx extra_script_fx
#include "test_tcp_script.c"
#undef tcp_script_suite
#include "tcp/tcp_priv.h"
#include "net/sysctl.h"

static void icmp_line(struct scr *s, const char *l, const char *w)
{
    char what[16] = "";
    unsigned mtu = 0, seq = 0;
    sscanf(w, "icmp %15s", what);
    const char *m = strstr(w, "mtu "), *q = strstr(w, "seq ");
    if (m) mtu = (unsigned)strtoul(m + 4, NULL, 10);
    if (!q) die(s, "icmp needs seq", l);
    seq = (unsigned)strtoul(q + 4, NULL, 10);
    uint8_t type = ICMP_DEST_UNREACH, code = 0;
    if (!strcmp(what, "net")) code = ICMP_NET_UNREACH;
    else if (!strcmp(what, "host")) code = ICMP_HOST_UNREACH;
    else if (!strcmp(what, "proto")) code = ICMP_PROT_UNREACH;
    else if (!strcmp(what, "port")) code = ICMP_PORT_UNREACH;
    else if (!strcmp(what, "frag")) code = ICMP_FRAG_NEEDED;
    else if (!strcmp(what, "time_exceeded")) type = ICMP_TIME_EXCEEDED;
    else die(s, "unknown icmp", l);
    /* the quote: our IP header and the first 8 bytes of our TCP header */
    uint8_t th[8], quote[64], icmp[128];
    put_be16(th, s->port);
    put_be16(th + 2, s->peer_port);
    put_be32(th + 4, s->our_isn + seq);
    size_t ql = fx_build_ipv4(quote, sizeof(quote), FX_ADDR, FX_PEER, IPPROTO_TCP, 64, 7, 0x4000, th, 8);
    size_t il = fx_build_icmp(icmp, sizeof(icmp), type, code, code == ICMP_FRAG_NEEDED ? mtu : 0,
                              quote + 14, ql - 14);
    size_t flen = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), FX_PEER, FX_ADDR, IPPROTO_ICMP, 64, 9, 0, icmp, il);
    script_inject(s, fxc_buf, flen);
}

static bool extra_line(struct scr *s, const char *l, const char *w)
{
    char name[96] = "";
    int v = 0;
    if (!strncmp(w, "icmp ", 5)) { icmp_line(s, l, w); return true; }
    if (sscanf(w, "peer_port %d", &v) == 1) { s->peer_port = (uint16_t)v; return true; }
    if (sscanf(w, "sysctl %95s %d", name, &v) == 2) {
        struct sysctl_entry *e = sysctl_find(f->net, name);
        char val[16];
        snprintf(val, sizeof(val), "%d", v);
        if (!e || sysctl_write(f->net, e, val)) die(s, "sysctl", l);
        return true;
    }
    if (sscanf(w, "keepalive %d", &v) == 1) {         /* the connection, else the listener */
        ck_assert_int_eq(sock_setsockopt(s->sk ? s->sk : s->lsk, SO_KEEPALIVE, v), 0);
        return true;
    }
    if (sscanf(w, "recverr %d", &v) == 1) { s->sk->recverr = v; return true; }
    if (!strcmp(w, "nop")) return true;
    if (!strcmp(w, "forget_isn")) { s->isn_known = false; return true; }
    if (sscanf(w, "wscale %d", &v) == 1) {
        if (tcp_sk(s->sk)->snd_wscale != v) die(s, "other window scale", l);
        return true;
    }
    if (sscanf(w, "df %d", &v) == 1) {
        struct fx_ipv4 ip;
        if (!fxc_cur || !fx_parse_ipv4(fxc_cur, FX_FRAME_MAX, &ip)) die(s, "no segment to look at", l);
        if (!!(ip.frag & 0x4000) != !!v) die(s, "DF differs", l);
        return true;
    }
    if (sscanf(w, "mss %d", &v) == 1) {
        if (tcp_sk(s->sk)->mss_cache != v) die(s, "other mss", l);
        return true;
    }
    return false;
}

/* Lines `+GAP > SEG` for count expiries of a backed-off timer: the first gap `first`
 * after the last line, then `base` doubled per expiry up to 120 s; returns the gap the
 * next expiry would have. */
static uint64_t add_backoff(char *sc, size_t *n, uint64_t first, uint64_t base, int count, const char *seg)
{
    uint64_t at = first;
    for (int i = 0; i < count; i++) {
        *n += (size_t)sprintf(sc + *n, "+%.6f > %s\n", (double)at / 1e6, seg);
        base = MIN(base * 2, 120000000ull);
        at = base;
    }
    return at;
}

/* ---- ICMP errors (RFC 1122 §4.2.3.9, Linux tcp_v4_err) ---- */

/* Port unreachable answers our SYN: connect fails at once with ECONNREFUSED. */
START_TEST(test_connect_icmp_port_unreach)
{
    run_script(
        "0 connect 80\n"
        "0 > S 0(0)\n"
        "+0.010 icmp port seq 0\n"
        "+0 state CLOSE\n"
        "+0 error ECONNREFUSED\n");
}
END_TEST

/* Host and net unreachable during connect: hard (EHOSTUNREACH / ENETUNREACH), as Linux. */
START_TEST(test_connect_icmp_host_unreach)
{
    run_script(
        "0 connect 80\n"
        "0 > S 0(0)\n"
        "+0.010 icmp host seq 0\n"
        "+0 state CLOSE\n"
        "+0 error EHOSTUNREACH\n");
}
END_TEST

START_TEST(test_connect_icmp_net_unreach)
{
    run_script(
        "0 connect 80\n"
        "0 > S 0(0)\n"
        "+0.010 icmp net seq 0\n"
        "+0 state CLOSE\n"
        "+0 error ENETUNREACH\n");
}
END_TEST

/* A quoted sequence number outside [snd_una, snd_nxt] is ignored and counted; so is an
 * error for a connection that does not exist. */
/* Protocol unreachable: ENOPROTOOPT (icmp_err_convert). */
START_TEST(test_connect_icmp_proto_unreach)
{
    run_script(
        "0 connect 80\n"
        "0 > S 0(0)\n"
        "+0.010 icmp proto seq 0\n"
        "+0 state CLOSE\n"
        "+0 error ENOPROTOOPT\n");
}
END_TEST

START_TEST(test_icmp_out_of_window)
{
    run_script(
        "0 connect 80\n"
        "0 > S 0(0)\n"
        "+0.010 icmp port seq 5\n"
        "+0 state SYN_SENT\n"
        "+0 error NONE\n"
        "+0.010 < S. 0(0) ack 1 win 65535 " SYN_OPTS "\n"
        "+0 > . 1(0) ack 1\n"
        "+0 state ESTABLISHED\n"
        "+0 icmp port seq 4000000000\n"
        "+0 state ESTABLISHED\n"
        "+0 peer_port 9\n"
        "+0 icmp port seq 0\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtOutOfWindowIcmps), 2);
    ck_assert_uint_eq(MIB(MIB_IcmpInErrors), 1);
}
END_TEST

/* Once established an unreachable is soft: the connection keeps trying, and the error
 * is what the application hears when the retransmissions give up (tcp_write_err). The
 * RTOs alone: no tail loss probe before the first (tcp_early_retrans 0). */
START_TEST(test_icmp_soft_error_on_timeout)
{
    char *sc = malloc(8192);
    size_t n = (size_t)sprintf(sc, "0 sysctl net.ipv4.tcp_early_retrans 0\n%s+0.100 write 100\n+0 > P. 1(100) ack 1\n"
                               "+0.100 icmp host seq 1\n+0 state ESTABLISHED\n+0 error NONE\n", PASSIVE_OPEN);
    /* the first expiry 210 ms after the send, 100 ms of it gone */
    uint64_t at = add_backoff(sc, &n, 110000, 210000, 15, "P. 1(100) ack 1");
    n += (size_t)sprintf(sc + n, "+%.6f state CLOSE\n+0 error EHOSTUNREACH\n", (double)at / 1e6);
    run_script(sc);
    free(sc);
}
END_TEST

/* With IP_RECVERR the application hears a soft error at once (Linux inet->recverr). */
START_TEST(test_icmp_recverr)
{
    run_script(PASSIVE_OPEN
        "+0.100 write 100\n"
        "+0 > P. 1(100) ack 1\n"
        "+0 recverr 1\n"
        "+0.010 icmp port seq 1\n"
        "+0 error ECONNREFUSED\n"
        "+0 state ESTABLISHED\n"
        "+0.010 < . 1(0) ack 101 win 512\n");
}
END_TEST

/* Fragmentation needed (RFC 1191): the MSS follows the new path MTU and what was sent
 * in larger segments goes again at once (tcp_v4_mtu_reduced, tcp_simple_retransmit);
 * a larger MTU, or one quoting old data, changes nothing. */
START_TEST(test_pmtu_frag_needed)
{
    run_script(PASSIVE_OPEN
        "+0.100 write 3000\n"
        "+0 > . 1(1448) ack 1\n"
        "+0 > . 1449(1448) ack 1\n"
        "+0 > P. 2897(104) ack 1\n"
        "+0.010 icmp frag mtu 1280 seq 1\n"
        "+0 > . 1(1228) ack 1\n"
        "+0 > . 1229(1228) ack 1\n"
        "+0 > P. 2457(544) ack 1\n"
        "+0 mss 1228\n"
        "+0.010 icmp frag mtu 1400 seq 1\n"
        "+0 mss 1228\n"
        "+0.010 < . 1(0) ack 3001 win 512\n"
        "+0 icmp frag mtu 1000 seq 1\n"
        "+0 mss 1228\n"
        "+0 write 2000\n"
        "+0 > . 3001(1228) ack 1\n"
        "+0 > P. 4229(772) ack 1\n"
        "+0.010 < . 1(0) ack 5001 win 512\n"
        "+0 state ESTABLISHED\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtOutOfWindowIcmps), 1);
    ck_assert_uint_eq(MIB(MIB_TcpRetransSegs), 3);
}
END_TEST

/* Below net.ipv4.route.min_pmtu (552) the MTU locks at 552 and segments go without DF
 * (__ip_rt_update_pmtu). */
START_TEST(test_pmtu_below_min)
{
    run_script(PASSIVE_OPEN
        "+0.100 write 1000\n"
        "+0 > P. 1(1000) ack 1\n"
        "+0 df 1\n"
        "+0.010 icmp frag mtu 300 seq 1\n"
        "+0 > . 1(500) ack 1\n"
        "+0 > P. 501(500) ack 1\n"
        "+0 df 0\n"
        "+0 mss 500\n"
        "+0.010 < . 1(0) ack 1001 win 512\n");
}
END_TEST

/* A child in SYN_RECV goes on host unreachable for its SYN-ACK (tcp_req_err), not on
 * port unreachable. */
START_TEST(test_icmp_syn_recv_child)
{
    run_script(
        "0.000 listen 8080\n"
        "0.000 < S 0(0) win 65535 " SYN_OPTS "\n"
        "0.000 > S. 0(0) ack 1 " OUR_SYN_OPTS "\n"
        "+0.010 icmp port seq 0\n"
        "+0.990 > S. 0(0) ack 1\n"
        "+0.010 icmp host seq 0\n"
        "+10 nop\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtListenDrops), 1);
}
END_TEST

/* ---- zero-window probes (RFC 9293 §3.8.6.1, Linux tcp_probe_timer) ---- */

/* The peer's window is shut: after max(RTO, 200 ms) a probe (an ACK at snd_una - 1),
 * then with the interval doubled; answers keep it going; the window opening sends the
 * data. RTO here: 10 ms handshake RTT -> 210 ms. */
START_TEST(test_zero_window_probes)
{
    run_script(PASSIVE_OPEN
        "+0.100 < . 1(0) ack 1 win 0\n"
        "+0 write 100\n"
        "+0.210 > . 0(0) ack 1\n"
        "+0.010 < . 1(0) ack 1 win 0\n"
        "+0.420 > . 0(0) ack 1\n"
        "+0.840 > . 0(0) ack 1\n"
        "+1.680 > . 0(0) ack 1\n"
        "+0.100 < . 1(0) ack 1 win 512\n"
        "+0 > P. 1(100) ack 1\n"
        "+0.010 < . 1(0) ack 101 win 512\n"
        "+10 state ESTABLISHED\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPWinProbe), 4);
    ck_assert_uint_eq(MIB(MIB_TcpRetransSegs), 0);
}
END_TEST

/* Probes nobody answers: after tcp_retries2 (15) of them the connection ends with
 * ETIMEDOUT. */
START_TEST(test_zero_window_probe_timeout)
{
    char *sc = malloc(8192);
    size_t n = (size_t)sprintf(sc, "%s+0.100 < . 1(0) ack 1 win 0\n+0 write 100\n", PASSIVE_OPEN);
    uint64_t at = add_backoff(sc, &n, 210000, 210000, 15, ". 0(0) ack 1");
    n += (size_t)sprintf(sc + n, "+%.6f state ESTABLISHED\n+0.000001 state CLOSE\n+0 error ETIMEDOUT\n",
                         (double)(at - 1) / 1e6);
    run_script(sc);
    free(sc);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPWinProbe), 15);
}
END_TEST

/* ---- keepalive (RFC 1122 4.2.3.6, Linux tcp_keepalive_timer) ---- */

/* Idle for tcp_keepalive_time: a probe; an answer restarts the idle clock; then
 * tcp_keepalive_probes unanswered probes tcp_keepalive_intvl apart, and an RST:
 * ETIMEDOUT. */
START_TEST(test_keepalive)
{
    run_script(PASSIVE_OPEN
        "+0 sysctl net.ipv4.tcp_keepalive_time 10\n"
        "+0 sysctl net.ipv4.tcp_keepalive_intvl 2\n"
        "+0 sysctl net.ipv4.tcp_keepalive_probes 3\n"
        "+0 keepalive 1\n"
        "+10 > . 0(0) ack 1\n"
        "+0.010 < . 1(0) ack 1 win 512\n"
        "+10 > . 0(0) ack 1\n"
        "+2 > . 0(0) ack 1\n"
        "+2 > . 0(0) ack 1\n"
        "+2 > R. 1(0) ack 1\n"
        "+0 state CLOSE\n"
        "+0 error ETIMEDOUT\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPKeepAlive), 4);
}
END_TEST

/* A listener's SO_KEEPALIVE goes to its children: the idle clock starts when the
 * handshake completes (tcp_create_openreq_child). */
START_TEST(test_keepalive_inherited)
{
    run_script(
        "0 sysctl net.ipv4.tcp_keepalive_time 10\n"
        "0 listen 8080\n"
        "0 keepalive 1\n"
        "0 < S 0(0) win 65535 " SYN_OPTS "\n"
        "0 > S. 0(0) ack 1\n"
        "+0.010 < . 1(0) ack 1 win 512 <nop,nop,TS val 110 ecr *>\n"
        "+0 accept\n"
        "+10 > . 0(0) ack 1\n"
        "+0.010 < . 1(0) ack 1 win 512 <nop,nop,TS val 120 ecr *>\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPKeepAlive), 1);
}
END_TEST

/* Linux's defaults (7200 / 75 / 9); traffic keeps the connection from probing; turning
 * SO_KEEPALIVE off stops it. */
START_TEST(test_keepalive_defaults)
{
    run_script(PASSIVE_OPEN
        "+0 keepalive 1\n"
        "+7000 < P. 1(10) ack 1 win 512\n"
        "+0 > . 1(0) ack 11\n"
        "+0 read 10\n"
        "+7200 > . 0(0) ack 11\n"
        "+75 > . 0(0) ack 11\n"
        "+0.010 < . 11(0) ack 1 win 512\n"
        "+0 keepalive 0\n"
        "+20000 state ESTABLISHED\n");
}
END_TEST

/* ---- SYN cookies (Linux net/ipv4/syncookies.c) ---- */

static const struct tcp_cookie_tuple tup = { 0x0a000001, 0x0a000002, 40000, 8080 };

/* A cookie gives back its MSS index in its minute and the next, not later, and not for
 * another 4-tuple or peer ISN. (As Linux's, its low 24 bits are a sum: a change of a few
 * units there or in the peer's ISN shifts the index within the table; the peer's ACK
 * must carry both exactly anyway.) */
START_TEST(test_cookie_encode_decode)
{
    for (uint32_t idx = 0; idx < 4; idx++) {
        uint32_t c = tcp_syn_cookie_make(f->net, &tup, 777, 1000, idx);
        ck_assert_uint_eq(tcp_syn_cookie_check(f->net, &tup, c, 777, 1000), idx);
        ck_assert_uint_eq(tcp_syn_cookie_check(f->net, &tup, c, 777, 1001), idx);
        ck_assert_uint_eq(tcp_syn_cookie_check(f->net, &tup, c, 777, 1002), UINT32_MAX);
        ck_assert_uint_ge(tcp_syn_cookie_check(f->net, &tup, c, 777 + 0x800000, 1000), 4);
        struct tcp_cookie_tuple other = tup;
        other.sport++;
        ck_assert_uint_ge(tcp_syn_cookie_check(f->net, &other, c, 777, 1000), 4);
        ck_assert_uint_ge(tcp_syn_cookie_check(f->net, &tup, c ^ 0x800000, 777, 1000), 4);
    }
    /* the minute wraps in the top 8 bits */
    uint32_t c = tcp_syn_cookie_make(f->net, &tup, 0xffffffffu, 255, 3);
    ck_assert_uint_eq(tcp_syn_cookie_check(f->net, &tup, c, 0xffffffffu, 256), 3);
}
END_TEST

/* Linux's msstab {536, 1300, 1440, 1460}: the largest not above the peer's MSS. */
START_TEST(test_cookie_mss_index)
{
    ck_assert_uint_eq(tcp_cookie_mss_index(88), 0);
    ck_assert_uint_eq(tcp_cookie_mss_index(536), 0);
    ck_assert_uint_eq(tcp_cookie_mss_index(1299), 0);
    ck_assert_uint_eq(tcp_cookie_mss_index(1300), 1);
    ck_assert_uint_eq(tcp_cookie_mss_index(1459), 2);
    ck_assert_uint_eq(tcp_cookie_mss_index(1460), 3);
    ck_assert_uint_eq(tcp_cookie_mss_index(9000), 3);
}
END_TEST

/* cookie_init_timestamp / cookie_timestamp_decode: WS in bits 0-3 (0xf none), SACK in
 * bit 4, the value never ahead of now. */
START_TEST(test_cookie_timestamp)
{
    struct tcp_opts o;
    uint32_t ts = tcp_cookie_init_timestamp(1000, true, 7, true);
    ck_assert_uint_eq(ts & 0x3f, 0x17);
    ck_assert_uint_le(ts, 1000);
    ck_assert_uint_gt(ts, 1000 - 64);
    memset(&o, 0, sizeof(o));
    tcp_cookie_timestamp_decode(ts, &o);
    ck_assert(o.wscale_ok && o.wscale == 7 && o.sack_ok);
    ts = tcp_cookie_init_timestamp(1000, false, 0, false);
    ck_assert_uint_eq(ts & 0x3f, 0x0f);
    tcp_cookie_timestamp_decode(ts, &o);
    ck_assert(!o.wscale_ok && !o.sack_ok);
    ts = tcp_cookie_init_timestamp(1024 + 14, true, 14, false);     /* options above now's bits */
    ck_assert_uint_eq(ts, 1024 + 14);
    ts = tcp_cookie_init_timestamp(1024 + 3, true, 14, false);
    ck_assert_uint_eq(ts, 1024 - 64 + 14);
}
END_TEST

/* Eight half-open connections fill the SYN backlog (listen backlog 8); the ninth SYN
 * gets a cookie: nothing is kept, and its ACK makes an established child with the MSS
 * from the table (1400 -> 1300) and the window scale from the echoed timestamp. */
START_TEST(test_syncookies_full_backlog)
{
    char *sc = malloc(8192);
    size_t n = (size_t)sprintf(sc, "0 listen 8080\n");
    for (int i = 0; i < 8; i++)
        n += (size_t)sprintf(sc + n, "+0 peer_port %d\n+0 forget_isn\n+0.001 < S 0(0) win 65535 " SYN_OPTS "\n"
                                     "+0 > S. 0(0) ack 1 " OUR_SYN_OPTS "\n", 40000 + i);
    sprintf(sc + n,
        "+0 peer_port 41000\n+0 forget_isn\n"
        "+0.001 < S 0(0) win 65535 <mss 1400,sackOK,TS val 100 ecr 0,nop,wscale 6>\n"
        "+0 > S. 0(0) ack 1 win 65160 <mss 1460,sackOK,TS val * ecr 100,wscale 7>\n"
        "+0.010 < . 1(0) ack 1 win 512 <nop,nop,TS val 110 ecr *>\n"
        "+0 accept\n"
        "+0 state ESTABLISHED\n"
        "+0 mss 1288\n"
        "+0 wscale 6\n"
        "+0.010 write 100\n"
        "+0 > P. 1(100) ack 1 <nop,nop,TS val * ecr 110>\n"
        "+0.010 < . 1(0) ack 101 win 512 <nop,nop,TS val 120 ecr *>\n"
        "+0 peer_port 41001\n"
        "+0.010 < . 1(0) ack 1 win 512\n"          /* no cookie of ours: RST */
        "+0 > R 1(0) win 0\n");
    run_script(sc);
    free(sc);
    ck_assert_uint_eq(MIB(MIB_TcpExtSyncookiesSent), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtSyncookiesRecv), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtSyncookiesFailed), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPReqQFullDoCookies), 1);
    ck_assert_uint_eq(MIB(MIB_TcpPassiveOpens), 1);
}
END_TEST

/* Without timestamps a cookie carries only the MSS: the SYN-ACK offers no window scale
 * or SACK (tcp_clear_options). tcp_syncookies = 2: cookies even with room. */
START_TEST(test_syncookies_no_timestamps)
{
    run_script(
        "0 sysctl net.ipv4.tcp_syncookies 2\n"
        "0 listen 8080\n"
        "0 < S 0(0) win 65535 <mss 1460,sackOK,nop,wscale 6>\n"
        "0 > S. 0(0) ack 1 win 64240 <mss 1460>\n"
        "+0.010 < . 1(0) ack 1 win 65535\n"
        "+0 accept\n"
        "+0 state ESTABLISHED\n"
        "+0 mss 1460\n"
        "+0 wscale 0\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtSyncookiesRecv), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPReqQFullDoCookies), 0);
}
END_TEST

/* A cookie is good for its minute and the next (MAX_SYNCOOKIE_AGE): an ACK two minutes
 * and more later is a stray ACK and gets an RST. */
START_TEST(test_syncookies_expire)
{
    run_script(
        "0 sysctl net.ipv4.tcp_syncookies 2\n"
        "0 listen 8080\n"
        "0 < S 0(0) win 65535 <mss 1460>\n"
        "0 > S. 0(0) ack 1 <mss 1460>\n"
        "+121 < . 1(0) ack 1 win 65535\n"
        "+0 > R 1(0)\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtSyncookiesRecv), 0);
    ck_assert_uint_eq(MIB(MIB_TcpPassiveOpens), 0);
}
END_TEST

/* tcp_syncookies = 0: a full SYN backlog drops the SYN (TCPReqQFullDrop, ListenDrops). */
START_TEST(test_syncookies_off)
{
    char *sc = malloc(8192);
    size_t n = (size_t)sprintf(sc, "0 sysctl net.ipv4.tcp_syncookies 0\n0 listen 8080\n");
    for (int i = 0; i < 8; i++)
        n += (size_t)sprintf(sc + n, "+0 peer_port %d\n+0 forget_isn\n+0.001 < S 0(0) win 65535 " SYN_OPTS "\n"
                                     "+0 > S. 0(0) ack 1\n", 40000 + i);
    sprintf(sc + n, "+0 peer_port 41000\n+0.001 < S 0(0) win 65535 " SYN_OPTS "\n+0.100 nop\n");
    run_script(sc);
    free(sc);
    ck_assert_uint_eq(MIB(MIB_TcpExtSyncookiesSent), 0);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPReqQFullDrop), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtListenDrops), 1);
}
END_TEST

/* ---- PAWS (RFC 7323 §5, Linux tcp_paws_discard) ---- */

/* The numeric TCP sysctls: Linux's names and defaults (Linux 6.x; tcp_max_syn_backlog
 * is fixed here where Linux scales it), shown as Linux shows them, and out-of-range
 * writes refused (tcp_syn_retries is 1..127 as Linux's MAX_TCP_SYNCNT). */
START_TEST(test_tcp_sysctls)
{
    static const char *const want[][2] = {
        { "net.ipv4.tcp_syn_retries", "6" }, { "net.ipv4.tcp_synack_retries", "5" },
        { "net.ipv4.tcp_retries2", "15" }, { "net.ipv4.tcp_fin_timeout", "60" },
        { "net.ipv4.tcp_max_syn_backlog", "1024" }, { "net.core.somaxconn", "4096" },
        { "net.ipv4.tcp_challenge_ack_limit", "2147483647" }, { "net.ipv4.tcp_invalid_ratelimit", "500" },
    };
    char buf[64];
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        struct sysctl_entry *e = sysctl_find(f->net, want[i][0]);
        ck_assert_msg(e != NULL, "%s missing", want[i][0]);
        sysctl_format(e, buf, sizeof(buf));
        ck_assert_msg(!strcmp(buf, want[i][1]), "%s = %s, want %s", want[i][0], buf, want[i][1]);
    }
    struct sysctl_entry *e = sysctl_find(f->net, "net.ipv4.tcp_syn_retries");
    ck_assert_int_lt(sysctl_write(f->net, e, "0"), 0);
    ck_assert_int_lt(sysctl_write(f->net, e, "128"), 0);
    ck_assert_int_eq(sysctl_write(f->net, e, "2"), 0);
    ck_assert_int_lt(sysctl_write(f->net, sysctl_find(f->net, "net.core.somaxconn"), "-1"), 0);
}
END_TEST

/* tcp_syn_retries 2: a SYN and two more (1 s, 2 s later), then ETIMEDOUT at 7 s. */
START_TEST(test_syn_retries_sysctl)
{
    extra_run_script(
        "0 sysctl net.ipv4.tcp_syn_retries 2\n"
        "0 connect 80\n"
        "0 > S 0(0)\n"
        "1 > S 0(0)\n"
        "3 > S 0(0)\n"
        "7 state CLOSE\n"
        "7 error ETIMEDOUT\n");
}
END_TEST

/* Linux __tcp_oow_rate_limited (tcp_invalid_ratelimit 500 ms): of two pure ACKs out of
 * the window 100 ms apart only the first is answered (TCPACKSkippedSeq); data out of
 * the window is answered every time and does not take the time; a challenge ACK
 * shares the limit: skipped 300 ms after the first answer (TCPACKSkippedChallenge),
 * sent 600 ms after it. */
START_TEST(test_oow_ack_rate_limit)
{
    extra_run_script(PASSIVE_OPEN
        "+0.100 < . 200000(0) ack 1 win 512\n"
        "+0 > . 1(0) ack 1\n"
        "+0.100 < . 200000(0) ack 1 win 512\n"
        "+0.100 < P. 200000(10) ack 1 win 512\n"
        "+0 > . 1(0) ack 1\n"
        "+0.100 < R 5000(0) win 0\n"
        "+0.300 < R 5000(0) win 0\n"
        "+0 > . 1(0) ack 1\n"
        "+0 state ESTABLISHED\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPACKSkippedSeq), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPACKSkippedChallenge), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPChallengeACK), 1);
}
END_TEST

/* A finite tcp_challenge_ack_limit is a budget per second for the namespace, drawn in
 * [limit/2, limit*3/2) (here exactly 1); with tcp_invalid_ratelimit 0 only it limits:
 * of two in-window RSTs in one second one is challenged, and again in the next. */
START_TEST(test_challenge_ack_namespace_limit)
{
    extra_run_script(
        "0.000 sysctl net.ipv4.tcp_challenge_ack_limit 1\n"
        "0.000 sysctl net.ipv4.tcp_invalid_ratelimit 0\n"
        PASSIVE_OPEN
        "+0.100 < R 5000(0) win 0\n"
        "+0 > . 1(0) ack 1\n"
        "+0.001 < R 5000(0) win 0\n"
        "+1 < R 5000(0) win 0\n"
        "+0 > . 1(0) ack 1\n"
        "+0 state ESTABLISHED\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPChallengeACK), 2);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPACKSkippedChallenge), 0);
}
END_TEST

/* The ACKs of our data confirm the peer's neighbour entry (Linux tcp_ack's
 * sk_dst_confirm): a write every 10 s for 100 s, each ACKed, keeps it REACHABLE past
 * any reachable time (15..45 s), so no ARP probe is ever sent (the script allows no
 * frame it does not expect). Without the confirmations it would go STALE, then DELAY
 * and PROBE on the next write. */
START_TEST(test_ack_confirms_neighbour)
{
    ck_assert_ptr_nonnull(fx_neigh_set(f, f->dev, FX_PEER, &fx_peer_mac, NUD_REACHABLE));
    char *sc = malloc(8192);
    size_t n = (size_t)sprintf(sc, "%s", PASSIVE_OPEN);
    for (unsigned k = 0; k < 10; k++) {
        n += (size_t)sprintf(sc + n, "+10 write 100\n+0 > P. %u(100) ack 1\n", 1 + 100 * k);
        n += (size_t)sprintf(sc + n, "+0.010 < . 1(0) ack %u win 512\n", 101 + 100 * k);
    }
    run_script(sc);
    free(sc);
    ck_assert_str_eq(nud_state_name(fx_neigh_state(f, FX_PEER)), "REACHABLE");
}
END_TEST

/* An older TSval than TS.Recent: dropped and answered by a duplicate ACK (PAWSEstab);
 * one tick older passes (TCP_PAWS_WINDOW) without moving TS.Recent back; a pure
 * duplicate ACK overtaken within an RTO passes silently (tcp_disordered_ack); a SYN
 * gets a challenge ACK; an RST is judged by its sequence number alone. */
START_TEST(test_paws)
{
    run_script(PASSIVE_OPEN
        "+0.100 < P. 1(10) ack 1 win 512 <nop,nop,TS val 200 ecr *>\n"
        "+0 > . 1(0) ack 11 <nop,nop,TS val * ecr 200>\n"
        "+0 read 10\n"
        "+0.010 < P. 11(10) ack 1 win 512 <nop,nop,TS val 150 ecr *>\n"
        "+0 > . 1(0) ack 11 <nop,nop,TS val * ecr 200>\n"
        "+0.010 < P. 11(10) ack 1 win 512 <nop,nop,TS val 199 ecr *>\n"
        "+0 > . 1(0) ack 21 <nop,nop,TS val * ecr 200>\n"
        "+0 read 10\n"
        "+0.010 < . 21(0) ack 1 win 512 <nop,nop,TS val 150 ecr *>\n"
        "+0.010 < S 21(0) win 512 <nop,nop,TS val 100 ecr 0>\n"
        "+0 > . 1(0) ack 21 <nop,nop,TS val * ecr 200>\n"
        "+0.010 < R 21(0) win 0 <nop,nop,TS val 100 ecr 0>\n"
        "+0 state CLOSE\n"
        "+0 error ECONNRESET\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtPAWSEstab), 1);
    ck_assert_uint_eq(DROPS(DROP_TCP_RFC7323_PAWS), 2);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPSYNChallenge), 1);
}
END_TEST

/* All ten segments of a window lost: the RTO sends the first again and enters Loss
 * (Linux tcp_enter_loss): the rest is taken as lost, and each ACK of what went again
 * sends the next lost segments at once as cwnd grows from 1 in slow start (2, 4, then
 * CUBIC's ssthresh 7), not one more RTO each. The ACKs of the retransmissions give RTT
 * samples from their timestamps (RFC 7323 §4.1; Karn forbids the others), so the RTO
 * is 210 ms again for the next write, not the 420 ms the expiry doubled it to. The
 * RTO alone: tail loss probes are off (tcp_early_retrans 0; with them the last segment
 * would go 22 ms after the flight, test_tcp_rack.c). */
START_TEST(test_rto_loss_recovery)
{
    char sc[4096];
    size_t n = (size_t)snprintf(sc, sizeof(sc), "0 sysctl net.ipv4.tcp_early_retrans 0\n%s+0.100 write 14480\n", PASSIVE_OPEN);
    n = script_out_segs(sc, n, 1, 10, 1448, 10);
    snprintf(sc + n, sizeof(sc) - n,
        "+0.210 > . 1(1448) ack 1\n"
        "+0.010 < . 1(0) ack 1449 win 512 <nop,nop,TS val 400 ecr *>\n"
        "+0 > . 1449(1448) ack 1\n"
        "+0 > . 2897(1448) ack 1\n"
        "+0.010 < . 1(0) ack 4345 win 512 <nop,nop,TS val 410 ecr *>\n"
        "+0 > . 4345(1448) ack 1\n"
        "+0 > . 5793(1448) ack 1\n"
        "+0 > . 7241(1448) ack 1\n"
        "+0 > . 8689(1448) ack 1\n"
        "+0.010 < . 1(0) ack 10137 win 512 <nop,nop,TS val 420 ecr *>\n"
        "+0 > . 10137(1448) ack 1\n"
        "+0 > . 11585(1448) ack 1\n"
        "+0 > P. 13033(1448) ack 1\n"
        "+0.010 < . 1(0) ack 14481 win 512 <nop,nop,TS val 430 ecr *>\n"
        "+0.100 write 100\n"
        "+0 > P. 14481(100) ack 1\n"
        "+0.210 > P. 14481(100) ack 1\n"
        "+0.010 < . 1(0) ack 14581 win 512 <nop,nop,TS val 650 ecr *>\n"
        "+1 state ESTABLISHED\n");
    extra_run_script(sc);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPTimeouts), 2);
    ck_assert_uint_eq(MIB(MIB_TcpRetransSegs), 11);
}
END_TEST

Suite *tcp_extra_suite(void)
{
    Suite *s = suite_create("tcp_extra");
    TCase *tc = tcase_create("scripts");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_connect_icmp_port_unreach);
    tcase_add_test(tc, test_connect_icmp_host_unreach);
    tcase_add_test(tc, test_connect_icmp_net_unreach);
    tcase_add_test(tc, test_connect_icmp_proto_unreach);
    tcase_add_test(tc, test_icmp_out_of_window);
    tcase_add_test(tc, test_icmp_soft_error_on_timeout);
    tcase_add_test(tc, test_icmp_recverr);
    tcase_add_test(tc, test_pmtu_frag_needed);
    tcase_add_test(tc, test_pmtu_below_min);
    tcase_add_test(tc, test_icmp_syn_recv_child);
    tcase_add_test(tc, test_zero_window_probes);
    tcase_add_test(tc, test_zero_window_probe_timeout);
    tcase_add_test(tc, test_keepalive);
    tcase_add_test(tc, test_keepalive_defaults);
    tcase_add_test(tc, test_keepalive_inherited);
    tcase_add_test(tc, test_cookie_encode_decode);
    tcase_add_test(tc, test_cookie_mss_index);
    tcase_add_test(tc, test_cookie_timestamp);
    tcase_add_test(tc, test_syncookies_full_backlog);
    tcase_add_test(tc, test_syncookies_no_timestamps);
    tcase_add_test(tc, test_syncookies_expire);
    tcase_add_test(tc, test_syncookies_off);
    tcase_add_test(tc, test_paws);
    tcase_add_test(tc, test_ack_confirms_neighbour);
    tcase_add_test(tc, test_oow_ack_rate_limit);
    tcase_add_test(tc, test_tcp_sysctls);
    tcase_add_test(tc, test_syn_retries_sysctl);
    tcase_add_test(tc, test_challenge_ack_namespace_limit);
    tcase_add_test(tc, test_rto_loss_recovery);
    suite_add_tcase(s, tc);
    return s;
}

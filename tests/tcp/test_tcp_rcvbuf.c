/*
 * tests/tcp/test_tcp_rcvbuf.c — buffer sizing (tcp/tcp_rcvbuf.c, tcp_select_window in
 * tcp_output.c, tcp_sndbuf_expand in tcp_input.c): the sysctls, the first window and
 * its scale, autotuning during a bulk receive, SO_RCVBUF's lock, a window that never
 * shrinks, silly-window avoidance, the send buffer following cwnd. Scenarios in the
 * script form of test_tcp_script.c (whose runner this file includes), plus lines:
 *   sysctl NAME VALUE...   set a sysctl of the namespace (the rest of the line)
 *   so_rcvbuf N | so_sndbuf N   setsockopt on the connection, else the listener
 *   readn N                one read of exactly N bytes
 *   acks N W               exactly N segments were sent since the last look, all bare
 *                          ACKs; the last one's window field is W ("*": any)
 *   edges N                as acks, and each ACK's right edge (ack + window) is at
 *                          least the one before (across edges lines)
 *   check NAME VALUE       rcvbuf sndbuf userlocks window_clamp rcv_ssthresh rcv_space
 *                          rcv_wnd rcv_wscale rcv_rtt (us) snd_cwnd
 *   info_has TEXT          the `ss -i` line contains TEXT
 *   info_lacks TEXT        it does not
 *   nop                    nothing (time passes)
 * and plain unit tests of the sysctl vectors and of the window rules one by one.
 *
 * Sizes: the fixture's device has MTU 1500 (advmss 1460, mss 1448 with timestamps); a
 * received 1448-byte segment is held in a 2 KiB buffer, truesize T = 2048 +
 * sizeof(struct pkt). Windows are half the buffer (tcp_win_from_space).
 */
#define TCP_SCRIPT_EXT_LINE rcvbuf_line
#define tcp_script_suite tcp_script_rcvbuf_copy_suite
#define run_script rcvbuf_run_script
#define tcp_script_setup rcvbuf_setup
#define tcp_script_teardown rcvbuf_teardown
#define tcp_script_fx rcvbuf_script_fx
#include "test_tcp_script.c"
#undef tcp_script_suite
#include "tcp/tcp_priv.h"
#include "net/sysctl.h"
#include "net/stack.h"

#define TRUESIZE_1448 (2048u + (unsigned)sizeof(struct pkt))

static uint32_t last_edge;      /* the right edge of the last ACK an edges line saw */

static long tp_field(struct scr *s, const char *l, const char *name)
{
    const struct sock *sk = s->sk ? s->sk : s->lsk;
    const struct tcp_sock *tp = tcp_csk(sk);
    if (!strcmp(name, "rcvbuf")) return sk->rcvbuf;
    if (!strcmp(name, "sndbuf")) return sk->sndbuf;
    if (!strcmp(name, "userlocks")) return sk->userlocks;
    if (!strcmp(name, "window_clamp")) return tp->window_clamp;
    if (!strcmp(name, "rcv_ssthresh")) return tp->rcv_ssthresh;
    if (!strcmp(name, "rcv_space")) return tp->rcvq_space.space;
    if (!strcmp(name, "rcv_wnd")) return tp->rcv_wnd;
    if (!strcmp(name, "rcv_wscale")) return tp->rcv_wscale;
    if (!strcmp(name, "rcv_rtt")) return tp->rcv_rtt_est.rtt_us >> 3;
    if (!strcmp(name, "snd_cwnd")) return tp->snd_cwnd;
    die(s, "unknown field", l);
    return 0;
}

/* Pop n frames (exactly what was sent since the last look), all bare ACKs; the last
 * one's window field must be want (< 0: any). edges: right edges never move left. */
static void pop_acks(struct scr *s, const char *l, int n, long want, bool edges)
{
    char msg[160];
    if ((int)fx_tx_count(f) != n) {
        snprintf(msg, sizeof(msg), "%u segments were sent, not %d", fx_tx_count(f), n);
        die(s, msg, l);
    }
    unsigned win = 0;
    for (int i = 0; i < n; i++) {
        struct fx_frame fr;
        struct fx_ipv4 ip;
        fx_tx_pop_frame(f, &fr);
        if (!fx_parse_ipv4(fr.data, fr.len, &ip) || ip.proto != IPPROTO_TCP) { free(fr.data); die(s, "not TCP", l); }
        const uint8_t *th = ip.payload;
        struct tcp_opts o;
        tcp_parse_options(th + TCP_HLEN, tcp_doff(th) - TCP_HLEN, false, &o);
        if (o.ts_ok) s->last_tsval = o.ts_val;
        bool bare = th[TCP_OFF_FLAGS] == TCP_FLAG_ACK && ip.plen == tcp_doff(th);
        win = tcp_window(th);
        uint32_t edge = tcp_ack_seq(th) + (win << tcp_sk(s->sk)->rcv_wscale);
        bool back = edges && last_edge && seq_before(edge, last_edge);
        free(fr.data);
        if (!bare) die(s, "a segment other than a bare ACK", l);
        if (back) die(s, "the right edge moved left", l);
        if (edges) last_edge = edge;
    }
    snprintf(msg, sizeof(msg), "the last ACK's window is %u", win);
    if (want >= 0 && win != (unsigned)want) die(s, msg, l);
}

static void sockopt_line(struct scr *s, int opt, int v)
{
    ck_assert_int_eq(sock_setsockopt(s->sk ? s->sk : s->lsk, opt, v), 0);
}

static bool rcvbuf_line(struct scr *s, const char *l, const char *w)
{
    char name[96] = "", text[128] = "";
    long v = 0;
    int n = 0, k = 0;
    if (sscanf(w, "sysctl %95s %n", name, &k) == 1 && k) {
        struct sysctl_entry *e = sysctl_find(f->net, name);
        if (!e || sysctl_write(f->net, e, w + k)) die(s, "sysctl", l);
        return true;
    }
    if (!strcmp(w, "nop")) return true;              /* time passes */
    if (sscanf(w, "so_rcvbuf %ld", &v) == 1) { sockopt_line(s, SO_RCVBUF, (int)v); return true; }
    if (sscanf(w, "so_sndbuf %ld", &v) == 1) { sockopt_line(s, SO_SNDBUF, (int)v); return true; }
    if (sscanf(w, "readn %ld", &v) == 1) {
        static uint8_t buf[65536];
        if (v <= 0 || v > (long)sizeof(buf) || sock_recvfrom(s->sk, buf, (size_t)v, NULL) != v) die(s, "short read", l);
        return true;
    }
    if (sscanf(w, "acks %d %95s", &n, name) == 2 || sscanf(w, "edges %d %95s", &n, name) == 2) {
        pop_acks(s, l, n, name[0] == '*' ? -1 : strtol(name, NULL, 10), w[0] == 'e');
        return true;
    }
    if (sscanf(w, "check %95s %ld", name, &v) == 2) {
        long got = tp_field(s, l, name);
        char msg[128];
        snprintf(msg, sizeof(msg), "%s is %ld", name, got);
        if (got != v) die(s, msg, l);
        return true;
    }
    bool lacks = sscanf(w, "info_lacks %127[^\n]", text) == 1;
    if (lacks || sscanf(w, "info_has %127[^\n]", text) == 1) {
        char info[1024];
        sock_get_info(s->sk, info, sizeof(info), 0);
        if (!strstr(info, text) != lacks) die(s, info, l);
        return true;
    }
    return false;
}

static void setup(void) { rcvbuf_setup(); last_edge = 0; }
static void teardown(void) { rcvbuf_teardown(); }

/* A flight of count 1448-byte segments from *seq (relative), the first after gap, all
 * echoing our last TSval (a peer that answers our last ACK). */
static size_t flight(char *sc, size_t n, const char *gap, uint32_t *seq, int count, unsigned tsval)
{
    for (int i = 0; i < count; i++, *seq += 1448)
        n += (size_t)sprintf(sc + n, "%s < . %u(1448) ack 1 win 1000 <nop,nop,TS val %u ecr *>\n",
                             i ? "+0" : gap, *seq, tsval);
    return n;
}

/* ---- the sysctls -------------------------------------------------------------------- */

static const char *show(struct net *net, const char *name)
{
    static char buf[64];
    struct sysctl_entry *e = sysctl_find(net, name);
    ck_assert_ptr_nonnull(e);
    sysctl_format(e, buf, sizeof(buf));
    return buf;
}

/* Linux's defaults; a write sets the values given from the first (proc_dointvec on a
 * vector); each must be an int of at least 1 (extra1 = SYSCTL_ONE), else EINVAL and
 * nothing changes; each namespace has its own. */
START_TEST(test_sysctl_vectors)
{
    struct net *net = f->net;
    struct sysctl_entry *rm = sysctl_find(net, "net.ipv4.tcp_rmem");
    ck_assert_str_eq(show(net, "net.ipv4.tcp_rmem"), "4096\t131072\t6291456");
    ck_assert_str_eq(show(net, "net.ipv4.tcp_wmem"), "4096\t16384\t4194304");
    ck_assert_str_eq(show(net, "net/ipv4/tcp_moderate_rcvbuf"), "1");
    ck_assert_int_eq(sysctl_write(net, rm, "8192 262144 8388608"), 0);
    ck_assert_str_eq(show(net, "net.ipv4.tcp_rmem"), "8192\t262144\t8388608");
    ck_assert_int_eq(sysctl_write(net, rm, "4096\t131072\t6291456\n"), 0);     /* echo's form */
    ck_assert_str_eq(show(net, "net.ipv4.tcp_rmem"), "4096\t131072\t6291456");
    ck_assert_int_eq(sysctl_write(net, rm, "  5000"), 0);                      /* the first only */
    ck_assert_str_eq(show(net, "net.ipv4.tcp_rmem"), "5000\t131072\t6291456");
    static const char *const bad[] = { "", "   ", "0 131072 6291456", "4096 -1 6291456", "4096 131072 abc",
        "4096,131072,6291456", "4096 131072 6291456 7", "4096 131072 2147483648", "12x", "4096 131072 6291456x" };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        ck_assert_msg(sysctl_write(net, rm, bad[i]) == -EINVAL, "\"%s\" was taken", bad[i]);
        ck_assert_str_eq(show(net, "net.ipv4.tcp_rmem"), "5000\t131072\t6291456");
    }
    struct sysctl_entry *mod = sysctl_find(net, "net.ipv4.tcp_moderate_rcvbuf");
    ck_assert_int_ne(sysctl_write(net, mod, "2"), 0);
    ck_assert_int_eq(sysctl_write(net, mod, "0"), 0);
    /* another namespace keeps Linux's defaults */
    struct net *other = fx_add_net(f, "other");
    ck_assert_ptr_nonnull(other);
    ck_assert_str_eq(show(other, "net.ipv4.tcp_rmem"), "4096\t131072\t6291456");
    ck_assert_str_eq(show(other, "net.ipv4.tcp_moderate_rcvbuf"), "1");
    /* the pair kind still wants both, in order */
    struct sysctl_entry *pr = sysctl_find(net, "net.ipv4.ip_local_port_range");
    ck_assert_int_eq(sysctl_write(net, pr, "2000"), -EINVAL);
    ck_assert_int_eq(sysctl_write(net, pr, "3000 2000"), -EINVAL);
    ck_assert_int_eq(sysctl_write(net, pr, "2000 3000"), 0);
    ck_assert_str_eq(show(net, "net.ipv4.ip_local_port_range"), "2000\t3000");
}
END_TEST

/* ---- the first window ----------------------------------------------------------------- */

/* Passive open, defaults: the SYN-ACK offers tcp_rmem[1] / 2 = 65536 rounded down to
 * whole segments of 1448 (the MSS less the timestamps): 45 * 1448 = 65160, as Linux's
 * SYN-ACK; the scale 7 from tcp_rmem[2] (ilog2(6291456) - 15). Established
 * (tcp_init_buffer_space): window_clamp = 65536 less one advmss = 64076, rcv_ssthresh
 * min(65160, 64076), rcv_space min(.., 10 * 1460). The free window after a 100-byte
 * segment is 64076 -> 64128 (501 units), but the last offer still reaches 65160 - 100
 * = 65060 bytes past rcv_nxt: the edge stays, 65060 rounded up to 128 = 65152 (509). */
START_TEST(test_initial_window_passive)
{
    run_script(PASSIVE_OPEN
        "+0 check rcv_wscale 7\n"
        "+0 check rcvbuf 131072\n"
        "+0 check window_clamp 64076\n"
        "+0 check rcv_ssthresh 64076\n"
        "+0 check rcv_space 14600\n"
        "+0 check rcv_wnd 65160\n"
        "+0.010 < P. 1(100) ack 1 win 512\n"
        "+0 > . 1(0) ack 101 win 509\n");
}
END_TEST

/* Active open with tcp_rmem = 4096 262144 33554432: the SYN offers at most 65535
 * unscaled (131072 / 2 rounded to 1460s is 129940), scale ilog2(33554432) - 15 = 10.
 * Established: clamp 131072 - 1460 = 129612, rcv_ssthresh 65535; the ACK's window is
 * 65535 rounded up to 1024 = 65536, 64 units. */
START_TEST(test_initial_window_active_rmem)
{
    run_script(
        "0 sysctl net.ipv4.tcp_rmem 4096 262144 33554432\n"
        "0.000 connect 80\n"
        "0.000 > S 0(0) win 65535 <mss 1460,sackOK,TS val * ecr *,wscale 10>\n"
        "+0 check rcvbuf 262144\n"
        "+0.020 < S. 0(0) ack 1 win 65535 " SYN_OPTS "\n"
        "+0 > . 1(0) ack 1 win 64\n"
        "+0 check window_clamp 129612\n"
        "+0 check rcv_ssthresh 65535\n");
}
END_TEST

/* A small tcp_rmem: tcp_rmem[1] = 16384 gives 8192 of window, 5 * 1460 = 7300; the
 * scale comes from the largest buffer possible, net.core.rmem_max (212992) here being
 * above tcp_rmem[2]: ilog2(212992) - 15 = 2. Nothing fixed the buffer, so the clamp is
 * all the scale can express, 65535 << 2 (tcp_connect_init sets it from the buffer only
 * under SO_RCVBUF). */
START_TEST(test_initial_window_small_rmem)
{
    run_script(
        "0 sysctl net.ipv4.tcp_rmem 4096 16384 65536\n"
        "0.000 connect 80\n"
        "0.000 > S 0(0) win 7300 <mss 1460,sackOK,TS val * ecr *,wscale 2>\n"
        "+0 check window_clamp 262140\n");
}
END_TEST

/* A peer without window scaling: no scale, the clamp 65535 (then 64076 as above), and
 * an unscaled window: a whole number of rcv_mss (536) below the free space, 63784,
 * again raised to the edge already offered: 65160 - 100 = 65060. */
START_TEST(test_initial_window_no_wscale)
{
    run_script(
        "0.000 listen 8080\n"
        "0.000 < S 0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0>\n"
        "0.000 > S. 0(0) ack 1 win 65160 <mss 1460,sackOK,TS val * ecr *>\n"
        "+0.010 < . 1(0) ack 1 win 65535 <nop,nop,TS val 110 ecr *>\n"
        "+0 accept\n"
        "+0 check rcv_wscale 0\n"
        "+0 check window_clamp 64076\n"
        "+0.010 < P. 1(100) ack 1 win 65535 <nop,nop,TS val 120 ecr *>\n"
        "+0 > . 1(0) ack 101 win 65060\n");
}
END_TEST

/* ---- autotuning during a bulk receive ------------------------------------------------- */

/* The peer's flights, 20 ms apart (its RTT as we measure it from the TSval it echoes:
 * our last ACK went 20 ms before), the application reading each 1 ms after it came:
 *   0.020  10 segments; each ACKed at once (quick ACKs); read 14480 at 0.021: only
 *          11 ms since the measure began at 0.010, less than the 20 ms RTT
 *   0.040  20 segments: 6 quick ACKs, then one per two full segments (7); read 28960 at
 *          0.041: 31 ms, 43440 read, more than rcv_space 14600: tcp_rcv_space_adjust
 *            rcvwin = 2 * 43440 + 16 * 1460                       = 110240
 *                   + 2 * (110240 * (43440 - 14600) / 14600)      = 2 * 217761
 *                   = 545762; rcvbuf = 2 * rcvwin = 1091524, window_clamp 545762
 *   0.060  30 segments: now below the clamp, each grows rcv_ssthresh by 2 * advmss
 *          (its overhead T / 2 <= 1448) and is ACKed at once: 64076 + 30 * 2920 =
 *          151676, the last window 151676 rounded up to 128: 151680 = 1185 units */
static size_t bulk_two_flights(char *sc, const char *first_lines, const char *after_read2, uint32_t *seq)
{
    size_t n = (size_t)sprintf(sc, "%s", first_lines);
    n = flight(sc, n, "+0.010", seq, 10, 120);
    n += (size_t)sprintf(sc + n, "+0 acks 10 *\n+0 check rcv_rtt 20000\n+0.001 read 14480\n+0 check rcvbuf %s\n",
                         "131072");
    n = flight(sc, n, "+0.019", seq, 20, 140);
    return n + (size_t)sprintf(sc + n, "+0 acks 13 *\n+0.001 read 28960\n+0 acks 0 *\n%s", after_read2);
}

static void bulk_script(char *sc, const char *first_lines, const char *after_read2, const char *after_round3)
{
    uint32_t seq = 1;
    size_t n = bulk_two_flights(sc, first_lines, after_read2, &seq);
    n = flight(sc, n, "+0.019", &seq, 30, 160);
    sprintf(sc + n, "%s", after_round3);
}

/* The `ss -i` line as iproute2 prints struct tcp_info (tcp_diag.c): its fields in
 * tcp_stats_print's order, each left out while 0 -- ato until data has come in (Linux
 * sets icsk_ack.ato on the first data), lastsnd/lastrcv/lastack in ms of idle time, the
 * rate cwnd allows ("send", 10 * 1448 * 8 bits per 10 ms RTT = 11.6 Mbit/s) with 3
 * significant digits, bytes and segments with data each way, bytes sent again (by the
 * tail loss probe: in the total, not in flight as retransmitted, as Linux's
 * tcp_send_loss_probe leaves retrans_out). */
START_TEST(test_ss_info_line)
{
    run_script(PASSIVE_OPEN
        "+0 info_has ts sack cubic wscale:7,7 rto:210 rtt:10/5 mss:1448 pmtu:1500 rcvmss:536 advmss:1460 cwnd:10 segs_out:1 segs_in:1 send 11.6Mbps unacked:1 rcv_ssthresh:64076 snd_wnd:65536 rcv_wnd:64256\n"
        "+0 info_lacks ato:\n"
        "+0.100 < P. 1(100) ack 1 win 512 <nop,nop,TS val 200 ecr *>\n"
        "+0 > . 1(0) ack 101 <nop,nop,TS val * ecr 200>\n"
        "+0 read 100\n"
        "+0.010 write 1000\n"
        "+0 > P. 1(1000) ack 101\n"
        "+0.210 > P. 1(1000) ack 101\n"
        "+0.005 info_has rtt:10/5 ato:40 mss:1448\n"
        "+0 info_has bytes_sent:2000 bytes_retrans:1000 bytes_received:100 segs_out:4 segs_in:2 data_segs_out:2 data_segs_in:1\n"
        "+0 info_has lastsnd:5 lastrcv:225 lastack:225 delivered:1 unacked:1 retrans:0/1\n"
        "+0.010 < . 101(0) ack 1001 win 512 <nop,nop,TS val 210 ecr *>\n"
        "+0 info_lacks lastack:\n"
        "+0 info_lacks unacked:\n");
}
END_TEST

START_TEST(test_autotune_bulk)
{
    char *sc = malloc(65536);
    bulk_script(sc, PASSIVE_OPEN,
                "+0 check rcvbuf 1091524\n+0 check window_clamp 545762\n+0 check rcv_space 43440\n",
                "+0 acks 30 1185\n+0 check rcv_ssthresh 151676\n+0 check rcv_rtt 20000\n"
                "+0 info_has rcv_rtt:20 rcv_space:43440 rcv_ssthresh:151676\n");
    run_script(sc);
    free(sc);
}
END_TEST

/* SO_RCVBUF before listen (65536, doubled: the same 131072 as the default) locks the
 * buffer (SOCK_RCVBUF_LOCK, inherited by the child): the same flights leave rcvbuf,
 * the clamp and rcv_ssthresh where the handshake put them, so the third flight grows
 * nothing and, the quick ACKs spent, is ACKed every second segment (15). The lock
 * also limits the scale to what the fixed buffer needs: ilog2(65536) - 15 = 1. */
START_TEST(test_so_rcvbuf_locks)
{
    char *sc = malloc(65536);
    bulk_script(sc,
        "0.000 listen 8080\n"
        "0.000 so_rcvbuf 65536\n"
        "0.000 < S 0(0) win 65535 " SYN_OPTS "\n"
        "0.000 > S. 0(0) ack 1 win 65160 <mss 1460,sackOK,TS val * ecr *,wscale 1>\n"
        "+0.010 < . 1(0) ack 1 win 512 <nop,nop,TS val 110 ecr *>\n"
        "+0 accept\n"
        "+0 check userlocks 2\n"
        "+0 check window_clamp 64076\n",
        "+0 check rcvbuf 131072\n+0 check window_clamp 64076\n+0 check rcv_space 43440\n",
        "+0 acks 15 *\n+0 check rcv_ssthresh 64076\n+0 check rcvbuf 131072\n");
    run_script(sc);
    free(sc);
}
END_TEST

/* net.ipv4.tcp_moderate_rcvbuf = 0: the measure goes on (rcv_space), the buffer stays. */
START_TEST(test_moderate_rcvbuf_off)
{
    char *sc = malloc(65536);
    bulk_script(sc, "0 sysctl net.ipv4.tcp_moderate_rcvbuf 0\n" PASSIVE_OPEN,
                "+0 check rcvbuf 131072\n+0 check window_clamp 64076\n+0 check rcv_space 43440\n",
                "+0 acks 15 *\n+0 check rcv_ssthresh 64076\n");
    run_script(sc);
    free(sc);
}
END_TEST

/* bulk_script with the third flight's first segment lost and sent again last: mid
 * after the 29 others (held out of order), end after the hole is filled. */
static void bulk_script_hole(char *sc, const char *first_lines, const char *after_read2, const char *mid,
                             const char *end)
{
    uint32_t seq = 1;
    size_t n = bulk_two_flights(sc, first_lines, after_read2, &seq);
    uint32_t hole = seq;
    seq += 1448;
    n = flight(sc, n, "+0.019", &seq, 29, 160);
    n += (size_t)sprintf(sc + n, "%s", mid);
    n = flight(sc, n, "+0.001", &hole, 1, 160);
    sprintf(sc + n, "%s", end);
}

/* Out-of-order data grows the window too (Linux tcp_data_queue_ofo calls
 * tcp_grow_window on a SACK connection). The bulk receive above, its third flight's
 * first segment lost: the 29 after it are held, each answered at once with a SACK, and
 * each grows rcv_ssthresh by 2 * advmss as in-order data would: 64076 + 29 * 2920 =
 * 148756, offered as 148864 (1163 units). The hole filled, the window is where the
 * in-order flight left it: 151676 (1185). Without the growth it would stay at 64076
 * while the sender repairs the loss. */
START_TEST(test_ofo_grows_window)
{
    char *sc = malloc(65536);
    bulk_script_hole(sc, PASSIVE_OPEN, "+0 check window_clamp 545762\n+0 check rcv_ssthresh 64076\n",
                     "+0 acks 29 1163\n+0 check rcv_ssthresh 148756\n",
                     "+0 acks 1 1185\n+0 check rcv_ssthresh 151676\n");
    run_script(sc);
    free(sc);
}
END_TEST

/* The same loss without SACK: held data leaves the window alone, so that the peer sees
 * true duplicate ACKs (same window, RFC 5681 §2) and retransmits; only the segment that
 * fills the hole grows it, by one step: 64076 + 2920 = 66996. The duplicate ACKs offer
 * 64076 rounded up to 128: 501 units. */
START_TEST(test_ofo_no_sack_keeps_window)
{
    char *sc = malloc(65536);
    bulk_script_hole(sc,
        "0.000 listen 8080\n"
        "0.000 < S 0(0) win 65535 <mss 1460,TS val 100 ecr 0,nop,wscale 7>\n"
        "0.000 > S. 0(0) ack 1 win 65160 <mss 1460,TS val * ecr *,wscale 7>\n"
        "+0.010 < . 1(0) ack 1 win 512 <nop,nop,TS val 110 ecr *>\n"
        "+0 accept\n", "+0 check rcv_ssthresh 64076\n",
        "+0 acks 29 501\n+0 check rcv_ssthresh 64076\n",
        "+0 acks 1 *\n+0 check rcv_ssthresh 66996\n");
    run_script(sc);
    free(sc);
}
END_TEST

/* Without timestamps the receiver times a window: from the first data (0.020) until
 * rcv_nxt passes where the window then offered ended (1 + 1460 + 64240 = 65701,
 * reached by the 45th segment, in the third flight at 0.060): 40 ms. Flights of 15, 16
 * and 17 segments 20 ms apart, each read at once; ACKs: 15 quick ones, then 1 quick
 * and one per two segments (7, the 16th left for the delayed-ACK timer), then one
 * at once for that and the first of the third flight, and 8 more. */
START_TEST(test_rcv_rtt_per_window)
{
    char *sc = malloc(65536);
    size_t n = (size_t)sprintf(sc,
        "0.000 listen 8080\n"
        "0.000 < S 0(0) win 65535 <mss 1460,sackOK,nop,wscale 7>\n"
        "0.000 > S. 0(0) ack 1 win 64240 <mss 1460,sackOK,wscale 7>\n"
        "+0.010 < . 1(0) ack 1 win 512\n"
        "+0 accept\n");
    uint32_t seq = 1;
    static const int acks[3] = { 15, 8, 9 };
    for (int r = 0; r < 3; r++) {
        for (int i = 0; i < 15 + r; i++, seq += 1460)
            n += (size_t)sprintf(sc + n, "%s < . %u(1460) ack 1 win 1000\n", i ? "+0" : "+0.010", seq);
        n += (size_t)sprintf(sc + n, "+0 acks %d *\n+0 read %u\n+0 check rcv_rtt %d\n+0.010 nop\n",
                             acks[r], (15 + r) * 1460, r < 2 ? 0 : 40000);
    }
    sprintf(sc + n, "+0 check rcv_rtt 40000\n");
    run_script(sc);
    free(sc);
}
END_TEST

/* ---- the window never shrinks; silly windows ------------------------------------------- */

/* 40 segments of 100 bytes never read: each costs the buffer a whole 2 KiB packet
 * (1112 bytes of window) but takes only 100 of the sequence space, so what the free
 * space allows (65536 - 40 * 1112 = 21056 at the end) falls far below the offer. The
 * right edge never moves left (RFC 9293 §3.8.6.2.2): each ACK offers what the last
 * one still offered, 65152 - 100, rounded up to the scale's 128: 65152 again (509). */
START_TEST(test_window_never_shrinks)
{
    char *sc = malloc(65536);
    size_t n = (size_t)sprintf(sc, "%s", PASSIVE_OPEN);
    for (uint32_t i = 0, seq = 1; i < 40; i++, seq += 100)
        n += (size_t)sprintf(sc + n, "+0.050 < P. %u(100) ack 1 win 512\n+0.045 edges 1 509\n", seq);
    sprintf(sc + n, "+0 check rcv_wnd 65152\n+0 check rcv_ssthresh 64076\n");
    run_script(sc);
    free(sc);
    ck_assert_uint_eq(40 * (TRUESIZE_1448 / 2), 65536 - 21056);
}
END_TEST

/* RFC 1122 4.2.3.3 with a buffer fixed at 8000 bytes (SO_RCVBUF 4000): window 4000,
 * the SYN-ACK offers 2 * 1448 = 2896, scale 0 (ilog2(4000) - 15 < 0); clamp 4000, then
 * max(2 * 1460, 4000 - 1460) = 2920. Segments of 1000 bytes (rcv_mss 1000), each held
 * in T bytes (2000 < T <= 2540):
 *   1st: free (8000 - T) / 2 in [2730, 3000): 2 segments' worth, 2000
 *   2nd: free 4000 - T in [1460, 2000): 1000, which is where the edge already was
 *   3rd: free (8000 - 3T) / 2 < 1000 and below half of 2920: offered as 0, not as a
 *        window smaller than a segment (and quick ACKs stop)
 * Reading 300 bytes frees nothing (the packet is held whole): no update. Reading the
 * other 700 frees the packet: a whole segment (1000) opens, and is announced. */
START_TEST(test_silly_window_avoidance)
{
    ck_assert_msg(TRUESIZE_1448 > 2000 && TRUESIZE_1448 <= 2540, "the scenario assumes 2000 < T <= 2540");
    run_script(
        "0.000 listen 8080\n"
        "0.000 so_rcvbuf 4000\n"
        "0.000 < S 0(0) win 65535 " SYN_OPTS "\n"
        "0.000 > S. 0(0) ack 1 win 2896 <mss 1460,sackOK,TS val * ecr *,wscale 0>\n"
        "+0.010 < . 1(0) ack 1 win 512 <nop,nop,TS val 110 ecr *>\n"
        "+0 accept\n"
        "+0 check window_clamp 2920\n"
        "+0 check rcv_ssthresh 2896\n"
        "+0.010 < P. 1(1000) ack 1 win 512\n"
        "+0 > . 1(0) ack 1001 win 2000\n"
        "+0.010 < P. 1001(1000) ack 1 win 512\n"
        "+0 > . 1(0) ack 2001 win 1000\n"
        "+0.010 < P. 2001(1000) ack 1 win 512\n"
        "+0 > . 1(0) ack 3001 win 0\n"
        "+0.010 readn 300\n"
        "+0.010 readn 700\n"
        "+0 > . 1(0) ack 3001 win 1000\n");
}
END_TEST

/* The rules of __tcp_select_window one by one, on a socket built by hand: buffer
 * 131072 (window 65536, a sixteenth 4096), clamp and rcv_ssthresh 64076, rcv_mss 1448.
 * rmem is set so that the free window (rcvbuf - rmem) / 2 is the number wanted. */
static uint32_t win_at(struct tcp_sock *tp, uint32_t free_win)
{
    tp->sk.rmem = 131072 - 2 * free_win;
    return tcp_window_from_free_space(tp);
}

START_TEST(test_select_window_rules)
{
    static struct tcp_sock tp;
    memset(&tp, 0, sizeof(tp));
    tp.sk.rcvbuf = 131072;
    tp.window_clamp = tp.rcv_ssthresh = 64076;
    tp.rcv_mss = 1448;
    tp.rcv_wscale = 7;
    tp.quick = 3;
    ck_assert_uint_eq(win_at(&tp, 65536), 64128);       /* rcv_ssthresh, up to 128 */
    ck_assert_uint_eq(win_at(&tp, 40000), 40064);       /* the free space, up to 128 */
    ck_assert_uint_eq(tp.quick, 3);
    ck_assert_uint_eq(win_at(&tp, 30000), 29952);       /* below half: down to 128, quick ACKs stop */
    ck_assert_uint_eq(tp.quick, 0);
    ck_assert_uint_eq(win_at(&tp, 4200), 4096);
    ck_assert_uint_eq(win_at(&tp, 4000), 0);            /* silly: below a sixteenth */
    tp.rcv_mss = 8000;
    ck_assert_uint_eq(win_at(&tp, 7000), 0);            /* silly: below a segment */
    ck_assert_uint_eq(win_at(&tp, 40000), 40064);       /* a segment, and half free: offered */
    /* unscaled: whole segments, or the last offer kept while within one segment */
    tp.rcv_wscale = 0;
    tp.rcv_mss = 1448;
    tp.rcv_wnd = 0;
    ck_assert_uint_eq(win_at(&tp, 40000), 39096);       /* 27 * 1448 */
    tp.rcv_wnd = 39000;
    ck_assert_uint_eq(win_at(&tp, 40000), 39000);
    tp.rcv_wnd = 38000;
    ck_assert_uint_eq(win_at(&tp, 40000), 39096);
    /* tcp_select_window: the right edge stays where the last offer put it */
    tp.rcv_wscale = 7;
    tp.rcv_wup = 1000;
    tp.rcv_wnd = 60000;
    tp.rcv_nxt = 2000;                                  /* 59000 still offered */
    tp.sk.rmem = 131072 - 2 * 20000;
    ck_assert_uint_eq(tcp_select_window(&tp), 59008);   /* 59000 up to 128, not 19968 */
    ck_assert_uint_eq(tp.rcv_wup, 2000);
    ck_assert_uint_eq(tp.rcv_wnd, 59008);
    tp.sk.rmem = 0;
    tp.rcv_nxt = 3000;
    ck_assert_uint_eq(tcp_select_window(&tp), 64128);   /* more room: the edge moves on */
}
END_TEST

/* ---- the send buffer ------------------------------------------------------------------ */

/* tcp_wmem[1] (16384) until established, then 2 * max(10, cwnd) segments of one 2 KiB
 * buffer each (1460 + headroom fits 2048) plus the packet header; an ACK that leaves
 * cwnd unfilled lets it follow cwnd. cwnd is 10 after the handshake, as Linux's (the
 * ACK of our SYN-ACK does not grow it: nothing was in flight to fill it); slow start
 * takes it from 10 to 20 with the ACK of 10 segments. SO_SNDBUF fixes it. */
START_TEST(test_sndbuf_expand)
{
    char *sc = malloc(16384);
    size_t n = (size_t)sprintf(sc, "0.000 listen 8080\n+0 check sndbuf 16384\n%s"
                               "+0 check snd_cwnd 10\n+0 check sndbuf %u\n+0.010 write 14480\n",
                               PASSIVE_OPEN + strlen("0.000 listen 8080\n"), 2 * 10 * TRUESIZE_1448);
    for (uint32_t i = 0; i < 10; i++)
        n += (size_t)sprintf(sc + n, "+0 > %s %u(1448) ack 1\n", i == 9 ? "P." : ".", 1 + i * 1448);
    sprintf(sc + n, "+0.010 < . 1(0) ack 14481 win 1000 <nop,nop,TS val 120 ecr *>\n"
                    "+0 check snd_cwnd 20\n+0 check sndbuf %u\n", 2 * 20 * TRUESIZE_1448);
    run_script(sc);
    free(sc);
}
END_TEST

START_TEST(test_so_sndbuf_locks)
{
    run_script(
        "0.000 listen 8081\n"
        "0.000 so_sndbuf 10000\n"
        "0.000 < S 0(0) win 65535 " SYN_OPTS "\n"
        "0.000 > S. 0(0) ack 1 win 65160 " OUR_SYN_OPTS "\n"
        "+0.010 < . 1(0) ack 1 win 512 <nop,nop,TS val 110 ecr *>\n"
        "+0 accept\n"
        "+0 check sndbuf 20000\n"
        "+0 check userlocks 1\n"
        "+0.010 write 1000\n"
        "+0 > P. 1(1000) ack 1\n"
        "+0.010 < . 1(0) ack 1001 win 1000 <nop,nop,TS val 120 ecr *>\n"
        "+0 check sndbuf 20000\n");
}
END_TEST

Suite *tcp_rcvbuf_suite(void)
{
    Suite *s = suite_create("tcp_rcvbuf");
    TCase *tc = tcase_create("rcvbuf");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_sysctl_vectors);
    tcase_add_test(tc, test_ss_info_line);
    tcase_add_test(tc, test_initial_window_passive);
    tcase_add_test(tc, test_initial_window_active_rmem);
    tcase_add_test(tc, test_initial_window_small_rmem);
    tcase_add_test(tc, test_initial_window_no_wscale);
    tcase_add_test(tc, test_autotune_bulk);
    tcase_add_test(tc, test_so_rcvbuf_locks);
    tcase_add_test(tc, test_moderate_rcvbuf_off);
    tcase_add_test(tc, test_ofo_grows_window);
    tcase_add_test(tc, test_ofo_no_sack_keeps_window);
    tcase_add_test(tc, test_rcv_rtt_per_window);
    tcase_add_test(tc, test_window_never_shrinks);
    tcase_add_test(tc, test_silly_window_avoidance);
    tcase_add_test(tc, test_select_window_rules);
    tcase_add_test(tc, test_sndbuf_expand);
    tcase_add_test(tc, test_so_sndbuf_locks);
    suite_add_tcase(s, tc);
    return s;
}

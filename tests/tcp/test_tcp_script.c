/*
 * tests/tcp/test_tcp_script.c — TCP scenarios as scripts in a packetdrill-like form,
 * run in-process on the fixture's fake wire (no TAP) with the virtual clock.
 *
 * One line per event:  TIME ACTION
 *   TIME      seconds: "0.200" from the script's start, "+0.040" after the last line
 *   socket    listen PORT | socket | connect PORT | accept | write N [oob|more] |
 *             read N|ERRNO_NAME | read_from SEQ N | read_oob CHAR|ERRNO_NAME | read_eof |
 *             shutdown_wr | close | state NAME | error ERRNO_NAME | rcvbuf BYTES |
 *             setsockopt NAME VALUE [ERRNO_NAME] | getsockopt NAME VALUE |
 *             poll none|READ,WRITE,PRI
 *             ("socket" makes the connection's socket before "connect", for options;
 *             read_from checks the bytes too: the peer's from relative SEQ on; option
 *             names are Linux's (TCP_NODELAY, SO_LINGER with VALUE "onoff,secs",
 *             TCP_CONGESTION with a name); the options go to the connection, else the
 *             listener)
 *   <         a segment the peer (10.0.0.1:40000) sends us:  < FLAGS SEQ(LEN) [ack A]
 *             [win W] [urg P] [<opt,opt...>]
 *   >         a segment we must have sent at exactly TIME, same form; fields left out
 *             are not checked; options compared by kind and value (NOPs ignored), a
 *             value "*" matches any; "sack S:E S:E" lists SACK blocks (relative to
 *             the ISN of the side whose data they describe), none meaning no SACK option
 * FLAGS: S F R P U and "." for ACK. Sequence numbers are relative: the peer's to its
 * ISN (PEER_ISN), ours to the ISN of our first SYN (learned from it); acks the other way.
 * After the last line nothing more may have been sent.
 *
 * Each run also writes its capture, every segment injected and every frame sent with
 * the virtual time, to build/tcp-scripts/TEST.pcap (the directory of the unit_tests
 * binary, or $TCP_SCRIPT_PCAP_DIR; TEST-2.pcap for a test's second run): `tcpdump -r`
 * shows a scenario, also one that failed (records are flushed as they are written).
 */
#include "tests/fx_check.h"
#include "tests/tcp/tcp_script.h"
#include "tcp/tcp.h"
#include "tcp/tcp_wire.h"
#include "net/sock.h"
#include "net/csum.h"
#include "shell/pcap_file.h"
#include "tcp/tcp_sockopt.h"
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define PEER_PORT 40000
#define PEER_ISN  1000000u

struct scr {
    uint64_t start, t;              /* clock at the start, time of the current line */
    struct sock *lsk, *sk;
    uint32_t our_isn;
    bool     isn_known;
    uint16_t port, peer_port;       /* ours; the peer's (40000, or what we connect to) */
    uint32_t last_tsval;            /* our last TSval seen (for "ecr *") */
    int      line;
    FILE    *pcap;                  /* the run's capture (NULL: none could be written) */
    uint64_t kept_seen;             /* sent frames already written (f->tx_total - tx_lost) */
};

/* The last run's capture, for the tests of the capture itself. */
static char script_pcap_path[PATH_MAX];
static unsigned script_pcap_frames;

/* ---- the run's capture ---- */

/* build/tcp-scripts (next to the test binary) unless $TCP_SCRIPT_PCAP_DIR says. */
static void script_pcap_dir(char *dir, size_t n)
{
    const char *env = getenv("TCP_SCRIPT_PCAP_DIR");
    char exe[PATH_MAX];
    ssize_t k = env ? -1 : readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (env) snprintf(dir, n, "%s", env);
    else if (k > 0) { exe[k] = '\0'; snprintf(dir, n, "%s/tcp-scripts", dirname(exe)); }
    else snprintf(dir, n, "tcp-scripts");
}

/* TEST.pcap, TEST-2.pcap for the same test's next run (a test may run several). */
static void script_pcap_open(struct scr *s)
{
    static char last_test[128];
    static unsigned runs;
    const char *test = tcase_name();
    if (!test) test = "script";
    if (strcmp(last_test, test)) { snprintf(last_test, sizeof(last_test), "%s", test); runs = 0; }
    runs++;
    char dir[PATH_MAX - 160];
    script_pcap_dir(dir, sizeof(dir));
    mkdir(dir, 0777);                                 /* may exist */
    if (runs == 1) snprintf(script_pcap_path, sizeof(script_pcap_path), "%s/%s.pcap", dir, test);
    else snprintf(script_pcap_path, sizeof(script_pcap_path), "%s/%s-%u.pcap", dir, test, runs);
    script_pcap_frames = 0;
    s->kept_seen = f->tx_total - f->tx_lost;
    s->pcap = fopen(script_pcap_path, "wb");
    /* the classic format (pcap-savefile(5)): magic, version 2.4, zone 0, sigfigs 0,
     * snaplen, Ethernet; then records of seconds, microseconds, caplen, len */
    const uint32_t hdr[6] = { 0xa1b2c3d4u, 2u | 4u << 16, 0, 0, 262144, 1 };
    if (s->pcap && fwrite(hdr, sizeof(hdr), 1, s->pcap) != 1) { fclose(s->pcap); s->pcap = NULL; }
}

static void script_pcap_write(struct scr *s, uint64_t at_us, const uint8_t *frame, size_t len)
{
    if (!s->pcap) return;
    const uint32_t rec[4] = { (uint32_t)(at_us / US_PER_S), (uint32_t)(at_us % US_PER_S), (uint32_t)len, (uint32_t)len };
    if (fwrite(rec, sizeof(rec), 1, s->pcap) != 1 || fwrite(frame, 1, len, s->pcap) != len) return;
    fflush(s->pcap);                                  /* whole records, also if the script fails */
    script_pcap_frames++;
}

/* The frames sent since the last look: the newest entries of the transmit queue. */
static void script_pcap_sync(struct scr *s)
{
    uint64_t kept = f->tx_total - f->tx_lost, fresh = kept - s->kept_seen;
    unsigned n = fx_tx_count(f);
    for (unsigned i = fresh < n ? n - (unsigned)fresh : 0; i < n; i++) {
        const struct fx_frame *fr = fx_tx_peek(f, i);
        script_pcap_write(s, fr->at_us, fr->data, fr->len);
    }
    s->kept_seen = kept;
}

static void script_pcap_close(struct scr *s)
{
    script_pcap_sync(s);
    if (s->pcap) fclose(s->pcap);
    s->pcap = NULL;
}

/* A frame from the peer: into the capture, then onto the wire. */
static void script_inject(struct scr *s, const uint8_t *frame, size_t len)
{
    script_pcap_sync(s);                              /* what was sent before it */
    script_pcap_write(s, fx_now_us(f), frame, len);
    fx_inject(f, frame, len);
}

static void die(struct scr *s, const char *what, const char *l)
{
    ck_abort_msg("script line %d (%s): %s", s->line, l, what);
}

static uint8_t parse_flags(const char *w)
{
    uint8_t fl = 0;
    for (; *w; w++)
        fl |= *w == 'S' ? TCP_FLAG_SYN : *w == 'F' ? TCP_FLAG_FIN : *w == 'R' ? TCP_FLAG_RST :
             *w == 'P' ? TCP_FLAG_PSH : *w == 'U' ? TCP_FLAG_URG : *w == '.' ? TCP_FLAG_ACK : 0;
    return fl;
}

/* "<mss 1460,sackOK,TS val 5 ecr *,nop,wscale 7>" into o; *_any says a "*" was given. */
static void parse_opts(const char *txt, struct tcp_opts *o, bool *val_any, bool *ecr_any)
{
    *val_any = *ecr_any = false;
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", txt + 1);
    char *end = strchr(buf, '>');
    if (end) *end = '\0';
    memset(o, 0, sizeof(*o));
    for (char *it = strtok(buf, ","); it; it = strtok(NULL, ",")) {
        while (*it == ' ') it++;
        char v[32] = "", e[32] = "";
        if (!strncmp(it, "sack ", 5)) {
            int n = 0;
            for (const char *q = it + 5; o->num_sacks < TCP_NUM_SACKS &&
                 sscanf(q, " %u:%u%n", &o->sacks[o->num_sacks].start, &o->sacks[o->num_sacks].end, &n) == 2; q += n)
                o->num_sacks++;
        } else if (sscanf(it, "mss %hu", &o->mss) == 1) o->mss_ok = true;
        else if (!strcmp(it, "sackOK")) o->sack_ok = true;
        else if (sscanf(it, "wscale %hhu", &o->wscale) == 1) o->wscale_ok = true;
        else if (sscanf(it, "TS val %31s ecr %31s", v, e) == 2) {
            o->ts_ok = true;
            *val_any = !strcmp(v, "*");
            *ecr_any = !strcmp(e, "*");
            o->ts_val = (uint32_t)strtoul(v, NULL, 10);
            o->ts_ecr = (uint32_t)strtoul(e, NULL, 10);
        }
    }
}

struct seg_line { uint8_t flags; uint32_t seq, len, ack, win, urg; bool has_ack, has_win, has_urg, has_opts; const char *opts; };

static void parse_seg(struct scr *s, const char *l, const char *rest, struct seg_line *g)
{
    char fl[8];
    int n = 0;
    memset(g, 0, sizeof(*g));
    if (sscanf(rest, "%7s %u(%u)%n", fl, &g->seq, &g->len, &n) != 3) die(s, "bad segment", l);
    g->flags = parse_flags(fl);
    rest += n;
    const char *a = strstr(rest, "ack "), *w = strstr(rest, "win "), *o = strchr(rest, '<');
    if (a && (!o || a < o)) { g->has_ack = true; g->ack = (uint32_t)strtoul(a + 4, NULL, 10); }
    if (w && (!o || w < o)) { g->has_win = true; g->win = (uint32_t)strtoul(w + 4, NULL, 10); }
    const char *u = strstr(rest, "urg ");
    if (u && (!o || u < o)) { g->has_urg = true; g->urg = (uint32_t)strtoul(u + 4, NULL, 10); }
    if (o) { g->has_opts = true; g->opts = o; }
}

static void inject(struct scr *s, const char *l, const char *rest)
{
    struct seg_line g;
    parse_seg(s, l, rest, &g);
    uint8_t seg[TCP_HLEN + TCP_OPT_MAX + 2048];
    struct tcp_opts o = { 0 };
    bool va = false, ea = false;
    if (g.has_opts) parse_opts(g.opts, &o, &va, &ea);
    if (ea) o.ts_ecr = s->last_tsval;
    for (unsigned i = 0; i < o.num_sacks; i++) { o.sacks[i].start += s->our_isn; o.sacks[i].end += s->our_isn; }
    size_t olen = tcp_build_options(seg + TCP_HLEN, &o);
    ck_assert_uint_le(g.len, 2048);
    put_be16(seg + TCP_OFF_SPORT, s->peer_port);
    put_be16(seg + TCP_OFF_DPORT, s->port);
    put_be32(seg + TCP_OFF_SEQ, PEER_ISN + g.seq);
    put_be32(seg + TCP_OFF_ACK, g.has_ack ? s->our_isn + g.ack : 0);
    seg[TCP_OFF_DOFF] = (uint8_t)(((TCP_HLEN + olen) / 4) << 4);
    seg[TCP_OFF_FLAGS] = g.flags;
    put_be16(seg + TCP_OFF_WIN, (uint16_t)(g.has_win ? g.win : 65535));
    put_be16(seg + TCP_OFF_CSUM, 0);
    put_be16(seg + TCP_OFF_URG, (uint16_t)g.urg);
    size_t len = TCP_HLEN + olen + g.len;
    for (uint32_t i = 0; i < g.len; i++) seg[TCP_HLEN + olen + i] = (uint8_t)('a' + (g.seq + i) % 26);
    put_be16(seg + TCP_OFF_CSUM, csum_fold(csum_partial(seg, len, csum_pseudo(FX_PEER, FX_ADDR, IPPROTO_TCP, (uint16_t)len))));
    size_t flen = fx_build_ipv4(fxc_buf, sizeof(fxc_buf), FX_PEER, FX_ADDR, IPPROTO_TCP, 64, 1, 0x4000, seg, len);
    script_inject(s, fxc_buf, flen);
}

static void expect_opts(struct scr *s, const char *l, const struct seg_line *g, const uint8_t *th)
{
    struct tcp_opts want, got;
    bool va, ea;
    parse_opts(g->opts, &want, &va, &ea);
    ck_assert_int_eq(tcp_parse_options(th + TCP_HLEN, tcp_doff(th) - TCP_HLEN, th[TCP_OFF_FLAGS] & TCP_FLAG_SYN, &got), TCP_OPT_OK);
    if (got.mss_ok != want.mss_ok || (want.mss_ok && got.mss != want.mss)) die(s, "mss option differs", l);
    if (got.sack_ok != want.sack_ok) die(s, "sackOK option differs", l);
    if (got.wscale_ok != want.wscale_ok || (want.wscale_ok && got.wscale != want.wscale)) die(s, "wscale differs", l);
    if (got.ts_ok != want.ts_ok) die(s, "TS option differs", l);
    if (want.ts_ok && !va && got.ts_val != want.ts_val) die(s, "TS val differs", l);
    if (want.ts_ok && !ea && got.ts_ecr != want.ts_ecr) die(s, "TS ecr differs", l);
    if (got.num_sacks != want.num_sacks) die(s, "number of SACK blocks differs", l);
    for (unsigned i = 0; i < want.num_sacks; i++)
        if (got.sacks[i].start != PEER_ISN + want.sacks[i].start || got.sacks[i].end != PEER_ISN + want.sacks[i].end)
            die(s, "SACK block differs", l);
}

static void expect(struct scr *s, const char *l, const char *rest)
{
    struct seg_line g;
    parse_seg(s, l, rest, &g);
    struct fx_ipv4 ip;
    struct fx_frame fr;
    script_pcap_sync(s);
    if (!fx_tx_pop_frame(f, &fr)) die(s, "expected a segment, none was sent", l);
    free(fxc_cur);
    fxc_cur = fr.data;                  /* freed by the next pop or the teardown */
    uint64_t fxc_last_at = fr.at_us;
    if (!fx_parse_ipv4(fr.data, fr.len, &ip)) die(s, "not IPv4", l);
    char msg[256];
    if (ip.proto != IPPROTO_TCP || ip.plen < TCP_HLEN) die(s, "not a TCP segment", l);
    const uint8_t *th = ip.payload;
    if (!s->isn_known && (th[TCP_OFF_FLAGS] & TCP_FLAG_SYN)) {
        s->our_isn = tcp_seq(th) - g.seq;
        s->isn_known = true;
    }
    uint32_t plen = (uint32_t)ip.plen - tcp_doff(th);
    snprintf(msg, sizeof(msg), "sent at %.6f: flags 0x%02x seq %u(%u) ack %u win %u urg %u (t, flags, seq, len, ack, win, urg)",
             (double)(fxc_last_at - s->start) / 1e6, th[TCP_OFF_FLAGS], tcp_seq(th) - s->our_isn, plen,
             tcp_ack_seq(th) - PEER_ISN, tcp_window(th), get_be16(th + TCP_OFF_URG));
    if (fxc_last_at != s->t) die(s, msg, l);
    if (th[TCP_OFF_FLAGS] != g.flags || tcp_seq(th) != s->our_isn + g.seq || plen != g.len) die(s, msg, l);
    if (g.has_ack && tcp_ack_seq(th) != PEER_ISN + g.ack) die(s, msg, l);
    if (g.has_win && tcp_window(th) != g.win) die(s, msg, l);
    if (g.has_urg && get_be16(th + TCP_OFF_URG) != g.urg) die(s, msg, l);
    if (tcp_sport(th) != s->port || tcp_dport(th) != s->peer_port) die(s, "ports differ", l);
    if (csum_fold(csum_partial(ip.payload, ip.plen,
        csum_pseudo(ip.src, ip.dst, IPPROTO_TCP, (uint16_t)ip.plen))) != 0) die(s, "bad TCP checksum", l);
    struct tcp_opts got;
    tcp_parse_options(th + TCP_HLEN, tcp_doff(th) - TCP_HLEN, false, &got);
    if (got.ts_ok) s->last_tsval = got.ts_val;
    if (g.has_opts) expect_opts(s, l, &g, th);
}

static const char *const state_names[] = { "?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
    "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING" };

static int errno_by_name(const char *n)
{
    static const struct { const char *n; int e; } t[] = { { "ECONNREFUSED", ECONNREFUSED },
        { "ECONNRESET", ECONNRESET }, { "ETIMEDOUT", ETIMEDOUT }, { "EPIPE", EPIPE },
        { "EHOSTUNREACH", EHOSTUNREACH }, { "ENETUNREACH", ENETUNREACH }, { "ENOPROTOOPT", ENOPROTOOPT },
        { "EMSGSIZE", EMSGSIZE }, { "EINVAL", EINVAL }, { "ENOENT", ENOENT }, { "EAGAIN", EAGAIN },
        { "NONE", 0 } };
    for (size_t i = 0; i < ARRAY_SIZE(t); i++) if (!strcmp(t[i].n, n)) return t[i].e;
    return 0;
}

/* The options a script can name: level, option, and how the value is given. */
enum opt_kind { OPT_INT, OPT_LINGER, OPT_STRING };
static const struct { const char *name; int level, opt; enum opt_kind kind; } script_opts[] = {
    { "TCP_NODELAY", SOL_TCP, TCP_NODELAY, OPT_INT }, { "TCP_CORK", SOL_TCP, TCP_CORK, OPT_INT },
    { "TCP_MAXSEG", SOL_TCP, TCP_MAXSEG, OPT_INT }, { "TCP_KEEPIDLE", SOL_TCP, TCP_KEEPIDLE, OPT_INT },
    { "TCP_KEEPINTVL", SOL_TCP, TCP_KEEPINTVL, OPT_INT }, { "TCP_KEEPCNT", SOL_TCP, TCP_KEEPCNT, OPT_INT },
    { "TCP_CONGESTION", SOL_TCP, TCP_CONGESTION, OPT_STRING }, { "SO_LINGER", SOL_SOCKET, SO_LINGER, OPT_LINGER },
    { "SO_RCVBUF", SOL_SOCKET, SO_RCVBUF, OPT_INT }, { "SO_SNDBUF", SOL_SOCKET, SO_SNDBUF, OPT_INT },
    { "SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, OPT_INT },
};

/* "setsockopt NAME VALUE [ERRNO]" and "getsockopt NAME VALUE". */
static void opt_line(struct scr *s, const char *l, const char *w, bool set)
{
    char name[32] = "", val[32] = "", want[32] = "NONE";
    if (sscanf(w, "%*s %31s %31s %31s", name, val, want) < 2) die(s, "option line needs NAME VALUE", l);
    size_t i = 0;
    while (i < ARRAY_SIZE(script_opts) && strcmp(script_opts[i].name, name)) i++;
    if (i == ARRAY_SIZE(script_opts)) die(s, "unknown option", l);
    struct sock *sk = s->sk ? s->sk : s->lsk;
    union { int i; struct linger lg; char str[32]; } v = { 0 }, got = { 0 };
    size_t len = sizeof(int);
    if (script_opts[i].kind == OPT_LINGER) {
        len = sizeof(v.lg);
        if (sscanf(val, "%d,%d", &v.lg.l_onoff, &v.lg.l_linger) != 2) die(s, "SO_LINGER takes onoff,secs", l);
    } else if (script_opts[i].kind == OPT_STRING) {
        len = strlen(val);
        memcpy(v.str, val, len);
    } else {
        v.i = atoi(val);
    }
    if (set) {
        int err = sock_setsockopt_level(sk, script_opts[i].level, script_opts[i].opt, &v, len);
        if (err != -errno_by_name(want)) { char m[64]; snprintf(m, sizeof(m), "setsockopt gave %d", err); die(s, m, l); }
        return;
    }
    size_t glen = script_opts[i].kind == OPT_STRING ? sizeof(got.str) : len;
    if (sock_getsockopt_level(sk, script_opts[i].level, script_opts[i].opt, &got, &glen)) die(s, "getsockopt failed", l);
    if (script_opts[i].kind == OPT_STRING ? strcmp(got.str, val) != 0 : memcmp(&got, &v, len) != 0)
        die(s, "getsockopt read another value", l);
}

/* "read_from SEQ N": N bytes, which must be the peer's from relative SEQ on. */
static void read_from_line(struct scr *s, const char *l, const char *w)
{
    static uint8_t buf[65536];
    unsigned seq = 0, n = 0;
    if (sscanf(w, "read_from %u %u", &seq, &n) != 2) die(s, "read_from SEQ N", l);
    long r = sock_recvfrom(s->sk, buf, sizeof(buf), NULL);
    if (r != (long)n) { char m[64]; snprintf(m, sizeof(m), "read returned %ld", r); die(s, m, l); }
    for (unsigned i = 0; i < n; i++)
        if (buf[i] != (uint8_t)('a' + (seq + i) % 26)) die(s, "read other bytes", l);
}

/* "read_oob C" (the urgent byte must be C) or "read_oob ERRNO". */
static void read_oob_line(struct scr *s, const char *l, const char *w)
{
    char want[32] = "";
    uint8_t c = 0;
    sscanf(w, "read_oob %31s", want);
    struct iovec iov = { .iov_base = &c, .iov_len = 1 };
    struct sk_msghdr msg = { .iov = &iov, .iovlen = 1, .flags = SK_MSG_OOB };
    long r = sock_recvmsg(s->sk, &msg);
    if (strlen(want) == 1) {
        if (r != 1 || c != (uint8_t)want[0] || !(msg.flags & SK_MSG_OOB)) die(s, "no such urgent byte", l);
    } else if (r != -errno_by_name(want)) {
        die(s, "read_oob: another result", l);
    }
}

/* "poll none" or "poll READ,WRITE,PRI": exactly those of the three. */
static void poll_line(struct scr *s, const char *l, const char *w)
{
    unsigned want = (strstr(w, "READ") ? SK_READABLE : 0) | (strstr(w, "WRITE") ? SK_WRITABLE : 0) |
                    (strstr(w, "PRI") ? SK_PRI : 0);
    if ((sock_poll(s->sk) & (SK_READABLE | SK_WRITABLE | SK_PRI)) != want) die(s, "poll differs", l);
}

/* "write N [oob|more]". */
static void write_line(struct scr *s, const char *l, const char *w)
{
    static uint8_t buf[65536];
    char how[16] = "";
    int n = 0;
    sscanf(w, "write %d %15s", &n, how);
    memset(buf, 'x', (size_t)n);
    struct iovec iov = { .iov_base = buf, .iov_len = (size_t)n };
    struct sk_msghdr msg = { .iov = &iov, .iovlen = 1,
                             .flags = !strcmp(how, "oob") ? SK_MSG_OOB : !strcmp(how, "more") ? SK_MSG_MORE : 0 };
    if (sock_sendmsg(s->sk, &msg) != n) die(s, "write took less", l);
}

/* The lines for options and urgent data; false: not one of them. */
static bool opt_call(struct scr *s, const char *l, const char *w)
{
    if (!strncmp(w, "setsockopt ", 11)) opt_line(s, l, w, true);
    else if (!strncmp(w, "getsockopt ", 11)) opt_line(s, l, w, false);
    else if (!strncmp(w, "read_from ", 10)) read_from_line(s, l, w);
    else if (!strncmp(w, "read_oob ", 9)) read_oob_line(s, l, w);
    else if (!strncmp(w, "poll ", 5)) poll_line(s, l, w);
    else if (!strncmp(w, "write ", 6)) write_line(s, l, w);
    else return false;
    return true;
}

/* A file that includes this one may define TCP_SCRIPT_EXT_LINE(s, l, w) for lines of
 * its own (true: handled). */
#ifdef TCP_SCRIPT_EXT_LINE
static bool TCP_SCRIPT_EXT_LINE(struct scr *s, const char *l, const char *w);
#endif

static void sock_call(struct scr *s, const char *l, const char *w)
{
    int err = 0;
    char arg[32] = "";
    sscanf(w, "%*s %31s", arg);
    static uint8_t buf[65536];
    if (!strncmp(w, "listen ", 7)) {
        s->lsk = sock_create(f->net, SOCK_STREAM, IPPROTO_TCP, &err);
        s->port = (uint16_t)atoi(arg);
        ck_assert_int_eq(sock_bind(s->lsk, 0, s->port), 0);
        ck_assert_int_eq(sock_listen(s->lsk, 8), 0);
    } else if (!strcmp(w, "socket")) {
        s->sk = sock_create(f->net, SOCK_STREAM, IPPROTO_TCP, &err);
    } else if (!strncmp(w, "connect ", 8)) {
        if (!s->sk) s->sk = sock_create(f->net, SOCK_STREAM, IPPROTO_TCP, &err);
        s->peer_port = (uint16_t)atoi(arg);
        ck_assert_int_eq(sock_connect(s->sk, FX_PEER, (uint16_t)atoi(arg)), -EINPROGRESS);
        s->port = s->sk->local.port;
    } else if (!strcmp(w, "accept")) {
        s->sk = sock_accept(s->lsk, &err);
        if (!s->sk) die(s, "accept found no connection", l);
    } else if (!strncmp(w, "read ", 5)) {
        long r = sock_recvfrom(s->sk, buf, sizeof(buf), NULL);
        if (r != (isalpha((unsigned char)arg[0]) ? -errno_by_name(arg) : atoi(arg))) { char m[64]; snprintf(m, sizeof(m), "read returned %ld", r); die(s, m, l); }
    } else if (!strcmp(w, "read_eof")) {
        if (sock_recvfrom(s->sk, buf, sizeof(buf), NULL) != 0) die(s, "no end of stream", l);
    } else if (!strcmp(w, "shutdown_wr")) {
        ck_assert_int_eq(sock_shutdown(s->sk, 1), 0);
    } else if (!strcmp(w, "close")) {
        sock_close(s->sk);
        s->sk = NULL;
    } else if (!strncmp(w, "rcvbuf ", 7)) {
        s->sk->rcvbuf = atoi(arg);                    /* the buffer as SO_RCVBUF leaves it, */
        s->sk->userlocks |= SOCK_RCVBUF_LOCK;        /* fixed: autotuning leaves it alone */
    } else if (!strncmp(w, "state ", 6)) {
        if (strcmp(state_names[s->sk->state], arg)) die(s, state_names[s->sk->state], l);
    } else if (!strncmp(w, "error ", 6)) {
        if (sock_error(s->sk) != -errno_by_name(arg)) die(s, "other error", l);
    } else if (opt_call(s, l, w)) {
#ifdef TCP_SCRIPT_EXT_LINE
    } else if (TCP_SCRIPT_EXT_LINE(s, l, w)) {
#endif
    } else {
        die(s, "unknown line", l);
    }
    stack_poll(f->st);
}

/* Run a script (lines separated by newlines); '#' starts a comment. */
void run_script(const char *text)
{
    struct scr s = { .start = fx_now_us(f), .t = fx_now_us(f), .peer_port = PEER_PORT };
    script_pcap_open(&s);
    char *copy = strdup(text), *save = NULL;
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        s.line++;
        while (*l == ' ') l++;
        if (!*l || *l == '#') continue;
        char *w = l;
        double t = strtod(*l == '+' ? l + 1 : l, &w);
        uint64_t at = (*l == '+' ? s.t : s.start) + (uint64_t)(t * 1e6 + 0.5);
        if (at < fx_now_us(f)) die(&s, "time goes backwards", l);
        fx_advance_us(f, at - fx_now_us(f));
        s.t = at;
        while (*w == ' ') w++;
        if (*w == '<') inject(&s, l, w + 1);
        else if (*w == '>') expect(&s, l, w + 1);
        else sock_call(&s, l, w);
    }
    free(copy);
    script_pcap_close(&s);
    if (fx_tx_count(f)) {
        struct fx_frame fr;
        fx_tx_pop_frame(f, &fr);
        struct fx_ipv4 ip;
        fx_parse_ipv4(fr.data, fr.len, &ip);
        uint8_t fl = ip.plen >= TCP_HLEN ? ip.payload[TCP_OFF_FLAGS] : 0;
        free(fr.data);
        ck_abort_msg("a segment nobody expected: flags 0x%02x at %.3f", fl, (double)(fr.at_us - s.start) / 1e6);
    }
    if (s.sk) sock_close(s.sk);
    if (s.lsk) sock_close(s.lsk);
}

struct fx *tcp_script_fx(void) { return f; }

void tcp_script_setup(void)
{
    f = fx_new(0x7c9);
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fx_neigh_set(f, f->dev, FX_PEER, &fx_peer_mac, NUD_PERMANENT));
    /* TCP is on from start-up (inet_extra_init): enabling it again is refused */
    ck_assert_int_eq(tcp_enable(f->st), -EEXIST);
}

/* Connections closed by the script live on as orphans (FIN_WAIT, TIME_WAIT) holding
 * their FIN: an hour of virtual time ends every one of them before the leak check. */
void tcp_script_teardown(void)
{
    if (f) { fx_advance_us(f, 3600 * US_PER_S); fx_tx_clear(f); }
    fxc_teardown();
}

START_TEST(test_passive_open)
{
    run_script(PASSIVE_OPEN);
    ck_assert_uint_eq(MIB(MIB_TcpPassiveOpens), 1);
}
END_TEST

START_TEST(test_active_open)
{
    run_script(
        "0.000 connect 80\n"
        "0.000 > S 0(0) win 64240 " OUR_SYN_OPTS "\n"
        "+0.020 < S. 0(0) ack 1 win 65535 " SYN_OPTS "\n"
        "+0 > . 1(0) ack 1 win 502 <nop,nop,TS val * ecr 100>\n"
        "+0 state ESTABLISHED\n");
    ck_assert_uint_eq(MIB(MIB_TcpActiveOpens), 1);
}
END_TEST

/* In-order data both ways: quick ACKs at the start (Linux's quick-ack mode), our data
 * with PSH, the peer's ACK frees the retransmit queue (no retransmission follows). */
START_TEST(test_data_and_acks)
{
    run_script(PASSIVE_OPEN
        "+0.100 < P. 1(100) ack 1 win 512 <nop,nop,TS val 200 ecr *>\n"
        "+0 > . 1(0) ack 101 <nop,nop,TS val * ecr 200>\n"
        "+0 read 100\n"
        "+0.010 write 3000\n"
        "+0 > . 1(1448) ack 101\n"
        "+0 > . 1449(1448) ack 101\n"
        "+0 > P. 2897(104) ack 101\n"
        "+0.010 < . 101(0) ack 3001 win 512 <nop,nop,TS val 210 ecr *>\n"
        "+2.000 state ESTABLISHED\n");
}
END_TEST

/* After the quick ACKs run out, a lone segment waits for the 40 ms delayed-ACK timer;
 * two full segments are ACKed at once (RFC 1122 4.2.3.2, Linux __tcp_ack_snd_check). */
START_TEST(test_delayed_ack)
{
    char *sc = malloc(16384);
    size_t n = (size_t)sprintf(sc, "%s", PASSIVE_OPEN);
    uint32_t seq = 1;
    for (int i = 0; i < 16; i++, seq += 10)
        n += (size_t)sprintf(sc + n, "+0.001 < P. %u(10) ack 1 win 512\n+0 > . 1(0) ack %u\n", seq, seq + 10);
    n += (size_t)sprintf(sc + n, "+0.001 < P. %u(10) ack 1 win 512\n+0.040 > . 1(0) ack %u\n", seq, seq + 10);
    seq += 10;
    n += (size_t)sprintf(sc + n, "+0.001 < P. %u(1448) ack 1 win 512\n+0.001 < P. %u(1448) ack 1 win 512\n"
                                 "+0 > . 1(0) ack %u\n", seq, seq + 1448, seq + 2896);
    run_script(sc);
    free(sc);
    ck_assert_uint_eq(MIB(MIB_TcpExtDelayedACKs), 1);
}
END_TEST

/* Our active close, then theirs: FIN_WAIT1, FIN_WAIT2, TIME_WAIT for 60 s, CLOSED. */
START_TEST(test_active_close_time_wait)
{
    run_script(PASSIVE_OPEN
        "+0.100 shutdown_wr\n"
        "+0 > F. 1(0) ack 1\n"
        "+0 state FIN_WAIT1\n"
        "+0.010 < . 1(0) ack 2 win 512\n"
        "+0 state FIN_WAIT2\n"
        "+0.010 < F. 1(0) ack 2 win 512\n"
        "+0 > . 2(0) ack 2\n"
        "+0 state TIME_WAIT\n"
        "+0.500 < F. 1(0) ack 2 win 512\n"        /* our ACK was lost: again */
        "+0 > . 2(0) ack 2\n"
        "+59.999 state TIME_WAIT\n"
        "+0.001 state CLOSE\n"
        "+0 read_eof\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTW), 1);
}
END_TEST

/* The peer closes first: CLOSE_WAIT, end of stream, our close sends FIN (LAST_ACK). */
START_TEST(test_passive_close)
{
    run_script(PASSIVE_OPEN
        "+0.100 < F. 1(0) ack 1 win 512\n"
        "+0 > . 1(0) ack 2\n"
        "+0 state CLOSE_WAIT\n"
        "+0 read_eof\n"
        "+0.010 shutdown_wr\n"
        "+0 > F. 1(0) ack 2\n"
        "+0 state LAST_ACK\n"
        "+0.010 < . 2(0) ack 2 win 512\n"
        "+0 state CLOSE\n");
}
END_TEST

/* Both FINs cross: FIN_WAIT1 -> CLOSING -> TIME_WAIT (RFC 9293 §3.6 figure 13). */
START_TEST(test_simultaneous_close)
{
    run_script(PASSIVE_OPEN
        "+0.100 shutdown_wr\n"
        "+0 > F. 1(0) ack 1\n"
        "+0.005 < F. 1(0) ack 1 win 512\n"
        "+0 > . 2(0) ack 2\n"
        "+0 state CLOSING\n"
        "+0.005 < . 2(0) ack 2 win 512\n"
        "+0 state TIME_WAIT\n");
}
END_TEST

/* Both SYNs cross (RFC 9293 §3.5 figure 7): SYN_SENT -> SYN_RECV -> ESTABLISHED. */
START_TEST(test_simultaneous_open)
{
    run_script(
        "0.000 connect 80\n"
        "0.000 > S 0(0) " OUR_SYN_OPTS "\n"
        "+0.010 < S 0(0) win 65535 " SYN_OPTS "\n"
        "+0 > S. 0(0) ack 1 " OUR_SYN_OPTS "\n"
        "+0 state SYN_RECV\n"
        "+0.010 < S. 0(0) ack 1 win 65535 " SYN_OPTS "\n"
        "+0 state ESTABLISHED\n");
}
END_TEST

/* A closed port answers a SYN with RST|ACK and an ACK with RST at its ack
 * (RFC 9293 §3.10.7.1); an RST is never answered. */
START_TEST(test_rst_closed_port)
{
    run_script(
        "0.000 < S 0(0) win 65535 " SYN_OPTS "\n"
        "0.000 > R. 0(0) ack 1 win 0\n"
        "0.100 < . 5(0) ack 77 win 512\n"
        "0.100 > R 77(0) win 0\n"
        "0.200 < R. 5(0) ack 77 win 512\n");
    ck_assert_uint_eq(MIB(MIB_TcpOutRsts), 2);
}
END_TEST

/* RTO: 10 ms handshake RTT gives RTO = 10 + max(4 * 5, 200) = 210 ms (RFC 6298, Linux's
 * 200 ms floor), doubled at every expiry; the ACK of the retransmission ends it. As in
 * Linux, a tail loss probe comes first (RFC 8985 §7: with one segment out its PTO,
 * 2 SRTT + 200 ms, is capped by the RTO, so it is 210 ms too); the RTO counts from the
 * probe, then doubles. */
START_TEST(test_rto_backoff)
{
    run_script(PASSIVE_OPEN
        "+0.100 write 100\n"
        "+0 > P. 1(100) ack 1\n"
        "+0.210 > P. 1(100) ack 1\n"             /* the tail loss probe */
        "+0.210 > P. 1(100) ack 1\n"
        "+0.420 > P. 1(100) ack 1\n"
        "+0.840 > P. 1(100) ack 1\n"
        "+0.010 < . 1(0) ack 101 win 512\n"
        "+5 state ESTABLISHED\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPLossProbes), 1);
    ck_assert_uint_eq(MIB(MIB_TcpRetransSegs), 4);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPTimeouts), 3);
}
END_TEST

/* An unanswered SYN: 1 s, then doubling (RFC 6298 §5.5); after tcp_syn_retries (6)
 * the connect fails with ETIMEDOUT. */
START_TEST(test_syn_retries_timeout)
{
    run_script(
        "0 connect 80\n"
        "0 > S 0(0)\n"
        "1 > S 0(0)\n"
        "3 > S 0(0)\n"
        "7 > S 0(0)\n"
        "15 > S 0(0)\n"
        "31 > S 0(0)\n"
        "63 > S 0(0)\n"
        "127 state CLOSE\n"
        "127 error ETIMEDOUT\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPSynRetrans), 6);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPAbortOnTimeout), 1);
    ck_assert_uint_eq(MIB(MIB_TcpAttemptFails), 1);
}
END_TEST

/* RST for a closed port answers our SYN: connect fails with ECONNREFUSED. */
START_TEST(test_connect_refused)
{
    run_script(
        "0 connect 80\n"
        "0 > S 0(0)\n"
        "+0.001 < R. 0(0) ack 1 win 0\n"
        "+0 state CLOSE\n"
        "+0 error ECONNREFUSED\n");
    ck_assert_uint_eq(MIB(MIB_TcpAttemptFails), 1);         /* tcp_done in SYN_SENT */
}
END_TEST

/* RFC 5961 §3.2: an RST inside the window but not at rcv_nxt is answered by a challenge
 * ACK and changes nothing; at exactly rcv_nxt it resets (ECONNRESET). A SYN on an
 * established connection gets a challenge ACK too (§4), here 500 ms later: the
 * per-socket limit (tcp_invalid_ratelimit) would skip one sooner. */
START_TEST(test_challenge_ack)
{
    run_script(PASSIVE_OPEN
        "+0.100 < R 5000(0) win 0\n"
        "+0 > . 1(0) ack 1\n"
        "+0 state ESTABLISHED\n"
        "+0.500 < S 77(0) win 65535\n"
        "+0 > . 1(0) ack 1\n"
        "+0.100 < R 1(0) win 0\n"
        "+0 state CLOSE\n"
        "+0 error ECONNRESET\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPChallengeACK), 2);
    ck_assert_uint_eq(MIB(MIB_TcpEstabResets), 1);
}
END_TEST

/* A segment outside the window is answered by a duplicate ACK, its data dropped; an
 * out-of-order one is held and the duplicate ACK carries its SACK block. */
START_TEST(test_out_of_window)
{
    run_script(PASSIVE_OPEN
        "+0.100 < P. 200000(10) ack 1 win 512\n"
        "+0 > . 1(0) ack 1\n"
        "+0.100 < P. 11(10) ack 1 win 512\n"
        "+0 > . 1(0) ack 1 <nop,nop,TS val * ecr 110,nop,nop,sack 11:21>\n"
        "+0 state ESTABLISHED\n");
    ck_assert_uint_eq(DROPS(DROP_TCP_INVALID_SEQUENCE), 1);
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPOFOQueue), 1);
}
END_TEST

/* ---- the run's capture ---- */

/* Every injected and every sent segment, in time order with the virtual time, in a
 * capture tcpdump reads (shell/pcap_file.c reads it back here). */
START_TEST(test_script_writes_its_pcap)
{
    uint64_t t0 = fx_now_us(f);
    run_script(PASSIVE_OPEN
        "+0.100 < P. 1(100) ack 1 win 512 <nop,nop,TS val 200 ecr *>\n"
        "+0 > . 1(0) ack 101\n"
        "+0.010 write 3000\n"
        "+0 > . 1(1448) ack 101\n"
        "+0 > . 1449(1448) ack 101\n"
        "+0 > P. 2897(104) ack 101\n"
        "+0.010 < . 101(0) ack 3001 win 512\n");
    ck_assert_ptr_nonnull(strstr(script_pcap_path, "/test_script_writes_its_pcap.pcap"));
    ck_assert_uint_eq(script_pcap_frames, 9);         /* 4 from the peer, 5 from us */
    struct pcap_file pf;
    char err[256];
    ck_assert_msg(pcap_file_load(&pf, script_pcap_path, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(pf.n, 9);
    static const uint64_t at_ms[9] = { 0, 0, 10, 110, 110, 120, 120, 120, 130 };
    static const uint8_t from_peer[9] = { 1, 0, 1, 1, 0, 0, 0, 0, 1 };
    for (size_t i = 0; i < pf.n; i++) {
        struct fx_ipv4 ip;
        ck_assert(fx_parse_ipv4(pf.recs[i].data, pf.recs[i].len, &ip));
        ck_assert_uint_eq(ip.proto, IPPROTO_TCP);
        ck_assert_uint_eq(ip.src, from_peer[i] ? FX_PEER : FX_ADDR);
        ck_assert_uint_eq(pf.recs[i].t_us, t0 + at_ms[i] * US_PER_MS);
    }
    pcap_file_free(&pf);
    ck_assert(!fx_log_contains(f, "tcp"));            /* trace off: nothing printed */
    /* a second run in the same test (the first one's FIN, sent as it closed, put away):
     * a capture of its own */
    fx_tx_clear(f);
    run_script("0.000 < S 0(0) win 65535\n0.000 > R. 0(0) ack 1 win 0\n");
    ck_assert_ptr_nonnull(strstr(script_pcap_path, "/test_script_writes_its_pcap-2.pcap"));
    ck_assert_uint_eq(script_pcap_frames, 2);
}
END_TEST

/* ---- what `trace on` shows of a connection (tcp/tcp_trace.h) ---- */

static void log_has(const char *needle)
{
    ck_assert_msg(fx_log_contains(f, needle), "no \"%s\" in the trace:\n%s", needle, f->log ? f->log : "");
}

/* The handshake's state changes and stages, data in, data out through tcp_sendmsg, a
 * tail loss probe and then an RTO: their timer lines, the cwnd the RTO cuts, the
 * retransmissions' journeys. */
START_TEST(test_trace_connection)
{
    fx_trace(f, true);
    run_script(PASSIVE_OPEN
        "+0.100 < P. 1(100) ack 1 win 512 <nop,nop,TS val 200 ecr *>\n"
        "+0 > . 1(0) ack 101\n"
        "+0 read 100\n"
        "+0.010 write 100\n"
        "+0 > P. 1(100) ack 101\n"
        "+0.210 > P. 1(100) ack 101\n"
        "+0.210 > P. 1(100) ack 101\n"
        "+0.010 < . 101(0) ack 101 win 512\n");
    log_has(" tcp 0.0.0.0:8080 > 0.0.0.0:*: CLOSE -> LISTEN\n");
    log_has(" tcp 10.0.0.2:8080 > 10.0.0.1:40000: CLOSE -> SYN_RECV\n");
    log_has(" tcp 10.0.0.2:8080 > 10.0.0.1:40000: SYN_RECV -> ESTABLISHED\n");
    log_has("tcp_v4_rcv > tcp_rcv_state_process(LISTEN) > tcp_conn_request(SYN_RECV)");
    log_has("tcp_v4_send_synack > tcp_write_xmit > tcp_transmit_skb(");
    log_has("tcp_v4_rcv > tcp_rcv_state_process(SYN_RECV) > tcp_ack(acked 1)");
    log_has("tcp_v4_rcv > tcp_rcv_established > tcp_ack > tcp_data_queue(queued 100 bytes)");
    log_has("tcp_sendmsg(100 bytes) > tcp_write_xmit > tcp_transmit_skb(");
    log_has(") > ip_queue_xmit > ip_route_output(");
    log_has(" tcp 10.0.0.2:8080 > 10.0.0.1:40000: tcp_retransmit_timer(rto 210 ms, retransmission 1)\n");
    log_has(" -> 1 ssthresh 2147483647 -> ");
    log_has(" tcp 10.0.0.2:8080 > 10.0.0.1:40000: tcp_write_timer(TLP)\n");
    log_has("tx: tcp_write_timer(TLP) > tcp_send_loss_probe > tcp_transmit_skb(");
    log_has("tx: tcp_retransmit_timer(rto 210 ms, retransmission 1) > tcp_retransmit_skb(retransmission 2) > tcp_transmit_skb(");
    log_has("tcp_rcv_established > tcp_ack(acked 100)");
}
END_TEST

/* The delayed ACK's timer and the journey of the ACK it sends; a segment after a hole
 * held in the out-of-order queue, and the one that fills it. */
START_TEST(test_trace_delack_and_ofo)
{
    char *sc = malloc(16384);
    size_t n = (size_t)sprintf(sc, "%s", PASSIVE_OPEN);
    uint32_t seq = 1;
    for (int i = 0; i < 16; i++, seq += 10)           /* the quick ACKs run out */
        n += (size_t)sprintf(sc + n, "+0.001 < P. %u(10) ack 1 win 512\n+0 > . 1(0) ack %u\n", seq, seq + 10);
    n += (size_t)sprintf(sc + n, "+0.001 < P. %u(10) ack 1 win 512\n+0.040 > . 1(0) ack %u\n", seq, seq + 10);
    seq += 10;
    n += (size_t)sprintf(sc + n, "+0.001 < P. %u(10) ack 1 win 512\n+0 > . 1(0) ack %u\n", seq + 10, seq);
    n += (size_t)sprintf(sc + n, "+0.001 < P. %u(10) ack 1 win 512\n+0 > . 1(0) ack %u\n", seq, seq + 20);
    fx_trace(f, true);
    run_script(sc);
    free(sc);
    log_has(": tcp_delack_timer\n");
    log_has("tx: tcp_delack_timer > tcp_send_ack > tcp_transmit_skb(");
    log_has("tcp_rcv_established > tcp_ack > tcp_data_queue_ofo(held 10 bytes, 10 after rcv_nxt)");
    log_has("tcp_data_queue(queued 10 bytes) > tcp_ofo_queue(1 segments held)");
}
END_TEST

/* A zero window: the probe timer's line, and the probe's journey from it. */
START_TEST(test_trace_probe_timer)
{
    fx_trace(f, true);
    run_script(PASSIVE_OPEN
        "+0.100 < . 1(0) ack 1 win 0\n"
        "+0 write 100\n"
        "+0.210 > . 0(0) ack 1\n"
        "+0.010 < . 1(0) ack 1 win 512\n"
        "+0 > P. 1(100) ack 1\n"
        "+0.010 < . 1(0) ack 101 win 512\n");
    log_has(" tcp 10.0.0.2:8080 > 10.0.0.1:40000: tcp_probe_timer(probe 1)\n");
    log_has("tx: tcp_probe_timer(probe 1) > tcp_xmit_probe_skb > tcp_transmit_skb(");
}
END_TEST

/* RFC 2525 §2.17: closing with unread data aborts with an RST (TCPAbortOnClose); the
 * connection ends from ESTABLISHED, which Linux's tcp_set_state counts in
 * EstabResets whatever ended it. */
START_TEST(test_close_unread_data)
{
    run_script(PASSIVE_OPEN
        "+0.100 < P. 1(100) ack 1 win 512 <nop,nop,TS val 200 ecr *>\n"
        "+0 > . 1(0) ack 101\n"
        "+0.010 close\n"
        "+0 > R. 1(0) ack 101\n");
    ck_assert_uint_eq(MIB(MIB_TcpExtTCPAbortOnClose), 1);
    ck_assert_uint_eq(MIB(MIB_TcpEstabResets), 1);
}
END_TEST

Suite *tcp_script_suite(void)
{
    Suite *s = suite_create("tcp_script");
    TCase *tc = tcase_create("scripts");
    tcase_add_checked_fixture(tc, tcp_script_setup, tcp_script_teardown);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_passive_open);
    tcase_add_test(tc, test_active_open);
    tcase_add_test(tc, test_data_and_acks);
    tcase_add_test(tc, test_delayed_ack);
    tcase_add_test(tc, test_active_close_time_wait);
    tcase_add_test(tc, test_passive_close);
    tcase_add_test(tc, test_simultaneous_close);
    tcase_add_test(tc, test_simultaneous_open);
    tcase_add_test(tc, test_rst_closed_port);
    tcase_add_test(tc, test_rto_backoff);
    tcase_add_test(tc, test_syn_retries_timeout);
    tcase_add_test(tc, test_connect_refused);
    tcase_add_test(tc, test_challenge_ack);
    tcase_add_test(tc, test_out_of_window);
    tcase_add_test(tc, test_script_writes_its_pcap);
    tcase_add_test(tc, test_trace_connection);
    tcase_add_test(tc, test_trace_delack_and_ofo);
    tcase_add_test(tc, test_trace_probe_timer);
    tcase_add_test(tc, test_close_unread_data);
    suite_add_tcase(s, tc);
    return s;
}

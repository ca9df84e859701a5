/*
 * bench/udpbench.c — the UDP client (and the Linux-side server) of bench/bench_udp.sh.
 * bench_udp.sh compiles it on the fly into its temporary directory (cc -O2); it is not
 * part of tapstack. One client, run in the same way against tapstack and against the
 * Linux kernel, so that only the far end differs.
 *
 *   udpbench rr    DST PORT SIZE N TIMEOUT_MS LIMIT_S
 *       request/response: N datagrams of SIZE bytes, one at a time, each sent when the
 *       echo of the previous one is in (or after TIMEOUT_MS: lost).
 *   udpbench pipe  DST PORT SIZE N W TIMEOUT_MS LIMIT_S
 *       pipelined: W datagrams in flight; the next leaves when an echo comes back. When
 *       no echo comes for TIMEOUT_MS, every outstanding datagram is counted lost.
 *   udpbench blast DST PORT SIZE N ECHOPORT TIMEOUT_MS
 *       bulk: N datagrams to DST:PORT as fast as sendmmsg() goes, then marker datagrams to
 *       the echo service DST:ECHOPORT (one a millisecond until the first echo, at most
 *       TIMEOUT_MS); the marker's echo comes back once the receiver has taken in
 *       everything sent before it, so the receive time is "first send to marker echo".
 *       The markers sent are printed: the receiver counts them too (as echo requests).
 *   udpbench serve ECHOPORT DISCARDPORT STATSPORT
 *       the Linux yardstick's server: RFC 862 echo, RFC 863 discard (counting), and on
 *       STATSPORT any datagram is answered "count=C bytes=B" (the discard port's totals,
 *       after draining its queue). Runs until SIGTERM/SIGINT.
 *   udpbench stats DST STATSPORT
 *       asks a `serve` for its counts; prints "count=C bytes=B".
 *
 * Every client prints one line of key=value pairs (times in microseconds). Every wait is
 * bounded (TIMEOUT_MS per datagram, LIMIT_S per run); exit status 0 when the run
 * completed (losses included), 1 on an error, 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define BENCH_TOOL "udpbench"
#include "benchlib.h"

#define MAXSIZE 65507
#define MAXN 2000000
#define MAGIC 0x54534255u               /* "TSBU" */

struct hdr {                             /* at the start of every client datagram */
    uint32_t magic, run;
    uint64_t seq;
};

static int udp_connected(const char *dst, long port)
{
    struct sockaddr_in sin = dst_addr(dst, port);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) { perror("udpbench: socket"); exit(1); }
    int buf = 4 << 20;                   /* capped by net.core.rmem_max; only the pipelined
                                          * and bulk runs could queue more than a few */
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
    if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) { perror("udpbench: connect"); exit(1); }
    return fd;
}

static void fill(uint8_t *buf, size_t size, uint32_t run, uint64_t seq)
{
    struct hdr h = { MAGIC, run, seq };
    memcpy(buf, &h, sizeof(h));
    for (size_t i = sizeof(h); i < size; i++) buf[i] = (uint8_t)(i * 7 + seq);
}

/* An echo of ours, intact? Returns its sequence number, or -1. */
static int64_t check_echo(const uint8_t *buf, ssize_t n, size_t size, uint32_t run)
{
    struct hdr h;
    if (n != (ssize_t)size) return -1;
    memcpy(&h, buf, sizeof(h));
    if (h.magic != MAGIC || h.run != run) return -1;
    for (size_t i = sizeof(h); i < size; i++)
        if (buf[i] != (uint8_t)(i * 7 + h.seq)) return -1;
    return (int64_t)h.seq;
}

/* Wait up to ms for the socket to be readable (1) or not (0). */
static int wait_readable(int fd, long ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    if (ms < 0) ms = 0;
    for (;;) {
        int r = poll(&p, 1, (int)ms);
        if (r >= 0) return r;
        if (errno != EINTR) { perror("udpbench: poll"); exit(1); }
    }
}

/* ---- rr: one datagram at a time ---------------------------------------------------- */
static int do_rr(int argc, char **argv)
{
    if (argc != 8) return 2;
    const char *dst = argv[2];
    long port = arg_long(argv[3], 1, 65535, "port");
    size_t size = (size_t)arg_long(argv[4], (long)sizeof(struct hdr), MAXSIZE, "size");
    long n = arg_long(argv[5], 1, MAXN, "count");
    long tmo = arg_long(argv[6], 1, 10000, "timeout");
    long limit = arg_long(argv[7], 1, 600, "limit");
    int fd = udp_connected(dst, port);
    uint32_t run = (uint32_t)getpid() ^ (uint32_t)now_us();
    static uint8_t out[MAXSIZE], in[MAXSIZE + 1];
    uint32_t *rtt = malloc((size_t)n * sizeof(*rtt));
    if (!rtt) return 1;
    long sent = 0, recv_ok = 0, lost = 0, late = 0, bad = 0, senderr = 0, rerr = 0;
    uint64_t t0 = now_us(), deadline = t0 + (uint64_t)limit * 1000000u;
    for (long i = 0; i < n && now_us() < deadline; i++) {
        fill(out, size, run, (uint64_t)i);
        uint64_t ts = now_us();
        if (send(fd, out, size, 0) != (ssize_t)size) { senderr++; continue; }
        sent++;
        int got = 0;
        for (;;) {
            long left = (long)tmo - (long)((now_us() - ts) / 1000u);
            if (left <= 0 || !wait_readable(fd, left)) break;
            ssize_t r = recv(fd, in, sizeof(in), MSG_DONTWAIT);
            if (r < 0) { if (errno != EAGAIN && errno != EINTR) rerr++; continue; }
            int64_t s = check_echo(in, r, size, run);
            if (s < 0) { bad++; continue; }
            if (s == i) { got = 1; break; }
            late++;                      /* an echo of one already counted lost */
        }
        if (got) {
            rtt[recv_ok++] = (uint32_t)(now_us() - ts);
        } else {
            lost++;
        }
    }
    uint64_t el = now_us() - t0;
    struct spread sp = spread_of(rtt, recv_ok);
    printf("rr size=%zu n=%ld sent=%ld recv=%ld lost=%ld late=%ld bad=%ld senderr=%ld recverr=%ld time_us=%llu "
           "rate=%.0f rtt_avg_us=%.1f rtt_min_us=%u rtt_p50_us=%u rtt_p99_us=%u rtt_max_us=%u\n",
           size, n, sent, recv_ok, lost, late, bad, senderr, rerr, (unsigned long long)el,
           el ? recv_ok * 1e6 / (double)el : 0.0, sp.avg, sp.min, sp.p50, sp.p99, sp.max);
    free(rtt);
    return 0;
}

/* ---- pipe: W in flight ------------------------------------------------------------- */
static int do_pipe(int argc, char **argv)
{
    if (argc != 9) return 2;
    const char *dst = argv[2];
    long port = arg_long(argv[3], 1, 65535, "port");
    size_t size = (size_t)arg_long(argv[4], (long)sizeof(struct hdr), MAXSIZE, "size");
    long n = arg_long(argv[5], 1, MAXN, "count");
    long w = arg_long(argv[6], 1, 4096, "window");
    long tmo = arg_long(argv[7], 1, 10000, "timeout");
    long limit = arg_long(argv[8], 1, 600, "limit");
    int fd = udp_connected(dst, port);
    uint32_t run = (uint32_t)getpid() ^ (uint32_t)now_us();
    static uint8_t out[MAXSIZE], in[MAXSIZE + 1];
    uint8_t *state = calloc((size_t)n, 1);     /* 0 unsent/outstanding, 1 echoed, 2 lost */
    uint64_t *tsend = calloc((size_t)n, sizeof(*tsend));
    if (!state || !tsend) return 1;
    long next = 0, oldest = 0, inflight = 0, recv_ok = 0, lost = 0, late = 0, dup = 0, bad = 0;
    long senderr = 0, rerr = 0, timeouts = 0;
    uint64_t sum = 0, t0 = now_us(), deadline = t0 + (uint64_t)limit * 1000000u;
    while (recv_ok + lost < next || next < n) {
        if (now_us() >= deadline) break;
        while (inflight < w && next < n) {
            fill(out, size, run, (uint64_t)next);
            tsend[next] = now_us();
            if (send(fd, out, size, 0) != (ssize_t)size) {
                senderr++; state[next] = 2; lost++;
            } else {
                inflight++;
            }
            next++;
        }
        if (inflight == 0) continue;
        if (!wait_readable(fd, tmo)) {
            /* nothing for TIMEOUT_MS: every outstanding datagram is lost */
            timeouts++;
            for (long i = oldest; i < next; i++)
                if (state[i] == 0) { state[i] = 2; lost++; }
            inflight = 0;
            oldest = next;
            continue;
        }
        for (int k = 0; k < 64; k++) {       /* drain what is there */
            ssize_t r = recv(fd, in, sizeof(in), MSG_DONTWAIT);
            if (r < 0) { if (errno != EAGAIN && errno != EINTR) { rerr++; continue; } break; }
            int64_t s = check_echo(in, r, size, run);
            if (s < 0 || s >= next) { bad++; continue; }
            if (state[s] == 1) { dup++; continue; }
            if (state[s] == 2) { late++; continue; }
            state[s] = 1;
            recv_ok++;
            inflight--;
            sum += now_us() - tsend[s];
        }
        while (oldest < next && state[oldest] != 0) oldest++;
    }
    uint64_t el = now_us() - t0;
    printf("pipe size=%zu n=%ld window=%ld sent=%ld recv=%ld lost=%ld late=%ld dup=%ld bad=%ld senderr=%ld "
           "recverr=%ld timeouts=%ld time_us=%llu rate=%.0f rtt_avg_us=%.1f\n",
           size, n, w, next - senderr, recv_ok, lost, late, dup, bad, senderr, rerr, timeouts,
           (unsigned long long)el, el ? recv_ok * 1e6 / (double)el : 0.0,
           recv_ok ? (double)sum / (double)recv_ok : 0.0);
    free(state);
    free(tsend);
    return 0;
}

/* ---- blast: as fast as send() goes, then a marker through the echo service --------- */
static int do_blast(int argc, char **argv)
{
    if (argc != 8) return 2;
    const char *dst = argv[2];
    long port = arg_long(argv[3], 1, 65535, "port");
    size_t size = (size_t)arg_long(argv[4], (long)sizeof(struct hdr), MAXSIZE, "size");
    long n = arg_long(argv[5], 1, MAXN, "count");
    long eport = arg_long(argv[6], 1, 65535, "echo port");
    long tmo = arg_long(argv[7], 1, 10000, "timeout");
    int fd = udp_connected(dst, port);
    int efd = udp_connected(dst, eport);
    uint32_t run = (uint32_t)getpid() ^ (uint32_t)now_us();
    static uint8_t out[MAXSIZE], in[MAXSIZE + 1];
    long sent = 0, senderr = 0;
    int lasterr = 0;
    /* sendmmsg, BATCH datagrams a system call: the sender's own cost stays small, so on
     * the TAP path the receiver, not the sender, sets the pace. The payloads are made
     * before the clock starts. */
    enum { BATCH = 64 };
    static uint8_t bufs[BATCH][MAXSIZE > 9000 ? 9000 : MAXSIZE];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    if (size > sizeof(bufs[0])) { fprintf(stderr, "udpbench: blast size at most %zu\n", sizeof(bufs[0])); return 2; }
    for (int b = 0; b < BATCH; b++) {
        fill(bufs[b], size, run, (uint64_t)b);
        iov[b] = (struct iovec){ bufs[b], size };
        msgs[b] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[b], .msg_iovlen = 1 } };
    }
    uint64_t t0 = now_us();
    for (long i = 0; i < n;) {
        int k = n - i < BATCH ? (int)(n - i) : BATCH;
        int r = sendmmsg(fd, msgs, (unsigned)k, 0);
        if (r > 0) { sent += r; i += r; continue; }
        /* an error on the first datagram of the batch: count it and go on */
        senderr++; lasterr = errno; i++;
    }
    uint64_t t1 = now_us();
    /* The marker: 64 bytes to the echo service, behind everything sent above. While the
     * receiver is still busy the marker may be dropped with the tail of the blast (a full
     * queue), so a new one goes every millisecond until the first echo is in (at most
     * TIMEOUT_MS): the echo time is then within ~1 ms of the receiver having drained. */
    long tries = 0, echoed = 0;
    uint64_t t2 = 0, tstart = now_us();
    while (!echoed && now_us() - tstart < (uint64_t)tmo * 1000u) {
        fill(out, 64, run, (uint64_t)(1000000 + tries));
        if (send(efd, out, 64, 0) == 64) tries++;
        uint64_t ts = now_us();
        while (!echoed && now_us() - ts < 1000u) {
            if (!wait_readable(efd, 1)) continue;
            ssize_t r = recv(efd, in, sizeof(in), MSG_DONTWAIT);
            if (r < 0) continue;
            if (check_echo(in, r, 64, run) >= 1000000) { echoed = 1; t2 = now_us(); }
        }
    }
    printf("blast size=%zu n=%ld sent=%ld senderr=%ld lasterr=%s send_us=%llu markers=%ld "
           "marker_echoed=%ld total_us=%llu\n",
           size, n, sent, senderr, senderr ? strerrorname_np(lasterr) : "-",
           (unsigned long long)(t1 - t0), tries, echoed,
           echoed ? (unsigned long long)(t2 - t0) : 0ull);
    return 0;
}

/* ---- serve: the Linux side --------------------------------------------------------- */
static int udp_bound(long port)
{
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) { perror("udpbench: socket"); exit(1); }
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
        fprintf(stderr, "udpbench: bind port %ld: %s\n", port, strerror(errno));
        exit(1);
    }
    return fd;
}

static int do_serve(int argc, char **argv)
{
    if (argc != 5) return 2;
    long ep = arg_long(argv[2], 1, 65535, "echo port");
    long dp = arg_long(argv[3], 1, 65535, "discard port");
    long sp = arg_long(argv[4], 1, 65535, "stats port");
    catch_stop_signals();
    struct pollfd p[3] = { { udp_bound(ep), POLLIN, 0 }, { udp_bound(dp), POLLIN, 0 },
                           { udp_bound(sp), POLLIN, 0 } };
    static uint8_t buf[MAXSIZE + 1];
    unsigned long long count = 0, bytes = 0;
    printf("ready\n");
    fflush(stdout);
    while (!stop_requested) {
        int r = poll(p, 3, 1000);
        if (r < 0) { if (errno == EINTR) continue; perror("udpbench: poll"); return 1; }
        if (r == 0) continue;
        for (int k = 0; k < 256; k++) {                 /* discard: count */
            ssize_t m = recv(p[1].fd, buf, sizeof(buf), 0);
            if (m < 0) break;
            count++;
            bytes += (unsigned long long)m;
        }
        for (int k = 0; k < 256; k++) {                 /* echo */
            struct sockaddr_in from;
            socklen_t fl = sizeof(from);
            ssize_t m = recvfrom(p[0].fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
            if (m < 0) break;
            sendto(p[0].fd, buf, (size_t)m, 0, (struct sockaddr *)&from, fl);
        }
        for (int k = 0; k < 16; k++) {                  /* stats */
            struct sockaddr_in from;
            socklen_t fl = sizeof(from);
            ssize_t m = recvfrom(p[2].fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
            if (m < 0) break;
            for (int j = 0; j < 100000; j++) {          /* drain the discard queue first */
                ssize_t d = recv(p[1].fd, buf, sizeof(buf), 0);
                if (d < 0) break;
                count++;
                bytes += (unsigned long long)d;
            }
            int len = snprintf((char *)buf, 128, "count=%llu bytes=%llu", count, bytes);
            sendto(p[2].fd, buf, (size_t)len, 0, (struct sockaddr *)&from, fl);
        }
    }
    return 0;
}

static int do_stats(int argc, char **argv)
{
    if (argc != 4) return 2;
    int fd = udp_connected(argv[2], arg_long(argv[3], 1, 65535, "stats port"));
    static uint8_t buf[512];
    for (int tries = 0; tries < 10; tries++) {
        if (send(fd, "?", 1, 0) != 1) { usleep(100000); continue; }
        if (!wait_readable(fd, 500)) continue;
        ssize_t r = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
        if (r <= 0) continue;
        buf[r] = 0;
        printf("%s\n", (char *)buf);
        return 0;
    }
    fprintf(stderr, "udpbench: no answer from the stats port\n");
    return 1;
}

int main(int argc, char **argv)
{
    int r = 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 2) {
        if (!strcmp(argv[1], "rr")) r = do_rr(argc, argv);
        else if (!strcmp(argv[1], "pipe")) r = do_pipe(argc, argv);
        else if (!strcmp(argv[1], "blast")) r = do_blast(argc, argv);
        else if (!strcmp(argv[1], "serve")) r = do_serve(argc, argv);
        else if (!strcmp(argv[1], "stats")) r = do_stats(argc, argv);
    }
    if (r == 2)
        fprintf(stderr, "usage: udpbench rr DST PORT SIZE N TIMEOUT_MS LIMIT_S\n"
                        "       udpbench pipe DST PORT SIZE N W TIMEOUT_MS LIMIT_S\n"
                        "       udpbench blast DST PORT SIZE N ECHOPORT TIMEOUT_MS\n"
                        "       udpbench serve ECHOPORT DISCARDPORT STATSPORT\n"
                        "       udpbench stats DST STATSPORT\n");
    return r;
}

/*
 * bench/tcpbench.c — the TCP client (and the Linux-side server) of bench/bench_tcp.sh.
 * bench_tcp.sh compiles it on the fly into its temporary directory (cc -O2); it is not
 * part of tapstack. One client, run in the same way against tapstack and against the
 * Linux kernel, so that only the far end differs. C rather than Python: the Linux
 * yardstick's server must not be an interpreter's speed, and a lighter client leaves
 * more of each figure to the stacks being compared.
 *
 *   tcpbench conn  DST PORT N LIMIT_S
 *       connection set-up: N times, one after the other, socket(), connect() (blocking:
 *       it returns when the SYN-ACK is in), close() (a FIN). The rate is N over the
 *       whole run; the mean connect() time is the handshake's round trip plus calls.
 *   tcpbench rr    DST PORT N LIMIT_S
 *       1-byte request/response over one connection (TCP_NODELAY): N times, send one
 *       byte, wait for its echo, check it is that byte.
 *   tcpbench serve ECHOPORT DISCARDPORT
 *       the Linux yardstick's server: RFC 862 echo and RFC 863 discard over TCP (poll,
 *       TCP_NODELAY on every accepted connection, each closed at the client's FIN).
 *       Prints "ready" once listening; runs until SIGTERM/SIGINT.
 *
 * Every client prints one line of key=value pairs (times in microseconds). Every wait is
 * bounded (2 s per connect, send or receive, LIMIT_S per run); exit status 0 when the
 * run completed (failures included: they are counted), 1 on an error, 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BENCH_TOOL "tcpbench"
#include "benchlib.h"

#define MAXN 1000000
#define MAXCONNS 256
#define OP_TIMEOUT_S 2

/* A stream socket whose connect, send and receive give up after OP_TIMEOUT_S (Linux's
 * connect() honours SO_SNDTIMEO). */
static int tcp_socket(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) { perror("tcpbench: socket"); exit(1); }
    struct timeval tv = { .tv_sec = OP_TIMEOUT_S };
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

/* " PREFIX_avg_us=.. PREFIX_min_us=.. PREFIX_p50_us=.. PREFIX_p99_us=.." of n samples
 * (sorted in place). */
static void print_spread(const char *prefix, uint32_t *us, long n)
{
    if (n == 0) { printf(" %s_avg_us=NA", prefix); return; }
    struct spread s = spread_of(us, n);
    printf(" %s_avg_us=%.1f %s_min_us=%u %s_p50_us=%u %s_p99_us=%u", prefix, s.avg, prefix, s.min,
           prefix, s.p50, prefix, s.p99);
}

/* "conn|rr HOST PORT N LIMIT_S": the far end, how many, the time limit, and room for a
 * time per try. 0, or the exit status (2: usage, 1: no memory). */
struct run_args { struct sockaddr_in sin; long n; uint64_t limit; uint32_t *us; };

static int parse_run_args(struct run_args *a, int argc, char **argv)
{
    if (argc != 6) return 2;
    a->sin = dst_addr(argv[2], arg_long(argv[3], 1, 65535, "port"));
    a->n = arg_long(argv[4], 1, MAXN, "N");
    a->limit = (uint64_t)arg_long(argv[5], 1, 3600, "LIMIT_S") * 1000000u;
    a->us = calloc((size_t)a->n, sizeof(*a->us));
    return a->us ? 0 : 1;
}

static int do_conn(int argc, char **argv)
{
    struct run_args ra;
    int rc = parse_run_args(&ra, argc, argv);
    if (rc) return rc;
    long ok = 0, fail = 0, done = 0;
    int first_err = 0;
    uint64_t t0 = now_us();
    for (; done < ra.n && now_us() - t0 < ra.limit; done++) {
        int fd = tcp_socket();
        uint64_t a = now_us();
        if (connect(fd, (struct sockaddr *)&ra.sin, sizeof(ra.sin)) == 0) {
            ra.us[ok++] = (uint32_t)(now_us() - a);
        } else {
            if (!first_err) first_err = errno;
            fail++;
        }
        close(fd);
    }
    uint64_t el = now_us() - t0;
    printf("conn n=%ld done=%ld ok=%ld fail=%ld elapsed_us=%llu rate=%.0f", ra.n, done, ok, fail,
           (unsigned long long)el, el ? ok * 1e6 / el : 0.0);
    print_spread("connect", ra.us, ok);
    printf(" first_err=%s\n", first_err ? strerror(first_err) : "none");
    free(ra.us);
    return 0;
}

static int do_rr(int argc, char **argv)
{
    struct run_args ra;
    int rc = parse_run_args(&ra, argc, argv);
    if (rc) return rc;
    int fd = tcp_socket(), one = 1;
    if (connect(fd, (struct sockaddr *)&ra.sin, sizeof(ra.sin)) < 0) {
        printf("rr n=%ld done=0 error=connect:%s\n", ra.n, strerror(errno));
        close(fd);
        free(ra.us);
        return 0;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    long done = 0, bad = 0;
    const char *err = "none";
    uint64_t t0 = now_us();
    while (done < ra.n && now_us() - t0 < ra.limit) {
        uint8_t out = (uint8_t)done, in;
        uint64_t a = now_us();
        if (send(fd, &out, 1, 0) != 1) { err = "send"; break; }
        ssize_t r = recv(fd, &in, 1, 0);
        if (r != 1) { err = r == 0 ? "eof" : "recv"; break; }
        ra.us[done++] = (uint32_t)(now_us() - a);
        if (in != out) bad++;
    }
    uint64_t el = now_us() - t0;
    close(fd);
    printf("rr n=%ld done=%ld bad=%ld elapsed_us=%llu rate=%.0f", ra.n, done, bad, (unsigned long long)el,
           el ? done * 1e6 / el : 0.0);
    print_spread("rtt", ra.us, done);
    printf(" error=%s\n", err);
    free(ra.us);
    return 0;
}

static int tcp_listener(long port)
{
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd < 0) { perror("tcpbench: socket"); exit(1); }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 1024) < 0) {
        perror("tcpbench: bind/listen");
        exit(1);
    }
    return fd;
}

/* poll slots 0 and 1: the listeners (echo, discard); then the connections, each with
 * its kind in echo[]. */
static int do_serve(int argc, char **argv)
{
    if (argc != 4) return 2;
    struct pollfd pf[2 + MAXCONNS];
    bool echo[2 + MAXCONNS];
    int n = 2, one = 1;
    static uint8_t buf[65536];
    pf[0] = (struct pollfd){ .fd = tcp_listener(arg_long(argv[2], 1, 65535, "port")), .events = POLLIN };
    pf[1] = (struct pollfd){ .fd = tcp_listener(arg_long(argv[3], 1, 65535, "port")), .events = POLLIN };
    catch_stop_signals();
    printf("ready\n");
    fflush(stdout);
    while (!stop_requested) {
        if (poll(pf, (nfds_t)n, 500) < 0 && errno != EINTR) { perror("tcpbench: poll"); return 1; }
        for (int i = n - 1; i >= 2; i--) {
            if (!pf[i].revents) continue;
            ssize_t r = read(pf[i].fd, buf, sizeof(buf));
            if (r > 0 && echo[i]) {
                for (ssize_t off = 0, w; off < r; off += w)
                    if ((w = write(pf[i].fd, buf + off, (size_t)(r - off))) <= 0) { r = -1; break; }
            }
            if (r <= 0 && !(r < 0 && errno == EAGAIN)) {        /* FIN or error: close */
                close(pf[i].fd);
                pf[i] = pf[n - 1];
                echo[i] = echo[n - 1];
                n--;
            }
        }
        for (int l = 0; l < 2; l++) {
            if (!(pf[l].revents & POLLIN)) continue;
            int c = accept4(pf[l].fd, NULL, NULL, SOCK_CLOEXEC);
            if (c < 0) continue;
            if (n == 2 + MAXCONNS) { close(c); continue; }
            setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            pf[n] = (struct pollfd){ .fd = c, .events = POLLIN };
            echo[n++] = l == 0;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 2;
    if (argc >= 2 && !strcmp(argv[1], "conn")) rc = do_conn(argc, argv);
    else if (argc >= 2 && !strcmp(argv[1], "rr")) rc = do_rr(argc, argv);
    else if (argc >= 2 && !strcmp(argv[1], "serve")) rc = do_serve(argc, argv);
    if (rc == 2)
        fprintf(stderr, "usage: tcpbench conn DST PORT N LIMIT_S | rr DST PORT N LIMIT_S |"
                        " serve ECHOPORT DISCARDPORT\n");
    return rc;
}

/*
 * bench/benchlib.h — what bench/tcpbench.c and bench/udpbench.c share: the clock,
 * argument parsing, the spread of a run's times and the server's stop signals. Header
 * only (static functions): each tool is still one `cc -O2 TOOL.c` (bench/lib.sh's
 * compile_tool); define BENCH_TOOL (the tool's name, for messages) before including it.
 */
#ifndef TAPSTACK_BENCHLIB_H
#define TAPSTACK_BENCHLIB_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifndef BENCH_TOOL
#error "define BENCH_TOOL before including benchlib.h"
#endif

/* Microseconds on the monotonic clock. */
static inline uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* A decimal argument in lo..hi, or exit 2 with a message naming it. */
static inline long arg_long(const char *s, long lo, long hi, const char *what)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end || v < lo || v > hi) {
        fprintf(stderr, BENCH_TOOL ": bad %s \"%s\" (%ld..%ld)\n", what, s, lo, hi);
        exit(2);
    }
    return v;
}

/* DST:PORT as an IPv4 socket address, or exit 2. */
static inline struct sockaddr_in dst_addr(const char *dst, long port)
{
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    if (inet_pton(AF_INET, dst, &sin.sin_addr) != 1) {
        fprintf(stderr, BENCH_TOOL ": bad address %s\n", dst);
        exit(2);
    }
    return sin;
}

/* The spread of n times (µs): mean, minimum, median, 99th percentile, maximum; all 0
 * when n is 0. Sorts us in place. */
struct spread {
    double avg;
    uint32_t min, p50, p99, max;
};

static inline int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static inline struct spread spread_of(uint32_t *us, long n)
{
    struct spread s = { 0 };
    if (n <= 0) return s;
    double sum = 0;
    for (long i = 0; i < n; i++) sum += us[i];
    qsort(us, (size_t)n, sizeof(*us), cmp_u32);
    s.avg = sum / (double)n;
    s.min = us[0];
    s.p50 = us[n / 2];
    s.p99 = us[(n * 99) / 100];          /* < n for every n >= 1 */
    s.max = us[n - 1];
    return s;
}

/* A server runs until SIGTERM, SIGINT or SIGHUP sets stop_requested. */
static volatile sig_atomic_t stop_requested;
static inline void on_stop_signal(int sig) { (void)sig; stop_requested = 1; }
static inline void catch_stop_signals(void)
{
    struct sigaction sa = { .sa_handler = on_stop_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

#endif

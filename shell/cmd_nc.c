/*
 * shell/cmd_nc.c — nc with OpenBSD netcat's semantics, on the stack's own sockets:
 * the command line, and nc over UDP (TCP, the default, is in cmd_nc_tcp.c).
 *
 *   nc -u HOST PORT [< FILE]        connect(), send FILE, print what comes back
 *   nc -u -l PORT [> FILE]          bind, and "connect" to the first sender (as OpenBSD
 *                                   nc does); -k: accept datagrams from anyone
 *   -w SECONDS                      idle timeout once traffic can flow (OpenBSD: poll
 *                                   timeout in readwrite); without it nc runs until ^C
 *   -v, -z, -N                      report the "connection", connect and close, (UDP:
 *                                   nothing to shut down)
 * Each read of the input file (up to 16 KiB, OpenBSD's BUFSIZE) becomes one datagram.
 * Datagrams are paced (one per millisecond by default, -i SECONDS to change it): the
 * application-level pacing a sender needs when the receiver is a real host whose
 * socket buffer is finite.
 */
#include "cmd_nc.h"
#include "net/socket.h"
#include "net/netdev.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define NC_BUFSIZE 16384

struct nc_run {
    struct cmd_ctx *c;
    struct stack *st;
    int fd;
    bool listen, keep, verbose, zero, peer_known;
    uint64_t idle_us, pace_us;
    struct sockaddr_in peer;
    struct timer idle, pace;
    bool in_eof, pace_wait;
    uint8_t buf[NC_BUFSIZE];
    size_t pending;                 /* bytes read from the file, not yet sent */
    uint64_t sent_dgrams, recv_dgrams;
};

static void nc_done(struct nc_run *r, int status) { cmd_finish(r->c, status); }

static void nc_arm_idle(struct nc_run *r)
{
    if (r->idle_us) timer_arm_in(r->st, &r->idle, r->idle_us);
}

static void nc_pump_out(struct nc_run *r);

static void nc_pace_cb(struct timer *t, void *arg)
{
    struct nc_run *r = arg;
    r->pace_wait = false;
    nc_pump_out(r);
}

static void nc_idle_cb(struct timer *t, void *arg) { nc_done(arg, 0); }

/* Send the input file, one datagram per read, paced. */
static void nc_pump_out(struct nc_run *r)
{
    struct cmd_ctx *c = r->c;
    if (r->pace_wait || (!r->peer_known)) return;
    while (!r->in_eof || r->pending) {
        if (!r->pending) {
            if (c->in_fd < 0) { r->in_eof = true; break; }
            ssize_t n = read(c->in_fd, r->buf, sizeof(r->buf));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) { r->in_eof = true; break; }
            r->pending = (size_t)n;
        }
        ssize_t w = ts_send(r->st, r->fd, r->buf, r->pending, 0);
        if (w < 0) {
            if (errno == EAGAIN) return;                /* wait for SK_WRITABLE */
            cmd_error(c, "nc: Write error: %s", strerror(errno));
            nc_done(r, 1);
            return;
        }
        r->pending = 0;
        r->sent_dgrams++;
        nc_arm_idle(r);
        if (r->pace_us) {
            r->pace_wait = true;
            timer_arm_in(r->st, &r->pace, r->pace_us);
            return;
        }
    }
}

static void nc_ready(int fd, unsigned events, void *arg)
{
    struct nc_run *r = arg;
    struct cmd_ctx *c = r->c;
    if (events & SK_READABLE) {
        static uint8_t data[65536];      /* one datagram at a time; the loop is single-threaded */
        for (;;) {
            struct sockaddr_in from;
            socklen_t flen = sizeof(from);
            ssize_t n = ts_recvfrom(r->st, fd, data, sizeof(data), 0, (struct sockaddr *)&from, &flen);
            if (n < 0) {
                if (errno == EAGAIN) break;
                /* A pending ICMP error on the connected socket (ECONNREFUSED ...). OpenBSD nc
                 * just stops reading the network: silently, status 0; with -v we say why
                 * and fail (it would have probed the port first and failed there). */
                if (r->verbose) cmd_error(c, "nc: Read error: %s", strerror(errno));
                nc_done(r, r->verbose ? 1 : 0);
                return;
            }
            if (!r->peer_known) {
                /* OpenBSD nc -u -l: the first datagram's sender becomes the peer */
                r->peer = from;
                r->peer_known = true;
                if (!r->keep) ts_connect(r->st, fd, (struct sockaddr *)&from, sizeof(from));
                if (r->verbose) {
                    char ip[16];
                    cmd_error(c, "Connection received on %s %u", ip4_ntop(ntohl(from.sin_addr.s_addr), ip),
                              ntohs(from.sin_port));
                }
            }
            r->recv_dgrams++;
            cmd_write(c, 1, (const char *)data, (size_t)n);
            nc_arm_idle(r);
        }
        nc_pump_out(r);
    }
    if (events & SK_WRITABLE) nc_pump_out(r);
}

static void nc_cleanup(struct cmd_ctx *c)
{
    struct nc_run *r = c->priv;
    timer_stop(r->st, &r->idle);
    timer_stop(r->st, &r->pace);
    ts_close(r->st, r->fd);
    free(r);
}

static void nc_interrupt(struct cmd_ctx *c) { nc_done(c->priv, 0); }

/* OpenBSD nc's set_common_sockopts and its bind before connect: -I / -O set the socket
 * buffers (before connect or listen, so the window scale follows them), -s / -p choose the
 * local address and port of a connecting socket. false after printing the error. */
bool nc_sock_setup(struct cmd_ctx *c, int fd, const struct nc_opts *o, bool connecting)
{
    if (o->rcvbuf && ts_setsockopt(c->st, fd, SOL_SOCKET, SO_RCVBUF, &o->rcvbuf, sizeof(o->rcvbuf)) < 0) {
        cmd_error(c, "nc: setsockopt SO_RCVBUF: %s", strerror(errno));
        return false;
    }
    if (o->sndbuf && ts_setsockopt(c->st, fd, SOL_SOCKET, SO_SNDBUF, &o->sndbuf, sizeof(o->sndbuf)) < 0) {
        cmd_error(c, "nc: setsockopt SO_SNDBUF: %s", strerror(errno));
        return false;
    }
    if (!connecting || !(o->src_set || o->src_port)) return true;
    struct sockaddr_in src = { .sin_family = AF_INET, .sin_port = htons(o->src_port), .sin_addr.s_addr = htonl(o->src_addr) };
    if (ts_bind(c->st, fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
        cmd_error(c, "nc: bind failed: %s", strerror(errno));
        return false;
    }
    return true;
}

/* The value of an option that takes one: the rest of its word ("-w5") or the next word. */
static const char *nc_optarg(const char *f, int argc, char **argv, int *i)
{
    return f[1] ? f + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
}

/* -I / -O: a TCP buffer length, as OpenBSD nc's strtonum(optarg, 1, 65536 << 14). */
static bool nc_buflen(struct cmd_ctx *c, const char *v, const char *what, int *out)
{
    char *end;
    long n = v ? strtol(v, &end, 10) : 0;
    if (!v || !*v || *end) { cmd_error(c, "nc: TCP %s window invalid: %s", what, v ? v : ""); return false; }
    if (n < 1) { cmd_error(c, "nc: TCP %s window too small: %s", what, v); return false; }
    if (n > (65536L << 14)) { cmd_error(c, "nc: TCP %s window too large: %s", what, v); return false; }
    *out = (int)n;
    return true;
}

/* One option word ("-lv", "-w5", "-w 5"): false after printing the error. */
static bool nc_parse_flags(struct cmd_ctx *c, struct nc_opts *o, bool *udp, double *wait, double *interval,
                           int argc, char **argv, int *i)
{
    for (const char *f = argv[*i] + 1; *f; f++) {
        const char *v;
        char *end;
        switch (*f) {
        case 'u': *udp = true; break;
        case 'l': o->listen = true; break;
        case 'k': o->keep = true; break;
        case 'v': o->verbose = true; break;
        case 'z': o->zero = true; break;
        case 'N': o->shut_wr = true; break;
        case 'n': case 'd': break;
        case 'w': case 'i': {
            v = nc_optarg(f, argc, argv, i);
            double d = v ? strtod(v, &end) : -1;
            if (!v || *end || d < 0) { cmd_error(c, "nc: %s timeout invalid", *f == 'w' ? "connection" : "interval"); return false; }
            if (*f == 'w') *wait = d; else *interval = d;
            return true;                  /* the rest of this word was the value */
        }
        case 'I': case 'O':
            v = nc_optarg(f, argc, argv, i);
            return nc_buflen(c, v, *f == 'I' ? "receive" : "send", *f == 'I' ? &o->rcvbuf : &o->sndbuf);
        case 'p': {
            v = nc_optarg(f, argc, argv, i);
            long port = v ? strtol(v, &end, 10) : 0;
            if (!v || *end || port < 1 || port > 65535) { cmd_error(c, "nc: port number invalid: %s", v ? v : ""); return false; }
            o->src_port = (uint16_t)port;
            return true;
        }
        case 's':
            v = nc_optarg(f, argc, argv, i);
            if (!v || !ip4_pton(v, &o->src_addr)) {
                cmd_error(c, "nc: getaddrinfo for host \"%s\" port 0: Name or service not known", v ? v : "");
                return false;
            }
            o->src_set = true;
            return true;
        default:
            cmd_error(c, "nc: invalid option -- '%c'", *f);
            return false;
        }
    }
    return true;
}

int cmd_nc(struct cmd_ctx *c, int argc, char **argv)
{
    struct nc_opts o = { 0 };
    bool udp = false;
    double wait = 0, interval = 0.001;
    const char *args[2] = { NULL, NULL };
    char portbuf[8];
    int nargs = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1]) {
            if (!nc_parse_flags(c, &o, &udp, &wait, &interval, argc, argv, &i)) return 1;
            continue;
        }
        if (nargs == 2) { cmd_error(c, "nc: too many arguments"); return 1; }
        args[nargs++] = a;
    }
    bool listen = o.listen, keep = o.keep, verbose = o.verbose, zero = o.zero;
    /* Debian's nc: `nc -l -p PORT` listens on PORT (the port argument may be left out). */
    if (listen && o.src_port && nargs < 2) {
        if (nargs == 1 && !ip4_pton(args[0], &(uint32_t){ 0 })) { cmd_error(c, "nc: cannot use -p and a port with -l"); return 1; }
        snprintf(portbuf, sizeof(portbuf), "%u", o.src_port);
        args[nargs++] = portbuf;
        o.src_port = 0;
    }
    const char *host = NULL, *port_s;
    if (listen) {
        if (nargs == 2) { host = args[0]; port_s = args[1]; }
        else if (nargs == 1) port_s = args[0];
        else { cmd_error(c, "nc: missing port number"); return 1; }
    } else {
        if (nargs != 2) { cmd_error(c, "nc: missing hostname and port"); return 1; }
        host = args[0]; port_s = args[1];
    }
    char *end;
    long port = strtol(port_s, &end, 10);
    if (*end || port < 1 || port > 65535) { cmd_error(c, "nc: port number invalid: %s", port_s); return 1; }
    uint32_t addr = 0;
    if (host && !ip4_pton(host, &addr)) {
        cmd_error(c, "nc: getaddrinfo for host \"%s\" port %ld: Name or service not known", host, port);
        return 1;
    }
    if (!udp) {
        o.host = host;
        o.addr = addr;
        o.port = (uint16_t)port;
        o.wait_us = (uint64_t)(wait * 1e6);
        return nc_tcp_start(c, &o);
    }
    int fd = ts_socket(c->net, AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) { cmd_error(c, "nc: socket: %s", strerror(errno)); return 1; }
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(addr) };
    struct nc_run *r = calloc(1, sizeof(*r));
    if (!r) { ts_close(c->st, fd); return 1; }
    r->c = c; r->st = c->st; r->fd = fd;
    r->listen = listen; r->keep = keep; r->verbose = verbose; r->zero = zero;
    r->idle_us = (uint64_t)(wait * 1e6);
    r->pace_us = (uint64_t)(interval * 1e6);
    timer_init(&r->idle, nc_idle_cb, r);
    timer_init(&r->pace, nc_pace_cb, r);
    c->priv = r;
    c->cleanup = nc_cleanup;
    c->interrupt = nc_interrupt;
    if (!nc_sock_setup(c, fd, &o, !listen)) { cmd_finish(c, 1); return CMD_ASYNC; }
    if (listen) {
        int one = 1;
        ts_setsockopt(c->st, fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (ts_bind(c->st, fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
            cmd_error(c, "nc: bind failed: %s", strerror(errno));
            cmd_finish(c, 1);
            return CMD_ASYNC;
        }
        if (verbose) cmd_error(c, "Bound on %s %ld", host ? host : "0.0.0.0", port);
    } else {
        if (ts_connect(c->st, fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
            cmd_error(c, "nc: connect to %s port %ld (udp) failed: %s", host, port, strerror(errno));
            cmd_finish(c, 1);
            return CMD_ASYNC;
        }
        r->peer = sin;
        r->peer_known = true;
        if (verbose || zero) cmd_error(c, "Connection to %s %ld port [udp/*] succeeded!", host, port);
        if (zero) { cmd_finish(c, 0); return CMD_ASYNC; }
        nc_arm_idle(r);
    }
    ts_set_ready_cb(c->st, fd, nc_ready, r);
    nc_pump_out(r);
    return CMD_ASYNC;
}

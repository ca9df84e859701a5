/*
 * shell/cmd_nc_tcp.c — nc over TCP with OpenBSD netcat's semantics, on the stack's own
 * stream sockets:
 *
 *   nc HOST PORT [< FILE]      connect, copy FILE to the connection and the connection
 *                              to stdout (readwrite); ends when both the file and the
 *                              connection are at their end
 *   -N                         shut the write side (FIN) once FILE is all sent
 *   nc -l [HOST] PORT [> FILE] accept one connection (the listening socket then closes,
 *                              as OpenBSD nc does); ends at the peer's FIN
 *   -k                         with -l: accept the next connection after each one ends
 *   -v                         "Connection to H P port [tcp/S] succeeded!",
 *                              "Listening on A P", "Connection received on H P"
 *   -z                         connect and close at once (a port scan)
 *   -w SECONDS                 connect timeout, then idle timeout (poll's in readwrite)
 *   -I / -O LENGTH             SO_RCVBUF / SO_SNDBUF before connect or listen (children
 *                              of the listener inherit them, as in Linux)
 *   -s ADDR, -p PORT           the connecting socket's local address and port
 * A failed connect ("nc: connect to H port P (tcp) failed: Connection refused") exits 1
 * at once; OpenBSD nc prints it only with -v, here it is always printed so the cause is
 * never silent. Without `< FILE` the input is at its end from the start.
 */
#include "cmd_nc.h"
#include "net/socket.h"
#include "net/sock.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <unistd.h>

#define NC_TCP_BUFSIZE 65536

struct nc_tcp {
    struct cmd_ctx *c;
    struct stack *st;
    struct nc_opts o;
    char host[64];                  /* o.host's copy: argv is gone once the command runs on */
    int lfd, fd;                    /* listening socket (-l), the connection; -1 none */
    bool connected, in_done, out_done, net_eof;
    struct timer idle;              /* -w: the connect timeout, then the idle timeout */
    size_t pending, off;            /* input bytes read and not yet sent */
    uint8_t buf[NC_TCP_BUFSIZE];
};

static void nct_ready(int fd, unsigned events, void *arg);
static void nct_accept(struct nc_tcp *r);

static void nct_arm_idle(struct nc_tcp *r)
{
    if (r->o.wait_us) timer_arm_in(r->st, &r->idle, r->o.wait_us);
}

static void nct_idle_cb(struct timer *t, void *arg)
{
    struct nc_tcp *r = arg;
    char ip[16];
    if (!r->connected && !r->o.listen) {
        cmd_error(r->c, "nc: connect to %s port %u (tcp) timed out: %s", ip4_ntop(r->o.addr, ip), r->o.port,
                  strerror(EINPROGRESS));
        cmd_finish(r->c, 1);
        return;
    }
    cmd_finish(r->c, 0);            /* readwrite's poll timed out: done, status 0 */
}

/* The connection ended: with -k wait for the next one, else the command is done. */
static void nct_conn_done(struct nc_tcp *r)
{
    ts_close(r->st, r->fd);
    r->fd = -1;
    if (r->o.listen && r->o.keep && r->lfd >= 0) {
        r->connected = r->net_eof = r->out_done = false;
        nct_accept(r);                                      /* one may be waiting already */
        return;
    }
    cmd_finish(r->c, 0);
}

/* The input file to the connection (readwrite's stdin -> netout). */
static void nct_pump_out(struct nc_tcp *r)
{
    while (!r->out_done) {
        if (!r->pending) {
            ssize_t n = r->in_done || r->c->in_fd < 0 ? 0 : read(r->c->in_fd, r->buf, sizeof(r->buf));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                r->in_done = r->out_done = true;
                if (r->o.shut_wr) ts_shutdown(r->st, r->fd, SHUT_WR);     /* -N */
                return;
            }
            r->pending = (size_t)n;
            r->off = 0;
        }
        ssize_t w = ts_send(r->st, r->fd, r->buf + r->off, r->pending, 0);
        if (w < 0) {
            if (errno == EAGAIN) return;                    /* SK_WRITABLE brings us back */
            if (r->o.verbose) cmd_error(r->c, "nc: write failed: %s", strerror(errno));
            r->in_done = r->out_done = true;                /* netout gone */
            return;
        }
        r->off += (size_t)w;
        r->pending -= (size_t)w;
        nct_arm_idle(r);
    }
}

/* The connection to stdout (readwrite's netin -> stdout). */
static void nct_pump_in(struct nc_tcp *r)
{
    static uint8_t data[NC_TCP_BUFSIZE];    /* the loop is single-threaded */
    while (!r->net_eof) {
        ssize_t n = ts_recv(r->st, r->fd, data, sizeof(data), 0);
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) {
            if (n < 0 && r->o.verbose) cmd_error(r->c, "nc: read failed: %s", strerror(errno));
            r->net_eof = true;
            if (n < 0) r->out_done = r->in_done = true;     /* reset: nothing more goes out */
            return;
        }
        cmd_write(r->c, 1, (const char *)data, (size_t)n);
        nct_arm_idle(r);
    }
}

static void nct_connected(struct nc_tcp *r)
{
    r->connected = true;
    if (r->o.verbose || r->o.zero) {
        struct servent *se = getservbyport(htons(r->o.port), "tcp");
        cmd_error(r->c, "Connection to %s %u port [tcp/%s] succeeded!", r->o.host, r->o.port,
                  se ? se->s_name : "*");
    }
    if (r->o.zero) { cmd_finish(r->c, 0); return; }
    nct_arm_idle(r);
}

/* A connect in progress: its outcome (OpenBSD's timeout_connect: poll, then SO_ERROR). */
static bool nct_connect_result(struct nc_tcp *r)
{
    struct sock *sk = ts_sock(r->st, r->fd);
    if (sk && sk->state == SK_SYN_SENT) return false;
    int err = 0;
    socklen_t len = sizeof(err);
    ts_getsockopt(r->st, r->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (!err && sk && sk->state == SK_CLOSE) err = ECONNREFUSED;
    if (err) {
        char ip[16];
        cmd_error(r->c, "nc: connect to %s port %u (tcp) failed: %s", ip4_ntop(r->o.addr, ip), r->o.port,
                  strerror(err));
        cmd_finish(r->c, 1);
        return false;
    }
    bool zero = r->o.zero;
    nct_connected(r);                                       /* -z: finished (r is freed) */
    return !zero;
}

static void nct_accept(struct nc_tcp *r)
{
    struct sockaddr_in from;
    socklen_t flen = sizeof(from);
    int fd = ts_accept(r->st, r->lfd, (struct sockaddr *)&from, &flen);
    if (fd < 0) return;
    r->fd = fd;
    r->connected = true;
    r->in_done = r->in_done || r->c->in_fd < 0;
    r->out_done = r->in_done;
    if (r->o.verbose) {
        char ip[16];
        cmd_error(r->c, "Connection received on %s %u", ip4_ntop(ntohl(from.sin_addr.s_addr), ip),
                  ntohs(from.sin_port));
    }
    if (!r->o.keep) { ts_close(r->st, r->lfd); r->lfd = -1; }   /* one connection only */
    nct_arm_idle(r);
    ts_set_ready_cb(r->st, fd, nct_ready, r);
}

static void nct_ready(int fd, unsigned events, void *arg)
{
    struct nc_tcp *r = arg;
    if (fd == r->lfd) {
        if (r->fd < 0) nct_accept(r);
        return;
    }
    if (fd != r->fd) return;
    if (!r->connected && !nct_connect_result(r)) return;
    nct_pump_in(r);
    nct_pump_out(r);
    /* readwrite's ends: the connection closed and (client) the input all sent, or the
     * connection can take nothing more either way */
    if (r->net_eof && (r->o.listen || r->out_done)) nct_conn_done(r);
}

static void nct_cleanup(struct cmd_ctx *c)
{
    struct nc_tcp *r = c->priv;
    timer_stop(r->st, &r->idle);
    if (r->fd >= 0) ts_close(r->st, r->fd);
    if (r->lfd >= 0) ts_close(r->st, r->lfd);
    free(r);
}

static void nct_interrupt(struct cmd_ctx *c) { cmd_finish(c, 0); }

static int nct_listen(struct nc_tcp *r, struct sockaddr_in *sin)
{
    struct cmd_ctx *c = r->c;
    int one = 1;
    r->lfd = ts_socket(c->net, AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (r->lfd < 0) { cmd_error(c, "nc: socket: %s", strerror(errno)); return -1; }
    ts_setsockopt(r->st, r->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (!nc_sock_setup(c, r->lfd, &r->o, false)) return -1;     /* accepted sockets inherit them */
    if (ts_bind(r->st, r->lfd, (struct sockaddr *)sin, sizeof(*sin)) < 0) {
        cmd_error(c, "nc: bind failed: %s", strerror(errno));
        return -1;
    }
    if (ts_listen(r->st, r->lfd, 1) < 0) { cmd_error(c, "nc: listen failed: %s", strerror(errno)); return -1; }
    if (r->o.verbose) cmd_error(c, "Listening on %s %u", r->o.host, r->o.port);
    ts_set_ready_cb(r->st, r->lfd, nct_ready, r);
    return 0;
}

static int nct_connect(struct nc_tcp *r, struct sockaddr_in *sin)
{
    struct cmd_ctx *c = r->c;
    r->fd = ts_socket(c->net, AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (r->fd < 0) { cmd_error(c, "nc: socket: %s", strerror(errno)); return -1; }
    if (!nc_sock_setup(c, r->fd, &r->o, true)) return -1;
    if (ts_connect(r->st, r->fd, (struct sockaddr *)sin, sizeof(*sin)) < 0 && errno != EINPROGRESS) {
        char ip[16];
        cmd_error(c, "nc: connect to %s port %u (tcp) failed: %s", ip4_ntop(r->o.addr, ip), r->o.port,
                  strerror(errno));
        return -1;
    }
    nct_arm_idle(r);                                        /* -w: the connect timeout */
    ts_set_ready_cb(r->st, r->fd, nct_ready, r);
    return 0;
}

int nc_tcp_start(struct cmd_ctx *c, const struct nc_opts *o)
{
    struct nc_tcp *r = calloc(1, sizeof(*r));
    if (!r) { cmd_error(c, "nc: %s", strerror(ENOMEM)); return 1; }
    r->c = c; r->st = c->st; r->o = *o;
    snprintf(r->host, sizeof(r->host), "%s", o->host ? o->host : "0.0.0.0");
    r->o.host = r->host;
    r->lfd = r->fd = -1;
    timer_init(&r->idle, nct_idle_cb, r);
    c->priv = r;
    c->cleanup = nct_cleanup;
    c->interrupt = nct_interrupt;
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(o->port), .sin_addr.s_addr = htonl(o->addr) };
    if ((o->listen ? nct_listen(r, &sin) : nct_connect(r, &sin)) < 0) cmd_finish(c, 1);
    return CMD_ASYNC;
}

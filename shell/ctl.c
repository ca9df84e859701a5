/*
 * shell/ctl.c — control socket server (in the stack's event loop) and client
 * (`tapstack ctl`). See ctl.h for the protocol.
 */
#include "ctl.h"
#include "app.h"
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CTL_MAX_LINE 4096
#define CTL_MAX_CLIENTS 64

struct ctl_conn {
    struct ctl_conn *next;
    struct ctl_server *srv;
    int fd;
    ev_io io;
    char line[CTL_MAX_LINE];
    size_t len;
    bool started, gone;
    struct session s;
};

struct ctl_server {
    struct app *app;
    struct ev_loop *loop;
    int fd;
    ev_io io;
    char path[108];
    struct ctl_conn *conns;
    int nconns;
};

static void send_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) { usleep(200); continue; }   /* a slow reader: wait briefly */
            return;                                           /* client gone: drop output */
        }
        p += w; n -= (size_t)w;
    }
}

static void ctl_frame(int fd, char chan, const void *buf, size_t n)
{
    uint8_t h[5] = { (uint8_t)chan, (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };
    send_all(fd, h, 5);
    if (n) send_all(fd, buf, n);
}

static void ctl_write(void *io, int fd, const char *buf, size_t n)
{
    struct ctl_conn *cc = io;
    if (cc->fd >= 0) ctl_frame(cc->fd, fd == 2 ? '2' : '1', buf, n);
}

static void ctl_conn_close(struct ctl_conn *cc)
{
    struct ctl_server *srv = cc->srv;
    ev_io_stop(srv->loop, &cc->io);
    session_free(&cc->s);
    if (cc->fd >= 0) close(cc->fd);
    for (struct ctl_conn **pp = &srv->conns; *pp; pp = &(*pp)->next)
        if (*pp == cc) { *pp = cc->next; break; }
    srv->nconns--;
    free(cc);
}

static void ctl_line_done(struct session *s)
{
    struct ctl_conn *cc = s->owner;
    uint8_t st[4] = { (uint8_t)(s->last_status >> 24), (uint8_t)(s->last_status >> 16),
                      (uint8_t)(s->last_status >> 8), (uint8_t)s->last_status };
    if (cc->fd >= 0) ctl_frame(cc->fd, 'x', st, 4);
    if (shell_exit_requested) cc->srv->app->quit = true;
}

static void ctl_drained(struct session *s)
{
    struct ctl_conn *cc = s->owner;
    if (cc->started) ctl_conn_close(cc);     /* one command per connection */
}

static void ctl_conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct ctl_conn *cc = w->data;
    if (cc->started) {
        /* After the command line the client sends nothing: readable means it shut down
         * or went away, which interrupts the command (as ^C). */
        char tmp[64];
        ssize_t n = recv(cc->fd, tmp, sizeof(tmp), 0);
        if (n > 0) return;
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        ev_io_stop(loop, w);
        cc->gone = true;
        session_interrupt(&cc->s);
        return;
    }
    ssize_t n = recv(cc->fd, cc->line + cc->len, sizeof(cc->line) - 1 - cc->len, 0);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        ctl_conn_close(cc);
        return;
    }
    cc->len += (size_t)n;
    cc->line[cc->len] = 0;
    char *nl = strchr(cc->line, '\n');
    if (!nl) {
        if (cc->len == sizeof(cc->line) - 1) {
            ctl_write(cc, 2, "tapstack: command line too long\n", 32);
            cc->s.last_status = 2;
            ctl_line_done(&cc->s);
            ctl_conn_close(cc);
        }
        return;
    }
    *nl = 0;
    cc->started = true;
    session_feed(&cc->s, cc->line);
    session_pump(&cc->s);
}

static void ctl_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct ctl_server *srv = w->data;
    int fd = accept4(srv->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    if (srv->nconns >= CTL_MAX_CLIENTS) {
        ctl_frame(fd, '2', "tapstack: too many control clients\n", 35);
        uint8_t st[4] = { 0, 0, 0, 1 };
        ctl_frame(fd, 'x', st, 4);
        close(fd);
        return;
    }
    struct ctl_conn *cc = calloc(1, sizeof(*cc));
    if (!cc) { close(fd); return; }
    cc->srv = srv;
    cc->fd = fd;
    session_init(&cc->s, srv->app, ctl_write, cc);
    cc->s.owner = cc;
    cc->s.line_done = ctl_line_done;
    cc->s.drained = ctl_drained;
    ev_io_init(&cc->io, ctl_conn_cb, fd, EV_READ);
    cc->io.data = cc;
    ev_io_start(loop, &cc->io);
    cc->next = srv->conns;
    srv->conns = cc;
    srv->nconns++;
}

struct ctl_server *ctl_server_start(struct app *app, const char *path, char *err, size_t errlen)
{
    if (!path) path = CTL_DEFAULT_PATH;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(sa.sun_path)) { snprintf(err, errlen, "%s: path too long", path); return NULL; }
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) { snprintf(err, errlen, "socket: %s", strerror(errno)); return NULL; }
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    if (rc < 0 && errno == EADDRINUSE) {
        /* A stale socket file is removed; a live one belongs to another stack. */
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool alive = probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
        if (probe >= 0) close(probe);
        if (alive) { snprintf(err, errlen, "%s: another tapstack is listening there", path); close(fd); return NULL; }
        unlink(path);
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
            snprintf(err, errlen, "bind %s: %s", path, strerror(errno)); close(fd); return NULL;
        }
    } else if (rc < 0) {
        snprintf(err, errlen, "bind %s: %s", path, strerror(errno)); close(fd); return NULL;
    }
    if (listen(fd, 16) < 0) { snprintf(err, errlen, "listen: %s", strerror(errno)); close(fd); unlink(path); return NULL; }
    struct ctl_server *srv = calloc(1, sizeof(*srv));
    if (!srv) { close(fd); unlink(path); return NULL; }
    srv->app = app;
    srv->loop = app->loop;
    srv->fd = fd;
    snprintf(srv->path, sizeof(srv->path), "%s", path);
    ev_io_init(&srv->io, ctl_accept_cb, fd, EV_READ);
    srv->io.data = srv;
    ev_io_start(srv->loop, &srv->io);
    return srv;
}

void ctl_server_stop(struct ctl_server *srv)
{
    if (!srv) return;
    while (srv->conns) ctl_conn_close(srv->conns);
    ev_io_stop(srv->loop, &srv->io);
    close(srv->fd);
    unlink(srv->path);
    free(srv);
}

/* ---- the client: tapstack ctl [--ctl PATH] COMMAND... ---- */

static volatile sig_atomic_t client_interrupted;
static void client_sigint(int sig) { (void)sig; client_interrupted = 1; }

/* ^C (or SIGTERM) to the client interrupts the command: shut our write side down once,
 * keep reading so the command's last words (ping's statistics) still arrive. Called
 * wherever a system call came back with EINTR — the signal may land in a read or a
 * write (a slow stdout). */
static void client_check_interrupt(int fd)
{
    if (client_interrupted == 1) {
        shutdown(fd, SHUT_WR);
        client_interrupted = 2;
    }
}

static bool read_full(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n) {
        client_check_interrupt(fd);
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        p += r; n -= (size_t)r;
    }
    return true;
}

static void write_out(int sock, int out, const char *buf, size_t n)
{
    while (n) {
        client_check_interrupt(sock);
        ssize_t w = write(out, buf, n);
        if (w < 0) { if (errno == EINTR) continue; return; }
        buf += w; n -= (size_t)w;
    }
}

int ctl_client_main(const char *path, int argc, char **argv)
{
    if (!path) path = CTL_DEFAULT_PATH;
    if (argc == 0) { fprintf(stderr, "tapstack ctl: no command given\n"); return 2; }
    /* Join the words; quote those that would otherwise split or lose their quotes. */
    size_t cap = 2;
    for (int i = 0; i < argc; i++) cap += strlen(argv[i]) * 2 + 3;
    char *line = malloc(cap);
    if (!line) return 1;
    size_t len = 0;
    for (int i = 0; i < argc; i++) {
        bool plain = argc == 1 || !strpbrk(argv[i], " \t'\"\\#");
        if (i) line[len++] = ' ';
        if (plain) { memcpy(line + len, argv[i], strlen(argv[i])); len += strlen(argv[i]); continue; }
        line[len++] = '"';
        for (const char *c = argv[i]; *c; c++) {
            if (*c == '"' || *c == '\\') line[len++] = '\\';
            line[len++] = *c;
        }
        line[len++] = '"';
    }
    line[len++] = '\n';
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        fprintf(stderr, "tapstack ctl: cannot connect to %s: %s (is `tapstack -d` running?)\n", path, strerror(errno));
        free(line);
        if (fd >= 0) close(fd);
        return 1;
    }
    struct sigaction act = { .sa_handler = client_sigint };     /* no SA_RESTART: read sees EINTR */
    sigaction(SIGINT, &act, NULL);
    sigaction(SIGTERM, &act, NULL);
    signal(SIGPIPE, SIG_IGN);
    send_all(fd, line, len);
    free(line);
    int status = 1;
    for (;;) {
        uint8_t h[5];
        if (!read_full(fd, h, 5)) { fprintf(stderr, "tapstack ctl: connection closed\n"); break; }
        uint32_t n = (uint32_t)h[1] << 24 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 8 | h[4];
        if (n > (1u << 24)) { fprintf(stderr, "tapstack ctl: bad frame\n"); break; }
        char *buf = malloc(n ? n : 1);
        if (!buf || !read_full(fd, buf, n)) { free(buf); break; }
        if (h[0] == 'x' && n == 4) {
            status = (int)((uint32_t)(uint8_t)buf[0] << 24 | (uint32_t)(uint8_t)buf[1] << 16 |
                           (uint32_t)(uint8_t)buf[2] << 8 | (uint8_t)buf[3]);
            free(buf);
            break;
        }
        write_out(fd, h[0] == '2' ? 2 : 1, buf, n);
        free(buf);
    }
    close(fd);
    return status > 255 ? 255 : status;
}

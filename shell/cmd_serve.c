/*
 * shell/cmd_serve.c — the small servers of RFC 862 (echo), 863 (discard) and 864
 * (chargen), running in the background on the stack's sockets:
 *   serve echo|discard|chargen udp|tcp PORT     returns once the port is bound
 *   serve list                                  PROTO PORT KIND CONNECTIONS
 *   serve stop PORT
 * For UDP, CONNECTIONS counts the distinct peers served (UDP has no connections; the
 * peers are what a learner wants to see); for TCP, the connections accepted. A TCP
 * server accepts up to SERVE_MAX_CONNS connections at a time (more wait in the listen
 * backlog). Echo stops reading while what it echoes waits for the send buffer, so a
 * fast sender is slowed by TCP's flow control, not by dropping; at the client's FIN the
 * rest of the echo is still sent, then the server closes its side.
 */
#include "cmd.h"
#include "net/socket.h"
#include "net/sock.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#define SERVE_MAX_PEERS 64
#define SERVE_MAX_CONNS 1024
#define SERVE_BUFSIZE 16384

enum serve_kind { SERVE_ECHO, SERVE_DISCARD, SERVE_CHARGEN };
static const char *const kind_names[] = { "echo", "discard", "chargen" };

struct server;
/* One accepted TCP connection. */
struct serve_conn {
    struct serve_conn *next;
    struct server *srv;
    int fd;
    bool eof;                       /* the client's FIN came */
    unsigned line;                  /* chargen's next line */
    size_t pending, off;            /* echo/chargen bytes not yet taken by the socket */
    uint8_t buf[SERVE_BUFSIZE];
};

struct server {
    struct server *next;
    bool tcp;
    struct serve_conn *conns;
    unsigned nconns;                /* open now */
    uint64_t accepted;
    struct stack *st;
    struct net *net;
    enum serve_kind kind;
    uint16_t port;
    int fd;
    struct sock_addr peers[SERVE_MAX_PEERS];
    unsigned npeers;                /* distinct peers seen (saturates) */
    uint64_t datagrams;
};

static void note_peer(struct server *s, uint32_t addr, uint16_t port)
{
    for (unsigned i = 0; i < s->npeers && i < SERVE_MAX_PEERS; i++)
        if (s->peers[i].addr == addr && s->peers[i].port == port) return;
    if (s->npeers < SERVE_MAX_PEERS) s->peers[s->npeers] = (struct sock_addr){ addr, port };
    s->npeers++;
}

/* RFC 864: the rotating 72-character lines of the 95 printable ASCII characters. */
static size_t chargen_fill(uint8_t *buf, size_t len, unsigned *line)
{
    size_t n = 0;
    while (n < len) {
        for (unsigned i = 0; i < 72 && n < len; i++) buf[n++] = (uint8_t)(' ' + (*line + i) % 95);
        if (n < len) buf[n++] = '\r';
        if (n < len) buf[n++] = '\n';
        *line = (*line + 1) % 95;
    }
    return n;
}

static void serve_ready(int fd, unsigned events, void *arg)
{
    struct server *s = arg;
    static uint8_t buf[65536];
    for (int budget = 0; budget < 256; budget++) {
        struct sockaddr_in from;
        socklen_t flen = sizeof(from);
        ssize_t n = ts_recvfrom(s->st, fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
        if (n < 0) {
            if (errno == EAGAIN) return;
            continue;               /* an ICMP error for a reply we sent: nothing to do */
        }
        s->datagrams++;
        note_peer(s, ntohl(from.sin_addr.s_addr), ntohs(from.sin_port));
        switch (s->kind) {
        case SERVE_ECHO:            /* RFC 862: send back the data received */
            ts_sendto(s->st, fd, buf, (size_t)n, 0, (struct sockaddr *)&from, flen);
            break;
        case SERVE_DISCARD:         /* RFC 863: throw it away */
            break;
        case SERVE_CHARGEN: {       /* RFC 864: answer with 0..512 characters */
            unsigned line = (unsigned)(s->datagrams % 95);
            size_t len = stack_rand_range(s->st, 0, 512);
            chargen_fill(buf, len, &line);
            ts_sendto(s->st, fd, buf, len, 0, (struct sockaddr *)&from, flen);
            break;
        }
        }
    }
    /* more waiting: the socket stays readable and is reported again next round */
}


/* Send what is pending; false when the socket is full (SK_WRITABLE brings us back). */
static void conn_free(struct serve_conn *k);

static bool conn_flush(struct serve_conn *k)
{
    while (k->pending) {
        ssize_t w = ts_send(k->srv->st, k->fd, k->buf + k->off, k->pending, 0);
        if (w < 0) {
            if (errno == EAGAIN) return false;
            k->pending = 0;             /* reset by the peer: nothing more to send */
            k->eof = true;
            return true;
        }
        k->off += (size_t)w;
        k->pending -= (size_t)w;
    }
    return true;
}

/* A connection's turn: send what waits, then read more (RFC 862 echo: to send back;
 * RFC 863 discard: thrown away) or, for RFC 864 chargen, make more lines while what the
 * client sends is thrown away. At the client's FIN what waits still goes, then close. */
static void conn_ready(int fd, unsigned events, void *arg)
{
    struct serve_conn *k = arg;
    struct stack *st = k->srv->st;
    for (int budget = 0; budget < 64; budget++) {
        if (!conn_flush(k)) return;
        if (k->eof) { conn_free(k); return; }
        bool chargen = k->srv->kind == SERVE_CHARGEN;
        uint8_t drain[2048];
        ssize_t n = chargen ? ts_recv(st, fd, drain, sizeof(drain), 0) : ts_recv(st, fd, k->buf, sizeof(k->buf), 0);
        if (n == 0 || (n < 0 && errno != EAGAIN)) { k->eof = true; continue; }
        if (chargen) {
            k->pending = chargen_fill(k->buf, sizeof(k->buf), &k->line);
            k->off = 0;
            continue;
        }
        if (n < 0) return;                              /* all read: wait for more */
        if (k->srv->kind == SERVE_ECHO) { k->pending = (size_t)n; k->off = 0; }
    }
    /* more waiting: the socket stays ready and is reported again next round */
}

static void serve_accept(int fd, unsigned events, void *arg)
{
    struct server *s = arg;
    while (s->nconns < SERVE_MAX_CONNS) {
        int cfd = ts_accept(s->st, fd, NULL, NULL);
        if (cfd < 0) return;
        struct serve_conn *k = calloc(1, sizeof(*k));
        if (!k) { ts_close(s->st, cfd); return; }
        k->srv = s;
        k->fd = cfd;
        k->next = s->conns;
        s->conns = k;
        s->nconns++;
        s->accepted++;
        ts_set_ready_cb(s->st, cfd, conn_ready, k);
    }
}

static struct server **server_list(struct stack *st) { return (struct server **)&st->app_servers; }

static void conn_free(struct serve_conn *k)
{
    struct server *s = k->srv;
    for (struct serve_conn **pp = &s->conns; *pp; pp = &(*pp)->next)
        if (*pp == k) { *pp = k->next; break; }
    s->nconns--;
    ts_close(s->st, k->fd);             /* at EOF: our FIN; with unread data: an RST */
    free(k);
}

static void server_free(struct server *s)
{
    while (s->conns) conn_free(s->conns);
    ts_close(s->st, s->fd);
    s->net->cmd_refs--;
    free(s);
}

void serve_shutdown(struct stack *st)
{
    struct server **list = server_list(st);
    while (*list) {
        struct server *s = *list;
        *list = s->next;
        server_free(s);
    }
}

static int serve_start(struct cmd_ctx *c, enum serve_kind kind, const char *proto, const char *port_s)
{
    bool tcp = !strcmp(proto, "tcp");
    if (!tcp && strcmp(proto, "udp")) { cmd_error(c, "serve: unknown protocol \"%s\" (udp or tcp)", proto); return 2; }
    char *end;
    long port = strtol(port_s, &end, 10);
    if (*end || port < 1 || port > 65535) { cmd_error(c, "serve: bad port \"%s\"", port_s); return 2; }
    int fd = ts_socket(c->net, AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, tcp ? IPPROTO_TCP : IPPROTO_UDP);
    if (fd < 0) { cmd_error(c, "serve: socket: %s", strerror(errno)); return 1; }
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    int one = 1;
    if (tcp) ts_setsockopt(c->st, fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (ts_bind(c->st, fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || (tcp && ts_listen(c->st, fd, 128) < 0)) {
        cmd_error(c, "serve: bind %s port %ld: %s", proto, port, strerror(errno));
        ts_close(c->st, fd);
        return 1;
    }
    struct server *s = calloc(1, sizeof(*s));
    if (!s) { ts_close(c->st, fd); return 1; }
    s->st = c->st; s->net = c->net; s->kind = kind; s->port = (uint16_t)port; s->fd = fd; s->tcp = tcp;
    s->net->cmd_refs++;             /* the namespace stays while the server runs */
    ts_set_ready_cb(c->st, fd, tcp ? serve_accept : serve_ready, s);
    s->next = *server_list(c->st);
    *server_list(c->st) = s;
    return 0;
}

int cmd_serve(struct cmd_ctx *c, int argc, char **argv)
{
    if (argc < 2) { cmd_error(c, "serve: usage: serve echo|discard|chargen udp|tcp PORT | list | stop PORT"); return 2; }
    if (!strcmp(argv[1], "list")) {
        for (struct server *s = *server_list(c->st); s; s = s->next)
            if (s->net == c->net)
                cmd_printf(c, "%s %u %s %llu\n", s->tcp ? "tcp" : "udp", s->port, kind_names[s->kind],
                           s->tcp ? (unsigned long long)s->accepted : (unsigned long long)s->npeers);
        return 0;
    }
    if (!strcmp(argv[1], "stop")) {
        if (argc != 3) { cmd_error(c, "serve: usage: serve stop PORT"); return 2; }
        long port = strtol(argv[2], NULL, 10);
        for (struct server **pp = server_list(c->st); *pp; pp = &(*pp)->next) {
            struct server *s = *pp;
            if (s->port == port && s->net == c->net) {
                *pp = s->next;
                server_free(s);
                return 0;
            }
        }
        cmd_error(c, "serve: no server on port %s", argv[2]);
        return 1;
    }
    for (int k = 0; k < 3; k++)
        if (!strcmp(argv[1], kind_names[k])) {
            if (argc != 4) { cmd_error(c, "serve: usage: serve %s udp|tcp PORT", kind_names[k]); return 2; }
            return serve_start(c, (enum serve_kind)k, argv[2], argv[3]);
        }
    cmd_error(c, "serve: unknown service \"%s\" (echo, discard, chargen, list, stop)", argv[1]);
    return 2;
}

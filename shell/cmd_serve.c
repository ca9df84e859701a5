/*
 * shell/cmd_serve.c — the small servers of RFC 862 (echo), 863 (discard) and 864
 * (chargen), running in the background on the stack's sockets:
 *   serve echo|discard|chargen udp|tcp PORT     returns once the port is bound
 *   serve list                                  PROTO PORT KIND CONNECTIONS
 *   serve stop PORT
 * For UDP, CONNECTIONS counts the distinct peers served (UDP has no connections; the
 * peers are what a learner wants to see). TCP servers are not available yet.
 */
#include "cmd.h"
#include "net/socket.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#define SERVE_MAX_PEERS 64

enum serve_kind { SERVE_ECHO, SERVE_DISCARD, SERVE_CHARGEN };
static const char *const kind_names[] = { "echo", "discard", "chargen" };

struct server {
    struct server *next;
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

static struct server **server_list(struct stack *st) { return (struct server **)&st->app_servers; }

static void server_free(struct server *s)
{
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
    if (!strcmp(proto, "tcp")) {
        cmd_error(c, "serve: TCP servers are not available in this build yet; use udp");
        return 1;
    }
    if (strcmp(proto, "udp")) { cmd_error(c, "serve: unknown protocol \"%s\" (udp or tcp)", proto); return 2; }
    char *end;
    long port = strtol(port_s, &end, 10);
    if (*end || port < 1 || port > 65535) { cmd_error(c, "serve: bad port \"%s\"", port_s); return 2; }
    int fd = ts_socket(c->net, AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) { cmd_error(c, "serve: socket: %s", strerror(errno)); return 1; }
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    if (ts_bind(c->st, fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
        cmd_error(c, "serve: bind udp port %ld: %s", port, strerror(errno));
        ts_close(c->st, fd);
        return 1;
    }
    struct server *s = calloc(1, sizeof(*s));
    if (!s) { ts_close(c->st, fd); return 1; }
    s->st = c->st; s->net = c->net; s->kind = kind; s->port = (uint16_t)port; s->fd = fd;
    s->net->cmd_refs++;             /* the namespace stays while the server runs */
    ts_set_ready_cb(c->st, fd, serve_ready, s);
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
                cmd_printf(c, "udp %u %s %u\n", s->port, kind_names[s->kind], s->npeers);
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

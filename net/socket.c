/*
 * net/socket.c — the BSD-like face (see socket.h): descriptors, sockaddr_in, errno.
 */
#include "socket.h"
#include "stack.h"
#include <errno.h>
#include <stdlib.h>

struct fd_cb { void (*fn)(int fd, unsigned events, void *arg); void *arg; int fd; };

static int fd_alloc(struct stack *st, struct sock *sk)
{
    if (!st->fds) {
        st->fds = calloc(TS_MAX_FDS, sizeof(*st->fds));
        if (!st->fds) return -ENOMEM;
        st->nfds = TS_MAX_FDS;
    }
    for (int i = 3; i < st->nfds; i++)          /* 0-2 look like stdio: never hand them out */
        if (!st->fds[i].sk) { st->fds[i].sk = sk; return i; }
    return -EMFILE;
}

struct sock *ts_sock(struct stack *st, int fd)
{
    if (!st->fds || fd < 0 || fd >= st->nfds) return NULL;
    return st->fds[fd].sk;
}

static int fail(int err) { errno = -err; return -1; }

#define GET_SK(st, fd) struct sock *sk = ts_sock((st), (fd)); if (!sk) return fail(-EBADF)

/* sockaddr_in -> host-order address; *unspec tells whether the family was AF_UNSPEC
 * (each call gives that its own meaning, as Linux does). */
static int from_sin(const struct sockaddr *sa, socklen_t len, struct sock_addr *out, bool *unspec)
{
    if (!sa || len < (socklen_t)sizeof(struct sockaddr_in)) return -EINVAL;
    const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
    if (sin->sin_family != AF_INET && sin->sin_family != AF_UNSPEC) return -EAFNOSUPPORT;
    *unspec = sin->sin_family == AF_UNSPEC;
    out->addr = ntohl(sin->sin_addr.s_addr);
    out->port = ntohs(sin->sin_port);
    return 0;
}

static void to_sin(const struct sock_addr *a, struct sockaddr *sa, socklen_t *len)
{
    if (!sa || !len) return;
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(a->port),
                               .sin_addr.s_addr = htonl(a->addr) };
    memcpy(sa, &sin, MIN((size_t)*len, sizeof(sin)));
    *len = sizeof(sin);
}

int ts_socket(struct net *net, int domain, int type, int protocol)
{
    if (domain != AF_INET) return fail(-EAFNOSUPPORT);
    type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);       /* everything is non-blocking anyway */
    if (type == SOCK_DGRAM && (protocol == 0 || protocol == IPPROTO_UDP)) protocol = IPPROTO_UDP;
    else if (type == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP)) protocol = IPPROTO_TCP;
    else return fail(-EPROTONOSUPPORT);
    int err;
    struct sock *sk = sock_create(net, type, protocol, &err);
    if (!sk) return fail(err);
    int fd = fd_alloc(net->st, sk);
    if (fd < 0) { sock_close(sk); return fail(fd); }
    return fd;
}

int ts_bind(struct stack *st, int fd, const struct sockaddr *addr, socklen_t len)
{
    GET_SK(st, fd);
    struct sock_addr a;
    bool unspec;
    int err = from_sin(addr, len, &a, &unspec);
    /* inet_bind: AF_UNSPEC is accepted (as AF_INET) only with INADDR_ANY */
    if (!err && unspec && a.addr) err = -EAFNOSUPPORT;
    if (!err) err = sock_bind(sk, a.addr, a.port);
    return err ? fail(err) : 0;
}

int ts_connect(struct stack *st, int fd, const struct sockaddr *addr, socklen_t len)
{
    GET_SK(st, fd);
    struct sock_addr a;
    bool unspec;
    int err = from_sin(addr, len, &a, &unspec);
    /* connect(AF_UNSPEC) dissolves the association (udp_disconnect) */
    if (!err) err = unspec ? sock_connect(sk, 0, 0) : sock_connect(sk, a.addr, a.port);
    return err ? fail(err) : 0;
}

ssize_t ts_sendto(struct stack *st, int fd, const void *buf, size_t len, int flags,
                  const struct sockaddr *to, socklen_t tolen)
{
    GET_SK(st, fd);
    (void)flags;
    struct sock_addr a;
    bool unspec;            /* udp_sendmsg treats AF_UNSPEC as AF_INET */
    if (to) { int err = from_sin(to, tolen, &a, &unspec); if (err) return fail(err); }
    long n = sock_sendto(sk, buf, len, to ? &a : NULL);
    return n < 0 ? fail((int)n) : n;
}

ssize_t ts_send(struct stack *st, int fd, const void *buf, size_t len, int flags)
{
    return ts_sendto(st, fd, buf, len, flags, NULL, 0);
}

ssize_t ts_recvfrom(struct stack *st, int fd, void *buf, size_t len, int flags,
                    struct sockaddr *from, socklen_t *fromlen)
{
    GET_SK(st, fd);
    (void)flags;
    struct sock_addr a = { 0, 0 };
    long n = sock_recvfrom(sk, buf, len, &a);
    if (n < 0) return fail((int)n);
    to_sin(&a, from, fromlen);
    return n;
}

ssize_t ts_recv(struct stack *st, int fd, void *buf, size_t len, int flags)
{
    return ts_recvfrom(st, fd, buf, len, flags, NULL, NULL);
}

int ts_getsockname(struct stack *st, int fd, struct sockaddr *addr, socklen_t *len)
{
    GET_SK(st, fd);
    to_sin(&sk->local, addr, len);
    return 0;
}

int ts_setsockopt(struct stack *st, int fd, int level, int opt, const void *val, socklen_t len)
{
    GET_SK(st, fd);
    if (level != SOL_SOCKET) return fail(-ENOPROTOOPT);
    if (!val || len < (socklen_t)sizeof(int)) return fail(-EINVAL);
    int v;
    memcpy(&v, val, sizeof(v));
    int err = sock_setsockopt(sk, opt, v);
    return err ? fail(err) : 0;
}

int ts_getsockopt(struct stack *st, int fd, int level, int opt, void *val, socklen_t *len)
{
    GET_SK(st, fd);
    if (level != SOL_SOCKET) return fail(-ENOPROTOOPT);
    if (!val || !len || *len < (socklen_t)sizeof(int)) return fail(-EINVAL);
    int v;
    int err = sock_getsockopt(sk, opt, &v);
    if (err) return fail(err);
    memcpy(val, &v, sizeof(v));
    *len = sizeof(int);
    return 0;
}

int ts_shutdown(struct stack *st, int fd, int how)
{
    GET_SK(st, fd);
    int err = sock_shutdown(sk, how);
    return err ? fail(err) : 0;
}

static void fd_ready(struct sock *sk, unsigned events, void *arg)
{
    struct fd_cb *cb = arg;
    cb->fn(cb->fd, events, cb->arg);
}

int ts_set_ready_cb(struct stack *st, int fd, void (*fn)(int, unsigned, void *), void *arg)
{
    GET_SK(st, fd);
    struct fd_cb *cb = sk->user_cb;
    if (!cb) {
        cb = calloc(1, sizeof(*cb));
        if (!cb) return fail(-ENOMEM);
        sk->user_cb = cb;
    }
    cb->fn = fn; cb->arg = arg; cb->fd = fd;
    struct sock_cb scb = { .ready = fd_ready };
    sock_set_cb(sk, &scb, cb);
    return 0;
}

int ts_close(struct stack *st, int fd)
{
    GET_SK(st, fd);
    st->fds[fd].sk = NULL;
    free(sk->user_cb);
    sk->user_cb = NULL;
    sock_close(sk);
    return 0;
}

void ts_fd_table_free(struct stack *st)
{
    if (!st->fds) return;
    for (int i = 0; i < st->nfds; i++)
        if (st->fds[i].sk) ts_close(st, i);
    free(st->fds);
    st->fds = NULL;
    st->nfds = 0;
}

/*
 * net/socket.c — the BSD-like face (see socket.h): descriptors, sockaddr_in, errno.
 */
#include "socket.h"
#include "stack.h"
#include <errno.h>
#include <stdlib.h>

_Static_assert(MSG_PEEK == SK_MSG_PEEK && MSG_TRUNC == SK_MSG_TRUNC && MSG_ERRQUEUE == SK_MSG_ERRQUEUE &&
               MSG_OOB == SK_MSG_OOB && MSG_MORE == SK_MSG_MORE, "msg flags pass through unchanged");
#define TS_RECV_FLAGS (MSG_PEEK | MSG_TRUNC | MSG_ERRQUEUE | MSG_OOB)
#define TS_SEND_FLAGS (MSG_OOB | MSG_MORE)

static int fd_alloc(struct stack *st, struct sock *sk)
{
    if (!st->fds) {
        st->fds = calloc(TS_MAX_FDS, sizeof(*st->fds));
        if (!st->fds) return -ENOMEM;
        st->nfds = TS_MAX_FDS;
    }
    for (int i = 3; i < st->nfds; i++)          /* 0-2 look like stdio: never hand them out */
        if (!st->fds[i].sk) { st->fds[i] = (struct sock_fd){ .sk = sk, .fd = i }; return i; }
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
    int err;                                        /* the stack's table decides (inet_create) */
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
    if (!err) err = unspec ? sock_disconnect(sk) : sock_connect(sk, a.addr, a.port);
    return err ? fail(err) : 0;
}

ssize_t ts_sendto(struct stack *st, int fd, const void *buf, size_t len, int flags,
                  const struct sockaddr *to, socklen_t tolen)
{
    GET_SK(st, fd);
    struct sock_addr a;
    bool unspec;            /* udp_sendmsg treats AF_UNSPEC as AF_INET */
    if (to) { int err = from_sin(to, tolen, &a, &unspec); if (err) return fail(err); }
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
    struct sk_msghdr msg = { .iov = &iov, .iovlen = 1, .name = to ? &a : NULL, .flags = flags & TS_SEND_FLAGS };
    long n = sock_sendmsg(sk, &msg);
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
    struct sock_addr a = { 0, 0 };
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    /* the flags we know; the rest (MSG_DONTWAIT...) mean nothing here */
    struct sk_msghdr msg = { .iov = &iov, .iovlen = 1, .name = &a, .flags = flags & TS_RECV_FLAGS };
    long n = sock_recvmsg(sk, &msg);
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
    int err = sock_setsockopt_level(sk, level, opt, val, (size_t)len);
    return err ? fail(err) : 0;
}

int ts_getsockopt(struct stack *st, int fd, int level, int opt, void *val, socklen_t *len)
{
    GET_SK(st, fd);
    if (!len) return fail(-EINVAL);
    size_t n = *len;
    int err = sock_getsockopt_level(sk, level, opt, val, &n);
    if (err) return fail(err);
    *len = (socklen_t)n;
    return 0;
}

int ts_shutdown(struct stack *st, int fd, int how)
{
    GET_SK(st, fd);
    int err = sock_shutdown(sk, how);
    return err ? fail(err) : 0;
}

int ts_listen(struct stack *st, int fd, int backlog)
{
    GET_SK(st, fd);
    int err = sock_listen(sk, backlog);
    return err ? fail(err) : 0;
}

int ts_accept(struct stack *st, int fd, struct sockaddr *addr, socklen_t *len)
{
    GET_SK(st, fd);
    int err;
    struct sock *nsk = sock_accept(sk, &err);
    if (!nsk) return fail(err);
    int nfd = fd_alloc(st, nsk);
    if (nfd < 0) { sock_close(nsk); return fail(nfd); }
    to_sin(&nsk->remote, addr, len);
    return nfd;
}

/* The descriptor table never moves (allocated once), so its entry is the callback's arg. */
static void fd_ready(struct sock *sk, unsigned events, void *arg)
{
    struct sock_fd *f = arg;
    f->fn(f->fd, events, f->arg);
}

int ts_set_ready_cb(struct stack *st, int fd, void (*fn)(int, unsigned, void *), void *arg)
{
    GET_SK(st, fd);
    st->fds[fd].fn = fn;
    st->fds[fd].arg = arg;
    struct sock_cb scb = { .ready = fd_ready };
    sock_set_cb(sk, &scb, &st->fds[fd]);
    return 0;
}

int ts_close(struct stack *st, int fd)
{
    GET_SK(st, fd);
    st->fds[fd] = (struct sock_fd){ 0 };
    sock_close(sk);
    return 0;
}

void ts_fd_net_exit(struct net *net)
{
    struct stack *st = net->st;
    for (int i = 0; i < st->nfds; i++)
        if (st->fds[i].sk && st->fds[i].sk->net == net) ts_close(st, i);
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

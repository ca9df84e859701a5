/*
 * net/stream.c — the stream socket type (see stream.h; Linux net/ipv4/af_inet.c's
 * inet_stream_ops: inet_recvmsg, tcp_poll, inet_shutdown, inet_listen, inet_accept).
 */
#include "stream.h"
#include <errno.h>

/* inet_recvmsg: the protocol reads its own stream (tcp_recvmsg). */
static long stream_recvmsg(struct sock *sk, struct sk_msghdr *msg)
{
    if (msg->flags & SK_MSG_ERRQUEUE) return -EAGAIN;      /* no error queue on streams */
    return sk->prot->recvmsg ? sk->prot->recvmsg(sk, msg) : -EOPNOTSUPP;
}

/* tcp_poll: only the protocol knows (connecting, listening with a full accept queue...). */
static unsigned stream_poll(const struct sock *sk)
{
    return sk->prot->poll ? sk->prot->poll(sk) : 0;
}

/* inet_shutdown: a listener shut for reading, or a connection still being made, is
 * disconnected; otherwise the flags, then the protocol (tcp_shutdown sends the FIN). A
 * closed socket gets the flags too, and -ENOTCONN. */
static int stream_shutdown(struct sock *sk, int how)
{
    int err = 0;
    switch (sk->state) {
    case SK_LISTEN:
        if (how == 1) break;
        __attribute__((fallthrough));
    case SK_SYN_SENT:
        err = sk->prot->disconnect ? sk->prot->disconnect(sk) : -EOPNOTSUPP;
        break;
    case SK_CLOSE:
        err = -ENOTCONN;
        __attribute__((fallthrough));
    default:
        if (how != 1) sk->shut_rd = true;
        if (how != 0) sk->shut_wr = true;
        if (sk->prot->shutdown) sk->prot->shutdown(sk, how);
        break;
    }
    sk_wake(sk, SK_READABLE | SK_WRITABLE);       /* sk_state_change */
    return err;
}

/* inet_listen: a bound (or autobound by the protocol) socket starts accepting. */
static int stream_listen(struct sock *sk, int backlog)
{
    if (!sk->prot->listen) return -EOPNOTSUPP;
    if (sk->state != SK_CLOSE && sk->state != SK_LISTEN) return -EINVAL;
    return sk->prot->listen(sk, backlog < 0 ? 0 : backlog);
}

/* inet_accept: only a listening socket has connections to give. */
static struct sock *stream_accept(struct sock *sk, int *err)
{
    if (!sk->prot->accept) { *err = -EOPNOTSUPP; return NULL; }
    if (sk->state != SK_LISTEN) { *err = -EINVAL; return NULL; }
    return sk->prot->accept(sk, err);
}

const struct proto_ops inet_stream_ops = {
    .name = "stream", .recvmsg = stream_recvmsg, .poll = stream_poll, .shutdown = stream_shutdown,
    .listen = stream_listen, .accept = stream_accept,
};

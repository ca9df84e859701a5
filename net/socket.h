/*
 * net/socket.h — a BSD-like face over net/sock.h, so that code inside the process reads
 * like ordinary socket code:
 *
 *     int fd = ts_socket(net, AF_INET, SOCK_DGRAM, 0);
 *     struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(7) };
 *     ts_bind(st, fd, (struct sockaddr *)&sin, sizeof sin);
 *     n = ts_recvfrom(st, fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &plen);
 *
 * Descriptors are small integers in a per-process table (struct stack), as a process's
 * fds are; a descriptor may refer to a socket of any namespace. Calls never block: on
 * failure they return -1 and set errno (EAGAIN when nothing is ready). Readiness comes
 * from ts_set_ready_cb, called from the event loop. Flags for recv: MSG_PEEK, MSG_TRUNC,
 * MSG_ERRQUEUE (the errors of IP_RECVERR; then the sockaddr is where the failed datagram
 * was going).
 */
#ifndef TS_SOCKET_H
#define TS_SOCKET_H
#include "sock.h"
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>

#define TS_MAX_FDS 1024

/* A descriptor: its socket and the ready callback set with ts_set_ready_cb. */
struct sock_fd {
    struct sock *sk;
    void (*fn)(int fd, unsigned events, void *arg);
    void *arg;
    int fd;
};

/* SOCK_DGRAM with 0 or IPPROTO_UDP: UDP; with IPPROTO_ICMP: a ping socket. */
int     ts_socket(struct net *net, int domain, int type, int protocol);
int     ts_bind(struct stack *st, int fd, const struct sockaddr *addr, socklen_t len);
int     ts_connect(struct stack *st, int fd, const struct sockaddr *addr, socklen_t len);
ssize_t ts_sendto(struct stack *st, int fd, const void *buf, size_t len, int flags,
                  const struct sockaddr *to, socklen_t tolen);
ssize_t ts_send(struct stack *st, int fd, const void *buf, size_t len, int flags);
ssize_t ts_recvfrom(struct stack *st, int fd, void *buf, size_t len, int flags,
                    struct sockaddr *from, socklen_t *fromlen);
ssize_t ts_recv(struct stack *st, int fd, void *buf, size_t len, int flags);
int     ts_getsockname(struct stack *st, int fd, struct sockaddr *addr, socklen_t *len);
int     ts_setsockopt(struct stack *st, int fd, int level, int opt, const void *val, socklen_t len);
int     ts_getsockopt(struct stack *st, int fd, int level, int opt, void *val, socklen_t *len);
int     ts_shutdown(struct stack *st, int fd, int how);
int     ts_listen(struct stack *st, int fd, int backlog);
int     ts_accept(struct stack *st, int fd, struct sockaddr *addr, socklen_t *len);
int     ts_close(struct stack *st, int fd);
/* Call fn(fd, events, arg) from the loop when the socket becomes readable/writable/errs. */
int     ts_set_ready_cb(struct stack *st, int fd, void (*fn)(int fd, unsigned events, void *arg), void *arg);
struct sock *ts_sock(struct stack *st, int fd);   /* NULL if fd is not open */
void    ts_fd_table_free(struct stack *st);
/* Namespace net is going (net_free closes its sockets): the descriptors of its sockets
 * are closed, as close(2) would; calls on them then fail with EBADF. */
void    ts_fd_net_exit(struct net *net);

#endif

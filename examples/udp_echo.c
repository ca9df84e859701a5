/*
 * examples/udp_echo.c — a UDP echo server (RFC 862) on tapstack's BSD-like sockets.
 *
 * It reads like ordinary socket code, with one difference: nothing ever blocks. Instead
 * of sitting in recvfrom(), we ask the stack to call us when the socket is readable;
 * the call comes from the event loop (stack_poll), never from inside the stack, so we
 * may send, or even close the socket, right there.
 */
#include "udp_echo.h"
#include "net/stack.h"
#include <errno.h>

/* Called from the event loop whenever the socket has something to report. */
static void on_ready(int fd, unsigned events, void *arg)
{
    struct stack *st = arg;
    static char buf[65536];             /* any datagram fits; static: the loop is single-threaded */
    struct sockaddr_in peer;
    socklen_t len = sizeof(peer);
    ssize_t n;
    /* Drain the socket: every datagram goes back where it came from. recvfrom fails with
     * EAGAIN once the queue is empty; we are called again when more arrives. */
    while ((n = ts_recvfrom(st, fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &len)) >= 0) {
        /* A full send buffer (EAGAIN) loses this echo: UDP promises no delivery. */
        ts_sendto(st, fd, buf, (size_t)n, 0, (struct sockaddr *)&peer, len);
        len = sizeof(peer);             /* recvfrom takes it as the buffer's size: reset it */
    }
}

int udp_echo_start(struct net *net, uint16_t port)
{
    int fd = ts_socket(net, AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
                               .sin_addr.s_addr = htonl(INADDR_ANY) };   /* every local address */
    if (ts_bind(net->st, fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
        ts_set_ready_cb(net->st, fd, on_ready, net->st) < 0) {
        int err = errno;                /* keep bind's reason across the close */
        ts_close(net->st, fd);
        errno = err;
        return -1;
    }
    return fd;
}

void udp_echo_stop(struct stack *st, int fd) { ts_close(st, fd); }

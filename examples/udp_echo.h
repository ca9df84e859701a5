/*
 * examples/udp_echo.h — the smallest useful program on tapstack's sockets: an echo server
 * (RFC 862) over UDP, written with the BSD-like face of net/socket.h. Read udp_echo.c.
 */
#ifndef TS_EXAMPLES_UDP_ECHO_H
#define TS_EXAMPLES_UDP_ECHO_H
#include "net/socket.h"

/* Echo every datagram that arrives on UDP `port` (host order) of namespace `net`.
 * Returns the socket's descriptor, or -1 with errno set (EADDRINUSE, ...). */
int  udp_echo_start(struct net *net, uint16_t port);
void udp_echo_stop(struct stack *st, int fd);

#endif

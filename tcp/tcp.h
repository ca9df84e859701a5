/*
 * tcp/tcp.h — TCP (RFC 9293; Linux net/ipv4/tcp*.c): the public face.
 *
 * tcp_init() registers TCP's per-namespace state (connection tables, ISN key). It runs
 * at start-up from inet_extra_init, before the first namespace exists.
 * tcp_enable() makes TCP reachable: the SOCK_STREAM/IPPROTO_TCP entry of the socket
 * table and IP protocol 6 (segments to a closed port are answered with RST from then
 * on). inet_extra_init calls both, so nc, serve and ss -t reach TCP.
 */
#ifndef TS_TCP_H
#define TS_TCP_H
#include "net/stack.h"

int tcp_init(struct stack *st);
int tcp_enable(struct stack *st);

#endif

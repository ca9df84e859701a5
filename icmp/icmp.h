/*
 * icmp/icmp.h — ICMP for IPv4 (RFC 792, RFC 1122 §3.2.2): what other folders may call.
 */
#ifndef TS_ICMP_H
#define TS_ICMP_H
#include "net/types.h"

#define ICMP_ECHOREPLY      0
#define ICMP_DEST_UNREACH   3
#define ICMP_SOURCE_QUENCH  4
#define ICMP_REDIRECT       5
#define ICMP_ECHO           8
#define ICMP_TIME_EXCEEDED  11
#define ICMP_PARAMETERPROB  12

/* Destination unreachable codes */
#define ICMP_NET_UNREACH    0
#define ICMP_HOST_UNREACH   1
#define ICMP_PROT_UNREACH   2
#define ICMP_PORT_UNREACH   3
#define ICMP_FRAG_NEEDED    4
/* Time exceeded codes */
#define ICMP_EXC_TTL        0
#define ICMP_EXC_FRAGTIME   1

#define ICMP_HLEN 8

int icmp_init(struct stack *st);
/* IcmpMsgInTypeN / IcmpMsgOutTypeN (Linux's per-type ICMP counters, the IcmpMsg lines of
 * /proc/net/snmp), and their values at the last `nstat` (which shows differences). */
struct icmpmsg_mib { uint64_t in[256], out[256], in_seen[256], out_seen[256]; };
struct icmpmsg_mib *icmpmsg_mib(const struct net *net);    /* NULL without ICMP */
/* Send an ICMP error about `orig` (its IP header at pkt_network_header(orig), nh_off set)
 * back to its source (Linux __icmp_send): never about an ICMP error, a non-first fragment,
 * a broadcast/multicast; rate-limited per icmp_ratelimit/icmp_ratemask. info: the MTU for
 * FRAG_NEEDED. Does not consume orig. */
void icmp_send(struct pkt *orig, int type, int code, uint32_t info);

/* Ping sockets (icmp/ping.c) are ordinary sockets: socket(AF_INET, SOCK_DGRAM,
 * IPPROTO_ICMP) through net/sock.h or net/socket.h. This is a face for code inside the
 * process: a ping socket with IP_RECVERR whose queued errors, then replies, are handed
 * to callbacks from the event loop. */
struct ping_sock;
struct ping_sock_ops {
    /* An echo reply arrived: seq, ttl, payload (after the 8-byte ICMP header). */
    void (*reply)(void *arg, uint32_t from, uint16_t seq, uint8_t ttl, const uint8_t *data, size_t len);
    /* An ICMP error about one of our echo requests. */
    void (*error)(void *arg, uint32_t from, int type, int code, uint16_t seq);
};
struct ping_sock *ping_sock_open(struct net *net, const struct ping_sock_ops *ops, void *arg);
void ping_sock_close(struct ping_sock *s);
uint16_t ping_sock_ident(const struct ping_sock *s);
/* Send one echo request with `len` payload bytes (the first 16 may carry a timestamp).
 * ttl 0: the default; oif 0: any device. 0 or -errno. */
int ping_sock_send(struct ping_sock *s, uint32_t dst, uint16_t seq, const uint8_t *payload, size_t len,
                   uint8_t ttl, int oif);

#endif

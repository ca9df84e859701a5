/* icmp/icmp_priv.h — shared between icmp/ files only. */
#ifndef TS_ICMP_PRIV_H
#define TS_ICMP_PRIV_H
#include "icmp.h"
void ping_rcv(struct net *net, struct pkt *p);
void ping_err(struct net *net, uint32_t from, int type, int code, const uint8_t *quoted, size_t qlen);
struct ping_sock **icmp_ping_socks(struct net *net);
#endif

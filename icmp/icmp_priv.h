/* icmp/icmp_priv.h — shared between icmp/ files only. */
#ifndef TS_ICMP_PRIV_H
#define TS_ICMP_PRIV_H
#include "icmp.h"
int  ping_init(struct stack *st);          /* registers ping_prot */
void ping_rcv(struct net *net, struct pkt *p);
/* info: as an ip_proto's err hook gets it (the MTU for "fragmentation needed"). */
void ping_err(struct net *net, uint32_t from, int type, int code, uint32_t info, const uint8_t *quoted,
              size_t qlen);
struct sock **icmp_ping_socks(struct net *net);     /* bound ping sockets, by hash_next */
#endif

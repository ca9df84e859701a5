/*
 * arp/arp_wire.h — the ARP packet for IPv4 over Ethernet (RFC 826): offsets and names.
 */
#ifndef TS_ARP_WIRE_H
#define TS_ARP_WIRE_H
#include "net/types.h"

#define ARP_HTYPE_ETHER 1
#define ARP_OP_REQUEST  1
#define ARP_OP_REPLY    2
#define ARP_LEN         28          /* 8 fixed + 2 x (6 + 4) */

#define ARP_OFF_HTYPE 0
#define ARP_OFF_PTYPE 2
#define ARP_OFF_HLEN  4
#define ARP_OFF_PLEN  5
#define ARP_OFF_OP    6
#define ARP_OFF_SHA   8
#define ARP_OFF_SPA   14
#define ARP_OFF_THA   18
#define ARP_OFF_TPA   24

/* A checked view: valid once arp_view_init() returned true. */
struct arp_view { const uint8_t *b; };
static inline uint16_t arp_op(const struct arp_view *v) { return get_be16(v->b + ARP_OFF_OP); }
static inline const struct eth_addr *arp_sha(const struct arp_view *v) { return (const struct eth_addr *)(v->b + ARP_OFF_SHA); }
static inline const struct eth_addr *arp_tha(const struct arp_view *v) { return (const struct eth_addr *)(v->b + ARP_OFF_THA); }
static inline uint32_t arp_spa(const struct arp_view *v) { return get_be32(v->b + ARP_OFF_SPA); }
static inline uint32_t arp_tpa(const struct arp_view *v) { return get_be32(v->b + ARP_OFF_TPA); }

#endif

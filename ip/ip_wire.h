/*
 * ip/ip_wire.h — the IPv4 header (RFC 791 §3.1): offsets, flags, and a checked view.
 * Wire bytes stay in network order; accessors convert.
 */
#ifndef TS_IP_WIRE_H
#define TS_IP_WIRE_H
#include "net/types.h"

#define IP4_HLEN     20
#define IP4_MAX_LEN  65535

#define IP4_OFF_VHL   0
#define IP4_OFF_TOS   1
#define IP4_OFF_LEN   2
#define IP4_OFF_ID    4
#define IP4_OFF_FRAG  6
#define IP4_OFF_TTL   8
#define IP4_OFF_PROTO 9
#define IP4_OFF_CSUM  10
#define IP4_OFF_SRC   12
#define IP4_OFF_DST   16

#define IP_RF      0x8000   /* reserved ("evil") bit */
#define IP_DF      0x4000
#define IP_MF      0x2000
#define IP_OFFMASK 0x1fff   /* in 8-byte units */

#define IPPROTO_ICMP 1
#define IPPROTO_TCP  6
#define IPPROTO_UDP  17

/* A view over a header that ip_rcv has checked (version, IHL, lengths, checksum). */
struct ip4_view { const uint8_t *b; };
static inline unsigned ip4_hlen(const uint8_t *h)   { return (unsigned)(h[IP4_OFF_VHL] & 0x0f) * 4; }
static inline unsigned ip4_version(const uint8_t *h){ return h[IP4_OFF_VHL] >> 4; }
static inline uint16_t ip4_tot_len(const uint8_t *h){ return get_be16(h + IP4_OFF_LEN); }
static inline uint16_t ip4_id(const uint8_t *h)     { return get_be16(h + IP4_OFF_ID); }
static inline uint16_t ip4_frag(const uint8_t *h)   { return get_be16(h + IP4_OFF_FRAG); }
static inline unsigned ip4_frag_off(const uint8_t *h){ return (unsigned)(ip4_frag(h) & IP_OFFMASK) * 8; }
static inline bool     ip4_is_fragment(const uint8_t *h) { return ip4_frag(h) & (IP_MF | IP_OFFMASK); }
static inline uint8_t  ip4_ttl(const uint8_t *h)    { return h[IP4_OFF_TTL]; }
static inline uint8_t  ip4_proto(const uint8_t *h)  { return h[IP4_OFF_PROTO]; }
static inline uint8_t  ip4_tos(const uint8_t *h)    { return h[IP4_OFF_TOS]; }
static inline uint32_t ip4_src(const uint8_t *h)    { return get_be32(h + IP4_OFF_SRC); }
static inline uint32_t ip4_dst(const uint8_t *h)    { return get_be32(h + IP4_OFF_DST); }

static inline bool ipv4_is_multicast(uint32_t a) { return (a >> 28) == 0xe; }
static inline bool ipv4_is_loopback(uint32_t a)  { return (a >> 24) == 127; }
static inline bool ipv4_is_zeronet(uint32_t a)   { return (a >> 24) == 0; }
static inline bool ipv4_is_lbcast(uint32_t a)    { return a == 0xffffffffu; }

#endif

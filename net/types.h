/*
 * net/types.h — small value types shared by every layer.
 *
 * IPv4 addresses are kept in *host* byte order in a plain uint32_t everywhere above the
 * wire accessors (prefix arithmetic in the FIB and printing stay simple); the *_wire.h view
 * accessors convert. Times are 64-bit microseconds of the stack clock (real or virtual), so
 * they never wrap; names carry a _us or _ms suffix.
 */
#ifndef TS_TYPES_H
#define TS_TYPES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct stack;
struct net;
struct netdev;
struct pkt;

struct eth_addr { uint8_t b[6]; };

#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_ZLEN 60             /* minimum frame without FCS */
#define ETH_DATA_LEN 1500
#define ETH_MAX_MTU 9000

#define ETH_P_IP    0x0800
#define ETH_P_ARP   0x0806
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_IPV6  0x86dd

#define US_PER_MS 1000ULL
#define US_PER_S  1000000ULL

static inline bool eth_addr_eq(const struct eth_addr *a, const struct eth_addr *b)
{ return memcmp(a->b, b->b, ETH_ALEN) == 0; }
static inline bool eth_is_zero(const struct eth_addr *a)
{ static const struct eth_addr z; return eth_addr_eq(a, &z); }
static inline bool eth_is_broadcast(const struct eth_addr *a)
{ return (a->b[0] & a->b[1] & a->b[2] & a->b[3] & a->b[4] & a->b[5]) == 0xff; }
static inline bool eth_is_multicast(const struct eth_addr *a) { return a->b[0] & 1; }
/* A hash of a MAC for the forwarding tables (FNV-1a over the 6 bytes). */
static inline uint32_t eth_addr_hash(const struct eth_addr *a)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < ETH_ALEN; i++) h = (h ^ a->b[i]) * 16777619u;
    return h;
}

static inline uint16_t get_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t get_be32(const uint8_t *p)
{ return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static inline void put_be16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static inline void put_be32(uint8_t *p, uint32_t v)
{ p[0] = v >> 24; p[1] = (v >> 16) & 0xff; p[2] = (v >> 8) & 0xff; p[3] = v & 0xff; }

/* Formatting helpers: each returns buf. */
char *ip4_ntop(uint32_t addr, char buf[16]);
bool  ip4_pton(const char *s, uint32_t *addr);
/* "A.B.C.D/N" or "A.B.C.D" (plen 32) or "default" (0/0) */
bool  ip4_prefix_pton(const char *s, uint32_t *addr, int *plen);
char *eth_ntop(const struct eth_addr *a, char buf[18]);
bool  eth_pton(const char *s, struct eth_addr *a);
static inline uint32_t ip4_mask(int plen) { return plen <= 0 ? 0 : (uint32_t)(0xffffffffu << (32 - plen)); }

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define container_of(p, type, member) ((type *)((char *)(p) - offsetof(type, member)))

#endif

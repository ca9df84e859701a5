/* udp/udp_wire.h — the UDP header (RFC 768). */
#ifndef TS_UDP_WIRE_H
#define TS_UDP_WIRE_H
#include "net/types.h"
#define UDP_OFF_SPORT 0
#define UDP_OFF_DPORT 2
#define UDP_OFF_LEN   4
#define UDP_OFF_CSUM  6
#define UDP_MAX_PAYLOAD 65507       /* 65535 - 20 (IP) - 8 (UDP) */
static inline uint16_t udp_sport(const uint8_t *u) { return get_be16(u + UDP_OFF_SPORT); }
static inline uint16_t udp_dport(const uint8_t *u) { return get_be16(u + UDP_OFF_DPORT); }
static inline uint16_t udp_len(const uint8_t *u)   { return get_be16(u + UDP_OFF_LEN); }
static inline uint16_t udp_csum(const uint8_t *u)  { return get_be16(u + UDP_OFF_CSUM); }
#endif

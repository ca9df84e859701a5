/*
 * tests/fixture.h — one complete stack on a fake wire, for the unit suites and the fuzz
 * target. No Check calls in here: setup failures come back as NULL / negative values
 * (the caller asserts), and nothing aborts on packet input.
 *
 *   struct fx *f = fx_new(seed);      "eth0" 10.0.0.2/24 up, MAC 02:00:00:00:00:02,
 *                                     default route via 10.0.0.1 (the peer,
 *                                     02:00:00:00:00:01), virtual clock at 1000 s
 *   fx_inject(f, frame, len);         a frame arrives on eth0 (netif_receive + stack_poll)
 *   fx_advance_ms(f, 1500);           time passes: every timer fires at its own deadline
 *   fx_tx_pop(f, &len) ...            what the stack transmitted, oldest first (copies)
 *   ck_assert_uint_eq(fx_free(f), 0); tears down; returns the number of leaked packets
 *
 * Several devices in several namespaces:
 *   struct net *ns1 = fx_add_net(f, "ns1");                   as `ip netns add ns1`
 *   struct netdev *d = fx_add_dev_in(f, ns1, "eth1", &mac, addr, 24, 0);
 *   fx_inject_dev(f, d, frame, len);  a frame arrives on d
 *   fx_tx_pop_dev(f, d, &len) ...     what d transmitted, oldest first; the frames of the
 *                                     other devices stay queued, in their order
 * Transmitted frames form one queue in transmit order (fx_tx_pop takes any device's);
 * the _dev functions read it as one queue per device.
 *
 * Ownership: frames returned by fx_tx_pop / fx_tx_pop_frame are malloc'd and belong to
 * the caller (free()). Builders write into the caller's buffer and return the length
 * (0 if it does not fit). Parsers return pointers into the frame they were given.
 * Addresses are host byte order, as everywhere in tapstack.
 */
#ifndef TS_TESTS_FIXTURE_H
#define TS_TESTS_FIXTURE_H
#include "net/stack.h"
#include "net/netdev.h"
#include "arp/arp.h"        /* arp_table, the neighbour table */
#include "ip/devinet.h"     /* inet_addr_add, struct in_ifaddr */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FX_IP(a, b, c, d) \
    (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
#define FX_ADDR      FX_IP(10, 0, 0, 2)       /* eth0's address */
#define FX_PEER      FX_IP(10, 0, 0, 1)       /* the default gateway on the wire */
#define FX_PLEN      24
#define FX_BCAST     FX_IP(10, 0, 0, 255)
#define FX_START_US  (1000 * US_PER_S)        /* so "now - 2 * base_reachable_time" > 0 */
#define FX_TXQ_MAX   4096                     /* transmitted frames kept (oldest first) */
#define FX_FRAME_MAX (ETH_HLEN + 65536)       /* builders' largest frame */

extern const struct eth_addr fx_mac;          /* 02:00:00:00:00:02 (eth0) */
extern const struct eth_addr fx_peer_mac;     /* 02:00:00:00:00:01 */
extern const struct eth_addr fx_zero_mac;     /* 00:00:00:00:00:00 */
extern const struct eth_addr fx_bcast_mac;    /* ff:ff:ff:ff:ff:ff */

/* One transmitted frame (a copy; the stack's pkt was freed). */
struct fx_frame {
    uint8_t *data;
    size_t   len;
    int      ifindex;       /* the device it left by (ifindexes are per namespace) */
    struct netdev *dev;     /* the same device; NULL once it was unregistered */
    uint64_t at_us;         /* stack clock when it was sent */
};

struct fx {
    struct stack  *st;
    struct net    *net;
    struct netdev *dev;                 /* eth0 */
    struct eth_addr mac, peer_mac;
    uint32_t       addr, peer;
    /* transmitted frames: a bounded FIFO */
    struct fx_frame txq[FX_TXQ_MAX];
    unsigned       tx_head, tx_len;
    uint64_t       tx_total;            /* frames ever transmitted on fake devices */
    uint64_t       tx_lost;             /* not kept because the FIFO was full */
    /* console (trace lines, stack_log) */
    char          *log;
    size_t         log_len, log_cap;
    unsigned       log_lines;
};

/* ---- life cycle ---- */
struct fx *fx_new(uint64_t seed);               /* NULL if any step failed */
/* Releases what the stack holds by design (neighbour queues, fragment queues), counts
 * the packets still alive (leaks), then frees everything. Returns the leak count. */
unsigned fx_free(struct fx *f);
/* Another fake device: registered, MAC set, address added (if addr), up. NULL on error. */
struct netdev *fx_add_dev(struct fx *f, const char *name, const struct eth_addr *mac,
                          uint32_t addr, int plen, unsigned mtu);
/* A namespace, as `ip netns add NAME` (with its loopback, down). NULL on error. */
struct net *fx_add_net(struct fx *f, const char *name);
/* fx_add_dev in namespace net (fx_add_dev: the default namespace). */
struct netdev *fx_add_dev_in(struct fx *f, struct net *net, const char *name, const struct eth_addr *mac,
                             uint32_t addr, int plen, unsigned mtu);
/* A static route in dev's namespace (gateway 0: on-link), as `ip route add` makes it
 * (ip_route_add: the gateway must be on a connected route of dev, dev up). 0 or -errno. */
int fx_route_add(struct fx *f, uint32_t prefix, int plen, uint32_t gateway, struct netdev *dev);
int fx_route_del(struct fx *f, uint32_t prefix, int plen);
/* sysctl by name, value as `sysctl -w` would take it. 0 or -errno (-ENOENT: no such).
 * fx_sysctl: in the default namespace; fx_sysctl_in: in net. */
int fx_sysctl(struct fx *f, const char *name, const char *value);
int fx_sysctl_in(struct net *net, const char *name, const char *value);

/* ---- input and time ---- */
/* A frame arrives on eth0 (fx_inject) or on dev; then stack_poll. */
void fx_inject(struct fx *f, const void *frame, size_t len);
void fx_inject_dev(struct fx *f, struct netdev *dev, const void *frame, size_t len);
/* Advance the virtual clock, stopping at every timer deadline on the way (in order), so
 * each timer sees st->now_us equal to its own deadline. */
void fx_advance_us(struct fx *f, uint64_t us);
void fx_advance_ms(struct fx *f, uint64_t ms);
static inline uint64_t fx_now_us(const struct fx *f) { return f->st->now_us; }

/* ---- transmitted frames ---- */
unsigned fx_tx_count(const struct fx *f);
uint8_t *fx_tx_pop(struct fx *f, size_t *len);          /* NULL if none; caller frees */
bool     fx_tx_pop_frame(struct fx *f, struct fx_frame *out);  /* caller frees out->data */
const struct fx_frame *fx_tx_peek(const struct fx *f, unsigned i); /* i-th oldest, or NULL */
void     fx_tx_clear(struct fx *f);
/* The same, for the frames one device transmitted (the others' stay queued). */
unsigned fx_tx_count_dev(const struct fx *f, const struct netdev *dev);
uint8_t *fx_tx_pop_dev(struct fx *f, const struct netdev *dev, size_t *len);
bool     fx_tx_pop_frame_dev(struct fx *f, const struct netdev *dev, struct fx_frame *out);

/* ---- console capture ---- */
void fx_trace(struct fx *f, bool on);                   /* `trace on` for the namespace */
bool fx_log_contains(const struct fx *f, const char *needle);
void fx_log_clear(struct fx *f);

/* ---- neighbours ---- */
struct neigh *fx_neigh(struct fx *f, uint32_t ip);      /* on eth0; NULL if no entry */
uint8_t fx_neigh_state(struct fx *f, uint32_t ip);      /* NUD_NONE if no entry */
/* Create (if needed) and set an entry in dev's namespace as `ip neigh replace` does
 * (neigh_admin_set). */
struct neigh *fx_neigh_set(struct fx *f, struct netdev *dev, uint32_t ip,
                           const struct eth_addr *mac, uint8_t state);

/* ---- local output ---- */
/* Send a datagram from the stack (ip_send): proto, len payload bytes, each byte = mark. */
int fx_send_ip(struct fx *f, uint32_t dst, uint8_t proto, size_t len, uint8_t mark);

/* ---- frame builders (Ethernet header included; no padding unless asked) ---- */
size_t fx_build_eth(uint8_t *buf, size_t cap, const struct eth_addr *dst, const struct eth_addr *src,
                    uint16_t type, const void *payload, size_t len);
/* ARP over Ethernet; the Ethernet source is sha, destination eth_dst. */
size_t fx_build_arp(uint8_t *buf, size_t cap, uint16_t op, const struct eth_addr *sha, uint32_t spa,
                    const struct eth_addr *tha, uint32_t tpa, const struct eth_addr *eth_dst);
/* IPv4 with every knob; NULL eth_dst/eth_src mean eth0's MAC / the peer's MAC. */
struct fx_ip {
    uint32_t src, dst;
    uint8_t  proto, ttl, tos;
    uint16_t id, frag;              /* frag: flags | offset in 8-byte units, host order */
    const uint8_t *opts;            /* IP options, optlen a multiple of 4 (<= 40) */
    size_t   optlen;
    const struct eth_addr *eth_dst, *eth_src;
};
size_t fx_build_ip(uint8_t *buf, size_t cap, const struct fx_ip *h, const void *payload, size_t len);
size_t fx_build_ipv4(uint8_t *buf, size_t cap, uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl,
                     uint16_t id, uint16_t frag, const void *payload, size_t len);
/* An ICMP message (header + data, checksum set) into buf; returns its length. */
size_t fx_build_icmp(uint8_t *buf, size_t cap, uint8_t type, uint8_t code, uint32_t rest,
                     const void *data, size_t len);
/* A whole echo request (type 8) or reply (type 0) frame from src to dst. */
size_t fx_build_icmp_echo(uint8_t *buf, size_t cap, uint32_t src, uint32_t dst, uint8_t type,
                          uint16_t ident, uint16_t seq, const void *payload, size_t len);

/* ---- parsers of transmitted frames ---- */
struct fx_eth { struct eth_addr dst, src; uint16_t type; const uint8_t *payload; size_t plen; };
struct fx_arp {
    struct eth_addr eth_dst, eth_src;
    uint16_t htype, ptype, op;
    uint8_t  hlen, plen;
    struct eth_addr sha, tha;
    uint32_t spa, tpa;
};
struct fx_ipv4 {
    struct eth_addr eth_dst, eth_src;
    unsigned hlen, tot_len;
    uint8_t  tos, ttl, proto;
    uint16_t id, frag;              /* frag: flags | offset field, host order */
    uint32_t src, dst;
    bool     csum_ok;
    const uint8_t *hdr;             /* the IP header */
    const uint8_t *payload;         /* after the header, tot_len - hlen bytes */
    size_t   plen;
};
struct fx_icmp {
    uint8_t  type, code;
    uint16_t ident, seq;            /* bytes 4-5, 6-7 */
    uint32_t rest;                  /* bytes 4-7 */
    bool     csum_ok;
    const uint8_t *data;            /* after the 8-byte header */
    size_t   dlen;
};
bool fx_parse_eth(const uint8_t *frame, size_t len, struct fx_eth *e);
bool fx_parse_arp(const uint8_t *frame, size_t len, struct fx_arp *a);     /* ethertype ARP */
bool fx_parse_ipv4(const uint8_t *frame, size_t len, struct fx_ipv4 *ip);  /* ethertype IP */
bool fx_parse_icmp(const struct fx_ipv4 *ip, struct fx_icmp *ic);          /* proto 1 */

/* Test helpers that do not need a stack. */
uint16_t fx_csum(const void *buf, size_t len);          /* RFC 1071, 0 when buf checks */

#endif

/*
 * net/pkt.h — the one packet-buffer type (Linux: struct sk_buff; lwIP: struct pbuf).
 *
 * Ownership: a function that receives a struct pkt * owns it and must pass it on, free it
 * (pkt_free: consumed) or drop it (pkt_drop: counted with a reason). Nothing else frees.
 *
 * Buffers come from a per-process pool of fixed-size slots, so the receive and transmit
 * hot paths never call malloc. Every buffer starts with PKT_HEADROOM bytes free in front
 * of data, enough for every header a sender may push — inner TCP/IPv4/Ethernet plus the
 * outer VXLAN/UDP/IPv4/Ethernet of an encapsulation — so no layer ever reallocates to add
 * a header. Only datagrams larger than a slot (a reassembled 65,000-byte ping, a large
 * local send before fragmentation) are allocated one by one ("large" packets).
 */
#ifndef TS_PKT_H
#define TS_PKT_H
#include "types.h"
#include "drop.h"

#define TCP_HLEN_MAX 60
#define IP4_HLEN_MAX 60
#define VXLAN_HLEN   8
#define UDP_HLEN     8
#define PKT_HEADROOM 256   /* >= TCP 60 + IP 60 + ETH 14 + VXLAN 8 + UDP 8 + IP 60 + ETH 14 = 224 */
/* Two slot sizes, as NIC drivers keep small and jumbo buffers: 2 KiB slots take any
 * frame of a 1500-byte MTU (and most packets a host makes); big slots take a 9000-byte
 * MTU frame. Whatever is larger is allocated one by one. */
#define PKT_SMALL_DATA (2048 - PKT_HEADROOM)
#define PKT_SLOT_DATA (ETH_MAX_MTU + ETH_HLEN + 4 /* VLAN */ + 256 /* tail slack */)
#define PKT_TRACE_LEN 640

/* pkt_type, as Linux's PACKET_* (set by eth_type_trans) */
enum { PACKET_HOST = 0, PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST, PACKET_OUTGOING,
       PACKET_LOOPBACK };

/* The packet journey trace (`trace on`): the stages one packet went through, as text. */
struct pkt_trace {
    uint16_t len;
    bool     on;
    bool     silent;            /* handed over to another packet: print nothing at the end */
    bool     local;             /* originated in the stack: label with the output device */
    struct net *net;            /* namespace whose console/label it uses */
    char     label[72];         /* "tap0 rx", "[ns1] veth0 rx": fits a 31-char ns + 15-char dev */
    char     buf[PKT_TRACE_LEN];
};

/* Routing result attached to a packet (Linux: skb_dst). */
struct pkt_dst {
    struct netdev *dev;         /* output device */
    uint32_t nexthop;           /* gateway or the destination itself */
    uint32_t flags;             /* RTCF_* */
};
#define RTCF_LOCAL     0x80000000u
#define RTCF_BROADCAST 0x10000000u
#define RTCF_FORWARD   0x00000400u

struct pkt_pool;

struct pkt {
    struct pkt     *next;       /* queue link (backlog, neighbour queue, fragment queue) */
    uint8_t        *head;       /* start of the buffer */
    uint8_t        *data;       /* start of the bytes in use */
    uint32_t        len;        /* bytes in use from data */
    uint32_t        cap;        /* bytes from head to end of buffer */
    struct pkt_pool *pool;
    bool            large;      /* malloc'd, not a pool slot */
    bool            big;        /* from the big-slot class */
    uint8_t         pkt_type;   /* PACKET_* */
    uint16_t        protocol;   /* ethertype, host order */
    int32_t         mac_off;    /* offsets from head, -1 when unset */
    int32_t         nh_off;
    int32_t         th_off;
    struct netdev  *dev;        /* device it arrived on / leaves by */
    int             iif;        /* ifindex it arrived on (0: local) */
    struct pkt_dst  dst;
    uint64_t        tstamp_us;  /* arrival time */
    struct sock    *sk;         /* sending socket charged for this packet (net/sock.c) */
    uint32_t        truesize;   /* what was charged */
    /* Control block for the layer that holds the packet (Linux skb->cb): a socket queue
     * keeps the sender's address here, so queueing needs no allocation. */
    uint64_t        cb[4];
    struct pkt_trace tr;
};

struct pkt_pool {
    struct pkt *free, *big_free;    /* free lists of small and big slots */
    uint8_t    *mem, *big_mem;      /* slot memory */
    struct pkt *hdrs, *big_hdrs;    /* slot headers */
    unsigned    nslots, nfree;      /* small */
    unsigned    nbig, nbig_free;
    unsigned    large_live;     /* large packets currently allocated */
    uint64_t    alloc_fail;
};

/* nslots small slots and nslots / 16 (at least 32) big ones. */
int  pkt_pool_init(struct pkt_pool *pool, unsigned nslots);
void pkt_pool_free(struct pkt_pool *pool);
static inline unsigned pkt_pool_live(const struct pkt_pool *pool)
{ return pool->nslots - pool->nfree + pool->nbig - pool->nbig_free + pool->large_live; }
/* The memory a packet really holds (Linux skb->truesize): what sockets are charged. */
static inline uint32_t pkt_truesize(const struct pkt *p) { return p->cap + (uint32_t)sizeof(*p); }

/* A packet with room for `size` bytes after PKT_HEADROOM; data at head + PKT_HEADROOM, len 0.
 * NULL when the pool (or malloc, for large) is exhausted: the caller counts DROP_NOMEM. */
struct pkt *pkt_alloc(struct pkt_pool *pool, size_t size) __attribute__((warn_unused_result));
void pkt_free(struct pkt *p);
/* A full copy (data, offsets, metadata; the trace is not copied). */
struct pkt *pkt_copy(const struct pkt *p) __attribute__((warn_unused_result));

static inline size_t pkt_headroom(const struct pkt *p) { return (size_t)(p->data - p->head); }
static inline size_t pkt_tailroom(const struct pkt *p)
{ return p->cap - pkt_headroom(p) - p->len; }

/* Prepend n bytes; NULL if the headroom is short. */
static inline void *pkt_push(struct pkt *p, size_t n)
{
    if (pkt_headroom(p) < n) return NULL;
    p->data -= n; p->len += (uint32_t)n;
    return p->data;
}
/* Remove n bytes from the front; returns the new data, NULL if len < n. */
static inline void *pkt_pull(struct pkt *p, size_t n)
{
    if (p->len < n) return NULL;
    p->data += n; p->len -= (uint32_t)n;
    return p->data;
}
/* Append n bytes; returns where they go, NULL if no tailroom. */
static inline void *pkt_put(struct pkt *p, size_t n)
{
    if (pkt_tailroom(p) < n) return NULL;
    uint8_t *t = p->data + p->len;
    p->len += (uint32_t)n;
    return t;
}
static inline void pkt_trim(struct pkt *p, size_t len) { if (len < p->len) p->len = (uint32_t)len; }
static inline void pkt_reset_network_header(struct pkt *p) { p->nh_off = (int32_t)(p->data - p->head); }
static inline void pkt_reset_transport_header(struct pkt *p) { p->th_off = (int32_t)(p->data - p->head); }
static inline void pkt_reset_mac_header(struct pkt *p) { p->mac_off = (int32_t)(p->data - p->head); }
static inline uint8_t *pkt_network_header(const struct pkt *p) { return p->head + p->nh_off; }
static inline uint8_t *pkt_transport_header(const struct pkt *p) { return p->head + p->th_off; }
static inline uint8_t *pkt_mac_header(const struct pkt *p) { return p->head + p->mac_off; }

#endif

/*
 * net/pkt.h — the one packet-buffer type (Linux: struct sk_buff; lwIP: struct pbuf).
 *
 * A packet is two things, as in Linux: a small header (struct pkt: where the bytes are,
 * the metadata of this trip) and a data buffer (struct pkt_buf: the bytes). Several
 * headers may share one buffer: pkt_clone() makes a new header that points at the same
 * bytes and takes a reference (Linux: skb_clone and skb_shared_info.dataref).
 *
 * Ownership: a function that receives a struct pkt * owns that header and must pass it
 * on, free it (pkt_free: consumed) or drop it (pkt_drop: counted with a reason). Nothing
 * else frees. The buffer goes back to the pool when its last header is freed.
 *
 * The sharing rule (Linux's, kept simple):
 *   - The bytes of a shared buffer (pkt_shared(p)) are read-only for everybody. Before
 *     writing into data it may share — a TTL, an ICMP type, a stripped VLAN tag, a
 *     corrupted byte — a layer calls pkt_make_writable(p) (Linux: skb_unshare /
 *     skb_ensure_writable), which copies the bytes only if another header uses them.
 *   - Before pushing a header onto a packet that may be shared (an encapsulation of a
 *     flooded or replicated clone), a layer calls pkt_cow_head(p, room) (Linux:
 *     skb_cow_head): the pushed bytes would land in headroom the other clones share.
 *     A sender that keeps the original and transmits clones (TCP's retransmit queue)
 *     never pushes onto the original, and copies instead of cloning while an earlier
 *     clone is still in flight (Linux: __tcp_transmit_skb's skb_cloned test).
 *   - Metadata (offsets, dst, dev, cb) belongs to the header and is never shared.
 *
 * Buffers come from a per-process pool of three size classes that grows in chunks up to
 * a memory cap (net.core.pkt_pool_max_bytes) and counts what it refuses, so the hot
 * paths never call malloc. Every buffer starts with PKT_HEADROOM bytes free in front of
 * data, enough for every header a sender may push — inner TCP/IPv4/Ethernet plus the
 * outer VXLAN/UDP/IPv4/Ethernet of an encapsulation, and a virtio-net header — so no
 * layer reallocates to add a header.
 */
#ifndef TS_PKT_H
#define TS_PKT_H
#include "types.h"
#include "drop.h"

#define TCP_HLEN_MAX 60
#define IP4_HLEN_MAX 60
#define UDP_HLEN     8
#define PKT_HEADROOM 256   /* >= TCP 60 + IP 60 + ETH 14 + VXLAN 8 + UDP 8 + IP 60 + ETH 14 = 224, + vnet 12 */
/* Buffer classes, as NIC drivers keep small, jumbo and GSO buffers: 2 KiB takes any
 * frame of a 1500-byte MTU (and most packets a host makes), the big class a 9000-byte
 * MTU frame, the 64 KiB class a GSO super-frame or a 65,535-byte datagram. The 16 and
 * 32 KiB classes keep what a packet is charged (its truesize) near its size: a
 * reassembled 16 KiB datagram in a 64 KiB buffer would fill a socket's receive buffer
 * four times as fast as Linux's (whose reassembled skb is the fragments' own memory). */
#define PKT_SMALL_DATA (2048 - PKT_HEADROOM)
#define PKT_SLOT_DATA (ETH_MAX_MTU + ETH_HLEN + 4 /* VLAN */ + 256 /* tail slack */)
#define PKT_16K_DATA  (16384 + 512)
#define PKT_32K_DATA  (32768 + 512)
#define PKT_HUGE_DATA (65536 + 512)     /* an IPv4 datagram (65,535) + Ethernet + slack */
#define PKT_MAX_DATA  PKT_HUGE_DATA
enum { PKT_CLASS_SMALL, PKT_CLASS_BIG, PKT_CLASS_16K, PKT_CLASS_32K, PKT_CLASS_HUGE, PKT_NCLASS };

/* pkt_type, as Linux's PACKET_* (set by eth_type_trans) */
enum { PACKET_HOST = 0, PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST, PACKET_OUTGOING,
       PACKET_LOOPBACK };

/* Checksum state (Linux: skb->ip_summed).
 *   NONE         nothing is known: a receiver verifies, a sender has filled the field.
 *   UNNECESSARY  received, and the device verified the L4 checksum.
 *   PARTIAL      the L4 checksum field at csum_start + csum_offset holds only the
 *                pseudo-header sum; whoever sends it last (the device, or the software
 *                fallback in dev_queue_xmit) folds in the sum from csum_start to the end. */
enum { CHECKSUM_NONE = 0, CHECKSUM_UNNECESSARY, CHECKSUM_PARTIAL };

/* Segmentation offload state (Linux: skb_shared_info gso_*): a packet longer than the
 * MTU that the device (or the software fallback) cuts into gso_size-byte segments. */
enum { PKT_GSO_NONE = 0, PKT_GSO_TCPV4 = 1, PKT_GSO_UDP_L4 = 2, PKT_GSO_TCP_ECN = 4 };

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
struct pkt_trace;               /* net/trace.h: exists only while the packet is traced */

/* A data buffer (Linux: the kmalloc'd head with skb_shared_info). The bytes follow. */
struct pkt_buf {
    struct pkt_buf *next;       /* free list */
    uint32_t refs;              /* headers pointing at these bytes (dataref) */
    uint8_t  cls;               /* PKT_CLASS_* */
};

struct pkt {
    struct pkt     *next;       /* queue link (backlog, neighbour queue, fragment queue) */
    uint8_t        *head;       /* start of the buffer's bytes */
    uint8_t        *data;       /* start of the bytes in use */
    uint32_t        len;        /* bytes in use from data */
    uint32_t        cap;        /* bytes from head to end of buffer */
    struct pkt_buf *buf;
    struct pkt_pool *pool;
    uint8_t         pkt_type;   /* PACKET_* */
    uint8_t         ip_summed;  /* CHECKSUM_* */
    uint8_t         gso_type;   /* PKT_GSO_* bits */
    uint16_t        protocol;   /* ethertype, host order */
    uint16_t        csum_offset;/* CHECKSUM_PARTIAL: field offset from csum_start */
    uint32_t        csum_start; /* CHECKSUM_PARTIAL: offset from head where summing starts */
    uint16_t        gso_size;   /* payload bytes per segment; 0: not a GSO packet */
    uint16_t        gso_segs;
    int32_t         mac_off;    /* offsets from head, -1 when unset */
    int32_t         nh_off;
    int32_t         th_off;
    int             iif;        /* ifindex it arrived on (0: local) */
    struct netdev  *dev;        /* device it arrived on / leaves by */
    struct pkt_dst  dst;
    uint64_t        tstamp_us;  /* arrival time */
    /* The owner charged for this packet and the call that gives its charge back when the
     * header is freed (Linux: skb->sk, skb->destructor = sock_wfree). */
    struct sock    *sk;
    void          (*destructor)(struct pkt *p);
    uint32_t        truesize;   /* what was charged */
    /* Control block for the layer that holds the packet (Linux skb->cb): a socket queue
     * keeps the sender's address here, so queueing needs no allocation. */
    uint64_t        cb[4];
    struct pkt_trace *tr;       /* the journey, only while `trace on` (net/trace.h) */
};

struct pkt_class {
    struct pkt_buf *free;       /* free buffers */
    void   *chunks;             /* allocated chunks, linked through their first word */
    uint32_t cap;               /* bytes a buffer holds (headroom + data) */
    uint32_t per_chunk;         /* buffers added per growth */
    uint32_t total, nfree;
};

struct pkt_pool {
    struct pkt_class cls[PKT_NCLASS];
    struct pkt *free_hdrs;      /* free headers */
    void   *hdr_chunks;
    uint32_t hdrs_total, hdrs_free;
    size_t  mem;                /* bytes allocated for buffers and headers */
    size_t  mem_max;            /* the cap: growth stops here */
    uint64_t refused;           /* allocations refused (cap reached or malloc failed) */
    uint64_t grown;             /* chunks added */
};

#define PKT_POOL_MAX_DEFAULT (64u << 20)

/* mem_max: the memory cap in bytes (0: PKT_POOL_MAX_DEFAULT). One chunk of each class
 * is allocated at once; the rest on demand. */
int  pkt_pool_init(struct pkt_pool *pool, size_t mem_max);
void pkt_pool_free(struct pkt_pool *pool);
/* Headers in use: 0 once every packet has been freed (the leak check). */
static inline unsigned pkt_pool_live(const struct pkt_pool *pool)
{ return pool->hdrs_total - pool->hdrs_free; }
/* Buffers in use (shared buffers count once). */
unsigned pkt_pool_bufs_live(const struct pkt_pool *pool);
/* The memory a packet really holds (Linux skb->truesize): what sockets are charged. */
static inline uint32_t pkt_truesize(const struct pkt *p) { return p->cap + (uint32_t)sizeof(*p); }

/* A packet with room for `size` bytes after PKT_HEADROOM; data at head + PKT_HEADROOM, len 0.
 * NULL when the pool is at its cap (or size > PKT_MAX_DATA): the caller counts DROP_NOMEM. */
struct pkt *pkt_alloc(struct pkt_pool *pool, size_t size) __attribute__((warn_unused_result));
void pkt_free(struct pkt *p);
/* A second header for the same bytes (Linux: skb_clone): metadata copied, no owner
 * (sk/destructor), no trace. NULL when no header is free. */
struct pkt *pkt_clone(const struct pkt *p) __attribute__((warn_unused_result));
/* The metadata a copy, clone or segment takes from its source (Linux __copy_skb_header):
 * everything but the owner, the trace and the queue link. Offsets are copied as they are
 * (relative to head): a caller that puts the bytes elsewhere moves them. */
void pkt_copy_meta(struct pkt *to, const struct pkt *from);
/* A full copy in a new buffer (data, offsets, metadata; no owner, no trace). */
struct pkt *pkt_copy(const struct pkt *p) __attribute__((warn_unused_result));
static inline bool pkt_shared(const struct pkt *p) { return p->buf->refs > 1; }
/* Make p's bytes its own before writing them: copies only when shared. 0 or -ENOMEM
 * (p is unchanged then). Offsets stay valid; pointers into the old bytes do not. */
int  pkt_make_writable(struct pkt *p);
/* Writable, with at least `headroom` bytes in front of data (Linux: skb_cow_head). */
int  pkt_cow_head(struct pkt *p, size_t headroom);
/* Give the owner its charge back now, not when the packet is freed (Linux: skb_orphan):
 * a qdisc that holds packets for a while (netem) must not hold the sender's buffer. */
static inline void pkt_orphan(struct pkt *p)
{
    if (p->destructor) p->destructor(p);
    p->destructor = NULL;
    p->sk = NULL;
}
/* Forget what belonged to the previous trip before the packet starts another one:
 * route, type, offsets; crossing namespaces (xnet) also the owner and the timestamp
 * (Linux: skb_scrub_packet). */
void pkt_scrub(struct pkt *p, bool xnet);

static inline size_t pkt_headroom(const struct pkt *p) { return (size_t)(p->data - p->head); }
static inline size_t pkt_tailroom(const struct pkt *p)
{ return p->cap - pkt_headroom(p) - p->len; }

/* Prepend n bytes; NULL if the headroom is short. On a shared buffer see the rule above. */
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
/* CHECKSUM_PARTIAL set-up: sum from `start` (a pointer into p) into the field `offset`
 * bytes after it (Linux: skb_partial_csum_set). */
static inline void pkt_partial_csum_set(struct pkt *p, const uint8_t *start, uint16_t offset)
{
    p->ip_summed = CHECKSUM_PARTIAL;
    p->csum_start = (uint32_t)(start - p->head);
    p->csum_offset = offset;
}

#endif

/*
 * net/pkt.c — packet headers and buffers, and the pool they come from (see pkt.h).
 *
 * The pool keeps a free list per buffer class and one for headers. When a list is empty
 * it grows by one chunk (one malloc for many buffers), until the pool's memory reaches
 * its cap; then allocations are refused and counted. Alloc and free are a pop and a push:
 * no malloc per packet. Chunks are only returned at pkt_pool_free (as a NIC's rings).
 */
#include "pkt.h"
#include "trace.h"
#include <errno.h>
#include <stdlib.h>

/* Each buffer: its struct pkt_buf, padded to a cache line, then the bytes. */
#define BUF_HDR 64
/* A chunk starts with the link to the next chunk, padded likewise. */
#define CHUNK_HDR 64
#define HDRS_PER_CHUNK 256

static const struct { uint32_t data; uint32_t per_chunk; } class_def[PKT_NCLASS] = {
    [PKT_CLASS_SMALL] = { PKT_SMALL_DATA, 256 },
    [PKT_CLASS_BIG]   = { PKT_SLOT_DATA, 16 },
    [PKT_CLASS_16K]   = { PKT_16K_DATA, 8 },
    [PKT_CLASS_32K]   = { PKT_32K_DATA, 4 },
    [PKT_CLASS_HUGE]  = { PKT_HUGE_DATA, 4 },
};

static size_t buf_stride(const struct pkt_class *c) { return BUF_HDR + ((c->cap + 63u) & ~63u); }
static uint8_t *buf_bytes(struct pkt_buf *b) { return (uint8_t *)b + BUF_HDR; }

/* Room for `bytes` more under the cap? */
static bool pool_may_grow(const struct pkt_pool *pool, size_t bytes)
{
    return pool->mem + bytes <= pool->mem_max;
}

static void *chunk_new(void **list, size_t size)
{
    void **chunk = malloc(size);
    if (!chunk) return NULL;
    *chunk = *list;
    *list = chunk;
    return (uint8_t *)chunk + CHUNK_HDR;
}

static int class_grow(struct pkt_pool *pool, int cls)
{
    struct pkt_class *c = &pool->cls[cls];
    size_t stride = buf_stride(c), size = CHUNK_HDR + stride * c->per_chunk;
    if (!pool_may_grow(pool, size)) return -ENOBUFS;
    uint8_t *mem = chunk_new(&c->chunks, size);
    if (!mem) return -ENOMEM;
    for (uint32_t i = 0; i < c->per_chunk; i++) {
        struct pkt_buf *b = (struct pkt_buf *)(mem + (size_t)i * stride);
        b->cls = (uint8_t)cls;
        b->refs = 0;
        b->next = c->free;
        c->free = b;
    }
    c->total += c->per_chunk;
    c->nfree += c->per_chunk;
    pool->mem += size;
    pool->grown++;
    return 0;
}

static int hdrs_grow(struct pkt_pool *pool)
{
    size_t size = CHUNK_HDR + sizeof(struct pkt) * HDRS_PER_CHUNK;
    if (!pool_may_grow(pool, size)) return -ENOBUFS;
    struct pkt *h = chunk_new(&pool->hdr_chunks, size);
    if (!h) return -ENOMEM;
    for (int i = 0; i < HDRS_PER_CHUNK; i++) {
        h[i].pool = pool;
        h[i].next = pool->free_hdrs;
        pool->free_hdrs = &h[i];
    }
    pool->hdrs_total += HDRS_PER_CHUNK;
    pool->hdrs_free += HDRS_PER_CHUNK;
    pool->mem += size;
    pool->grown++;
    return 0;
}

int pkt_pool_init(struct pkt_pool *pool, size_t mem_max)
{
    memset(pool, 0, sizeof(*pool));
    pool->mem_max = mem_max ? mem_max : PKT_POOL_MAX_DEFAULT;
    for (int i = 0; i < PKT_NCLASS; i++) {
        pool->cls[i].cap = PKT_HEADROOM + class_def[i].data;
        pool->cls[i].per_chunk = class_def[i].per_chunk;
    }
    /* The first chunks at once, so a small cap shows at start-up, not mid-run. */
    if (hdrs_grow(pool) < 0 || class_grow(pool, PKT_CLASS_SMALL) < 0) {
        pkt_pool_free(pool);
        return -1;
    }
    return 0;
}

static void chunks_free(void *list)
{
    while (list) {
        void *next = *(void **)list;
        free(list);
        list = next;
    }
}

void pkt_pool_free(struct pkt_pool *pool)
{
    for (int i = 0; i < PKT_NCLASS; i++) chunks_free(pool->cls[i].chunks);
    chunks_free(pool->hdr_chunks);
    memset(pool, 0, sizeof(*pool));
}

unsigned pkt_pool_bufs_live(const struct pkt_pool *pool)
{
    unsigned n = 0;
    for (int i = 0; i < PKT_NCLASS; i++) n += pool->cls[i].total - pool->cls[i].nfree;
    return n;
}

static struct pkt *hdr_get(struct pkt_pool *pool)
{
    if (!pool->free_hdrs && hdrs_grow(pool) < 0) return NULL;
    struct pkt *p = pool->free_hdrs;
    pool->free_hdrs = p->next;
    pool->hdrs_free--;
    return p;
}

static void hdr_put(struct pkt_pool *pool, struct pkt *p)
{
    p->next = pool->free_hdrs;
    pool->free_hdrs = p;
    pool->hdrs_free++;
}

/* A buffer of the smallest class that holds `size` data bytes; a larger class serves
 * when the fitting one is empty and may not grow. */
static struct pkt_buf *buf_get(struct pkt_pool *pool, size_t size)
{
    int fit = 0;
    while (fit < PKT_NCLASS && class_def[fit].data < size) fit++;
    if (fit == PKT_NCLASS) return NULL;
    for (int cls = fit; cls < PKT_NCLASS; cls++) {
        struct pkt_class *c = &pool->cls[cls];
        if (!c->free && (cls != fit || class_grow(pool, cls) < 0)) continue;
        struct pkt_buf *b = c->free;
        c->free = b->next;
        c->nfree--;
        b->refs = 1;
        return b;
    }
    return NULL;
}

static void buf_put(struct pkt_pool *pool, struct pkt_buf *b)
{
    struct pkt_class *c = &pool->cls[b->cls];
    b->next = c->free;
    c->free = b;
    c->nfree++;
}

static void pkt_init_meta(struct pkt *p)
{
    p->next = NULL;
    p->len = 0;
    p->pkt_type = PACKET_HOST;
    p->ip_summed = CHECKSUM_NONE;
    p->gso_type = PKT_GSO_NONE;
    p->protocol = 0;
    p->csum_offset = 0;
    p->csum_start = 0;
    p->gso_size = p->gso_segs = 0;
    p->mac_off = p->nh_off = p->th_off = -1;
    p->iif = 0;
    p->dev = NULL;
    memset(&p->dst, 0, sizeof(p->dst));
    p->tstamp_us = 0;
    p->sk = NULL;
    p->destructor = NULL;
    p->truesize = 0;
    p->tr = NULL;
}

static void pkt_attach(struct pkt *p, struct pkt_buf *b, struct pkt_pool *pool)
{
    p->buf = b;
    p->head = buf_bytes(b);
    p->cap = pool->cls[b->cls].cap;
}

struct pkt *pkt_alloc(struct pkt_pool *pool, size_t size)
{
    struct pkt *p = hdr_get(pool);
    if (!p) { pool->refused++; return NULL; }
    struct pkt_buf *b = buf_get(pool, size);
    if (!b) { hdr_put(pool, p); pool->refused++; return NULL; }
    pkt_init_meta(p);
    pkt_attach(p, b, pool);
    p->data = p->head + PKT_HEADROOM;
    return p;
}

static void buf_release(struct pkt_pool *pool, struct pkt_buf *b)
{
    if (--b->refs == 0) buf_put(pool, b);
}

void pkt_free(struct pkt *p)
{
    if (!p) return;
    if (p->destructor) p->destructor(p);    /* the owner's charge comes back */
    if (p->tr) trace_end(p);                /* the journey ends with the packet (net/trace.c) */
    struct pkt_pool *pool = p->pool;
    buf_release(pool, p->buf);
    hdr_put(pool, p);
}

void pkt_copy_meta(struct pkt *to, const struct pkt *from)
{
    to->next = NULL;
    to->pkt_type = from->pkt_type;
    to->ip_summed = from->ip_summed;
    to->gso_type = from->gso_type;
    to->protocol = from->protocol;
    to->csum_offset = from->csum_offset;
    to->csum_start = from->csum_start;
    to->gso_size = from->gso_size;
    to->gso_segs = from->gso_segs;
    to->mac_off = from->mac_off; to->nh_off = from->nh_off; to->th_off = from->th_off;
    to->iif = from->iif;
    to->dev = from->dev;
    to->dst = from->dst;
    to->tstamp_us = from->tstamp_us;
    to->sk = NULL;
    to->destructor = NULL;
    to->truesize = 0;
    memcpy(to->cb, from->cb, sizeof(to->cb));
    to->tr = NULL;
}

struct pkt *pkt_clone(const struct pkt *p)
{
    struct pkt *c = hdr_get(p->pool);
    if (!c) { p->pool->refused++; return NULL; }
    pkt_copy_meta(c, p);
    pkt_attach(c, p->buf, p->pool);
    c->data = p->data;
    c->len = p->len;
    p->buf->refs++;
    return c;
}

/* A new buffer holding p's bytes with `headroom` in front of data; offsets (relative to
 * head) move by the change in headroom. */
static int pkt_rebuffer(struct pkt *p, size_t headroom)
{
    size_t old_room = pkt_headroom(p);
    if (headroom + p->len > PKT_HEADROOM + (size_t)PKT_MAX_DATA) return -ENOMEM;
    size_t need = headroom + p->len > PKT_HEADROOM ? headroom + p->len - PKT_HEADROOM : 0;
    struct pkt_buf *b = buf_get(p->pool, need);
    if (!b) { p->pool->refused++; return -ENOMEM; }
    uint8_t *head = buf_bytes(b);
    /* Copy the headroom that fits too: a header just pulled (the MAC header of a
     * received frame) is still read through its offset. */
    size_t keep = MIN(old_room, headroom);
    memcpy(head + headroom - keep, p->data - keep, keep + p->len);
    int32_t delta = (int32_t)headroom - (int32_t)old_room;
    if (p->mac_off >= 0) p->mac_off += delta;
    if (p->nh_off >= 0) p->nh_off += delta;
    if (p->th_off >= 0) p->th_off += delta;
    if (p->ip_summed == CHECKSUM_PARTIAL) p->csum_start = (uint32_t)((int32_t)p->csum_start + delta);
    buf_release(p->pool, p->buf);
    pkt_attach(p, b, p->pool);
    p->data = head + headroom;
    return 0;
}

int pkt_make_writable(struct pkt *p)
{
    if (!pkt_shared(p)) return 0;
    return pkt_rebuffer(p, pkt_headroom(p));
}

int pkt_cow_head(struct pkt *p, size_t headroom)
{
    if (!pkt_shared(p) && pkt_headroom(p) >= headroom) return 0;
    return pkt_rebuffer(p, MAX(headroom, pkt_headroom(p)));
}

struct pkt *pkt_copy(const struct pkt *p)
{
    struct pkt *c = pkt_clone(p);
    if (!c) return NULL;
    if (pkt_rebuffer(c, pkt_headroom(p)) < 0) { pkt_free(c); return NULL; }
    return c;
}

void pkt_scrub(struct pkt *p, bool xnet)
{
    /* skb_scrub_packet: the new trip starts with no route and no classification. */
    p->pkt_type = PACKET_HOST;
    memset(&p->dst, 0, sizeof(p->dst));
    p->mac_off = p->nh_off = -1;
    if (!xnet) return;
    /* Another namespace: the sender's socket may not be charged for it any longer. */
    if (p->destructor) p->destructor(p);
    p->destructor = NULL;
    p->sk = NULL;
    p->tstamp_us = 0;
}

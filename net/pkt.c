/*
 * net/pkt.c — the packet pool. Slots are carved from one allocation at start-up; alloc
 * and free are a pop and a push on a free list.
 */
#include "pkt.h"
#include "sock.h"
#include <stdlib.h>

#define SMALL_CAP (PKT_HEADROOM + PKT_SMALL_DATA)
#define BIG_CAP   (PKT_HEADROOM + PKT_SLOT_DATA)

static int carve(uint8_t **mem, struct pkt **hdrs, struct pkt **free_list, unsigned n, size_t cap,
                 struct pkt_pool *pool, bool big)
{
    *mem = malloc((size_t)n * cap);
    *hdrs = calloc(n, sizeof(struct pkt));
    if (!*mem || !*hdrs) return -1;
    for (unsigned i = 0; i < n; i++) {
        struct pkt *p = &(*hdrs)[i];
        p->head = *mem + (size_t)i * cap;
        p->cap = (uint32_t)cap;
        p->pool = pool;
        p->big = big;
        p->next = *free_list;
        *free_list = p;
    }
    return 0;
}

int pkt_pool_init(struct pkt_pool *pool, unsigned nslots)
{
    memset(pool, 0, sizeof(*pool));
    unsigned nbig = MAX(nslots / 16, 32u);
    if (carve(&pool->mem, &pool->hdrs, &pool->free, nslots, SMALL_CAP, pool, false) < 0 ||
        carve(&pool->big_mem, &pool->big_hdrs, &pool->big_free, nbig, BIG_CAP, pool, true) < 0) {
        pkt_pool_free(pool);
        return -1;
    }
    pool->nslots = pool->nfree = nslots;
    pool->nbig = pool->nbig_free = nbig;
    return 0;
}

void pkt_pool_free(struct pkt_pool *pool)
{
    free(pool->mem);
    free(pool->hdrs);
    free(pool->big_mem);
    free(pool->big_hdrs);
    memset(pool, 0, sizeof(*pool));
}

static void pkt_init_meta(struct pkt *p)
{
    p->next = NULL;
    p->data = p->head + PKT_HEADROOM;
    p->len = 0;
    p->pkt_type = PACKET_HOST;
    p->protocol = 0;
    p->mac_off = p->nh_off = p->th_off = -1;
    p->dev = NULL;
    p->iif = 0;
    memset(&p->dst, 0, sizeof(p->dst));
    p->tstamp_us = 0;
    p->sk = NULL;
    p->truesize = 0;
    p->tr.on = false; p->tr.silent = false; p->tr.local = false; p->tr.len = 0;
    p->tr.label[0] = 0; p->tr.buf[0] = 0; p->tr.net = NULL;
}

struct pkt *pkt_alloc(struct pkt_pool *pool, size_t size)
{
    struct pkt *p;
    if (size <= PKT_SMALL_DATA && pool->free) {
        p = pool->free;
        pool->free = p->next;
        pool->nfree--;
    } else if (size <= PKT_SLOT_DATA && pool->big_free) {
        /* a big slot also serves a small request when the small ones are all in use */
        p = pool->big_free;
        pool->big_free = p->next;
        pool->nbig_free--;
    } else if (size <= PKT_SLOT_DATA) {
        pool->alloc_fail++;
        return NULL;
    } else {
        /* Larger than a slot: only reassembled or locally built big datagrams get here. */
        if (size > 128 * 1024) { pool->alloc_fail++; return NULL; }
        p = malloc(sizeof(*p) + PKT_HEADROOM + size);
        if (!p) { pool->alloc_fail++; return NULL; }
        p->head = (uint8_t *)(p + 1);
        p->cap = (uint32_t)(PKT_HEADROOM + size);
        p->pool = pool;
        p->large = true;
        p->big = false;
        pool->large_live++;
    }
    pkt_init_meta(p);
    return p;
}

void pkt_free(struct pkt *p)
{
    if (!p) return;
    if (p->sk) sk_tx_done(p);      /* the sender's buffer space comes back */
    struct pkt_pool *pool = p->pool;
    if (p->large) {
        pool->large_live--;
        free(p);
        return;
    }
    if (p->big) {
        p->next = pool->big_free;
        pool->big_free = p;
        pool->nbig_free++;
    } else {
        p->next = pool->free;
        pool->free = p;
        pool->nfree++;
    }
}

struct pkt *pkt_copy(const struct pkt *p)
{
    size_t need = pkt_headroom(p) > PKT_HEADROOM ? p->len + (pkt_headroom(p) - PKT_HEADROOM) : p->len;
    struct pkt *c = pkt_alloc(p->pool, need);
    if (!c) return NULL;
    c->data = c->head + pkt_headroom(p);
    if (pkt_headroom(c) + p->len > c->cap) { pkt_free(c); return NULL; }
    memcpy(c->data, p->data, p->len);
    c->len = p->len;
    c->pkt_type = p->pkt_type; c->protocol = p->protocol;
    c->mac_off = p->mac_off; c->nh_off = p->nh_off; c->th_off = p->th_off;
    c->dev = p->dev; c->iif = p->iif; c->dst = p->dst; c->tstamp_us = p->tstamp_us;
    return c;
}

/*
 * net/pkt.c — the packet pool. Slots are carved from one allocation at start-up; alloc
 * and free are a pop and a push on a free list.
 */
#include "pkt.h"
#include "sock.h"
#include <stdlib.h>

#define SLOT_CAP (PKT_HEADROOM + PKT_SLOT_DATA)

int pkt_pool_init(struct pkt_pool *pool, unsigned nslots)
{
    memset(pool, 0, sizeof(*pool));
    pool->mem = malloc((size_t)nslots * SLOT_CAP);
    pool->hdrs = calloc(nslots, sizeof(struct pkt));
    if (!pool->mem || !pool->hdrs) { free(pool->mem); free(pool->hdrs); return -1; }
    for (unsigned i = 0; i < nslots; i++) {
        struct pkt *p = &pool->hdrs[i];
        p->head = pool->mem + (size_t)i * SLOT_CAP;
        p->cap = SLOT_CAP;
        p->pool = pool;
        p->next = pool->free;
        pool->free = p;
    }
    pool->nslots = pool->nfree = nslots;
    return 0;
}

void pkt_pool_free(struct pkt_pool *pool)
{
    free(pool->mem);
    free(pool->hdrs);
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
    if (size <= PKT_SLOT_DATA) {
        p = pool->free;
        if (!p) { pool->alloc_fail++; return NULL; }
        pool->free = p->next;
        pool->nfree--;
    } else {
        /* Larger than a slot: only reassembled or locally built big datagrams get here. */
        if (size > 128 * 1024) { pool->alloc_fail++; return NULL; }
        p = malloc(sizeof(*p) + PKT_HEADROOM + size);
        if (!p) { pool->alloc_fail++; return NULL; }
        p->head = (uint8_t *)(p + 1);
        p->cap = (uint32_t)(PKT_HEADROOM + size);
        p->pool = pool;
        p->large = true;
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
    p->next = pool->free;
    pool->free = p;
    pool->nfree++;
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

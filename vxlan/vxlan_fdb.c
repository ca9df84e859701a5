/*
 * vxlan/vxlan_fdb.c — a vxlan device's forwarding database (Linux: the vxlan_fdb_*
 * functions of drivers/net/vxlan/vxlan_core.c).
 *
 * Each entry maps an inner MAC to the VTEPs behind which it lives. Three kinds:
 *   - learned (NUD_REACHABLE): vxlan_snoop saw a frame from the MAC come out of the
 *     tunnel from some VTEP; ages out after `ageing` seconds without use;
 *   - static (`bridge fdb add MAC dev vxlan0 dst IP [permanent|static]`): what an agent
 *     such as flannel writes, one per remote node; never ages, never moves;
 *   - the all-zeros MAC: the default destinations of frames no entry knows (broadcast,
 *     unknown unicast). `remote IP` creates it; `bridge fdb append 00:00:00:00:00:00 dev
 *     vxlan0 dst IP` adds more VTEPs to it, and a frame sent to it is replicated to each
 *     (head-end replication: one copy per VTEP, by clones, in vxlan_xmit).
 */
#include "vxlan_private.h"
#include "arp/neigh.h"
#include "net/netlink.h"
#include <errno.h>
#include <stdlib.h>

static uint32_t vxlan_mac_hash(const struct eth_addr *a) { return eth_addr_hash(a) & (VXLAN_FDB_HASH - 1); }

static void vxlan_cleanup(struct timer *t, void *arg);

int vxlan_fdb_init(struct vxlan_dev *vx)
{
    vx->fdb = calloc(VXLAN_FDB_POOL, sizeof(*vx->fdb));
    vx->rdst = calloc(VXLAN_RDST_POOL, sizeof(*vx->rdst));
    if (!vx->fdb || !vx->rdst) { vxlan_fdb_fini(vx); return -ENOMEM; }
    for (uint32_t i = 0; i < VXLAN_FDB_POOL; i++) vx->fdb[i].next = i + 1 < VXLAN_FDB_POOL ? i + 1 : VXLAN_NONE;
    for (uint32_t i = 0; i < VXLAN_RDST_POOL; i++) vx->rdst[i].next = i + 1 < VXLAN_RDST_POOL ? i + 1 : VXLAN_NONE;
    vx->fdb_free = vx->rdst_free = 0;
    for (int i = 0; i < VXLAN_FDB_HASH; i++) vx->hash[i] = VXLAN_NONE;
    timer_init(&vx->age_timer, vxlan_cleanup, vx);
    return 0;
}

void vxlan_fdb_fini(struct vxlan_dev *vx)
{
    free(vx->fdb);
    free(vx->rdst);
    vx->fdb = NULL;
    vx->rdst = NULL;
}

/* Linux __vxlan_find_mac: one entry per MAC (the device has one VNI). */
static struct vxlan_fdb *fdb_find(struct vxlan_dev *vx, const struct eth_addr *mac)
{
    for (uint32_t i = vx->hash[vxlan_mac_hash(mac)]; i != VXLAN_NONE; i = vx->fdb[i].next)
        if (eth_addr_eq(&vx->fdb[i].addr, mac)) return &vx->fdb[i];
    return NULL;
}

struct vxlan_fdb *vxlan_find_mac(struct vxlan_dev *vx, const struct eth_addr *mac)
{
    struct vxlan_fdb *f = fdb_find(vx, mac);
    if (f) f->used_us = vx->dev->net->st->now_us;
    return f;
}

/* --- destinations --------------------------------------------------------------- */

static struct vxlan_rdst *rdst_find(struct vxlan_dev *vx, const struct vxlan_fdb *f, uint32_t ip,
                                    uint16_t port, uint32_t vni, int ifindex)
{
    for (uint32_t i = f->remotes; i != VXLAN_NONE; i = vx->rdst[i].next) {
        struct vxlan_rdst *rd = &vx->rdst[i];
        if (rd->remote_ip == ip && rd->remote_port == port && rd->remote_vni == vni &&
            rd->remote_ifindex == ifindex)
            return rd;
    }
    return NULL;
}

/* Linux vxlan_fdb_append: add a destination at the end of the entry's list. */
static int rdst_append(struct vxlan_dev *vx, struct vxlan_fdb *f, uint32_t ip, uint16_t port,
                       uint32_t vni, int ifindex)
{
    if (vx->rdst_free == VXLAN_NONE) return -ENOSPC;
    uint32_t i = vx->rdst_free;
    vx->rdst_free = vx->rdst[i].next;
    vx->rdst[i] = (struct vxlan_rdst){ .remote_ip = ip, .remote_port = port, .remote_vni = vni,
                                       .remote_ifindex = ifindex, .next = VXLAN_NONE };
    uint32_t *pp = &f->remotes;
    while (*pp != VXLAN_NONE) pp = &vx->rdst[*pp].next;
    *pp = i;
    return 0;
}

static void rdst_remove(struct vxlan_dev *vx, struct vxlan_fdb *f, struct vxlan_rdst *rd)
{
    uint32_t i = (uint32_t)(rd - vx->rdst);
    for (uint32_t *pp = &f->remotes; *pp != VXLAN_NONE; pp = &vx->rdst[*pp].next) {
        if (*pp != i) continue;
        *pp = rd->next;
        break;
    }
    rd->next = vx->rdst_free;
    vx->rdst_free = i;
}

/* --- entries -------------------------------------------------------------------- */

static unsigned fdb_capacity(const struct vxlan_dev *vx)
{
    return vx->cfg.addrmax && vx->cfg.addrmax < VXLAN_FDB_POOL ? vx->cfg.addrmax : VXLAN_FDB_POOL;
}

/* Linux vxlan_fdb_create: a new entry with one destination. -ENOSPC when either pool,
 * or maxaddress, is exhausted. */
static int fdb_create(struct vxlan_dev *vx, const struct eth_addr *mac, uint16_t state,
                      uint32_t ip, uint16_t port, uint32_t vni, int ifindex, struct vxlan_fdb **out)
{
    if (vx->fdb_free == VXLAN_NONE || vx->rdst_free == VXLAN_NONE || vx->cnt.fdb_entries >= fdb_capacity(vx))
        return -ENOSPC;
    uint32_t i = vx->fdb_free, b = vxlan_mac_hash(mac);
    struct vxlan_fdb *f = &vx->fdb[i];
    uint64_t now = vx->dev->net->st->now_us;
    vx->fdb_free = f->next;
    *f = (struct vxlan_fdb){ .addr = *mac, .in_use = true, .state = state, .updated_us = now,
                             .used_us = now, .remotes = VXLAN_NONE, .next = vx->hash[b] };
    vx->hash[b] = i;
    vx->cnt.fdb_entries++;
    rdst_append(vx, f, ip, port, vni, ifindex);       /* a destination is free: checked above */
    if (out) *out = f;
    return 0;
}

/* Linux vxlan_fdb_destroy. */
static void fdb_destroy(struct vxlan_dev *vx, struct vxlan_fdb *f)
{
    uint32_t i = (uint32_t)(f - vx->fdb);
    while (f->remotes != VXLAN_NONE) rdst_remove(vx, f, &vx->rdst[f->remotes]);
    for (uint32_t *pp = &vx->hash[vxlan_mac_hash(&f->addr)]; *pp != VXLAN_NONE; pp = &vx->fdb[*pp].next) {
        if (*pp != i) continue;
        *pp = f->next;
        break;
    }
    vx->cnt.fdb_entries--;
    *f = (struct vxlan_fdb){ .next = vx->fdb_free };
    vx->fdb_free = i;
}

static bool fdb_is_static(const struct vxlan_fdb *f) { return f->state & (NUD_PERMANENT | NUD_NOARP); }

int vxlan_fdb_add_default(struct vxlan_dev *vx)
{
    static const struct eth_addr zero;
    if (!vx->cfg.remote_ip) return 0;
    return fdb_create(vx, &zero, NUD_REACHABLE | NUD_PERMANENT, vx->cfg.remote_ip, vx->cfg.dst_port,
                      vx->cfg.vni, vx->cfg.remote_ifindex, NULL);
}

/* Linux vxlan_snoop. A known station seen behind the same VTEP changes nothing (its use
 * time was refreshed by the lookup); behind another VTEP, a learned entry moves there
 * and a static one makes the frame a drop — a static entry is the operator's word and a
 * frame claiming otherwise is spoofed or looped. An unknown station is learned, while
 * the device is up and the table has room. */
bool vxlan_snoop(struct vxlan_dev *vx, const struct eth_addr *mac, uint32_t src_ip, int ifindex)
{
    struct vxlan_fdb *f = vxlan_find_mac(vx, mac);
    if (f) {
        struct vxlan_rdst *rd = vxlan_rdst_at(vx, f->remotes);
        if (rd && rd->remote_ip == src_ip && rd->remote_ifindex == ifindex) return false;
        if (fdb_is_static(f) || !rd) return true;
        rd->remote_ip = src_ip;                     /* migrate */
        rd->remote_ifindex = ifindex;
        f->updated_us = vx->dev->net->st->now_us;
        vx->cnt.fdb_moved++;
        return false;
    }
    if (!netif_running(vx->dev)) return false;
    if (fdb_create(vx, mac, NUD_REACHABLE, src_ip, vx->cfg.dst_port, vx->cfg.vni, ifindex, NULL) < 0) {
        vx->cnt.fdb_learn_refused++;
        return false;
    }
    vx->cnt.fdb_learned++;
    return false;
}

void vxlan_fdb_flush_dynamic(struct vxlan_dev *vx)
{
    for (uint32_t i = 0; i < VXLAN_FDB_POOL; i++)
        if (vx->fdb[i].in_use && !fdb_is_static(&vx->fdb[i])) fdb_destroy(vx, &vx->fdb[i]);
}

/* --- ageing (Linux vxlan_cleanup) ----------------------------------------------- */

/* Remove the learned entries unused for age_interval, and come back at the next expiry
 * but no later than FDB_AGE_INTERVAL (Linux rescans every 10 s). */
static void vxlan_cleanup(struct timer *t, void *arg)
{
    struct vxlan_dev *vx = arg;
    struct stack *st = vx->dev->net->st;
    uint64_t now = st->now_us, next = now + VXLAN_AGE_INTERVAL_US, age = vx->cfg.age_interval * US_PER_S;
    (void)t;
    if (!netif_running(vx->dev)) return;
    for (uint32_t i = 0; i < VXLAN_FDB_POOL; i++) {
        struct vxlan_fdb *f = &vx->fdb[i];
        if (!f->in_use || fdb_is_static(f)) continue;
        uint64_t timeout = f->used_us + age;
        if (timeout <= now) { fdb_destroy(vx, f); vx->cnt.fdb_aged++; }
        else if (timeout < next) next = timeout;
    }
    timer_arm_at(st, &vx->age_timer, next);
}

void vxlan_fdb_age_start(struct vxlan_dev *vx)
{
    if (vx->cfg.age_interval) timer_arm_in(vx->dev->net->st, &vx->age_timer, VXLAN_AGE_INTERVAL_US);
}

void vxlan_fdb_age_stop(struct vxlan_dev *vx)
{
    timer_stop(vx->dev->net->st, &vx->age_timer);
}

/* --- configuration (bridge fdb) ------------------------------------------------- */

/* Linux vxlan_fdb_parse: what the request leaves out, the device supplies. */
static void fdb_req_resolve(const struct vxlan_dev *vx, const struct vxlan_fdb_req *r, uint16_t *port,
                            uint32_t *vni)
{
    *port = r->has_port ? r->port : vx->cfg.dst_port;
    *vni = r->has_vni ? r->vni : vx->cfg.vni;
}

/* Linux vxlan_fdb_update on an existing entry: EXCL refuses, a new state is taken,
 * REPLACE changes a unicast entry's first destination, APPEND adds a destination to a
 * multicast or all-zeros entry (and does nothing on a unicast one, as Linux). */
static int fdb_update_existing(struct vxlan_dev *vx, struct vxlan_fdb *f, const struct vxlan_fdb_req *r,
                               uint16_t port, uint32_t vni, unsigned nlflags)
{
    if (nlflags & FDB_NLM_F_EXCL) return -EEXIST;
    if (f->state != r->state) {
        f->state = (uint16_t)r->state;
        f->updated_us = vx->dev->net->st->now_us;
    }
    bool group = eth_is_multicast(&f->addr) || eth_is_zero(&f->addr);
    if (nlflags & FDB_NLM_F_REPLACE) {
        if (group) return -EOPNOTSUPP;
        struct vxlan_rdst *rd = vxlan_rdst_at(vx, f->remotes);
        if (rd) *rd = (struct vxlan_rdst){ .remote_ip = r->dst, .remote_port = port, .remote_vni = vni,
                                           .remote_ifindex = r->ifindex, .next = rd->next };
        f->updated_us = vx->dev->net->st->now_us;
        return 0;
    }
    if ((nlflags & FDB_NLM_F_APPEND) && group && !rdst_find(vx, f, r->dst, port, vni, r->ifindex))
        return rdst_append(vx, f, r->dst, port, vni, r->ifindex);
    return 0;
}

int vxlan_fdb_add(struct netdev *dev, const struct vxlan_fdb_req *r, unsigned nlflags, struct extack *ext)
{
    (void)ext;
    if (!netif_is_vxlan(dev)) return -EOPNOTSUPP;
    struct vxlan_dev *vx = vxlan_of(dev);
    /* Linux vxlan_fdb_add: a state that is neither permanent nor reachable is refused,
     * and so is an entry without a destination address */
    if (!(r->state & (NUD_PERMANENT | NUD_REACHABLE)) || !r->dst) return -EINVAL;
    uint16_t port;
    uint32_t vni;
    fdb_req_resolve(vx, r, &port, &vni);
    struct vxlan_fdb *f = fdb_find(vx, &r->addr);
    if (f) return fdb_update_existing(vx, f, r, port, vni, nlflags);
    if (!(nlflags & FDB_NLM_F_CREATE)) return -ENOENT;
    if ((nlflags & FDB_NLM_F_REPLACE) && (eth_is_multicast(&r->addr) || eth_is_zero(&r->addr)))
        return -EOPNOTSUPP;                         /* "Disallow replace to add a multicast entry" */
    return fdb_create(vx, &r->addr, (uint16_t)r->state, r->dst, port, vni, r->ifindex, NULL);
}

int vxlan_fdb_delete(struct netdev *dev, const struct vxlan_fdb_req *r, struct extack *ext)
{
    (void)ext;
    if (!netif_is_vxlan(dev)) return -EOPNOTSUPP;
    struct vxlan_dev *vx = vxlan_of(dev);
    struct vxlan_fdb *f = fdb_find(vx, &r->addr);
    if (!f) return -ENOENT;
    if (r->dst) {
        uint16_t port;
        uint32_t vni;
        fdb_req_resolve(vx, r, &port, &vni);
        struct vxlan_rdst *rd = rdst_find(vx, f, r->dst, port, vni, r->ifindex);
        if (!rd) return -ENOENT;
        if (rd->next != VXLAN_NONE || f->remotes != (uint32_t)(rd - vx->rdst)) {
            rdst_remove(vx, f, rd);                 /* not the only one: just this VTEP */
            return 0;
        }
    }
    fdb_destroy(vx, f);
    return 0;
}

/* Entries newest first within a bucket, buckets in order; destinations in the order
 * they were added (Linux's dump walks its hash the same way). */
void vxlan_fdb_walk(struct netdev *dev, void (*fn)(void *arg, const struct vxlan_fdb_view *v), void *arg)
{
    struct vxlan_dev *vx = vxlan_of(dev);
    for (int b = 0; b < VXLAN_FDB_HASH; b++) {
        for (uint32_t i = vx->hash[b]; i != VXLAN_NONE; i = vx->fdb[i].next) {
            const struct vxlan_fdb *f = &vx->fdb[i];
            for (uint32_t j = f->remotes; j != VXLAN_NONE; j = vx->rdst[j].next) {
                const struct vxlan_rdst *rd = &vx->rdst[j];
                struct vxlan_fdb_view v = {
                    .addr = f->addr, .dst = rd->remote_ip, .vni = rd->remote_vni,
                    .port = rd->remote_port != vx->cfg.dst_port ? rd->remote_port : 0,
                    .vni_differs = rd->remote_vni != vx->cfg.vni,
                    .via = rd->remote_ifindex ? netdev_by_index(vx->net, rd->remote_ifindex) : NULL,
                    .state = f->state,
                };
                fn(arg, &v);
            }
        }
    }
}

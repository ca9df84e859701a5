/*
 * tests/fixture.c — see fixture.h. A fake device whose xmit copies the frame into the
 * fixture's FIFO; everything else is the real stack (ip/inet.h's inet_stack_new), with
 * as many namespaces and devices as a test adds.
 */
#include "fixture.h"
#include "arp/arp.h"
#include "ip/inet.h"
#include "ip/ip.h"
#include "ip/fib.h"
#include "ip/ip_wire.h"
#include "arp/arp_wire.h"
#include "icmp/icmp.h"
#include "net/csum.h"
#include "net/sysctl.h"
#include "net/link.h"
#include "net/netlink.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct eth_addr fx_mac       = { { 0x02, 0, 0, 0, 0, 0x02 } };
const struct eth_addr fx_peer_mac  = { { 0x02, 0, 0, 0, 0, 0x01 } };
const struct eth_addr fx_zero_mac  = { { 0, 0, 0, 0, 0, 0 } };
const struct eth_addr fx_bcast_mac = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

/* ------------------------------------------------------------------ fake device */

static int fx_dev_xmit(struct netdev *dev, struct pkt *p)
{
    struct fx *f = *(struct fx **)dev->priv;
    f->tx_total++;
    if (f->tx_len == FX_TXQ_MAX) {
        f->tx_lost++;
        pkt_free(p);
        return 0;
    }
    uint8_t *copy = malloc(p->len ? p->len : 1);
    if (!copy) {
        f->tx_lost++;
        pkt_free(p);
        return 0;
    }
    memcpy(copy, p->data, p->len);
    struct fx_frame *fr = &f->txq[(f->tx_head + f->tx_len) % FX_TXQ_MAX];
    fr->data = copy;
    fr->len = p->len;
    fr->ifindex = dev->ifindex;
    fr->dev = dev;
    fr->at_us = f->st->now_us;
    f->tx_len++;
    pkt_free(p);
    return 0;
}

/* The device goes away: its queued frames stay, no longer pointing at it. */
static void fx_dev_destroy(struct netdev *dev)
{
    struct fx *f = *(struct fx **)dev->priv;
    for (unsigned i = 0; i < f->tx_len; i++) {
        struct fx_frame *fr = &f->txq[(f->tx_head + i) % FX_TXQ_MAX];
        if (fr->dev == dev) fr->dev = NULL;
    }
}

static const struct netdev_ops fx_dev_ops = {
    .kind = "fx", .xmit = fx_dev_xmit, .destroy = fx_dev_destroy, .xmit_name = "fx_xmit",
};

static void fx_log_sink(void *arg, const char *line)
{
    struct fx *f = arg;
    size_t n = strlen(line);
    if (f->log_len + n + 2 > f->log_cap) {
        size_t cap = f->log_cap ? f->log_cap : 4096;
        while (cap < f->log_len + n + 2) cap *= 2;
        char *nl = realloc(f->log, cap);
        if (!nl) return;
        f->log = nl;
        f->log_cap = cap;
    }
    memcpy(f->log + f->log_len, line, n);
    f->log_len += n;
    f->log[f->log_len++] = '\n';
    f->log[f->log_len] = 0;
    f->log_lines++;
}

struct net *fx_add_net(struct fx *f, const char *name)
{
    return net_new(f->st, name);
}

struct netdev *fx_add_dev(struct fx *f, const char *name, const struct eth_addr *mac,
                          uint32_t addr, int plen, unsigned mtu)
{
    return fx_add_dev_in(f, f->net, name, mac, addr, plen, mtu);
}

struct netdev *fx_add_dev_in(struct fx *f, struct net *net, const char *name, const struct eth_addr *mac,
                             uint32_t addr, int plen, unsigned mtu)
{
    struct netdev *dev = netdev_alloc(net, name, &fx_dev_ops, sizeof(struct fx *));
    if (!dev) return NULL;
    *(struct fx **)dev->priv = f;
    dev->addr = *mac;
    if (mtu) dev->mtu = mtu;
    if (netdev_register(dev) < 0) { free(dev); return NULL; }
    netif_carrier_on(dev);
    struct link_change up = { .up = 1 };
    if (addr && inet_rtm_newaddr(dev, addr, plen, NLM_F_CREATE | NLM_F_EXCL, NULL) < 0) return NULL;
    if (link_setlink(dev, &up, NULL) < 0) return NULL;
    return dev;
}

int fx_route_add(struct fx *f, uint32_t prefix, int plen, uint32_t gateway, struct netdev *dev)
{
    struct fib_config cfg = {
        .dst = prefix & ip4_mask(plen), .dst_len = plen, .scope = RT_SCOPE_NOWHERE, .protocol = RTPROT_BOOT,
        .gateway = gateway, .oif = dev->ifindex, .nlflags = NLM_F_CREATE | NLM_F_EXCL,
    };
    return ip_route_add(dev->net, &cfg, NULL);
}

int fx_route_del(struct fx *f, uint32_t prefix, int plen)
{
    struct fib_config cfg = { .dst = prefix, .dst_len = plen };
    return ip_route_del(f->net, &cfg, NULL);
}

int fx_sysctl_in(struct net *net, const char *name, const char *value)
{
    struct sysctl_entry *e = sysctl_find(net, name);
    if (!e) return -ENOENT;
    return sysctl_write(net, e, value);
}

int fx_sysctl(struct fx *f, const char *name, const char *value) { return fx_sysctl_in(f->net, name, value); }

struct fx *fx_new(uint64_t seed)
{
    struct fx *f = calloc(1, sizeof(*f));
    if (!f) return NULL;
    struct stack_cfg cfg = { .seed = seed, .virtual_clock = true, .start_us = FX_START_US };
    f->st = inet_stack_new(&cfg);
    if (!f->st) { free(f); return NULL; }
    f->st->log = fx_log_sink;
    f->st->log_arg = f;
    f->net = f->st->init_net;
    f->mac = fx_mac;
    f->peer_mac = fx_peer_mac;
    f->addr = FX_ADDR;
    f->peer = FX_PEER;
    f->dev = fx_add_dev(f, "eth0", &fx_mac, FX_ADDR, FX_PLEN, 0);
    if (!f->dev || fx_route_add(f, 0, 0, FX_PEER, f->dev) < 0) {
        fx_free(f);
        return NULL;
    }
    stack_poll(f->st);
    fx_tx_clear(f);             /* a gratuitous ARP of `ip link set eth0 up`, if arp_notify */
    return f;
}

/* Let go of what the stack holds on purpose, so that what is left alive is a leak. */
static void fx_release_held(struct fx *f)
{
    for (int round = 0; round < 4; round++) {
        stack_poll(f->st);
        unsigned frags = 0;
        for (struct net *n = f->st->nets; n; n = n->next) {
            if (arp_table(n)) neigh_flush_dev(arp_table(n), NULL, true);
            frags += ipfrag_queues(n);
        }
        if (!frags) break;
        /* Fragment queues expire after ipfrag_time (their ICMP may queue on a neighbour
         * again: the next round flushes that). */
        fx_advance_us(f, (uint64_t)f->net->ipv4.ipfrag_time * US_PER_MS + US_PER_S);
    }
    stack_poll(f->st);
}

unsigned fx_free(struct fx *f)
{
    if (!f) return 0;
    unsigned live = 0;
    if (f->st) {
        fx_release_held(f);
        live = pkt_pool_live(&f->st->pool);
        stack_free(f->st);
    }
    fx_tx_clear(f);
    free(f->log);
    free(f);
    return live;
}

/* ------------------------------------------------------------------ input and time */

void fx_inject_dev(struct fx *f, struct netdev *dev, const void *frame, size_t len)
{
    struct pkt *p = net_pkt_alloc(dev->net, len);
    if (!p) return;
    uint8_t *d = pkt_put(p, len);
    if (!d) { pkt_free(p); return; }
    if (len) memcpy(d, frame, len);
    netif_receive(dev, p);
    stack_poll(f->st);
}

void fx_inject(struct fx *f, const void *frame, size_t len) { fx_inject_dev(f, f->dev, frame, len); }

void fx_advance_us(struct fx *f, uint64_t us)
{
    struct stack *st = f->st;
    uint64_t target = st->now_us + us;
    unsigned stuck = 0;
    for (;;) {
        uint64_t d = stack_next_deadline(st);
        if (d > target) break;
        if (d > st->now_us) { st->now_us = d; stuck = 0; }
        else if (++stuck > 1000) break;     /* something re-arms at "now" forever */
        stack_poll(st);
    }
    st->now_us = target;
    stack_poll(st);
}

void fx_advance_ms(struct fx *f, uint64_t ms) { fx_advance_us(f, ms * US_PER_MS); }

/* ------------------------------------------------------------------ transmitted frames */

unsigned fx_tx_count(const struct fx *f) { return f->tx_len; }

bool fx_tx_pop_frame(struct fx *f, struct fx_frame *out)
{
    if (!f->tx_len) return false;
    *out = f->txq[f->tx_head];
    f->txq[f->tx_head].data = NULL;
    f->tx_head = (f->tx_head + 1) % FX_TXQ_MAX;
    f->tx_len--;
    return true;
}

/* A popped frame's bytes for the caller (NULL, length 0 when there was none). */
static uint8_t *fx_tx_take(bool got, const struct fx_frame *fr, size_t *len)
{
    if (len) *len = got ? fr->len : 0;
    return got ? fr->data : NULL;
}

uint8_t *fx_tx_pop(struct fx *f, size_t *len)
{
    struct fx_frame fr;
    bool got = fx_tx_pop_frame(f, &fr);
    return fx_tx_take(got, &fr, len);
}

const struct fx_frame *fx_tx_peek(const struct fx *f, unsigned i)
{
    if (i >= f->tx_len) return NULL;
    return &f->txq[(f->tx_head + i) % FX_TXQ_MAX];
}

void fx_tx_clear(struct fx *f)
{
    struct fx_frame fr;
    while (fx_tx_pop_frame(f, &fr)) free(fr.data);
}

unsigned fx_tx_count_dev(const struct fx *f, const struct netdev *dev)
{
    unsigned n = 0;
    for (unsigned i = 0; i < f->tx_len; i++) n += fx_tx_peek(f, i)->dev == dev;
    return n;
}

/* Take the oldest frame of dev out of the queue; the ones behind it close the gap. */
bool fx_tx_pop_frame_dev(struct fx *f, const struct netdev *dev, struct fx_frame *out)
{
    if (!dev) return false;
    unsigned i = 0;
    while (i < f->tx_len && fx_tx_peek(f, i)->dev != dev) i++;
    if (i == f->tx_len) return false;
    *out = *fx_tx_peek(f, i);
    for (; i + 1 < f->tx_len; i++)
        f->txq[(f->tx_head + i) % FX_TXQ_MAX] = f->txq[(f->tx_head + i + 1) % FX_TXQ_MAX];
    f->tx_len--;
    return true;
}

uint8_t *fx_tx_pop_dev(struct fx *f, const struct netdev *dev, size_t *len)
{
    struct fx_frame fr;
    bool got = fx_tx_pop_frame_dev(f, dev, &fr);
    return fx_tx_take(got, &fr, len);
}

/* ------------------------------------------------------------------ console */

void fx_trace(struct fx *f, bool on)
{
    f->st->tracing = on;
    f->net->trace_all = on;
}

bool fx_log_contains(const struct fx *f, const char *needle)
{
    return f->log && strstr(f->log, needle) != NULL;
}

void fx_log_clear(struct fx *f)
{
    f->log_len = 0;
    f->log_lines = 0;
    if (f->log) f->log[0] = 0;
}

/* ------------------------------------------------------------------ neighbours */

struct neigh *fx_neigh(struct fx *f, uint32_t ip) { return neigh_lookup(arp_table(f->net), ip, f->dev); }

uint8_t fx_neigh_state(struct fx *f, uint32_t ip)
{
    struct neigh *n = fx_neigh(f, ip);
    return n ? n->nud_state : NUD_NONE;
}

struct neigh *fx_neigh_set(struct fx *f, struct netdev *dev, uint32_t ip,
                           const struct eth_addr *mac, uint8_t state)
{
    if (neigh_admin_set(dev->net, dev, ip, mac, state, NLM_F_CREATE | NLM_F_REPLACE, NULL) < 0) return NULL;
    return neigh_lookup(arp_table(dev->net), ip, dev);
}

/* ------------------------------------------------------------------ local output */

int fx_send_ip(struct fx *f, uint32_t dst, uint8_t proto, size_t len, uint8_t mark)
{
    struct pkt *p = net_pkt_alloc(f->net, len);
    if (!p) return -ENOBUFS;
    uint8_t *d = pkt_put(p, len);
    if (!d) { pkt_free(p); return -ENOBUFS; }
    memset(d, mark, len);
    struct ip_send_opts o = { .dst = dst, .proto = proto };
    int rc = ip_send(f->net, p, &o);
    stack_poll(f->st);
    return rc;
}

/* ------------------------------------------------------------------ builders */

uint16_t fx_csum(const void *buf, size_t len)
{
    /* Written out here rather than calling net/csum.c, so the csum suite and the
     * fixture do not vouch for each other. */
    const uint8_t *p = buf;
    uint64_t s = 0;
    for (size_t i = 0; i + 1 < len; i += 2) s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1) s += (uint32_t)p[len - 1] << 8;
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

size_t fx_build_eth(uint8_t *buf, size_t cap, const struct eth_addr *dst, const struct eth_addr *src,
                    uint16_t type, const void *payload, size_t len)
{
    if (cap < ETH_HLEN + len) return 0;
    memcpy(buf, dst->b, ETH_ALEN);
    memcpy(buf + 6, src->b, ETH_ALEN);
    put_be16(buf + 12, type);
    if (len) memmove(buf + ETH_HLEN, payload, len);
    return ETH_HLEN + len;
}

size_t fx_build_arp(uint8_t *buf, size_t cap, uint16_t op, const struct eth_addr *sha, uint32_t spa,
                    const struct eth_addr *tha, uint32_t tpa, const struct eth_addr *eth_dst)
{
    uint8_t a[ARP_LEN];
    put_be16(a + ARP_OFF_HTYPE, ARP_HTYPE_ETHER);
    put_be16(a + ARP_OFF_PTYPE, ETH_P_IP);
    a[ARP_OFF_HLEN] = ETH_ALEN;
    a[ARP_OFF_PLEN] = 4;
    put_be16(a + ARP_OFF_OP, op);
    memcpy(a + ARP_OFF_SHA, sha->b, ETH_ALEN);
    put_be32(a + ARP_OFF_SPA, spa);
    memcpy(a + ARP_OFF_THA, (tha ? tha : &fx_zero_mac)->b, ETH_ALEN);
    put_be32(a + ARP_OFF_TPA, tpa);
    return fx_build_eth(buf, cap, eth_dst, sha, ETH_P_ARP, a, sizeof(a));
}

size_t fx_build_ip(uint8_t *buf, size_t cap, const struct fx_ip *h, const void *payload, size_t len)
{
    size_t hlen = IP4_HLEN + h->optlen;
    if (h->optlen % 4 || hlen > 60 || cap < ETH_HLEN + hlen + len || hlen + len > 0xffff) return 0;
    uint8_t *ip = buf + ETH_HLEN;
    if (len) memmove(ip + hlen, payload, len);
    ip[IP4_OFF_VHL] = (uint8_t)(0x40 | hlen / 4);
    ip[IP4_OFF_TOS] = h->tos;
    put_be16(ip + IP4_OFF_LEN, (uint16_t)(hlen + len));
    put_be16(ip + IP4_OFF_ID, h->id);
    put_be16(ip + IP4_OFF_FRAG, h->frag);
    ip[IP4_OFF_TTL] = h->ttl;
    ip[IP4_OFF_PROTO] = h->proto;
    put_be16(ip + IP4_OFF_CSUM, 0);
    put_be32(ip + IP4_OFF_SRC, h->src);
    put_be32(ip + IP4_OFF_DST, h->dst);
    if (h->optlen) memcpy(ip + IP4_HLEN, h->opts, h->optlen);
    put_be16(ip + IP4_OFF_CSUM, fx_csum(ip, hlen));
    memcpy(buf, (h->eth_dst ? h->eth_dst : &fx_mac)->b, ETH_ALEN);
    memcpy(buf + 6, (h->eth_src ? h->eth_src : &fx_peer_mac)->b, ETH_ALEN);
    put_be16(buf + 12, ETH_P_IP);
    return ETH_HLEN + hlen + len;
}

size_t fx_build_ipv4(uint8_t *buf, size_t cap, uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl,
                     uint16_t id, uint16_t frag, const void *payload, size_t len)
{
    struct fx_ip h = { .src = src, .dst = dst, .proto = proto, .ttl = ttl, .id = id, .frag = frag };
    return fx_build_ip(buf, cap, &h, payload, len);
}

size_t fx_build_icmp(uint8_t *buf, size_t cap, uint8_t type, uint8_t code, uint32_t rest,
                     const void *data, size_t len)
{
    if (cap < ICMP_HLEN + len) return 0;
    if (len) memmove(buf + ICMP_HLEN, data, len);
    buf[0] = type;
    buf[1] = code;
    put_be16(buf + 2, 0);
    put_be32(buf + 4, rest);
    put_be16(buf + 2, fx_csum(buf, ICMP_HLEN + len));
    return ICMP_HLEN + len;
}

size_t fx_build_icmp_echo(uint8_t *buf, size_t cap, uint32_t src, uint32_t dst, uint8_t type,
                          uint16_t ident, uint16_t seq, const void *payload, size_t len)
{
    uint8_t *ic = malloc(ICMP_HLEN + len);
    if (!ic) return 0;
    size_t n = fx_build_icmp(ic, ICMP_HLEN + len, type, 0, (uint32_t)ident << 16 | seq, payload, len);
    size_t r = fx_build_ipv4(buf, cap, src, dst, IPPROTO_ICMP, 64, (uint16_t)(seq + 0x100), 0, ic, n);
    free(ic);
    return r;
}

/* ------------------------------------------------------------------ parsers */

bool fx_parse_eth(const uint8_t *frame, size_t len, struct fx_eth *e)
{
    if (!frame || len < ETH_HLEN) return false;
    memcpy(e->dst.b, frame, ETH_ALEN);
    memcpy(e->src.b, frame + 6, ETH_ALEN);
    e->type = get_be16(frame + 12);
    e->payload = frame + ETH_HLEN;
    e->plen = len - ETH_HLEN;
    return true;
}

bool fx_parse_arp(const uint8_t *frame, size_t len, struct fx_arp *a)
{
    struct fx_eth e;
    if (!fx_parse_eth(frame, len, &e) || e.type != ETH_P_ARP || e.plen < ARP_LEN) return false;
    const uint8_t *b = e.payload;
    a->eth_dst = e.dst;
    a->eth_src = e.src;
    a->htype = get_be16(b + ARP_OFF_HTYPE);
    a->ptype = get_be16(b + ARP_OFF_PTYPE);
    a->hlen = b[ARP_OFF_HLEN];
    a->plen = b[ARP_OFF_PLEN];
    a->op = get_be16(b + ARP_OFF_OP);
    memcpy(a->sha.b, b + ARP_OFF_SHA, ETH_ALEN);
    memcpy(a->tha.b, b + ARP_OFF_THA, ETH_ALEN);
    a->spa = get_be32(b + ARP_OFF_SPA);
    a->tpa = get_be32(b + ARP_OFF_TPA);
    return true;
}

bool fx_parse_ipv4(const uint8_t *frame, size_t len, struct fx_ipv4 *ip)
{
    struct fx_eth e;
    if (!fx_parse_eth(frame, len, &e) || e.type != ETH_P_IP || e.plen < IP4_HLEN) return false;
    const uint8_t *h = e.payload;
    if ((h[0] >> 4) != 4) return false;
    unsigned hlen = (unsigned)(h[0] & 0xf) * 4;
    unsigned tot = get_be16(h + IP4_OFF_LEN);
    if (hlen < IP4_HLEN || tot < hlen || tot > e.plen) return false;
    ip->eth_dst = e.dst;
    ip->eth_src = e.src;
    ip->hlen = hlen;
    ip->tot_len = tot;
    ip->tos = h[IP4_OFF_TOS];
    ip->ttl = h[IP4_OFF_TTL];
    ip->proto = h[IP4_OFF_PROTO];
    ip->id = get_be16(h + IP4_OFF_ID);
    ip->frag = get_be16(h + IP4_OFF_FRAG);
    ip->src = get_be32(h + IP4_OFF_SRC);
    ip->dst = get_be32(h + IP4_OFF_DST);
    ip->csum_ok = fx_csum(h, hlen) == 0;
    ip->hdr = h;
    ip->payload = h + hlen;
    ip->plen = tot - hlen;
    return true;
}

bool fx_parse_icmp(const struct fx_ipv4 *ip, struct fx_icmp *ic)
{
    if (ip->proto != IPPROTO_ICMP || ip->plen < ICMP_HLEN) return false;
    const uint8_t *b = ip->payload;
    ic->type = b[0];
    ic->code = b[1];
    ic->ident = get_be16(b + 4);
    ic->seq = get_be16(b + 6);
    ic->rest = get_be32(b + 4);
    /* A fragment's checksum cannot be checked alone. */
    ic->csum_ok = (ip->frag & (IP_MF | IP_OFFMASK)) ? false : fx_csum(b, ip->plen) == 0;
    ic->data = b + ICMP_HLEN;
    ic->dlen = ip->plen - ICMP_HLEN;
    return true;
}

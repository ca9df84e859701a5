/*
 * arp/arp.c — ARP (RFC 826) on top of the neighbour table, after Linux net/ipv4/arp.c.
 *
 * arp_rcv checks the lengths and the fixed fields; arp_process relies on those checks and
 * applies Linux's rules for what a received packet may teach the table:
 *   - a request for one of our addresses creates or refreshes the sender as STALE
 *     (neigh_event_ns) and is answered;
 *   - a solicited reply makes an existing entry REACHABLE; a broadcast reply or a request
 *     only makes it STALE ("broadcast replies and request packets do not assert
 *     neighbour reachability");
 *   - unsolicited packets create entries only with arp_accept (default 0: never);
 *   - within locktime of the last update a different address is ignored, so that the
 *     first of several back-to-back replies wins (less ARP thrashing with proxies) —
 *     except from a gratuitous ARP (arp_is_garp), which always overrides.
 */
#include "arp.h"
#include "arp_wire.h"
#include "net/stack.h"
#include "net/netdev.h"
#include "net/eth.h"
#include "net/sysctl.h"
#include "net/trace.h"
#include "icmp/icmp.h"
#include "ip/ip.h"
#include "ip/ip_wire.h"
#include "ip/devinet.h"
#include <errno.h>
#include <stdio.h>

/* The namespace's ARP table (net_generic(net, arp_net_id)); Linux has one arp_tbl whose
 * entries carry their namespace, tapstack one table per namespace. */
struct arp_net { struct neigh_table *tbl; };
static unsigned arp_net_id;

struct neigh_table *arp_table(const struct net *net)
{
    const struct arp_net *an = net_generic(net, arp_net_id);
    return an ? an->tbl : NULL;
}

void arp_send(int op, uint32_t dest_ip, struct netdev *dev, uint32_t src_ip,
              const struct eth_addr *dest_hw, const struct eth_addr *src_hw,
              const struct eth_addr *target_hw)
{
    struct net *net = dev->net;
    if (dev->flags & IFF_NOARP) return;
    struct pkt *p = net_pkt_alloc(net, ARP_LEN);
    if (!p) return;
    uint8_t *a = pkt_put(p, ARP_LEN);
    put_be16(a + ARP_OFF_HTYPE, ARP_HTYPE_ETHER);
    put_be16(a + ARP_OFF_PTYPE, ETH_P_IP);
    a[ARP_OFF_HLEN] = ETH_ALEN;
    a[ARP_OFF_PLEN] = 4;
    put_be16(a + ARP_OFF_OP, (uint16_t)op);
    memcpy(a + ARP_OFF_SHA, (src_hw ? src_hw : &dev->addr)->b, ETH_ALEN);
    put_be32(a + ARP_OFF_SPA, src_ip);
    if (target_hw) memcpy(a + ARP_OFF_THA, target_hw->b, ETH_ALEN);
    else           memset(a + ARP_OFF_THA, 0, ETH_ALEN);
    put_be32(a + ARP_OFF_TPA, dest_ip);
    trace_begin_local(net, p, dev->name);
    TRACEF(p, "arp_send", "arp_xmit", "%s", op == ARP_OP_REQUEST ? "request" : "reply");
    if (eth_header(p, dest_hw ? dest_hw : &eth_broadcast, src_hw ? src_hw : &dev->addr, ETH_P_ARP) < 0) {
        pkt_drop(net, p, DROP_NOMEM);
        return;
    }
    mib_inc(net, op == ARP_OP_REQUEST ? MIB_ArpOutRequests : MIB_ArpOutReplies);
    dev_queue_xmit(dev, p);
}

void arp_announce(struct netdev *dev, uint32_t addr)
{
    if (!netif_running(dev) || (dev->flags & (IFF_NOARP | IFF_LOOPBACK))) return;
    arp_send(ARP_OP_REQUEST, addr, dev, addr, NULL, &dev->addr, NULL);
}

/* Linux arp_solicit: which source address and which destination the request uses. */
static void arp_solicit(struct neigh *n, struct pkt *p)
{
    struct netdev *dev = n->dev;
    uint32_t saddr = 0;
    /* arp_announce = 0: use the packet's source address when it is one of ours */
    if (p && p->nh_off >= 0) {
        uint32_t src = get_be32(pkt_network_header(p) + 12);
        if (inet_addr_dev(dev->net, src)) saddr = src;
    }
    if (!saddr) saddr = inet_select_addr(dev, n->key);
    /* probes below ucast_solicit go unicast to the cached address (PROBE state) */
    int probes = (int)n->probes - NEIGH_VAR(n->parms, UCAST_PROBES);
    const struct eth_addr *dst_hw = NULL;
    if (probes < 0) {
        if (!(n->nud_state & NUD_VALID)) return;
        dst_hw = &n->ha;
    }
    /* target hardware address stays zero, unicast or not (Linux passes NULL) */
    arp_send(ARP_OP_REQUEST, n->key, dev, saddr, dst_hw, &dev->addr, NULL);
}

static void arp_error_report(struct neigh *n, struct pkt *p)
{
    (void)n;
    /* ipv4_link_failure: tell the sender the host is unreachable */
    icmp_send(p, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
}

static const struct neigh_ops arp_neigh_ops = { .solicit = arp_solicit, .error_report = arp_error_report };

int arp_output(struct netdev *dev, uint32_t nexthop, struct pkt *p)
{
    struct net *net = dev->net;
    if (dev->flags & (IFF_LOOPBACK | IFF_NOARP)) {
        TRACE(p, "neigh_output", NULL);
        struct eth_addr dst = dev->addr;
        if (eth_header(p, &dst, &dev->addr, ETH_P_IP) < 0) { pkt_drop(net, p, DROP_NOMEM); return -1; }
        return dev_queue_xmit(dev, p);
    }
    if (inet_is_bcast(dev, nexthop)) {
        TRACEF(p, "neigh_output", NULL, "broadcast");
        if (eth_header(p, &eth_broadcast, &dev->addr, ETH_P_IP) < 0) { pkt_drop(net, p, DROP_NOMEM); return -1; }
        return dev_queue_xmit(dev, p);
    }
    struct neigh *n = neigh_create(arp_table(net), nexthop, dev);
    if (!n) {
        pkt_drop(net, p, DROP_NEIGH_CREATEFAIL);
        return -1;
    }
    return arp_neigh_output(n, p);
}

int arp_neigh_output(struct neigh *n, struct pkt *p)
{
    p->protocol = ETH_P_IP;
    /* Queued while resolving counts as sent (neigh_resolve_output returns 0 then); a
     * dropped packet is -ENOBUFS to the sender, as net_xmit_errno makes NET_XMIT_DROP. */
    return neigh_output(n, p) < 0 ? -ENOBUFS : 0;
}

/* Linux arp_is_garp: a gratuitous ARP announces the sender's own binding — sender IP
 * equal to target IP and, for a reply (arping -A), also target MAC equal to sender MAC
 * (a request's target MAC means nothing: zero, broadcast or anything). Only a sender
 * address that is unicast to us counts (inet_addr_type_dev_table): an announcement of one
 * of our own addresses or of a broadcast address is no neighbour's binding. *addr_type
 * keeps the type when it was looked up (arp_process reuses it), -1 otherwise. */
static bool arp_is_garp(struct net *net, const struct arp_view *v, int *addr_type)
{
    uint32_t sip = arp_spa(v);
    if (sip != arp_tpa(v)) return false;
    if (arp_op(v) == ARP_OP_REPLY && !eth_addr_eq(arp_tha(v), arp_sha(v))) return false;
    *addr_type = (int)inet_addr_type(net, sip);
    return *addr_type == RTN_UNICAST;
}

/* Linux arp_accept (IN_DEV_ARP_ACCEPT: the larger of all and DEV): may unsolicited ARP
 * create an entry? 0: never; 1: yes; 2: only for a sender in one of the device's
 * subnets (inet_confirm_addr with scope link). */
static bool arp_accept(const struct netdev *dev, uint32_t sip)
{
    int mode = dev->arp_accept > dev->net->ipv4.arp_accept_all ? dev->arp_accept : dev->net->ipv4.arp_accept_all;
    if (mode != 2) return mode == 1;
    for (const struct in_ifaddr *a = dev->ifa_list; a; a = a->next)
        if (((a->addr ^ sip) & ip4_mask(a->plen)) == 0) return true;
    return false;
}

/* The "update our ARP tables" part of Linux's arp_process: every packet not consumed as
 * a request for us refreshes the sender's entry if there is one (or may create it, with
 * arp_accept). Within locktime of the entry's last change, an ordinary packet with a
 * different address is ignored, so that the first of several back-to-back replies wins
 * (less ARP thrashing with proxies); a gratuitous ARP is news and overrides at once.
 * ARP never uses NEIGH_UPDATE_F_WEAK_OVERRIDE (that is IPv6 ndisc's): override or not. */
static void arp_update_table(struct netdev *dev, struct pkt *p, const struct arp_view *v)
{
    struct net *net = dev->net;
    uint32_t sip = arp_spa(v);
    uint16_t op = arp_op(v);
    struct neigh *n = neigh_lookup(arp_table(net), sip, dev);
    int addr_type = -1;
    bool accept = arp_accept(dev, sip);
    bool is_garp = (n || accept) && arp_is_garp(net, v, &addr_type);
    /* Unsolicited ARP creates an entry only with arp_accept: a gratuitous one, or a
     * reply from a unicast address (its type looked up only if arp_is_garp did not). */
    if (!n && accept &&
        (is_garp || (op == ARP_OP_REPLY &&
                     (addr_type < 0 ? (int)inet_addr_type(net, sip) : addr_type) == RTN_UNICAST))) {
        n = neigh_create(arp_table(net), sip, dev);
        if (!n) { pkt_drop(net, p, DROP_NEIGH_CREATEFAIL); return; }
    }
    if (!n) {
        /* Not for us and nothing cached: nothing to learn from it. */
        pkt_drop(net, p, DROP_ARP_NOT_FOR_US);
        return;
    }
    bool override = net->st->now_us > n->updated + NEIGH_VAR(n->parms, LOCKTIME) * US_PER_MS || is_garp;
    /* "Broadcast replies and request packets do not assert neighbour reachability." */
    uint8_t state = (op == ARP_OP_REPLY && p->pkt_type == PACKET_HOST) ? NUD_REACHABLE : NUD_STALE;
    neigh_update(n, arp_sha(v), state, override ? NEIGH_UPDATE_F_OVERRIDE : 0);
    TRACEF(p, "arp_process", NULL, "%s%s -> %s", is_garp ? "gratuitous " : "",
           op == ARP_OP_REPLY ? "reply" : "request", nud_state_name(n->nud_state));
    pkt_consume(p);
}

struct neigh *arp_neigh_for(struct netdev *dev, uint32_t nexthop)
{
    if ((dev->flags & (IFF_LOOPBACK | IFF_NOARP)) || inet_is_bcast(dev, nexthop)) return NULL;
    return neigh_lookup(arp_table(dev->net), nexthop, dev);
}

static void arp_process(struct netdev *dev, struct pkt *p, const struct arp_view *v)
{
    struct net *net = dev->net;
    uint32_t sip = arp_spa(v), tip = arp_tpa(v);
    const struct eth_addr *sha = arp_sha(v);
    uint16_t op = arp_op(v);

    mib_inc(net, op == ARP_OP_REQUEST ? MIB_ArpInRequests : MIB_ArpInReplies);
    /* Martians: multicast/loopback target, multicast sender MAC. */
    if ((tip >> 28) == 0xe || (tip >> 24) == 127 || eth_is_multicast(sha)) {
        pkt_drop(net, p, DROP_ARP_BAD_SENDER);
        return;
    }
    struct netdev *owner = tip ? inet_addr_dev(net, tip) : NULL;
    bool tip_local = owner && !(owner->flags & IFF_LOOPBACK);
    /* RFC 5227 probe (sender 0.0.0.0): answer if the target is ours, learn nothing. */
    if (sip == 0) {
        if (op == ARP_OP_REQUEST && tip_local) {
            TRACEF(p, "arp_process", NULL, "DAD probe");
            /* to the prober's "address" 0.0.0.0, as Linux answers (target IP = sip) */
            arp_send(ARP_OP_REPLY, sip, dev, tip, sha, &dev->addr, sha);
        }
        pkt_consume(p);
        return;
    }
    /* A martian sender (multicast, broadcast, loopback, 0/8): ip_route_input would fail
     * for it, so Linux neither answers nor learns. */
    if (ipv4_is_multicast(sip) || ipv4_is_lbcast(sip) || ipv4_is_loopback(sip) || ipv4_is_zeronet(sip)) {
        pkt_drop(net, p, DROP_ARP_BAD_SENDER);
        return;
    }
    /* A request for one of our addresses — unless it claims to come from one of them
     * too (someone else using our address, e.g. its gratuitous ARP): Linux's
     * ip_route_input_noref refuses a local source (fib_validate_source), so that request
     * goes on to the table update below, which learns nothing from a local sender. */
    if (op == ARP_OP_REQUEST && tip_local && !inet_addr_dev(net, sip)) {
        /* arp_ignore = 0: answer for any local address on any interface — but only
         * if the sender could be entered (neigh_event_ns): a full table stays silent. */
        struct neigh *n = neigh_create(arp_table(net), sip, dev);
        if (n) neigh_update(n, sha, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE);
        TRACEF(p, "arp_process", NULL, "request for us: %s", n ? nud_state_name(n->nud_state) : "table full");
        if (!n) { pkt_drop(net, p, DROP_NEIGH_CREATEFAIL); return; }
        arp_send(ARP_OP_REPLY, sip, dev, tip, sha, &dev->addr, sha);
        pkt_consume(p);
        return;
    }
    arp_update_table(dev, p, v);
}

/* Linux arp_rcv: lengths and fixed fields, then arp_process. */
static void arp_rcv(struct netdev *dev, struct pkt *p)
{
    struct net *net = dev->net;
    TRACE(p, "arp_rcv", NULL);
    if (p->len < ARP_LEN) { pkt_drop(net, p, DROP_ARP_BAD_HDR); return; }
    struct arp_view v = { p->data };
    if (get_be16(v.b + ARP_OFF_HTYPE) != ARP_HTYPE_ETHER || get_be16(v.b + ARP_OFF_PTYPE) != ETH_P_IP ||
        v.b[ARP_OFF_HLEN] != ETH_ALEN || v.b[ARP_OFF_PLEN] != 4) {
        pkt_drop(net, p, DROP_ARP_BAD_HDR);
        return;
    }
    if (arp_op(&v) != ARP_OP_REQUEST && arp_op(&v) != ARP_OP_REPLY) {
        pkt_drop(net, p, DROP_ARP_BAD_OP);
        return;
    }
    if (dev->flags & IFF_NOARP || p->pkt_type == PACKET_OTHERHOST || p->pkt_type == PACKET_LOOPBACK) {
        pkt_drop(net, p, DROP_OTHERHOST);
        return;
    }
    arp_process(dev, p, &v);
}

/* ---- sysctls: net.ipv4.neigh.{default,DEV}.* ---- */

struct neigh_sysctl { const char *name; enum neigh_var var; enum sysctl_unit unit; int min, max; };
static const struct neigh_sysctl neigh_sysctls[] = {
    { "mcast_solicit",          NEIGH_VAR_MCAST_PROBES,        SC_INT,          0, 1 << 20 },
    { "ucast_solicit",          NEIGH_VAR_UCAST_PROBES,        SC_INT,          0, 1 << 20 },
    { "app_solicit",            NEIGH_VAR_APP_PROBES,          SC_INT,          0, 1 << 20 },
    { "mcast_resolicit",        NEIGH_VAR_MCAST_REPROBES,      SC_INT,          0, 1 << 20 },
    { "retrans_time",           NEIGH_VAR_RETRANS_TIME,        SC_MS_AS_USERHZ, 10, 1 << 30 },
    { "retrans_time_ms",        NEIGH_VAR_RETRANS_TIME,        SC_MS,           10, 1 << 30 },
    { "base_reachable_time",    NEIGH_VAR_BASE_REACHABLE_TIME, SC_MS_AS_S,      1000, 1 << 30 },
    { "base_reachable_time_ms", NEIGH_VAR_BASE_REACHABLE_TIME, SC_MS,           1, 1 << 30 },
    { "delay_first_probe_time", NEIGH_VAR_DELAY_PROBE_TIME,    SC_MS_AS_S,      0, 1 << 30 },
    { "gc_stale_time",          NEIGH_VAR_GC_STALETIME,        SC_MS_AS_S,      0, 1 << 30 },
    { "unres_qlen",             NEIGH_VAR_QUEUE_LEN,           SC_INT,          0, 1 << 20 },
    { "unres_qlen_bytes",       NEIGH_VAR_QUEUE_LEN_BYTES,     SC_INT,          0, 1 << 30 },
    { "locktime",               NEIGH_VAR_LOCKTIME,            SC_MS_AS_USERHZ, 0, 1 << 30 },
};

static void neigh_sysctl_changed(struct net *net, struct sysctl_entry *e)
{
    struct neigh_parms *p = e->owner;
    int var = (int)(e->val - p->data);
    if (var < 0 || var >= NEIGH_VAR_MAX) return;
    if (!p->dev) {
        neigh_parms_default_changed(arp_table(net), (enum neigh_var)var);
        return;
    }
    p->data_set |= 1u << var;
    /* Linux neigh_proc_base_reachable_time: a new base takes effect at once. */
    if (var == NEIGH_VAR_BASE_REACHABLE_TIME)
        p->reachable_time = neigh_rand_reach_time(arp_table(net), p->data[var]);
}

static void neigh_sysctl_register(struct net *net, struct neigh_parms *p, const char *devname)
{
    char name[96];
    for (size_t i = 0; i < ARRAY_SIZE(neigh_sysctls); i++) {
        const struct neigh_sysctl *s = &neigh_sysctls[i];
        snprintf(name, sizeof(name), "net.ipv4.neigh.%s.%s", devname, s->name);
        sysctl_register(net, name, &p->data[s->var], s->unit, s->min, s->max, neigh_sysctl_changed, p);
    }
}

static int arp_net_init(struct net *net)
{
    struct arp_net *an = net_generic(net, arp_net_id);
    an->tbl = neigh_table_new(net, &arp_neigh_ops);
    if (!an->tbl) return -1;
    struct neigh_table *t = an->tbl;
    neigh_sysctl_register(net, &t->parms, "default");
    sysctl_register(net, "net.ipv4.neigh.default.gc_thresh1", &t->gc_thresh1, SC_INT, 0, 1 << 30, NULL, t);
    sysctl_register(net, "net.ipv4.neigh.default.gc_thresh2", &t->gc_thresh2, SC_INT, 0, 1 << 30, NULL, t);
    sysctl_register(net, "net.ipv4.neigh.default.gc_thresh3", &t->gc_thresh3, SC_INT, 0, 1 << 30, NULL, t);
    sysctl_register(net, "net.ipv4.neigh.default.gc_interval", &t->gc_interval, SC_MS_AS_S, 0, 1 << 30, NULL, t);
    sysctl_register(net, "net.ipv4.conf.all.arp_notify", &net->ipv4.arp_notify_all, SC_INT, 0, 1, NULL, t);
    sysctl_register(net, "net.ipv4.conf.default.arp_notify", &net->ipv4.arp_notify_default, SC_INT, 0, 1, NULL, t);
    sysctl_register(net, "net.ipv4.conf.all.arp_accept", &net->ipv4.arp_accept_all, SC_INT, 0, 2, NULL, t);
    sysctl_register(net, "net.ipv4.conf.default.arp_accept", &net->ipv4.arp_accept_default, SC_INT, 0, 2, NULL, t);
    return 0;
}

static void arp_net_exit(struct net *net)
{
    struct arp_net *an = net_generic(net, arp_net_id);
    sysctl_unregister_owner(net, an->tbl);
    sysctl_unregister_owner(net, &an->tbl->parms);
    neigh_table_free(an->tbl);
    an->tbl = NULL;
}

/* net.ipv4.conf.{all,DEV}.arp_notify, as IN_DEV_ARP_NOTIFY: the larger of the two. */
static bool arp_notify_on(const struct netdev *dev)
{
    return dev->arp_notify || dev->net->ipv4.arp_notify_all;
}

static void arp_netdev_event(struct netdev *dev, enum net_event ev, const void *info)
{
    struct net *net = dev->net;
    struct neigh_table *tbl = arp_table(net);
    if (!tbl) return;
    char name[96];
    switch (ev) {
    case NETDEV_REGISTER:
        neigh_parms_init_dev(tbl, dev);
        if (dev->arp_parms) neigh_sysctl_register(net, dev->arp_parms, dev->name);
        dev->arp_notify = net->ipv4.arp_notify_default;
        snprintf(name, sizeof(name), "net.ipv4.conf.%s.arp_notify", dev->name);
        sysctl_register(net, name, &dev->arp_notify, SC_INT, 0, 1, NULL, &dev->arp_notify);
        dev->arp_accept = net->ipv4.arp_accept_default;
        snprintf(name, sizeof(name), "net.ipv4.conf.%s.arp_accept", dev->name);
        sysctl_register(net, name, &dev->arp_accept, SC_INT, 0, 2, NULL, &dev->arp_accept);
        break;
    case NETDEV_UNREGISTER:
        neigh_flush_dev(tbl, dev, true);
        if (dev->arp_parms) sysctl_unregister_owner(net, dev->arp_parms);
        sysctl_unregister_owner(net, &dev->arp_notify);
        sysctl_unregister_owner(net, &dev->arp_accept);
        neigh_parms_release_dev(tbl, dev);
        break;
    case NETDEV_DOWN:
        /* arp_ifdown -> __neigh_ifdown(skip_perm = false): even permanent entries go
         * (only a carrier loss keeps them) */
        neigh_flush_dev(tbl, dev, true);
        break;
    case NETDEV_UP:
    case NETDEV_CHANGEADDR:
        /* Linux inetdev_event: gratuitous ARP for every address when the link comes up
         * or the MAC changes — only with arp_notify (default 0: say nothing). */
        if (!arp_notify_on(dev)) break;
        for (struct in_ifaddr *a = dev->ifa_list; a; a = a->next) arp_announce(dev, a->addr);
        break;
    case INETADDR_UP:
        /* tapstack's extension of arp_notify: also announce an address added to a link
         * that is already up (Linux leaves that to user space, e.g. arping -U). */
        if (arp_notify_on(dev)) arp_announce(dev, ((const struct in_ifaddr *)info)->addr);
        break;
    default:
        break;
    }
}

static const struct pernet_ops arp_pernet = {
    .name = "arp", .init = arp_net_init, .exit = arp_net_exit,
    .id = &arp_net_id, .size = sizeof(struct arp_net),
};

int arp_init(struct stack *st)
{
    if (eth_proto_register(st, ETH_P_ARP, arp_rcv, "arp") < 0) return -1;
    if (pernet_register(st, &arp_pernet) < 0) return -1;
    return net_notifier_register(st, arp_netdev_event);
}

/*
 * vxlan/vxlan_core.c — the "vxlan" link kind (Linux: vxlan_newlink, vxlan_open,
 * vxlan_stop, vxlan_sock_add and vxlan_fill_info in drivers/net/vxlan/vxlan_core.c).
 *
 *   ip link add NAME type vxlan id VNI [dstport PORT] [local IP] [remote IP] [dev DEV]
 *                               [nolearning] [ageing SECONDS] [srcport MIN MAX]
 *                               [ttl N|auto] [maxaddress N] [[no]udpcsum]
 *
 * The device is an Ethernet device with a random MAC, no queue, and an MTU 50 bytes
 * below its underlay's (VXLAN_HEADROOM: the outer Ethernet, IPv4, UDP and VXLAN headers
 * must fit the underlay's frames). Bringing it up opens the UDP socket of its port in
 * the namespace it was created in (shared by every vxlan device on that port and found
 * by VNI: vxlan_sock); taking it down closes it when the last user goes and forgets the
 * learned FDB entries. The default port is 4789, the IANA port of RFC 7348 §5 (Linux's
 * own default, kept for old deployments, is 8472: the port flannel uses, given here
 * as `dstport 8472`).
 */
#include "vxlan_private.h"
#include "udp/udp_tunnel.h"
#include "arp/neigh.h"
#include "net/link.h"
#include "net/netlink.h"
#include "net/sock.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned vxlan_net_id;
struct vxlan_net *vxlan_pernet(const struct net *net) { return net_generic(net, vxlan_net_id); }

static const struct netdev_ops vxlan_netdev_ops;
bool netif_is_vxlan(const struct netdev *dev) { return dev && dev->ops == &vxlan_netdev_ops; }

/* --- the port's socket (Linux vxlan_sock_add / vxlan_sock_release) --------------- */

/* The namespace closed the socket under us (it is being deleted): forget it; the
 * devices go next and release what is left. */
static void vxlan_encap_destroy(struct sock *sk)
{
    struct vxlan_sock *vs = sk->user;
    if (vs) vs->sk = NULL;
}

static int vxlan_sock_add(struct vxlan_dev *vx)
{
    struct vxlan_net *vn = vxlan_pernet(vx->net);
    struct vxlan_sock *vs = vn->socks;
    while (vs && vs->port != vx->cfg.dst_port) vs = vs->next;
    if (!vs) {
        if (!(vs = calloc(1, sizeof(*vs)))) return -ENOMEM;
        int err;
        vs->net = vx->net;
        vs->port = vx->cfg.dst_port;
        vs->sk = udp_tunnel_sock_create(vx->net, vs->port, vxlan_rcv, vxlan_encap_destroy, vs, &err);
        if (!vs->sk) { free(vs); return err; }
        vs->next = vn->socks;
        vn->socks = vs;
    }
    vs->refs++;
    vx->vs = vs;
    vx->vs_next = vs->devs;
    vs->devs = vx;
    return 0;
}

static void vxlan_sock_release(struct vxlan_dev *vx)
{
    struct vxlan_sock *vs = vx->vs;
    if (!vs) return;
    for (struct vxlan_dev **pp = &vs->devs; *pp; pp = &(*pp)->vs_next)
        if (*pp == vx) { *pp = vx->vs_next; break; }
    vx->vs = NULL;
    if (--vs->refs) return;
    struct vxlan_net *vn = vxlan_pernet(vs->net);
    for (struct vxlan_sock **pp = &vn->socks; *pp; pp = &(*pp)->next)
        if (*pp == vs) { *pp = vs->next; break; }
    if (vs->sk) {
        vs->sk->user = NULL;
        sock_close(vs->sk);
    }
    free(vs);
}

/* --- device operations ---------------------------------------------------------- */

static int vxlan_open(struct netdev *dev)
{
    struct vxlan_dev *vx = vxlan_of(dev);
    int err = vxlan_sock_add(vx);
    if (err < 0) return err;
    vxlan_fdb_age_start(vx);
    return 0;
}

static int vxlan_stop(struct netdev *dev)
{
    struct vxlan_dev *vx = vxlan_of(dev);
    vxlan_fdb_age_stop(vx);
    vxlan_fdb_flush_dynamic(vx);
    vxlan_sock_release(vx);
    return 0;
}

static void vxlan_destroy(struct netdev *dev)
{
    struct vxlan_dev *vx = vxlan_of(dev);
    vxlan_fdb_age_stop(vx);
    vxlan_sock_release(vx);
    struct vxlan_net *vn = vxlan_pernet(vx->net);
    for (struct vxlan_dev **pp = &vn->devs; *pp; pp = &(*pp)->next)
        if (*pp == vx) { *pp = vx->next; break; }
    vxlan_fdb_fini(vx);
}

static const struct netdev_ops vxlan_netdev_ops = {
    .kind = "vxlan", .open = vxlan_open, .stop = vxlan_stop, .xmit = vxlan_xmit,
    .destroy = vxlan_destroy, .xmit_name = "vxlan_xmit",
};

/* --- options (iproute2 ip/iplink_vxlan.c, Linux vxlan_nl2conf) ------------------- */

static int vxlan_bad_arg(struct extack *ext, const char *word, const char *what)
{
    NL_SET_ERR_MSG_FMT(ext, "argument \"%s\" is wrong: %s", word, what);
    return -EINVAL;
}

static bool parse_num(const char *s, unsigned long max, unsigned long *v)
{
    char *end;
    if (!s || !*s || *s == '-') return false;
    *v = strtoul(s, &end, 0);
    return !*end && *v <= max;
}

/* A dotted quad, each part 0..255, nothing after it (inet_pton's IPv4 form). */
static bool parse_ip(const char *s, uint32_t *ip)
{
    unsigned b[4];
    char tail;
    if (!s || sscanf(s, "%3u.%3u.%3u.%3u%c", &b[0], &b[1], &b[2], &b[3], &tail) != 4) return false;
    if (b[0] > 255 || b[1] > 255 || b[2] > 255 || b[3] > 255) return false;
    *ip = b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
    return true;
}

/* One "KEY [VALUE...]" option at argv[*i]; advances *i past its values. */
static int vxlan_parse_one(struct net *net, const struct link_args *a, int *i, struct vxlan_config *c,
                           bool *has_id, struct extack *ext)
{
    const char *w = a->argv[*i];
    const char *v = *i + 1 < a->argc ? a->argv[*i + 1] : NULL;
    unsigned long n;
    static const char *const valued[] = { "id", "vni", "remote", "local", "dev", "dstport", "srcport",
                                          "ageing", "maxaddress", "ttl", "hoplimit", NULL };
    for (int k = 0; valued[k] && !v; k++)
        if (!strcmp(w, valued[k])) { NL_SET_ERR_MSG_FMT(ext, "argument for \"%s\" is missing", w); return -EINVAL; }
    if (!strcmp(w, "id") || !strcmp(w, "vni")) {
        if (!parse_num(v, VXLAN_VNI_MAX, &n)) return vxlan_bad_arg(ext, v, "invalid id");
        c->vni = (uint32_t)n;
        *has_id = true;
    } else if (!strcmp(w, "remote")) {
        if (!parse_ip(v, &c->remote_ip) || !c->remote_ip) return vxlan_bad_arg(ext, v, "invalid remote address");
        if (ipv4_is_multicast(c->remote_ip)) return vxlan_bad_arg(ext, v, "remote address must be unicast");
    } else if (!strcmp(w, "local")) {
        if (!strcmp(v, "any")) c->saddr = 0;
        else if (!parse_ip(v, &c->saddr) || ipv4_is_multicast(c->saddr))
            return vxlan_bad_arg(ext, v, "invalid local address");
    } else if (!strcmp(w, "dev")) {
        struct netdev *lower = netdev_by_name(net, v);
        if (!lower) { NL_SET_ERR_MSG_FMT(ext, "Cannot find device \"%s\"", v); return -ENODEV; }
        c->remote_ifindex = lower->ifindex;
    } else if (!strcmp(w, "dstport")) {
        if (!parse_num(v, 65535, &n)) return vxlan_bad_arg(ext, v, "dstport");
        c->dst_port = (uint16_t)n;
    } else if (!strcmp(w, "srcport")) {
        unsigned long hi;
        if (!parse_num(v, 65535, &n)) return vxlan_bad_arg(ext, v, "min port");
        (*i)++;
        const char *v2 = *i + 1 < a->argc ? a->argv[*i + 1] : NULL;
        if (!parse_num(v2, 65535, &hi)) return vxlan_bad_arg(ext, v2 ? v2 : "", "max port");
        if (hi < n) { NL_SET_ERR_MSG(ext, "Invalid source port range"); return -EINVAL; }
        c->port_min = (uint16_t)n;
        c->port_max = (uint16_t)hi;
    } else if (!strcmp(w, "ageing")) {
        if (!parse_num(v, UINT32_MAX / 2, &n)) return vxlan_bad_arg(ext, v, "ageing");
        c->age_interval = (unsigned)n;
    } else if (!strcmp(w, "maxaddress")) {
        if (!strcmp(v, "unlimited")) n = 0;
        else if (!parse_num(v, UINT32_MAX, &n)) return vxlan_bad_arg(ext, v, "max addresses");
        c->addrmax = (unsigned)n;
    } else if (!strcmp(w, "ttl") || !strcmp(w, "hoplimit")) {
        if (!strcmp(v, "auto")) n = 0;
        else if (!parse_num(v, 255, &n) || n == 0) return vxlan_bad_arg(ext, v, "TTL");
        c->ttl = (uint8_t)n;
    } else if (!strcmp(w, "learning") || !strcmp(w, "nolearning")) {
        c->learn = w[0] == 'l';
        return 0;
    } else if (!strcmp(w, "udpcsum") || !strcmp(w, "noudpcsum")) {
        c->udp_csum = w[0] == 'u';
        return 0;
    } else if (!strcmp(w, "group")) {
        NL_SET_ERR_MSG(ext, "vxlan: multicast groups are not supported by tapstack; give the VTEPs with "
                            "\"remote\" or \"bridge fdb append 00:00:00:00:00:00 dev DEV dst IP\"");
        return -EOPNOTSUPP;
    } else {
        NL_SET_ERR_MSG_FMT(ext, "vxlan: unknown command \"%s\"?", w);
        return -EINVAL;
    }
    (*i)++;
    return 0;
}

/* Linux vxlan_vni_in_use: two devices on one port of one namespace cannot share a VNI
 * (the receive side would not know which one a frame is for). */
static bool vxlan_vni_in_use(struct net *net, const struct vxlan_config *c, const struct vxlan_dev *self)
{
    for (struct vxlan_dev *vx = vxlan_pernet(net)->devs; vx; vx = vx->next)
        if (vx != self && vx->cfg.vni == c->vni && vx->cfg.dst_port == c->dst_port) return true;
    return false;
}

static int vxlan_parse(struct net *net, const struct link_args *a, struct vxlan_config *c, struct extack *ext)
{
    bool has_id = false;
    *c = (struct vxlan_config){ .dst_port = IANA_VXLAN_UDP_PORT, .learn = true, .udp_csum = true,
                                .age_interval = VXLAN_AGE_DEFAULT };
    for (int i = 0; i < a->argc; i++) {
        int err = vxlan_parse_one(net, a, &i, c, &has_id, ext);
        if (err < 0) return err;
    }
    if (!has_id) { NL_SET_ERR_MSG(ext, "Required attributes not provided to perform the operation"); return -EINVAL; }
    if (vxlan_vni_in_use(net, c, NULL)) {
        NL_SET_ERR_MSG(ext, "A VXLAN device with the specified VNI already exists");
        return -EEXIST;
    }
    return 0;
}

/* Linux vxlan_config_apply: the MTU leaves room for the outer headers on the underlay
 * device, or on a standard 1500-byte Ethernet when none is named. */
static void vxlan_config_apply(struct vxlan_dev *vx, struct net *net)
{
    struct netdev *dev = vx->dev;
    struct netdev *lower = vx->cfg.remote_ifindex ? netdev_by_index(net, vx->cfg.remote_ifindex) : NULL;
    unsigned lower_mtu = lower ? lower->mtu : ETH_DATA_LEN;
    dev->mtu = lower_mtu > VXLAN_HEADROOM + 68 ? lower_mtu - VXLAN_HEADROOM : 68;
    dev->max_mtu = lower ? dev->mtu : ETH_MAX_MTU - VXLAN_HEADROOM;
}

static int vxlan_newlink(void *ctx, struct net *net, const char *name, const struct link_args *args,
                         struct extack *ext)
{
    (void)ctx;
    struct vxlan_config cfg;
    int err = vxlan_parse(net, args, &cfg, ext);
    if (err < 0) return err;
    struct netdev *dev = link_alloc(net, name, link_kind_find(net->st, "vxlan"), &vxlan_netdev_ops);
    if (!dev) return -EINVAL;
    struct vxlan_dev *vx = vxlan_of(dev);
    vx->dev = dev;
    vx->net = net;
    vx->cfg = cfg;
    dev->priv_flags |= IFF_NO_QUEUE;                 /* Linux vxlan_setup */
    dev->features = NETIF_F_SG | NETIF_F_HIGHDMA;    /* the core finishes checksums and GSO */
    netdev_random_mac(net->st, &dev->addr);
    netif_carrier_on(dev);                           /* a tunnel has no carrier to lose */
    vxlan_config_apply(vx, net);
    if ((err = vxlan_fdb_init(vx)) < 0 || (err = vxlan_fdb_add_default(vx)) < 0) {
        vxlan_fdb_fini(vx);
        free(dev);
        return err;
    }
    if ((err = netdev_register(dev)) < 0) {
        vxlan_fdb_fini(vx);
        free(dev);
        return err;
    }
    struct vxlan_net *vn = vxlan_pernet(net);
    vx->next = vn->devs;
    vn->devs = vx;
    return 0;
}

/* iproute2 vxlan_print_opt, for what tapstack has: the options in its order and words. */
static void vxlan_fill_info(const struct netdev *dev, char *buf, size_t n)
{
    const struct vxlan_dev *vx = vxlan_of(dev);
    const struct vxlan_config *c = &vx->cfg;
    size_t len = 0;
#define PUT(...) do { if (len < n) len += (size_t)snprintf(buf + len, n - len, __VA_ARGS__); } while (0)
    PUT("vxlan id %u", c->vni);
    if (c->remote_ip) PUT(" remote %u.%u.%u.%u", c->remote_ip >> 24, (c->remote_ip >> 16) & 0xff,
                          (c->remote_ip >> 8) & 0xff, c->remote_ip & 0xff);
    if (c->saddr) PUT(" local %u.%u.%u.%u", c->saddr >> 24, (c->saddr >> 16) & 0xff, (c->saddr >> 8) & 0xff,
                      c->saddr & 0xff);
    const struct netdev *lower = c->remote_ifindex ? netdev_by_index(vx->net, c->remote_ifindex) : NULL;
    if (lower) PUT(" dev %s", lower->name);
    PUT(" srcport %u %u dstport %u", c->port_min, c->port_max, c->dst_port);
    if (!c->learn) PUT(" nolearning");
    if (c->ttl) PUT(" ttl %u", c->ttl); else PUT(" ttl auto");
    PUT(" ageing %u", c->age_interval);
    if (c->addrmax) PUT(" maxaddress %u", c->addrmax);
    PUT(" %s noudp6zerocsumtx noudp6zerocsumrx", c->udp_csum ? "udpcsum" : "noudpcsum");
#undef PUT
}

static const struct link_ops vxlan_link_ops = {
    .kind = "vxlan", .priv_size = sizeof(struct vxlan_dev), .newlink = vxlan_newlink,
    .fill_info = vxlan_fill_info,
};

bool vxlan_get_counters(const struct netdev *dev, struct vxlan_counters *c)
{
    if (!netif_is_vxlan(dev)) return false;
    *c = vxlan_of(dev)->cnt;
    return true;
}

/* --- namespaces and the underlay --------------------------------------------------- */

/* Linux vxlan_handle_lowerdev_unregister: a vxlan device goes with its underlay device. */
static void vxlan_netdevice_event(struct netdev *dev, enum net_event ev, const void *info)
{
    (void)info;
    if (ev != NETDEV_UNREGISTER || netif_is_vxlan(dev)) return;
    struct vxlan_net *vn = vxlan_pernet(dev->net);
    for (struct vxlan_dev *vx = vn->devs; vx; ) {
        struct vxlan_dev *next = vx->next;
        if (vx->cfg.remote_ifindex == dev->ifindex) netdev_unregister(vx->dev);
        vx = next;
    }
}

/* Linux vxlan_destroy_tunnels: devices moved to another namespace still send through this
 * one; when it goes, they go. (Its own devices were unregistered before this runs.) */
static void vxlan_net_exit(struct net *net)
{
    struct vxlan_net *vn = vxlan_pernet(net);
    while (vn->devs) netdev_unregister(vn->devs->dev);
}

static const struct pernet_ops vxlan_pernet_ops = {
    .name = "vxlan", .exit = vxlan_net_exit, .id = &vxlan_net_id, .size = sizeof(struct vxlan_net),
};

int vxlan_init(struct stack *st)
{
    if (pernet_register(st, &vxlan_pernet_ops) < 0) return -1;
    if (net_notifier_register(st, vxlan_netdevice_event) < 0) return -1;
    return link_kind_register(st, &vxlan_link_ops, NULL);
}

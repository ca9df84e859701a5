/*
 * net/tap.c — TAP device driver (tapip's veth/netdev_interrupt design; Linux's tun driver
 * on the other side of the fd, and virtio_net's receive/transmit for the header).
 *
 * The fd is non-blocking. The event loop watches it; readability is our "interrupt",
 * after which the loop calls tap_poll() with a budget (NAPI): each read() returns one
 * whole Ethernet frame, which goes into a pool buffer with full headroom and up the
 * receive path. tap_xmit() writes one frame per write(); a full host queue (EAGAIN) is a
 * counted drop, never a wait.
 *
 * Offloads: the device is opened with IFF_VNET_HDR, so every frame in both directions
 * starts with a virtio-net header (net/virtio_net.h) carrying its checksum and GSO
 * state. TUNSETOFFLOAD tells the kernel what it may send us: partial checksums
 * (TUN_F_CSUM, our rx-checksum) and TCP/UDP super-frames of up to 64 KiB (TUN_F_TSO4,
 * TSO_ECN, USO4/6 where the kernel has them: our rx-gro-hw, as virtio_net's guest
 * offloads). What we may send it needs no negotiation: the kernel takes partial
 * checksums and GSO frames from any writer (tun_get_user -> virtio_net_hdr_to_skb).
 */
#include <linux/if.h>         /* first: netdev.h then uses its IFF_* */
#include "tap.h"
#include "netdev.h"
#include "stack.h"
#include "virtio_net.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* Debian 12's headers predate UDP segmentation offload for TUN (Linux 6.2). */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#define TUN_F_USO6 0x40
#endif

/* The largest frame a super-frame can be: an IPv4 datagram, Ethernet and a VLAN tag. */
#define TAP_RX_MAX (65535 + ETH_HLEN + 4)

struct tap_priv {
    int  fd;
    bool uso;                       /* the kernel takes TUN_F_USO4|6 (Linux >= 6.2) */
    struct pkt *rx_spare;           /* the 64 KiB buffer the next super-frame is read into */
    uint64_t rx_nobuf;              /* polls that found no free packet buffer */
    char ifname[IFNAMSIZ];
    void (*destroy_cb)(struct netdev *dev, void *arg);
    void *destroy_arg;
};

static int tap_xmit(struct netdev *dev, struct pkt *p)
{
    struct tap_priv *t = dev->priv;
    /* The header goes from the stack, not into the packet's headroom: the bytes may be
     * shared with a clone that keeps them (a retransmit queue). */
    uint8_t hdr[VNET_HDR_LEN];
    virtio_net_hdr_from_pkt(p, hdr);
    struct iovec iov[2] = { { hdr, sizeof(hdr) }, { p->data, p->len } };
    ssize_t n = writev(t->fd, iov, 2);
    if (n < 0) {
        enum drop why = (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
                      ? DROP_TX_QUEUE_FULL : DROP_TX_ERROR;
        dev->stats.tx_dropped++;
        pkt_drop(dev->net, p, why);
        return -errno;
    }
    pkt_free(p);
    return 0;
}

static void tap_destroy(struct netdev *dev)
{
    struct tap_priv *t = dev->priv;
    pkt_free(t->rx_spare);
    t->rx_spare = NULL;
    if (t->destroy_cb) t->destroy_cb(dev, t->destroy_arg);
    if (t->fd >= 0) close(t->fd);       /* non-persistent: the host interface goes away */
    t->fd = -1;
}

/* The frames left in the kernel's queue for want of a buffer are the NIC's "missed". */
static void tap_get_stats(const struct netdev *dev, struct netdev_stats *s)
{
    const struct tap_priv *t = dev->priv;
    s->rx_missed += t->rx_nobuf;
}

/* What the kernel may send us follows our receive features (virtio_net's guest offloads):
 * rx-checksum allows partial checksums, rx-gro-hw super-frames on top (tun ignores TSO
 * without TUN_F_CSUM, and netdev_fix_features drops GRO_HW without RXCSUM). */
static unsigned tap_tun_offloads(const struct tap_priv *t, netdev_features_t f)
{
    unsigned off = 0;
    if (f & NETIF_F_RXCSUM) {
        off |= TUN_F_CSUM;
        if (f & NETIF_F_GRO_HW) {
            off |= TUN_F_TSO4 | TUN_F_TSO_ECN;
            if (t->uso) off |= TUN_F_USO4 | TUN_F_USO6;     /* tun wants both or neither */
        }
    }
    return off;
}

static int tap_set_features(struct netdev *dev, netdev_features_t f)
{
    struct tap_priv *t = dev->priv;
    if (ioctl(t->fd, TUNSETOFFLOAD, tap_tun_offloads(t, f)) < 0) return -errno;
    return 0;
}

static const struct netdev_ops tap_ops = {
    .kind = "tap", .xmit = tap_xmit, .destroy = tap_destroy, .get_stats = tap_get_stats,
    .set_features = tap_set_features, .xmit_name = "tap_xmit",
};

/* IFF_VNET_HDR's header size, then the offloads: all of ours, UDP segmentation only
 * where the kernel accepts it (try, then fall back). */
static int tap_offload_init(struct netdev *dev, char *err, size_t errlen)
{
    struct tap_priv *t = dev->priv;
    int hdrsz = VNET_HDR_LEN;
    if (ioctl(t->fd, TUNSETVNETHDRSZ, &hdrsz) < 0) {
        snprintf(err, errlen, "TUNSETVNETHDRSZ %s: %s", t->ifname, strerror(errno));
        return -1;
    }
    dev->hw_features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO | NETIF_F_TSO_ECN |
                       NETIF_F_GSO_UDP_L4 | NETIF_F_RXCSUM | NETIF_F_GRO_HW;
    dev->features = dev->hw_features;
    t->uso = true;
    if (tap_set_features(dev, dev->features) == 0) return 0;
    t->uso = false;
    dev->hw_features &= ~(netdev_features_t)NETIF_F_GSO_UDP_L4;
    dev->features = dev->hw_features;
    if (tap_set_features(dev, dev->features) == 0) return 0;
    snprintf(err, errlen, "TUNSETOFFLOAD %s: %s", t->ifname, strerror(errno));
    return -1;
}

bool netdev_is_tap(const struct netdev *dev) { return dev->ops == &tap_ops; }
int tap_fd(const struct netdev *dev) { return ((const struct tap_priv *)dev->priv)->fd; }

void tap_set_destroy_cb(struct netdev *dev, void (*cb)(struct netdev *, void *), void *arg)
{
    struct tap_priv *t = dev->priv;
    t->destroy_cb = cb;
    t->destroy_arg = arg;
}

struct netdev *tap_create(struct net *net, const char *name, const char *ifname, char *err, size_t errlen)
{
    if (strlen(ifname) >= IFNAMSIZ) { snprintf(err, errlen, "name \"%s\" too long", ifname); return NULL; }
    if (netdev_by_name(net, name)) { snprintf(err, errlen, "RTNETLINK answers: File exists"); return NULL; }
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) { snprintf(err, errlen, "open /dev/net/tun: %s", strerror(errno)); return NULL; }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        snprintf(err, errlen, "TUNSETIFF %s: %s", ifname, strerror(errno));
        close(fd);
        return NULL;
    }
    struct netdev *dev = netdev_alloc(net, name, &tap_ops, sizeof(struct tap_priv));
    if (!dev) { snprintf(err, errlen, "out of memory"); close(fd); return NULL; }
    struct tap_priv *t = dev->priv;
    t->fd = fd;
    dev->priv_flags |= IFF_TUN_VNET_HDR;
    snprintf(t->ifname, sizeof(t->ifname), "%s", ifr.ifr_name);
    if (tap_offload_init(dev, err, errlen) < 0) {
        close(fd);
        free(dev);
        return NULL;
    }
    netdev_random_mac(net->st, &dev->addr);
    netif_carrier_on(dev);
    if (netdev_register(dev) < 0) {
        snprintf(err, errlen, "RTNETLINK answers: File exists");
        close(fd);
        free(dev);
        return NULL;
    }
    return dev;
}

/* The buffer the next frame is read into, with the virtio-net header landing in the
 * headroom in front of data. Without super-frames one sized for the MTU; with them the
 * 64 KiB spare (a frame is never split across reads: a short buffer would cut it). */
static struct pkt *tap_rx_buffer(struct netdev *dev, struct tap_priv *t)
{
    struct pkt_pool *pool = &dev->net->st->pool;
    if (!(dev->features & NETIF_F_GRO_HW)) return pkt_alloc(pool, dev->mtu + ETH_HLEN + 4);
    if (!t->rx_spare) t->rx_spare = pkt_alloc(pool, TAP_RX_MAX);
    struct pkt *p = t->rx_spare;
    t->rx_spare = NULL;
    return p;
}

/* Copybreak (as NIC drivers' rx_copybreak): a frame that fits a smaller buffer class is
 * copied into one, so a stream of ACKs does not pin 64 KiB each and a frame is charged
 * near its size (Linux's tun builds a super-frame's skb from pages of its length), and
 * the big buffer serves the next read. n counts the header too. Returns the packet to
 * hand up. */
static struct pkt *tap_copybreak(struct netdev *dev, struct tap_priv *t, struct pkt *p, size_t n)
{
    if (p->buf->cls != PKT_CLASS_HUGE || p->len > PKT_32K_DATA) return p;
    struct pkt *q = pkt_alloc(&dev->net->st->pool, p->len);
    if (!q) return p;                   /* no small buffer: hand up the big one */
    memcpy(q->data - VNET_HDR_LEN, p->data - VNET_HDR_LEN, n);
    q->len = p->len;
    p->len = 0;
    t->rx_spare = p;
    return q;
}

int tap_poll(struct netdev *dev, int budget)
{
    struct tap_priv *t = dev->priv;
    struct net *net = dev->net;
    int n = 0;
    while (n < budget) {
        struct pkt *p = tap_rx_buffer(dev, t);
        if (!p) {
            /* No buffer: leave the frame in the kernel's queue (as a NIC ring would
             * stall) and count it once. The caller must not poll again at once — that
             * would spin on an empty pool — but retry after a pause (virtio_net's
             * delayed refill work). */
            net->drops[DROP_NOMEM]++;
            t->rx_nobuf++;
            return n ? n : -ENOBUFS;
        }
        ssize_t len = read(t->fd, p->data - VNET_HDR_LEN, pkt_tailroom(p) + VNET_HDR_LEN);
        if (len <= 0) {
            if (p->buf->cls == PKT_CLASS_HUGE && !t->rx_spare) t->rx_spare = p;
            else pkt_free(p);
            if (len < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) dev->stats.rx_errors++;
            break;
        }
        n++;
        if (len < VNET_HDR_LEN) {
            dev->stats.rx_errors++;
            pkt_drop(net, p, DROP_DEV_HDR_SHORT);
            continue;
        }
        p->len = (uint32_t)(len - VNET_HDR_LEN);
        p = tap_copybreak(dev, t, p, (size_t)len);
        virtio_net_receive(dev, p->data - VNET_HDR_LEN, p);
    }
    return n;
}

int tap_host_config(const char *ifname, uint32_t addr, int plen, char *err, size_t errlen)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) { snprintf(err, errlen, "socket: %s", strerror(errno)); return -1; }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
    struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
    sin->sin_family = AF_INET;
    sin->sin_addr.s_addr = htonl(addr);
    int rc = -1;
    if (ioctl(s, SIOCSIFADDR, &ifr) < 0) { snprintf(err, errlen, "SIOCSIFADDR %s: %s", ifname, strerror(errno)); goto out; }
    sin->sin_addr.s_addr = htonl(ip4_mask(plen));
    if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0) { snprintf(err, errlen, "SIOCSIFNETMASK: %s", strerror(errno)); goto out; }
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) { snprintf(err, errlen, "SIOCGIFFLAGS: %s", strerror(errno)); goto out; }
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) { snprintf(err, errlen, "SIOCSIFFLAGS: %s", strerror(errno)); goto out; }
    rc = 0;
out:
    close(s);
    return rc;
}

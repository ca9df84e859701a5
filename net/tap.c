/*
 * net/tap.c — TAP device driver (tapip's veth/netdev_interrupt design; Linux's tun driver
 * on the other side of the fd).
 *
 * The fd is non-blocking. The event loop watches it; readability is our "interrupt",
 * after which the loop calls tap_poll() with a budget (NAPI): each read() returns one
 * whole Ethernet frame, which goes into a pool buffer with full headroom and up the
 * receive path. tap_xmit() writes one frame per write(); a full host queue (EAGAIN) is a
 * counted drop, never a wait.
 */
#include <linux/if.h>         /* first: netdev.h then uses its IFF_* */
#include "tap.h"
#include "netdev.h"
#include "stack.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

struct tap_priv {
    int  fd;
    uint64_t rx_nobuf;              /* polls that found no free packet buffer */
    char ifname[IFNAMSIZ];
    void (*destroy_cb)(struct netdev *dev, void *arg);
    void *destroy_arg;
};

static int tap_xmit(struct netdev *dev, struct pkt *p)
{
    struct tap_priv *t = dev->priv;
    ssize_t n = write(t->fd, p->data, p->len);
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

static const struct netdev_ops tap_ops = {
    .kind = "tap", .xmit = tap_xmit, .destroy = tap_destroy, .get_stats = tap_get_stats,
    .xmit_name = "tap_xmit",
};

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
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
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
    snprintf(t->ifname, sizeof(t->ifname), "%s", ifr.ifr_name);
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

int tap_poll(struct netdev *dev, int budget)
{
    struct tap_priv *t = dev->priv;
    struct net *net = dev->net;
    int n = 0;
    while (n < budget) {
        /* a buffer for the largest frame this device may receive */
        struct pkt *p = pkt_alloc(&net->st->pool, dev->mtu + ETH_HLEN + 4);
        if (!p) {
            /* No buffer: leave the frame in the kernel's queue (as a NIC ring would
             * stall) and count it once. The caller must not poll again at once — that
             * would spin on an empty pool — but retry after a pause (virtio_net's
             * delayed refill work). */
            net->drops[DROP_NOMEM]++;
            t->rx_nobuf++;
            return n ? n : -ENOBUFS;
        }
        ssize_t len = read(t->fd, p->data, pkt_tailroom(p));
        if (len <= 0) {
            pkt_free(p);
            if (len < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) dev->stats.rx_errors++;
            break;
        }
        p->len = (uint32_t)len;
        netif_receive(dev, p);
        n++;
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

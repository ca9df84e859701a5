/*
 * ip/devinet.c — IPv4 addresses of devices (Linux net/ipv4/devinet.c): insertion with the
 * primary/secondary rule, deletion with promotion, and the events that make routes follow.
 */
#include "devinet.h"
#include "ip.h"
#include "net/netlink.h"
#include "net/stack.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static bool ifa_same_subnet(const struct in_ifaddr *a, uint32_t addr, int plen)
{
    return a->plen == plen && ((a->addr ^ addr) & ip4_mask(plen)) == 0;
}

/* Linux __inet_insert_ifa: a second address in a primary's subnet is secondary and goes
 * at the end; a primary goes after the last primary. */
int inet_addr_add(struct netdev *dev, uint32_t addr, int plen)
{
    if (plen < 0 || plen > 32) return -EINVAL;
    uint8_t flags = 0;
    struct in_ifaddr **last_primary = &dev->ifa_list, **tail = &dev->ifa_list;
    for (struct in_ifaddr *a = dev->ifa_list; a; a = a->next) {
        if (!(a->flags & IFA_F_SECONDARY)) last_primary = &a->next;
        if (ifa_same_subnet(a, addr, plen)) {
            if (a->addr == addr) return -EEXIST;
            flags = IFA_F_SECONDARY;
        }
        tail = &a->next;
    }
    struct in_ifaddr *ifa = calloc(1, sizeof(*ifa));
    if (!ifa) return -ENOMEM;
    ifa->addr = addr;
    ifa->plen = (uint8_t)plen;
    ifa->flags = flags;
    ifa->broadcast = plen < 31 ? (addr | ~ip4_mask(plen)) : 0;
    snprintf(ifa->label, sizeof(ifa->label), "%s", dev->name);
    struct in_ifaddr **at = (flags & IFA_F_SECONDARY) ? tail : last_primary;
    ifa->next = *at;
    *at = ifa;
    net_notify(dev, INETADDR_UP, ifa);
    return 0;
}

/* The first secondary of a primary being deleted becomes a primary and moves to the end
 * of the primaries (Linux __inet_del_ifa with promote_secondaries). */
static void ifa_promote(struct netdev *dev, const struct in_ifaddr *gone)
{
    struct in_ifaddr **pp = &dev->ifa_list, **last_primary = &dev->ifa_list;
    for (; *pp; pp = &(*pp)->next) {
        struct in_ifaddr *a = *pp;
        if (!(a->flags & IFA_F_SECONDARY)) { last_primary = &a->next; continue; }
        if (!ifa_same_subnet(a, gone->addr, gone->plen)) continue;
        *pp = a->next;
        a->flags &= (uint8_t)~IFA_F_SECONDARY;
        a->next = *last_primary;
        *last_primary = a;
        return;
    }
}

int inet_addr_del(struct netdev *dev, uint32_t addr, int plen)
{
    for (struct in_ifaddr **pp = &dev->ifa_list; *pp; pp = &(*pp)->next) {
        struct in_ifaddr *a = *pp;
        if (a->addr != addr || (plen >= 0 && a->plen != plen)) continue;
        *pp = a->next;
        if (!(a->flags & IFA_F_SECONDARY)) ifa_promote(dev, a);
        net_notify(dev, INETADDR_DOWN, a);
        free(a);
        return 0;
    }
    return -EADDRNOTAVAIL;
}

int inet_addr_flush(struct netdev *dev)
{
    int n = 0;
    while (dev->ifa_list) {
        struct in_ifaddr *last = dev->ifa_list;
        while (last->next) last = last->next;
        inet_addr_del(dev, last->addr, last->plen);
        n++;
    }
    return n;
}

int inet_rtm_newaddr(struct netdev *dev, uint32_t addr, int plen, unsigned nlflags, struct extack *ext)
{
    if (plen < 0 || plen > 32) {
        NL_SET_ERR_MSG(ext, "Invalid prefix length");
        return -EINVAL;
    }
    for (const struct in_ifaddr *a = dev->ifa_list; a; a = a->next)
        if (a->addr == addr && a->plen == plen)
            return (nlflags & NLM_F_EXCL) || !(nlflags & NLM_F_REPLACE) ? -EEXIST : 0;
    return inet_addr_add(dev, addr, plen);
}

struct netdev *inet_addr_dev(struct net *net, uint32_t addr)
{
    for (struct netdev *d = net->devs; d; d = d->next)
        for (struct in_ifaddr *a = d->ifa_list; a; a = a->next)
            if (a->addr == addr) return d;
    return NULL;
}

/* Linux inet_select_addr: a primary in dst's subnet, else the first primary. */
uint32_t inet_select_addr(const struct netdev *dev, uint32_t dst)
{
    for (struct in_ifaddr *a = dev->ifa_list; a; a = a->next)
        if (!(a->flags & IFA_F_SECONDARY) && ((a->addr ^ dst) & ip4_mask(a->plen)) == 0) return a->addr;
    return dev->ifa_list ? dev->ifa_list->addr : 0;
}

bool inet_is_bcast(const struct netdev *dev, uint32_t addr)
{
    if (addr == 0xffffffffu) return true;
    for (struct in_ifaddr *a = dev->ifa_list; a; a = a->next)
        if (a->broadcast && a->broadcast == addr) return true;
    return false;
}

/* Linux inetdev_event: a loopback device gets 127.0.0.1/8 (tapstack: as soon as it
 * exists, so a new namespace's lo has it while still down); a device that goes, or
 * leaves for another namespace, loses its addresses before anyone else hears of it
 * (devinet's notifier is registered first). */
static void devinet_netdev_event(struct netdev *dev, enum net_event ev, const void *info)
{
    switch (ev) {
    case NETDEV_REGISTER:
        if (dev->flags & IFF_LOOPBACK) inet_addr_add(dev, 0x7f000001u, 8);
        break;
    case NETDEV_UNREGISTER:
        inet_addr_flush(dev);
        break;
    default:
        break;
    }
}

int devinet_init(struct stack *st) { return net_notifier_register(st, devinet_netdev_event); }

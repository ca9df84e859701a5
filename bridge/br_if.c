/*
 * bridge/br_if.c — ports joining and leaving (Linux: net/bridge/br_if.c, and the device
 * events of br.c's br_device_event). `ip link set X master br0` makes X a port: its
 * rx_handler becomes br_handle_frame and its MAC a local FDB entry; `nomaster`, the
 * port's removal or its move to another namespace undo that.
 */
#include "br_private.h"
#include "net/netlink.h"
#include <errno.h>
#include <stdlib.h>

/* Linux br_port_carrier_check / br_stp: the bridge has carrier while a port forwards. */
void br_carrier_update(struct bridge *br, const struct netdev *going_down)
{
    bool any = false;
    for (struct br_port *p = br->ports; p && !any; p = p->next)
        any = p->dev != going_down && netif_oper_up(p->dev);
    if (any) netif_carrier_on(br->dev);
    else netif_carrier_off(br->dev);
}

/* Linux br_mtu_auto_adjust: unless the user set one, the bridge takes the smallest MTU
 * of its ports (ETH_DATA_LEN without ports), so nothing it sends is too big for one. */
static void br_mtu_auto_adjust(struct bridge *br)
{
    unsigned mtu = 0;
    if (br->mtu_set_by_user) return;
    for (struct br_port *p = br->ports; p; p = p->next)
        if (!mtu || p->dev->mtu < mtu) mtu = p->dev->mtu;
    if (!mtu) mtu = ETH_DATA_LEN;
    if (mtu == br->dev->mtu) return;
    br->mtu_auto_adjusting = true;
    dev_set_mtu(br->dev, mtu);
    br->mtu_auto_adjusting = false;
}

int br_add_if(struct netdev *br_dev, struct netdev *dev, struct extack *ext)
{
    struct bridge *br = br_of(br_dev);
    if (dev->flags & IFF_LOOPBACK) return -EINVAL;          /* Linux: only Ethernet */
    if (netif_is_bridge_master(dev)) {
        NL_SET_ERR_MSG(ext, "Can not enslave a bridge to a bridge");
        return -ELOOP;
    }
    if (dev->master || dev->rx_handler) return -EBUSY;      /* netdev_rx_handler_register */
    if (dev->net != br_dev->net) return -EINVAL;
    if (br->n_ports >= BR_MAX_PORTS) return -EXFULL;        /* Linux find_portno */
    struct br_port *p = calloc(1, sizeof(*p));
    if (!p) return -ENOMEM;
    p->br = br;
    p->dev = dev;
    if (br_fdb_insert_local(br, p, &dev->addr) < 0) { free(p); return -ENOSPC; }
    p->next = br->ports;                                    /* list_add_rcu: at the head */
    br->ports = p;
    br->n_ports++;
    dev->rx_handler_data = p;
    dev->rx_handler = br_handle_frame;
    dev->master = br_dev;
    br_mtu_auto_adjust(br);
    br_carrier_update(br, NULL);
    return 0;
}

/* Linux del_nbp: every entry through the port goes, static ones too. */
int br_del_if(struct netdev *br_dev, struct netdev *dev)
{
    struct bridge *br = br_of(br_dev);
    struct br_port *p = br_port_get(dev);
    if (!p || p->br != br) return -EINVAL;
    for (struct br_port **pp = &br->ports; *pp; pp = &(*pp)->next)
        if (*pp == p) { *pp = p->next; break; }
    br->n_ports--;
    br_fdb_delete_by_port(br, p, true);
    dev->rx_handler = NULL;
    dev->rx_handler_data = NULL;
    dev->master = NULL;
    free(p);
    br_mtu_auto_adjust(br);
    br_carrier_update(br, NULL);
    return 0;
}

/* A device's MAC changed: its local entry follows (Linux br_fdb_changeaddr and, for
 * the bridge, br_fdb_change_mac_address). */
static void br_local_addr_changed(struct bridge *br, struct br_port *p, const struct eth_addr *addr)
{
    for (uint32_t i = 0; i < BR_FDB_POOL; i++) {
        struct net_bridge_fdb_entry *f = &br->fdb[i];
        if (f->in_use && f->dst == p && (f->flags & BR_FDB_LOCAL) && !(f->flags & BR_FDB_ADDED_BY_USER))
            br_fdb_delete_local(br, p, &f->addr);
    }
    br_fdb_insert_local(br, p, addr);
}

static void br_master_event(struct netdev *dev, enum net_event ev)
{
    struct bridge *br = br_of(dev);
    if (ev == NETDEV_UNREGISTER) {
        while (br->ports) br_del_if(dev, br->ports->dev);
        timer_stop(dev->net->st, &br->gc_timer);
    } else if (ev == NETDEV_CHANGEADDR) {
        br_local_addr_changed(br, NULL, &dev->addr);
    } else if (ev == NETDEV_CHANGEMTU && !br->mtu_auto_adjusting) {
        br->mtu_set_by_user = true;         /* Linux br_change_mtu */
    }
}

/* Linux br_device_event. */
static void br_device_event(struct netdev *dev, enum net_event ev, const void *info)
{
    (void)info;
    if (netif_is_bridge_master(dev)) { br_master_event(dev, ev); return; }
    struct br_port *p = br_port_get(dev);
    if (!p) return;
    switch (ev) {
    case NETDEV_UNREGISTER: br_del_if(p->br->dev, dev); break;
    case NETDEV_UP:
    case NETDEV_CHANGE:     br_carrier_update(p->br, NULL); break;
    case NETDEV_DOWN:       br_carrier_update(p->br, dev); break;
    case NETDEV_CHANGEADDR: br_local_addr_changed(p->br, p, &dev->addr); break;
    case NETDEV_CHANGEMTU:  br_mtu_auto_adjust(p->br); break;
    default: break;
    }
}

int br_if_init(struct stack *st)
{
    return net_notifier_register(st, br_device_event);
}

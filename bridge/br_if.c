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
#include <string.h>

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

/* Linux br_port_state_selection with STP off: see br_private.h. */
bool br_port_forwarding(const struct br_port *p)
{
    return netif_oper_up(p->dev) && netif_running(p->br->dev);
}

/* Linux find_portno: the lowest free number; 0 is reserved, so BR_MAX_PORTS - 1 ports. */
static int br_find_portno(const struct bridge *br)
{
    for (int i = 1; i < BR_MAX_PORTS; i++)
        if (!(br->port_nos[i / 8] & (1u << (i % 8)))) return i;
    return -EXFULL;
}

/* Linux port_cost: 802.1D's path cost for the speed ethtool reports — a veth reports
 * 10000 Mb/s (veth_get_link_ksettings: cost 2), a tun/tap 10 Mb/s (cost 100); a device
 * that reports no speed is taken for 10 Mb/s (100). */
static uint32_t br_port_cost(const struct netdev *dev)
{
    return dev->ops && dev->ops->kind && !strcmp(dev->ops->kind, "veth") ? 2 : 100;
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
    int port_no = br_find_portno(br);
    if (port_no < 0) return port_no;
    struct br_port *p = calloc(1, sizeof(*p));
    if (!p) return -ENOMEM;
    p->br = br;
    p->dev = dev;
    p->port_no = (uint16_t)port_no;
    p->path_cost = br_port_cost(dev);
    if (br_fdb_insert_local(br, p, &dev->addr) == -ENOSPC) { free(p); return -ENOSPC; }
    br->port_nos[port_no / 8] |= (uint8_t)(1u << (port_no % 8));
    p->next = br->ports;                                    /* list_add_rcu: at the head */
    br->ports = p;
    br->n_ports++;
    dev->rx_handler_data = p;
    dev->rx_handler = br_handle_frame;
    dev->master = br_dev;
    br_stp_recalculate_bridge_id(br);
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
    br->port_nos[p->port_no / 8] &= (uint8_t)~(1u << (p->port_no % 8));
    br_fdb_delete_by_port(br, p, true);
    dev->rx_handler = NULL;
    dev->rx_handler_data = NULL;
    dev->master = NULL;
    free(p);
    br_mtu_auto_adjust(br);
    br_stp_recalculate_bridge_id(br);
    br_carrier_update(br, NULL);
    return 0;
}

static void br_master_event(struct netdev *dev, enum net_event ev)
{
    struct bridge *br = br_of(dev);
    if (ev == NETDEV_UNREGISTER) {
        while (br->ports) br_del_if(dev, br->ports->dev);
        timer_stop(dev->net->st, &br->gc_timer);
    } else if (ev == NETDEV_CHANGEADDR && !br->addr_changing) {
        br_stp_set_mac_by_user(br);
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
    case NETDEV_CHANGEADDR:                 /* its entry, then maybe the bridge's MAC */
        br_fdb_changeaddr(p->br, p, &dev->addr);
        br_stp_recalculate_bridge_id(p->br);
        break;
    case NETDEV_CHANGEMTU:  br_mtu_auto_adjust(p->br); break;
    default: break;
    }
}

int br_if_init(struct stack *st)
{
    return net_notifier_register(st, br_device_event);
}

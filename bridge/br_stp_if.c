/*
 * bridge/br_stp_if.c — the bridge's own MAC (Linux: net/bridge/br_stp_if.c, whose name
 * comes from the bridge id STP is built on: priority and MAC).
 *
 * A bridge made by `ip link add br0 type bridge` starts with a random MAC. As soon as a
 * port joins, the bridge takes the lowest MAC among its ports, and follows as ports come,
 * go or change their MAC; with the last port gone it is 00:00:00:00:00:00, as in Linux.
 * A MAC the user sets (`ip link set br0 address MAC`) sticks: ports no longer move it.
 * The bridge's own FDB entry follows its MAC.
 */
#include "br_private.h"
#include <string.h>

/* Linux br_stp_change_bridge_id: the FDB first (it still knows the old MAC), then the
 * device's MAC, then the news to the layers above (ARP's neighbours and arp_notify). */
static void br_stp_change_bridge_id(struct bridge *br, const struct eth_addr *addr)
{
    br_fdb_change_mac_address(br, &br->own_addr, addr);
    br->own_addr = br->bridge_id_addr = *addr;
    br->dev->addr = *addr;
    br->addr_changing = true;
    net_notify(br->dev, NETDEV_CHANGEADDR, NULL);
    br->addr_changing = false;
}

bool br_stp_recalculate_bridge_id(struct bridge *br)
{
    static const struct eth_addr zero;
    const struct eth_addr *addr = &zero;
    if (br->addr_set_by_user) return false;         /* the user has chosen: keep it */
    for (const struct br_port *p = br->ports; p; p = p->next)
        if (addr == &zero || memcmp(p->dev->addr.b, addr->b, ETH_ALEN) < 0) addr = &p->dev->addr;
    if (eth_addr_eq(&br->bridge_id_addr, addr)) return false;
    br_stp_change_bridge_id(br, addr);
    return true;
}

/* Linux br_set_mac_address, then dev_set_mac_address's NET_ADDR_SET. dev_set_mac has
 * already put the new MAC on the device; the bridge id and the FDB follow it here. */
void br_stp_set_mac_by_user(struct bridge *br)
{
    br->addr_set_by_user = true;
    if (eth_addr_eq(&br->own_addr, &br->dev->addr)) return;
    br_fdb_change_mac_address(br, &br->own_addr, &br->dev->addr);
    br->own_addr = br->bridge_id_addr = br->dev->addr;
}

/*
 * bridge/br_netlink.c — what `ip -d link` shows of a bridge and of its ports (Linux:
 * net/bridge/br_netlink.c br_fill_info / br_port_fill_attrs, printed by iproute2's
 * ip/iplink_bridge.c and ip/iplink_bridge_slave.c, in their order and words).
 *
 * The fields are the ones Linux reports for a bridge built without VLAN filtering,
 * multicast snooping and bridge netfilter (CONFIG_BRIDGE_VLAN_FILTERING,
 * CONFIG_BRIDGE_IGMP_SNOOPING and CONFIG_BRIDGE_NETFILTER off: none of these exist here,
 * so neither do their fields). STP is off (stp_state 0): its timers are stopped, the
 * bridge is its own root, and the times and priorities are Linux's defaults, shown as
 * Linux shows them while STP does not use them.
 */
#include "br_private.h"
#include <stdio.h>

/* Linux's defaults (br_dev_setup), in centiseconds as `ip -d` shows them. */
#define BR_FORWARD_DELAY_CS 1500
#define BR_HELLO_TIME_CS    200
#define BR_MAX_AGE_CS       2000

/* iproute2 br_dump_bridge_id: priority, then the MAC as ether_ntoa_r writes it (no
 * leading zeros: 8000.2:0:0:0:b:1). */
static void br_id_str(const struct eth_addr *a, uint16_t prio, char *buf, size_t n)
{
    snprintf(buf, n, "%.2x%.2x.%x:%x:%x:%x:%x:%x", prio >> 8, prio & 0xff, a->b[0], a->b[1], a->b[2],
             a->b[3], a->b[4], a->b[5]);
}

/* iproute2 _bridge_print_timer: seconds and hundredths of a timer's time left (Linux
 * br_timer_value, 0 when the timer is not running). */
static int br_timer_str(char *buf, size_t n, const char *name, uint64_t left_us)
{
    uint64_t cs = left_us / 10000;
    return snprintf(buf, n, "%s %4i.%.2i", name, (int)(cs / 100), (int)(cs % 100));
}

void br_fill_info(const struct netdev *dev, char *buf, size_t n)
{
    const struct bridge *br = br_of(dev);
    char id[32], gc[32];
    br_id_str(&br->bridge_id_addr, BR_PRIORITY_DEFAULT, id, sizeof(id));
    br_timer_str(gc, sizeof(gc), "gc_timer", br_fdb_gc_left_us(br));
    snprintf(buf, n,
             "bridge forward_delay %u hello_time %u max_age %u ageing_time %llu stp_state 0 priority %u "
             "vlan_filtering 0 bridge_id %s designated_root %s root_port 0 root_path_cost 0 "
             "topology_change 0 topology_change_detected 0 hello_timer    0.00 tcn_timer    0.00 "
             "topology_change_timer    0.00 %s fdb_n_learned %u fdb_max_learned %u group_fwd_mask 0 "
             "group_address 01:80:c2:00:00:00 no_linklocal_learn 0 mcast_vlan_snooping 0",
             BR_FORWARD_DELAY_CS, BR_HELLO_TIME_CS, BR_MAX_AGE_CS, (unsigned long long)(br->ageing_us / 10000),
             BR_PRIORITY_DEFAULT, id, id, gc, br->cnt.fdb_n_learned, br->fdb_max_learned);
}

/* Linux br_port_fill_attrs as iproute2 prints them. The port id is its priority and
 * number (br_make_port_id); the bridge being the root, every port is designated, with
 * its own id and cost 0. The flags are what this bridge does: learning and flooding of
 * unknown unicast, multicast and broadcast on every port, no hairpin, no proxy ARP. */
void br_port_fill_slave_info(const struct netdev *dev, char *buf, size_t n)
{
    const struct br_port *p = br_port_get(dev);
    if (!p) { buf[0] = 0; return; }
    unsigned port_id = BR_PORT_PRIORITY << BR_PORT_BITS | p->port_no;
    char id[32];
    br_id_str(&p->br->bridge_id_addr, BR_PRIORITY_DEFAULT, id, sizeof(id));
    snprintf(buf, n,
             "bridge_slave state %s priority %u cost %u hairpin off guard off root_block off fastleave off "
             "learning on flood on port_id %#x port_no %#x designated_port %u designated_cost 0 "
             "designated_bridge %s designated_root %s hold_timer    0.00 message_age_timer    0.00 "
             "forward_delay_timer    0.00 topology_change_ack 0 config_pending 0 proxy_arp off "
             "proxy_arp_wifi off mcast_fast_leave off mcast_flood on bcast_flood on mcast_to_unicast off "
             "neigh_suppress off group_fwd_mask 0 group_fwd_mask_str 0x0 vlan_tunnel off isolated off "
             "locked off",
             br_port_forwarding(p) ? "forwarding" : "disabled", BR_PORT_PRIORITY, p->path_cost, port_id,
             p->port_no, port_id, id, id);
}

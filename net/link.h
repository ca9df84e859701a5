/*
 * net/link.h — link kinds and link configuration (Linux: rtnl_link_ops and the RTM_*LINK
 * side of net/core/rtnetlink.c).
 *
 * A kind is what `ip link add NAME type KIND` names: tap, loopback, and later veth,
 * vxlan, bridge. The driver behind a kind registers a struct link_ops with the stack
 * (link_kind_register), together with a context pointer that its callbacks get back —
 * the program's event loop for TAP devices, a replay's pcap reader, a test's fake wire.
 * Everything else asks the registry: creation is a lookup by name (link_newlink), and
 * what `ip link` shows about a device that depends on its driver (operstate, qdisc,
 * the `ip -d` details) comes from the ops of the kind named by dev->ops->kind.
 *
 * The calls below are the only way links are created, deleted or changed from outside
 * a driver. They check what Linux checks and return 0 or -errno, with Linux's message in
 * the extack where Linux gives one (net/netlink.h).
 */
#ifndef TS_LINK_H
#define TS_LINK_H
#include "types.h"
#include "netdev.h"

struct extack;

/* What `ip link add NAME type KIND [OPTIONS]` carries besides the name: the kind's own
 * options, the words after KIND (Linux: IFLA_INFO_DATA, which iproute2 builds from them).
 * The kind reads them (link_arg) and refuses what it does not know (link_args_check). */
struct link_args {
    int          argc;
    char *const *argv;
};

/* RFC 2863 operational states, Linux's IF_OPER_* values (what `ip link` shows as state). */
enum if_oper { IF_OPER_UNKNOWN, IF_OPER_NOTPRESENT, IF_OPER_DOWN, IF_OPER_LOWERLAYERDOWN,
               IF_OPER_TESTING, IF_OPER_DORMANT, IF_OPER_UP };

struct link_ops {
    const char *kind;           /* "tap", "loopback", ... = the driver's netdev_ops.kind */
    size_t      priv_size;      /* driver-private bytes of each device: link_alloc */
    /* Create and register the device `name` in net (Linux .newlink). NULL: devices of
     * this kind are not created by request (the loopback exists in every namespace). */
    int  (*newlink)(void *ctx, struct net *net, const char *name, const struct link_args *args,
                    struct extack *ext);
    /* Delete (Linux .dellink). NULL with a newlink: netdev_unregister, as Linux's
     * unregister_netdevice_queue default. NULL without: the device cannot be deleted. */
    void (*dellink)(void *ctx, struct netdev *dev);
    /* `ip -d link`: the kind's details as iproute2 prints them ("tun type tap pi off ...")
     * into buf (Linux .fill_info + iproute2's print_opt). NULL: none. */
    void (*fill_info)(const struct netdev *dev, char *buf, size_t n);
    /* `ip -d link` of a port of a device of this kind (a bridge's): the port's details
     * as iproute2 prints them on the "KIND_slave" line (Linux .fill_slave_info +
     * iproute2's slave print_opt). NULL: none. */
    void (*fill_slave_info)(const struct netdev *dev, char *buf, size_t n);
    /* The state the driver reports (Linux: dev->operstate as the driver sets it through
     * netif_carrier_* and link watch). NULL: UNKNOWN while up with carrier, as for
     * drivers that never set one (tun, lo). */
    enum if_oper (*operstate)(const struct netdev *dev);
    /* The device this one is linked to, shown as "NAME@LINK" (Linux: ndo_get_iflink and
     * rtnl_link_ops.get_link_net, IFLA_LINK + IFLA_LINK_NETNSID): a veth's peer. NULL:
     * none (the device is its own iflink). */
    struct netdev *(*get_link)(const struct netdev *dev);
    /* `ip link set DEV type KIND OPTIONS` (Linux .changelink): change the kind's options
     * of an existing device. NULL: they cannot be changed. */
    int  (*changelink)(struct netdev *dev, const struct link_args *args, struct extack *ext);
};

/* Register a kind; ctx is passed back to newlink and dellink. -EEXIST if a kind of that
 * name is registered, -ENOSPC if the table is full, -EINVAL without a name. */
int  link_kind_register(struct stack *st, const struct link_ops *ops, void *ctx);
/* Remove a kind (existing devices stay; they fall back to the defaults). */
void link_kind_unregister(struct stack *st, const char *kind);
const struct link_ops *link_kind_find(const struct stack *st, const char *kind);
/* The kind of a device, or NULL (a device made by a test or a driver with no kind). */
const struct link_ops *link_kind_of(const struct netdev *dev);

/* `ip link add NAME type KIND ...` (Linux rtnl_newlink): -EEXIST if NAME is taken,
 * -EINVAL for a name no device may have, -EOPNOTSUPP with "Unknown device type" when no
 * registered kind can create KIND; otherwise what the kind's newlink says. */
int  link_newlink(struct net *net, const char *kind, const char *name, const struct link_args *args,
                  struct extack *ext);
/* `ip link delete DEV` (Linux rtnl_dellink): -EOPNOTSUPP when its kind has no way to
 * delete it (lo; a device of no kind). */
int  link_dellink(struct netdev *dev, struct extack *ext);

/* `ip link set DEV ...`: what to change; fields left at their zero value are not. */
struct link_change {
    struct net            *netns;       /* move to this namespace */
    const struct eth_addr *addr;        /* new MAC */
    bool                   set_mtu;
    unsigned               mtu;
    bool                   set_txqlen;
    unsigned               txqlen;
    int                    up;          /* 1 up, 0 down, -1 as it is */
    struct netdev         *master;      /* become a port of this master (a bridge) */
    bool                   nomaster;    /* stop being a port */
    const char            *kind;        /* `type KIND OPTIONS`: the kind's own options */
    struct link_args       kind_args;
};
/* Apply in Linux's order: the kind's options (rtnl_newlink's changelink; -EOPNOTSUPP if
 * KIND is not the device's or cannot change), then do_setlink's: namespace, address,
 * MTU, queue length, up/down, master (do_set_master: -EOPNOTSUPP if it is no master).
 * Stops at the first refusal (what was applied before it stays, as in Linux).
 * MTU: "mtu less than device minimum" / "mtu greater than device maximum" (-EINVAL,
 * Linux dev_validate_mtu); address: -EADDRNOTAVAIL for multicast or zero; namespace:
 * -EEXIST if the name is taken there, -EINVAL for a loopback device. */
int  link_setlink(struct netdev *dev, const struct link_change *ch, struct extack *ext);

/* Helpers for a kind's newlink. */
/* A device of the kind, not yet registered, with the kind's priv_size bytes of private
 * data (Linux rtnl_create_link); NULL for a bad name or no memory. */
struct netdev *link_alloc(struct net *net, const char *name, const struct link_ops *kind,
                          const struct netdev_ops *ops);
/* Linux dev_valid_name: 1..15 characters, not "." or "..", no '/', ':' or blank. */
bool dev_valid_name(const char *name);
/* The word after KEY among the kind options, or NULL. */
const char *link_arg(const struct link_args *a, const char *key);
/* Every option is "KEY VALUE" with KEY one of keys (NULL-terminated): else -EINVAL with
 * iproute2's words for it ("either \"KEY\" is duplicate, or \"WORD\" is a garbage",
 * "argument for \"KEY\" is missing"). */
int  link_args_check(const struct link_args *a, const char *const *keys, struct extack *ext);

/* What `ip link show` prints that the kind decides. */
enum if_oper link_operstate(const struct netdev *dev);
/* The root qdisc's name (qdisc_kind): "noop" until the first up (Linux: no qdisc
 * attached yet), "noqueue" for lo and IFF_NO_QUEUE devices, else the default pfifo_fast
 * or what `tc qdisc` attached. */
const char *link_qdisc_name(const struct netdev *dev);
/* The device dev is linked to (its kind's get_link), or NULL. */
struct netdev *link_get_link(const struct netdev *dev);
/* The `ip -d link` details of the kind into buf; false if it has none. */
bool link_fill_info(const struct netdev *dev, char *buf, size_t n);
/* The `ip -d link` details of dev as a port of its master into buf (they start with
 * "KIND_slave"); false if it has no master or the master's kind shows none. */
bool link_fill_slave_info(const struct netdev *dev, char *buf, size_t n);

#endif

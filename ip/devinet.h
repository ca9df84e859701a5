/*
 * ip/devinet.h — IPv4 addresses of a device (Linux net/ipv4/devinet.c).
 *
 * Each device keeps its addresses in dev->ifa_list, primaries first (in the order they
 * were added), then secondaries. An address is secondary (IFA_F_SECONDARY) when a
 * primary of the device already covers the same subnet with the same prefix length;
 * deleting a primary promotes the first of its secondaries (promote_secondaries = 1,
 * what Debian's systemd sets), so the subnet keeps its routes.
 * Routes follow the addresses through the INETADDR_UP / INETADDR_DOWN events (ip/route.c).
 */
#ifndef TS_DEVINET_H
#define TS_DEVINET_H
#include "net/types.h"
#include "net/netdev.h"

struct extack;

#define IFA_F_SECONDARY 0x01            /* Linux's value */

struct in_ifaddr {
    struct in_ifaddr *next;
    uint32_t addr;
    uint8_t  plen;
    uint8_t  flags;                     /* IFA_F_SECONDARY */
    uint32_t broadcast;
    char     label[IFNAMSIZ];
};

/* Register the address code (ip_init does it): it drops a device's addresses when the
 * device goes (or changes namespace) and gives every loopback device 127.0.0.1/8. */
int  devinet_init(struct stack *st);

/* Add addr/plen (Linux __inet_insert_ifa). -EINVAL for plen outside 0..32, -EEXIST if
 * the device has this address with this length, -ENOMEM. */
int  inet_addr_add(struct netdev *dev, uint32_t addr, int plen);
/* Delete addr/plen (plen < 0: whatever its length), promoting a secondary if it was a
 * primary (Linux __inet_del_ifa). -EADDRNOTAVAIL if there is no such address. */
int  inet_addr_del(struct netdev *dev, uint32_t addr, int plen);
/* Delete every address, secondaries first so nothing is promoted half-way (the order
 * iproute2's flush ends up with). Returns how many went. */
int  inet_addr_flush(struct netdev *dev);
/* `ip address add|replace|change` (Linux inet_rtm_newaddr): nlflags are the request's
 * NLM_F_* flags. An existing address is left as it is with NLM_F_REPLACE (there is
 * nothing else to change here) and is -EEXIST otherwise; a missing one is added, even
 * without NLM_F_CREATE, as Linux does ("userspace already relies on" it). */
int  inet_rtm_newaddr(struct netdev *dev, uint32_t addr, int plen, unsigned nlflags, struct extack *ext);

/* The device in net owning addr (NULL if none). */
struct netdev *inet_addr_dev(struct net *net, uint32_t addr);
/* Primary address of dev usable to reach dst (same subnet first), 0 if none. */
uint32_t inet_select_addr(const struct netdev *dev, uint32_t dst);
/* Is addr a broadcast address of some address on dev? */
bool inet_is_bcast(const struct netdev *dev, uint32_t addr);

#endif

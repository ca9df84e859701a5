/*
 * veth/veth.h — virtual Ethernet pairs (Linux: drivers/net/veth.c).
 *
 * `ip link add A type veth peer name B [netns NS]` makes two devices joined back to
 * back: what one transmits, the other receives. The ends may live in different
 * namespaces, which is how namespaces are wired together.
 */
#ifndef TS_VETH_H
#define TS_VETH_H
#include "net/types.h"

struct netdev;

/* Register the "veth" link kind with the stack (Linux: veth_init -> rtnl_link_register).
 * 0 or -errno. */
int veth_init(struct stack *st);
/* The other end of a veth device, or NULL (not a veth, or its peer is gone). */
struct netdev *veth_peer(const struct netdev *dev);

#endif

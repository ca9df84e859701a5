/*
 * net/tap.h — the TAP driver: a Linux TAP device is tapstack's network card.
 * The only file in the core that reads, writes or ioctls a real fd.
 */
#ifndef TS_TAP_H
#define TS_TAP_H
#include "types.h"

/* Create the host interface `ifname` (/dev/net/tun, IFF_TAP | IFF_NO_PI) and the stack
 * device `name` on top of it. NULL with a message in err on failure. */
struct netdev *tap_create(struct net *net, const char *name, const char *ifname, char *err, size_t errlen);
int  tap_fd(const struct netdev *dev);
bool netdev_is_tap(const struct netdev *dev);
/* NAPI-style poll: read up to budget frames and run the receive path for each.
 * Returns the number read; < budget means the fd is drained. */
/* Read up to budget frames into the stack. Returns how many, or -ENOBUFS when not one
 * could be read for want of a packet buffer: then keep the device masked and poll
 * again after a pause (TAP_REFILL_DELAY_MS), never at once. */
int  tap_poll(struct netdev *dev, int budget);
#define TAP_REFILL_DELAY_MS 1
/* Called when the device is destroyed (the event loop stops watching the fd). */
void tap_set_destroy_cb(struct netdev *dev, void (*cb)(struct netdev *dev, void *arg), void *arg);
/* Give the host side an address and bring it up (the default lab's 10.0.0.1/24). */
int  tap_host_config(const char *ifname, uint32_t addr, int plen, char *err, size_t errlen);

#endif

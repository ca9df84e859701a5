/*
 * net/netlink.h — what a configuration request carries besides its data, as Linux's
 * rtnetlink has it: the request flags (NLM_F_*) and the extended ack (extack) in which
 * the kernel says why it refused.
 *
 * tapstack has no netlink socket: the shell (iproute2's and net-tools' commands) calls the
 * core's configuration functions directly — ip_route_add, inet_rtm_newaddr,
 * neigh_admin_set, link_newlink ... Each validates the request with the kernel's rules
 * and returns 0 or -errno; when Linux would attach a message (NL_SET_ERR_MSG) it puts the
 * same text in the extack, and iproute2's front end prints it as "Error: TEXT.".
 */
#ifndef TS_NETLINK_H
#define TS_NETLINK_H
#include <stdio.h>

/* Request flags, Linux's values (include/uapi/linux/netlink.h). `ip X add` sends
 * CREATE|EXCL, `replace` CREATE|REPLACE, `change` REPLACE, `append` CREATE|APPEND. */
#define NLM_F_REPLACE 0x100     /* override an existing object */
#define NLM_F_EXCL    0x200     /* do not touch an existing object */
#define NLM_F_CREATE  0x400     /* create if it does not exist */
#define NLM_F_APPEND  0x800     /* add to the end of the list */

/* Linux struct netlink_ext_ack: msg is NULL (no message), a string literal, or buf. */
struct extack {
    const char *msg;
    char        buf[256];
};

#define NL_SET_ERR_MSG(ext, text) do { if (ext) (ext)->msg = (text); } while (0)
/* Linux NL_SET_ERR_MSG_FMT: a message with the request's own words in it. */
#define NL_SET_ERR_MSG_FMT(ext, ...) do {                                   \
        if (ext) {                                                          \
            snprintf((ext)->buf, sizeof((ext)->buf), __VA_ARGS__);          \
            (ext)->msg = (ext)->buf;                                        \
        }                                                                   \
    } while (0)

#endif

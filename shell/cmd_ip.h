/*
 * shell/cmd_ip.h — what the network configuration commands share: `ip` (one file per
 * object, as iproute2: cmd_ip_link.c, cmd_ip_addr.c, cmd_ip_route.c, cmd_ip_neigh.c,
 * cmd_ip_netns.c, dispatched from cmd_ip.c), net-tools' `arp` and `route`
 * (cmd_nettools.c) and `bridge` / `fdb` (cmd_bridge.c). The helpers live in
 * cmd_ip_common.c.
 *
 * These files parse and print, nothing else. Every change goes through the core's
 * configuration calls (link_newlink / link_setlink / link_dellink, inet_rtm_newaddr /
 * inet_addr_del, ip_route_add / ip_route_del, neigh_admin_set / neigh_admin_del), which
 * own the kernel's rules and say why they refuse (an errno, and Linux's extack text).
 *
 * Output: what Debian 12 prints (iproute2 6.1, net-tools 2.10, Linux 6.1) wherever
 * tapstack holds the same state, byte for byte, trailing spaces included — iproute2 ends
 * every `ip route` line with a space, `ip -s link` pads its headers — because scripts and
 * learners diff the two. Where tapstack knows less than Linux, or Linux's choice depends on
 * history we don't keep, a comment starting "Linux:" says what differs and why.
 *
 * Errors: exactly one line on stderr through cmd_error, starting with the command's name
 * ("ip: ", "arp: ", "route: ", "bridge: ", "fdb: ") followed by the phrase the Linux tool
 * prints. Status 1 for a command line we can't parse, 2 for what the kernel would refuse
 * (iproute2's "RTNETLINK answers: ..." and extack "Error: ...." messages).
 *
 * State: none of their own. Every command reads and changes the namespace it runs in
 * (c->net, or NS of `ip -n NS`) and keeps nothing between commands. Pointers into the
 * FIB are never held across a change of the FIB.
 */
#ifndef TS_CMD_IP_H
#define TS_CMD_IP_H
#include "cmd.h"
#include "net/netdev.h"
#include "net/netlink.h"
#include "ip/fib.h"

enum { ST_OK = 0, ST_USAGE = 1, ST_KERNEL = 2 };

/* `ip route show table all` (RT_TABLE_MAIN and RT_TABLE_LOCAL are ip/ip.h's). */
enum { TABLE_ALL = 0 };

/* The global options of one `ip` command line. */
struct ipopt {
    struct net *net;        /* -n NS, else the namespace the command runs in */
    int  stats;             /* -s */
    bool details;           /* -d */
    bool brief;             /* -br */
    bool inet_only;         /* -4 */
};

/* ---- output ---- */

/* One output line (or a few) built in pieces, then written with one cmd_printf. */
struct line { char b[4096]; size_t n; };
void put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void emit(struct cmd_ctx *c, struct line *l);

/* ---- errors: each prints one line and returns the status to return ---- */

/* "WHO: MESSAGE" on stderr. */
int fail(struct cmd_ctx *c, const char *who, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* iproute2 when the kernel says no: "Error: MSG." with the extack's message, else
 * "RTNETLINK answers: strerror(err)". */
int rtnl_fail(struct cmd_ctx *c, int err, const struct extack *ext);
/* iproute2's own words for a bad command line. */
int incomplete(struct cmd_ctx *c);
int garbage(struct cmd_ctx *c, const char *key, const char *word);
int invarg(struct cmd_ctx *c, const char *what, const char *word);
/* iproute2 names the family it expected: "inet" once an IPv4 word was seen, else "any valid". */
int bad_prefix(struct cmd_ctx *c, bool inet_known, const char *word);
int bad_address(struct cmd_ctx *c, bool inet_known, const char *word);

/* iproute2 argument loops: the word after a keyword, or "not complete". Uses i/argc/argv. */
#define NEXT_ARG() do { if (++i >= argc) return incomplete(c); } while (0)

/* ---- parsing ---- */

/* iproute2's matches(): word is a non-empty prefix of full ("sh" for "show"). */
bool matches(const char *word, const char *full);
/* "A.B.C.D[/N]", "default", "all" or "any" (0/0), as iproute2's get_prefix. */
bool parse_prefix(const char *s, uint32_t *addr, int *plen);
bool parse_u32(const char *s, uint32_t *v);
/* aa:bb:cc:dd:ee:ff; like iproute2's ll_addr_a2n a byte may also be one digit. */
bool parse_mac(const char *s, struct eth_addr *a);
/* The device, or NULL after printing iproute2's "Cannot find device". */
struct netdev *find_dev(struct cmd_ctx *c, struct net *net, const char *name);
/* `ip link show` and `ip address show`: [dev] NAME, [up]. Returns ST_OK and the device
 * (NULL: all) or the status of the error it printed. */
int parse_show_dev(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv,
                   struct netdev **only, bool *up_only);
/* The device's name, or "ifN" when it is gone. */
const char *ifname_of(struct net *net, int ifindex, char buf[16]);

/* ---- routes, for `ip route` and net-tools' `route` ---- */

/* Local and broadcast routes are Linux's table local; the rest, table main. */
bool main_table_type(uint8_t type);
/* Every route, in the order Linux dumps its trie: ascending prefix, and for one prefix
 * the longer masks first; routes of one prefix/plen in the FIB's preference order.
 * Copies, so the FIB may change while the list is used. false: out of memory. */
struct rt_item { struct fib_route r; size_t seq; };
struct rt_list { struct rt_item *v; size_t n, cap; bool oom; };
bool rt_list_load(struct net *net, struct rt_list *L);

/* ---- what `ip address` borrows from `ip link` (cmd_ip_link.c) ---- */

/* The flags as the kernel reports them (dev_get_flags). */
unsigned link_flags(const struct netdev *d);
/* RFC 2863 state as iproute2 names it: "UP", "DOWN", "UNKNOWN", ... */
const char *link_state(const struct netdev *d);
/* "N: NAME: <FLAGS> mtu ..." and the link/ether line, without the final newline.
 * do_link: `ip link` (adds "mode DEFAULT" and -s statistics). */
void put_link(struct line *l, const struct ipopt *o, const struct netdev *d, bool do_link);

/* ---- the `ip` objects ---- */
int ip_link(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv);
int ip_addr(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv);
int ip_route(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv);
int ip_neigh(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv);
int ip_netns(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv);

#endif

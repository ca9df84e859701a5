/*
 * ip/fib.h — the IPv4 forwarding information base: one longest-prefix-match table per
 * namespace (Linux keeps "local" and "main" tables; we keep one table whose routes carry a
 * type, and `ip route show` prints the unicast ones as Linux prints table main).
 *
 * The table is a path-compressed binary trie (Linux: net/ipv4/fib_trie.c, an LC-trie), so a
 * lookup costs at most 32 node visits whatever the number of routes; 100,000 routes stay fast.
 * Addresses are host byte order. The table owns copies of the routes it holds.
 */
#ifndef TS_FIB_H
#define TS_FIB_H
#include <stdbool.h>
#include <stdint.h>

enum rtn_type  { RTN_UNICAST = 1, RTN_LOCAL = 2, RTN_BROADCAST = 3, RTN_MULTICAST = 5,
                 RTN_BLACKHOLE = 6, RTN_UNREACHABLE = 7, RTN_PROHIBIT = 8 };
enum rt_scope  { RT_SCOPE_UNIVERSE = 0, RT_SCOPE_LINK = 253, RT_SCOPE_HOST = 254, RT_SCOPE_NOWHERE = 255 };
enum rt_proto  { RTPROT_KERNEL = 2, RTPROT_BOOT = 3, RTPROT_STATIC = 4 };

struct fib_route {
    uint32_t prefix;        /* already masked to plen */
    uint8_t  plen;          /* 0..32 */
    uint8_t  type;          /* enum rtn_type */
    uint8_t  scope;         /* enum rt_scope */
    uint8_t  protocol;      /* enum rt_proto */
    uint32_t gateway;       /* 0: directly connected */
    int      ifindex;       /* output device */
    uint32_t prefsrc;       /* 0: none ("src" in ip route show) */
    uint32_t metric;        /* lower wins among routes of the same prefix */
    uint8_t  nh_flags;      /* RTNH_F_ONLINK as given (Linux fib_nh.fib_nh_flags) */
};

struct fib_table;

struct fib_table *fib_table_new(void);
void fib_table_free(struct fib_table *t);

/* Add a route. -EEXIST if a route with the same prefix, plen, type, metric exists
 * (Linux: "RTNETLINK answers: File exists"); -ENOMEM on allocation failure; -EINVAL if
 * plen > 32. Host bits of r->prefix are cleared in the stored copy. */
int fib_insert(struct fib_table *t, const struct fib_route *r);

/* Delete the first route with this prefix/plen that matches every non-zero field of
 * `match` among gateway, ifindex, type and metric (match may be NULL: any).
 * "First" is in preference order (as fib_lookup ranks them).
 * Returns 0, or -ESRCH when nothing matched (-EINVAL if plen is outside 0..32). */
int fib_delete(struct fib_table *t, uint32_t prefix, int plen, const struct fib_route *match);

/* Delete every route whose ifindex is `ifindex` (a link went down / was deleted);
 * returns how many were removed. */
int fib_flush_dev(struct fib_table *t, int ifindex);

/* Longest-prefix match: the most specific route covering addr; among routes of that
 * same prefix the lowest metric, then RTN_LOCAL/RTN_BROADCAST before RTN_UNICAST
 * (other types after RTN_UNICAST; remaining ties: the earlier-inserted route).
 * NULL when nothing covers addr. The pointer is valid until the table is next modified. */
const struct fib_route *fib_lookup(const struct fib_table *t, uint32_t addr);

/* The same lookup restricted to the routes Linux keeps in table local (types local and
 * broadcast): the most specific of those covering addr, NULL if none. */
const struct fib_route *fib_lookup_local(const struct fib_table *t, uint32_t addr);

/* Exact-prefix lookup (NULL if none): the preferred route of that prefix/plen. */
const struct fib_route *fib_find(const struct fib_table *t, uint32_t prefix, int plen);

/* Visit the routes of exactly prefix/plen, in preference order, until fn returns
 * non-zero (returned); 0 when all were visited or there are none. fn must not modify
 * the table. */
int fib_walk_prefix(const struct fib_table *t, uint32_t prefix, int plen,
                    int (*fn)(const struct fib_route *r, void *arg), void *arg);

/* Visit every route in ascending (prefix, plen) order — the order `ip route show` prints;
 * routes of one prefix come in preference order. Stop early when fn returns non-zero.
 * fn must not modify the table. */
void fib_walk(const struct fib_table *t, int (*fn)(const struct fib_route *r, void *arg), void *arg);

unsigned fib_count(const struct fib_table *t);
/* Changes with every insert, delete or flush that changed the table (Linux fib_seq): a
 * cached lookup made at another value may be stale (ip/dst.h). */
uint32_t fib_genid(const struct fib_table *t);

#endif

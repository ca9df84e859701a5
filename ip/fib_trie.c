/*
 * ip/fib_trie.c — the IPv4 FIB as a path-compressed binary (PATRICIA) trie.
 *
 * Model: Linux net/ipv4/fib_trie.c, which stores routes in a level-compressed trie whose
 * nodes carry a key and the bit position they branch on, skipping the bits every key below
 * them shares, so depth depends on the address width and not on the number of routes.
 * We keep the path compression but not the level compression (each node branches on
 * one bit, two children), and we differ in one deliberate way: every (prefix, plen) that
 * has routes gets its own node, keyed by the masked prefix and with "branch bit" == plen.
 *
 *   struct fib_node { key, plen, aliases, child[2] }
 *
 *   - key is masked to plen; every node in the subtree of n has a key that agrees with
 *     n->key in the first n->plen bits and a strictly larger plen. child[b] holds the keys
 *     whose bit number n->plen (bit 0 = most significant) is b.
 *   - A node with aliases is a real prefix. A node without aliases is a pure branching
 *     ("intermediate") node, created where two keys diverge; it always has two children,
 *     and deletion removes it as soon as it would have fewer.
 *
 * Consequences of that layout:
 *   - plen strictly grows along any root-to-leaf path, so a path has at most 33 nodes
 *     (plens 0..32): lookup, insert and delete visit at most 33 nodes, and the explicit
 *     stacks used by the walks below never need more than 33 slots. No recursion anywhere.
 *   - The real nodes on the path that an address follows are exactly the prefixes that
 *     cover it, in increasing plen order, so longest-prefix match is "the last real node
 *     whose prefix matched" and, unlike Linux's leaf-then-backtrack lookup, never has to
 *     back up.
 *   - A pre-order walk (node, then child[0], then child[1]) visits prefixes in ascending
 *     (prefix, plen) order: descendants extend the node's key with more bits, so they sort
 *     after it, and child[0]'s keys all sort before child[1]'s. That is `ip route show`
 *     order for free.
 *
 * Each real node keeps its routes (Linux calls them fib_aliases) in a singly linked list
 * sorted best-first — lowest metric, then RTN_LOCAL/RTN_BROADCAST, then RTN_UNICAST, then
 * the other types, then insertion order — so lookup returns the head and never scans.
 */
#include "fib.h"
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#define FIB_MAX_DEPTH 33    /* plens 0..32, strictly increasing down any path */

struct fib_alias {
    struct fib_route  r;
    struct fib_alias *next;
};

struct fib_node {
    uint32_t          key;      /* masked to plen */
    uint8_t           plen;     /* prefix length, and also the bit this node branches on */
    struct fib_alias *aliases;  /* NULL: intermediate node (then both children exist) */
    struct fib_node  *child[2];
};

struct fib_table {
    struct fib_node *root;
    unsigned         nroutes;
    uint32_t         genid;         /* bumped by every change (Linux fib_seq) */
};

/* Netmask for plen 0..32; written so we never shift a 32-bit value by 32 (undefined). */
static inline uint32_t fib_mask(unsigned plen)
{
    return plen == 0 ? 0 : ~(uint32_t)0 << (32 - plen);
}

/* Bit `pos` (0 = most significant) of key; only called with pos < 32. */
static inline unsigned fib_bit(uint32_t key, unsigned pos)
{
    return (key >> (31 - pos)) & 1u;
}

/* How many leading bits a and b share, capped at limit (<= 32). */
static inline unsigned fib_common_len(uint32_t a, uint32_t b, unsigned limit)
{
    uint32_t diff = a ^ b;
    unsigned n = diff ? (unsigned)__builtin_clz(diff) : 32;
    return n < limit ? n : limit;
}

/* Lower is preferred among routes of the same prefix and metric: a local or broadcast
 * route must win over a unicast one so that our own addresses are delivered locally;
 * the reject types (blackhole, unreachable, prohibit) only win if nothing else exists. */
static int fib_type_rank(uint8_t type)
{
    switch (type) {
    case RTN_LOCAL:
    case RTN_BROADCAST: return 0;
    case RTN_UNICAST:   return 1;
    default:            return 2;
    }
}

/* True if a should be placed before b in a node's alias list. */
static bool fib_alias_before(const struct fib_route *a, const struct fib_route *b)
{
    if (a->metric != b->metric) return a->metric < b->metric;
    return fib_type_rank(a->type) < fib_type_rank(b->type);
}

static void fib_aliases_free(struct fib_alias *fa)
{
    while (fa) {
        struct fib_alias *next = fa->next;
        free(fa);
        fa = next;
    }
}

struct fib_table *fib_table_new(void)
{
    return calloc(1, sizeof(struct fib_table));
}

void fib_table_free(struct fib_table *t)
{
    if (!t) return;
    /* Depth-first with an explicit stack: each level leaves at most one sibling pending,
     * so the stack never holds more than FIB_MAX_DEPTH + 1 nodes. */
    struct fib_node *stack[FIB_MAX_DEPTH + 2];
    int sp = 0;
    if (t->root) stack[sp++] = t->root;
    while (sp > 0) {
        struct fib_node *n = stack[--sp];
        if (n->child[1]) stack[sp++] = n->child[1];
        if (n->child[0]) stack[sp++] = n->child[0];
        fib_aliases_free(n->aliases);
        free(n);
    }
    free(t);
}

static struct fib_node *fib_node_new(uint32_t key, unsigned plen)
{
    struct fib_node *n = calloc(1, sizeof(*n));
    if (!n) return NULL;
    n->key = key;
    n->plen = (uint8_t)plen;
    return n;
}

/* Put a copy of r into n's alias list at its sorted position, after any equally ranked
 * routes so that ties keep insertion order. n's existing routes were checked for EEXIST. */
static int fib_alias_add(struct fib_node *n, const struct fib_route *r)
{
    struct fib_alias *fa = malloc(sizeof(*fa));
    if (!fa) return -ENOMEM;
    fa->r = *r;
    struct fib_alias **pp = &n->aliases;
    while (*pp && !fib_alias_before(r, &(*pp)->r)) pp = &(*pp)->next;
    fa->next = *pp;
    *pp = fa;
    return 0;
}

int fib_insert(struct fib_table *t, const struct fib_route *r)
{
    if (!t || !r || r->plen > 32) return -EINVAL;
    const unsigned plen = r->plen;
    struct fib_route nr = *r;
    nr.prefix &= fib_mask(plen);        /* callers may pass host bits; never store them */
    const uint32_t key = nr.prefix;

    struct fib_node **slot = &t->root;
    struct fib_node *n;
    unsigned common = 0;
    while ((n = *slot) != NULL) {
        common = fib_common_len(n->key, key, n->plen < plen ? n->plen : plen);
        if (common < n->plen) break;        /* key leaves n's subtree: splice in above n */
        if (n->plen == plen) {              /* exact node exists (maybe intermediate) */
            for (const struct fib_alias *fa = n->aliases; fa; fa = fa->next)
                if (fa->r.type == nr.type && fa->r.metric == nr.metric) return -EEXIST;
            int err = fib_alias_add(n, &nr);
            if (!err) { t->nroutes++; t->genid++; }
            return err;
        }
        slot = &n->child[fib_bit(key, n->plen)];   /* n covers key and is shorter: descend */
    }

    struct fib_node *leaf = fib_node_new(key, plen);
    if (!leaf) return -ENOMEM;
    if (fib_alias_add(leaf, &nr)) {
        free(leaf);
        return -ENOMEM;
    }

    if (!n) {
        *slot = leaf;                       /* empty slot: plain append */
    } else if (common == plen) {
        /* The new prefix covers n (it is n's prefix, shorter): it becomes n's parent.
         * plen < n->plen here, so fib_bit(n->key, plen) is valid. */
        leaf->child[fib_bit(n->key, plen)] = n;
        *slot = leaf;
    } else {
        /* n and the new key diverge at bit `common`, before either prefix ends: a branching
         * node on their shared prefix gets them as its two children. */
        struct fib_node *im = fib_node_new(key & fib_mask(common), common);
        if (!im) {
            fib_aliases_free(leaf->aliases);
            free(leaf);
            return -ENOMEM;
        }
        unsigned b = fib_bit(key, common);
        im->child[b] = leaf;
        im->child[!b] = n;
        *slot = im;
    }
    t->nroutes++;
    t->genid++;
    return 0;
}

/* n (at *slot, whose parent node is `parent`, at *pslot) just lost its last alias.
 * Restore the invariant that intermediate nodes have two children. */
static void fib_node_prune(struct fib_node **slot, struct fib_node *parent, struct fib_node **pslot)
{
    struct fib_node *n = *slot;
    if (n->child[0] && n->child[1]) return;   /* still needed to branch */
    *slot = n->child[0] ? n->child[0] : n->child[1];
    free(n);
    /* Only when n vanished entirely did the parent lose a child; a parent that exists
     * solely to branch is then pointless and is replaced by its remaining child. */
    if (*slot == NULL && parent && !parent->aliases) {
        *pslot = parent->child[0] ? parent->child[0] : parent->child[1];
        free(parent);
    }
}

static bool fib_route_matches(const struct fib_route *r, const struct fib_route *m)
{
    if (!m) return true;
    return (!m->gateway || m->gateway == r->gateway) &&
           (!m->ifindex || m->ifindex == r->ifindex) &&
           (!m->type    || m->type    == r->type) &&
           (!m->metric  || m->metric  == r->metric);
}

int fib_delete(struct fib_table *t, uint32_t prefix, int plen, const struct fib_route *match)
{
    if (!t || plen < 0 || plen > 32) return -EINVAL;
    const uint32_t key = prefix & fib_mask((unsigned)plen);

    struct fib_node **slot = &t->root, **pslot = NULL;
    struct fib_node *parent = NULL, *n;
    while ((n = *slot) != NULL && n->plen < plen) {
        if ((key ^ n->key) & fib_mask(n->plen)) return -ESRCH;
        parent = n;
        pslot = slot;
        slot = &n->child[fib_bit(key, n->plen)];
    }
    if (!n || n->plen != plen || n->key != key) return -ESRCH;

    for (struct fib_alias **pp = &n->aliases; *pp; pp = &(*pp)->next) {
        struct fib_alias *fa = *pp;
        if (!fib_route_matches(&fa->r, match)) continue;
        *pp = fa->next;
        free(fa);
        t->nroutes--;
        t->genid++;
        if (!n->aliases) fib_node_prune(slot, parent, pslot);
        return 0;
    }
    return -ESRCH;
}

int fib_flush_dev(struct fib_table *t, int ifindex)
{
    if (!t) return 0;
    int removed = 0;
    /* Post-order over slots: a node is examined only after both subtrees are final, so
     * splicing it out cannot disturb work still pending, and a node that became a useless
     * intermediate because its children vanished is caught when its own turn comes. */
    struct { struct fib_node **slot; int state; } stack[FIB_MAX_DEPTH + 1];
    int sp = 0;
    if (t->root) {
        stack[0].slot = &t->root;
        stack[0].state = 0;
        sp = 1;
    }
    while (sp > 0) {
        struct fib_node **slot = stack[sp - 1].slot;
        struct fib_node *n = *slot;
        if (stack[sp - 1].state < 2) {
            int c = stack[sp - 1].state++;
            if (n->child[c]) {
                stack[sp].slot = &n->child[c];
                stack[sp].state = 0;
                sp++;
            }
            continue;
        }
        sp--;
        for (struct fib_alias **pp = &n->aliases; *pp;) {
            struct fib_alias *fa = *pp;
            if (fa->r.ifindex == ifindex) {
                *pp = fa->next;
                free(fa);
                removed++;
            } else {
                pp = &fa->next;
            }
        }
        if (!n->aliases && !(n->child[0] && n->child[1])) {
            *slot = n->child[0] ? n->child[0] : n->child[1];
            free(n);
        }
    }
    t->nroutes -= (unsigned)removed;
    if (removed) t->genid++;
    return removed;
}

const struct fib_route *fib_lookup(const struct fib_table *t, uint32_t addr)
{
    if (!t) return NULL;
    const struct fib_node *best = NULL;
    const struct fib_node *n = t->root;
    while (n) {
        /* Everything below n shares n's prefix, so the first mismatch ends the search. */
        if ((addr ^ n->key) & fib_mask(n->plen)) break;
        if (n->aliases) best = n;
        if (n->plen == 32) break;
        n = n->child[fib_bit(addr, n->plen)];
    }
    return best ? &best->aliases->r : NULL;
}

const struct fib_route *fib_lookup_local(const struct fib_table *t, uint32_t addr)
{
    if (!t) return NULL;
    const struct fib_route *best = NULL;
    for (const struct fib_node *n = t->root; n; n = n->child[fib_bit(addr, n->plen)]) {
        if ((addr ^ n->key) & fib_mask(n->plen)) break;
        /* a node may hold a main-table route first (a lower metric): look past it */
        for (const struct fib_alias *fa = n->aliases; fa; fa = fa->next)
            if (fa->r.type == RTN_LOCAL || fa->r.type == RTN_BROADCAST) { best = &fa->r; break; }
        if (n->plen == 32) break;
    }
    return best;
}

/* The real node of exactly prefix/plen, or NULL. */
static const struct fib_node *fib_find_node(const struct fib_table *t, uint32_t prefix, int plen)
{
    if (!t || plen < 0 || plen > 32) return NULL;
    const uint32_t key = prefix & fib_mask((unsigned)plen);
    const struct fib_node *n = t->root;
    while (n && n->plen < plen) {
        if ((key ^ n->key) & fib_mask(n->plen)) return NULL;
        n = n->child[fib_bit(key, n->plen)];
    }
    if (!n || n->plen != plen || n->key != key || !n->aliases) return NULL;
    return n;
}

const struct fib_route *fib_find(const struct fib_table *t, uint32_t prefix, int plen)
{
    const struct fib_node *n = fib_find_node(t, prefix, plen);
    return n ? &n->aliases->r : NULL;
}

int fib_walk_prefix(const struct fib_table *t, uint32_t prefix, int plen,
                    int (*fn)(const struct fib_route *r, void *arg), void *arg)
{
    const struct fib_node *n = fib_find_node(t, prefix, plen);
    for (const struct fib_alias *fa = n ? n->aliases : NULL; fa; fa = fa->next) {
        int rc = fn(&fa->r, arg);
        if (rc) return rc;
    }
    return 0;
}

void fib_walk(const struct fib_table *t, int (*fn)(const struct fib_route *r, void *arg), void *arg)
{
    if (!t || !fn) return;
    /* Pre-order (node, child[0], child[1]) is ascending (prefix, plen); see the top. */
    const struct fib_node *stack[FIB_MAX_DEPTH + 2];
    int sp = 0;
    if (t->root) stack[sp++] = t->root;
    while (sp > 0) {
        const struct fib_node *n = stack[--sp];
        for (const struct fib_alias *fa = n->aliases; fa; fa = fa->next)
            if (fn(&fa->r, arg)) return;
        if (n->child[1]) stack[sp++] = n->child[1];
        if (n->child[0]) stack[sp++] = n->child[0];
    }
}

uint32_t fib_genid(const struct fib_table *t) { return t ? t->genid : 0; }

unsigned fib_count(const struct fib_table *t)
{
    return t ? t->nroutes : 0;
}

/*
 * shell/cmd_ip_common.c — output, error and parsing helpers shared by the network
 * configuration commands (see cmd_ip.h).
 */
#include "cmd_ip.h"
#include "ip/ip.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ output */

void put(struct line *l, const char *fmt, ...)
{
    if (l->n >= sizeof(l->b) - 1) return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(l->b + l->n, sizeof(l->b) - l->n, fmt, ap);
    va_end(ap);
    if (k > 0) l->n = MIN(l->n + (size_t)k, sizeof(l->b) - 1);
}

void emit(struct cmd_ctx *c, struct line *l)
{
    if (l->n) cmd_printf(c, "%s", l->b);
    l->n = 0;
    l->b[0] = 0;
}

/* ------------------------------------------------------------------ errors */

int fail(struct cmd_ctx *c, const char *who, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cmd_error(c, "%s: %s", who, msg);
    return status;
}

/* iproute2 >= 4.12 prints the kernel's extack message instead of the errno when there is
 * one (nl_dump_ext_ack). */
int rtnl_fail(struct cmd_ctx *c, int err, const struct extack *ext)
{
    if (ext && ext->msg) return fail(c, "ip", ST_KERNEL, "Error: %s.", ext->msg);
    return fail(c, "ip", ST_KERNEL, "RTNETLINK answers: %s", strerror(err < 0 ? -err : err));
}

int incomplete(struct cmd_ctx *c)
{
    return fail(c, "ip", ST_USAGE, "Command line is not complete. Try option \"help\"");
}

int garbage(struct cmd_ctx *c, const char *key, const char *word)
{
    return fail(c, "ip", ST_USAGE, "Error: either \"%s\" is duplicate, or \"%s\" is a garbage.", key, word);
}

int invarg(struct cmd_ctx *c, const char *what, const char *word)
{
    return fail(c, "ip", ST_USAGE, "Error: argument \"%s\" is wrong: %s", word, what);
}

int bad_prefix(struct cmd_ctx *c, bool inet_known, const char *word)
{
    return fail(c, "ip", ST_USAGE, "Error: %s prefix is expected rather than \"%s\".",
                inet_known ? "inet" : "any valid", word);
}

int bad_address(struct cmd_ctx *c, bool inet_known, const char *word)
{
    return fail(c, "ip", ST_USAGE, "Error: %s address is expected rather than \"%s\".",
                inet_known ? "inet" : "any valid", word);
}

/* ------------------------------------------------------------------ parsing */

bool matches(const char *word, const char *full)
{
    size_t n = strlen(word);
    return n > 0 && n <= strlen(full) && strncmp(word, full, n) == 0;
}

bool parse_prefix(const char *s, uint32_t *addr, int *plen)
{
    if (!strcmp(s, "any")) { *addr = 0; *plen = 0; return true; }
    return ip4_prefix_pton(s, addr, plen);
}

bool parse_u32(const char *s, uint32_t *v)
{
    if (!*s || *s == '-' || *s == '+') return false;
    char *end;
    unsigned long long x = strtoull(s, &end, 0);
    if (*end || x > UINT32_MAX) return false;
    *v = (uint32_t)x;
    return true;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

bool parse_mac(const char *s, struct eth_addr *a)
{
    if (eth_pton(s, a)) return true;
    for (int i = 0; i < ETH_ALEN; i++) {
        int hi = hexval(*s), lo;
        if (hi < 0) return false;
        s++;
        if ((lo = hexval(*s)) >= 0) { hi = hi * 16 + lo; s++; }
        a->b[i] = (uint8_t)hi;
        if (i < ETH_ALEN - 1 && *s++ != ':') return false;
    }
    return *s == 0;
}

struct netdev *find_dev(struct cmd_ctx *c, struct net *net, const char *name)
{
    struct netdev *d = netdev_by_name(net, name);
    if (!d) fail(c, "ip", ST_USAGE, "Cannot find device \"%s\"", name);
    return d;
}

const char *ifname_of(struct net *net, int ifindex, char buf[16])
{
    struct netdev *d = netdev_by_index(net, ifindex);
    if (d) return d->name;
    snprintf(buf, 16, "if%d", ifindex);
    return buf;
}

/* `ip link show` and `ip address show`: [dev] NAME, [up]. Returns ST_OK and the device
 * (NULL: all) or the status of the error it printed. */
int parse_show_dev(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv,
                   struct netdev **only, bool *up_only)
{
    const char *name = NULL;
    *only = NULL;
    *up_only = false;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "dev")) { NEXT_ARG(); name = argv[i]; }
        else if (!strcmp(argv[i], "up")) *up_only = true;
        else if (!name) name = argv[i];
        else return garbage(c, "dev", argv[i]);
    }
    if (name && !(*only = netdev_by_name(o->net, name)))
        return fail(c, "ip", ST_USAGE, "Device \"%s\" does not exist.", name);
    return ST_OK;
}

/* ------------------------------------------------------------------ routes */

bool main_table_type(uint8_t type) { return type != RTN_LOCAL && type != RTN_BROADCAST; }

static int rt_collect(const struct fib_route *r, void *arg)
{
    struct rt_list *L = arg;
    if (L->n == L->cap) {
        size_t cap = L->cap ? L->cap * 2 : 64;
        struct rt_item *v = realloc(L->v, cap * sizeof(*v));
        if (!v) { L->oom = true; return 1; }
        L->v = v;
        L->cap = cap;
    }
    L->v[L->n].r = *r;
    L->v[L->n].seq = L->n;
    L->n++;
    return 0;
}

/* Linux's dump order: fib_insert_alias keeps a leaf's aliases by suffix length. */
static int rt_cmp(const void *pa, const void *pb)
{
    const struct rt_item *a = pa, *b = pb;
    if (a->r.prefix != b->r.prefix) return a->r.prefix < b->r.prefix ? -1 : 1;
    if (a->r.plen != b->r.plen) return a->r.plen > b->r.plen ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

bool rt_list_load(struct net *net, struct rt_list *L)
{
    memset(L, 0, sizeof(*L));
    fib_walk(fib_get_table(net), rt_collect, L);
    if (L->oom) { free(L->v); L->v = NULL; L->n = 0; return false; }
    if (L->n > 1) qsort(L->v, L->n, sizeof(*L->v), rt_cmp);
    return true;
}

/*
 * net/stack.c — process context, namespaces, registration tables, drops.
 * Which layers exist is decided by whoever calls the *_init functions (ip/af_inet.c does
 * it for the full stack, as Linux's inet_init); this file knows none of them.
 */
#include "stack.h"
#include "netdev.h"
#include "sysctl.h"
#include "trace.h"
#include "sock.h"
#include "socket.h"
#include "sch_generic.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* xoshiro256** seeded through splitmix64: small, fast, and reproducible from one seed. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint32_t stack_rand32(struct stack *st)
{
    uint64_t *s = st->rng;
    uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rotl(s[3], 45);
    return (uint32_t)(r >> 32);
}

uint32_t stack_rand_range(struct stack *st, uint32_t lo, uint32_t hi)
{
    if (hi <= lo) return lo;
    uint64_t span = (uint64_t)hi - lo + 1;
    return lo + (uint32_t)(((uint64_t)stack_rand32(st) * span) >> 32);
}

struct stack *stack_new(const struct stack_cfg *cfg)
{
    struct stack *st = calloc(1, sizeof(*st));
    if (!st) return NULL;
    if (pkt_pool_init(&st->pool, cfg->pool_max) < 0) { free(st); return NULL; }
    uint64_t x = cfg->seed;
    for (int i = 0; i < 4; i++) st->rng[i] = splitmix64(&x);
    /* one more draw of the seeding sequence, not of the generator: the numbers the
     * generator hands out stay what they were */
    st->flow_hash_key = (uint32_t)splitmix64(&x);
    st->virtual_clock = cfg->virtual_clock;
    st->now_us = cfg->start_us;
    st->netdev_max_backlog = 1000;
    st->rmem_default = st->rmem_max = 212992;      /* Linux's net.core.{r,w}mem_{default,max} */
    st->wmem_default = st->wmem_max = 212992;
    st->dev_weight = 64;
    st->pool_max_bytes = (int)st->pool.mem_max;
    return st;
}

void stack_free(struct stack *st)
{
    if (!st) return;
    st->log = NULL;                 /* journeys cut short by the teardown are not printed */
    ts_fd_table_free(st);           /* descriptors the program left open */
    /* Namespaces other than init_net first, then init_net (devices may point across). */
    while (st->nets && st->nets->next) net_free(st->nets->next);
    if (st->nets) net_free(st->nets);
    while (st->ready_head) {           /* closed sockets waiting to report: release */
        struct sock *sk = st->ready_head;
        st->ready_head = sk->ready_next;
        sk->on_ready = false;
        sock_release_ready(sk);
    }
    st->ready_tail = NULL;
    while (st->backlog_head) {
        struct pkt *p = st->backlog_head;
        st->backlog_head = p->next;
        pkt_free(p);
    }
    timer_heap_free(&st->timers);
    pkt_pool_free(&st->pool);
    free(st);
}

uint64_t stack_next_deadline(const struct stack *st)
{
    if (st->backlog_head || st->ready_head || st->tx_sched_head) return st->now_us;
    return timer_next_deadline(&st->timers);
}

void stack_poll(struct stack *st)
{
    /* Bounded: timers that re-arm at "now" and backlog work both make progress per round. */
    for (int round = 0; round < 1000; round++) {
        /* Each source is asked only when it has work: this runs after every batch. */
        int n = 0;
        if (timer_next_deadline(&st->timers) <= st->now_us) n += timers_run(&st->timers, st->now_us);
        if (st->tx_sched_head) n += net_tx_action(st);
        if (st->backlog_head) n += process_backlog(st, (int)st->dev_weight);
        if (st->ready_head) n += sock_run_ready(st);
        if (!n) break;
    }
}

void stack_log(struct stack *st, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (st->log) st->log(st->log_arg, line);
}

int eth_proto_register(struct stack *st, uint16_t type, eth_rcv_fn rcv, const char *name)
{
    for (int i = 0; i < st->n_eth_protos; i++)
        if (st->eth_protos[i].type == type) return -EEXIST;
    if (st->n_eth_protos == STACK_MAX_ETH_PROTOS) return -ENOSPC;
    st->eth_protos[st->n_eth_protos].type = type;
    st->eth_protos[st->n_eth_protos].rcv = rcv;
    st->eth_protos[st->n_eth_protos].name = name;
    st->n_eth_protos++;
    return 0;
}

int ip_proto_register(struct stack *st, uint8_t proto, const struct ip_proto *p)
{
    if (st->ip_protos[proto]) return -EEXIST;       /* as inet_add_protocol */
    st->ip_protos[proto] = p;
    return 0;
}

int net_notifier_register(struct stack *st, net_event_fn fn)
{
    if (st->n_notifiers == STACK_MAX_NOTIFIERS) return -ENOSPC;
    st->notifiers[st->n_notifiers++] = fn;
    return 0;
}

/* Ids of pernet_ops with state, handed out once for the life of the process: code, not
 * state, as Linux's net_generic_ids — every stack gives a layer the same slot. */
static unsigned net_generic_ids;

int pernet_register(struct stack *st, const struct pernet_ops *ops)
{
    for (int i = 0; i < st->n_pernet; i++)
        if (st->pernet[i] == ops) return -EEXIST;
    if (st->n_pernet == STACK_MAX_PERNET) return -ENOSPC;
    if (ops->id && !*ops->id) {
        if (net_generic_ids + 1 >= NET_GENERIC_MAX) return -ENOSPC;
        *ops->id = ++net_generic_ids;
    }
    st->pernet[st->n_pernet++] = ops;
    return 0;
}

void net_notify(struct netdev *dev, enum net_event ev, const void *info)
{
    struct stack *st = dev->net->st;
    for (int i = 0; i < st->n_notifiers; i++) st->notifiers[i](dev, ev, info);
}

static void pool_max_changed(struct net *net, struct sysctl_entry *e)
{
    net->st->pool.mem_max = (size_t)net->st->pool_max_bytes;
}

/* net.core.*: one set for the process, as Linux's rmem/wmem defaults are global; every
 * namespace shows them. (IPv4's net.ipv4.* belong to ip/, icmp/ and arp/.) */
static void core_sysctl_register(struct net *net)
{
    struct stack *st = net->st;
    sysctl_register(net, "net.core.rmem_default", &st->rmem_default, SC_INT, 256, 1 << 30, NULL, net);
    sysctl_register(net, "net.core.rmem_max", &st->rmem_max, SC_INT, 256, 1 << 30, NULL, net);
    sysctl_register(net, "net.core.wmem_default", &st->wmem_default, SC_INT, 256, 1 << 30, NULL, net);
    sysctl_register(net, "net.core.wmem_max", &st->wmem_max, SC_INT, 256, 1 << 30, NULL, net);
    sysctl_register(net, "net.core.netdev_max_backlog", (int *)&st->netdev_max_backlog, SC_INT, 1, 1 << 20, NULL, net);
    /* tapstack's own: the packet pool's memory cap (net/pkt.h). Lowering it below what is
     * allocated stops growth; nothing allocated is taken back. */
    sysctl_register(net, "net.core.pkt_pool_max_bytes", &st->pool_max_bytes, SC_INT, 1 << 20, 1 << 30,
                    pool_max_changed, net);
}

struct net *net_by_name(struct stack *st, const char *name)
{
    if (!name || !*name || !strcmp(name, "default")) return st->init_net;
    for (struct net *n = st->nets; n; n = n->next)
        if (!strcmp(n->name, name)) return n;
    return NULL;
}

/* Linux ops_init / ops_exit + ops_free: a layer's state exists from just before its init
 * until just after its exit. */
static int pernet_ops_init(const struct pernet_ops *ops, struct net *net)
{
    if (ops->id && ops->size) {
        net->gen[*ops->id] = calloc(1, ops->size);
        if (!net->gen[*ops->id]) return -ENOMEM;
    }
    int err = ops->init ? ops->init(net) : 0;
    if (err < 0 && ops->id) {
        free(net->gen[*ops->id]);
        net->gen[*ops->id] = NULL;
    }
    return err;
}

static void pernet_ops_exit(const struct pernet_ops *ops, struct net *net)
{
    if (ops->exit) ops->exit(net);
    if (ops->id) {
        free(net->gen[*ops->id]);
        net->gen[*ops->id] = NULL;
    }
}

static void net_unlink(struct net *net)
{
    struct stack *st = net->st;
    for (struct net **pp = &st->nets; *pp; pp = &(*pp)->next)
        if (*pp == net) { *pp = net->next; break; }
    if (st->init_net == net) st->init_net = NULL;
    sysctl_table_free(net->sysctl);
    free(net->sysctl);
    free(net);
}

struct net *net_new(struct stack *st, const char *name)
{
    if (st->init_net && net_by_name(st, name)) return NULL;
    struct net *net = calloc(1, sizeof(*net));
    if (!net) return NULL;
    net->sysctl = calloc(1, sizeof(*net->sysctl));
    if (!net->sysctl) { free(net); return NULL; }
    net->st = st;
    snprintf(net->name, sizeof(net->name), "%s", name ? name : "");
    net->next_ifindex = 1;
    net->ip_id_next = (uint16_t)stack_rand32(st);
    core_sysctl_register(net);
    /* Append, so init_net stays first. */
    struct net **pp = &st->nets;
    while (*pp) pp = &(*pp)->next;
    *pp = net;
    if (!st->init_net) st->init_net = net;
    for (int i = 0; i < st->n_pernet; i++) {
        if (pernet_ops_init(st->pernet[i], net) < 0) {
            /* unwind the ones that succeeded */
            for (int j = i - 1; j >= 0; j--) pernet_ops_exit(st->pernet[j], net);
            net_unlink(net);
            return NULL;
        }
    }
    return net;
}

void net_free(struct net *net)
{
    struct stack *st = net->st;
    ts_fd_net_exit(net);            /* descriptors of its sockets close with them */
    sock_net_exit(net);             /* sockets first: they hold protocol table entries */
    /* Devices first (they flush routes and neighbours through the notifiers). */
    while (net->devs) {
        struct netdev *d = net->devs;
        if (d == net->loopback && d->next) d = d->next;     /* loopback goes last */
        netdev_unregister(d);
    }
    for (int i = st->n_pernet - 1; i >= 0; i--) pernet_ops_exit(st->pernet[i], net);
    net_unlink(net);
}

struct pkt *net_pkt_alloc(struct net *net, size_t size)
{
    struct pkt *p = pkt_alloc(&net->st->pool, size);
    if (!p) net->drops[DROP_NOMEM]++;
    return p;
}

void pkt_drop(struct net *net, struct pkt *p, enum drop why)
{
    if (!p) return;
    if (net) {
        net->drops[why]++;
        TRACEF(p, "drop", "kfree_skb_reason", "%s", drop_name(why));
    }
    pkt_free(p);                    /* which ends the journey */
}

void pkt_consume(struct pkt *p)
{
    pkt_free(p);                    /* which ends the journey */
}

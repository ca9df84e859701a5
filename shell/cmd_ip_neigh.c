/*
 * shell/cmd_ip_neigh.c — `ip neigh` (iproute2's ip/ipneigh.c). Entries are set and
 * removed through neigh_admin_set / neigh_admin_del (arp/neigh_admin.c).
 */
#include "cmd_ip.h"
#include "arp/arp.h"
#include "ip/ip.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct { uint8_t state; const char *name; } nud_names[] = {   /* iproute2's order */
    { NUD_INCOMPLETE, "INCOMPLETE" }, { NUD_REACHABLE, "REACHABLE" }, { NUD_STALE, "STALE" },
    { NUD_DELAY, "DELAY" }, { NUD_PROBE, "PROBE" }, { NUD_FAILED, "FAILED" },
    { NUD_NOARP, "NOARP" }, { NUD_PERMANENT, "PERMANENT" },
};

static bool lookup_nud(const char *s, unsigned *state)
{
    if (!strcasecmp(s, "none")) { *state = NUD_NONE; return true; }
    for (size_t i = 0; i < ARRAY_SIZE(nud_names); i++)
        if (!strcasecmp(s, nud_names[i].name)) { *state = nud_names[i].state; return true; }
    return false;
}

/* Which entries `ip neigh show|flush` selects. state: iproute2's mask, 0x100 = NUD_NONE. */
struct neigh_sel {
    struct netdev *dev;
    unsigned state;
    bool     have_pfx;
    uint32_t pfx;
    int      plen;
};

static bool neigh_selected(const struct neigh *n, const struct neigh_sel *s)
{
    if (s->dev && n->dev != s->dev) return false;
    if (s->have_pfx && ((n->key ^ s->pfx) & ip4_mask(s->plen))) return false;
    return (s->state & n->nud_state) || (n->nud_state == NUD_NONE && (s->state & 0x100));
}

static int neigh_sel_parse(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv,
                           struct neigh_sel *s, bool flush)
{
    bool state_given = false;
    memset(s, 0, sizeof(*s));
    /* iproute2: show hides NOARP (and NONE); flush also spares PERMANENT */
    s->state = flush ? ~(unsigned)(NUD_PERMANENT | NUD_NOARP) : 0xff & ~(unsigned)NUD_NOARP;
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (!strcmp(w, "dev")) {
            NEXT_ARG();
            if (!(s->dev = find_dev(c, o->net, argv[i]))) return ST_USAGE;
        } else if (!strcmp(w, "nud")) {
            unsigned st;
            NEXT_ARG();
            if (!state_given) { state_given = true; s->state = 0; }
            if (!strcmp(argv[i], "all")) st = flush ? ~(unsigned)NUD_NOARP : ~0u;
            else if (!lookup_nud(argv[i], &st)) return invarg(c, "nud state is bad", argv[i]);
            if (st == 0) st = 0x100;
            s->state |= st;
        } else if (!strcmp(w, "unused") || !strcmp(w, "proxy") || !strcmp(w, "vrf") || !strcmp(w, "master")) {
            return fail(c, "ip", ST_USAGE, "\"ip neigh ... %s\" is not supported by tapstack", w);
        } else {
            if (!strcmp(w, "to")) NEXT_ARG();
            if (s->have_pfx) return garbage(c, "to", argv[i]);
            if (!parse_prefix(argv[i], &s->pfx, &s->plen)) return bad_prefix(c, false, argv[i]);
            s->have_pfx = true;
        }
    }
    return ST_OK;
}

static uint64_t secs_since(uint64_t now, uint64_t t) { return now > t ? (uint64_t)((now - t) / US_PER_S) : 0; }

/*
 * One line of `ip neigh`, exactly as Debian 12's iproute2 6.1 prints it (print_neigh):
 * every field is followed by a space, so lines end in one — "10.0.0.1 dev tap0 lladdr
 * 02:00:00:00:00:01 REACHABLE ". With -s, Linux's cacheinfo comes before the state as
 * iproute2 6.1 lays it out, quirks included: " used U/C/A" (seconds since last use,
 * confirmation, update) then "probes N " with no space before it. (" ref N" is left out:
 * tapstack has no route cache holding references.)
 * tapstack's extension of `ip -s neigh`, which no other stack shows, follows the state in
 * the same style: "next STATE in S.SSSs " — when the entry's timer fires and what it
 * leads to (neigh_next_transition: DELAY, STALE, PROBE, REACHABLE, FAILED, or "probe" for a
 * retransmitted solicitation) — and "sent N ", the solicitations sent over its life.
 */
static void put_neigh(struct line *l, const struct neigh *n, const struct ipopt *o, bool show_dev, uint64_t now)
{
    char ab[16], mac[18];
    put(l, "%s ", ip4_ntop(n->key, ab));
    if (show_dev) put(l, "dev %s ", n->dev->name);
    if (n->nud_state & NUD_VALID) put(l, "lladdr %s ", eth_ntop(&n->ha, mac));
    if (o->stats)
        put(l, " used %" PRIu64 "/%" PRIu64 "/%" PRIu64 "probes %u ", secs_since(now, n->used),
            secs_since(now, n->confirmed), secs_since(now, n->updated), n->probes);
    for (size_t i = 0; i < ARRAY_SIZE(nud_names); i++)
        if (n->nud_state & nud_names[i].state) put(l, "%s ", nud_names[i].name);
    if (o->stats) {
        uint64_t at;
        const char *what;
        if (neigh_next_transition(n, &at, &what)) {
            uint64_t left = at > now ? at - now : 0;
            put(l, "next %s in %" PRIu64 ".%03" PRIu64 "s ", what, (uint64_t)(left / US_PER_S), (uint64_t)((left % US_PER_S) / US_PER_MS));
        }
        if (n->probes_sent) put(l, "sent %" PRIu64 " ", n->probes_sent);
    }
    put(l, "\n");
}

/* Entries chosen by a walk, acted upon after it (the walk must not see the table change). */
struct neigh_pick { const struct neigh_sel *sel; struct neigh **v; size_t n, cap; bool oom; };

static void neigh_pick_cb(struct neigh *n, void *arg)
{
    struct neigh_pick *p = arg;
    if (!neigh_selected(n, p->sel) || p->oom) return;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 32;
        struct neigh **v = realloc(p->v, cap * sizeof(*v));
        if (!v) { p->oom = true; return; }
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = n;
}

static bool neigh_pick(struct net *net, const struct neigh_sel *s, struct neigh_pick *p)
{
    memset(p, 0, sizeof(*p));
    p->sel = s;
    if (arp_table(net)) neigh_for_each(arp_table(net), neigh_pick_cb, p);
    if (p->oom) { free(p->v); return false; }
    return true;
}

static int ip_neigh_show(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    struct neigh_sel s;
    struct neigh_pick p;
    int st = neigh_sel_parse(c, o, argc, argv, &s, false);
    if (st) return st;
    if (!neigh_pick(o->net, &s, &p)) return rtnl_fail(c, ENOMEM, NULL);
    for (size_t k = 0; k < p.n; k++) {
        struct line l = { .n = 0 };
        put_neigh(&l, p.v[k], o, !s.dev, c->st->now_us);
        emit(c, &l);
    }
    free(p.v);
    return ST_OK;
}

static int ip_neigh_flush(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    struct neigh_sel s;
    struct neigh_pick p;
    if (argc == 0) return fail(c, "ip", ST_USAGE, "Flush requires arguments.");
    int st = neigh_sel_parse(c, o, argc, argv, &s, true);
    if (st) return st;
    if (!neigh_pick(o->net, &s, &p)) return rtnl_fail(c, ENOMEM, NULL);
    size_t n = 0;           /* iproute2 deletes what it dumped, one RTM_DELNEIGH each */
    for (size_t k = 0; k < p.n; k++)
        if (neigh_admin_del(o->net, p.v[k]->dev, p.v[k]->key, NULL) == 0) n++;
    if (o->stats) {
        if (n) cmd_printf(c, "\n*** Round 1, deleting %zu entries ***\n*** Flush is complete after 1 round ***\n", n);
        else cmd_printf(c, "Nothing to flush.\n");
    }
    free(p.v);
    return ST_OK;
}

/* ip neigh add|change|replace|del|get ADDR [lladdr MAC] [nud STATE] dev DEV */
enum { NEIGH_DEL = 1, NEIGH_GET = 2 };

static int ip_neigh_modify(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv, unsigned nlflags, int what)
{
    const char *dst_arg = NULL;
    uint32_t dst = 0;
    unsigned state = NUD_PERMANENT;             /* iproute2's default */
    struct eth_addr mac;
    bool have_mac = false;
    struct netdev *dev = NULL;

    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (!strcmp(w, "lladdr")) {
            NEXT_ARG();
            if (!parse_mac(argv[i], &mac)) return fail(c, "ip", ST_USAGE, "\"%s\" is invalid lladdr.", argv[i]);
            have_mac = true;
        } else if (!strcmp(w, "nud")) {
            NEXT_ARG();
            if (!lookup_nud(argv[i], &state)) return invarg(c, "nud state is bad", argv[i]);
        } else if (!strcmp(w, "dev")) {
            NEXT_ARG();
            if (!(dev = find_dev(c, o->net, argv[i]))) return ST_USAGE;
        } else if (!strcmp(w, "router") || !strcmp(w, "extern_learn")) {
            /* flags tapstack's IPv4 neighbours don't have: accepted */
        } else if (!strcmp(w, "proxy") || !strcmp(w, "protocol")) {
            return fail(c, "ip", ST_USAGE, "\"ip neigh ... %s\" is not supported by tapstack", w);
        } else {
            if (!strcmp(w, "to")) NEXT_ARG();
            if (dst_arg) return garbage(c, "to", argv[i]);
            dst_arg = argv[i];
            if (!ip4_pton(dst_arg, &dst)) return bad_address(c, false, dst_arg);
        }
    }
    if (!dev || !dst_arg) return fail(c, "ip", ST_USAGE, "Device and destination are required arguments.");
    struct extack ext = { 0 };
    int err;
    if (what == NEIGH_GET) {
        struct neigh *n = arp_table(o->net) ? neigh_lookup(arp_table(o->net), dst, dev) : NULL;
        if (!n) return rtnl_fail(c, ENOENT, NULL);
        struct line l = { .n = 0 };
        put_neigh(&l, n, o, true, c->st->now_us);
        emit(c, &l);
        return ST_OK;
    }
    if (what == NEIGH_DEL) err = neigh_admin_del(o->net, dev, dst, &ext);
    else err = neigh_admin_set(o->net, dev, dst, have_mac ? &mac : NULL, (uint8_t)state, nlflags, &ext);
    return err < 0 ? rtnl_fail(c, err, &ext) : ST_OK;
}

int ip_neigh(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    if (argc == 0) return ip_neigh_show(c, o, 0, argv);
    const char *w = argv[0];
    argc--, argv++;
    if (matches(w, "add")) return ip_neigh_modify(c, o, argc, argv, NLM_F_CREATE | NLM_F_EXCL, 0);
    if (matches(w, "change") || !strcmp(w, "chg")) return ip_neigh_modify(c, o, argc, argv, NLM_F_REPLACE, 0);
    if (matches(w, "replace")) return ip_neigh_modify(c, o, argc, argv, NLM_F_CREATE | NLM_F_REPLACE, 0);
    if (matches(w, "delete")) return ip_neigh_modify(c, o, argc, argv, 0, NEIGH_DEL);
    if (matches(w, "get")) return ip_neigh_modify(c, o, argc, argv, 0, NEIGH_GET);
    if (matches(w, "list") || matches(w, "show") || matches(w, "lst")) return ip_neigh_show(c, o, argc, argv);
    if (matches(w, "flush")) return ip_neigh_flush(c, o, argc, argv);
    if (matches(w, "help")) {
        cmd_printf(c, "Usage: ip neigh { add | del | change | replace }\n"
                      "                { ADDR [ lladdr LLADDR ] [ nud STATE ] dev DEV }\n"
                      "       ip neigh get ADDR dev DEV\n"
                      "       ip [-s] neigh { show | flush } [ to PREFIX ] [ dev DEV ] [ nud STATE ]\n"
                      "STATE := { permanent | noarp | stale | reachable | none | incomplete |\n"
                      "           delay | probe | failed | all }\n");
        return ST_OK;
    }
    return fail(c, "ip", ST_USAGE, "Command \"%s\" is unknown, try \"ip neigh help\".", w);
}

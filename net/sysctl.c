/* net/sysctl.c — registration and formatting of sysctl entries. */
#include "sysctl.h"
#include "stack.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

int sysctl_register(struct net *net, const char *name, int *val, enum sysctl_unit unit,
                    int min, int max, sysctl_changed_fn changed, void *owner)
{
    struct sysctl_table *t = net->sysctl;
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 64;
        struct sysctl_entry *v = realloc(t->v, (size_t)cap * sizeof(*v));
        if (!v) return -ENOMEM;
        t->v = v; t->cap = cap;
    }
    struct sysctl_entry *e = &t->v[t->n++];
    snprintf(e->name, sizeof(e->name), "%s", name);
    e->val = val; e->unit = unit; e->min = min; e->max = max; e->changed = changed; e->owner = owner;
    e->choices = NULL;
    e->nvals = unit == SC_INT_PAIR ? 2 : 1;
    return 0;
}

int sysctl_register_vec(struct net *net, const char *name, int *val, int n, int min, int max,
                        sysctl_changed_fn changed, void *owner)
{
    int err = sysctl_register(net, name, val, SC_INT_VEC, min, max, changed, owner);
    if (!err) net->sysctl->v[net->sysctl->n - 1].nvals = n;
    return err;
}

int sysctl_register_choice(struct net *net, const char *name, int *val, const char *const *choices,
                           sysctl_changed_fn changed, void *owner)
{
    int n = 0;
    while (choices[n]) n++;
    int err = sysctl_register(net, name, val, SC_CHOICE, 0, n - 1, changed, owner);
    if (!err) net->sysctl->v[net->sysctl->n - 1].choices = choices;
    return err;
}

void sysctl_unregister_owner(struct net *net, void *owner)
{
    struct sysctl_table *t = net->sysctl;
    int j = 0;
    for (int i = 0; i < t->n; i++)
        if (t->v[i].owner != owner) t->v[j++] = t->v[i];
    t->n = j;
}

struct sysctl_entry *sysctl_find(struct net *net, const char *name)
{
    struct sysctl_table *t = net->sysctl;
    /* Linux accepts '/' as separator too (sysctl net/ipv4/ip_forward). */
    char norm[96];
    snprintf(norm, sizeof(norm), "%s", name);
    for (char *c = norm; *c; c++) if (*c == '/') *c = '.';
    for (int i = 0; i < t->n; i++)
        if (!strcmp(t->v[i].name, norm)) return &t->v[i];
    return NULL;
}

void sysctl_format(const struct sysctl_entry *e, char *buf, size_t n)
{
    if (e->unit == SC_INT_PAIR || e->unit == SC_INT_VEC) {
        size_t k = 0;
        if (n) buf[0] = '\0';
        for (int i = 0; i < e->nvals && k < n; i++) {
            int w = snprintf(buf + k, n - k, i ? "\t%d" : "%d", e->val[i]);
            if (w < 0) break;
            k += (size_t)w;
        }
        return;
    }
    if (e->unit == SC_CHOICE) { snprintf(buf, n, "%s", e->choices[*e->val]); return; }
    int v = *e->val;
    switch (e->unit) {
    case SC_MS_AS_S:      v /= 1000; break;
    case SC_MS_AS_USERHZ: v /= 10; break;
    default: break;
    }
    snprintf(buf, n, "%d", v);
}

/* Up to max integers separated by blanks (a trailing newline allowed, as echo writes
 * one): how many, or -EINVAL for anything else or a value beyond an int. */
static int sysctl_parse_ints(const char *value, long *out, int max)
{
    int n = 0;
    const char *p = value;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n') p++;
        if (!*p) break;
        if (n == max) return -EINVAL;
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || errno || v < INT_MIN || v > INT_MAX) return -EINVAL;
        if (*end && *end != ' ' && *end != '\t' && *end != '\n') return -EINVAL;
        out[n++] = v;
        p = end;
    }
    return n ? n : -EINVAL;
}

/* The vector kinds: a pair must be given whole and ordered (ipv4_local_port_range); a
 * vector takes its first values (proc_dointvec_minmax), each in range or -EINVAL.
 * LINUX_DIFF: more values than the vector holds are refused; Linux stores the first
 * ones and reports a short write. */
static int sysctl_write_ints(struct net *net, struct sysctl_entry *e, const char *value)
{
    long v[8];
    if (e->nvals > (int)ARRAY_SIZE(v)) return -EINVAL;
    int n = sysctl_parse_ints(value, v, e->nvals);
    if (n < 0) return n;
    if (e->unit == SC_INT_PAIR && (n != 2 || v[0] > v[1])) return -EINVAL;
    for (int i = 0; i < n; i++)
        if (v[i] < e->min || v[i] > e->max) return -EINVAL;
    for (int i = 0; i < n; i++) e->val[i] = (int)v[i];
    if (e->changed) e->changed(net, e);
    return 0;
}

int sysctl_write(struct net *net, struct sysctl_entry *e, const char *value)
{
    char *end;
    if (e->unit == SC_INT_PAIR || e->unit == SC_INT_VEC) return sysctl_write_ints(net, e, value);
    if (e->unit == SC_CHOICE) {
        for (int i = 0; e->choices[i]; i++) {
            if (strcmp(e->choices[i], value)) continue;
            *e->val = i;
            if (e->changed) e->changed(net, e);
            return 0;
        }
        return -ENOENT;
    }
    errno = 0;
    long v = strtol(value, &end, 10);
    if (!*value || *end || errno) return -EINVAL;
    switch (e->unit) {
    case SC_MS_AS_S:      v *= 1000; break;
    case SC_MS_AS_USERHZ: v *= 10; break;
    default: break;
    }
    if (v < e->min || v > e->max) return -ERANGE;
    *e->val = (int)v;
    if (e->changed) e->changed(net, e);
    return 0;
}

void sysctl_table_free(struct sysctl_table *t) { free(t->v); t->v = NULL; t->n = t->cap = 0; }

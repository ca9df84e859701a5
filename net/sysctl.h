/*
 * net/sysctl.h — the sysctl tree of a namespace, with Linux's names
 * (net.ipv4.ip_forward, net.ipv4.neigh.tap0.base_reachable_time_ms, ...).
 * Each entry points at the int it controls. Values are stored in one unit (ms for times)
 * and shown in the unit the name promises, as Linux's proc handlers do.
 */
#ifndef TS_SYSCTL_H
#define TS_SYSCTL_H
#include "types.h"

enum sysctl_unit {
    SC_INT,          /* plain integer */
    SC_MS,           /* stored ms, shown ms      (..._ms) */
    SC_MS_AS_S,      /* stored ms, shown seconds (proc_dointvec_jiffies) */
    SC_MS_AS_USERHZ, /* stored ms, shown 1/100 s (proc_dointvec_userhz_jiffies) */
    SC_INT_PAIR,     /* val[0] and val[1], shown "A\tB"; written "A B", A <= B */
    SC_INT_VEC,      /* val[0..nvals-1], each in [min, max], shown tab-separated; a write
                        sets the values given, from the first (proc_dointvec_minmax on a
                        vector: net.ipv4.tcp_rmem) */
    SC_CHOICE,       /* an index into choices[], shown and written as the name
                        (net.ipv4.tcp_congestion_control) */
};

struct sysctl_entry;
typedef void (*sysctl_changed_fn)(struct net *net, struct sysctl_entry *e);

struct sysctl_entry {
    char  name[96];
    int  *val;
    enum sysctl_unit unit;
    int   min, max;             /* in stored units */
    sysctl_changed_fn changed;
    void *owner;
    const char *const *choices;     /* SC_CHOICE: the names, NULL-terminated */
    int   nvals;                    /* SC_INT_VEC: how many ints at val */
};

struct sysctl_table { struct sysctl_entry *v; int n, cap; };

int  sysctl_register(struct net *net, const char *name, int *val, enum sysctl_unit unit,
                     int min, int max, sysctl_changed_fn changed, void *owner);
/* A value chosen by name from choices (NULL-terminated); *val is the index. An unknown
 * name is refused with -ENOENT, as Linux's tcp_set_default_congestion_control. */
int  sysctl_register_choice(struct net *net, const char *name, int *val, const char *const *choices,
                            sysctl_changed_fn changed, void *owner);
/* n ints at val (SC_INT_VEC), each in [min, max]. */
int  sysctl_register_vec(struct net *net, const char *name, int *val, int n, int min, int max,
                         sysctl_changed_fn changed, void *owner);
void sysctl_unregister_owner(struct net *net, void *owner);
struct sysctl_entry *sysctl_find(struct net *net, const char *name);
/* Format the value as Linux shows it. */
void sysctl_format(const struct sysctl_entry *e, char *buf, size_t n);
/* Parse and set; -EINVAL on a bad value, -ERANGE out of range. */
int  sysctl_write(struct net *net, struct sysctl_entry *e, const char *value);
void sysctl_table_free(struct sysctl_table *t);

#endif

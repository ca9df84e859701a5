/*
 * net/link.c — the registry of link kinds and the link configuration calls (Linux:
 * rtnl_link_register, rtnl_newlink, rtnl_dellink, do_setlink in net/core/rtnetlink.c).
 */
#include "link.h"
#include "sch_generic.h"
#include "netlink.h"
#include "stack.h"
#include <errno.h>
#include <string.h>

static int link_kind_index(const struct stack *st, const char *kind)
{
    for (int i = 0; kind && i < st->n_link_kinds; i++)
        if (!strcmp(st->link_kinds[i]->kind, kind)) return i;
    return -1;
}

int link_kind_register(struct stack *st, const struct link_ops *ops, void *ctx)
{
    if (!ops->kind || !*ops->kind) return -EINVAL;
    if (link_kind_index(st, ops->kind) >= 0) return -EEXIST;    /* as rtnl_link_register */
    if (st->n_link_kinds == STACK_MAX_LINK_KINDS) return -ENOSPC;
    st->link_kinds[st->n_link_kinds] = ops;
    st->link_ctx[st->n_link_kinds] = ctx;
    st->n_link_kinds++;
    return 0;
}

void link_kind_unregister(struct stack *st, const char *kind)
{
    int i = link_kind_index(st, kind);
    if (i < 0) return;
    for (st->n_link_kinds--; i < st->n_link_kinds; i++) {
        st->link_kinds[i] = st->link_kinds[i + 1];
        st->link_ctx[i] = st->link_ctx[i + 1];
    }
}

const struct link_ops *link_kind_find(const struct stack *st, const char *kind)
{
    int i = link_kind_index(st, kind);
    return i < 0 ? NULL : st->link_kinds[i];
}

const struct link_ops *link_kind_of(const struct netdev *dev)
{
    return dev->ops ? link_kind_find(dev->net->st, dev->ops->kind) : NULL;
}

struct netdev *link_alloc(struct net *net, const char *name, const struct link_ops *kind,
                          const struct netdev_ops *ops)
{
    return dev_valid_name(name) ? netdev_alloc(net, name, ops, kind->priv_size) : NULL;
}

bool dev_valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, "..")) return false;
    for (; *name; name++)
        if (*name == '/' || *name == ':' || *name == ' ' || *name == '\t' || *name == '\n') return false;
    return true;
}

int link_newlink(struct net *net, const char *kind, const char *name, const struct link_args *args,
                 struct extack *ext)
{
    static const struct link_args no_args;
    if (!dev_valid_name(name)) return -EINVAL;
    if (netdev_by_name(net, name)) return -EEXIST;      /* NLM_F_EXCL, before the kind */
    int i = link_kind_index(net->st, kind);
    if (i < 0 || !net->st->link_kinds[i]->newlink) {
        NL_SET_ERR_MSG(ext, "Unknown device type");
        return -EOPNOTSUPP;
    }
    return net->st->link_kinds[i]->newlink(net->st->link_ctx[i], net, name, args ? args : &no_args, ext);
}

int link_dellink(struct netdev *dev, struct extack *ext)
{
    struct stack *st = dev->net->st;
    int i = dev->ops ? link_kind_index(st, dev->ops->kind) : -1;
    const struct link_ops *ops = i < 0 ? NULL : st->link_kinds[i];
    if (!ops || (!ops->dellink && !ops->newlink)) return -EOPNOTSUPP;
    if (ops->dellink) ops->dellink(st->link_ctx[i], dev);
    else netdev_unregister(dev);
    return 0;
}

/* Linux dev_validate_mtu: 68 is IPv4's minimum (RFC 791), the top is the driver's. */
static int link_set_mtu(struct netdev *dev, unsigned mtu, struct extack *ext)
{
    if (mtu < 68) {
        NL_SET_ERR_MSG(ext, "mtu less than device minimum");
        return -EINVAL;
    }
    if (mtu > dev->max_mtu) {
        NL_SET_ERR_MSG(ext, "mtu greater than device maximum");
        return -EINVAL;
    }
    return dev_set_mtu(dev, mtu);
}

/* Linux do_set_master: leave the old master (unless it is the new one), join the new. */
static int link_set_master(struct netdev *dev, struct netdev *master, struct extack *ext)
{
    struct netdev *upper = dev->master;
    int err;
    if (upper && upper == master) return 0;
    if (upper) {
        if (!upper->ops->del_slave) return -EOPNOTSUPP;
        if ((err = upper->ops->del_slave(upper, dev)) < 0) return err;
    }
    if (!master) return 0;
    if (!master->ops->add_slave) return -EOPNOTSUPP;
    return master->ops->add_slave(master, dev, ext);
}

/* rtnl_newlink on an existing device: its kind's changelink with the new options. */
static int link_change_kind(struct netdev *dev, const struct link_change *ch, struct extack *ext)
{
    const struct link_ops *ops = link_kind_of(dev);
    if (!ops || strcmp(ops->kind, ch->kind) || !ops->changelink) return -EOPNOTSUPP;
    return ops->changelink(dev, &ch->kind_args, ext);
}

int link_setlink(struct netdev *dev, const struct link_change *ch, struct extack *ext)
{
    int err;
    if (ch->kind && (err = link_change_kind(dev, ch, ext)) < 0) return err;
    /* Linux dev_change_net_namespace: a loopback is NETIF_F_NETNS_LOCAL, refused before
     * the name is looked at in the target */
    if (ch->netns && ch->netns != dev->net && ((dev->flags & IFF_LOOPBACK) || (dev->priv_flags & IFF_NETNS_LOCAL)))
        return -EINVAL;
    if (ch->netns && (err = netdev_set_netns(dev, ch->netns)) < 0) return err;
    if (ch->addr && (err = dev_set_mac(dev, ch->addr)) < 0) return err;
    if (ch->set_mtu && (err = link_set_mtu(dev, ch->mtu, ext)) < 0) return err;
    if (ch->set_txqlen) dev->txqlen = ch->txqlen;
    if (ch->up == 1 && (err = dev_open(dev)) < 0) return err;
    if (ch->up == 0 && (err = dev_close(dev)) < 0) return err;
    if ((ch->master || ch->nomaster) && (err = link_set_master(dev, ch->master, ext)) < 0) return err;
    return 0;
}

const char *link_arg(const struct link_args *a, const char *key)
{
    for (int i = 0; i + 1 < a->argc; i += 2)
        if (!strcmp(a->argv[i], key)) return a->argv[i + 1];
    return NULL;
}

int link_args_check(const struct link_args *a, const char *const *keys, struct extack *ext)
{
    for (int i = 0; i < a->argc; i += 2) {
        bool known = false;
        for (const char *const *k = keys; *k && !known; k++) known = !strcmp(a->argv[i], *k);
        if (!known) {
            NL_SET_ERR_MSG_FMT(ext, "either \"%s\" is duplicate, or \"%s\" is a garbage",
                               keys[0] ? keys[0] : "type", a->argv[i]);
            return -EINVAL;
        }
        if (i + 1 >= a->argc) {
            NL_SET_ERR_MSG_FMT(ext, "argument for \"%s\" is missing", a->argv[i]);
            return -EINVAL;
        }
    }
    return 0;
}

enum if_oper link_operstate(const struct netdev *dev)
{
    const struct link_ops *ops = link_kind_of(dev);
    if (ops && ops->operstate) return ops->operstate(dev);
    if (!netif_running(dev) || !(dev->flags & IFF_LOWER_UP)) return IF_OPER_DOWN;
    return IF_OPER_UNKNOWN;
}

/* The root qdisc's kind (net/sch_generic.h): noop until the first up, then the default
 * (pfifo_fast; noqueue for lo and IFF_NO_QUEUE devices) or what tc attached. */
const char *link_qdisc_name(const struct netdev *dev) { return qdisc_kind(dev); }

struct netdev *link_get_link(const struct netdev *dev)
{
    const struct link_ops *ops = link_kind_of(dev);
    return ops && ops->get_link ? ops->get_link(dev) : NULL;
}

bool link_fill_info(const struct netdev *dev, char *buf, size_t n)
{
    const struct link_ops *ops = link_kind_of(dev);
    if (!ops || !ops->fill_info || !n) return false;
    buf[0] = 0;
    ops->fill_info(dev, buf, n);
    return true;
}

bool link_fill_slave_info(const struct netdev *dev, char *buf, size_t n)
{
    const struct link_ops *ops = dev->master ? link_kind_of(dev->master) : NULL;
    if (!ops || !ops->fill_slave_info || !n) return false;
    buf[0] = 0;
    ops->fill_slave_info(dev, buf, n);
    return true;
}

/*
 * shell/cmd_ip_netns.c — `ip netns` (iproute2's ip/ipnetns.c) over the stack's namespaces
 * (net_new / net_free). `ip netns exec` is handled by the command runner (shell/cmd.c).
 */
#include "cmd_ip.h"
#include <errno.h>
#include <string.h>

static bool valid_netns_name(const char *s)
{
    return *s && strlen(s) < sizeof(((struct net *)0)->name) && !strchr(s, '/') &&
           strcmp(s, ".") && strcmp(s, "..") && strcmp(s, "default");
}

int ip_netns(struct cmd_ctx *c, const struct ipopt *o, int argc, char **argv)
{
    const char *w = argc ? argv[0] : "list";
    if (argc > 1 && !valid_netns_name(argv[1]) && strcmp(argv[1], "default"))
        return fail(c, "ip", ST_USAGE, "Invalid netns name \"%s\"", argv[1]);
    if (matches(w, "list") || matches(w, "show") || matches(w, "lst")) {
        /* newest first, as `ls -t /var/run/netns` shows them; the default namespace has no name */
        size_t n = 0;
        for (struct net *ns = c->st->nets; ns; ns = ns->next) n++;
        for (size_t k = n; k > 0; k--) {
            struct net *ns = c->st->nets;
            for (size_t j = 1; j < k; j++) ns = ns->next;
            if (ns->name[0]) cmd_printf(c, "%s\n", ns->name);
        }
        return ST_OK;
    }
    if (matches(w, "add")) {
        if (argc < 2) return fail(c, "ip", ST_USAGE, "No netns name specified");
        if (!valid_netns_name(argv[1])) return fail(c, "ip", ST_USAGE, "Invalid netns name \"%s\"", argv[1]);
        if (net_by_name(c->st, argv[1]))
            return fail(c, "ip", ST_KERNEL, "Cannot create namespace file \"/var/run/netns/%s\": File exists", argv[1]);
        if (!net_new(c->st, argv[1]))
            return fail(c, "ip", ST_KERNEL, "Failed to create a new network namespace \"%s\": %s", argv[1], strerror(ENOMEM));
        return ST_OK;
    }
    if (matches(w, "delete")) {
        if (argc < 2) return fail(c, "ip", ST_USAGE, "No netns name specified");
        struct net *ns = strcmp(argv[1], "default") ? net_by_name(c->st, argv[1]) : NULL;
        if (!ns || !ns->name[0])
            return fail(c, "ip", ST_KERNEL, "Cannot remove namespace file \"/var/run/netns/%s\": %s", argv[1], strerror(ENOENT));
        /* A command runs in it (this one, or another session's ping...): freeing it would
         * pull the floor from under that command. */
        if (ns == c->net || ns == o->net || ns->cmd_refs > 0)
            return fail(c, "ip", ST_KERNEL, "Cannot remove namespace file \"/var/run/netns/%s\": %s", argv[1], strerror(EBUSY));
        net_free(ns);
        return ST_OK;
    }
    if (matches(w, "exec"))
        return fail(c, "ip", ST_USAGE, "netns exec: write it in full at the start of the line: ip netns exec NS COMMAND...");
    if (matches(w, "help")) {
        cmd_printf(c, "Usage: ip netns list\n"
                      "       ip netns add NAME\n"
                      "       ip netns delete NAME\n"
                      "       ip netns exec NAME cmd ...\n");
        return ST_OK;
    }
    return fail(c, "ip", ST_USAGE, "Command \"%s\" is unknown, try \"ip netns help\".", w);
}

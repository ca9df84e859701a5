/*
 * shell/cmd.h — the command interpreter shared by the terminal, -f files, piped stdin,
 * the control socket and replay runs.
 *
 * A command is a function `int fn(struct cmd_ctx *c, int argc, char **argv)`. It returns
 * its exit status (0 ok, non-zero error) — or CMD_ASYNC when it keeps running on the
 * event loop (ping, tcpdump, nc ...), in which case it must later call cmd_finish(c,
 * status) exactly once, and should set c->interrupt so Ctrl-C (or a ctl client going
 * away) can stop it. Output goes through cmd_printf (stdout) and cmd_error (stderr);
 * never to printf/stdout directly, because the same command may be serving a ctl
 * client or writing to a `> FILE` redirection.
 *
 * Errors: one line on stderr that begins with the command's name, e.g.
 *   "ip: Device \"tap9\" does not exist."   then return non-zero (usually 1, 2 for usage).
 */
#ifndef TS_CMD_H
#define TS_CMD_H
#include "net/stack.h"
#include <stdio.h>

#define CMD_ASYNC (-1000)

struct cmd_ctx;
typedef void (*cmd_write_fn)(void *io, int fd, const char *buf, size_t n);

struct cmd_ctx {
    struct stack *st;
    struct net   *net;              /* namespace the command acts in (ip netns exec) */
    const char   *name;             /* argv[0] of the running command */
    cmd_write_fn  write;            /* where output goes (terminal, socket, capture) */
    void         *io;
    int           out_fd;           /* >= 0: `> FILE` redirection for stdout */
    int           in_fd;            /* >= 0: `< FILE` redirection for stdin */
    bool          interactive;      /* a terminal: ping prints live, ^C works */
    /* asynchronous commands */
    void        (*interrupt)(struct cmd_ctx *c);   /* set by the command; Ctrl-C */
    void        (*cleanup)(struct cmd_ctx *c);     /* set by the command; called once at finish */
    void        (*on_done)(struct cmd_ctx *c, int status); /* set by the runner */
    void         *priv;             /* the command's state */
    void         *runner;           /* the runner's state */
    struct net   *held;             /* namespace pinned while the command runs */
    bool          finished;
};

int  cmd_printf(struct cmd_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int  cmd_error(struct cmd_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cmd_write(struct cmd_ctx *c, int fd, const char *buf, size_t n);
void cmd_finish(struct cmd_ctx *c, int status);

typedef int (*cmd_fn)(struct cmd_ctx *c, int argc, char **argv);
struct cmd_def {
    const char *name;
    cmd_fn      fn;
    const char *usage;              /* one line: "ping [-c N] ... HOST" */
    const char *help;               /* a few lines for `help NAME` */
};

/* Run one command line (tokenised here: quotes, # comments, < and > redirections,
 * `ip netns exec NS` prefix). Returns the status, or CMD_ASYNC (then on_done will be
 * called). An empty line returns 0. */
int  cmd_run_line(struct cmd_ctx *c, const char *line);
/* Dispatch already tokenised words (used by `ip netns exec`). */
int  cmd_run_argv(struct cmd_ctx *c, int argc, char **argv);
const struct cmd_def *cmd_lookup(const char *name);
/* For tab completion and `help`: NULL-terminated iteration. */
const struct cmd_def *cmd_table(int i);

/* The command families, each in its own file (shell/cmd_*.c). */
int cmd_ip(struct cmd_ctx *c, int argc, char **argv);          /* cmd_ip.c (+ cmd_ip_*.c) */
int cmd_bridge(struct cmd_ctx *c, int argc, char **argv);      /* cmd_bridge.c */
int cmd_arp(struct cmd_ctx *c, int argc, char **argv);         /* cmd_nettools.c */
int cmd_route(struct cmd_ctx *c, int argc, char **argv);       /* cmd_nettools.c */
int cmd_fdb(struct cmd_ctx *c, int argc, char **argv);         /* cmd_bridge.c */
int cmd_tcpdump(struct cmd_ctx *c, int argc, char **argv);     /* cmd_tcpdump.c */
int cmd_ping(struct cmd_ctx *c, int argc, char **argv);        /* cmd_ping.c */
int cmd_sysctl(struct cmd_ctx *c, int argc, char **argv);      /* cmd_misc.c */
int cmd_nstat(struct cmd_ctx *c, int argc, char **argv);       /* cmd_misc.c */
int cmd_trace(struct cmd_ctx *c, int argc, char **argv);       /* cmd_misc.c */
int cmd_help(struct cmd_ctx *c, int argc, char **argv);        /* cmd.c */
int cmd_sleep(struct cmd_ctx *c, int argc, char **argv);       /* cmd_misc.c */
int cmd_echo(struct cmd_ctx *c, int argc, char **argv);        /* cmd_misc.c */
int cmd_nc(struct cmd_ctx *c, int argc, char **argv);          /* cmd_nc.c */
int cmd_serve(struct cmd_ctx *c, int argc, char **argv);       /* cmd_serve.c */
int cmd_ss(struct cmd_ctx *c, int argc, char **argv);          /* cmd_ss.c */
int cmd_ethtool(struct cmd_ctx *c, int argc, char **argv);     /* cmd_ethtool.c */
int cmd_tc(struct cmd_ctx *c, int argc, char **argv);          /* cmd_tc.c */
/* Stop every background server (at exit, before the stack goes). */
void serve_shutdown(struct stack *st);

/* Set when `exit` was run. */
extern bool shell_exit_requested;

#endif

/*
 * shell/cmd_nc.h — what nc's command line asked for, shared by its UDP part (cmd_nc.c)
 * and its TCP part (cmd_nc_tcp.c).
 */
#ifndef TS_CMD_NC_H
#define TS_CMD_NC_H
#include "cmd.h"

struct nc_opts {
    const char *host;               /* as typed (NULL: listen on every address) */
    uint32_t addr;                  /* host order */
    uint16_t port;
    bool listen, keep, verbose, zero, shut_wr;
    uint64_t wait_us;               /* -w: connect and idle timeout; 0 none */
    int rcvbuf, sndbuf;             /* -I, -O: SO_RCVBUF, SO_SNDBUF (0: the defaults) */
    uint32_t src_addr;              /* -s: local address of a connecting socket (host order) */
    bool src_set;
    uint16_t src_port;              /* -p: its local port (with -l: the port to listen on) */
};

/* The socket options and local address the command line asked for (-I -O -s -p). */
bool nc_sock_setup(struct cmd_ctx *c, int fd, const struct nc_opts *o, bool connecting);

/* nc over TCP (OpenBSD netcat's remote_connect / local_listen / readwrite). */
int nc_tcp_start(struct cmd_ctx *c, const struct nc_opts *o);

#endif

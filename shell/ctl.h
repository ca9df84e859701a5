/*
 * shell/ctl.h — the control socket (`tapstack -d`, `tapstack ctl COMMAND...`).
 *
 * Protocol over a Unix stream socket, one command per connection:
 *   client -> server   the command line, ending in '\n'; then nothing. Shutting down
 *                      its write side (or closing) interrupts the command, like ^C.
 *   server -> client   frames of 1 byte channel + 4 bytes big-endian length + payload:
 *                      '1' stdout bytes, '2' stderr bytes, 'x' exit status (4 bytes).
 */
#ifndef TS_CTL_H
#define TS_CTL_H
#include <stddef.h>
struct app;
struct ctl_server;
#define CTL_DEFAULT_PATH "/run/tapstack.sock"
struct ctl_server *ctl_server_start(struct app *app, const char *path, char *err, size_t errlen);
void ctl_server_stop(struct ctl_server *srv);
#endif

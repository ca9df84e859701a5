/*
 * shell/app.h — the program around the stack: modes, sessions, the event loop.
 *
 * A session runs command lines one after another for one source (the -f file plus
 * the terminal or piped stdin; one control-socket client; the replay script). A
 * command that returns CMD_ASYNC keeps its session busy until cmd_finish; the next
 * line is started from the event loop, never from inside a stack callback (a command
 * may delete the very device whose receive path finished the previous one).
 */
#ifndef TS_APP_H
#define TS_APP_H
#include "cmd.h"

#define APP_MAX_REPLAY_DEVS 64   /* --dev options in one replay */

struct session;
struct app_opts {
    const char *file;           /* -f */
    bool daemon;                /* -d */
    bool empty;                 /* -n */
    const char *ctl_path;       /* --ctl */
    bool replay;                /* --replay */
    const char *replay_in, *replay_out;     /* --replay IN, --out OUT (one device) */
    const char *replay_devs[APP_MAX_REPLAY_DEVS];  /* every --dev: NAME, or [NS/]NAME=[IN]:OUT */
    int n_replay_devs;
    uint64_t seed;
};
typedef void (*session_event_fn)(struct session *s);

struct session {
    struct session *next_pending;   /* on the app's "needs pumping" list */
    bool           pending;
    struct app    *app;
    struct cmd_ctx ctx;
    bool           busy;
    char         **lines;
    int            nlines, next, cap;
    bool           eof;             /* no more lines will be fed */
    int            last_status;
    int            failures;        /* commands that returned non-zero */
    session_event_fn drained;       /* queue empty, not busy (and eof) */
    session_event_fn line_done;     /* after each command */
    void          *owner;
};

struct app {
    struct stack   *st;
    void           *loop;           /* struct ev_loop *, NULL in replay runs */
    struct session *pending;        /* sessions to pump */
    bool            quit;
    int             exit_status;
    void           *live;           /* live-mode state (shell/live.c) */
};

void session_init(struct session *s, struct app *app, cmd_write_fn write, void *io);
void session_free(struct session *s);
void session_feed(struct session *s, const char *line);
/* Run queued lines until one is asynchronous or the queue is empty. */
void session_pump(struct session *s);
/* Interrupt the running command (Ctrl-C). */
void session_interrupt(struct session *s);
/* Pump every session that asked for it (called from the loop, outside stack callbacks). */
void app_run_pending(struct app *app);

/* Build the default lab (docs/commands.md): tap0 with 10.0.0.2/24, default via 10.0.0.1.
 * host_side: also give the host interface 10.0.0.1/24 and bring it up. */
int  app_default_lab(struct app *app, bool host_side, char *err, size_t errlen);

int  live_main(int argc, char **argv, struct app_opts *o);
int  replay_main(const struct app_opts *o);
int  ctl_client_main(const char *path, int argc, char **argv);

#endif

/*
 * shell/session.c — running command lines one after another (see app.h).
 */
#include "app.h"
#include <stdlib.h>

static void session_cmd_done(struct cmd_ctx *c, int status)
{
    struct session *s = c->runner;
    s->busy = false;
    s->last_status = status;
    if (status) s->failures++;
    if (s->line_done) s->line_done(s);
    /* Continue from the loop, not from inside whatever callback finished the command. */
    if (!s->pending) {
        s->pending = true;
        s->next_pending = s->app->pending;
        s->app->pending = s;
    }
}

void session_init(struct session *s, struct app *app, cmd_write_fn write, void *io)
{
    memset(s, 0, sizeof(*s));
    s->app = app;
    s->ctx.st = app->st;
    s->ctx.net = app->st->init_net;
    s->ctx.write = write;
    s->ctx.io = io;
    s->ctx.out_fd = s->ctx.in_fd = -1;
    s->ctx.on_done = session_cmd_done;
    s->ctx.runner = s;
}

void session_free(struct session *s)
{
    if (s->busy) {
        s->ctx.on_done = NULL;
        cmd_finish(&s->ctx, 130);
        s->busy = false;
    }
    for (int i = s->next; i < s->nlines; i++) free(s->lines[i]);
    free(s->lines);
    s->lines = NULL;
    s->nlines = s->next = s->cap = 0;
    /* unlink from the pending list */
    for (struct session **pp = &s->app->pending; *pp; pp = &(*pp)->next_pending)
        if (*pp == s) { *pp = s->next_pending; break; }
    s->pending = false;
}

void session_feed(struct session *s, const char *line)
{
    if (s->nlines == s->cap) {
        int cap = s->cap ? s->cap * 2 : 16;
        char **v = realloc(s->lines, (size_t)cap * sizeof(*v));
        if (!v) return;
        s->lines = v;
        s->cap = cap;
    }
    s->lines[s->nlines++] = strdup(line);
}

void session_pump(struct session *s)
{
    while (!s->busy && s->next < s->nlines && !s->app->quit) {
        char *line = s->lines[s->next++];
        s->ctx.net = s->app->st->init_net;        /* each line starts in the default ns */
        s->busy = true;
        int status = cmd_run_line(&s->ctx, line);
        free(line);
        if (status == CMD_ASYNC) {
            if (s->busy) return;                  /* still running: on_done will come */
            continue;                             /* finished already (on_done ran) */
        }
        s->busy = false;
        s->last_status = status;
        if (status) s->failures++;
        if (s->line_done) s->line_done(s);
        if (shell_exit_requested) { s->app->quit = true; break; }
    }
    if (s->next == s->nlines) {
        free(s->lines);
        s->lines = NULL;
        s->nlines = s->next = s->cap = 0;
    }
    if (!s->busy && !s->nlines && s->drained) s->drained(s);
}

void session_interrupt(struct session *s)
{
    if (s->busy && s->ctx.interrupt) s->ctx.interrupt(&s->ctx);
}

void app_run_pending(struct app *app)
{
    while (app->pending) {
        struct session *s = app->pending;
        app->pending = s->next_pending;
        s->pending = false;
        if (shell_exit_requested) app->quit = true;
        session_pump(s);
    }
}

/*
 * shell/term.c — libedit (readline-compatible API) in callback mode, so that the event
 * loop keeps running while the user types. Completion knows the command names and,
 * after a command word, the device names of the default namespace.
 */
#include "term.h"
#include "cmd.h"
#include "net/netdev.h"
#include <editline/readline.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static struct {
    struct stack *st;
    void (*on_line)(const char *line, void *arg);
    void *arg;
    bool prompt;
} term;

static const char *const PROMPT = "tapstack> ";

static void term_line_cb(char *line)
{
    if (line && *line) add_history(line);
    /* the callback handler is removed while the command runs; re-installed by prompt_on */
    rl_callback_handler_remove();
    term.prompt = false;
    term.on_line(line, term.arg);
    free(line);
}

static char *complete_gen(const char *text, int state)
{
    static int idx;
    static struct netdev *dev;
    size_t len = strlen(text);
    if (!state) { idx = 0; dev = term.st->init_net->devs; }
    const struct cmd_def *d;
    while ((d = cmd_table(idx))) {
        idx++;
        if (!strncmp(d->name, text, len)) return strdup(d->name);
    }
    while (dev) {
        struct netdev *cur = dev;
        dev = dev->next;
        if (!strncmp(cur->name, text, len)) return strdup(cur->name);
    }
    return NULL;
}

static char **complete(const char *text, int start, int end)
{
    (void)start; (void)end;
    rl_attempted_completion_over = 1;
    return rl_completion_matches(text, complete_gen);
}

void term_start(struct stack *st, void (*on_line)(const char *, void *), void *arg)
{
    term.st = st;
    term.on_line = on_line;
    term.arg = arg;
    rl_readline_name = "tapstack";
    rl_attempted_completion_function = complete;
    using_history();
}

void term_stop(void)
{
    if (term.prompt) rl_callback_handler_remove();
    term.prompt = false;
    clear_history();
}

void term_read_char(void) { if (term.prompt) rl_callback_read_char(); }

void term_prompt_on(void)
{
    if (term.prompt) return;
    term.prompt = true;
    rl_callback_handler_install(PROMPT, term_line_cb);
}

void term_prompt_off(void)
{
    if (!term.prompt) return;
    rl_callback_handler_remove();
    term.prompt = false;
}

void term_cancel_line(void)
{
    if (!term.prompt) return;
    rl_callback_handler_remove();
    (void)!write(1, "^C\n", 3);
    rl_callback_handler_install(PROMPT, term_line_cb);
}

void term_write(bool interactive, int fd, const char *buf, size_t n)
{
    bool redraw = interactive && term.prompt && fd == 1 && n;
    bool ends_line = n && buf[n - 1] == '\n';
    if (redraw) (void)!write(1, "\r\033[K", 4);     /* clear the prompt line first */
    while (n) {
        ssize_t w = write(fd, buf, n);
        if (w < 0) { if (errno == EINTR) continue; if (errno == EAGAIN) { usleep(1000); continue; } return; }
        buf += w; n -= (size_t)w;
    }
    if (redraw && ends_line) rl_forced_update_display();
}

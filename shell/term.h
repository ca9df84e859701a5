/* shell/term.h — the interactive terminal: libedit line editing, history, completion. */
#ifndef TS_TERM_H
#define TS_TERM_H
#include <stdbool.h>
#include <stddef.h>
struct stack;
void term_start(struct stack *st, void (*on_line)(const char *line, void *arg), void *arg);
void term_stop(void);
void term_read_char(void);          /* stdin is readable */
void term_prompt_on(void);          /* show the prompt and accept a line */
void term_prompt_off(void);         /* a command runs: no prompt */
void term_cancel_line(void);        /* ^C at the prompt */
/* Write output without garbling the line being edited. */
void term_write(bool interactive, int fd, const char *buf, size_t n);
#endif

#ifndef TS_LOOPBACK_H
#define TS_LOOPBACK_H
struct stack;
int loopback_init(struct stack *st);
#endif

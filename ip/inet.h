/* ip/inet.h — build a complete stack (all layers registered, default namespace made). */
#ifndef TS_INET_H
#define TS_INET_H
#include "net/stack.h"
struct stack *inet_stack_new(const struct stack_cfg *cfg);
/* Layers above IP that are present (UDP, TCP, VXLAN...): ip/inet_extra.c. */
int inet_extra_init(struct stack *st);
#endif

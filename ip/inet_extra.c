/*
 * ip/inet_extra.c — the transport and tunnel layers linked into this build register here.
 * (UDP arrives with the sockets issue; TCP, VXLAN and veth with theirs.)
 */
#include "inet.h"

int inet_extra_init(struct stack *st)
{
    (void)st;
    return 0;
}

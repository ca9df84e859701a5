/*
 * ip/inet_extra.c — the transport and tunnel layers linked into this build register
 * here, above IPv4 (UDP now; TCP, VXLAN and veth register here when they are built).
 */
#include "inet.h"
#include "udp/udp.h"

int inet_extra_init(struct stack *st)
{
    return udp_init(st);
}

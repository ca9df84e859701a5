/*
 * ip/inet_extra.c — the transport and tunnel layers linked into this build register
 * here, above IPv4 (UDP now; TCP, VXLAN and veth register here when they are built).
 */
#include "inet.h"
#include "udp/udp.h"
#include "bridge/br.h"

int inet_extra_init(struct stack *st)
{
    if (br_init(st) < 0) return -1;         /* the "bridge" link kind */
    return udp_init(st);
}

/*
 * ip/inet_extra.c — the transport and tunnel layers linked into this build register
 * here, above IPv4 (UDP, TCP, the bridge and VXLAN).
 */
#include "inet.h"
#include "udp/udp.h"
#include "bridge/br.h"
#include "vxlan/vxlan.h"
#include "tcp/tcp.h"

int inet_extra_init(struct stack *st)
{
    if (br_init(st) < 0) return -1;         /* the "bridge" link kind */
    if (udp_init(st) < 0) return -1;
    if (tcp_init(st) < 0 || tcp_enable(st) < 0) return -1;   /* tables, socket type, IP protocol 6 */
    return vxlan_init(st);                  /* the "vxlan" link kind, on UDP */
}

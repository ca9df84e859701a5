/*
 * net/drop.h — why a packet was dropped, as Linux's enum skb_drop_reason
 * (include/net/dropreason-core.h). Every drop in tapstack goes through pkt_drop() with one
 * of these; each is a counter that `nstat` shows as TsDrop<REASON> and `trace` names.
 * Where Linux has the reason, the name is Linux's.
 */
#ifndef TS_DROP_H
#define TS_DROP_H

#define DROP_REASONS(X)                                                                  \
    X(NOT_SPECIFIED)                                                                     \
    /* device / Ethernet */                                                              \
    X(PKT_TOO_SMALL)       /* frame shorter than an Ethernet header */                   \
    X(OTHERHOST)           /* unicast to another MAC */                                  \
    X(UNHANDLED_PROTO)     /* no handler for the ethertype */                            \
    X(VLAN_UNSUPPORTED)    /* 802.1Q / 802.1ad tagged frame: no VLAN devices */          \
    X(DEV_READY)           /* device is down */                                          \
    X(FRAME_TOO_BIG)       /* longer than the device MTU allows */                       \
    X(CPU_BACKLOG)         /* backlog queue (netdev_max_backlog) full */                 \
    X(NOMEM)               /* packet pool exhausted */                                   \
    /* virtio-net header of a TAP frame (Linux counts all of these as DEV_HDR) */        \
    X(DEV_HDR_SHORT)       /* fewer bytes than the header */                             \
    X(DEV_HDR_GSO_TYPE)    /* unknown or unsupported gso_type */                         \
    X(DEV_HDR_ECN)         /* the ECN bit on a gso_type that is not TCP */               \
    X(DEV_HDR_GSO_SIZE)    /* gso_size 0 with a gso_type, or too many segments */        \
    X(DEV_HDR_CSUM)        /* csum_start/csum_offset outside the frame or its L4 header */ \
    X(DEV_HDR_LEN)         /* hdr_len beyond the frame */                                \
    /* offload fallbacks (validate_xmit_pkt, udp_rcv_segment) */                          \
    X(SKB_GSO_SEG)         /* a GSO packet whose headers do not allow segmentation */    \
    X(SKB_CSUM)            /* a partial checksum that points outside the packet */       \
    /* ARP / neighbour */                                                                \
    X(ARP_BAD_HDR)         /* bad htype/ptype/hlen/plen or truncated */                  \
    X(ARP_BAD_OP)                                                                        \
    X(ARP_BAD_SENDER)      /* multicast/broadcast sender hw or sender IP */              \
    X(ARP_NOT_FOR_US)      /* a request for an address we do not own */                  \
    X(NEIGH_FAILED)        /* resolution failed */                                       \
    X(NEIGH_QUEUEFULL)     /* unres_qlen exceeded while INCOMPLETE */                    \
    X(NEIGH_CREATEFAIL)    /* table full (gc_thresh3) */                                 \
    X(NEIGH_DEAD)                                                                        \
    /* IPv4 input */                                                                     \
    X(IP_INHDR)            /* version, IHL, length fields */                             \
    X(IP_CSUM)                                                                           \
    X(IP_TOOSHORT)         /* shorter than its total length (truncated) */               \
    X(IP_INADDRERRORS)     /* not for us and not forwarded */                            \
    X(IP_INVALID_SOURCE)   /* martian source or destination (RFC 1812 §5.3.7) */         \
    X(IP_NOPROTO)          /* no handler for the IP protocol */                          \
    X(IP_RPFILTER)                                                                       \
    X(NO_ROUTE)            /* IPNOROUTES */                                              \
    X(IP_NOFORWARD)        /* ip_forward = 0 and not for us */                           \
    X(IP_TTL_EXPIRED)      /* forwarding with TTL <= 1 */                                \
    X(PKT_TOO_BIG)         /* DF set and larger than the MTU */                          \
    X(FRAG_TOO_FAR)        /* ipfrag_max_dist: too many fragments from the source since */\
    X(DUP_FRAG)            /* a fragment that brings nothing new */                      \
    X(FRAG_REASM_TIMEOUT)  /* ipfrag_time passed before all fragments came */            \
    X(FRAG_OVERLAP)        /* overlapping fragment: the whole datagram is dropped */     \
    X(FRAG_MEM)            /* ipfrag_high_thresh exceeded */                             \
    X(FRAG_BAD)            /* inconsistent fragment (odd length, past end ...) */        \
    /* ICMP */                                                                           \
    X(ICMP_CSUM)                                                                         \
    X(ICMP_TOOSHORT)                                                                     \
    X(ICMP_BAD_TYPE)                                                                     \
    X(ICMP_RATELIMIT)                                                                    \
    X(ICMP_BCAST_ECHO)     /* icmp_echo_ignore_broadcasts */                             \
    /* UDP */                                                                            \
    X(UDP_CSUM)                                                                          \
    X(UDP_BADLEN)                                                                        \
    X(NO_SOCKET)                                                                         \
    X(SOCKET_RCVBUFF)                                                                    \
    X(SOCKET_SNDBUFF)                                                                    \
    /* output */                                                                         \
    X(TX_QUEUE_FULL)                                                                     \
    X(QDISC_DROP)          /* the qdisc refused it (queue limit) or dropped it (netem loss) */\
    X(RECURSION_LIMIT)     /* nested transmits through virtual devices: a loop */         \
    X(TX_ERROR)            /* the device could not send */                               \
    X(LOOPED)              /* frame looped back to the sender */                         \
    /* bridge */                                                                         \
    X(MAC_INVALID_SOURCE)  /* source MAC multicast or zero */                            \
    X(MAC_IEEE_MAC_CONTROL)/* 802.3x pause frame (01:80:c2:00:00:01) */                  \
    X(BRIDGE_INGRESS_STP_STATE) /* the port does not forward (its bridge is down) */     \
    X(NO_TX_TARGET)        /* no port to send it to (only the one it came in on) */      \
    /* VXLAN (vxlan/vxlan_rcv.c, vxlan_xmit.c) */                                       \
    X(VXLAN_INVALID_HDR)   /* I flag clear, or a reserved bit set */                     \
    X(VXLAN_VNI_NOT_FOUND) /* no vxlan device on the port has the VNI */                 \
    X(VXLAN_ENTRY_EXISTS)  /* a static FDB entry puts the source MAC behind another VTEP */\
    X(VXLAN_NO_REMOTE)     /* no FDB entry and no default destination to send to */     \
    X(LOCAL_MAC)           /* a frame from the device's own MAC came back: a loop */     \
    X(IP_TUNNEL_ECN)       /* outer CE over an inner packet that is not ECN-capable */   \
    /* TCP (tcp/) */                                                                     \
    X(TCP_CSUM)                                                                          \
    X(TCP_NOT_UNICAST)     /* to a broadcast: never answered (RFC 1122 4.2.3.10) */      \
    X(TCP_INVALID_SEQUENCE)/* outside the receive window (answered by an ACK) */         \
    X(TCP_OLD_DATA)        /* entirely before rcv_nxt: a duplicate */                    \
    X(TCP_RESET)           /* an RST that was accepted */                                \
    X(TCP_FLAGS)           /* no ACK, or flags the state does not take */                \
    X(TCP_INVALID_SYN)     /* a SYN in a synchronized state (RFC 5961 §4) */             \
    X(TCP_ACK_UNSENT_DATA) /* acknowledges what was never sent */                        \
    X(TCP_TOO_OLD_ACK)     /* acknowledges before snd_una - max_window (RFC 5961 §5) */  \
    X(TCP_CLOSE)           /* the socket is closed for receiving */                      \
    X(TCP_OFO_DROP)        /* out of order, no room in the out-of-order queue */         \
    X(TCP_OFOMERGE)        /* out of order, all of it already held */                   \
    X(TCP_OVERWINDOW)      /* starts at or beyond the right edge of the window */        \
    X(TCP_LISTEN_OVERFLOW) /* SYN or accept queue full */                                \
    X(TCP_RFC7323_PAWS)    /* TSval older than TS.Recent: an old duplicate (RFC 7323 §5) */\
    X(TCP_RFC7323_TW_PAWS) /* the same, for a connection in TIME_WAIT */                 \
    X(NETNS_GONE)

#define DROP_AS_ENUM(n) DROP_##n,
enum drop { DROP_NONE = 0, DROP_REASONS(DROP_AS_ENUM) DROP_MAX };
#undef DROP_AS_ENUM

const char *drop_name(enum drop d);

#endif

/*
 * net/mib.h — SNMP counters with Linux's names, as /proc/net/snmp and /proc/net/netstat
 * show them and `nstat` prints them. One struct mib per namespace.
 */
#ifndef TS_MIB_H
#define TS_MIB_H
#include <stdint.h>

#define MIB_COUNTERS(X)                                                                  \
    X(IpInReceives) X(IpInHdrErrors) X(IpInAddrErrors) X(IpForwDatagrams)                \
    X(IpInUnknownProtos) X(IpInDiscards) X(IpInDelivers) X(IpOutRequests)                \
    X(IpOutDiscards) X(IpOutNoRoutes) X(IpReasmTimeout) X(IpReasmReqds) X(IpReasmOKs)    \
    X(IpReasmFails) X(IpFragOKs) X(IpFragFails) X(IpFragCreates)                         \
    X(IcmpInMsgs) X(IcmpInErrors) X(IcmpInCsumErrors) X(IcmpInDestUnreachs)              \
    X(IcmpInTimeExcds) X(IcmpInEchos) X(IcmpInEchoReps) X(IcmpOutMsgs) X(IcmpOutErrors)  \
    X(IcmpOutRateLimitGlobal) X(IcmpOutRateLimitHost)                                    \
    X(IcmpOutDestUnreachs) X(IcmpOutTimeExcds) X(IcmpOutEchos) X(IcmpOutEchoReps)        \
    X(UdpInDatagrams) X(UdpNoPorts) X(UdpInErrors) X(UdpOutDatagrams)                    \
    X(UdpRcvbufErrors) X(UdpSndbufErrors) X(UdpInCsumErrors) X(UdpIgnoredMulti)                             \
    X(IpExtInNoRoutes) X(IpExtReasmOverlaps) X(IpExtInTruncatedPkts) X(IpExtInCsumErrors)                      \
    X(IpExtInBcastPkts) X(IpExtInMcastPkts) X(IpExtInOctets) X(IpExtOutOctets)                \
    X(IpExtInNoECTPkts) X(IpExtInECT1Pkts) X(IpExtInECT0Pkts) X(IpExtInCEPkts)           \
    X(ArpInRequests) X(ArpInReplies) X(ArpOutRequests) X(ArpOutReplies)                  \
    X(ArpUnresDiscards) X(ArpTableFull)                                                  \
    X(TcpActiveOpens) X(TcpPassiveOpens) X(TcpAttemptFails) X(TcpEstabResets)            \
    X(TcpInSegs) X(TcpOutSegs) X(TcpRetransSegs) X(TcpInErrs) X(TcpOutRsts)              \
    X(TcpInCsumErrors) X(TcpExtTW) X(TcpExtDelayedACKs) X(TcpExtListenOverflows)         \
    X(TcpExtListenDrops) X(TcpExtTCPTimeouts) X(TcpExtTCPChallengeACK)                   \
    X(TcpExtTCPSYNChallenge) X(TcpExtTCPAbortOnData) X(TcpExtTCPAbortOnClose)            \
    X(TcpExtTCPOFODrop) X(TcpExtTCPOFOQueue) X(TcpExtTCPOFOMerge)                       \
    X(TcpExtTCPSackRecovery) X(TcpExtTCPRenoRecovery) X(TcpExtTCPFastRetrans)           \
    X(TcpExtTCPSlowStartRetrans) X(TcpExtTCPSACKDiscard)                                 \
    X(TcpExtOutOfWindowIcmps) X(TcpExtTCPWinProbe) X(TcpExtTCPKeepAlive)                 \
    X(TcpExtSyncookiesSent) X(TcpExtSyncookiesRecv) X(TcpExtSyncookiesFailed)            \
    X(TcpExtTCPReqQFullDoCookies) X(TcpExtTCPReqQFullDrop) X(TcpExtPAWSEstab)            \
    X(TcpExtTCPACKSkippedSeq) X(TcpExtTCPACKSkippedPAWS) X(TcpExtTCPACKSkippedChallenge) \
    X(TcpExtTCPACKSkippedTimeWait) X(TcpExtTWRecycled) X(TcpExtPAWSTimewait)             \
    X(TcpExtTCPSynRetrans) X(TcpExtTCPAbortOnTimeout)                                 \
    X(TcpExtTCPLossProbes) X(TcpExtTCPLossProbeRecovery) X(TcpExtTCPLostRetransmit) \
    X(TcpExtTCPHystartTrainDetect) X(TcpExtTCPHystartTrainCwnd)                          \
    X(TcpExtTCPHystartDelayDetect) X(TcpExtTCPHystartDelayCwnd) \
    X(TcpExtTCPDSACKOldSent) X(TcpExtTCPDSACKOfoSent) X(TcpExtTCPDSACKRecv)             \
    X(TcpExtTCPDSACKOfoRecv) X(TcpExtTCPDSACKRecvSegs) X(TcpExtTCPDSACKIgnoredDubious)  \
    X(TcpExtTCPFullUndo) X(TcpExtTCPPartialUndo) X(TcpExtTCPDSACKUndo) X(TcpExtTCPLossUndo) \
    X(TcpExtTCPSpuriousRTOs)

#define MIB_AS_ENUM(n) MIB_##n,
enum mib_id { MIB_COUNTERS(MIB_AS_ENUM) MIB_MAX };
#undef MIB_AS_ENUM

struct mib { uint64_t v[MIB_MAX]; };
const char *mib_name(enum mib_id id);

#endif

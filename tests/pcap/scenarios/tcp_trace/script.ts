# `trace on` during a whole connection to `serve echo tcp 7` (the client of
# tcp_echo with one 9-byte message): the state changes (LISTEN, SYN_RECV,
# ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSE) and cwnd moves as lines of their own,
# the segments' journeys with TCP's stages: tcp_v4_rcv > tcp_rcv_state_process /
# tcp_rcv_established > tcp_ack > tcp_data_queue in; tcp_sendmsg > tcp_write_xmit >
# tcp_transmit_skb > ip_queue_xmit out. Pins the format.
ip link set tap0 address 02:00:00:00:00:02
trace on
serve echo tcp 7
sleep 0.1
trace off
sleep 6
ip -s neigh show


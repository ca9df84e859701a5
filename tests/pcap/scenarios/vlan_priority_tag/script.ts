# An echo request in an 802.1Q priority tag (VLAN ID 0, 802.1p): Linux strips the tag
# in __netif_receive_skb_core (skb_vlan_untag; a zero VID does not make the frame
# PACKET_OTHERHOST) and answers, untagged.
ip link set tap0 address 02:00:00:00:00:02
sleep 0.1
nstat


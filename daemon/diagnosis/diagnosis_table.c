// SPDX-License-Identifier: GPL-2.0
/*
 * The diagnosis table.  Causes paraphrase the kernel's own comments on enum
 * skb_drop_reason (include/net/dropreason-core.h) and enum sk_rst_reason
 * (include/net/rstreason.h), and the cases users brought to the project:
 * a proxy's accept queue with backlog 5, conntrack table full, a close with
 * unread data or SO_LINGER 0, a closed port, rp_filter, an OSPF hello to a
 * group nobody joined, a GRE header with a bad version, a VXLAN underlay
 * without a route.  Keep each line short: it is shown in an 80-column view.
 */
#include "diagnosis.h"
#include "diagnosis_table.h"

#define INPUT_ROUTE_CAUSE                                                                          \
	"Input routing failed, e.g. multicast to a group no socket joined on the interface "       \
	"(an OSPF hello to 224.0.0.5 with no OSPF daemon), or rp_filter."
#define INPUT_ROUTE_ACTION                                                                         \
	"ip maddr show dev IFACE; ip route get DST from SRC iif IFACE; rp_filter."

const struct hint hint_table[] = {
	{ HINT_DROP_REASON, "NO_SOCKET",
	  "No socket is bound to the destination port: the service is down, "
	  "listens elsewhere, or the client aims at the wrong port.",
	  "ss -lntup in the namespace; TCP answers such segments with RST "
	  "(skbtrace_tcp_resets_total{origin=\"passive\"}), UDP with ICMP port unreachable." },
	{ HINT_DROP_REASON, "NETFILTER_DROP",
	  "A netfilter hook returned NF_DROP: an nftables/iptables drop rule or policy, or "
	  "conntrack refusing the packet (table full, invalid state).",
	  "skbtrace_netfilter_drops_total: the chain; nft monitor trace (meta nftrace set 1): the "
	  "rule; skbtrace_conntrack_table_full_drops_total: raise nf_conntrack_max." },
	{ HINT_DROP_REASON, "TCP_LISTEN_OVERFLOW",
	  "The listener's accept queue was full, so the handshake's last ACK was dropped: "
	  "the application accepts too slowly or listen() got a small backlog (e.g. 5).",
	  "Raise the listen() backlog and net.core.somaxconn (which caps it); ss -ltn shows "
	  "Recv-Q against the backlog in Send-Q; nstat TcpExtListenOverflows." },
	{ HINT_DROP_REASON, "IP_RPFILTER",
	  "Reverse path filter: the source address is not routed back through the interface "
	  "the packet came in on (asymmetric routing, multihoming, spoofing).",
	  "sysctl net.ipv4.conf.{all,IFACE}.rp_filter (2 = loose); ip route get SRC from "
	  "DST iif IFACE." },
	{ HINT_DROP_REASON, "SOCKET_RCVBUFF",
	  "The socket's receive buffer was full: the application reads too slowly for the "
	  "arriving data.",
	  "Read faster or raise SO_RCVBUF / net.core.rmem_max (UDP: nstat UdpRcvbufErrors)." },
	{ HINT_DROP_REASON, "SOCKET_BACKLOG",
	  "The socket's backlog was full while its owner held the socket lock.",
	  "A busy or stalled application thread owns the socket; check the receive buffer "
	  "size and the application's latency." },
	{ HINT_DROP_REASON, "PROTO_MEM",
	  "The protocol ran out of memory (tcp_mem / udp_mem pressure limit).",
	  "sysctl net.ipv4.tcp_mem / udp_mem; cat /proc/net/sockstat for memory in use." },
	{ HINT_DROP_REASON, "CPU_BACKLOG",
	  "The CPU's input backlog queue was full (more packets than "
	  "net.core.netdev_max_backlog "
	  "waiting for the softirq).",
	  "Raise net.core.netdev_max_backlog, spread load with RPS/RSS; /proc/net/softnet_stat "
	  "column 2." },
	{ HINT_DROP_REASON, "QDISC_DROP",
	  "A traffic-control queue discipline dropped the packet (queue limit "
	  "or policing).",
	  "tc -s qdisc show dev IFACE (dropped, overlimits); raise the queue limit or "
	  "the shaped rate." },
	{ HINT_DROP_REASON, "NEIGH_FAILED",
	  "Neighbour resolution (ARP/NDISC) for the next hop failed: the gateway or peer does "
	  "not answer.",
	  "ip neigh show (FAILED entries); check that the next hop is up and on the link." },
	{ HINT_DROP_REASON, "NEIGH_QUEUEFULL",
	  "Too many packets waited for an unresolved neighbour (ARP/NDISC) entry.",
	  "ip neigh show; raise net.ipv4.neigh.default.unres_qlen_bytes if the next hop "
	  "answers slowly." },
	{ HINT_DROP_REASON, "IP_OUTNOROUTES",
	  "No route to the destination when sending (output route lookup failed), also for a "
	  "tunnel's underlay.",
	  "ip route get DST (in the namespace and VRF that sends); check the default route "
	  "and policy rules (ip rule)." },
	{ HINT_DROP_REASON, "IP_INNOROUTES",
	  "Network unreachable: no route for a received packet that is not "
	  "for this host.",
	  "ip route get DST from SRC iif IFACE; check forwarding routes and ip rule." },
	{ HINT_DROP_REASON, "IP_INADDRERRORS",
	  "Host unreachable: input routing found the destination "
	  "unreachable or invalid.",
	  "ip route get DST from SRC iif IFACE; nstat IpInAddrErrors." },
	{ HINT_DROP_REASON, "IP_INVALID_SOURCE",
	  "The source address is invalid for input routing (martian: multicast, broadcast, "
	  "zero or loopback source).",
	  "Set net.ipv4.conf.all.log_martians=1 to log them; check the sender's address." },
	{ HINT_DROP_REASON, "IP_LOCAL_SOURCE",
	  "A received packet claims a source address of this host.",
	  "Look for a loop or spoofed traffic on the interface; log_martians=1." },
	{ HINT_DROP_REASON, "IP_INVALID_DEST",
	  "The destination address is invalid for input routing (zero, loopback or "
	  "otherwise martian destination).",
	  "Check the sender's addressing; log_martians=1." },
	{ HINT_DROP_REASON, "IP_LOCALNET",
	  "A loopback address arrived on a non-loopback interface.",
	  "net.ipv4.conf.IFACE.route_localnet, if this is intended." },
	{ HINT_DROP_REASON, "IP_NOPROTO",
	  "No handler for the packet's IP protocol (e.g. GRE, SCTP or OSPF with "
	  "no module or raw socket for it).",
	  "Load the protocol's module or start the daemon that opens its raw socket; nstat "
	  "IpInUnknownProtos." },
	{ HINT_DROP_REASON, "IP_INHDR",
	  "Invalid IPv4 header (version, header length, total length).",
	  "A broken sender or middlebox; nstat IpInHdrErrors." },
	{ HINT_DROP_REASON, "IP_CSUM", "Bad IPv4 header checksum.",
	  "Corruption on the path or a NIC offload bug: ethtool -S IFACE, try ethtool -K." },
	{ HINT_DROP_REASON, "TCP_CSUM", "Bad TCP checksum.",
	  "Corruption on the path or a NIC offload bug: ethtool -S IFACE, nstat "
	  "TcpInCsumErrors." },
	{ HINT_DROP_REASON, "UDP_CSUM", "Bad UDP checksum.",
	  "Corruption on the path or a NIC offload bug: ethtool -S IFACE, nstat "
	  "UdpInCsumErrors." },
	{ HINT_DROP_REASON, "PKT_TOO_SMALL", "The packet is shorter than its headers say.",
	  "A broken sender or truncation on the path." },
	{ HINT_DROP_REASON, "PKT_TOO_BIG", "The packet exceeds the MTU and may not be fragmented.",
	  "Check MTUs along the path (tunnels lower them) and that ICMP "
	  "fragmentation-needed is not filtered." },
	{ HINT_DROP_REASON, "OTHERHOST",
	  "The packet's destination MAC is another host's (promiscuous mode or a "
	  "bridge port).",
	  "Usually harmless: seen with tcpdump or bridges; check for flooding if it is many." },
	{ HINT_DROP_REASON, "UNICAST_IN_L2_MULTICAST",
	  "A unicast IP packet came in an L2 multicast or "
	  "broadcast frame.",
	  "A misconfigured sender or switch; net.ipv4.conf.IFACE.drop_unicast_in_l2_multicast." },
	{ HINT_DROP_REASON, "XFRM_POLICY", "IPsec (xfrm) policy check failed.",
	  "ip xfrm policy / ip xfrm state; check the SAs and the policy's selectors." },
	{ HINT_DROP_REASON, "SOCKET_FILTER",
	  "A socket filter (classic BPF, SO_ATTACH_FILTER) rejected the "
	  "packet.",
	  "ss -0 / the application's filter; usually intended." },
	{ HINT_DROP_REASON, "TCP_RFC7323_PAWS",
	  "PAWS: the segment's TCP timestamp is older than the connection's (wrapped sequence "
	  "or several clients behind one NAT).",
	  "nstat TcpExtPAWSEstab; check NAT in front of the host and net.ipv4.tcp_timestamps." },
	{ HINT_DROP_REASON, "TCP_ZEROWINDOW",
	  "The receiver's window was zero: data arrived that it had no room "
	  "for.",
	  "The application reads too slowly; check its receive buffer." },
	{ HINT_DROP_REASON, "TCP_OLD_DATA",
	  "A retransmission of data already received (duplicate).",
	  "Usually harmless; many mean lost ACKs or spurious retransmissions." },
	{ HINT_DROP_REASON, "TCP_OVERWINDOW", "Data beyond the advertised receive window.",
	  "A misbehaving peer or middlebox rewriting windows." },
	{ HINT_DROP_REASON, "TCP_INVALID_SEQUENCE", "A segment outside the receive window.",
	  "Middleboxes, NAT state loss or an attack; nstat TcpExtTCPInvalidSeq* (if present)." },
	{ HINT_DROP_REASON, "TCP_RESET",
	  "A RST segment was received (and this segment freed with it).",
	  "See skbtrace_tcp_resets_total{direction=\"received\"} for who resets." },
	{ HINT_DROP_REASON, "TCP_FLAGS", "A TCP segment with an invalid combination of flags.",
	  "A scanner or a broken peer." },
	{ HINT_DROP_REASON, "TCP_MD5NOTFOUND",
	  "A segment without the TCP MD5 signature the socket requires.",
	  "The peer's TCP-MD5 (e.g. BGP password) configuration is missing." },
	{ HINT_DROP_REASON, "TCP_MD5UNEXPECTED",
	  "A TCP MD5 signature on a socket that does not use one.",
	  "Remove the peer's TCP-MD5 password or configure it here too." },
	{ HINT_DROP_REASON, "TCP_MD5FAILURE", "The TCP MD5 signature did not verify.",
	  "The two ends use different TCP-MD5 passwords (e.g. BGP)." },
	{ HINT_DROP_REASON, "TCP_CLOSE", "A segment arrived for a socket that is closed.",
	  "The application closed the socket while the peer still sent." },
	{ HINT_DROP_REASON, "TCP_OFO_DROP",
	  "An out-of-order segment had no room in the out-of-order queue.",
	  "Receive buffer too small for the path's loss; raise tcp_rmem." },
	{ HINT_DROP_REASON, "TCP_OFO_QUEUE_PRUNE",
	  "The out-of-order queue was pruned under memory pressure.",
	  "Raise tcp_rmem / check memory pressure in /proc/net/sockstat." },
	{ HINT_DROP_REASON, "NOMEM", "Memory allocation failed while handling the packet.",
	  "Check free memory and min_free_kbytes; dmesg for allocation failures." },
	{ HINT_DROP_REASON, "FULL_RING", "A device's ring (e.g. a tun/tap queue) was full.",
	  "The consumer (VM, container runtime, VPN daemon) reads too slowly." },
	{ HINT_DROP_REASON, "DEV_READY", "The device was not up or not running.",
	  "ip link show IFACE; check carrier and admin state." },
	{ HINT_DROP_REASON, "TC_INGRESS", "A tc ingress classifier or action dropped the packet.",
	  "tc -s filter show dev IFACE ingress." },
	{ HINT_DROP_REASON, "TC_EGRESS", "A tc egress classifier or action dropped the packet.",
	  "tc -s filter show dev IFACE egress." },
	{ HINT_DROP_REASON, "XDP", "An XDP program dropped the packet (XDP_DROP or an error).",
	  "ip link show IFACE (xdp), bpftool net." },
	{ HINT_DROP_REASON, "BPF_CGROUP_EGRESS", "A cgroup BPF egress program refused the packet.",
	  "bpftool cgroup tree; a container network policy." },
	{ HINT_DROP_REASON, "SECURITY_HOOK",
	  "A security module (LSM: SELinux, AppArmor) refused the packet.",
	  "Audit log (ausearch -m AVC) for denials." },
	{ HINT_DROP_REASON, "FRAG_REASM_TIMEOUT",
	  "IP fragments timed out before the datagram was complete.",
	  "Lost fragments on the path; avoid fragmentation (MTU, PMTUD)." },
	{ HINT_DROP_REASON, "DUP_FRAG", "A duplicate IP fragment.",
	  "Usually harmless; many mean a looping path." },
	{ HINT_DROP_REASON, "VXLAN_INVALID_HDR", "A VXLAN packet with an invalid VXLAN header.",
	  "A sender with another VXLAN flavour (GPE, GBP) or a port clash on 4789." },
	{ HINT_DROP_REASON, "VXLAN_VNI_NOT_FOUND",
	  "A VXLAN packet for a VNI no local VXLAN device serves.",
	  "ip -d link show type vxlan: compare the VNIs with the remote VTEP's." },
	{ HINT_DROP_REASON, "UNHANDLED_PROTO", "No handler for the packet's protocol.",
	  "Load the protocol's module if the traffic is intended." },
	{ HINT_DROP_REASON, "IPV6DISABLED", "IPv6 is disabled on the interface.",
	  "sysctl net.ipv6.conf.IFACE.disable_ipv6." },

	{ HINT_DROP_LOCATION, "nf_hook_slow",
	  "A netfilter verdict dropped it: an nftables/iptables rule, policy or "
	  "conntrack.",
	  "nft list ruleset; skbtrace_conntrack_table_full_drops_total for a full table." },
	{ HINT_DROP_LOCATION, "nft_do_chain",
	  "An nftables rule with a drop verdict, or a base chain's drop policy.",
	  "skbtrace_netfilter_drops_total names the base chain; nft -a list ruleset "
	  "counters, or nft monitor trace, the rule." },
	{ HINT_DROP_LOCATION, "gre_rcv",
	  "A GRE packet was refused: a GRE version with no handler (version bits not 0, or 1 "
	  "without the pptp module), a bad header or checksum, or no matching tunnel.",
	  "Check the sender's GRE header (tcpdump -v proto gre) and ip -d tunnel show." },
	{ HINT_DROP_LOCATION, "vxlan_xmit_one",
	  "The VXLAN device could not send the encapsulated packet, typically for lack of a "
	  "route to the remote VTEP in the underlay.",
	  "ip route get REMOTE_VTEP in the underlay namespace or VRF; ip -s link show "
	  "VXLAN_DEV." },
	/* ip_rcv_finish_core() frees the packet; inlined, its caller does. */
	{ HINT_DROP_LOCATION, "ip_rcv_finish_core", INPUT_ROUTE_CAUSE, INPUT_ROUTE_ACTION },
	{ HINT_DROP_LOCATION, "ip_rcv_finish", INPUT_ROUTE_CAUSE, INPUT_ROUTE_ACTION },
	{ HINT_DROP_LOCATION, "tcp_v4_rcv",
	  "TCP input refused the segment (see the reason: no socket, checksum, "
	  "MD5, closed socket).",
	  "ss -lnt for the port; nstat Tcp*." },
	{ HINT_DROP_LOCATION, "udp_queue_rcv_one_skb",
	  "UDP could not queue the datagram to its socket.",
	  "nstat UdpRcvbufErrors, UdpInErrors; raise the socket's receive buffer." },
	{ HINT_DROP_LOCATION, "__udp4_lib_rcv",
	  "UDP input dropped the datagram (no socket, bad checksum, short).",
	  "ss -lnu for the port; nstat UdpNoPorts, UdpInCsumErrors." },

	{ HINT_RESET_REASON, "NO_SOCKET",
	  "A segment reached no socket: the port is closed in that namespace.",
	  "ss -lnt for the port; clients connect to a service that is down or elsewhere." },
	{ HINT_RESET_REASON, "TCP_ABORT_ON_CLOSE",
	  "The application closed a connection with unread data in its receive queue, so the "
	  "kernel sent RST instead of FIN.",
	  "The application should read (drain) the socket or shutdown(SHUT_WR) before close()." },
	{ HINT_RESET_REASON, "TCP_ABORT_ON_DATA",
	  "Data arrived after the application had closed the socket.",
	  "The peer sends past the close: fix the protocol's close handshake; nstat "
	  "TcpExtTCPAbortOnData." },
	{ HINT_RESET_REASON, "TCP_ABORT_ON_LINGER",
	  "The socket was closed in FIN_WAIT2 with TCP_LINGER2 negative, which asks for an "
	  "abort.",
	  "Check the application's TCP_LINGER2 setting." },
	{ HINT_RESET_REASON, "TCP_ABORT_ON_MEMORY",
	  "The socket was aborted under TCP memory pressure, or with too "
	  "many orphaned sockets.",
	  "sysctl net.ipv4.tcp_mem / tcp_max_orphans; /proc/net/sockstat." },
	{ HINT_RESET_REASON, "TCP_STATE",
	  "The local socket aborted the connection because of its state, e.g. close() with "
	  "SO_LINGER {on, 0} or a disconnect.",
	  "Look for SO_LINGER 0 in the application (load balancers and proxies use it "
	  "on purpose)." },
	{ HINT_RESET_REASON, "TCP_KEEPALIVE_TIMEOUT", "Keepalive probes went unanswered.",
	  "The peer or a middlebox (NAT, firewall) dropped the idle connection." },
	{ HINT_RESET_REASON, "TCP_DISCONNECT_WITH_DATA",
	  "The application disconnected while data was still "
	  "unsent or unread.",
	  "Check the application's error paths that drop connections." },
	{ HINT_RESET_REASON, "TCP_INVALID_ACK_SEQUENCE",
	  "A segment acknowledged data that was never sent.",
	  "NAT state loss or a middlebox rewriting sequence numbers." },
	{ HINT_RESET_REASON, "TCP_RFC7323_PAWS", "A segment failed the timestamp (PAWS) check.",
	  "Several clients behind one NAT, or reused ports with old timestamps." },
	{ HINT_RESET_REASON, "INVALID_SYN",
	  "An unexpected SYN, e.g. on a connection that is already synchronized.",
	  "Port reuse by a client, or a middlebox that lost state." },

	{ HINT_RESET_ORIGIN, "passive",
	  "This host answered a segment that reached no socket (or that a socket "
	  "refused) with a reset.",
	  "Usually a closed port: see skbtrace_drops_total{reason=\"NO_SOCKET\"}." },
	{ HINT_RESET_ORIGIN, "active",
	  "A local socket aborted its own connection: close with unread data, "
	  "SO_LINGER 0, a timeout or memory pressure.",
	  "The reset reason and the stack tell which; look at the application's close path." },
	{ HINT_RESET_ORIGIN, "peer",
	  "The remote end, or a middlebox in between, reset the connection.",
	  "Check the peer's logs; a firewall or load balancer may send resets for it." },
};

const size_t hint_table_len = sizeof(hint_table) / sizeof(hint_table[0]);

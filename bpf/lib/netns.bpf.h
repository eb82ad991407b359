/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Which network namespace an event belongs to.
 *
 * Counters are keyed by the namespace's id (net_id()), not by its inode:
 * the kernel gives a new namespace the inode number of a deleted one at
 * once, so a key by inode would let the new namespace continue the dead
 * one's counters.  Since 5.12 struct net has a u64 net_cookie assigned at
 * creation from a global counter and never reused; its low 32 bits are the
 * id.  Before, net_cookie is an atomic64_t generated lazily (0 until asked
 * for), and the id is the inode.  The daemon sets netns_by_cookie from the
 * namespace walker, which tells it whether the running kernel has the
 * cookie (bpf/netns_walk.bpf.c), and maps ids to inodes for the netns
 * label.  Filters compare inodes, the numbers users know.
 */
#ifndef SKBTRACE_NETNS_BPF_H
#define SKBTRACE_NETNS_BPF_H

#include <bpf/bpf_core_read.h>

/* struct net of 5.12 and later: the cookie is a plain u64, set in setup_net(). */
struct net___skbtrace_cookie {
	__u64 net_cookie;
} __attribute__((preserve_access_index));

/* Set by the daemon: key by the cookie (needs the walker to name the inode). */
const volatile bool netns_by_cookie = false;

/* True when this kernel assigns the cookie at creation: a u64, not an atomic64_t. */
static __always_inline bool netns_has_cookie(void)
{
	return bpf_core_field_exists(((struct net___skbtrace_cookie *)0)->net_cookie);
}

static __always_inline __u32 net_inum(struct net *net)
{
	return net ? BPF_CORE_READ(net, ns.inum) : 0;
}

static __always_inline __u32 net_inum_btf(struct net *net)
{
	return net ? net->ns.inum : 0;
}

static __always_inline __u32 net_id(struct net *net)
{
	if (!net)
		return 0;
	if (netns_by_cookie && netns_has_cookie())
		return (__u32)BPF_CORE_READ((struct net___skbtrace_cookie *)net, net_cookie);
	return BPF_CORE_READ(net, ns.inum);
}

/* net_id() for a BTF pointer (tp_btf, fentry): a plain load instead of a helper call. */
static __always_inline __u32 net_id_btf(struct net *net)
{
	if (!net)
		return 0;
	if (netns_by_cookie && netns_has_cookie())
		return (__u32)((struct net___skbtrace_cookie *)net)->net_cookie;
	return net->ns.inum;
}

static __always_inline struct net *sock_net_of(struct sock *sk)
{
	return sk ? BPF_CORE_READ(sk, __sk_common.skc_net.net) : NULL;
}

/*
 * The device tells the namespace of received and forwarded packets; locally
 * generated packets meet the OUTPUT hook with no device yet, so fall back to
 * the owning socket.
 */
static __always_inline struct net *skb_net(struct sk_buff *skb)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	struct sock *sk;

	if (dev)
		return BPF_CORE_READ(dev, nd_net.net);
	sk = BPF_CORE_READ(skb, sk);
	return sk ? BPF_CORE_READ(sk, __sk_common.skc_net.net) : NULL;
}

/*
 * skb_net() for programs whose skb is a BTF pointer (tp_btf, fentry): the
 * verifier lets them load fields directly, a plain load each instead of a
 * bpf_probe_read_kernel() call, which is most of the probe's cost per event.
 */
static __always_inline struct net *skb_net_btf(struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	struct sock *sk;

	if (dev)
		return dev->nd_net.net;
	sk = skb->sk;
	return sk ? sk->__sk_common.skc_net.net : NULL;
}

#endif /* SKBTRACE_NETNS_BPF_H */

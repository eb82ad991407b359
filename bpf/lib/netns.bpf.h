/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef SKBTRACE_NETNS_BPF_H
#define SKBTRACE_NETNS_BPF_H

static __always_inline __u32 sock_netns(struct sock *sk)
{
	return sk ? BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum) : 0;
}

static __always_inline __u32 net_inum(struct net *net)
{
	return net ? BPF_CORE_READ(net, ns.inum) : 0;
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

static __always_inline __u32 skb_netns(struct sk_buff *skb)
{
	return net_inum(skb_net(skb));
}

/*
 * skb_net() and skb_netns() for programs whose skb is a BTF pointer (tp_btf,
 * fentry): the verifier lets them load fields directly, a plain load each
 * instead of a bpf_probe_read_kernel() call, which is most of the probe's
 * cost per event.
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

static __always_inline __u32 skb_netns_btf(struct sk_buff *skb)
{
	struct net *net = skb_net_btf(skb);

	return net ? net->ns.inum : 0;
}

#endif /* SKBTRACE_NETNS_BPF_H */

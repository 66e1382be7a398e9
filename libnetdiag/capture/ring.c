/* AF_PACKET TPACKET_V3 capture rings; see netdiag/live.h for why. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netdiag/live.h>

#define VLAN_TAG_LEN 4
#define SCRATCH_LEN 65536

struct ring {
	int fd;
	char ifname[IF_NAMESIZE];
	int ifindex;
	int linktype;
	uint8_t *map;
	size_t map_len;
	unsigned block_size, block_count, next_block;
	uint64_t frames;
	uint64_t kernel_packets, kernel_drops, freeze_count;
};

struct nd_live {
	struct nd_live_opts opts;
	struct ring rings[ND_LIVE_MAX_IFACES];
	struct pollfd pfd[ND_LIVE_MAX_IFACES];
	unsigned n;
	uint64_t number;
	/* a frame whose VLAN tag the kernel stripped is rebuilt here */
	uint8_t scratch[SCRATCH_LEN + VLAN_TAG_LEN];
	char error[256];
};

int nd_live_new(struct nd_live **lvp, const struct nd_live_opts *opts)
{
	struct nd_live *lv = calloc(1, sizeof(*lv));

	if (!lv)
		return -ENOMEM;
	if (opts)
		lv->opts = *opts;
	if (!lv->opts.snaplen || lv->opts.snaplen > SCRATCH_LEN)
		lv->opts.snaplen = SCRATCH_LEN - 1;
	if (!lv->opts.block_size)
		lv->opts.block_size = 1u << 20;
	if (!lv->opts.block_count)
		lv->opts.block_count = 8;
	if (!lv->opts.block_timeout_ms)
		lv->opts.block_timeout_ms = 50;
	*lvp = lv;
	return 0;
}

/* Compile with libpcap for the ring's link type and attach the classic
 * BPF program to the socket (struct bpf_insn and struct sock_filter share
 * their layout). */
static int attach_filter(struct nd_live *lv, struct ring *r)
{
	struct bpf_program prog;
	struct sock_fprog fprog;
	pcap_t *dead;
	int err = 0;

	if (!lv->opts.filter || !lv->opts.filter[0])
		return 0;
	dead = pcap_open_dead(r->linktype == ND_LINK_RAW ? DLT_RAW : DLT_EN10MB,
			      (int)lv->opts.snaplen);
	if (!dead)
		return -ENOMEM;
	if (pcap_compile(dead, &prog, lv->opts.filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(lv->error, sizeof(lv->error), "filter: %s", pcap_geterr(dead));
		err = -EINVAL;
		goto out;
	}
	fprog.len = (unsigned short)prog.bf_len;
	fprog.filter = (struct sock_filter *)prog.bf_insns;
	if (setsockopt(r->fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog)) < 0)
		err = -errno;
	pcap_freecode(&prog);
out:
	pcap_close(dead);
	return err;
}

static int link_type_of(int fd, int ifindex, int *linktype)
{
	struct ifreq ifr = { 0 };

	ifr.ifr_ifindex = ifindex;
	if (ioctl(fd, SIOCGIFNAME, &ifr) < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	switch (ifr.ifr_hwaddr.sa_family) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:
		*linktype = ND_LINK_ETHERNET;
		return 0;
	case ARPHRD_NONE:      /* tun (IFF_TUN): bare IP */
	case ARPHRD_IPGRE:
	case ARPHRD_TUNNEL:
	case ARPHRD_TUNNEL6:
		*linktype = ND_LINK_RAW;
		return 0;
	default:
		return -EPROTONOSUPPORT;
	}
}

/* A bridge device's packet socket sees frames forwarded between two ports
 * only while the bridge is promiscuous (br_handle_frame_finish passes them up
 * locally only then); without it a unicast OFFER from the uplink to a guest
 * never shows at the bridge point.  The membership is a reference count
 * (dev_set_promiscuity), not a flag: it leaves the device as the user or
 * another capture set it, and the kernel drops it when the socket closes
 * (packet_release), so a killed netdiag leaves nothing behind.  It changes
 * which frames reach the device, not how often a socket bound to it sees one
 * nor their direction (sll_pkttype). */
static int join_promisc(struct ring *r)
{
	struct packet_mreq mr = { .mr_ifindex = r->ifindex, .mr_type = PACKET_MR_PROMISC };

	if (setsockopt(r->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
		return -errno;
	return 0;
}

static int ring_open(struct nd_live *lv, struct ring *r, const char *ifname)
{
	int version = TPACKET_V3;
	struct tpacket_req3 req = { 0 };
	struct sockaddr_ll sll = { 0 };
	int err;

	snprintf(r->ifname, sizeof(r->ifname), "%s", ifname);
	r->ifindex = (int)if_nametoindex(ifname);
	if (!r->ifindex)
		return -ENODEV;
	/* protocol 0 until the ring and the filter are set: no frame is queued
	 * unfiltered in between */
	r->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (r->fd < 0)
		return -errno;
	err = link_type_of(r->fd, r->ifindex, &r->linktype);
	if (err)
		return err;
	if (setsockopt(r->fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) < 0)
		return -errno;
	req.tp_block_size = lv->opts.block_size;
	req.tp_block_nr = lv->opts.block_count;
	req.tp_frame_size = TPACKET_ALIGNMENT << 7;
	req.tp_frame_nr = req.tp_block_size / req.tp_frame_size * req.tp_block_nr;
	req.tp_retire_blk_tov = lv->opts.block_timeout_ms;
	if (setsockopt(r->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
		return -errno;
	r->block_size = req.tp_block_size;
	r->block_count = req.tp_block_nr;
	r->map_len = (size_t)r->block_size * r->block_count;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, r->fd, 0);
	if (r->map == MAP_FAILED)
		r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return -errno;
	}
	err = attach_filter(lv, r);
	if (!err)
		err = join_promisc(r);
	if (err)
		return err;
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = r->ifindex;
	if (bind(r->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -errno;
	return 0;
}

static void ring_close(struct ring *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
	r->map = NULL;
	r->fd = -1;
}

int nd_live_add(struct nd_live *lv, const char *ifname)
{
	struct ring *r;
	int err;

	if (lv->n == ND_LIVE_MAX_IFACES)
		return -ENOSPC;
	r = &lv->rings[lv->n];
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	lv->error[0] = 0;
	err = ring_open(lv, r, ifname);
	if (err) {
		ring_close(r);
		return err;
	}
	lv->pfd[lv->n].fd = r->fd;
	lv->pfd[lv->n].events = POLLIN | POLLERR;
	lv->n++;
	return 0;
}

/* The kernel strips an 802.1Q tag into tp_vlan_tci on many devices; put it
 * back so the decoder sees the frame as it was on the wire. */
static const uint8_t *with_vlan_tag(struct nd_live *lv, const uint8_t *data,
				    uint32_t *caplen, uint32_t *wirelen,
				    const struct tpacket3_hdr *h)
{
	uint16_t tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) ? h->hv1.tp_vlan_tpid
								   : ETH_P_8021Q;
	uint16_t tci = (uint16_t)h->hv1.tp_vlan_tci;

	if (*caplen < 2 * ETH_ALEN || *caplen > SCRATCH_LEN)
		return data;
	memcpy(lv->scratch, data, 2 * ETH_ALEN);
	lv->scratch[12] = (uint8_t)(tpid >> 8);
	lv->scratch[13] = (uint8_t)tpid;
	lv->scratch[14] = (uint8_t)(tci >> 8);
	lv->scratch[15] = (uint8_t)tci;
	memcpy(lv->scratch + 16, data + 2 * ETH_ALEN, *caplen - 2 * ETH_ALEN);
	*caplen += VLAN_TAG_LEN;
	*wirelen += VLAN_TAG_LEN;
	return lv->scratch;
}

static int deliver(struct nd_live *lv, struct ring *r, const struct tpacket3_hdr *h,
		   nd_live_frame_fn fn, void *arg)
{
	const struct sockaddr_ll *sll =
		(const void *)((const uint8_t *)h + TPACKET_ALIGN(sizeof(*h)));
	const uint8_t *data = (const uint8_t *)h + h->tp_mac;
	struct nd_frame_meta m = { 0 };

	m.number = ++lv->number;
	m.ts = h->tp_sec + h->tp_nsec / 1e9;
	m.caplen = h->tp_snaplen;
	m.wirelen = h->tp_len;
	m.linktype = r->linktype;
	m.ifindex = (unsigned)r->ifindex;
	m.ifname = r->ifname;
	m.dir = sll->sll_pkttype == PACKET_OUTGOING ? ND_DIR_OUT : ND_DIR_IN;
	if (h->tp_status & TP_STATUS_CSUMNOTREADY)
		m.hints |= ND_HINT_CSUM_NOTREADY;
	if (h->tp_status & TP_STATUS_CSUM_VALID)
		m.hints |= ND_HINT_CSUM_VALID;
	if ((h->tp_status & TP_STATUS_VLAN_VALID) && r->linktype == ND_LINK_ETHERNET)
		data = with_vlan_tag(lv, data, &m.caplen, &m.wirelen, h);
	r->frames++;
	return fn(arg, &m, data);
}

/* Walk every block the kernel has handed to user space, in ring order. */
static int drain(struct nd_live *lv, struct ring *r, nd_live_frame_fn fn, void *arg,
		 int *delivered)
{
	for (;;) {
		struct tpacket_block_desc *bd =
			(void *)(r->map + (size_t)r->next_block * r->block_size);
		const struct tpacket3_hdr *h;
		int ret = 0;

		if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			return 0;
		h = (const void *)((uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt);
		for (uint32_t i = 0; i < bd->hdr.bh1.num_pkts && !ret; i++) {
			ret = deliver(lv, r, h, fn, arg);
			(*delivered)++;
			h = (const void *)((const uint8_t *)h + h->tp_next_offset);
		}
		__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		r->next_block = (r->next_block + 1) % r->block_count;
		if (ret)
			return ret;
	}
}

int nd_live_poll(struct nd_live *lv, int timeout_ms, nd_live_frame_fn fn, void *arg)
{
	int delivered = 0, ret;

	/* frames already waiting are served without sleeping */
	for (unsigned i = 0; i < lv->n; i++) {
		ret = drain(lv, &lv->rings[i], fn, arg, &delivered);
		if (ret)
			return ret;
	}
	if (delivered)
		return delivered;
	ret = poll(lv->pfd, lv->n, timeout_ms);
	if (ret < 0)
		return errno == EINTR ? 0 : -errno;
	for (unsigned i = 0; i < lv->n; i++) {
		ret = drain(lv, &lv->rings[i], fn, arg, &delivered);
		if (ret)
			return ret;
	}
	return delivered;
}

unsigned nd_live_count(const struct nd_live *lv)
{
	return lv->n;
}

const char *nd_live_ifname(const struct nd_live *lv, unsigned idx)
{
	return idx < lv->n ? lv->rings[idx].ifname : NULL;
}

int nd_live_stats(struct nd_live *lv, unsigned idx, struct nd_live_stats *st)
{
	struct tpacket_stats_v3 ks;
	socklen_t len = sizeof(ks);
	struct ring *r;

	if (idx >= lv->n)
		return -EINVAL;
	r = &lv->rings[idx];
	/* the kernel resets its counters on every read: accumulate here */
	if (getsockopt(r->fd, SOL_PACKET, PACKET_STATISTICS, &ks, &len) < 0)
		return -errno;
	r->kernel_packets += ks.tp_packets;
	r->kernel_drops += ks.tp_drops;
	r->freeze_count += ks.tp_freeze_q_cnt;
	st->frames = r->frames;
	st->kernel_packets = r->kernel_packets;
	st->kernel_drops = r->kernel_drops;
	st->freeze_count = r->freeze_count;
	return 0;
}

const char *nd_live_error(const struct nd_live *lv)
{
	return lv->error;
}

void nd_live_close(struct nd_live *lv)
{
	if (!lv)
		return;
	for (unsigned i = 0; i < lv->n; i++)
		ring_close(&lv->rings[i]);
	free(lv);
}

/* A forwarder that does what a vnet_hdr-unaware datapath does: it opens a
 * tap with IFF_VNET_HDR and checksum offload, reads frames the kernel left
 * CHECKSUM_PARTIAL (virtio_net_hdr flag NEEDS_CSUM) and writes them on to
 * an interface through a packet socket without finishing the checksum.
 * The other way it is well behaved: frames whose checksum the sender left
 * to the device (PACKET_AUXDATA says TP_STATUS_CSUMNOTREADY) go to the
 * tap with NEEDS_CSUM and the checksum's place, as a virtio guest's do.
 * With -c it is a reader that honours the header, as QEMU does: it
 * finishes the checksum NEEDS_CSUM leaves open before handing the frame on.
 * With -n it ignores the header both ways: frames from the wire go to the
 * tap with an all-zero header even when their checksum was left to the
 * device, so they enter the host unfinished and unmarked (a veth further
 * on takes them as verified; the host's own stack drops them).
 *
 *   vnetfwd [-c|-n] TAPNAME IFNAME        runs until killed
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* where the transport checksum sits, for a frame the sender left partial */
static void partial_hdr(struct virtio_net_hdr *h, const unsigned char *f, size_t n)
{
	size_t ihl;

	if (n < 34 || f[12] != 0x08 || f[13] != 0x00)
		return;
	ihl = (size_t)(f[14] & 0x0f) * 4;
	if (f[23] != IPPROTO_UDP && f[23] != IPPROTO_TCP)
		return;
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->csum_start = (uint16_t)(14 + ihl);
	h->csum_offset = f[23] == IPPROTO_UDP ? 6 : 16;
}

/* what the device (or a vnet_hdr-aware reader) does for NEEDS_CSUM: the
 * one's complement sum from csum_start to the end, the pseudo-header sum
 * already in the checksum's place, stored complemented there */
static void finish_csum(const struct virtio_net_hdr *h, unsigned char *f, size_t n)
{
	size_t at = (size_t)h->csum_start + h->csum_offset, i;
	uint32_t sum = 0;
	uint16_t c;

	if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || at + 2 > n || h->csum_start >= n)
		return;
	for (i = h->csum_start; i + 1 < n; i += 2)
		sum += (uint32_t)(f[i] << 8 | f[i + 1]);
	if (i < n)
		sum += (uint32_t)(f[i] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)~sum;
	/* UDP sends an all-zero result as 0xffff (RFC 768) */
	if (c == 0 && h->csum_offset == 6)
		c = 0xffff;
	f[at] = (unsigned char)(c >> 8);
	f[at + 1] = (unsigned char)c;
}

static void from_wire(int pk, int tap, unsigned char *buf, size_t size, int hdrlen, int nohdr)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} ctl;
	struct sockaddr_ll from;
	struct iovec iov = { .iov_base = buf + hdrlen, .iov_len = size - (size_t)hdrlen };
	struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = &ctl, .msg_controllen = sizeof(ctl) };
	ssize_t n = recvmsg(pk, &m, 0);
	struct cmsghdr *c;

	if (n <= 0 || from.sll_pkttype == PACKET_OUTGOING)
		return;
	memset(buf, 0, (size_t)hdrlen);
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		struct tpacket_auxdata aux;

		if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA)
			continue;
		memcpy(&aux, CMSG_DATA(c), sizeof(aux));
		if ((aux.tp_status & TP_STATUS_CSUMNOTREADY) && !nohdr)
			partial_hdr((struct virtio_net_hdr *)buf, buf + hdrlen, (size_t)n);
	}
	if (write(tap, buf, (size_t)n + (size_t)hdrlen) < 0)
		return;
}

int main(int argc, char **argv)
{
	struct virtio_net_hdr hdr;
	struct ifreq ifr = { 0 };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	unsigned char buf[65536 + sizeof(hdr)];
	int tap, pk, hdrlen = sizeof(hdr), one = 1, honour = 0, nohdr = 0;

	if (argc == 4 && (strcmp(argv[1], "-c") == 0 || strcmp(argv[1], "-n") == 0)) {
		honour = argv[1][1] == 'c';
		nohdr = argv[1][1] == 'n';
		argv++;
		argc--;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: vnetfwd [-c|-n] TAPNAME IFNAME\n");
		return 2;
	}
	tap = open("/dev/net/tun", O_RDWR);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (tap < 0 || ioctl(tap, TUNSETIFF, &ifr) < 0 || ioctl(tap, TUNSETVNETHDRSZ, &hdrlen) < 0 ||
	    ioctl(tap, TUNSETOFFLOAD, TUN_F_CSUM) < 0) {
		perror("vnetfwd: tap");
		return 1;
	}
	pk = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	sll.sll_ifindex = (int)if_nametoindex(argv[2]);
	if (pk < 0 || !sll.sll_ifindex || bind(pk, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
	    setsockopt(pk, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0) {
		perror("vnetfwd: packet socket");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		struct pollfd p[2] = { { .fd = tap, .events = POLLIN }, { .fd = pk, .events = POLLIN } };
		ssize_t n;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return 1;
		if (p[0].revents & POLLIN) {
			n = read(tap, buf, sizeof(buf));
			/* the header says NEEDS_CSUM; the bug is to ignore it */
			if (n <= hdrlen)
				continue;
			if (honour)
				finish_csum((const struct virtio_net_hdr *)buf, buf + hdrlen,
					    (size_t)n - (size_t)hdrlen);
			send(pk, buf + hdrlen, (size_t)n - hdrlen, 0);
		}
		if (p[1].revents & POLLIN)
			from_wire(pk, tap, buf, sizeof(buf), hdrlen, nohdr);
	}
}

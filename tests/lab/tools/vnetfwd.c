/* A forwarder that does what a vnet_hdr-unaware datapath does: it opens a
 * tap with IFF_VNET_HDR and checksum offload, reads frames the kernel left
 * CHECKSUM_PARTIAL (virtio_net_hdr flag NEEDS_CSUM) and writes them on to
 * an interface through a packet socket without finishing the checksum;
 * the other way it writes frames to the tap with an empty header.
 *
 *   vnetfwd TAPNAME IFNAME        runs until killed
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct virtio_net_hdr hdr;
	struct ifreq ifr = { 0 };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	unsigned char buf[65536 + sizeof(hdr)];
	int tap, pk, hdrlen = sizeof(hdr);

	if (argc != 3) {
		fprintf(stderr, "usage: vnetfwd TAPNAME IFNAME\n");
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
	if (pk < 0 || !sll.sll_ifindex || bind(pk, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
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
			if (n > hdrlen)
				send(pk, buf + hdrlen, (size_t)n - hdrlen, 0);
		}
		if (p[1].revents & POLLIN) {
			struct sockaddr_ll from;
			socklen_t fl = sizeof(from);

			n = recvfrom(pk, buf + hdrlen, sizeof(buf) - hdrlen, 0,
				     (struct sockaddr *)&from, &fl);
			if (n > 0 && from.sll_pkttype != PACKET_OUTGOING) {
				memset(buf, 0, hdrlen);
				if (write(tap, buf, (size_t)n + hdrlen) < 0)
					continue;
			}
		}
	}
}

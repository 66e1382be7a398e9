/* `vm wait`: boot detection, either from the console log (a line matching
 * a regular expression) or from the wire (the guest's first DHCP message
 * on its tap, which says its network stack is up). */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>

#include <netdiag/pkt.h>

#include "vm_internal.h"

#define POLL_MS 100
#define DHCP_SERVER_PORT 67

/* A VM started in the background a moment ago may not have its state
 * written yet: give it until the deadline to appear. */
static void await_running(const char *name, double deadline)
{
	char val[24];

	while (nd_vm_state_get(name, "mac", val, sizeof(val)) < 0 && nd_mono_ms() < deadline)
		nanosleep(&(struct timespec){ 0, POLL_MS * 1000 * 1000 }, NULL);
}

int nd_vm_wait_console(const char *name, const char *regex, double timeout_s,
		       char *line, size_t linelen, char *err, size_t errlen)
{
	char path[512], buf[1024];
	double deadline = nd_mono_ms() + timeout_s * 1000;
	size_t have = 0;
	regex_t re;
	FILE *f;
	int rc;

	rc = regcomp(&re, regex, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		regerror(rc, &re, buf, sizeof(buf));
		snprintf(err, errlen, "%s: bad regular expression: %s", regex, buf);
		return -EINVAL;
	}
	await_running(name, deadline);
	if (nd_vm_state_get(name, "console_log", path, sizeof(path)) < 0 ||
	    !(f = fopen(path, "r"))) {
		snprintf(err, errlen, "%s: no such VM running", name);
		regfree(&re);
		return -ENOENT;
	}
	rc = -ETIMEDOUT;
	for (;;) {
		int ch = fgetc(f);

		if (ch == EOF) {
			clearerr(f);
			if (nd_mono_ms() >= deadline)
				break;
			if (!vm_state_running(name)) {
				rc = -ENOENT;
				break;
			}
			nanosleep(&(struct timespec){ 0, POLL_MS * 1000 * 1000 }, NULL);
			continue;
		}
		if (ch != '\n' && have + 1 < sizeof(buf)) {
			if (ch != '\r')
				buf[have++] = (char)ch;
			continue;
		}
		buf[have] = 0;
		have = 0;
		if (regexec(&re, buf, 0, NULL, 0) == 0) {
			if (line)
				snprintf(line, linelen, "%s", buf);
			rc = 0;
			break;
		}
	}
	fclose(f);
	regfree(&re);
	if (rc == -ETIMEDOUT)
		snprintf(err, errlen, "%s: no console line matched within %.0f s", name, timeout_s);
	else if (rc == -ENOENT)
		snprintf(err, errlen, "%s: the VM ended before a console line matched", name);
	return rc;
}

int nd_vm_wait_dhcp(const char *name, double timeout_s, char *err, size_t errlen)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	char tap[IF_NAMESIZE + 1], mac_text[24];
	uint8_t mac[6], frame[2048];
	double deadline = nd_mono_ms() + timeout_s * 1000;
	int fd, rc = -ETIMEDOUT;

	await_running(name, deadline);
	if (nd_vm_state_get(name, "tap", tap, sizeof(tap)) < 0 ||
	    nd_vm_state_get(name, "mac", mac_text, sizeof(mac_text)) < 0 ||
	    nd_vm_mac_parse(mac_text, mac) < 0) {
		snprintf(err, errlen, "%s: no such VM running", name);
		return -ENOENT;
	}
	sll.sll_ifindex = (int)if_nametoindex(tap);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot capture: %s", tap, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	while (nd_mono_ms() < deadline) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct nd_frame f;
		ssize_t n;

		if (poll(&p, 1, POLL_MS) <= 0) {
			if (!vm_state_running(name)) {
				rc = -ENOENT;
				break;
			}
			continue;
		}
		n = recv(fd, frame, sizeof(frame), MSG_TRUNC);
		if (n <= 0)
			continue;
		if (nd_frame_decode(&f, ND_LINK_ETHERNET, frame,
				    (size_t)n < sizeof(frame) ? (size_t)n : sizeof(frame),
				    (size_t)n, 0) < 0)
			continue;
		if (f.has_mac && !memcmp(f.src_mac, mac, 6) && f.ip_version == 4 &&
		    f.l4proto == IPPROTO_UDP && f.dport == DHCP_SERVER_PORT) {
			rc = 0;
			break;
		}
	}
	close(fd);
	if (rc == -ETIMEDOUT)
		snprintf(err, errlen, "%s: no DHCP message from %s on %s within %.0f s",
			 name, mac_text, tap, timeout_s);
	else if (rc == -ENOENT)
		snprintf(err, errlen, "%s: the VM ended before it sent a DHCP message", name);
	return rc;
}

/* Who on this host serves a UDP port, and whether an address is this
 * host's own: facts a diagnosis needs to say "local" or "beyond". */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netdiag/host.h>

#define LISTENERS_MAX 8

struct listener {
	unsigned long inode;
	char addr[INET6_ADDRSTRLEN];
};

/* /proc/net/udp{,6}: "sl local rem st tx:rx tr:tm retrnsmt uid timeout inode" */
static unsigned read_table(const char *path, int family, uint16_t port, struct listener *l,
			   unsigned n)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return n;
	while (n < LISTENERS_MAX && fgets(line, sizeof(line), f)) {
		char local[64];
		unsigned lport;
		unsigned long inode;
		uint32_t a[4] = { 0 };

		if (sscanf(line, " %*u: %63[0-9A-Fa-f]:%x %*s %*x %*s %*s %*s %*u %*u %lu", local,
			   &lport, &inode) != 3 || lport != port)
			continue;
		/* the address is the kernel's words printed in host order */
		if (family == AF_INET)
			sscanf(local, "%8x", &a[0]);
		else
			sscanf(local, "%8x%8x%8x%8x", &a[0], &a[1], &a[2], &a[3]);
		inet_ntop(family, a, l[n].addr, sizeof(l[n].addr));
		l[n++].inode = inode;
	}
	fclose(f);
	return n;
}

/* The process holding socket inode, from /proc/PID/fd: its name and pid. */
static void owner(unsigned long inode, char *out, size_t len)
{
	char want[64], path[300], link[64];
	struct dirent *p;
	DIR *proc = opendir("/proc");

	snprintf(out, len, "a socket");
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	while (proc && (p = readdir(proc))) {
		struct dirent *fd;
		DIR *fds;

		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		while (fds && (fd = readdir(fds))) {
			ssize_t k;

			snprintf(path, sizeof(path), "/proc/%s/fd/%s", p->d_name, fd->d_name);
			k = readlink(path, link, sizeof(link) - 1);
			if (k <= 0)
				continue;
			link[k] = 0;
			if (strcmp(link, want))
				continue;
			snprintf(path, sizeof(path), "/proc/%s/comm", p->d_name);
			FILE *c = fopen(path, "r");
			char comm[32] = "?";

			if (c) {
				if (fgets(comm, sizeof(comm), c))
					comm[strcspn(comm, "\n")] = 0;
				fclose(c);
			}
			snprintf(out, len, "%s (pid %s)", comm, p->d_name);
			closedir(fds);
			closedir(proc);
			return;
		}
		if (fds)
			closedir(fds);
	}
	if (proc)
		closedir(proc);
}

int nd_host_udp_listeners(uint16_t port, char *out, size_t len)
{
	struct listener l[LISTENERS_MAX];
	unsigned n = read_table("/proc/net/udp", AF_INET, port, l, 0);

	n = read_table("/proc/net/udp6", AF_INET6, port, l, n);
	out[0] = 0;
	for (unsigned i = 0; i < n; i++) {
		char who[64];
		size_t used = strlen(out);

		owner(l[i].inode, who, sizeof(who));
		snprintf(out + used, len - used, "%s%s on %s:%u", used ? "; " : "", who, l[i].addr,
			 port);
	}
	return (int)n;
}

bool nd_host_addr_local(const char *addr)
{
	struct ifaddrs *ifa = NULL;
	bool local = false;

	if (getifaddrs(&ifa))
		return false;
	for (struct ifaddrs *a = ifa; a && !local; a = a->ifa_next) {
		char text[INET6_ADDRSTRLEN] = "";

		if (!a->ifa_addr)
			continue;
		if (a->ifa_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)a->ifa_addr)->sin_addr, text,
				  sizeof(text));
		else if (a->ifa_addr->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr, text,
				  sizeof(text));
		local = !strcmp(text, addr);
	}
	freeifaddrs(ifa);
	return local;
}

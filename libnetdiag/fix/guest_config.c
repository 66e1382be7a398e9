/* Guest-side configuration for a routed /32 guest, one writer per system. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/route.h>

struct guest_writer {
	const char *name;
	const char *default_if;   /* the interface name the system gives a virtio NIC */
	void (*write)(FILE *out, const char *ip, const char *gw, const char *ifn);
};

static void write_linux_ip(FILE *out, const char *ip, const char *gw, const char *ifn)
{
	fprintf(out,
		"# as root in the guest (lost at reboot: persist with your network tool)\n"
		"ip address add %s/32 dev %s\n"
		"ip link set %s up\n"
		"ip route add %s/32 dev %s scope link\n"
		"ip route add default via %s dev %s\n",
		ip, ifn, ifn, gw, ifn, gw, ifn);
}

static void write_networkd(FILE *out, const char *ip, const char *gw, const char *ifn)
{
	fprintf(out,
		"# /etc/systemd/network/10-%s.network\n"
		"[Match]\n"
		"Name=%s\n"
		"\n"
		"[Network]\n"
		"Address=%s/32\n"
		"\n"
		"# the gateway lies outside the /32: reach it on-link\n"
		"[Route]\n"
		"Destination=%s/32\n"
		"Scope=link\n"
		"\n"
		"[Route]\n"
		"Gateway=%s\n"
		"GatewayOnLink=yes\n",
		ifn, ifn, ip, gw, gw);
}

static void write_netplan(FILE *out, const char *ip, const char *gw, const char *ifn)
{
	fprintf(out,
		"# /etc/netplan/60-%s.yaml\n"
		"network:\n"
		"  version: 2\n"
		"  ethernets:\n"
		"    %s:\n"
		"      addresses: [%s/32]\n"
		"      routes:\n"
		"        - to: 0.0.0.0/0\n"
		"          via: %s\n"
		"          on-link: true\n",
		ifn, ifn, ip, gw);
}

static void write_ifupdown(FILE *out, const char *ip, const char *gw, const char *ifn)
{
	fprintf(out,
		"# /etc/network/interfaces\n"
		"auto %s\n"
		"iface %s inet static\n"
		"    address %s/32\n"
		"    # pointopoint makes the gateway on-link\n"
		"    pointopoint %s\n"
		"    gateway %s\n",
		ifn, ifn, ip, gw, gw);
}

static void write_freebsd(FILE *out, const char *ip, const char *gw, const char *ifn)
{
	fprintf(out,
		"# /etc/rc.conf (do not also set defaultrouter)\n"
		"ifconfig_%s=\"inet %s/32\"\n"
		"static_routes=\"gateway default\"\n"
		"route_gateway=\"-host %s -interface %s\"\n"
		"route_default=\"default %s\"\n",
		ifn, ip, gw, ifn, gw);
}

static void write_netbsd(FILE *out, const char *ip, const char *gw, const char *ifn)
{
	fprintf(out,
		"# /etc/ifconfig.%s\n"
		"inet %s netmask 255.255.255.255\n"
		"!route add -net %s -link -cloning -iface %s\n"
		"!route add default %s\n",
		ifn, ip, gw, ifn, gw);
}

static void write_openbsd(FILE *out, const char *ip, const char *gw, const char *ifn)
{
	fprintf(out,
		"# /etc/hostname.%s\n"
		"inet %s 255.255.255.255\n"
		"!route add -inet %s -llinfo -link -static -iface %s\n"
		"!route add -inet default %s\n",
		ifn, ip, gw, ifn, gw);
}

static const struct guest_writer writers[ND_GUEST_OS_COUNT] = {
	[ND_GUEST_LINUX_IP] = { "linux-ip", "eth0", write_linux_ip },
	[ND_GUEST_SYSTEMD_NETWORKD] = { "systemd-networkd", "eth0", write_networkd },
	[ND_GUEST_NETPLAN] = { "netplan", "eth0", write_netplan },
	[ND_GUEST_IFUPDOWN] = { "ifupdown", "eth0", write_ifupdown },
	[ND_GUEST_FREEBSD] = { "freebsd", "vtnet0", write_freebsd },
	[ND_GUEST_NETBSD] = { "netbsd", "vioif0", write_netbsd },
	[ND_GUEST_OPENBSD] = { "openbsd", "vio0", write_openbsd },
};

int nd_guest_os_parse(const char *name, enum nd_guest_os *os)
{
	for (int i = 0; i < ND_GUEST_OS_COUNT; i++)
		if (!strcmp(name, writers[i].name)) {
			*os = (enum nd_guest_os)i;
			return 0;
		}
	return -EINVAL;
}

const char *nd_guest_os_name(enum nd_guest_os os)
{
	return (unsigned)os < ND_GUEST_OS_COUNT ? writers[os].name : NULL;
}

int nd_parse_host_ipv4(const char *text, struct in_addr *ip)
{
	char buf[INET_ADDRSTRLEN + 4];
	char *slash;

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash) {
		if (strcmp(slash, "/32"))
			return -EINVAL;
		*slash = 0;
	}
	return inet_pton(AF_INET, buf, ip) == 1 ? 0 : -EINVAL;
}

static int unusable_host(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return h == 0 || h == 0xffffffffu || (h >> 28) == 0xe;
}

int nd_guest_net_check(const struct nd_guest_net *n)
{
	if (unusable_host(n->ip) || unusable_host(n->gateway))
		return -EINVAL;
	if (n->ip.s_addr == n->gateway.s_addr)
		return -EINVAL;
	return 0;
}

int nd_guest_config_write(FILE *out, enum nd_guest_os os, const struct nd_guest_net *n)
{
	char ip[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN];
	int err = nd_guest_net_check(n);

	if (err)
		return err;
	if ((unsigned)os >= ND_GUEST_OS_COUNT)
		return -EINVAL;
	inet_ntop(AF_INET, &n->ip, ip, sizeof(ip));
	inet_ntop(AF_INET, &n->gateway, gw, sizeof(gw));
	writers[os].write(out, ip, gw, n->ifname[0] ? n->ifname : writers[os].default_if);
	return 0;
}

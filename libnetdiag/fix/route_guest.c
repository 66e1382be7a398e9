/* Routed /32 guests: the host pieces and the Linux guest pieces, each
 * made through the journal. */
#include <arpa/inet.h>
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <netdiag/host.h>
#include <netdiag/journal.h>
#include <netdiag/route.h>
#include <netdiag/rtnl.h>

#include "route_internal.h"

static long proc_int(const char *fmt, const char *dev)
{
	char path[160];
	long v = 0;

	snprintf(path, sizeof(path), fmt, dev);
	nd_read_int(path, &v);
	return v;
}

static int sysctl_to(struct nd_journal *j, const char *path, const char *want, unsigned *changes)
{
	int rc = nd_journal_sysctl(j, path, want);

	*changes += rc == 0;
	return rc < 0 ? rc : 0;
}

/* a guest's own address: one host, so not 0.0.0.0/8, multicast, the
 * broadcast or the reserved 240/4 */
static bool guest_ip_ok(struct in_addr ip)
{
	uint32_t a = ntohl(ip.s_addr);

	return (a >> 24) != 0 && (a >> 28) != 0xe && (a >> 28) != 0xf;
}

/* "ADDR" or "ADDR/LEN" with LEN 1..128, a unicast address */
static bool guest_ip6_ok(const char *text)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(text, '/');
	struct in6_addr a6;

	if (strlen(text) >= sizeof(((struct nd_guest_route *)0)->ip6) ||
	    (size_t)(slash ? slash - text : (ptrdiff_t)strlen(text)) >= sizeof(addr))
		return false;
	snprintf(addr, sizeof(addr), "%.*s", slash ? (int)(slash - text) : (int)strlen(text), text);
	if (inet_pton(AF_INET6, addr, &a6) != 1 || IN6_IS_ADDR_MULTICAST(&a6) ||
	    IN6_IS_ADDR_UNSPECIFIED(&a6) || IN6_IS_ADDR_LOOPBACK(&a6))
		return false;
	if (slash) {
		char *end;
		long len;

		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || !isdigit((unsigned char)slash[1]) || len < 1 ||
		    len > 128)
			return false;
	}
	return true;
}

int nd_route_guest_addr_check(const struct nd_guest_route *g, char *err, size_t errlen)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &g->ip, ip, sizeof(ip));
	if (!guest_ip_ok(g->ip)) {
		snprintf(err, errlen, "%s: not a guest's unicast address", ip);
		return -EINVAL;
	}
	if (g->gateway.s_addr && !guest_ip_ok(g->gateway)) {
		inet_ntop(AF_INET, &g->gateway, ip, sizeof(ip));
		snprintf(err, errlen, "%s: not a unicast gateway address", ip);
		return -EINVAL;
	}
	if (g->ip6[0] && !guest_ip6_ok(g->ip6)) {
		snprintf(err, errlen, "%s: not a unicast IPv6 address or prefix", g->ip6);
		return -EINVAL;
	}
	return 0;
}

int nd_route_guest_add(const struct nd_guest_route *g, unsigned *changes, char *err, size_t errlen)
{
	char dst[INET_ADDRSTRLEN + 3], path[128];
	struct nd_journal *j = NULL;
	struct nd_guest_route old;
	unsigned mark = nd_journal_mark();
	bool present, had;
	long v;
	int ret;

	*changes = 0;
	if (!nd_name_ok(g->name, ND_GUEST_NAME_MAX)) {
		snprintf(err, errlen, "%s: a name of letters, digits, - _ . (31 at most)", g->name);
		return -EINVAL;
	}
	ret = nd_route_guest_addr_check(g, err, errlen);
	if (ret)
		return ret;
	/* where the state goes, checked before anything changes */
	ret = nd_route_guests_dir(true, err, errlen);
	if (ret < 0)
		return ret;
	close(ret);
	if (!if_nametoindex(g->dev)) {
		snprintf(err, errlen, "%s: no such device", g->dev);
		return -ENODEV;
	}
	/* a second add of the name with another address or tap would leave
	 * the first route behind, known to nothing: del first */
	had = nd_route_guest_load(g->name, &old) == 0;
	if (had && (old.ip.s_addr != g->ip.s_addr || strcmp(old.dev, g->dev) ||
		    strcmp(old.ip6, g->ip6))) {
		char ip[INET_ADDRSTRLEN];

		snprintf(err, errlen, "%s: already set up as %s via %s: 'netdiag route guest del %s' "
			 "first", g->name, inet_ntop(AF_INET, &old.ip, ip, sizeof(ip)), old.dev, g->name);
		return -EEXIST;
	}
	inet_ntop(AF_INET, &g->ip, dst, sizeof(dst));
	strcat(dst, "/32");
	ret = nd_journal_open(&j, err, errlen);
	if (ret)
		return ret;
	/* guests/NAME is recorded first, so undoing the add removes it last */
	if (!had) {
		struct nd_journal_record rec = { 0 };

		snprintf(rec.kind, sizeof(rec.kind), "guest");
		snprintf(rec.object, sizeof(rec.object), "%s", g->name);
		snprintf(rec.before, sizeof(rec.before), "absent");
		snprintf(rec.after, sizeof(rec.after), "present");
		ret = nd_journal_append(j, &rec);
	}
	if (!ret)
		ret = nd_route_present(dst, g->dev, NULL, &present);
	if (!ret && !present) {
		(*changes)++;
		ret = nd_journal_change(j, "route", dst, g->dev, "absent", "present");
	}
	/* the guest ARPs for a gateway outside its /32: the host answers */
	v = nd_rp_filter_effective(proc_int("/proc/sys/net/ipv4/conf/all/proxy_arp", ""),
				   proc_int("/proc/sys/net/ipv4/conf/%s/proxy_arp", g->dev));
	snprintf(path, sizeof(path), "net/ipv4/conf/%s/proxy_arp", g->dev);
	if (!ret && !v)
		ret = sysctl_to(j, path, "1", changes);
	v = proc_int("/proc/sys/net/ipv4/ip_forward%s", "");
	if (!ret && !v)
		ret = sysctl_to(j, "net/ipv4/ip_forward", "1", changes);
	/* strict reverse-path filtering drops the guest's packets on a tap
	 * with no route back through it for every source: loose (2) */
	v = nd_rp_filter_effective(proc_int("/proc/sys/net/ipv4/conf/all/rp_filter", ""),
				   proc_int("/proc/sys/net/ipv4/conf/%s/rp_filter", g->dev));
	snprintf(path, sizeof(path), "net/ipv4/conf/%s/rp_filter", g->dev);
	if (!ret && v == 1)
		ret = sysctl_to(j, path, "2", changes);
	/* IPv6: the prefix routed via the tap, and forwarding */
	if (!ret && g->ip6[0]) {
		ret = nd_route_present(g->ip6, g->dev, NULL, &present);
		if (!ret && !present) {
			(*changes)++;
			ret = nd_journal_change(j, "route", g->ip6, g->dev, "absent", "present");
		}
		v = proc_int("/proc/sys/net/ipv6/conf/all/forwarding%s", "");
		if (!ret && !v)
			ret = sysctl_to(j, "net/ipv6/conf/all/forwarding", "1", changes);
	}
	if (!ret)
		ret = nd_route_guest_save(g, err, errlen);
	if (ret) {
		if (!err[0])
			snprintf(err, errlen, "%s: %s", g->name, strerror(-ret));
		nd_journal_undo_run(j, mark, false, NULL, NULL);
		*changes = 0;
	}
	nd_journal_close(j);
	return ret;
}

int nd_route_guest_del(const char *name, unsigned *changes, char *err, size_t errlen)
{
	struct nd_guest_route g;
	struct nd_journal *j = NULL;
	char dst[INET_ADDRSTRLEN + 3], aside[ND_JOURNAL_FIELD_MAX];
	unsigned mark = nd_journal_mark();
	struct timespec now;
	bool present = false;
	int ret;

	*changes = 0;
	if (nd_route_guest_load(name, &g)) {
		snprintf(err, errlen, "%s: no such guest (see 'netdiag route guest list')", name);
		return -ENOENT;
	}
	inet_ntop(AF_INET, &g.ip, dst, sizeof(dst));
	strcat(dst, "/32");
	ret = nd_journal_open(&j, err, errlen);
	if (ret)
		return ret;
	/* guests/NAME is kept aside, not removed: undoing the deletion gives
	 * the guest back to list, check and the doctor with its route */
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(aside, sizeof(aside), ".%s.%lld%09ld", name, (long long)now.tv_sec, now.tv_nsec);
	ret = nd_journal_change(j, "guest", name, aside, "present", "absent");
	if (ret)
		snprintf(err, errlen, "%s/guests/%s: %s", nd_run_dir(), name, strerror(-ret));
	if (!ret && if_nametoindex(g.dev))
		ret = nd_route_present(dst, g.dev, NULL, &present);
	if (!ret && present) {
		(*changes)++;
		ret = nd_journal_change(j, "route", dst, g.dev, "present", "absent");
	}
	if (ret) {
		if (!err[0])
			snprintf(err, errlen, "%s: %s", name, strerror(-ret));
		nd_journal_undo_run(j, mark, false, NULL, NULL);
		*changes = 0;
	}
	nd_journal_close(j);
	return ret;
}

static int piece(struct nd_findings *out, const struct nd_guest_route *g, const char *id,
		 enum nd_severity sev, const char *summary)
{
	struct nd_finding *f = nd_findings_add_link(out, id, sev, g->dev);
	char ip[INET_ADDRSTRLEN];

	if (!f)
		return -ENOMEM;
	nd_finding_subject(f, "guest %s", g->name);
	nd_finding_set_str(f, "guest", g->name);
	nd_finding_set_str(f, "ip", inet_ntop(AF_INET, &g->ip, ip, sizeof(ip)));
	nd_finding_summary(f, "%s", summary);
	return 0;
}

int nd_route_guest_check(const struct nd_guest_route *g, struct nd_findings *out)
{
	char dst[INET_ADDRSTRLEN + 3];
	bool present = false;
	int ret = 0;

	inet_ntop(AF_INET, &g->ip, dst, sizeof(dst));
	strcat(dst, "/32");
	if (!if_nametoindex(g->dev))
		return piece(out, g, "route.missing-host-route", ND_SEV_ERROR,
			     "the guest's tap does not exist");
	nd_route_present(dst, g->dev, NULL, &present);
	if (!present)
		ret = piece(out, g, "route.missing-host-route", ND_SEV_ERROR,
			    "no /32 route to the guest via its tap: replies to it go nowhere");
	if (!ret && !nd_rp_filter_effective(proc_int("/proc/sys/net/ipv4/conf/all/proxy_arp", ""),
					    proc_int("/proc/sys/net/ipv4/conf/%s/proxy_arp", g->dev)))
		ret = piece(out, g, "route.no-proxy-arp", ND_SEV_ERROR,
			    "proxy ARP is off on the tap: the guest's ARP for its gateway goes "
			    "unanswered");
	if (!ret && !proc_int("/proc/sys/net/ipv4/ip_forward%s", ""))
		ret = piece(out, g, "route.forwarding-off", ND_SEV_ERROR,
			    "IPv4 forwarding is off: the host does not route the guest's packets");
	if (!ret && nd_rp_filter_effective(proc_int("/proc/sys/net/ipv4/conf/all/rp_filter", ""),
					   proc_int("/proc/sys/net/ipv4/conf/%s/rp_filter", g->dev)) == 1)
		ret = piece(out, g, "route.rpfilter-strict", ND_SEV_WARNING,
			    "strict rp_filter on the tap can drop the guest's packets");
	if (!ret && g->ip6[0]) {
		nd_route_present(g->ip6, g->dev, NULL, &present);
		if (!present)
			ret = piece(out, g, "route.missing-host-route", ND_SEV_ERROR,
				    "no IPv6 route to the guest's prefix via its tap");
	}
	if (!ret && g->mac[0]) {
		char seen[32], ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &g->ip, ip, sizeof(ip));
		if (!nd_neigh_lladdr(ip, g->dev, seen, sizeof(seen)) && seen[0] &&
		    strcasecmp(seen, g->mac)) {
			char text[160];

			snprintf(text, sizeof(text), "the guest answers from %s, not %s: a provider "
				 "that binds the address to %s drops its traffic", seen, g->mac, g->mac);
			ret = piece(out, g, "route.guest-mac-mismatch", ND_SEV_WARNING, text);
		}
	}
	return ret;
}

int nd_route_guest_apply(struct in_addr ip, struct in_addr gw, const char *ifname,
			 unsigned *changes, char *err, size_t errlen)
{
	char addr[INET_ADDRSTRLEN + 3], gwh[INET_ADDRSTRLEN + 3], gws[INET_ADDRSTRLEN], key[64];
	struct nd_journal *j = NULL;
	unsigned mark = nd_journal_mark();
	bool present;
	int ret;

	*changes = 0;
	if (!if_nametoindex(ifname)) {
		snprintf(err, errlen, "%s: no such device", ifname);
		return -ENODEV;
	}
	inet_ntop(AF_INET, &ip, addr, sizeof(addr));
	strcat(addr, "/32");
	inet_ntop(AF_INET, &gw, gws, sizeof(gws));
	snprintf(gwh, sizeof(gwh), "%s/32", gws);
	snprintf(key, sizeof(key), "%s@%s", ifname, gws);
	ret = nd_journal_open(&j, err, errlen);
	if (ret)
		return ret;
	ret = nd_addr_present(addr, ifname, &present);
	if (!ret && !present) {
		(*changes)++;
		ret = nd_journal_change(j, "addr", addr, ifname, "absent", "present");
	}
	if (!ret)
		ret = nd_route_present(gwh, ifname, NULL, &present);
	if (!ret && !present) {
		(*changes)++;
		ret = nd_journal_change(j, "route", gwh, ifname, "absent", "present");
	}
	if (!ret)
		ret = nd_route_present("0.0.0.0/0", ifname, gws, &present);
	if (!ret && !present) {
		(*changes)++;
		ret = nd_journal_change(j, "route", "0.0.0.0/0", key, "absent", "present");
	}
	if (ret) {
		if (!err[0])
			snprintf(err, errlen, "%s: %s", ifname, strerror(-ret));
		nd_journal_undo_run(j, mark, false, NULL, NULL);
		*changes = 0;
	}
	nd_journal_close(j);
	return ret;
}

/* A record's identity (netdiag/journal.h): the run, the network
 * namespace, and the device as the kernel knows it (ifindex, link kind,
 * MAC, permanent address, read with one RTM_GETLINK by name so it is the
 * current namespace's device whatever /sys shows); and whether a record
 * still applies here. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <netdiag/netlink.h>
#include <netdiag/journal.h>
#include <netdiag/rtnl.h>

#include "journal_internal.h"

#ifndef IFLA_PERM_ADDRESS
#define IFLA_PERM_ADDRESS 54
#endif

static void hwaddr(const struct nlattr *a, char *out, size_t len)
{
	const unsigned char *b = mnl_attr_get_payload(a);
	unsigned n = mnl_attr_get_payload_len(a);
	size_t used = 0;
	bool zero = true;

	out[0] = 0;
	for (unsigned i = 0; i < n; i++)
		zero &= !b[i];
	for (unsigned i = 0; i < n && !zero && used + 3 < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%02x", i ? ":" : "", b[i]);
}

static int link_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nd_journal_dev *d = arg;
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	d->ifindex = ifm->ifi_index;
	mnl_attr_for_each(a, nlh, sizeof(*ifm)) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_ADDRESS:
			hwaddr(a, d->mac, sizeof(d->mac));
			break;
		case IFLA_PERM_ADDRESS:
			hwaddr(a, d->perm, sizeof(d->perm));
			break;
		case IFLA_LINKINFO: {
			struct nlattr *i;

			mnl_attr_for_each_nested(i, a)
				if (mnl_attr_get_type(i) == IFLA_INFO_KIND)
					snprintf(d->kind, sizeof(d->kind), "%s", mnl_attr_get_str(i));
			break;
		}
		}
	}
	return MNL_CB_OK;
}

int nd_journal_dev_get(const char *name, struct nd_journal_dev *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;
	int ret;

	memset(d, 0, sizeof(*d));
	if (!name[0] || strlen(name) >= IF_NAMESIZE)
		return -ENODEV;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	ret = nd_rtnl_request(nlh, buf, sizeof(buf), link_cb, d);
	if (ret == -ENOENT || ret == -ENODEV || (!ret && !d->ifindex))
		ret = -ENODEV;
	return ret;
}


const char *nd_journal_run_id(void)
{
	static char id[ND_JOURNAL_RUN_MAX];

	if (!id[0]) {
		uint64_t r = 0;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r)) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			r = ((uint64_t)ts.tv_nsec << 32) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 16);
		}
		snprintf(id, sizeof(id), "%016llx", (unsigned long long)r);
	}
	return id;
}

int journal_netns_of(const char *path, unsigned long long *dev, unsigned long long *ino)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	*dev = (unsigned long long)st.st_dev;
	*ino = (unsigned long long)st.st_ino;
	return 0;
}

/* a namespace lives while a process is in it or a bind mount holds it
 * (ip netns: /run/netns) */
static bool netns_exists(unsigned long long dev, unsigned long long ino)
{
	static const char *const dirs[] = { "/proc", "/run/netns", "/var/run/netns" };
	bool found = false;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !found; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;

		while (d && !found && (e = readdir(d))) {
			char path[300];
			unsigned long long dv = 0, in = 0;

			if (e->d_name[0] == '.' || (i == 0 && !isdigit((unsigned char)e->d_name[0])))
				continue;
			snprintf(path, sizeof(path), "%s/%s%s", dirs[i], e->d_name, i ? "" : "/ns/net");
			found = !journal_netns_of(path, &dv, &in) && dv == dev && in == ino;
		}
		if (d)
			closedir(d);
	}
	return found;
}

/* kinds whose MAC follows their ports: a changed MAC does not make them
 * another device */
static bool mac_follows_ports(const char *kind)
{
	return !strcmp(kind, "bridge") || !strcmp(kind, "bond") || !strcmp(kind, "team");
}

enum nd_journal_skip nd_journal_applies(const struct nd_journal_record *r)
{
	struct nd_journal_dev now;
	unsigned long long dev = 0, ino = 0;
	int ret;

	if (r->legacy)
		return ND_JOURNAL_APPLIES;      /* nothing to compare */
	if (!journal_netns_of("/proc/self/ns/net", &dev, &ino) && (dev != r->ns_dev || ino != r->ns_ino)) {
		/* one scan of /proc for a run of records from the same namespace */
		static unsigned long long last_dev, last_ino;
		static bool last_exists;

		if (r->ns_dev != last_dev || r->ns_ino != last_ino) {
			last_exists = netns_exists(r->ns_dev, r->ns_ino);
			last_dev = r->ns_dev;
			last_ino = r->ns_ino;
		}
		return last_exists ? ND_JOURNAL_OTHER_NS : ND_JOURNAL_NS_GONE;
	}
	if (!r->dev.ifindex)
		return ND_JOURNAL_APPLIES;
	ret = nd_journal_dev_get(r->dev_name, &now);
	if (ret == -ENODEV)
		return ND_JOURNAL_DEV_GONE;
	if (ret)
		return ND_JOURNAL_APPLIES;  /* the write says what is wrong */
	if (now.ifindex != r->dev.ifindex || strcmp(now.kind, r->dev.kind) ||
	    strcmp(now.perm, r->dev.perm) || (!mac_follows_ports(now.kind) && strcmp(now.mac, r->dev.mac)))
		return ND_JOURNAL_DEV_REPLACED;
	return ND_JOURNAL_APPLIES;
}

const char *nd_journal_skip_text(enum nd_journal_skip s)
{
	switch (s) {
	case ND_JOURNAL_APPLIES: return "applies";
	case ND_JOURNAL_OTHER_NS: return "made in another network namespace";
	case ND_JOURNAL_NS_GONE: return "its network namespace is gone";
	case ND_JOURNAL_DEV_GONE: return "device gone";
	case ND_JOURNAL_DEV_REPLACED: return "device replaced (same name, another device)";
	}
	return "?";
}

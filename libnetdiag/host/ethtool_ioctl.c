/* The SIOCETHTOOL fallback for kernels without the ethtool netlink family
 * (before 5.6): ETHTOOL_GSSET_INFO and ETHTOOL_GSTRINGS for the feature
 * names, ETHTOOL_GFEATURES / ETHTOOL_SFEATURES for their state. */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ethtool_internal.h"

static int eioctl(int fd, const char *ifname, void *cmd)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = cmd;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		return errno == ENODEV ? -ENODEV : -errno;
	return 0;
}

static int feature_count(int fd, const char *ifname, unsigned *count)
{
	/* the header and the one data word that follows it (one set asked) */
	union {
		struct ethtool_sset_info hdr;
		uint8_t bytes[sizeof(struct ethtool_sset_info) + sizeof(uint32_t)];
	} info = { .hdr = { .cmd = ETHTOOL_GSSET_INFO, .sset_mask = 1ULL << ETH_SS_FEATURES } };
	uint32_t len;
	int ret = eioctl(fd, ifname, &info);

	if (ret)
		return ret;
	memcpy(&len, info.bytes + sizeof(info.hdr), sizeof(len));
	*count = info.hdr.sset_mask ? len : 0;
	return *count ? 0 : -EOPNOTSUPP;
}

int nd_ethtool_ioctl_get(int fd, const char *ifname, struct nd_features *fs)
{
	struct ethtool_gstrings *names = NULL;
	struct ethtool_gfeatures *feat = NULL;
	unsigned count, blocks;
	int ret;

	ret = feature_count(fd, ifname, &count);
	if (ret)
		return ret;
	if (count > ND_FEATURES_MAX)
		count = ND_FEATURES_MAX;
	blocks = (count + 31) / 32;
	names = calloc(1, sizeof(*names) + (size_t)count * ETH_GSTRING_LEN);
	feat = calloc(1, sizeof(*feat) + blocks * sizeof(feat->features[0]));
	if (!names || !feat) {
		ret = -ENOMEM;
		goto out;
	}
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_FEATURES;
	names->len = count;
	feat->cmd = ETHTOOL_GFEATURES;
	feat->size = blocks;
	ret = eioctl(fd, ifname, names);
	if (!ret)
		ret = eioctl(fd, ifname, feat);
	if (ret)
		goto out;
	fs->n = count;
	for (unsigned i = 0; i < count; i++) {
		const struct ethtool_get_features_block *b = &feat->features[i / 32];
		uint32_t bit = 1u << (i % 32);

		memcpy(fs->v[i].name, names->data + (size_t)i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
		fs->v[i].name[ETH_GSTRING_LEN < ND_FEATURE_NAME_MAX ? ETH_GSTRING_LEN : ND_FEATURE_NAME_MAX - 1] = 0;
		fs->v[i].active = b->active & bit;
		fs->v[i].wanted = b->requested & bit;
		fs->v[i].fixed = !(b->available & bit) || (b->never_changed & bit);
	}
out:
	free(names);
	free(feat);
	return ret;
}

int nd_ethtool_ioctl_set(int fd, const struct nd_features *current,
			 const struct nd_feature_change *changes, unsigned n)
{
	unsigned blocks = (current->n + 31) / 32;
	struct ethtool_sfeatures *sf = calloc(1, sizeof(*sf) + blocks * sizeof(sf->features[0]));
	int ret;

	if (!sf)
		return -ENOMEM;
	sf->cmd = ETHTOOL_SFEATURES;
	sf->size = blocks;
	for (unsigned i = 0; i < n; i++)
		for (unsigned k = 0; k < current->n; k++) {
			if (strcmp(current->v[k].name, changes[i].name))
				continue;
			sf->features[k / 32].valid |= 1u << (k % 32);
			if (changes[i].on)
				sf->features[k / 32].requested |= 1u << (k % 32);
		}
	ret = eioctl(fd, current->ifname, sf);
	/* a positive return flags bits the driver adjusted: not an error */
	free(sf);
	return ret;
}

/* Bridges and their ports from /sys/class/net (netdiag/bridge.h). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <netdiag/bridge.h>

#define SYS_NET "/sys/class/net"

bool nd_is_bridge(const char *dev)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYS_NET "/%s/bridge", dev);
	return access(path, F_OK) == 0;
}

int nd_bridge_of(const char *dev, char out[IF_NAMESIZE])
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *slash;
	ssize_t n;

	out[0] = 0;
	snprintf(path, sizeof(path), SYS_NET "/%s/master", dev);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return -ENOENT;
	target[n] = 0;
	slash = strrchr(target, '/');
	snprintf(out, IF_NAMESIZE, "%s", slash ? slash + 1 : target);
	/* a bond or team is a master too: only a bridge counts here */
	if (!nd_is_bridge(out)) {
		out[0] = 0;
		return -ENOENT;
	}
	return 0;
}

unsigned nd_bridge_ports(const char *br, char (*out)[IF_NAMESIZE], unsigned max)
{
	char path[PATH_MAX];
	struct dirent *de;
	unsigned n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), SYS_NET "/%s/brif", br);
	dir = opendir(path);
	if (!dir)
		return 0;
	while (n < max && (de = readdir(dir)))
		if (de->d_name[0] != '.')
			snprintf(out[n++], IF_NAMESIZE, "%s", de->d_name);
	closedir(dir);
	return n;
}

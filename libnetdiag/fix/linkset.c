/* MTU and bridge settings through the journal; see netdiag/linkset.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netdiag/journal.h>
#include <netdiag/linkset.h>

static int report(int ret, const char *object, const char *what, char *err, size_t errlen)
{
	if (ret < 0)
		snprintf(err, errlen, "%s: %s%s%s", object, what, what[0] ? ": " : "",
			 ret == -EIO ? "the kernel kept another value" : strerror(-ret));
	return ret;
}

int nd_link_set_mtu(struct nd_journal *j, const char *dev, unsigned mtu, char *err,
		    size_t errlen)
{
	char before[16], after[16];
	unsigned now;
	int ret;

	if (!mtu)
		return report(-EINVAL, dev, "mtu 0", err, errlen);
	ret = nd_link_mtu(dev, &now);
	if (ret)
		return report(ret, dev, "", err, errlen);
	if (now == mtu)
		return 1;
	snprintf(before, sizeof(before), "%u", now);
	snprintf(after, sizeof(after), "%u", mtu);
	ret = nd_journal_change(j, "mtu", dev, "", before, after);
	return report(ret, dev, "mtu", err, errlen);
}

int nd_bridge_set(struct nd_journal *j, const char *br, const char *key, long value, char *err,
		  size_t errlen)
{
	char before[24], after[24];
	long now;
	int ret;

	if (nd_bridge_key_valid(key))
		return report(-EINVAL, br, key, err, errlen);
	ret = nd_bridge_attr(br, key, &now);
	if (ret == -EINVAL)
		return report(ret, br, "not a bridge", err, errlen);
	if (ret)
		return report(ret, br, "", err, errlen);
	if (now == value || (!strcmp(key, "stp_state") && value && now))
		return 1;
	snprintf(before, sizeof(before), "%ld", now);
	snprintf(after, sizeof(after), "%ld", value);
	ret = nd_journal_change(j, "bridge", br, key, before, after);
	return report(ret, br, key, err, errlen);
}

/* Least privilege with libcap-ng (docs/design/architecture.md, decision 8): each
 * command drops every capability it does not need before it reads any
 * input, and the bounding set with them. */
#include <errno.h>
#include <cap-ng.h>
#include <linux/capability.h>
#include <sys/prctl.h>

#include <netdiag/privs.h>

int nd_caps_keep(uint64_t keep)
{
	capng_select_t what = CAPNG_SELECT_BOTH;
	uint64_t have = 0;

	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_get_caps_process() < 0)
		return -EPERM;
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (capng_have_capability(CAPNG_PERMITTED, (unsigned)c))
			have |= ND_CAP(c);
	if (!have)
		return 0;
	/* without CAP_SETPCAP the bounding set cannot shrink; then at least
	 * the process's own sets do */
	if (!(have & ND_CAP(CAP_SETPCAP)))
		what = CAPNG_SELECT_CAPS;
	capng_clear(CAPNG_SELECT_BOTH);
	for (int c = 0; c <= CAP_LAST_CAP; c++) {
		if (!(keep & have & ND_CAP(c)))
			continue;
		if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
				 (unsigned)c) < 0)
			return -EINVAL;
	}
	if (capng_apply(what) < 0)
		return -EPERM;
	/* ambient capabilities would survive an execve: none */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return 0;
}

uint64_t nd_caps_effective(void)
{
	uint64_t eff = 0;

	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_get_caps_process() < 0)
		return 0;
	for (int c = 0; c <= CAP_LAST_CAP; c++)
		if (capng_have_capability(CAPNG_EFFECTIVE, (unsigned)c))
			eff |= ND_CAP(c);
	return eff;
}

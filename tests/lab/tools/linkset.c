/* The lab's door to the journaled link remedies the doctor will call
 * (netdiag/linkset.h), until a rule's remedy reaches them:
 *
 *   linkset mtu DEV MTU
 *   linkset bridge BR KEY VALUE      KEY forward_delay (ticks) | stp_state
 *
 * prints "changed" or "unchanged" and exits 0; on failure one line
 * "linkset: OBJECT: reason" and exit 2.  The journal is the one
 * `netdiag undo` reads: $NETDIAG_RUN_DIR, else /run/netdiag. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdiag/journal.h>
#include <netdiag/linkset.h>

int main(int argc, char **argv)
{
	struct nd_journal *j;
	char err[256] = "";
	int ret;

	if (!((argc == 4 && !strcmp(argv[1], "mtu")) || (argc == 5 && !strcmp(argv[1], "bridge")))) {
		fprintf(stderr, "usage: linkset mtu DEV MTU | linkset bridge BR KEY VALUE\n");
		return 2;
	}
	if (nd_journal_open(&j, err, sizeof(err))) {
		fprintf(stderr, "linkset: %s\n", err);
		return 2;
	}
	if (argc == 4)
		ret = nd_link_set_mtu(j, argv[2], (unsigned)strtoul(argv[3], NULL, 10), err,
				      sizeof(err));
	else
		ret = nd_bridge_set(j, argv[2], argv[3], strtol(argv[4], NULL, 10), err, sizeof(err));
	nd_journal_close(j);
	if (ret < 0) {
		fprintf(stderr, "linkset: %s\n", err);
		return 2;
	}
	printf("%s\n", ret ? "unchanged" : "changed");
	return 0;
}

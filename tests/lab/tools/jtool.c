/* The lab's hand on the journal (issue 15):
 *
 *   jtool fill N KIND OBJECT KEY BEFORE AFTER   append N records, change nothing
 *   jtool seal BODY                             print BODY as a journal line,
 *                                               checksum and all (a forger's line)
 *
 * The journal is the one `netdiag undo` reads: $NETDIAG_RUN_DIR, else
 * /run/netdiag.  Exit 0, or 2 with one line on stderr. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <netdiag/journal.h>

int main(int argc, char **argv)
{
	struct nd_journal *j;
	char err[256] = "";
	int ret = 0;

	if (argc == 3 && !strcmp(argv[1], "seal")) {
		printf("%s crc=%08x\n", argv[2], (unsigned)crc32(0L, (const Bytef *)argv[2], (uInt)strlen(argv[2])));
		return 0;
	}
	if (argc != 8 || strcmp(argv[1], "fill")) {
		fprintf(stderr, "usage: jtool fill N KIND OBJECT KEY BEFORE AFTER | jtool seal BODY\n");
		return 2;
	}
	if (nd_journal_open(&j, err, sizeof(err))) {
		fprintf(stderr, "jtool: %s\n", err);
		return 2;
	}
	for (long i = 0; i < atol(argv[2]) && !ret; i++) {
		struct nd_journal_record r = { 0 };

		snprintf(r.kind, sizeof(r.kind), "%s", argv[3]);
		snprintf(r.object, sizeof(r.object), "%s", argv[4]);
		snprintf(r.key, sizeof(r.key), "%s", argv[5]);
		snprintf(r.before, sizeof(r.before), "%s", argv[6]);
		snprintf(r.after, sizeof(r.after), "%s", argv[7]);
		ret = nd_journal_append(j, &r);
	}
	nd_journal_close(j);
	if (ret) {
		fprintf(stderr, "jtool: append: %d\n", ret);
		return 2;
	}
	return 0;
}

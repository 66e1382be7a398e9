/* Lab helper until the doctor offers it as a remedy: netdiag's bridge
 * accept rule through the journal, as a program linking libnetdiag would.
 *   nftaccept FAMILY TABLE CHAIN BRIDGE   insert (journaled); prints
 *                                         "inserted|present handle N"
 * `netdiag undo` takes it away again. */
#include <inttypes.h>
#include <stdio.h>

#include <netdiag/journal.h>
#include <netdiag/nft.h>

int main(int argc, char **argv)
{
	struct nd_journal *j;
	char err[256] = "";
	uint64_t handle = 0;
	int ret;

	if (argc != 5) {
		fprintf(stderr, "usage: nftaccept FAMILY TABLE CHAIN BRIDGE\n");
		return 2;
	}
	ret = nd_journal_open(&j, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "nftaccept: %s\n", err);
		return 2;
	}
	ret = nd_nft_bridge_accept(j, argv[1], argv[2], argv[3], argv[4], err, sizeof(err));
	nd_journal_close(j);
	if (ret < 0) {
		fprintf(stderr, "nftaccept: %s\n", err);
		return 1;
	}
	if (nd_nft_bridge_accept_find(argv[1], argv[2], argv[3], argv[4], &handle)) {
		fprintf(stderr, "nftaccept: the rule is not there after insertion\n");
		return 1;
	}
	printf("%s handle %" PRIu64 "\n", ret ? "present" : "inserted", handle);
	return 0;
}

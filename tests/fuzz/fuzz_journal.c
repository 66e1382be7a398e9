/* libFuzzer target: the journal parser (issue 15).  The journal is read
 * back by root and steers undo, so any bytes must give records that pass
 * the kinds' checks or numbered damage, never a crash or a record from
 * the tail of an over-long line. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <netdiag/journal.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct nd_journal_record *r;
	const struct nd_journal_damage *d;
	struct nd_journal *j;
	unsigned n, nd, lines = 0;

	if (nd_journal_parse((const char *)data, size, &j))
		return 0;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	r = nd_journal_records(j, &n);
	d = nd_journal_damaged(j, &nd);
	/* every line is a record, a closing line or damage; a cut last line
	 * is damage too */
	if (n + nd > lines + 1)
		__builtin_trap();
	for (unsigned i = 0; i < n; i++)
		if (!r[i].id || !r[i].line || r[i].line > lines || strlen(r[i].object) >= sizeof(r[i].object))
			__builtin_trap();
	for (unsigned i = 0; i < nd; i++)
		if (!d[i].line || d[i].line > lines + 1)
			__builtin_trap();
	nd_journal_close(j);
	return 0;
}

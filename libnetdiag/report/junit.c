#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netdiag/report.h>

static void xml_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
	}
}

static int belongs(const struct nd_finding *f, const char *check)
{
	size_t n = strlen(check);

	return !strncmp(f->id, check, n) && f->id[n] == '.';
}

int nd_report_junit(const char *path, const char *suite, const char *const *checks,
		    const struct nd_findings *fs)
{
	FILE *out = fopen(path, "w");
	size_t ntests = 0, nfail = 0;
	int err = 0;

	if (!out)
		return -errno;
	for (const char *const *c = checks; *c; c++) {
		ntests++;
		for (size_t i = 0; i < fs->n; i++)
			if (belongs(&fs->v[i], *c) && fs->v[i].severity >= ND_SEV_WARNING) {
				nfail++;
				break;
			}
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out, "<testsuite name=\"");
	xml_escaped(out, suite);
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\">\n", ntests, nfail);
	for (const char *const *c = checks; *c; c++) {
		fprintf(out, "  <testcase classname=\"netdiag\" name=\"");
		xml_escaped(out, *c);
		fprintf(out, "\">\n");
		for (size_t i = 0; i < fs->n; i++) {
			const struct nd_finding *f = &fs->v[i];

			if (!belongs(f, *c) || f->severity < ND_SEV_WARNING)
				continue;
			fprintf(out, "    <failure type=\"");
			xml_escaped(out, f->id);
			fprintf(out, "\" message=\"");
			xml_escaped(out, f->summary);
			fprintf(out, "\"/>\n");
		}
		fprintf(out, "  </testcase>\n");
	}
	fprintf(out, "</testsuite>\n");
	if (fclose(out))
		err = -errno;
	return err;
}

int nd_report_junit_error(const char *path, const char *suite, const char *message)
{
	FILE *out = fopen(path, "w");
	int err = 0;

	if (!out)
		return -errno;
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"");
	xml_escaped(out, suite);
	fprintf(out, "\" tests=\"1\" failures=\"0\" errors=\"1\">\n"
		"    <testcase classname=\"netdiag\" name=\"run\">\n      <error message=\"");
	xml_escaped(out, message);
	fprintf(out, "\"/>\n    </testcase>\n  </testsuite>\n</testsuites>\n");
	if (fclose(out))
		err = -errno;
	return err;
}

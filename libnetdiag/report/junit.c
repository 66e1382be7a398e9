/* JUnit XML for CI servers: a <testsuites> document, one <testsuite> per
 * bridge or command, one <testcase> per check with its time, <skipped>
 * for a check that could not judge, one <failure> per finding (with its
 * interface), <error> when the run itself failed.  The element and
 * attribute set is the one Jenkins and GitLab read (tests/junit.xsd). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netdiag/report.h>

struct junit_case {
	size_t suite;
	char classname[128], name[128];
	double seconds;
	unsigned failures, errors;
	bool skipped;
	char *body;               /* child elements, already XML */
	size_t bodylen;
};

struct junit_suite {
	char name[128];
	double timestamp;
	double seconds;           /* wall time when the cases ran at once; <0: their sum */
};

struct nd_junit {
	struct junit_suite *suites;
	size_t nsuites;
	struct junit_case *cases;
	size_t ncases;
};

static void xml_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\n': case '\t': fputc(ch, out); break;
		default:
			/* XML 1.0 has no way to carry other control characters */
			fputc(ch < 0x20 ? '?' : ch, out);
		}
	}
}

int nd_junit_new(struct nd_junit **j)
{
	*j = calloc(1, sizeof(**j));
	return *j ? 0 : -ENOMEM;
}

void nd_junit_free(struct nd_junit *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->ncases; i++)
		free(j->cases[i].body);
	free(j->cases);
	free(j->suites);
	free(j);
}

int nd_junit_suite(struct nd_junit *j, const char *name, double timestamp)
{
	struct junit_suite *s = realloc(j->suites, (j->nsuites + 1) * sizeof(*s));

	if (!s)
		return -ENOMEM;
	j->suites = s;
	s += j->nsuites++;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->timestamp = timestamp;
	s->seconds = -1;
	return 0;
}

int nd_junit_suite_time(struct nd_junit *j, double seconds)
{
	if (!j->nsuites)
		return -EINVAL;
	j->suites[j->nsuites - 1].seconds = seconds;
	return 0;
}

int nd_junit_case(struct nd_junit *j, const char *classname, const char *name, double seconds)
{
	struct junit_case *c;

	if (!j->nsuites && nd_junit_suite(j, classname, (double)time(NULL)))
		return -ENOMEM;
	c = realloc(j->cases, (j->ncases + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	j->cases = c;
	c += j->ncases++;
	memset(c, 0, sizeof(*c));
	c->suite = j->nsuites - 1;
	snprintf(c->classname, sizeof(c->classname), "%s", classname);
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->seconds = seconds;
	return 0;
}

/* Append one child element to the current case. */
static int child(struct nd_junit *j, const char *element, const char *type,
		 const char *message, const char *text)
{
	struct junit_case *c;
	FILE *out;
	char *buf = NULL;
	size_t len = 0;

	if (!j->ncases)
		return -EINVAL;
	c = &j->cases[j->ncases - 1];
	out = open_memstream(&buf, &len);
	if (!out)
		return -ENOMEM;
	fprintf(out, "      <%s", element);
	if (type) {
		fputs(" type=\"", out);
		xml_escaped(out, type);
		fputc('"', out);
	}
	if (message) {
		fputs(" message=\"", out);
		xml_escaped(out, message);
		fputc('"', out);
	}
	if (text && text[0]) {
		fputc('>', out);
		xml_escaped(out, text);
		fprintf(out, "</%s>\n", element);
	} else {
		fputs("/>\n", out);
	}
	if (fclose(out))
		return -ENOMEM;
	if (c->body) {
		char *joined = realloc(c->body, c->bodylen + len + 1);

		if (!joined) {
			free(buf);
			return -ENOMEM;
		}
		memcpy(joined + c->bodylen, buf, len + 1);
		c->body = joined;
		c->bodylen += len;
		free(buf);
	} else {
		c->body = buf;
		c->bodylen = len;
	}
	return 0;
}

int nd_junit_fail(struct nd_junit *j, const char *type, const char *message, const char *text)
{
	int err = child(j, "failure", type, message, text);

	if (!err)
		j->cases[j->ncases - 1].failures++;
	return err;
}

int nd_junit_fail_finding(struct nd_junit *j, const struct nd_finding *f)
{
	char text[ND_FINDING_SUMMARY_MAX + 256];
	size_t n;

	n = (size_t)snprintf(text, sizeof(text), "%s %s", nd_severity_name(f->severity), f->id);
	if (f->ifname[0] && n < sizeof(text))
		n += (size_t)snprintf(text + n, sizeof(text) - n, " on %s", f->ifname);
	if (f->subject[0] && n < sizeof(text))
		n += (size_t)snprintf(text + n, sizeof(text) - n, " (%s)", f->subject);
	for (unsigned i = 0; i < f->nfields && n < sizeof(text); i++) {
		const struct nd_field *fl = &f->fields[i];

		if (fl->type == ND_FIELD_INT)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "\n%s: %lld", fl->key,
					      (long long)fl->v.i);
		else if (fl->type == ND_FIELD_DOUBLE)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "\n%s: %g", fl->key, fl->v.d);
		else
			n += (size_t)snprintf(text + n, sizeof(text) - n, "\n%s: %s", fl->key, fl->v.s);
	}
	if (f->ifname[0]) {
		char message[ND_FINDING_SUMMARY_MAX + 80];

		snprintf(message, sizeof(message), "%s: %s", f->ifname, f->summary);
		return nd_junit_fail(j, f->id, message, text);
	}
	return nd_junit_fail(j, f->id, f->summary, text);
}

int nd_junit_skip(struct nd_junit *j, const char *message)
{
	int err;

	if (j->ncases && j->cases[j->ncases - 1].skipped)
		return 0;
	err = child(j, "skipped", NULL, message, NULL);
	if (!err)
		j->cases[j->ncases - 1].skipped = true;
	return err;
}

int nd_junit_error(struct nd_junit *j, const char *type, const char *message)
{
	int err = child(j, "error", type, message, NULL);

	if (!err)
		j->cases[j->ncases - 1].errors++;
	return err;
}

static void iso_time(double t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
}

/* the suites' times added up (suites run one after another) */
static double junit_time(const struct nd_junit *j)
{
	double all = 0;

	for (size_t s = 0; s < j->nsuites; s++) {
		if (j->suites[s].seconds >= 0) {
			all += j->suites[s].seconds;
			continue;
		}
		for (size_t i = 0; i < j->ncases; i++)
			if (j->cases[i].suite == s)
				all += j->cases[i].seconds;
	}
	return all;
}

int nd_junit_write(const struct nd_junit *j, const char *path)
{
	unsigned tests = 0, failures = 0, errors = 0, skipped = 0;
	char host[256] = "localhost";
	FILE *out = fopen(path, "w");
	int err = 0;

	if (!out)
		return -errno;
	gethostname(host, sizeof(host) - 1);
	for (size_t i = 0; i < j->ncases; i++) {
		tests++;
		failures += j->cases[i].failures;
		errors += j->cases[i].errors;
		skipped += j->cases[i].skipped;
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"netdiag\" tests=\"%u\" failures=\"%u\" errors=\"%u\" "
		"skipped=\"%u\" time=\"%.3f\">\n", tests, failures, errors, skipped, junit_time(j));
	for (size_t s = 0; s < j->nsuites; s++) {
		unsigned st = 0, sf = 0, se = 0, ss = 0;
		double stime = 0;
		char stamp[32];

		for (size_t i = 0; i < j->ncases; i++) {
			if (j->cases[i].suite != s)
				continue;
			st++;
			sf += j->cases[i].failures;
			se += j->cases[i].errors;
			ss += j->cases[i].skipped;
			stime += j->cases[i].seconds;
		}
		if (j->suites[s].seconds >= 0)
			stime = j->suites[s].seconds;
		iso_time(j->suites[s].timestamp, stamp, sizeof(stamp));
		fprintf(out, "  <testsuite name=\"");
		xml_escaped(out, j->suites[s].name);
		fprintf(out, "\" tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" "
			"time=\"%.3f\" timestamp=\"%s\" hostname=\"", st, sf, se, ss, stime, stamp);
		xml_escaped(out, host);
		fprintf(out, "\">\n");
		for (size_t i = 0; i < j->ncases; i++) {
			const struct junit_case *c = &j->cases[i];

			if (c->suite != s)
				continue;
			fprintf(out, "    <testcase classname=\"");
			xml_escaped(out, c->classname);
			fprintf(out, "\" name=\"");
			xml_escaped(out, c->name);
			fprintf(out, "\" time=\"%.3f\"", c->seconds);
			if (c->body)
				fprintf(out, ">\n%s    </testcase>\n", c->body);
			else
				fprintf(out, "/>\n");
		}
		fprintf(out, "  </testsuite>\n");
	}
	fprintf(out, "</testsuites>\n");
	if (fclose(out))
		err = -errno;
	return err;
}

static bool belongs(const struct nd_finding *f, const char *check)
{
	size_t n = strlen(check);

	return !strncmp(f->id, check, n) && f->id[n] == '.';
}

int nd_report_junit(const char *path, const char *suite, const char *const *checks,
		    const struct nd_findings *fs, double seconds)
{
	struct nd_junit *j;
	int err = nd_junit_new(&j);

	if (err)
		return err;
	err = nd_junit_suite(j, suite, (double)time(NULL) - seconds);
	/* the checks judged the same frames at once */
	if (!err)
		err = nd_junit_suite_time(j, seconds);
	for (const char *const *c = checks; *c && !err; c++) {
		err = nd_junit_case(j, suite, *c, seconds);
		for (size_t i = 0; i < fs->n && !err; i++)
			if (belongs(&fs->v[i], *c) && fs->v[i].severity >= ND_SEV_WARNING)
				err = nd_junit_fail_finding(j, &fs->v[i]);
	}
	if (!err)
		err = nd_junit_write(j, path);
	nd_junit_free(j);
	return err;
}

int nd_report_junit_error(const char *path, const char *suite, const char *message)
{
	struct nd_junit *j;
	int err = nd_junit_new(&j);

	if (err)
		return err;
	err = nd_junit_suite(j, suite, (double)time(NULL));
	if (!err)
		err = nd_junit_case(j, suite, "run", 0);
	if (!err)
		err = nd_junit_error(j, "could-not-run", message);
	if (!err)
		err = nd_junit_write(j, path);
	nd_junit_free(j);
	return err;
}

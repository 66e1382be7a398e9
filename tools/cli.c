/* Shared plumbing of the commands: the one-line error (and what it said,
 * for the JSON document), the exit-status rule, the output's document,
 * option errors, capabilities, and stopping on a signal. */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netdiag/out.h>
#include <netdiag/privs.h>
#include <netdiag/report.h>

#include "cli.h"

static char last_error[512];
/* the command as the message named it ("vm run"), for the error document */
static char last_cmd[64];

void cli_err(const char *cmd, const char *object, const char *fmt, ...)
{
	char reason[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(last_cmd, sizeof(last_cmd), "%s", cmd);
	snprintf(last_error, sizeof(last_error), "%s%s%s", object ? object : "",
		 object ? ": " : "", reason);
	fprintf(stderr, "netdiag: %s: %s\n", cmd, last_error);
}

const char *cli_last_error(void)
{
	return last_error;
}

const char *cli_last_command(void)
{
	return last_cmd;
}

bool cli_colour(void)
{
	return isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
}

int cli_fail_on(const char *cmd, const char *arg, enum nd_severity *sev)
{
	if (!strcmp(arg, "error"))
		*sev = ND_SEV_ERROR;
	else if (!strcmp(arg, "warning"))
		*sev = ND_SEV_WARNING;
	else {
		cli_err(cmd, arg, "--fail-on wants error or warning");
		return -1;
	}
	return 0;
}

int cli_status(const struct nd_findings *fs, enum nd_severity fail_on)
{
	return nd_findings_count_at_least(fs, fail_on) ? EXIT_PROBLEMS : EXIT_HEALTHY;
}

/* a command's JSON document has begun on stdout: an error after it is
 * said on stderr only, never as a second document */
static bool json_opened;

void cli_out_begin(struct nd_out *o, const char *cmd, bool json)
{
	nd_out_init(o, stdout, json, cli_colour());
	nd_out_begin(o, cmd);
	json_opened |= json;
}

int cli_out_end(struct nd_out *o, int status)
{
	nd_out_str(o, "status", NULL, status == EXIT_HEALTHY ? "healthy"
				      : status == EXIT_PROBLEMS ? "problems" : "error");
	/* a run that could not finish says why, as it said on stderr */
	if (status == EXIT_CANNOT)
		nd_out_str(o, "error", NULL, cli_last_error()[0] ? cli_last_error() : "could not run");
	nd_out_end(o);
	return status;
}

void cli_json_error(const char *cmd, const char *message)
{
	struct nd_out o;

	if (json_opened)
		return;
	cli_out_begin(&o, cmd, true);
	nd_out_str(&o, "status", NULL, "error");
	nd_out_str(&o, "error", NULL, message);
	nd_out_end(&o);
}

void cli_out_findings(struct nd_out *o, const struct nd_findings *fs, const char *none_line)
{
	if (fs->n)
		nd_out_text(o, "\nfindings (worst first):\n");
	else
		nd_out_text(o, "\n%s\n", none_line);
	nd_report_findings(o, fs);
}

int cli_bad_option(const char *cmd, char **argv, const char *shortopts,
		   const struct option *longopts)
{
	const char *word = optind > 0 ? argv[optind - 1] : "?";
	bool wants_value = false;

	if (!strncmp(word, "--", 2)) {
		size_t n = strcspn(word + 2, "=");

		for (const struct option *o = longopts; o && o->name; o++)
			if (strlen(o->name) == n && !strncmp(o->name, word + 2, n))
				wants_value = o->has_arg == required_argument;
	} else if (optopt && optopt != ':') {
		const char *p = strchr(shortopts, optopt);

		wants_value = p && p[1] == ':';
		if (word[0] != '-' || !word[1] || strchr(word + 1, optopt) == NULL) {
			static char one[3] = "-";

			one[1] = (char)optopt;
			word = one;
		}
	}
	cli_err(cmd, word, "%s (see 'netdiag %s --help')",
		wants_value ? "wants a value" : "unknown option", cmd);
	return EXIT_CANNOT;
}

int cli_caps(const char *cmd, uint64_t keep)
{
	int rc = nd_caps_keep(keep);

	if (rc) {
		cli_err(cmd, NULL, "cannot drop capabilities: %s", strerror(-rc));
		return EXIT_CANNOT;
	}
	return 0;
}

int cli_seconds(const char *cmd, const char *opt, const char *text, double max, double *out)
{
	char *end;
	double v = strtod(text, &end);

	/* nan compares false both ways: it would pass "v <= 0 || v > max" */
	if (end == text || *end || !isfinite(v) || !(v > 0 && v <= max)) {
		cli_err(cmd, text, "%s wants seconds, more than 0 and at most %g", opt, max);
		return -1;
	}
	*out = v;
	return 0;
}

volatile sig_atomic_t cli_stop;

static void on_stop_signal(int sig)
{
	(void)sig;
	cli_stop = 1;
}

void cli_stop_on_signals(bool restart)
{
	struct sigaction sa = { .sa_handler = on_stop_signal, .sa_flags = restart ? SA_RESTART : 0 };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

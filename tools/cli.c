/* Shared plumbing of the commands: the exit-status rule and the JSON
 * document for a run that could not happen. */
#include <stdio.h>
#include <string.h>

#include <netdiag/report.h>

#include "cli.h"

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

void cli_json_open(struct nd_json *j, const char *cmd)
{
	json_opened = true;
	nd_json_init(j, stdout, true);
	nd_json_obj_open(j);
	nd_json_kv_str(j, "schema", ND_JSON_SCHEMA);
	nd_json_kv_str(j, "command", cmd);
}

void cli_json_error(const char *cmd, const char *message)
{
	struct nd_json j;

	if (json_opened)
		return;
	cli_json_open(&j, cmd);
	nd_json_kv_str(&j, "status", "error");
	nd_json_kv_str(&j, "error", message);
	nd_json_obj_close(&j);
	nd_json_end(&j);
}

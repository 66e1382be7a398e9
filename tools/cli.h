/* Shared plumbing of the netdiag command line: the command table entry,
 * exit statuses and the one-line error format. */
#ifndef NETDIAG_CLI_H
#define NETDIAG_CLI_H

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <netdiag/finding.h>

enum {
	EXIT_HEALTHY = 0,  /* ran, found nothing wrong */
	EXIT_PROBLEMS = 1, /* ran, found problems */
	EXIT_CANNOT = 2,   /* could not run: bad input, permission, device */
};

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	uint64_t caps;   /* the most it may keep (ND_CAP bits); commands narrow it */
};

/* "netdiag: CMD: OBJECT: REASON" on stderr; object may be NULL. */
void cli_err(const char *cmd, const char *object, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* True when output should be coloured (stdout is a TTY and NO_COLOR unset). */
bool cli_colour(void);

/* The exit-status rule, the same in every command: 1 when a finding at
 * fail_on or worse is left (error by default; --fail-on warning), else 0. */
int cli_fail_on(const char *cmd, const char *arg, enum nd_severity *sev);
int cli_status(const struct nd_findings *fs, enum nd_severity fail_on);
/* A command's output on stdout: text, or with json its document begun
 * ({"schema", "command": cmd, ...) so that an error after it is said on
 * stderr only, never as a second document. */
struct nd_out;
void cli_out_begin(struct nd_out *o, const char *cmd, bool json);
/* The "status" member ("healthy", "problems", or for EXIT_CANNOT "error"
 * with "error", the last line cli_err said) and the document's end;
 * status returned. */
int cli_out_end(struct nd_out *o, int status);
/* On exit 2 with -j: {"schema", "command", "status": "error", "error"},
 * unless the command's own document has begun. */
void cli_json_error(const char *cmd, const char *message);
/* The findings on the document, worst first: JSON "findings"; text a
 * blank line, "findings (worst first):" and one a line, or none_line when
 * there are none. */
void cli_out_findings(struct nd_out *o, const struct nd_findings *fs, const char *none_line);
/* getopt_long met an option it does not know, or one without its value
 * (opterr is off): one line "netdiag: CMD: OPTION: reason", and EXIT_CANNOT
 * to return.  The usage text is for --help only. */
int cli_bad_option(const char *cmd, char **argv, const char *shortopts,
		   const struct option *longopts);
/* Seconds in (0, max]: finite, nothing after the number. */
int cli_seconds(const char *cmd, const char *opt, const char *text, double max, double *out);
/* Narrow the capabilities kept to `keep` (see nd_caps_keep); on failure
 * one line and EXIT_CANNOT, else 0. */
int cli_caps(const char *cmd, uint64_t keep);
/* The last line cli_err said, and the command it named ("vm run"), for
 * that document. */
const char *cli_last_error(void);
const char *cli_last_command(void);

/* The flag SIGINT and SIGTERM set once cli_stop_on_signals ran: long runs
 * (capture, a transaction of changes) poll it to stop and clean up.
 * restart: interrupted system calls resume (SA_RESTART); without it a
 * read waiting on the terminal ends with EINTR too (the doctor's
 * questions). */
extern volatile sig_atomic_t cli_stop;
void cli_stop_on_signals(bool restart);

/* Commands, one file each in tools/. */
int cmd_analyze(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_host(int argc, char **argv);
int cmd_offload(int argc, char **argv);
int cmd_undo(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_route(int argc, char **argv);
int cmd_vm(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_ci(int argc, char **argv);
int cmd_hook(int argc, char **argv);
/* netdiag vm run (tools/vm_run.c), a verb of cmd_vm, and its usage */
int vm_run(int argc, char **argv);
extern const char vm_run_usage[];
/* netdiag doctor, and with guide `netdiag offload guide` (offload remedies
 * only, fixing by default); cmd names the command in messages */
int doctor_main(const char *cmd, bool guide, int argc, char **argv);

#endif

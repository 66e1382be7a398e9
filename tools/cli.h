/* Shared plumbing of the netdiag command line: the command table entry,
 * exit statuses and the one-line error format. */
#ifndef NETDIAG_CLI_H
#define NETDIAG_CLI_H

#include <stdbool.h>

enum {
	EXIT_HEALTHY = 0,  /* ran, found nothing wrong */
	EXIT_PROBLEMS = 1, /* ran, found problems */
	EXIT_CANNOT = 2,   /* could not run: bad input, permission, device */
};

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* "netdiag: CMD: OBJECT: REASON" on stderr; object may be NULL. */
void cli_err(const char *cmd, const char *object, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* True when output should be coloured (stdout is a TTY and NO_COLOR unset). */
bool cli_colour(void);

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
/* netdiag doctor, and with guide `netdiag offload guide` (offload remedies
 * only, fixing by default); cmd names the command in messages */
int doctor_main(const char *cmd, bool guide, int argc, char **argv);

#endif

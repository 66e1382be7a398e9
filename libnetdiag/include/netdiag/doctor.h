/* netdiag doctor: look (the live check, routed guests), diagnose (the
 * rules), and with --fix walk each diagnosis's remedies: show the change
 * and its blast radius, ask, apply it through the journal, look again,
 * keep it when the diagnosis is gone and the traffic it concerned is
 * seen healthy, undo it when not, go on.  A stop request (SIGINT) undoes
 * every change of the run. */
#ifndef NETDIAG_DOCTOR_H
#define NETDIAG_DOCTOR_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <signal.h>
#include <stdbool.h>

#include <netdiag/check.h>
#include <netdiag/out.h>
#include <netdiag/rules.h>
#include <netdiag/vm.h>

enum nd_doctor_mode { ND_DOCTOR_EXPLAIN, ND_DOCTOR_DRY_RUN, ND_DOCTOR_FIX };

enum nd_step_outcome {
	ND_STEP_PLANNED,    /* dry run: would be tried */
	ND_STEP_MANUAL,     /* no automatic change: shown for doing by hand */
	ND_STEP_DECLINED,   /* the user said no */
	ND_STEP_NOTHING,    /* already as the remedy wants it */
	ND_STEP_KEPT,       /* applied, verified, kept */
	ND_STEP_UNDONE,     /* applied, did not help, undone */
	ND_STEP_FAILED,     /* could not apply (err in detail) */
	ND_STEP_GONE,       /* cured by a change kept for an earlier diagnosis */
};

/* What became of a diagnosis. */
enum nd_diag_outcome {
	ND_DIAG_FOUND,      /* explained, nothing tried (no --fix, or info only) */
	ND_DIAG_FIXED,      /* a change made it go, verified (or an earlier one did) */
	ND_DIAG_KEPT,       /* a change was kept for it, but it is still seen */
	ND_DIAG_UNDONE,     /* every change tried did not help and was undone */
	ND_DIAG_MANUAL,     /* no automatic change: the remedies say what to do */
	ND_DIAG_DECLINED,   /* the user said no */
	ND_DIAG_PLANNED,    /* dry run */
	ND_DIAG_FAILED,     /* a change could not be applied */
};

#define ND_DOCTOR_STEPS_MAX 48

struct nd_doctor_step {
	size_t diagnosis;               /* index into diagnoses */
	unsigned remedy;
	enum nd_remedy_action action;
	char target[96];                /* device, or sysctl path */
	char change[64];                /* "tx off", "2" */
	unsigned features;              /* offload features the change turned off */
	enum nd_step_outcome outcome;
	char detail[256];
};

struct nd_doctor_opts {
	struct nd_check_opts check;     /* how to look, each time */
	/* or: boot this guest (the probe guest, nd_vm_probe_config) for each look,
	 * its tap checked while it runs, its own report joined in */
	const struct nd_vm_config *probe;
	/* or: these findings (of a saved -j document, say), no looking; they
	 * move into the result.  Explain and dry run only: --fix verifies
	 * with a live look. */
	struct nd_findings *given;
	enum nd_doctor_mode mode;
	bool offload_only;              /* `offload guide`: offload remedies only */
	/* asked before each change; NULL: yes to all */
	bool (*ask)(void *arg, const char *change, const char *blast);
	/* one line of progress for people */
	void (*note)(void *arg, const char *line);
	void *arg;
	volatile sig_atomic_t *stop;
};

struct nd_doctor_result {
	struct nd_findings findings;    /* of the first look */
	struct nd_diagnoses diagnoses;
	enum nd_diag_outcome *outcomes; /* one per diagnosis */
	/* error findings of the first look that no rule explains (indexes) */
	size_t *undiagnosed;
	size_t nundiagnosed;
	/* the host as the doctor leaves it: the look after the last kept
	 * change, or the first look when nothing was kept */
	struct nd_findings after;
	bool changed;                   /* after is a new look */
	struct nd_doctor_step steps[ND_DOCTOR_STEPS_MAX];
	unsigned nsteps;
	unsigned looks;                 /* checks run, the first included */
	bool interrupted;               /* stopped: every change of the run undone */
	bool healthy_after;             /* fix: no warning/error diagnosis remains */
};

/* Error (and, with fail_on ND_SEV_WARNING, warning) findings left on the
 * host after the run: what the exit status is made of. */
size_t nd_doctor_left(const struct nd_doctor_result *res, enum nd_severity fail_on);

/* Returns 0 when it ran (the result says what happened), negative with err
 * set when it could not look or change anything.  Free with
 * nd_doctor_result_free whatever the return. */
int nd_doctor_run(const struct nd_doctor_opts *o, const struct nd_rules *rs,
		  struct nd_doctor_result *res, char *err, size_t errlen);
void nd_doctor_result_free(struct nd_doctor_result *res);
const char *nd_step_outcome_name(enum nd_step_outcome o);
const char *nd_diag_outcome_name(enum nd_diag_outcome o);
/* The result through the output writer (fix/doctor_print.c).  JSON: the
 * members "mode", "diagnoses" (every one, with outcome, title, cause,
 * bindings, evidence, remedies, refs), "undiagnosed", "steps", "looks",
 * "interrupted", "changed", "errors_left", "left", "persisted" (when
 * persisted is not NULL) and "findings".  Text: each warning and error
 * diagnosis explained (info ones too when verbose, else named on one
 * line), the undiagnosed errors, the remedies tried, with --fix the
 * persistence snippets, and the files persisted. */
void nd_doctor_print(const struct nd_doctor_result *res, enum nd_doctor_mode mode, bool verbose,
		     const char *persisted, struct nd_out *o);

/* Persistence of kept changes: the snippet for a format, or a file
 * written (journaled, so `netdiag undo` removes it).  Formats: networkd
 * (.link file), udev (rule), ifupdown (post-up line), nm (nmcli), sysctl
 * (sysctl.d line, for sysctl changes). */
void nd_doctor_persist_text(const struct nd_doctor_result *res, FILE *out);
int nd_doctor_persist_write(const struct nd_doctor_result *res, const char *format,
			    char *written, size_t wlen, char *err, size_t errlen);

/* Whether PATH is one of the files nd_doctor_persist_write makes, under
 * $NETDIAG_PERSIST_ROOT (any_root: under any root, an absolute path
 * without ".."): the journal reads "file" records only of that form and
 * removes only files under the current root. */
bool nd_persist_path_ok(const char *path, bool any_root);
/* The hook files `netdiag hook install` writes or moves aside (libvirt's
 * qemu hook, the Proxmox hookscript, their chained copies), under
 * $NETDIAG_HOOK_ROOT at write time, under any root when read back. */
bool nd_hook_file_ok(const char *path, bool any_root);

#pragma GCC visibility pop
#endif

/* A guest run with checks.  The supervisor (nd_vm_run) runs in its own
 * thread; this thread runs the live check on the guest's tap from the
 * moment QEMU starts, so the guest's first DHCP message is captured, and
 * then waits for the guest's report or its end.  Signals stay blocked
 * here and are taken by the supervisor's signalfd: Ctrl-C presses the
 * power button and the check ends with the guest. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vm_internal.h"

#define REPORT_GRACE_S 10         /* after the report, for the power-off */

struct probe_run {
	const struct nd_vm_config *c;
	const struct nd_vm_probe_opts *o;
	struct nd_vm_probe_result *res;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool started, finished;
	int run_rc;
	char err[256];
	volatile sig_atomic_t vm_stop, check_stop;
};

static void on_started(void *arg, const struct nd_vm_result *r)
{
	struct probe_run *p = arg;

	pthread_mutex_lock(&p->lock);
	p->started = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	if (p->o->started)
		p->o->started(p->o->arg, r);
}

static void on_line(void *arg, const char *line)
{
	struct probe_run *p = arg;

	if (!p->o->guest_report)
		return;
	pthread_mutex_lock(&p->lock);
	if (nd_vm_probe_feed(&p->res->guest, line) && p->res->guest.done) {
		p->check_stop = 1;
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
}

static void *supervise(void *arg)
{
	struct probe_run *p = arg;
	struct nd_vm_hooks h = { .started = on_started, .console_line = on_line, .arg = p };
	int rc;

	rc = nd_vm_run(p->c, &h, &p->vm_stop, &p->res->vm, p->err, sizeof(p->err));
	pthread_mutex_lock(&p->lock);
	p->run_rc = rc;
	p->finished = true;
	p->check_stop = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Wait until pred holds or the deadline passes (0: no deadline); with the
 * lock held.  Also wakes every 100 ms to pass on the caller's stop flag. */
static bool wait_for(struct probe_run *p, bool (*pred)(struct probe_run *), double deadline_ms)
{
	while (!pred(p)) {
		struct timespec ts;

		if (p->o->stop && *p->o->stop)
			p->vm_stop = 1;
		if (deadline_ms && nd_mono_ms() >= deadline_ms)
			return false;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p->cond, &p->lock, &ts);
	}
	return true;
}

static bool is_started(struct probe_run *p) { return p->started || p->finished; }
static bool is_finished(struct probe_run *p) { return p->finished; }
static bool is_reported(struct probe_run *p) { return p->finished || p->res->guest.done; }

static void end_findings(const struct nd_vm_config *c, const struct nd_vm_probe_result *res,
			 struct nd_findings *out)
{
	struct nd_finding *f;

	if (res->timed_out) {
		f = nd_findings_add(out, "vm.timeout", ND_SEV_ERROR);
		if (f) {
			nd_finding_subject(f, "vm %s", c->name);
			nd_finding_summary(f, "guest %s did not finish in time and was stopped",
					   c->name);
			nd_finding_set_str(f, "vm", c->name);
		}
	}
	if (nd_vm_end_status(res->vm.end)) {
		f = nd_findings_add(out, "vm.crashed", ND_SEV_ERROR);
		if (f) {
			nd_finding_subject(f, "vm %s", c->name);
			nd_finding_summary(f, "guest %s ended: %s%s%s", c->name,
					   nd_vm_end_name(res->vm.end),
					   res->vm.end_detail[0] ? ": " : "", res->vm.end_detail);
			nd_finding_set_str(f, "vm", c->name);
			nd_finding_set_str(f, "end_reason", nd_vm_end_name(res->vm.end));
		}
	}
}

int nd_vm_probe_run(const struct nd_vm_config *c, const struct nd_vm_probe_opts *o,
		    struct nd_vm_probe_result *res, struct nd_findings *out,
		    char *err, size_t errlen)
{
	struct probe_run p = { .c = c, .o = o, .res = res };
	double timeout = o->timeout_s > 0 ? o->timeout_s : 120;
	double deadline;
	sigset_t mask, old;
	pthread_t t;
	int rc;

	memset(res, 0, sizeof(*res));
	rc = nd_vm_validate(c, err, errlen);
	if (rc < 0)
		return rc;
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cond, NULL);
	/* both threads block these; the supervisor's signalfd takes them */
	vm_block_signals(&mask, &old);
	rc = -pthread_create(&t, NULL, supervise, &p);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot start the supervisor: %s", c->name, strerror(-rc));
		goto out;
	}
	deadline = nd_mono_ms() + timeout * 1000;

	pthread_mutex_lock(&p.lock);
	wait_for(&p, is_started, 0);
	bool running = p.started && !p.finished;
	pthread_mutex_unlock(&p.lock);

	if (running) {
		struct nd_check_opts co = {
			.bridge = c->bridge,
			.ntaps = 1,
			.duration = timeout,
			/* the probe's report ends the capture (check_stop): DNS
			 * follows DHCP, and a verdict on DHCP alone would end
			 * it too early */
			.until_verdict = !o->guest_report,
			.stop = &p.check_stop,
		};
		char cerr[256];

		co.taps[0] = res->vm.tap;
		if (nd_check_run(&co, &res->check, out, cerr, sizeof(cerr)) == 0) {
			res->checked = true;
		} else {
			/* the guest may have ended first, taking its tap along */
			struct nd_finding *f = nd_findings_add(out, "vm.check-failed", ND_SEV_WARNING);

			if (f) {
				nd_finding_subject(f, "vm %s", c->name);
				nd_finding_summary(f, "the host-side check did not run: %s", cerr);
			}
			nd_check_result_free(&res->check);
			memset(&res->check, 0, sizeof(res->check));
		}
	}

	pthread_mutex_lock(&p.lock);
	if (o->guest_report && !wait_for(&p, is_reported, deadline)) {
		res->timed_out = true;
		p.vm_stop = 1;
	} else if (o->guest_report && !o->hold &&
		   !wait_for(&p, is_finished, nd_mono_ms() + REPORT_GRACE_S * 1000)) {
		p.vm_stop = 1;       /* reported but did not power off: press the button */
	}
	wait_for(&p, is_finished, 0);
	pthread_mutex_unlock(&p.lock);
	pthread_join(t, NULL);

	rc = p.run_rc;
	if (rc < 0) {
		snprintf(err, errlen, "%s", p.err);
		goto out;
	}
	if (o->guest_report)
		nd_vm_probe_findings(&res->guest, c->name, out);
	end_findings(c, res, out);
	nd_findings_sort(out);
out:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_cond_destroy(&p.cond);
	pthread_mutex_destroy(&p.lock);
	return rc;
}

void nd_vm_probe_result_free(struct nd_vm_probe_result *res)
{
	if (res->checked)
		nd_check_result_free(&res->check);
	res->checked = false;
}


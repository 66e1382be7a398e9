/* Stopping a guest: the ACPI power button, pressed until the guest powers
 * off or the timeout passes, then QMP "quit", then SIGKILL.  Asked for by
 * the supervisor's loop (a signal) and by the control socket (vm stop). */
#include <signal.h>

#include "supervisor.h"

void sup_begin_stop(struct sup *s, unsigned timeout_s)
{
	double now = nd_mono_ms();

	if (s->stopping) {
		/* asked again: stop waiting for the guest */
		if (!s->quit_sent) {
			vm_qmp_execute(&s->qmp, "quit");
			s->quit_sent = true;
			s->kill_at = now + KILL_AFTER_QUIT_MS;
		}
		return;
	}
	s->stopping = true;
	s->stop_deadline = now + timeout_s * 1000.0;
	s->next_press = now;
}

void sup_stop_tick(struct sup *s)
{
	double now = nd_mono_ms();

	if (!s->stopping || s->exited)
		return;
	if (s->quit_sent) {
		if (now >= s->kill_at && !s->killed) {
			kill(s->qemu, SIGKILL);
			s->killed = true;
		}
		return;
	}
	if (now >= s->stop_deadline) {
		if (vm_qmp_execute(&s->qmp, "quit") < 0) {
			kill(s->qemu, SIGKILL);
			s->killed = true;
		}
		s->quit_sent = true;
		s->kill_at = now + KILL_AFTER_QUIT_MS;
		return;
	}
	/* A press before the guest enabled ACPI is lost: press again until
	 * it powers off (the SHUTDOWN event ends the loop). */
	if (now >= s->next_press && !s->shutdown_seen) {
		if (s->qmp.fd >= 0)
			vm_qmp_execute(&s->qmp, "system_powerdown");
		s->next_press = now + PRESS_EVERY_MS;
	}
}

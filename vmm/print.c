/* The launcher's results printed: text or JSON from one walk (netdiag/out.h). */
#include <inttypes.h>
#include <stdlib.h>

#include "vm_internal.h"

static void nic_print(const struct nd_vm_probe_nic *n, struct nd_out *o)
{
	nd_out_obj_open(o, ND_OUT_ITEM);
	nd_out_str(o, "iface", "lease      %s ", n->iface);
	nd_out_str(o, "mac", NULL, n->mac);
	nd_out_int(o, "mtu", NULL, n->mtu);
	nd_out_bool(o, "lease", NULL, n->leased);
	if (n->leased) {
		nd_out_str(o, "ip", "%s/", n->ip);
		/* a prefix length is a number */
		nd_out_int(o, "mask", NULL, atoi(n->mask));
		nd_out_str(o, NULL, "%s", n->mask);
		nd_out_str(o, "router", " router %s", n->router);
		nd_out_str(o, "dns", " dns %s", n->dns);
		nd_out_str(o, "server", NULL, n->server);
		nd_out_int(o, "lease_s", NULL, n->lease_s);
	} else {
		nd_out_text(o, "PROBLEM: none after");
	}
	nd_out_double(o, "seconds", n->leased ? " (%.1f s)\n" : " %.1f s\n", n->ms / 1000);
	nd_out_obj_close(o);
}

static void dns_print(const struct nd_vm_probe_dns *d, struct nd_out *o)
{
	nd_out_obj_open(o, ND_OUT_ITEM);
	nd_out_str(o, "iface", NULL, d->iface);
	nd_out_str(o, "server", NULL, d->server);
	nd_out_str(o, "name", NULL, d->name);
	nd_out_str(o, NULL, "dns        %s", d->name);
	nd_out_str(o, NULL, " via %s: ", d->server);
	nd_out_bool(o, "resolved", NULL, d->ok);
	if (d->ok)
		nd_out_str(o, "addr", "%s\n", d->addr);
	else
		nd_out_text(o, "PROBLEM: no answer\n");
	nd_out_double(o, "seconds", NULL, d->ms / 1000);
	nd_out_obj_close(o);
}

void nd_vm_probe_report_print(const struct nd_vm_probe_report *p, struct nd_out *o)
{
	nd_out_bool(o, "started", NULL, p->started);
	nd_out_bool(o, "done", NULL, p->done);
	nd_out_str(o, "kernel", NULL, p->kernel);
	nd_out_arr_open(o, "nics");
	for (unsigned i = 0; i < p->nnics; i++)
		nic_print(&p->nics[i], o);
	nd_out_arr_close(o);
	nd_out_arr_open(o, "dns");
	for (unsigned i = 0; i < p->ndns; i++)
		dns_print(&p->dns[i], o);
	nd_out_arr_close(o);
	if (p->snmp) {
		uint64_t csum = p->udp_in_csum_errors + p->udp6_in_csum_errors;

		nd_out_obj_open(o, "snmp");
		nd_out_uint(o, "udp_in_errors", NULL, p->udp_in_errors);
		nd_out_uint(o, "udp_in_csum_errors", NULL, p->udp_in_csum_errors);
		nd_out_uint(o, "udp6_in_errors", NULL, p->udp6_in_errors);
		nd_out_uint(o, "udp6_in_csum_errors", NULL, p->udp6_in_csum_errors);
		nd_out_obj_close(o);
		nd_out_text(o, "checksums  guest kernel: %" PRIu64 " UDP checksum errors, %" PRIu64
			    " UDP errors%s\n", csum, p->udp_in_errors + p->udp6_in_errors,
			    csum ? "  PROBLEM" : "");
	}
	nd_out_double(o, "uptime_s", NULL, p->done_ms / 1000);
	if (!p->done)
		nd_out_text(o, "report     PROBLEM: the probe guest did not report\n");
}

void nd_vm_result_print(const struct nd_vm_config *c, const struct nd_vm_result *r,
			struct nd_out *o)
{
	nd_out_obj_open(o, "vm");
	nd_out_str(o, "name", NULL, c->name);
	nd_out_str(o, "bridge", NULL, c->bridge);
	nd_out_str(o, "tap", NULL, r->tap);
	nd_out_str(o, "mac", NULL, r->mac);
	nd_out_str(o, "accel", NULL, r->accel);
	if (r->accel_why[0])
		nd_out_str(o, "accel_why", NULL, r->accel_why);
	nd_out_str(o, "end_reason", NULL, nd_vm_end_name(r->end));
	nd_out_str(o, "end_detail", NULL, r->end_detail);
	nd_out_obj_open(o, "timings_ms");
	nd_out_double(o, "setup", NULL, r->setup_ms);
	nd_out_double(o, "run", NULL, r->run_ms);
	nd_out_double(o, "teardown", NULL, r->teardown_ms);
	nd_out_obj_close(o);
	nd_out_obj_close(o);
}

void nd_vm_probe_result_print(const struct nd_vm_config *c,
			      const struct nd_vm_probe_result *res, bool probe, struct nd_out *o)
{
	nd_vm_result_print(c, &res->vm, o);
	if (probe) {
		nd_out_obj_open(o, "guest");
		nd_vm_probe_report_print(&res->guest, o);
		nd_out_obj_close(o);
	}
	nd_out_str(o, NULL, "guest      %s ended ", c->name);
	nd_out_str(o, NULL, "%s", nd_vm_end_name(res->vm.end));
	nd_out_str(o, NULL, res->vm.end_detail[0] ? ": %s" : "%s", res->vm.end_detail);
	nd_out_str(o, NULL, " (%s, ", res->vm.accel);
	nd_out_double(o, NULL, "up %.1f s)\n", res->vm.run_ms / 1000);
	/* the check's own lines are for `netdiag check`; here, JSON only */
	if (res->checked && o->json) {
		nd_out_obj_open(o, "check");
		nd_check_print(&res->check, o);
		nd_out_obj_close(o);
	}
}

void nd_vm_list_print(const struct nd_vm_info *v, size_t n, struct nd_out *o)
{
	nd_out_text(o, "%-16s %-12s %-15s %-15s %-17s %-5s %s\n", "NAME", "STATUS", "TAP",
		    "BRIDGE", "MAC", "ACCEL", "PID");
	nd_out_arr_open(o, "vms");
	for (size_t i = 0; i < n; i++) {
		nd_out_obj_open(o, ND_OUT_ITEM);
		nd_out_str(o, "name", "%-16s ", v[i].name);
		nd_out_str(o, "status", NULL, v[i].running ? "running" : "ended");
		nd_out_str(o, NULL, "%-12s ", v[i].running ? "running" : v[i].end);
		if (v[i].running) {
			nd_out_int(o, "pid", NULL, v[i].pid);
			nd_out_int(o, "qemu_pid", NULL, v[i].qemu_pid);
		}
		nd_out_str(o, "tap", "%-15s ", v[i].tap);
		nd_out_str(o, "bridge", "%-15s ", v[i].bridge);
		nd_out_str(o, "mac", "%-17s ", v[i].mac);
		nd_out_str(o, "accel", "%-5s ", v[i].accel);
		nd_out_double(o, "started", NULL, v[i].started);
		if (!v[i].running) {
			nd_out_double(o, "ended", NULL, v[i].ended);
			nd_out_str(o, "end_reason", NULL, v[i].end);
			nd_out_text(o, "-\n");
		} else {
			nd_out_int(o, NULL, "%" PRId64 "\n", v[i].qemu_pid);
		}
		nd_out_obj_close(o);
	}
	nd_out_arr_close(o);
}

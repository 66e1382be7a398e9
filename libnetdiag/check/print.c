/* A check's result printed: text or JSON from one walk (netdiag/out.h). */
#include <inttypes.h>
#include <string.h>

#include <netdiag/check.h>

/* One line per check: its verdict and what it rests on.  JSON has the
 * same line as members; the "not seen" note follows from verdict and
 * required. */
static void verdict_print(const struct nd_check_verdict *v, struct nd_out *o)
{
	bool seen = v->verdict != ND_VERDICT_NOT_SEEN;

	nd_out_obj_open(o, ND_OUT_ITEM);
	nd_out_str(o, "name", "%-10s", v->name);
	nd_out_str(o, "verdict", NULL, nd_verdict_name(v->verdict));
	nd_out_str(o, NULL, " %s", seen ? nd_verdict_name(v->verdict) : "not seen");
	nd_out_uint(o, "evidence", NULL, v->evidence);
	nd_out_bool(o, "required", NULL, v->required);
	nd_out_str(o, "findings", v->findings[0] ? ": %s" : NULL, v->findings);
	/* with no findings to name, the text says what the verdict rests on */
	if (!v->findings[0] && v->verdict == ND_VERDICT_OK && strcmp(v->name, "host") &&
	    strcmp(v->name, "active"))
		nd_out_uint(o, NULL, " (%" PRIu64 " frames)", v->evidence);
	else if (!v->findings[0] && !seen)
		nd_out_text(o, ": %s", v->required ? "required, none captured"
						 : "no such traffic, no verdict");
	nd_out_text(o, "\n");
	nd_out_obj_close(o);
}

static void point_print(const struct nd_check_point *p, struct nd_out *o)
{
	nd_out_obj_open(o, ND_OUT_ITEM);
	nd_out_str(o, "interface", " %s", p->ifname);
	nd_out_uint(o, "frames", " (%" PRIu64 " frames", p->frames);
	nd_out_uint(o, "kernel_drops", ", %" PRIu64 " dropped)", p->stats.kernel_drops);
	nd_out_uint(o, "dhcp4_client", NULL, p->dhcp4_client);
	nd_out_uint(o, "dhcp4_server", NULL, p->dhcp4_server);
	nd_out_uint(o, "dhcp4_ack", NULL, p->dhcp4_ack);
	nd_out_uint(o, "dhcp6", NULL, p->dhcp6);
	nd_out_uint(o, "dns_query", NULL, p->dns_query);
	nd_out_uint(o, "dns_reply", NULL, p->dns_reply);
	nd_out_obj_close(o);
}

void nd_check_print(const struct nd_check_result *res, struct nd_out *o)
{
	nd_out_double(o, "seconds", NULL, res->seconds);
	nd_out_arr_open(o, "checks");
	for (unsigned i = 0; i < res->nverdicts; i++)
		verdict_print(&res->verdicts[i], o);
	nd_out_arr_close(o);
	/* the text is the verdicts and where they were captured; the host
	 * report and the packet tables are for programs */
	if (o->json) {
		nd_out_obj_open(o, "host");
		nd_host_report_print(&res->host, o);
		nd_out_obj_close(o);
	}
	if (res->npoints)
		nd_out_double(o, NULL, "captured %.1f s on", res->seconds);
	nd_out_arr_open(o, "capture_points");
	for (unsigned i = 0; i < res->npoints; i++)
		point_print(&res->points[i], o);
	nd_out_arr_close(o);
	if (res->npoints)
		nd_out_text(o, "\n");
	if (o->json) {
		nd_out_obj_open(o, "packets");
		nd_analysis_print(&res->analysis, o);
		nd_out_obj_close(o);
	}
}

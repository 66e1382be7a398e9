/* The hook checks' states printed: text or JSON from one walk (netdiag/out.h). */
#include <netdiag/hook.h>

static void state_print(const struct nd_hook_state *s, struct nd_out *o)
{
	nd_out_obj_open(o, ND_OUT_ITEM);
	nd_out_str(o, "guest", "%-16s ", s->guest);
	nd_out_str(o, "tap", "%-10s ", s->tap);
	nd_out_str(o, "bridge", NULL, s->bridge);
	nd_out_str(o, NULL, "%-10s ", s->bridge[0] ? s->bridge : "-");
	nd_out_str(o, "state", "%-8s ", s->state);
	nd_out_str(o, "status", NULL, s->status);
	nd_out_str(o, NULL, "%-9s ", s->status[0] ? s->status : "-");
	nd_out_str(o, "verdicts", "%s", s->verdicts);
	nd_out_str(o, "findings", s->findings[0] ? ": %s" : NULL, s->findings);
	if (s->error[0])
		nd_out_str(o, "error", "%s", s->error);
	nd_out_double(o, "started", NULL, s->started);
	nd_out_double(o, "seconds", NULL, s->seconds);
	nd_out_int(o, "pid", NULL, s->pid);
	nd_out_text(o, "\n");
	nd_out_obj_close(o);
}

void nd_hook_states_print(const struct nd_hook_state *v, unsigned n, struct nd_out *o)
{
	nd_out_arr_open(o, "hooks");
	for (unsigned i = 0; i < n; i++)
		state_print(&v[i], o);
	nd_out_arr_close(o);
	if (!n)
		nd_out_text(o, "no hook checks recorded\n");
}

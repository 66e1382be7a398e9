/* The rule set printed: text or JSON from one walk (netdiag/out.h). */
#include <netdiag/rules.h>

void nd_rules_print(const struct nd_rules *rs, struct nd_out *o)
{
	nd_out_arr_open(o, "rules");
	for (size_t i = 0; i < rs->n; i++) {
		const struct nd_rule *r = &rs->v[i];

		nd_out_obj_open(o, ND_OUT_ITEM);
		nd_out_str(o, "id", "%-30s ", r->id);
		nd_out_str(o, "severity", "%-8s ", nd_severity_name(r->severity));
		nd_out_str(o, "title", "%s\n", r->title);
		nd_out_str(o, "file", NULL, r->file);
		nd_out_obj_close(o);
	}
	nd_out_arr_close(o);
}

/* Journaled offload changes across devices, undone as a whole on a signal
 * or a refusal. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netdiag/journal.h>
#include <netdiag/offload.h>

/* Alias expansions name features a device may lack (tx-checksum-fcoe-crc
 * on a veth): keep those it has; an unknown name or a fixed feature asked
 * to change is an error. */
static int check_request(struct nd_offload_request *r, char *err, size_t errlen)
{
	unsigned k = 0;

	for (unsigned i = 0; i < r->n; i++) {
		const struct nd_feature *f = nd_feature_find(&r->before, r->ch[i].name);

		if (!f)
			continue;
		if (f->fixed && f->active != r->ch[i].on) {
			snprintf(err, errlen, "%s: %s is fixed %s and cannot be changed", r->ifname,
				 f->name, f->active ? "on" : "off");
			return -EPERM;
		}
		r->ch[k++] = r->ch[i];
	}
	if (!k) {
		snprintf(err, errlen, "%s: no such feature on %s", r->ch[0].name, r->ifname);
		return -ENOENT;
	}
	r->n = k;
	return 0;
}

static int journal_device(struct nd_journal *j, struct nd_offload_request *r)
{
	r->recorded = 0;
	for (unsigned i = 0; i < r->n; i++) {
		const struct nd_feature *f = nd_feature_find(&r->before, r->ch[i].name);
		struct nd_journal_record rec = { 0 };
		int ret;

		if (f->wanted == r->ch[i].on)
			continue;
		snprintf(rec.kind, sizeof(rec.kind), "offload");
		snprintf(rec.object, sizeof(rec.object), "%s", r->ifname);
		snprintf(rec.key, sizeof(rec.key), "%s", f->name);
		snprintf(rec.before, sizeof(rec.before), "%s", f->wanted ? "on" : "off");
		snprintf(rec.after, sizeof(rec.after), "%s", r->ch[i].on ? "on" : "off");
		ret = nd_journal_append(j, &rec);
		if (ret)
			return ret;
		r->recorded++;
	}
	return 0;
}

/* The set was refused (EPERM, a driver's EINVAL): the records of this
 * device whose feature still has its before-value changed nothing, so
 * they close rather than stay open for every later undo to trip on. */
static void close_unchanged(struct nd_journal *j, struct nd_ethtool *e, const char *ifname,
			    unsigned mark)
{
	const struct nd_journal_record *r;
	struct nd_features now;
	unsigned n;

	if (nd_offload_get(e, ifname, &now))
		return;
	r = nd_journal_records(j, &n);
	for (unsigned i = 0; i < n; i++) {
		const struct nd_feature *f = nd_feature_find(&now, r[i].key);

		if (r[i].id > mark && !strcmp(r[i].kind, "offload") && f &&
		    f->wanted == !strcmp(r[i].before, "on"))
			nd_journal_failed(j, r[i].id);
	}
}

/* A pause between devices, for tests that interrupt a transaction in the
 * middle: NETDIAG_TEST_STEP_DELAY seconds (unset in normal use). */
static void test_step_delay(void)
{
	const char *d = getenv("NETDIAG_TEST_STEP_DELAY");

	if (d)
		usleep((useconds_t)(atof(d) * 1e6));
}

int nd_offload_change(struct nd_offload_request *reqs, unsigned nreq,
		      volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	struct nd_journal *j = NULL;
	struct nd_ethtool *e;
	unsigned mark = nd_journal_mark();
	int ret;

	ret = nd_ethtool_open(&e);
	if (ret) {
		snprintf(err, errlen, "ethtool netlink: %s", strerror(-ret));
		return ret;
	}
	for (unsigned i = 0; i < nreq && !ret; i++) {
		ret = nd_offload_get(e, reqs[i].ifname, &reqs[i].before);
		if (ret)
			snprintf(err, errlen, "%s: %s", reqs[i].ifname,
				 ret == -ENODEV ? "no such device" : strerror(-ret));
		else
			ret = check_request(&reqs[i], err, errlen);
	}
	if (!ret)
		ret = nd_journal_open(&j, err, errlen);
	for (unsigned i = 0; i < nreq && !ret; i++) {
		if (i)
			test_step_delay();
		if (stop && *stop) {
			snprintf(err, errlen, "interrupted: the changes made are undone");
			ret = -EINTR;
			break;
		}
		unsigned dev_mark = nd_journal_mark();

		ret = journal_device(j, &reqs[i]);
		if (!ret && reqs[i].recorded) {
			ret = nd_offload_set(e, &reqs[i].before, reqs[i].ch, reqs[i].n, err, errlen);
			if (ret)
				close_unchanged(j, e, reqs[i].ifname, dev_mark);
		}
		if (!ret)
			ret = nd_offload_get(e, reqs[i].ifname, &reqs[i].after);
	}
	/* this call's own records only, whatever else the journal holds */
	if (ret && j)
		nd_journal_undo_run(j, mark, false, NULL, NULL);
	nd_journal_close(j);
	nd_ethtool_close(e);
	return ret;
}

static bool asked_for(const struct nd_offload_request *r, const char *name)
{
	for (unsigned k = 0; k < r->n; k++)
		if (!strcmp(r->ch[k].name, name))
			return true;
	return false;
}

static void print_changed(struct nd_out *o, const struct nd_offload_request *r, bool restore)
{
	nd_out_arr_open(o, "changed");
	for (unsigned i = 0; r->recorded && i < r->after.n; i++) {
		const struct nd_feature *f = &r->after.v[i];
		bool asked = asked_for(r, f->name);

		if (!f->name[0] || f->active == r->before.v[i].active)
			continue;
		nd_out_obj_open(o, ND_OUT_ITEM);
		nd_out_str(o, NULL, restore ? NULL : "%s: ", r->ifname);
		nd_out_str(o, "feature", restore ? NULL : "%s ", f->name);
		nd_out_bool(o, "active", NULL, f->active);
		nd_out_bool(o, "asked", NULL, asked);
		if (!restore)
			nd_out_text(o, "%s%s\n", f->active ? "on" : "off",
				    asked ? "" : " (follows from the change)");
		nd_out_obj_close(o);
	}
	nd_out_arr_close(o);
}

void nd_offload_change_print(const struct nd_offload_request *reqs, unsigned nreq, bool restore,
			     struct nd_out *o)
{
	unsigned recorded = 0;

	nd_out_arr_open(o, "devices");
	for (unsigned d = 0; d < nreq; d++) {
		const struct nd_offload_request *r = &reqs[d];

		recorded += r->recorded;
		nd_out_obj_open(o, ND_OUT_ITEM);
		nd_out_str(o, "ifname", r->recorded || restore ? NULL : "%s: nothing to change\n",
			   r->ifname);
		print_changed(o, r, restore);
		nd_out_obj_close(o);
	}
	nd_out_arr_close(o);
	if (restore)
		nd_out_text(o, "restored %u device%s, ", nreq, nreq == 1 ? "" : "s");
	nd_out_uint(o, "recorded", restore ? "%" PRIu64 " change" : recorded ?
		    "recorded %" PRIu64 " change" : NULL, recorded);
	if (restore)
		nd_out_text(o, "%s journaled\n", recorded == 1 ? "" : "s");
	else if (recorded)
		nd_out_text(o, "%s in the journal: 'netdiag undo' restores them\n",
			    recorded == 1 ? "" : "s");
}

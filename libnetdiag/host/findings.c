/* The findings of a host inspection: carrier, enslavement, STP port states
 * and delay, MTUs along the bridge, rp_filter, snooping without a querier,
 * the forward chains (firewall.c) and TX checksum offload. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netdiag/host.h>
#include <netdiag/offload.h>

#include "host_internal.h"

/* Forward delay above which a new port's listening and learning outlast a
 * DHCP client's first tries: 4 s (8 s silent) costs the DISCOVERs at 0 and
 * ~4 s (RFC 2131 4.1 back-off) and the one at ~12 s passes; 15 s (the
 * default, 30 s silent) outlasts udhcpc's and many firmware clients' tries.
 * libvirt's STP bridges run at the 2 s minimum. */
#define STP_DELAY_SLOW 4.0
/* A port whose timer says it forwards later than this is not simply new. */
#define FORWARD_IN_SLACK 0.5

/* Why a link of this kind lacks carrier, in the words of its driver. */
static const char *no_carrier_reason(const char *kind)
{
	static const struct {
		const char *kind, *reason;
	} reasons[] = {
		{ "tun", "no process (QEMU) holds the tap open" },
		{ "veth", "the other end of its veth pair is down" },
		{ "macvtap", "its lower device has no carrier" },
		{ "macvlan", "its lower device has no carrier" },
		{ "vlan", "its lower device has no carrier" },
		{ "", "no link partner: the cable is unplugged or the far end is down" },
	};

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (!strcmp(reasons[i].kind, kind))
			return reasons[i].reason;
	return "its driver reports no carrier";
}

static int no_carrier(const struct nd_link_info *l, const char *reason, enum nd_severity sev,
		      struct nd_findings *out)
{
	struct nd_finding *f = nd_findings_add_link(out, "link.no-carrier", sev, l->name);

	if (!f)
		return -ENOMEM;
	nd_finding_set_str(f, "state", l->up ? "up, no carrier" : "down");
	nd_finding_set_str(f, "kind", l->kind);
	nd_finding_set_str(f, "reason", reason);
	if (!l->up)
		nd_finding_summary(f, "%s is down: nothing passes it", l->name);
	else
		nd_finding_summary(f, "%s has no carrier: %s", l->name, reason);
	return 0;
}

static int carrier_findings(const struct nd_link_info *l, struct nd_findings *out)
{
	if (l->up && l->carrier)
		return 0;
	return no_carrier(l, l->up ? no_carrier_reason(l->kind) : "it is administratively down",
			  ND_SEV_ERROR, out);
}

/* A bridge has carrier while one of its ports forwards (br_port_state_selection
 * in net/bridge/br_stp.c), so its own "no carrier" is about its ports.  A port
 * the STP timer is about to forward is normal: its own finding says when. */
static int bridge_carrier_findings(const struct nd_bridge_info *b, struct nd_findings *out)
{
	char reason[ND_FIELD_STR_MAX];
	size_t used;

	if (!b->link.up || b->link.carrier)
		return carrier_findings(&b->link, out);
	/* a bridge with no guest on it yet (libvirt's, incus's when idle) is
	 * waiting, not broken */
	if (!b->nports)
		return no_carrier(&b->link, "it has no ports", ND_SEV_INFO, out);
	for (unsigned i = 0; i < b->nports; i++)
		if (b->ports[i].forward_in >= 0)
			return 0;
	used = (size_t)snprintf(reason, sizeof(reason), "none of its %u port%s forwards (",
				b->nports, b->nports == 1 ? "" : "s");
	for (unsigned i = 0; i < b->nports && used < sizeof(reason); i++) {
		const struct nd_link_info *p = &b->ports[i];

		used += (size_t)snprintf(reason + used, sizeof(reason) - used, "%s%s %s",
					 i ? ", " : "", p->name,
					 !p->up ? "down" : !p->carrier ? "no carrier"
								       : nd_port_state_name(p->port_state));
	}
	if (used < sizeof(reason))
		snprintf(reason + used, sizeof(reason) - used, ")");
	return no_carrier(&b->link, reason, ND_SEV_ERROR, out);
}

/* A port with carrier that does not forward: listening or learning on the
 * way to forwarding (info: a new port), held there with no timer (user-space
 * STP decides), blocking (error: STP cut it off), disabled. */
static int port_state_finding(const struct nd_bridge_info *b, const struct nd_link_info *p,
			      struct nd_findings *out)
{
	const char *state = nd_port_state_name(p->port_state);
	bool joining = p->forward_in >= 0 &&
		       p->forward_in <= 2 * b->forward_delay + FORWARD_IN_SLACK;
	enum nd_severity sev = joining ? ND_SEV_INFO
			       : p->port_state == ND_PORT_BLOCKING ? ND_SEV_ERROR : ND_SEV_WARNING;
	struct nd_finding *f = nd_findings_add_link(out, "bridge.port-not-forwarding", sev, p->name);

	if (!f)
		return -ENOMEM;
	nd_finding_set_str(f, "state", state);
	nd_finding_set_str(f, "bridge", b->link.name);
	nd_finding_subject(f, "port of %s", b->link.name);
	if (p->forward_in < 0) {
		nd_finding_summary(f, "%s is %s on %s: frames to and from it are not forwarded%s",
				   p->name, state, b->link.name,
				   p->port_state == ND_PORT_LISTENING || p->port_state == ND_PORT_LEARNING
					   ? ", and no kernel STP timer will change that"
					   : "");
		return 0;
	}
	nd_finding_set_double(f, "forward_in", p->forward_in);
	nd_finding_set_double(f, "forward_delay", b->forward_delay);
	if (p->port_state == ND_PORT_LISTENING)
		nd_finding_summary(f, "%s is listening on %s (STP, a new port): it starts learning "
				   "in %.1f s and forwards in %.1f s%s", p->name, b->link.name,
				   p->forward_in - b->forward_delay, p->forward_in,
				   b->link.carrier ? "" : "; the bridge has no carrier until then");
	else
		nd_finding_summary(f, "%s is learning on %s (STP, a new port): it forwards in "
				   "%.1f s%s", p->name, b->link.name, p->forward_in,
				   b->link.carrier ? "" : "; the bridge has no carrier until then");
	return 0;
}

/* The MTU the bridge's path is meant to carry: the largest of the bridge
 * and its ports.  The kernel lowers a bridge to its smallest port (unless
 * set by hand), so a port below this is the one that narrows the path. */
static unsigned path_mtu(const struct nd_bridge_info *b)
{
	unsigned want = b->link.mtu;

	for (unsigned i = 0; i < b->nports; i++)
		if (b->ports[i].mtu > want)
			want = b->ports[i].mtu;
	return want;
}

static int bridge_findings(const struct nd_bridge_info *b, struct nd_findings *out)
{
	unsigned want = path_mtu(b);
	struct nd_finding *f;
	int err;

	err = bridge_carrier_findings(b, out);
	if (err)
		return err;
	if (b->stp && b->forward_delay > STP_DELAY_SLOW) {
		f = nd_findings_add_link(out, "bridge.stp-delay", ND_SEV_WARNING, b->link.name);
		if (!f)
			return -ENOMEM;
		nd_finding_set_double(f, "forward_delay", b->forward_delay);
		nd_finding_set_double(f, "port_delay", 2 * b->forward_delay);
		nd_finding_summary(f, "STP is on with a %.0f s forward delay: a new guest port "
				   "passes nothing for %.0f s (listening, learning), so early DHCP "
				   "attempts vanish", b->forward_delay, 2 * b->forward_delay);
	}
	if (b->snooping && !b->querier) {
		/* info, not warning: since Linux 3.12 a bridge that has seen no
		 * querier floods multicast instead of filtering it; trouble comes
		 * when a querier elsewhere appears and goes, or with switches
		 * between hosts that snoop too */
		f = nd_findings_add_link(out, "bridge.snooping-no-querier", ND_SEV_INFO, b->link.name);
		if (!f)
			return -ENOMEM;
		nd_finding_summary(f, "multicast snooping is on and this bridge is no querier: if "
				   "the segment's querier goes away, memberships time out and IPv6 "
				   "neighbour discovery can stall");
	}
	for (unsigned i = 0; i < b->nports; i++) {
		const struct nd_link_info *p = &b->ports[i];

		err = carrier_findings(p, out);
		if (err)
			return err;
		if (p->up && p->carrier && p->port_state != ND_PORT_FORWARDING) {
			err = port_state_finding(b, p, out);
			if (err)
				return err;
		}
		if (p->mtu < want) {
			f = nd_findings_add_link(out, "mtu.mismatch", ND_SEV_ERROR, p->name);
			if (!f)
				return -ENOMEM;
			nd_finding_set_int(f, "mtu", p->mtu);
			nd_finding_set_int(f, "bridge_mtu", b->link.mtu);
			nd_finding_set_int(f, "want_mtu", want);
			nd_finding_set_str(f, "bridge", b->link.name);
			nd_finding_summary(f, "MTU %u on %s, %u on the rest of bridge %s: larger frames "
					   "are dropped where the path narrows", p->mtu, p->name, want,
					   b->link.name);
		}
	}
	return 0;
}

static int rp_findings(const struct nd_link_info *l, struct nd_findings *out)
{
	struct nd_finding *f;

	if (l->rp_filter != 1)
		return 0;
	f = nd_findings_add_link(out, "rpfilter.strict", ND_SEV_WARNING, l->name);
	if (!f)
		return -ENOMEM;
	nd_finding_set_int(f, "rp_filter", l->rp_filter);
	nd_finding_summary(f, "strict reverse-path filtering on %s drops guest packets that "
			   "arrive where their source is not routed (routed or asymmetric guests)",
			   l->name);
	return 0;
}

static int tap_findings(const struct nd_host_report *r, const struct nd_link_info *t,
			const struct nd_host_opts *o, struct nd_findings *out)
{
	const struct nd_bridge_info *b = r->nbridges ? &r->bridges[0] : NULL;
	struct nd_finding *f;

	if (!b || t->master == b->link.ifindex)
		return 0;
	f = nd_findings_add_link(out, "bridge.tap-not-enslaved", ND_SEV_ERROR, t->name);
	if (!f)
		return -ENOMEM;
	nd_finding_set_str(f, "bridge", b->link.name);
	nd_finding_summary(f, "%s is not a port of %s: the guest behind it is cut off", t->name,
			   b->link.name);
	(void)o;
	return carrier_findings(t, out);
}

/* TX checksum offload on a guest-facing device: harmless with virtio-net
 * guests that honour the vnet header, the cause when one does not. */
static int offload_findings(const struct nd_host_report *r, struct nd_findings *out)
{
	static const char *const tx_csum[] = { "tx-checksum-ip-generic", "tx-checksum-ipv4",
					       "tx-checksum-ipv6" };
	struct nd_ethtool *e;
	int ret = 0;

	if (nd_ethtool_open(&e))
		return 0;
	for (unsigned i = 0; i < r->ntaps + (r->nbridges ? 1 : 0) && !ret; i++) {
		const char *dev = i < r->ntaps ? r->taps[i].name : r->bridges[0].link.name;
		char on[ND_FIELD_STR_MAX] = "";
		struct nd_features fs;
		struct nd_finding *f;

		if (nd_offload_get(e, dev, &fs))
			continue;
		for (size_t k = 0; k < sizeof(tx_csum) / sizeof(tx_csum[0]); k++) {
			const struct nd_feature *ft = nd_feature_find(&fs, tx_csum[k]);
			size_t used = strlen(on);

			if (ft && ft->active)
				snprintf(on + used, sizeof(on) - used, "%s%s", used ? "," : "", tx_csum[k]);
		}
		if (!on[0])
			continue;
		f = nd_findings_add_link(out, "offload.tx-csum-on", ND_SEV_INFO, dev);
		if (!f) {
			ret = -ENOMEM;
			break;
		}
		nd_finding_set_str(f, "features", on);
		nd_finding_summary(f, "TX checksum offload is on (%s): packets leave with only the "
				   "pseudo-header sum for the receiver to finish", on);
	}
	nd_ethtool_close(e);
	return ret;
}

int nd_host_findings(const struct nd_host_opts *o, struct nd_host_report *r,
		     struct nd_findings *out)
{
	int ret = 0;

	for (unsigned i = 0; !ret && i < r->nbridges; i++) {
		ret = bridge_findings(&r->bridges[i], out);
		if (!ret)
			ret = rp_findings(&r->bridges[i].link, out);
		for (unsigned k = 0; !ret && k < r->bridges[i].nports; k++)
			ret = rp_findings(&r->bridges[i].ports[k], out);
	}
	for (unsigned i = 0; !ret && i < r->ntaps; i++)
		ret = tap_findings(r, &r->taps[i], o, out);
	for (unsigned i = 0; !ret && i < r->nbridges; i++)
		ret = nd_firewall_findings(r, &r->bridges[i], out);
	if (!ret)
		ret = offload_findings(r, out);
	return ret;
}

/* The probe guest's side of a verdict: its report lines
 * ("NDPROBE 1 KIND key=value ...", written by vmm/guest/init) parsed into
 * a struct, turned into findings and JSON. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm_internal.h"

#define PROBE_TAG "NDPROBE 1 "
#ifndef ND_GUEST_DIR
#define ND_GUEST_DIR "/usr/local/lib/netdiag/guest"
#endif

/* The value of key in "k=v k=v" text, into out; false when absent. */
static bool kv(const char *text, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);

	for (const char *p = text; (p = strstr(p, key)); p += klen) {
		if ((p != text && p[-1] != ' ') || p[klen] != '=')
			continue;
		p += klen + 1;
		snprintf(out, len, "%.*s", (int)strcspn(p, " "), p);
		return true;
	}
	return false;
}

static double kv_num(const char *text, const char *key)
{
	char v[32];

	return kv(text, key, v, sizeof(v)) ? strtod(v, NULL) : 0;
}

static uint64_t kv_u64(const char *text, const char *key)
{
	char v[32];

	return kv(text, key, v, sizeof(v)) ? strtoull(v, NULL, 10) : 0;
}

static struct nd_vm_probe_nic *nic_for(struct nd_vm_probe_report *p, const char *iface)
{
	for (unsigned i = 0; i < p->nnics; i++)
		if (!strcmp(p->nics[i].iface, iface))
			return &p->nics[i];
	if (p->nnics == ND_VM_PROBE_NICS_MAX)
		return NULL;
	struct nd_vm_probe_nic *n = &p->nics[p->nnics++];

	memset(n, 0, sizeof(*n));
	snprintf(n->iface, sizeof(n->iface), "%s", iface);
	return n;
}

int nd_vm_probe_feed(struct nd_vm_probe_report *p, const char *line)
{
	const char *tag = strstr(line, PROBE_TAG), *rest;
	char kind[16], iface[IF_NAMESIZE] = "";
	struct nd_vm_probe_nic *n;
	size_t klen;

	if (!tag)
		return 0;
	tag += strlen(PROBE_TAG);
	klen = strcspn(tag, " ");
	snprintf(kind, sizeof(kind), "%.*s", (int)klen, tag);
	rest = tag + klen;
	kv(rest, "iface", iface, sizeof(iface));

	if (!strcmp(kind, "start")) {
		p->started = true;
		kv(rest, "kernel", p->kernel, sizeof(p->kernel));
	} else if (!strcmp(kind, "nic") && (n = nic_for(p, iface))) {
		kv(rest, "mac", n->mac, sizeof(n->mac));
		n->mtu = (unsigned)kv_num(rest, "mtu");
	} else if ((!strcmp(kind, "lease") || !strcmp(kind, "nolease")) && (n = nic_for(p, iface))) {
		n->tried = true;
		n->leased = kind[0] == 'l';
		n->ms = kv_num(rest, "ms");
		if (n->leased) {
			kv(rest, "ip", n->ip, sizeof(n->ip));
			kv(rest, "mask", n->mask, sizeof(n->mask));
			kv(rest, "router", n->router, sizeof(n->router));
			kv(rest, "dns", n->dns, sizeof(n->dns));
			kv(rest, "server", n->server, sizeof(n->server));
			n->lease_s = (long)kv_num(rest, "lease_s");
		}
	} else if (!strcmp(kind, "dns") && p->ndns < ND_VM_PROBE_DNS_MAX) {
		struct nd_vm_probe_dns *d = &p->dns[p->ndns++];

		memset(d, 0, sizeof(*d));
		snprintf(d->iface, sizeof(d->iface), "%s", iface);
		kv(rest, "server", d->server, sizeof(d->server));
		kv(rest, "name", d->name, sizeof(d->name));
		kv(rest, "addr", d->addr, sizeof(d->addr));
		d->ok = d->addr[0] && strcmp(d->addr, "none");
		d->ms = kv_num(rest, "ms");
	} else if (!strcmp(kind, "snmp")) {
		p->snmp = true;
		p->udp_in_errors = kv_u64(rest, "udp_in_errors");
		p->udp_in_csum_errors = kv_u64(rest, "udp_in_csum_errors");
		p->udp6_in_errors = kv_u64(rest, "udp6_in_errors");
		p->udp6_in_csum_errors = kv_u64(rest, "udp6_in_csum_errors");
	} else if (!strcmp(kind, "done")) {
		p->done = true;
		p->done_ms = kv_num(rest, "uptime_ms");
	}
	return 1;
}

void nd_vm_probe_findings(const struct nd_vm_probe_report *p, const char *vm, struct nd_findings *out)
{
	struct nd_finding *f;

	if (!p->done) {
		f = nd_findings_add(out, "guest.no-report", ND_SEV_ERROR);
		if (f) {
			nd_finding_subject(f, "vm %s", vm);
			nd_finding_summary(f, "the probe guest %s did not finish its report (%s)",
					   vm, p->started ? "it started" : "it never started");
			nd_finding_set_str(f, "vm", vm);
			nd_finding_set_int(f, "started", p->started);
		}
	}
	for (unsigned i = 0; i < p->nnics; i++) {
		const struct nd_vm_probe_nic *n = &p->nics[i];

		if (!n->tried || n->leased)
			continue;
		f = nd_findings_add(out, "guest.no-lease", ND_SEV_ERROR);
		if (!f)
			return;
		snprintf(f->ifname, sizeof(f->ifname), "%s", n->iface);
		nd_finding_subject(f, "vm %s %s %s", vm, n->iface, n->mac);
		nd_finding_summary(f, "guest %s got no DHCP lease on %s within %.1f s", vm,
				   n->iface, n->ms / 1000);
		nd_finding_set_str(f, "vm", vm);
		nd_finding_set_str(f, "mac", n->mac);
		nd_finding_set_double(f, "seconds", n->ms / 1000);
	}
	for (unsigned i = 0; i < p->ndns; i++) {
		const struct nd_vm_probe_dns *d = &p->dns[i];

		if (d->ok)
			continue;
		f = nd_findings_add(out, "guest.dns-failed", ND_SEV_ERROR);
		if (!f)
			return;
		snprintf(f->ifname, sizeof(f->ifname), "%s", d->iface);
		nd_finding_subject(f, "vm %s %s -> %s", vm, d->name, d->server);
		nd_finding_summary(f, "guest %s could not resolve %s through %s", vm, d->name,
				   d->server);
		nd_finding_set_str(f, "vm", vm);
		nd_finding_set_str(f, "name", d->name);
		nd_finding_set_str(f, "server", d->server);
	}
	uint64_t csum = p->udp_in_csum_errors + p->udp6_in_csum_errors;

	if (p->snmp && csum) {
		f = nd_findings_add(out, "guest.udp-csum-errors", ND_SEV_ERROR);
		if (!f)
			return;
		f->count = csum;
		nd_finding_subject(f, "vm %s", vm);
		nd_finding_summary(f, "guest %s's kernel dropped %llu UDP datagrams for bad checksums",
				   vm, (unsigned long long)csum);
		nd_finding_set_str(f, "vm", vm);
		nd_finding_set_int(f, "udp_in_csum_errors", (int64_t)p->udp_in_csum_errors);
		nd_finding_set_int(f, "udp6_in_csum_errors", (int64_t)p->udp6_in_csum_errors);
	}
}

static bool guest_in(const char *dir, char *kernel, size_t klen, char *initrd, size_t ilen)
{
	snprintf(kernel, klen, "%s/vmlinuz", dir);
	snprintf(initrd, ilen, "%s/probe.cpio.gz", dir);
	return access(kernel, R_OK) == 0 && access(initrd, R_OK) == 0;
}

int nd_vm_probe_guest_files(char *kernel, size_t klen, char *initrd, size_t ilen,
			    char *err, size_t errlen)
{
	const char *env = getenv("NETDIAG_GUEST_DIR");
	char exe[PATH_MAX], dir[PATH_MAX + 8];
	ssize_t n;

	if (env && env[0]) {
		if (guest_in(env, kernel, klen, initrd, ilen))
			return 0;
		snprintf(err, errlen, "%s: no probe guest (vmlinuz, probe.cpio.gz) here", env);
		return -ENOENT;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		snprintf(dir, sizeof(dir), "%s/guest", dirname(exe));
		if (guest_in(dir, kernel, klen, initrd, ilen))
			return 0;
	}
	if (guest_in(ND_GUEST_DIR, kernel, klen, initrd, ilen))
		return 0;
	snprintf(err, errlen, "probe guest: not built (run 'make guest', or set NETDIAG_GUEST_DIR)");
	return -ENOENT;
}

bool nd_vm_probe_name_valid(const char *name)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "0123456789-_.";
	size_t n = name ? strlen(name) : 0;

	return n && n <= 253 && strspn(name, ok) == n;
}

/* "a,b,c": each a valid name, no empty one */
static bool resolve_list_valid(const char *list)
{
	char buf[1024], *save = NULL;
	size_t n = strlen(list);

	if (n >= sizeof(buf) || !n || list[0] == ',' || list[n - 1] == ',' || strstr(list, ",,"))
		return false;
	memcpy(buf, list, n + 1);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!nd_vm_probe_name_valid(t))
			return false;
	return true;
}

int nd_vm_probe_config(struct nd_vm_config *c, struct nd_vm_probe_files *b, const char *resolve,
		       bool hold, char *err, size_t errlen)
{
	int rc;

	/* checked before anything is looked up or booted */
	if (resolve && resolve[0] && !resolve_list_valid(resolve)) {
		snprintf(err, errlen, "%s: not a host name (letters, digits, '-', '_', '.')",
			 resolve);
		return -EINVAL;
	}
	rc = nd_vm_probe_guest_files(b->kernel, sizeof(b->kernel), b->initrd, sizeof(b->initrd),
				     err, errlen);
	if (rc)
		return rc;
	snprintf(b->append, sizeof(b->append), "console=ttyS0 quiet panic=-1 netdiag.resolve=%s%s%s%s",
		 resolve && resolve[0] ? resolve : "example.com", hold ? " netdiag.hold=1" : "",
		 c->append ? " " : "", c->append ? c->append : "");
	c->kernel = b->kernel;
	c->initrd = b->initrd;
	c->append = b->append;
	return 0;
}

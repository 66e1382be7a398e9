/* The QEMU command line, built as an argv (never a shell string): q35,
 * the chosen accelerator, the serial console on QEMU's stdio (the
 * supervisor's socket), QMP on a unix socket, the tap fd handed to a
 * virtio-net device, pvpanic so a guest panic is an event, -no-reboot so
 * a reboot ends the run with its reason. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm_internal.h"

#define QEMU_DEFAULT "qemu-system-x86_64"
#define OVMF_CODE "/usr/share/OVMF/OVMF_CODE.fd"

/* virtio-net properties that turn every offload off (csum=off alone
 * leaves the dependent TSO/UFO features to fail negotiation). */
static const char *const nic_offloads_off[] = {
	"csum=off", "guest_csum=off", "gso=off", "guest_tso4=off", "guest_tso6=off",
	"guest_ecn=off", "guest_ufo=off", "host_tso4=off", "host_tso6=off",
	"host_ecn=off", "host_ufo=off",
};

static int push(struct vm_argv *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 32;
		char **v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return -ENOMEM;
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
	return 0;
}

/* A value inside a QEMU option string ("file=VALUE,if=virtio"): QEMU's
 * option parser reads ",," as a literal comma, so each comma is doubled and
 * a path such as "/tmp/d,snapshot=on" stays one file name.  Owned by the
 * caller (free). */
static char *opt_escape(const char *value)
{
	size_t n = strlen(value), commas = 0;
	char *out, *o;

	for (const char *p = value; *p; p++)
		commas += *p == ',';
	out = malloc(n + commas + 1);
	if (!out)
		return NULL;
	o = out;
	for (const char *p = value; *p; p++) {
		*o++ = *p;
		if (*p == ',')
			*o++ = ',';
	}
	*o = 0;
	return out;
}

void vm_argv_free(struct vm_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

int vm_qemu_find(const char *want, char *path, size_t len)
{
	const char *name = want ? want : getenv("NETDIAG_QEMU");
	const char *p = getenv("PATH");
	char dirs[1024], *save = NULL;

	if (!name || !name[0])
		name = QEMU_DEFAULT;
	if (strchr(name, '/')) {
		snprintf(path, len, "%s", name);
		return access(path, X_OK) == 0 ? 0 : -ENOENT;
	}
	snprintf(dirs, sizeof(dirs), "%s", p && p[0] ? p : "/usr/local/bin:/usr/bin:/bin");
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(path, len, "%s/%s", d, name);
		if (access(path, X_OK) == 0)
			return 0;
	}
	snprintf(path, len, "%s", name);
	return -ENOENT;
}

/* qcow2 images start with "QFI\xfb"; anything else is taken as raw. */
static const char *disk_format(const char *file)
{
	unsigned char magic[4];
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, magic, sizeof(magic)) : -1;

	if (fd >= 0)
		close(fd);
	return n == 4 && !memcmp(magic, "QFI\xfb", 4) ? "qcow2" : "raw";
}

static int build_argv(const struct nd_vm_config *c, const char *qemu, const char *accel,
		      const char *mac, int tap_fd, const char *qmp_path,
		      const struct vm_qemu_fds *fds, struct vm_argv *a)
{
	char *qmp = opt_escape(qmp_path ? qmp_path : "");
	char *disk = c->disk ? opt_escape(c->disk) : NULL;
	char *cdrom = c->cdrom ? opt_escape(c->cdrom) : NULL;
	char nic[512];
	int rc = 0;

	memset(a, 0, sizeof(*a));
	if (!qmp || (c->disk && !disk) || (c->cdrom && !cdrom))
		rc = -ENOMEM;
	rc |= push(a, "%s", qemu);
	rc |= push(a, "-name");
	rc |= push(a, "%s,process=netdiag-vm-%s", c->name, c->name);
	rc |= push(a, "-machine");
	rc |= push(a, "q35");
	rc |= push(a, "-accel");
	rc |= push(a, "%s", accel);
	if (!strcmp(accel, "kvm")) {
		rc |= push(a, "-cpu");
		rc |= push(a, "host");
	}
	rc |= push(a, "-smp");
	rc |= push(a, "%u", c->cpus ? c->cpus : 1);
	rc |= push(a, "-m");
	rc |= push(a, "%u", c->mem_mb ? c->mem_mb : 256);
	rc |= push(a, "-nodefaults");
	rc |= push(a, "-no-user-config");
	rc |= push(a, "-display");
	rc |= push(a, "none");
	rc |= push(a, "-no-reboot");
	/* the console is QEMU's stdio, a socket the supervisor holds;
	 * signal=off: ^C typed into the console goes to the guest */
	rc |= push(a, "-chardev");
	rc |= push(a, "stdio,id=con0,signal=off");
	rc |= push(a, "-serial");
	rc |= push(a, "chardev:con0");
	if (fds) {
		rc |= push(a, "-chardev");
		rc |= push(a, "socket,id=qmp0,fd=%d,server=on,wait=off", fds->qmp);
		rc |= push(a, "-mon");
		rc |= push(a, "chardev=qmp0,mode=control");
		/* seccomp: QEMU may not exec, change ids, or use old syscalls */
		rc |= push(a, "-sandbox");
		rc |= push(a, "on,obsolete=deny,elevateprivileges=deny,spawn=deny,"
			      "resourcecontrol=deny");
	} else {
		rc |= push(a, "-qmp");
		rc |= qmp ? push(a, "unix:%s,server=on,wait=off", qmp) : -ENOMEM;
	}
	rc |= push(a, "-device");
	rc |= push(a, "pvpanic");
	/* QEMU reads IFF_VNET_HDR from the fd; vnet_hdr= must not be given */
	rc |= push(a, "-netdev");
	rc |= push(a, "tap,id=n0,fd=%d", tap_fd);
	snprintf(nic, sizeof(nic), "virtio-net-pci,netdev=n0,mac=%s", mac);
	if (c->nic_offloads_off)
		for (size_t i = 0; i < sizeof(nic_offloads_off) / sizeof(nic_offloads_off[0]); i++) {
			strncat(nic, ",", sizeof(nic) - strlen(nic) - 1);
			strncat(nic, nic_offloads_off[i], sizeof(nic) - strlen(nic) - 1);
		}
	rc |= push(a, "-device");
	rc |= push(a, "%s", nic);
	if (c->uefi) {
		rc |= push(a, "-drive");
		rc |= push(a, "if=pflash,format=raw,readonly=on,file=%s", OVMF_CODE);
	}
	if (c->kernel) {
		rc |= push(a, "-kernel");
		rc |= fds ? push(a, "/proc/self/fd/%d", fds->kernel) : push(a, "%s", c->kernel);
		if (c->initrd) {
			rc |= push(a, "-initrd");
			rc |= fds ? push(a, "/proc/self/fd/%d", fds->initrd)
				  : push(a, "%s", c->initrd);
		}
		rc |= push(a, "-append");
		rc |= push(a, "%s", c->append ? c->append : "console=ttyS0");
	}
	if (c->disk && fds) {
		/* QEMU picks the fd whose access mode matches each open */
		rc |= push(a, "-add-fd");
		rc |= push(a, "fd=%d,set=1", fds->disk_rw);
		rc |= push(a, "-add-fd");
		rc |= push(a, "fd=%d,set=1", fds->disk_ro);
		rc |= push(a, "-drive");
		rc |= push(a, "file=/dev/fdset/1,if=virtio,format=%s", disk_format(c->disk));
	} else if (c->disk) {
		rc |= push(a, "-drive");
		rc |= push(a, "file=%s,if=virtio,format=%s", disk, disk_format(c->disk));
	}
	if (c->cdrom) {
		if (fds) {
			rc |= push(a, "-add-fd");
			rc |= push(a, "fd=%d,set=2", fds->cdrom);
		}
		rc |= push(a, "-drive");
		rc |= push(a, "file=%s,media=cdrom,readonly=on", fds ? "/dev/fdset/2" : cdrom);
		rc |= push(a, "-boot");
		rc |= push(a, "order=dc");
	}
	free(qmp);
	free(disk);
	free(cdrom);
	if (rc) {
		vm_argv_free(a);
		return -ENOMEM;
	}
	return 0;
}

int vm_qemu_argv(const struct nd_vm_config *c, const char *qemu, const char *accel,
		 const char *mac, int tap_fd, const char *qmp_path, struct vm_argv *a)
{
	return build_argv(c, qemu, accel, mac, tap_fd, qmp_path, NULL, a);
}

int vm_qemu_argv_fds(const struct nd_vm_config *c, const char *qemu, const char *accel,
		     const char *mac, int tap_fd, const struct vm_qemu_fds *fds,
		     struct vm_argv *a)
{
	return build_argv(c, qemu, accel, mac, tap_fd, NULL, fds, a);
}

bool vm_uefi_available(void)
{
	return access(OVMF_CODE, R_OK) == 0;
}

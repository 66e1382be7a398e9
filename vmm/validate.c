/* What nd_vm_run checks before it changes anything, and the names and
 * exit statuses of the ways a guest ends. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <netdiag/bridge.h>

#include "vm_internal.h"

const char *nd_vm_end_name(enum nd_vm_end e)
{
	static const char *const names[] = {
		[ND_VM_END_NONE] = "running", [ND_VM_END_POWERED_OFF] = "powered-off",
		[ND_VM_END_RESET] = "reset", [ND_VM_END_HALTED] = "halted",
		[ND_VM_END_TRIPLE_FAULT] = "triple-fault", [ND_VM_END_PANIC] = "panic",
		[ND_VM_END_KILLED] = "killed", [ND_VM_END_QEMU_DIED] = "qemu-died",
	};

	return (unsigned)e < sizeof(names) / sizeof(names[0]) ? names[e] : "unknown";
}

int nd_vm_end_status(enum nd_vm_end e)
{
	return e == ND_VM_END_POWERED_OFF || e == ND_VM_END_RESET || e == ND_VM_END_HALTED ? 0 : 1;
}

int nd_vm_validate(const struct nd_vm_config *c, char *err, size_t errlen)
{
	uint8_t mac[6];
	char tap[IF_NAMESIZE], qemu[512];

	if (!nd_vm_name_valid(c->name)) {
		snprintf(err, errlen, "%s: not a valid VM name (letters, digits, '_', '-', '.', at most %d)",
			 c->name ? c->name : "(none)", ND_VM_NAME_MAX);
		return -EINVAL;
	}
	if (vm_state_running(c->name)) {
		snprintf(err, errlen, "%s: a VM of this name is already running", c->name);
		return -EBUSY;
	}
	if (!c->bridge) {
		snprintf(err, errlen, "%s: --bridge is required", c->name);
		return -EINVAL;
	}
	if (if_nametoindex(c->bridge) == 0 || !nd_is_bridge(c->bridge)) {
		snprintf(err, errlen, "%s: %s", c->bridge,
			 if_nametoindex(c->bridge) ? "not a bridge" : "no such bridge");
		return -ENODEV;
	}
	if (c->mac && nd_vm_mac_parse(c->mac, mac) < 0) {
		snprintf(err, errlen, "%s: not a unicast MAC address (aa:bb:cc:dd:ee:ff)", c->mac);
		return -EINVAL;
	}
	if (c->tap && (strlen(c->tap) >= IF_NAMESIZE || !c->tap[0])) {
		snprintf(err, errlen, "%s: not a valid interface name", c->tap);
		return -EINVAL;
	}
	nd_vm_tap_name(c->name, tap);
	if (!c->tap && if_nametoindex(tap)) {
		snprintf(err, errlen, "%s: interface exists already (another VM of a similar name?)", tap);
		return -EEXIST;
	}
	if (!c->kernel == !c->disk) {
		snprintf(err, errlen, "%s: give --kernel or --disk (one of them)", c->name);
		return -EINVAL;
	}
	const char *files[] = { c->kernel, c->initrd, c->disk, c->cdrom };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (files[i] && access(files[i], R_OK) < 0) {
			int e = errno;

			snprintf(err, errlen, "%s: %s", files[i], strerror(e));
			return -e;
		}
	}
	if ((c->initrd || c->append) && !c->kernel) {
		snprintf(err, errlen, "%s: --initrd and --append need --kernel", c->name);
		return -EINVAL;
	}
	if (c->uefi && !vm_uefi_available()) {
		snprintf(err, errlen, "%s: UEFI firmware not found (install the ovmf package)", c->name);
		return -ENOENT;
	}
	if (c->cpus > 64 || (c->mem_mb && c->mem_mb < 64)) {
		snprintf(err, errlen, "%s: %s", c->name,
			 c->cpus > 64 ? "at most 64 CPUs" : "at least 64 MiB of memory");
		return -EINVAL;
	}
	if (vm_qemu_find(c->qemu, qemu, sizeof(qemu)) < 0) {
		snprintf(err, errlen, "%s: QEMU not found (install qemu-system-x86)", qemu);
		return -ENOENT;
	}
	return 0;
}

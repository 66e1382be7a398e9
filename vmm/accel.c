/* Choosing the accelerator: KVM where /dev/kvm is really usable, TCG
 * otherwise.  "Usable" is tested, not assumed: a /dev/kvm that opens but
 * never runs a vCPU (seen under some nested hypervisors) would hang the
 * guest, so a child process runs one vCPU to a HLT and must report back
 * within a second. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "vm_internal.h"

#define KVM_PROBE_MS 1000
#define GUEST_CODE 0x1000        /* guest-physical address of the HLT */

/* In the child: 0 when the vCPU reached the HLT. */
static int kvm_run_hlt(int kvm)
{
	struct kvm_userspace_memory_region region = { 0 };
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	struct kvm_run *run;
	uint8_t *mem;
	int vm, vcpu, size;

	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return 1;
	mem = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 1;
	mem[0] = 0xf4;                  /* hlt */
	region.guest_phys_addr = GUEST_CODE;
	region.memory_size = 0x1000;
	region.userspace_addr = (uint64_t)(uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return 1;
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu < 0 || size <= 0)
		return 1;
	run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED || ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return 1;
	/* real mode, flat code segment at 0 */
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	regs.rip = GUEST_CODE;
	regs.rflags = 0x2;              /* bit 1 is reserved, always set */
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0 || ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return 1;
	if (ioctl(vcpu, KVM_RUN, 0) < 0)
		return 1;
	return run->exit_reason == KVM_EXIT_HLT ? 0 : 1;
}

static int kvm_usable(char *why, size_t whylen)
{
	int kvm, status;
	pid_t pid;
	double deadline;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		snprintf(why, whylen, "/dev/kvm: %s", strerror(errno));
		return 0;
	}
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		snprintf(why, whylen, "/dev/kvm: unexpected API version");
		close(kvm);
		return 0;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		close(kvm);
		return 0;
	}
	if (pid == 0)
		_exit(kvm_run_hlt(kvm));
	close(kvm);
	deadline = nd_mono_ms() + KVM_PROBE_MS;
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (nd_mono_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(why, whylen, "/dev/kvm: a test vCPU did not run within %d ms",
				 KVM_PROBE_MS);
			return 0;
		}
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(why, whylen, "/dev/kvm: a test vCPU failed to run");
		return 0;
	}
	return 1;
}

enum nd_vm_accel nd_vm_accel_pick(enum nd_vm_accel want, char *why, size_t whylen)
{
	why[0] = 0;
	if (want == ND_VM_ACCEL_TCG)
		return ND_VM_ACCEL_TCG;
	if (want == ND_VM_ACCEL_KVM)
		return ND_VM_ACCEL_KVM;  /* the user asked; QEMU will say if it fails */
	return kvm_usable(why, whylen) ? ND_VM_ACCEL_KVM : ND_VM_ACCEL_TCG;
}

/* The launcher's pure parts: names, MACs, the QEMU argv,
 * the probe guest's report and the findings made from it. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <netdiag/vm.h>

#include "vm_internal.h"

static void test_names(void **state)
{
	char tap[IF_NAMESIZE];

	assert_true(nd_vm_name_valid("web-1.test_a"));
	assert_true(nd_vm_name_valid("01234567890123456789012345678901")); /* 32 */
	assert_false(nd_vm_name_valid("012345678901234567890123456789012")); /* 33 */
	assert_false(nd_vm_name_valid(""));
	assert_false(nd_vm_name_valid(NULL));
	assert_false(nd_vm_name_valid("-x"));
	assert_false(nd_vm_name_valid(".x"));
	assert_false(nd_vm_name_valid("a/b"));
	assert_false(nd_vm_name_valid("a b"));
	assert_false(nd_vm_name_valid("a;b"));
	nd_vm_tap_name("t1", tap);
	assert_string_equal(tap, "ndvm-t1");
	nd_vm_tap_name("averyveryverylongname", tap);
	assert_string_equal(tap, "ndvm-averyveryv");   /* cut to 15 characters */
}

static void test_mac_from_name(void **state)
{
	char a[18], b[18], c[18];
	uint8_t m[6];

	nd_vm_mac_from_name("t1", a);
	nd_vm_mac_from_name("t1", b);
	nd_vm_mac_from_name("t2", c);
	assert_string_equal(a, b);              /* stable */
	assert_string_not_equal(a, c);          /* distinct per name */
	assert_int_equal(nd_vm_mac_parse(a, m), 0);
	assert_int_equal(m[0] & 0x03, 0x02);    /* locally administered unicast */
	/* FNV-1a of "t1" is fixed: the MAC must never change between releases */
	assert_string_equal(a, "fe:07:b5:6a:5e:16");
}

static void test_mac_parse(void **state)
{
	uint8_t m[6];

	assert_int_equal(nd_vm_mac_parse("52:54:00:12:34:56", m), 0);
	assert_int_equal(m[0], 0x52);
	assert_int_equal(m[5], 0x56);
	assert_int_equal(nd_vm_mac_parse("52:54:00:12:34", m), -EINVAL);
	assert_int_equal(nd_vm_mac_parse("52:54:00:12:34:56:78", m), -EINVAL);
	assert_int_equal(nd_vm_mac_parse("52-54-00-12-34-56", m), -EINVAL);
	assert_int_equal(nd_vm_mac_parse("01:00:5e:00:00:01", m), -EINVAL); /* multicast */
	assert_int_equal(nd_vm_mac_parse("00:00:00:00:00:00", m), -EINVAL);
	assert_int_equal(nd_vm_mac_parse("zz:54:00:12:34:56", m), -EINVAL);
}

static bool has_arg(const struct vm_argv *a, const char *want)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i], want))
			return true;
	return false;
}

static const char *after(const struct vm_argv *a, const char *opt)
{
	for (size_t i = 0; i + 1 < a->n; i++)
		if (!strcmp(a->v[i], opt))
			return a->v[i + 1];
	return NULL;
}

static void test_qemu_argv(void **state)
{
	struct nd_vm_config c = { .name = "t1", .bridge = "br0", .kernel = "/k", .initrd = "/i",
				  .cpus = 2, .mem_mb = 512 };
	struct vm_argv a;

	assert_int_equal(vm_qemu_argv(&c, "/usr/bin/qemu-system-x86_64", "tcg",
				      "fe:07:b5:6a:5e:16", 3, "/run/q.sock", &a), 0);
	assert_string_equal(a.v[0], "/usr/bin/qemu-system-x86_64");
	assert_null(a.v[a.n]);
	assert_string_equal(after(&a, "-accel"), "tcg");
	assert_false(has_arg(&a, "-cpu"));      /* "host" only with KVM */
	assert_string_equal(after(&a, "-smp"), "2");
	assert_string_equal(after(&a, "-m"), "512");
	/* the fd carries IFF_VNET_HDR; QEMU refuses vnet_hdr= beside fd= */
	assert_string_equal(after(&a, "-netdev"), "tap,id=n0,fd=3");
	assert_string_equal(after(&a, "-device"), "pvpanic");
	assert_true(has_arg(&a, "virtio-net-pci,netdev=n0,mac=fe:07:b5:6a:5e:16"));
	assert_true(has_arg(&a, "-no-reboot"));
	assert_string_equal(after(&a, "-qmp"), "unix:/run/q.sock,server=on,wait=off");
	assert_string_equal(after(&a, "-append"), "console=ttyS0");
	assert_string_equal(after(&a, "-initrd"), "/i");
	vm_argv_free(&a);

	c.nic_offloads_off = true;
	c.append = "console=ttyS0 quiet";
	assert_int_equal(vm_qemu_argv(&c, "q", "kvm", "02:00:00:00:00:01", 3, "/q", &a), 0);
	assert_string_equal(after(&a, "-cpu"), "host");
	assert_string_equal(after(&a, "-append"), "console=ttyS0 quiet");
	assert_true(has_arg(&a, "virtio-net-pci,netdev=n0,mac=02:00:00:00:00:01,csum=off,"
			       "guest_csum=off,gso=off,guest_tso4=off,guest_tso6=off,guest_ecn=off,"
			       "guest_ufo=off,host_tso4=off,host_tso6=off,host_ecn=off,host_ufo=off"));
	vm_argv_free(&a);
}

/* issue 15: a file name is one option value, never two; the unprivileged
 * QEMU gets fds and seccomp */
static void test_qemu_argv_hostile(void **state)
{
	struct nd_vm_config c = { .name = "t1", .bridge = "br0", .disk = "/tmp/d,snapshot=on",
				  .cdrom = "/tmp/c,if=none" };
	const struct vm_qemu_fds fds = { 4, 5, 6, 7, 8, 9 };
	struct vm_argv a;

	assert_int_equal(vm_qemu_argv(&c, "q", "tcg", "02:00:00:00:00:01", 3, "/run/a,b", &a), 0);
	assert_true(has_arg(&a, "file=/tmp/d,,snapshot=on,if=virtio,format=raw"));
	assert_true(has_arg(&a, "file=/tmp/c,,if=none,media=cdrom,readonly=on"));
	assert_string_equal(after(&a, "-qmp"), "unix:/run/a,,b,server=on,wait=off");
	vm_argv_free(&a);

	assert_int_equal(vm_qemu_argv_fds(&c, "q", "tcg", "02:00:00:00:00:01", 3, &fds, &a), 0);
	assert_false(has_arg(&a, "-qmp"));
	assert_string_equal(after(&a, "-chardev"), "stdio,id=con0,signal=off");
	assert_true(has_arg(&a, "socket,id=qmp0,fd=4,server=on,wait=off"));
	assert_string_equal(after(&a, "-sandbox"),
			    "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
	assert_true(has_arg(&a, "fd=7,set=1"));
	assert_true(has_arg(&a, "fd=8,set=1"));
	assert_true(has_arg(&a, "fd=9,set=2"));
	assert_true(has_arg(&a, "file=/dev/fdset/1,if=virtio,format=raw"));
	assert_true(has_arg(&a, "file=/dev/fdset/2,media=cdrom,readonly=on"));
	for (size_t i = 0; i < a.n; i++)
		assert_null(strstr(a.v[i], "snapshot"));
	vm_argv_free(&a);

	c.disk = c.cdrom = NULL;
	c.kernel = "/k";
	c.initrd = "/i";
	assert_int_equal(vm_qemu_argv_fds(&c, "q", "tcg", "02:00:00:00:00:01", 3, &fds, &a), 0);
	assert_string_equal(after(&a, "-kernel"), "/proc/self/fd/5");
	assert_string_equal(after(&a, "-initrd"), "/proc/self/fd/6");
	vm_argv_free(&a);

	assert_true(nd_vm_probe_name_valid("probe.test"));
	assert_false(nd_vm_probe_name_valid("a init=/bin/sh"));
	assert_false(nd_vm_probe_name_valid("a\tb"));
	assert_false(nd_vm_probe_name_valid("a,b"));
	assert_false(nd_vm_probe_name_valid(""));
}

static const char *const healthy_report[] = {
	"[    2.9] random kernel line",
	"NDPROBE 1 start kernel=6.1.0-56-cloud-amd64 uptime_ms=2870",
	"NDPROBE 1 nic iface=eth0 mac=fe:07:b5:6a:5e:16 mtu=1500",
	"NDPROBE 1 lease iface=eth0 ip=192.0.2.55 mask=24 router=192.0.2.1 dns=192.0.2.1,192.0.2.2 "
	"server=192.0.2.1 lease_s=3600 ms=250",
	"NDPROBE 1 dns iface=eth0 server=192.0.2.1 name=probe.test addr=192.0.2.99 ms=100",
	"NDPROBE 1 snmp udp_in_errors=0 udp_in_csum_errors=0 udp6_in_errors=0 udp6_in_csum_errors=0",
	"NDPROBE 1 done uptime_ms=3320",
};

static void test_probe_report(void **state)
{
	struct nd_vm_probe_report p = { 0 };
	struct nd_findings fs;
	int probe_lines = 0;

	for (size_t i = 0; i < sizeof(healthy_report) / sizeof(healthy_report[0]); i++)
		probe_lines += nd_vm_probe_feed(&p, healthy_report[i]);
	assert_int_equal(probe_lines, 6);
	assert_true(p.started && p.done && p.snmp);
	assert_string_equal(p.kernel, "6.1.0-56-cloud-amd64");
	assert_int_equal(p.nnics, 1);
	assert_true(p.nics[0].leased);
	assert_string_equal(p.nics[0].ip, "192.0.2.55");
	assert_string_equal(p.nics[0].dns, "192.0.2.1,192.0.2.2");
	assert_string_equal(p.nics[0].mac, "fe:07:b5:6a:5e:16");
	assert_int_equal(p.nics[0].lease_s, 3600);
	assert_int_equal(p.nics[0].mtu, 1500);
	assert_int_equal(p.ndns, 1);
	assert_true(p.dns[0].ok);
	assert_string_equal(p.dns[0].addr, "192.0.2.99");
	nd_findings_init(&fs);
	nd_vm_probe_findings(&p, "t1", &fs);
	assert_int_equal(fs.n, 0);
	nd_findings_free(&fs);
}

static void test_probe_faults(void **state)
{
	struct nd_vm_probe_report p = { 0 };
	struct nd_findings fs;
	const struct nd_finding *f;

	nd_vm_probe_feed(&p, "NDPROBE 1 start kernel=k uptime_ms=1");
	nd_vm_probe_feed(&p, "NDPROBE 1 nic iface=eth0 mac=02:00:00:00:00:01 mtu=1500");
	nd_vm_probe_feed(&p, "NDPROBE 1 nic iface=eth1 mac=02:00:00:00:00:02 mtu=1500");
	nd_vm_probe_feed(&p, "NDPROBE 1 nolease iface=eth1 ms=10500");
	nd_vm_probe_feed(&p, "NDPROBE 1 lease iface=eth0 ip=192.0.2.50 mask=24 router=none dns=192.0.2.1 "
			     "server=192.0.2.1 lease_s=60 ms=100");
	nd_vm_probe_feed(&p, "NDPROBE 1 dns iface=eth0 server=192.0.2.1 name=probe.test addr=none ms=5000");
	nd_vm_probe_feed(&p, "NDPROBE 1 snmp udp_in_errors=4 udp_in_csum_errors=4 udp6_in_errors=0 "
			     "udp6_in_csum_errors=1");
	nd_vm_probe_feed(&p, "NDPROBE 1 done uptime_ms=9000");
	nd_findings_init(&fs);
	nd_vm_probe_findings(&p, "t1", &fs);
	assert_int_equal(fs.n, 3);
	f = nd_findings_find(&fs, "guest.no-lease", "eth1");
	assert_non_null(f);
	assert_string_equal(nd_finding_field(f, "mac")->v.s, "02:00:00:00:00:02");
	assert_true(nd_finding_field(f, "seconds")->v.d > 10.4);
	assert_null(nd_findings_find(&fs, "guest.no-lease", "eth0"));
	f = nd_findings_find(&fs, "guest.dns-failed", NULL);
	assert_non_null(f);
	assert_string_equal(nd_finding_field(f, "name")->v.s, "probe.test");
	f = nd_findings_find(&fs, "guest.udp-csum-errors", NULL);
	assert_non_null(f);
	assert_int_equal(f->count, 5);
	assert_int_equal(nd_finding_field(f, "udp_in_csum_errors")->v.i, 4);
	assert_int_equal(nd_finding_field(f, "udp6_in_csum_errors")->v.i, 1);
	nd_findings_free(&fs);

	/* a guest that never reported */
	struct nd_vm_probe_report none = { 0 };

	nd_findings_init(&fs);
	nd_vm_probe_findings(&none, "t9", &fs);
	assert_int_equal(fs.n, 1);
	assert_string_equal(fs.v[0].id, "guest.no-report");
	nd_findings_free(&fs);
}

static void test_probe_bounds(void **state)
{
	struct nd_vm_probe_report p = { 0 };
	char line[128];

	/* more NICs and answers than the report holds: kept to the bounds */
	for (int i = 0; i < 10; i++) {
		snprintf(line, sizeof(line), "NDPROBE 1 nic iface=eth%d mac=02:00:00:00:00:%02d mtu=1500", i, i);
		nd_vm_probe_feed(&p, line);
		nd_vm_probe_feed(&p, "NDPROBE 1 dns iface=eth0 server=s name=n addr=a ms=1");
	}
	assert_int_equal(p.nnics, ND_VM_PROBE_NICS_MAX);
	assert_int_equal(p.ndns, ND_VM_PROBE_DNS_MAX);
	/* keys are whole words: "xip=" is not "ip=" */
	struct nd_vm_probe_report q = { 0 };

	nd_vm_probe_feed(&q, "NDPROBE 1 lease iface=eth0 xip=1 ip=192.0.2.7 ms=1");
	assert_string_equal(q.nics[0].ip, "192.0.2.7");
	/* other versions of the report are not ours */
	assert_int_equal(nd_vm_probe_feed(&q, "NDPROBE 2 done uptime_ms=1"), 0);
	assert_false(q.done);
}

static void test_end_reasons(void **state)
{
	assert_string_equal(nd_vm_end_name(ND_VM_END_POWERED_OFF), "powered-off");
	assert_string_equal(nd_vm_end_name(ND_VM_END_TRIPLE_FAULT), "triple-fault");
	assert_int_equal(nd_vm_end_status(ND_VM_END_POWERED_OFF), 0);
	assert_int_equal(nd_vm_end_status(ND_VM_END_RESET), 0);
	assert_int_equal(nd_vm_end_status(ND_VM_END_HALTED), 0);
	assert_int_equal(nd_vm_end_status(ND_VM_END_TRIPLE_FAULT), 1);
	assert_int_equal(nd_vm_end_status(ND_VM_END_PANIC), 1);
	assert_int_equal(nd_vm_end_status(ND_VM_END_KILLED), 1);
	assert_int_equal(nd_vm_end_status(ND_VM_END_QEMU_DIED), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_mac_from_name),
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_qemu_argv),
		cmocka_unit_test(test_qemu_argv_hostile),
		cmocka_unit_test(test_probe_report),
		cmocka_unit_test(test_probe_faults),
		cmocka_unit_test(test_probe_bounds),
		cmocka_unit_test(test_end_reasons),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

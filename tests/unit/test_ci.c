/* The CI spec reader (libnetdiag/ci/spec.c) and the libvirt domain XML
 * reader of the hook (libnetdiag/hook/ports.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <netdiag/ci.h>
#include <netdiag/hook.h>

static char spec_path[] = "/tmp/nd-ci-spec-XXXXXX";

static int load(const char *text, struct nd_ci_spec *s, char *err, size_t errlen)
{
	int fd = mkstemp(spec_path);
	int ret;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ret = nd_ci_spec_load(spec_path, s, err, errlen);
	unlink(spec_path);
	strcpy(spec_path, "/tmp/nd-ci-spec-XXXXXX");
	return ret;
}

/* err without the temporary file's name */
static const char *where(const char *err)
{
	const char *c = strstr(err, "XXXXXX") ? err : strchr(err, ':');

	return c ? c + 1 : err;
}

static void test_spec_every_kind(void **state)
{
	struct nd_ci_spec s;
	char err[256] = "";

	assert_int_equal(load("bridge: br0\n"
			      "expect:\n"
			      "  - bridge: { stp: off, forward_delay: 0, mtu: 1500, ports: [a, b] }\n"
			      "  - offload: { device: tap0, features: { tx: off, gro: on } }\n"
			      "  - lease:\n"
			      "      range: 192.0.2.50-192.0.2.60\n"
			      "      resolve: { probe.example: 192.0.2.99, other.example: 192.0.2.98 }\n"
			      "  - probe-guest: { resolve: [probe.example] }\n"
			      "  - name: r1\n"
			      "    routed: { name: g1, dev: tapr, address: 203.0.113.10/32 }\n"
			      "  - watch: { taps: [tap0, tap1], seconds: 2.5 }\n", &s, err, sizeof(err)),
			 0);
	assert_string_equal(s.bridge, "br0");
	assert_int_equal(s.n, 6);
	assert_int_equal(s.v[0].kind, ND_CI_BRIDGE);
	assert_int_equal(s.v[0].stp, 0);
	assert_int_equal(s.v[0].exists, -1);
	assert_int_equal(s.v[0].mtu, 1500);
	assert_int_equal(s.v[0].nports, 2);
	assert_int_equal(s.v[1].nfeatures, 2);
	assert_false(s.v[1].features[0].on);
	assert_true(s.v[1].features[1].on);
	assert_string_equal(s.v[1].name, "offload tap0");
	assert_int_equal(s.v[2].nresolve, 2);
	assert_string_equal(s.v[2].resolve[1].addr, "192.0.2.98");
	assert_true(s.v[2].within == 10);
	assert_true(s.v[3].within == 120);
	assert_string_equal(s.v[3].resolve[0].addr, "");
	assert_string_equal(s.v[4].name, "r1");
	assert_int_equal(s.v[4].line, 9);
	assert_string_equal(s.v[5].name, "watch tap0,...");
	assert_true(s.v[5].seconds == 2.5);
	nd_ci_spec_free(&s);
}

static void test_spec_errors(void **state)
{
	static const struct { const char *text, *err; } cases[] = {
		{ "bridge: br0\nexpect:\n  - bridge: { mtu: 1500\n",
		  "4:1: YAML syntax: did not find expected ',' or '}' while parsing a flow mapping" },
		{ "bridge: br0\nexpect:\n  - lease: { within: 5, colour: red }\n",
		  "3:25: unknown key 'colour' in lease (known: range, within, resolve)" },
		{ "bridge: br0\nexpect:\n  - bridge: { mtu: '1500' }\n",
		  "3:20: mtu wants a number, not '1500'" },
		{ "bridge: br0\nexpect:\n  - watch: { taps: tap0 }\n",
		  "3:20: taps wants a list of interface names" },
		{ "bridge: br0\nexpect:\n  - routed: { name: g, dev: t }\n",
		  "3:5: routed needs 'address'" },
		{ "bridge: br0\nexpect:\n  - lease: { range: 192.0.2.9-192.0.2.1 }\n",
		  "3:21: range wants FIRST-LAST IPv4 addresses, not '192.0.2.9-192.0.2.1'" },
		{ "bridge: br0\nexpect:\n  - lease:\n  - lease:\n",
		  "4:5: two expectations named 'lease' (give one a name:)" },
		{ "bridge: br0\nexpect: []\n", "1:1: the spec has no expectations ('expect')" },
		{ "bridge: br0\nbridges: x\nexpect: []\n", "2:1: unknown key 'bridges' (known: bridge, expect)" },
		{ "b: &a x\nc: *a\n", "2:4: aliases are not supported in a spec" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nd_ci_spec s;
		char err[256] = "";

		assert_int_equal(load(cases[i].text, &s, err, sizeof(err)), -EINVAL);
		assert_string_equal(where(err), cases[i].err);
	}
}

static void test_libvirt_xml(void **state)
{
	char root[] = "/tmp/nd-hook-root-XXXXXX", path[256], name[65], err[128] = "";
	static const char xml[] =
		"<domain type='kvm' id='3'><name>web</name><devices>"
		"<interface type='bridge'><source bridge='br7'/><target dev='vnetA'/></interface>"
		"<interface type='network'><source network='lab' bridge='br8'/><target dev='vnetB'/></interface>"
		"<interface type='network'><source network='lab'/><target dev='vnetC'/></interface>"
		"<interface type='network'><source network='default'/><target dev='vnetD'/></interface>"
		"<interface type='network'><source network='default'/></interface>"
		"<interface type='direct'><source dev='eth0' mode='bridge'/><target dev='macvtap0'/></interface>"
		"</devices></domain>";
	static const char *const dirs[] = { "/etc", "/etc/libvirt", "/etc/libvirt/qemu",
					    "/etc/libvirt/qemu/networks" };
	struct nd_hook_port p[8];
	unsigned n;
	FILE *f;

	assert_non_null(mkdtemp(root));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", root, dirs[i]);
		mkdir(path, 0755);
	}
	snprintf(path, sizeof(path), "%s/etc/libvirt/qemu/networks/lab.xml", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("<network><name>lab</name><bridge name='br9' stp='on'/></network>\n", f);
	fclose(f);
	setenv("NETDIAG_HOOK_ROOT", root, 1);
	assert_int_equal(nd_hook_libvirt_ports(xml, sizeof(xml) - 1, name, sizeof(name), p, 8, &n,
					       err, sizeof(err)), 0);
	assert_string_equal(name, "web");
	assert_int_equal(n, 4);
	assert_string_equal(p[0].tap, "vnetA");
	assert_string_equal(p[0].bridge, "br7");
	assert_string_equal(p[1].bridge, "br8");   /* the live XML's source bridge */
	assert_string_equal(p[2].bridge, "br9");   /* from the network's definition */
	assert_string_equal(p[3].bridge, "virbr0");/* libvirt's default network */
	assert_int_equal(nd_hook_libvirt_ports("<network/>", 10, name, sizeof(name), p, 8, &n,
					       err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "stdin: not a libvirt domain XML");
	unlink(path);
	unsetenv("NETDIAG_HOOK_ROOT");
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", root, dirs[sizeof(dirs) / sizeof(dirs[0]) - 1 - i]);
		rmdir(path);
	}
	rmdir(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_every_kind),
		cmocka_unit_test(test_spec_errors),
		cmocka_unit_test(test_libvirt_xml),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

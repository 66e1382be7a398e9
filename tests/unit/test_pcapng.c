/* pcapng round trip: what the writer records (interfaces, names,
 * direction, checksum status, nanosecond times) the reader gives back; a
 * cut or damaged file is an error naming the offset. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <netdiag/capture.h>

static const uint8_t frame_a[] = { 1, 2, 3, 4, 5 };
static const uint8_t frame_b[] = { 9, 8, 7, 6, 5, 4, 3, 2 };

static void write_sample(const char *path)
{
	struct nd_pcapng_writer *w;
	FILE *out = fopen(path, "wb");
	struct nd_frame_meta m1 = { .ts = 1700000000.123456789, .caplen = 5, .wirelen = 60,
				    .linktype = ND_LINK_ETHERNET, .ifname = "tap0",
				    .dir = ND_DIR_OUT, .hints = ND_HINT_CSUM_NOTREADY };
	struct nd_frame_meta m2 = { .ts = 1700000001.5, .caplen = 8, .wirelen = 8,
				    .linktype = ND_LINK_RAW, .ifname = "br0", .dir = ND_DIR_IN,
				    .hints = ND_HINT_CSUM_VALID };

	assert_non_null(out);
	assert_int_equal(nd_pcapng_writer_new(&w, out), 0);
	assert_int_equal(nd_pcapng_write(w, &m1, frame_a), 0);
	assert_int_equal(nd_pcapng_write(w, &m2, frame_b), 0);
	assert_int_equal(nd_pcapng_write(w, &m1, frame_a), 0);
	assert_int_equal(nd_pcapng_writer_close(w), 0);
	fclose(out);
}

static void test_round_trip(void **state)
{
	char path[] = "/tmp/nd-pcapng-XXXXXX", err[ND_CAPTURE_ERR_MAX];
	struct nd_frame_meta m;
	const uint8_t *data;
	struct nd_file *f;
	int fd = mkstemp(path);

	close(fd);
	write_sample(path);
	assert_int_equal(nd_file_open(&f, path, err, sizeof(err)), 0);
	assert_int_equal(nd_file_next(f, &m, &data, err, sizeof(err)), 1);
	assert_int_equal(m.number, 1);
	assert_string_equal(m.ifname, "tap0");
	assert_int_equal(m.ifindex, 0);
	assert_int_equal(m.linktype, ND_LINK_ETHERNET);
	assert_int_equal(m.dir, ND_DIR_OUT);
	assert_int_equal(m.hints, ND_HINT_CSUM_NOTREADY);
	assert_int_equal(m.caplen, 5);
	assert_int_equal(m.wirelen, 60);
	assert_memory_equal(data, frame_a, 5);
	/* a double near 1.7e9 resolves about 0.24 us */
	assert_true(m.ts > 1700000000.123456 && m.ts < 1700000000.123458);
	assert_int_equal(nd_file_next(f, &m, &data, err, sizeof(err)), 1);
	assert_string_equal(m.ifname, "br0");
	assert_int_equal(m.ifindex, 1);
	assert_int_equal(m.linktype, ND_LINK_RAW);
	assert_int_equal(m.dir, ND_DIR_IN);
	assert_int_equal(m.hints, ND_HINT_CSUM_VALID);
	assert_memory_equal(data, frame_b, 8);
	assert_int_equal(nd_file_next(f, &m, &data, err, sizeof(err)), 1);
	assert_int_equal(m.ifindex, 0);
	assert_int_equal(m.number, 3);
	assert_int_equal(nd_file_next(f, &m, &data, err, sizeof(err)), 0);
	nd_file_close(f);
	unlink(path);
}

static void test_cut_file_is_an_error_with_offset(void **state)
{
	char path[] = "/tmp/nd-pcapng-XXXXXX", err[ND_CAPTURE_ERR_MAX];
	struct nd_frame_meta m;
	const uint8_t *data;
	struct nd_file *f;
	int fd = mkstemp(path), ret;
	long size;
	FILE *io;

	close(fd);
	write_sample(path);
	io = fopen(path, "r+b");
	fseek(io, 0, SEEK_END);
	size = ftell(io);
	fclose(io);
	assert_int_equal(truncate(path, size - 6), 0);
	assert_int_equal(nd_file_open(&f, path, err, sizeof(err)), 0);
	while ((ret = nd_file_next(f, &m, &data, err, sizeof(err))) == 1)
		;
	assert_int_equal(ret, -EINVAL);
	assert_non_null(strstr(err, "damaged pcapng at offset"));
	nd_file_close(f);
	unlink(path);
}

static void test_not_a_capture(void **state)
{
	char path[] = "/tmp/nd-pcapng-XXXXXX", err[ND_CAPTURE_ERR_MAX];
	struct nd_file *f;
	int fd = mkstemp(path);

	assert_int_equal(write(fd, "hello, world\n", 13), 13);
	close(fd);
	assert_int_equal(nd_file_open(&f, path, err, sizeof(err)), -EINVAL);
	assert_true(strlen(err) > 0);
	unlink(path);
	assert_int_equal(nd_file_open(&f, "/nonexistent/x.pcap", err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_cut_file_is_an_error_with_offset),
		cmocka_unit_test(test_not_a_capture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

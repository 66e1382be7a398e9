/* Reading procfs and sysfs values. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netdiag/host.h>

int nd_read_int(const char *path, long *v)
{
	char buf[64], *end;
	FILE *in = fopen(path, "r");
	int err = 0;

	if (!in)
		return -errno;
	if (!fgets(buf, sizeof(buf), in)) {
		err = -EIO;
	} else {
		errno = 0;
		*v = strtol(buf, &end, 0);
		if (errno || end == buf)
			err = -EINVAL;
	}
	fclose(in);
	return err;
}

/* the same words, whatever blanks part them */
static bool same_words(const char *a, const char *b)
{
	for (;;) {
		size_t na, nb;

		a += strspn(a, " \t\n");
		b += strspn(b, " \t\n");
		if (!*a || !*b)
			return !*a && !*b;
		na = strcspn(a, " \t\n");
		nb = strcspn(b, " \t\n");
		if (na != nb || strncmp(a, b, na))
			return false;
		a += na;
		b += nb;
	}
}

int nd_sysctl_read(const char *path, char *out, size_t len)
{
	char full[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(full, sizeof(full), "/proc/sys/%s", path);
	fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, out, len - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n <= 0)
		return n < 0 ? (int)n : -EIO;
	out[n] = 0;
	out[strcspn(out, "\n")] = 0;
	return 0;
}

int nd_sysctl_write(const char *path, const char *value)
{
	char full[PATH_MAX], now[256];
	size_t len = strlen(value);
	int fd, ret = 0;

	snprintf(full, sizeof(full), "/proc/sys/%s", path);
	fd = open(full, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len || write(fd, "\n", 1) != 1)
		ret = errno ? -errno : -EIO;
	close(fd);
	if (!ret)
		ret = nd_sysctl_read(path, now, sizeof(now));
	return ret ? ret : same_words(now, value) ? 0 : -EIO;
}

int nd_rp_filter_effective(long all, long iface)
{
	return (int)(all > iface ? all : iface);
}

/* /proc/net/snmp has a header line and a value line per protocol
 * ("Udp: InDatagrams NoPorts InErrors ... InCsumErrors"); snmp6 has one
 * "Udp6InErrors 0" pair per line. */
int nd_parse_snmp_udp(const char *text, bool v6, uint64_t *csum_errors, uint64_t *in_errors)
{
	const char *line = text;

	*csum_errors = *in_errors = 0;
	if (v6) {
		const char *p;
		int found = 0;

		if ((p = strstr(text, "Udp6InErrors")) && sscanf(p, "Udp6InErrors %lu", (unsigned long *)in_errors) == 1)
			found++;
		if ((p = strstr(text, "Udp6InCsumErrors")) &&
		    sscanf(p, "Udp6InCsumErrors %lu", (unsigned long *)csum_errors) == 1)
			found++;
		return found ? 0 : -ENOENT;
	}
	while ((line = strstr(line, "Udp: "))) {
		const char *values = strstr(line + 5, "Udp: ");
		char names[512], vals[512], *ns, *vs, *nsave, *vsave;
		size_t nlen;

		if (!values)
			return -ENOENT;
		nlen = (size_t)(values - line);
		if (nlen >= sizeof(names))
			return -EINVAL;
		memcpy(names, line + 5, nlen - 5);
		names[nlen - 5] = 0;
		snprintf(vals, sizeof(vals), "%s", values + 5);
		vals[strcspn(vals, "\n")] = 0;
		ns = strtok_r(names, " \n", &nsave);
		vs = strtok_r(vals, " \n", &vsave);
		while (ns && vs) {
			if (!strcmp(ns, "InErrors"))
				*in_errors = strtoull(vs, NULL, 10);
			else if (!strcmp(ns, "InCsumErrors"))
				*csum_errors = strtoull(vs, NULL, 10);
			ns = strtok_r(NULL, " \n", &nsave);
			vs = strtok_r(NULL, " \n", &vsave);
		}
		return 0;
	}
	return -ENOENT;
}

const char *nd_port_state_name(int state)
{
	static const char *const names[] = { "disabled", "listening", "learning", "forwarding",
					      "blocking" };

	return state >= 0 && state < 5 ? names[state] : "-";
}

double nd_clock_ticks_to_s(long ticks)
{
	long hz = sysconf(_SC_CLK_TCK);

	return (double)ticks / (double)(hz > 0 ? hz : 100);
}

/* A listening port's timer ends listening; learning, one forward delay
 * long, follows before forwarding (br_forward_delay_timer_expired). */
double nd_port_forward_in(int state, long timer_ticks, double forward_delay)
{
	double left = nd_clock_ticks_to_s(timer_ticks);

	if ((state != ND_PORT_LISTENING && state != ND_PORT_LEARNING) || timer_ticks <= 0)
		return -1;
	return state == ND_PORT_LISTENING ? left + forward_delay : left;
}

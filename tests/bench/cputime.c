/* cputime -o FILE COMMAND [ARG ...]: run COMMAND and write its CPU time to
 * FILE as "USER SYSTEM MAXRSS" (seconds to the microsecond, KiB), the
 * figures the benchmarks pair.  /usr/bin/time gives seconds to the
 * hundredth: on a 0.1 s live capture that is a tenth of the figure.
 * The kernel's own accounting of the reaped child (wait4), children of
 * the child included once they are reaped.  Exit status: the command's. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static double seconds(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	const char *path;
	FILE *out;
	pid_t pid;
	int status;

	if (argc < 4 || strcmp(argv[1], "-o")) {
		fprintf(stderr, "usage: cputime -o FILE COMMAND [ARG ...]\n");
		return 2;
	}
	path = argv[2];
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "cputime: fork: %s\n", strerror(errno));
		return 2;
	}
	if (!pid) {
		execvp(argv[3], argv + 3);
		fprintf(stderr, "cputime: %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "cputime: wait4: %s\n", strerror(errno));
			return 2;
		}
	out = fopen(path, "w");
	if (!out) {
		fprintf(stderr, "cputime: %s: %s\n", path, strerror(errno));
		return 2;
	}
	fprintf(out, "%.6f %.6f %ld\n", seconds(ru.ru_utime), seconds(ru.ru_stime), ru.ru_maxrss);
	fclose(out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

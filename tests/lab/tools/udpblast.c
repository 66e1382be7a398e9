/* A bounded UDP blast for the lab: COUNT datagrams to ADDR:PORT (IPv4),
 * 100 at a time with a millisecond between (the receiving side's backlog of
 * 1000 never fills), giving up after 20 s.  Prints how many it sent.
 *
 *   udpblast ADDR PORT COUNT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BURST 100
#define GIVE_UP_SECS 20

int main(int argc, char **argv)
{
	static const char payload[] = "netdiag-lab-blast";
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct timespec pause = { 0, 1000000 };
	time_t end = time(NULL) + GIVE_UP_SECS;
	long count, sent = 0;
	int fd;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &to.sin_addr) != 1 ||
	    (count = strtol(argv[3], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: udpblast ADDR PORT COUNT\n");
		return 2;
	}
	to.sin_port = htons((unsigned short)atoi(argv[2]));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udpblast: socket");
		return 1;
	}
	while (sent < count && time(NULL) < end) {
		if (sendto(fd, payload, sizeof(payload) - 1, 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0) {
			if (errno != ENOBUFS && errno != EAGAIN) {
				perror("udpblast: sendto");
				break;
			}
			nanosleep(&pause, NULL);
			continue;
		}
		if (++sent % BURST == 0)
			nanosleep(&pause, NULL);
	}
	close(fd);
	printf("%ld\n", sent);
	return sent == count ? 0 : 1;
}

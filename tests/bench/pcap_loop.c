/* The floor for reading a capture: a bare libpcap loop touching each
 * frame's first byte, nothing else.  Prints the frame count. */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned long frames = 0, sum = 0;
	pcap_t *p;

	if (argc != 2 || !(p = pcap_open_offline(argv[1], err))) {
		fprintf(stderr, "pcap_loop: %s\n", argc == 2 ? err : "usage: pcap_loop FILE");
		return 2;
	}
	while (pcap_next_ex(p, &h, &data) == 1) {
		frames++;
		sum += data[0];
	}
	pcap_close(p);
	printf("%lu %lu\n", frames, sum & 1);
	return 0;
}

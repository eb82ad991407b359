// SPDX-License-Identifier: GPL-2.0
/*
 * skbtrace-stormgen: a loopback UDP drop storm for the benchmarks.
 *
 *   skbtrace-stormgen ADDR PORT SECONDS [PORT2 PERMILLE]
 *
 * Sends datagrams to ADDR:PORT as fast as one CPU can for SECONDS; with
 * PORT2, PERMILLE of every thousand go to PORT2 instead, so that a second
 * drop path carries a known share of the storm.  Prints the packet count and
 * the wall time per packet, which includes the whole send, receive and drop
 * path and therefore whatever a tracer adds to it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_in dst = { .sin_family = AF_INET }, dst2;
	char payload[32] = "skbtrace-storm";
	long n = 0, n2 = 0, permille = 0;
	double start, end, t;
	int fd;

	if (argc != 4 && argc != 6) {
		fprintf(stderr, "usage: skbtrace-stormgen ADDR PORT SECONDS [PORT2 PERMILLE]\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
		fprintf(stderr, "stormgen: bad IPv4 address %s\n", argv[1]);
		return 2;
	}
	dst.sin_port = htons(atoi(argv[2]));
	dst2 = dst;
	if (argc == 6) {
		dst2.sin_port = htons(atoi(argv[4]));
		permille = atol(argv[5]);
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return perror("socket"), 1;
	start = now_s();
	end = start + atof(argv[3]);
	do {
		for (int i = 0; i < 1000; i++, n++) {
			struct sockaddr_in *to = i < permille ? &dst2 : &dst;

			n2 += i < permille;
			sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)to, sizeof(*to));
		}
		t = now_s();
	} while (t < end);
	close(fd);
	printf("packets %ld second_port %ld seconds %.6f ns_per_packet %.1f\n", n, n2, t - start,
	       (t - start) * 1e9 / n);
	return 0;
}

/* SPDX-License-Identifier: ISC */
/* notify-sink SOCKET IFNAME SECONDS: stand in for systemd's notify socket.
 * Bind SOCKET (AF_UNIX datagrams, sender credentials on), and for each
 * datagram print one line: the sender's uid and pid, what the tun IFNAME
 * looked like when the datagram arrived (absent, down, or up with its
 * first IPv4 address) and the message with newlines as '|'. Exit 0 after
 * a READY=1, 1 after SECONDS without one. */
#include "config.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static void tun_state(const char *ifname, char *out, size_t size)
{
	struct ifreq ifr = { 0 };
	struct ifaddrs *ifa = NULL;
	char addr[INET_ADDRSTRLEN] = "none";
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		snprintf(out, size, "absent");
		goto out;
	}
	if (getifaddrs(&ifa) == 0)
		for (struct ifaddrs *a = ifa; a; a = a->ifa_next)
			if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET &&
			    !strcmp(a->ifa_name, ifname)) {
				inet_ntop(AF_INET, &((struct sockaddr_in *)a->ifa_addr)->sin_addr,
					  addr, sizeof(addr));
				break;
			}
	snprintf(out, size, "%s addr=%s", (ifr.ifr_flags & IFF_UP) ? "up" : "down", addr);
out:
	if (ifa)
		freeifaddrs(ifa);
	if (fd >= 0)
		close(fd);
}

static int receive_one(int fd, const char *ifname)
{
	char msg[4096], cbuf[CMSG_SPACE(sizeof(struct ucred))], tun[96];
	struct iovec iov = { .iov_base = msg, .iov_len = sizeof(msg) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct ucred cred = { .pid = 0, .uid = (uid_t)-1 };
	ssize_t n = recvmsg(fd, &mh, 0);

	if (n < 0)
		return -1;
	tun_state(ifname, tun, sizeof(tun));	/* as close to arrival as we can */
	msg[n] = '\0';
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = '|';
	printf("uid=%ld pid=%ld tun=%s msg=%s\n", (long)cred.uid, (long)cred.pid, tun, msg);
	fflush(stdout);
	return strstr(msg, "READY=1") ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd, one = 1, rc = 1;
	time_t end;

	if (argc != 4 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: notify-sink SOCKET IFNAME SECONDS\n");
		return 2;
	}
	/* "@name" is an abstract socket (one per network namespace), as
	 * systemd's NOTIFY_SOCKET may be. */
	strcpy(sun.sun_path, argv[1]);
	if (argv[1][0] == '@')
		sun.sun_path[0] = '\0';
	len = offsetof(struct sockaddr_un, sun_path) + strlen(argv[1]);
	end = time(NULL) + atoi(argv[3]);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sun, len) < 0) {
		perror("notify-sink");
		return 2;
	}
	if (argv[1][0] == '/')
		chmod(argv[1], 0666);	/* the daemon sends after its drop */
	while (time(NULL) < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r;

		if (poll(&p, 1, 100) <= 0)
			continue;
		r = receive_one(fd, argv[2]);
		if (r != 0) {
			rc = r > 0 ? 0 : 1;
			break;
		}
	}
	if (rc)
		printf("no READY=1 within %s s\n", argv[3]);
	close(fd);
	if (argv[1][0] == '/')
		unlink(argv[1]);
	return rc;
}

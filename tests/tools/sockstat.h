/* SPDX-License-Identifier: ISC */
/* Socket helpers shared by chaos-relay and udp-probe: big receive and send
 * buffers, and the kernel's count of datagrams a socket dropped because its
 * buffer was full (host overload, as opposed to an impairment). */
#ifndef OVPN_TEST_SOCKSTAT_H
#define OVPN_TEST_SOCKSTAT_H

#include <linux/sock_diag.h>
#include <stdint.h>
#include <sys/socket.h>

#define SOCKSTAT_BUF_SIZE (4 << 20)

/* Best effort: the FORCE options need CAP_NET_ADMIN, the plain ones are
 * capped by net.core.[rw]mem_max. */
static inline void sockstat_bufs(int fd)
{
	int size = SOCKSTAT_BUF_SIZE;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

/* Datagrams the kernel dropped on fd (SO_MEMINFO, Linux 4.11), 0 if unknown. */
static inline uint32_t sockstat_drops(int fd)
{
	uint32_t mem[SK_MEMINFO_VARS] = { 0 };
	socklen_t len = sizeof(mem);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) ||
	    len <= SK_MEMINFO_DROPS * sizeof(mem[0]))
		return 0;
	return mem[SK_MEMINFO_DROPS];
}

#endif

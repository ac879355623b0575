#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "tun.h"

#define TUN_DEV "/dev/net/tun"

int tun_open(const char *name, char *actual_name_out, bool vnet_hdr)
{
	struct ifreq ifr = { 0 };
	int fd = -1;

	if (!name)
		name = "";
	if (strlen(name) >= IFNAMSIZ) {
		log_err("tun %s: name longer than %d characters", name, IFNAMSIZ - 1);
		goto out;
	}
	fd = open(TUN_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		log_err("tun %s: open %s: %s", name, TUN_DEV, strerror(errno));
		goto out;
	}
	memcpy(ifr.ifr_name, name, strlen(name));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	if (vnet_hdr)
		ifr.ifr_flags |= IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		log_err("tun %s: TUNSETIFF: %s", name, strerror(errno));
		close(fd);
		fd = -1;
		goto out;
	}
	if (actual_name_out)
		memcpy(actual_name_out, ifr.ifr_name, IFNAMSIZ);
out:
	return fd;
}

int tun_set_offload(int fd)
{
	return ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6);
}

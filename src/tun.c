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

/* tun_open with IFF_VNET_HDR and the offloads, quiet: -1 with errno set. */
static int tun_try_offload(const char *name, char *actual_name_out)
{
	struct ifreq ifr = { 0 };
	int fd, err;

	if (strlen(name) >= IFNAMSIZ) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(TUN_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	memcpy(ifr.ifr_name, name, strlen(name));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 || tun_set_offload(fd) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	if (actual_name_out)
		memcpy(actual_name_out, ifr.ifr_name, IFNAMSIZ);
	return fd;
}

int tun_open_offload(const char *name, char *actual_name_out, bool want, bool *offload)
{
	int fd = -1;

	if (!name)
		name = "";
	if (want) {
		fd = tun_try_offload(name, actual_name_out);
		if (fd >= 0) {
			*offload = true;
			return fd;
		}
		log_info("tun %s: offloads refused (%s): one packet per read", name, strerror(errno));
	}
	*offload = false;
	return tun_open(name, actual_name_out, false);
}

/* SPDX-License-Identifier: ISC */
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

/* tun_open, quiet: -1 with errno set. With vnet, IFF_VNET_HDR and the
 * offloads too, both or neither. */
static int tun_try(const char *name, char *actual_name_out, bool vnet)
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
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 || (vnet && tun_set_offload(fd) < 0)) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	if (actual_name_out)
		memcpy(actual_name_out, ifr.ifr_name, IFNAMSIZ);
	return fd;
}

/* Why TUNSETIFF refused a name, in words a user can act on. */
static const char *tun_refusal(int err)
{
	switch (err) {
	case EBUSY:
		return "a tun of that name is in use by another program";
	case EINVAL:
		return "an interface of that name exists and is not a tun";
	case EPERM:
		return "not permitted (needs CAP_NET_ADMIN, or the tun belongs to another user)";
	default:
		return strerror(err);
	}
}

int tun_open_offload(const char *name, char *actual_name_out, bool want, bool *offload)
{
	int fd = -1, err = 0;

	if (!name)
		name = "";
	*offload = false;
	if (want) {
		fd = tun_try(name, actual_name_out, true);
		if (fd >= 0) {
			*offload = true;
			return fd;
		}
		err = errno;
	}
	/* plain, quietly: only if this works were the offloads the problem */
	fd = tun_try(name, actual_name_out, false);
	if (fd < 0) {
		log_err("interface %s: cannot create the tun: %s", name, tun_refusal(errno));
		return -1;
	}
	if (want)
		log_info("tun %s: offloads refused (%s): one packet per read", name, strerror(err));
	return fd;
}

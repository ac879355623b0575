/* SPDX-License-Identifier: ISC */
/* The tun device: layer-3 packets without the packet-information header. */
#ifndef OVPN_TUN_H
#define OVPN_TUN_H

#include <stdbool.h>

/* Create (or attach to) tun device name ("" or NULL: the kernel picks
 * tunN), non-blocking and close-on-exec. The device is not persistent: it
 * vanishes when the fd is closed. Needs CAP_NET_ADMIN. actual_name_out, if
 * not NULL, receives the name (IFNAMSIZ bytes). vnet_hdr sets
 * IFF_VNET_HDR: every read and write then starts with a virtio_net_hdr.
 * Returns the fd, or -1 (logged). */
int tun_open(const char *name, char *actual_name_out, bool vnet_hdr);
/* On a vnet_hdr tun: let the kernel hand over packets with the checksum
 * left to do and TCP super-packets (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6).
 * 0, or -1 with errno set (not logged: the caller falls back). */
int tun_set_offload(int fd);
/* want: tun_open with vnet_hdr and tun_set_offload, and if the kernel
 * refuses either (logged at info), a plain tun_open; *offload says which.
 * Returns the fd, or -1 (logged). */
int tun_open_offload(const char *name, char *actual_name_out, bool want, bool *offload);

#endif

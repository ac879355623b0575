/* The tun device: layer-3 packets without the packet-information header. */
#ifndef OVPN_TUN_H
#define OVPN_TUN_H

#include <stdbool.h>

/* Create (or attach to) tun device name ("" or NULL: the kernel picks
 * tunN), non-blocking and close-on-exec. The device is not persistent: it
 * vanishes when the fd is closed. Needs CAP_NET_ADMIN. actual_name_out, if
 * not NULL, receives the name (IFNAMSIZ bytes). vnet_hdr only sets
 * IFF_VNET_HDR; offloads are not negotiated yet.
 * Returns the fd, or -1 (logged). */
int tun_open(const char *name, char *actual_name_out, bool vnet_hdr);

#endif

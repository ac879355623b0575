/* SPDX-License-Identifier: ISC */
/* TAI64N timestamps for handshake initiations (PROTOCOL.md). */
#ifndef OVPN_TAI64N_H
#define OVPN_TAI64N_H

#include <stdint.h>

#define TAI64N_LEN 12

/* BE64(2^62 + secs) || BE32(nsec), from a wall-clock time the caller read. */
void tai64n_encode(uint8_t out[TAI64N_LEN], uint64_t secs, uint32_t nsec);
/* What a sender puts in an initiation: the same with nsec rounded down to a
 * multiple of 2^24 (about 16.8 ms), so the peer learns no finer clock. */
void tai64n_encode_coarse(uint8_t out[TAI64N_LEN], uint64_t secs, uint32_t nsec);
/* <0, 0, >0 like memcmp: big-endian, so byte order is time order. */
int tai64n_compare(const uint8_t a[TAI64N_LEN], const uint8_t b[TAI64N_LEN]);

#endif

/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "allowedips.h"
#include "log.h"

/* Invariant: a node without a value has exactly two children, so the trie
 * never holds chains of empty nodes and its depth is bounded by bits + 1. */
struct aip_node {
	struct aip_node *child[2];
	void *value;
	uint8_t key[16];	/* network order, bits beyond cidr zero */
	uint8_t cidr;
};

static int family_bits(int family)
{
	if (family == AF_INET)
		return 32;
	if (family == AF_INET6)
		return 128;
	return -1;
}

static unsigned bit_at(const uint8_t *key, unsigned i)
{
	return (key[i / 8] >> (7 - i % 8)) & 1;
}

/* Number of leading bits a and b share, at most max. */
static unsigned common_bits(const uint8_t *a, const uint8_t *b, unsigned max)
{
	for (unsigned i = 0; i * 8 < max; i++) {
		unsigned x = a[i] ^ b[i];

		if (x) {
			unsigned n = i * 8 + (unsigned)__builtin_clz(x) - 24;

			return n < max ? n : max;
		}
	}
	return max;
}

static void key_mask(uint8_t *out, const uint8_t *addr, unsigned plen,
		     unsigned bits)
{
	memcpy(out, addr, bits / 8);
	memset(out + bits / 8, 0, 16 - bits / 8);
	if (plen < bits) {
		memset(out + (plen + 7) / 8, 0, bits / 8 - (plen + 7) / 8);
		if (plen % 8)
			out[plen / 8] &= (uint8_t)(0xff << (8 - plen % 8));
	}
}

static struct aip_node **root_of(struct allowedips *t, int family)
{
	return family == AF_INET ? &t->root4 : &t->root6;
}

static void log_prefix_err(const char *what, int family, const uint8_t *addr,
			   unsigned plen, const char *why)
{
	char s[INET6_ADDRSTRLEN] = "?";

	if (family_bits(family) > 0)
		inet_ntop(family, addr, s, sizeof(s));
	log_err("allowed-ips: %s %s/%u: %s", what, s, plen, why);
}

static bool prefix_ok(const char *what, int family, const uint8_t *addr,
		      unsigned plen)
{
	int bits = family_bits(family);

	if (bits < 0) {
		log_err("allowed-ips: %s: unknown address family %d", what, family);
		return false;
	}
	if (plen > (unsigned)bits) {
		log_prefix_err(what, family, addr, plen, "prefix length too long");
		return false;
	}
	return true;
}

void allowedips_init(struct allowedips *t)
{
	t->root4 = NULL;
	t->root6 = NULL;
}

static void free_subtree(struct aip_node *n)
{
	if (!n)
		return;
	free_subtree(n->child[0]);
	free_subtree(n->child[1]);
	free(n);
}

void allowedips_free(struct allowedips *t)
{
	free_subtree(t->root4);
	free_subtree(t->root6);
	allowedips_init(t);
}

static struct aip_node *node_new(const uint8_t *key, unsigned cidr, void *value)
{
	struct aip_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	memcpy(n->key, key, sizeof(n->key));
	n->cidr = (uint8_t)cidr;
	n->value = value;
	return n;
}

/* Put a new node for key/cidr at *slot, above or beside the node there,
 * which does not cover key/cidr. Both allocations happen before any link
 * changes, so failure leaves the trie untouched. */
static int split_insert(struct aip_node **slot, const uint8_t *key,
			unsigned cidr, void *value, unsigned bits)
{
	struct aip_node *old = *slot;
	unsigned common = common_bits(old->key, key, cidr);
	struct aip_node *leaf, *mid;
	uint8_t mkey[16];

	leaf = node_new(key, cidr, value);
	if (!leaf)
		return -1;
	if (common == cidr) {
		/* the new prefix covers the old one: it becomes its parent */
		leaf->child[bit_at(old->key, cidr)] = old;
		*slot = leaf;
		return 0;
	}
	key_mask(mkey, key, common, bits);
	mid = node_new(mkey, common, NULL);
	if (!mid) {
		free(leaf);
		return -1;
	}
	mid->child[bit_at(key, common)] = leaf;
	mid->child[bit_at(old->key, common)] = old;
	*slot = mid;
	return 0;
}

static int trie_insert(struct aip_node **slot, const uint8_t *key,
		       unsigned cidr, void *value, unsigned bits)
{
	struct aip_node *n;

	while ((n = *slot)) {
		if (n->cidr > cidr || common_bits(n->key, key, n->cidr) < n->cidr)
			return split_insert(slot, key, cidr, value, bits);
		if (n->cidr == cidr) {
			n->value = value;
			return 0;
		}
		slot = &n->child[bit_at(key, n->cidr)];
	}
	*slot = node_new(key, cidr, value);
	return *slot ? 0 : -1;
}

int allowedips_insert(struct allowedips *t, int family, const uint8_t *addr,
		      uint8_t plen, void *value)
{
	uint8_t key[16];
	int bits;

	if (!prefix_ok("insert", family, addr, plen))
		return -1;
	if (!value) {
		log_prefix_err("insert", family, addr, plen, "no value");
		return -1;
	}
	bits = family_bits(family);
	key_mask(key, addr, plen, (unsigned)bits);
	if (trie_insert(root_of(t, family), key, plen, value, (unsigned)bits) < 0) {
		log_prefix_err("insert", family, addr, plen, strerror(ENOMEM));
		return -1;
	}
	return 0;
}

/* Restore the invariant at *slot after its value or a child went away. */
static void compact(struct aip_node **slot)
{
	struct aip_node *n = *slot;

	if (n->value || (n->child[0] && n->child[1]))
		return;
	*slot = n->child[0] ? n->child[0] : n->child[1];
	free(n);
}

static int trie_remove(struct aip_node **slot, const uint8_t *key,
		       unsigned cidr)
{
	struct aip_node *n = *slot;
	int ret;

	if (!n || n->cidr > cidr || common_bits(n->key, key, n->cidr) < n->cidr)
		return -1;
	if (n->cidr == cidr) {
		if (!n->value)
			return -1;
		n->value = NULL;
		compact(slot);
		return 0;
	}
	ret = trie_remove(&n->child[bit_at(key, n->cidr)], key, cidr);
	if (ret == 0)
		compact(slot);
	return ret;
}

int allowedips_remove(struct allowedips *t, int family, const uint8_t *addr,
		      uint8_t plen)
{
	uint8_t key[16];

	if (!prefix_ok("remove", family, addr, plen))
		return -1;
	key_mask(key, addr, plen, (unsigned)family_bits(family));
	return trie_remove(root_of(t, family), key, plen);
}

static unsigned prune_value(struct aip_node **slot, const void *value)
{
	struct aip_node *n = *slot;
	unsigned count = 0;

	if (!n)
		return 0;
	count += prune_value(&n->child[0], value);
	count += prune_value(&n->child[1], value);
	if (n->value == value) {
		n->value = NULL;
		count++;
	}
	compact(slot);
	return count;
}

unsigned allowedips_remove_by_value(struct allowedips *t, const void *value)
{
	if (!value)
		return 0;
	return prune_value(&t->root4, value) + prune_value(&t->root6, value);
}

void *allowedips_lookup(const struct allowedips *t, int family,
			const uint8_t *addr)
{
	const struct aip_node *n;
	void *best = NULL;
	unsigned bits;

	if (family == AF_INET) {
		n = t->root4;
		bits = 32;
	} else if (family == AF_INET6) {
		n = t->root6;
		bits = 128;
	} else {
		return NULL;
	}
	while (n && common_bits(n->key, addr, n->cidr) == n->cidr) {
		if (n->value)
			best = n->value;
		if (n->cidr == bits)
			break;
		n = n->child[bit_at(addr, n->cidr)];
	}
	return best;
}

struct walk_state {
	const void *value;
	allowedips_walk_fn fn;
	void *ctx;
	int family;
	unsigned count;
	bool stop;
};

static void walk_subtree(const struct aip_node *n, struct walk_state *w)
{
	if (!n || w->stop)
		return;
	if (n->value == w->value) {
		w->count++;
		if (w->fn(w->family, n->key, n->cidr, w->ctx))
			w->stop = true;
	}
	walk_subtree(n->child[0], w);
	walk_subtree(n->child[1], w);
}

unsigned allowedips_walk(const struct allowedips *t, const void *value,
			 allowedips_walk_fn fn, void *ctx)
{
	struct walk_state w = { .value = value, .fn = fn, .ctx = ctx };

	if (!value)
		return 0;
	w.family = AF_INET;
	walk_subtree(t->root4, &w);
	w.family = AF_INET6;
	walk_subtree(t->root6, &w);
	return w.count;
}

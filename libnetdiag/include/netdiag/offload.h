/* Offload features over the ethtool generic-netlink family (libmnl):
 * names from the ETH_SS_FEATURES string set, state from
 * ETHTOOL_MSG_FEATURES_GET, changes with ETHTOOL_MSG_FEATURES_SET. */
#ifndef NETDIAG_OFFLOAD_H
#define NETDIAG_OFFLOAD_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include <netdiag/out.h>

#define ND_FEATURES_MAX 128
#define ND_FEATURE_NAME_MAX 40

struct nd_feature {
	char name[ND_FEATURE_NAME_MAX];
	bool active;      /* in effect now */
	bool wanted;      /* requested by the user (ethtool's "requested") */
	bool fixed;       /* cannot be changed: not in hw_features, or nochange */
};

struct nd_features {
	char ifname[32];
	struct nd_feature v[ND_FEATURES_MAX];
	unsigned n;
};

struct nd_ethtool;

/* Open a generic-netlink socket and resolve the "ethtool" family.
 * -EPROTONOSUPPORT: the kernel has no ethtool netlink family. */
int nd_ethtool_open(struct nd_ethtool **e);
void nd_ethtool_close(struct nd_ethtool *e);

/* Every feature of the device with its state.  -ENODEV: no such device. */
int nd_offload_get(struct nd_ethtool *e, const char *ifname, struct nd_features *fs);

/* Request features on or off by kernel name; the request is checked
 * against `current` first (unknown name: -ENOENT, fixed: -EPERM, nothing
 * sent).  Returns the kernel's errno otherwise. */
struct nd_feature_change {
	const char *name;
	bool on;
};
int nd_offload_set(struct nd_ethtool *e, const struct nd_features *current,
		   const struct nd_feature_change *changes, unsigned n, char *err, size_t errlen);

const struct nd_feature *nd_feature_find(const struct nd_features *fs, const char *name);

/* Legacy short names users know from ethtool -K (tx, rx, sg, tso, gso,
 * gro, lro, rxvlan, txvlan, ntuple, rxhash, ufo) expanded to kernel
 * feature names; a kernel name maps to itself.  Returns how many names
 * were written to out, 0 for an unknown name. */
unsigned nd_feature_alias(const char *name, const char **out, unsigned max);


/* Devices' features through the output writer (host/print.c): in JSON the
 * "devices" array member, each {"ifname", "features": {NAME: {"active",
 * "fixed", "requested"}}}; in text "DEV:" and a line per feature, as
 * ethtool -k shows them. */
void nd_features_print(const struct nd_features *all, unsigned n, struct nd_out *o);

/* ---- journaled changes (libnetdiag/fix/offload.c) ---- */


#define ND_OFFLOAD_DEVICES_MAX 8
#define ND_OFFLOAD_CHANGES_MAX 32

struct nd_offload_request {
	char ifname[32];
	struct nd_feature_change ch[ND_OFFLOAD_CHANGES_MAX];
	unsigned n;
	/* filled by nd_offload_change */
	struct nd_features before, after;
	unsigned recorded;          /* journal records written for this device */
};

/* Change offloads on several devices as one transaction: every device and
 * name is checked first (nothing is changed when one is wrong), each
 * change is journaled before it is made, each device is read back.  When
 * *stop becomes non-zero between devices (a signal), or a device refuses,
 * the steps already taken are undone and -EINTR or the error returned.
 * Returns 0 with the before/after states filled. */
int nd_offload_change(struct nd_offload_request *reqs, unsigned nreq,
		      volatile sig_atomic_t *stop, char *err, size_t errlen);

/* What nd_offload_change did, through the output writer: in JSON the
 * "devices" array member, each {"ifname", "changed": [{"feature",
 * "active", "asked"}]} (asked false: it followed from another change),
 * and "recorded" (journal records); in text a line per changed feature
 * and one of the records, or with restore (the changes came from a saved
 * file) the one line "restored N devices, M changes journaled". */
void nd_offload_change_print(const struct nd_offload_request *reqs, unsigned nreq, bool restore,
			     struct nd_out *o);

/* ---- saved feature files (libnetdiag/fix/offload_file.c) ---- */

/* Write "# netdiag offload save ..." and a "DEV FEATURE on|off" line per
 * changeable feature (its requested state) of each device to path: written
 * beside it and renamed over it, so path is whole or untouched.  0, or
 * -errno with err naming the file. */
int nd_offload_save(const char *path, const struct nd_features *all, unsigned n,
		    char *err, size_t errlen);

/* A saved file read back as requests for nd_offload_change: the feature
 * names live in names[].  The whole file is read and checked before
 * anything may be applied: a bad line is -EINVAL with err giving its
 * number. */
struct nd_offload_file {
	struct nd_offload_request reqs[ND_OFFLOAD_DEVICES_MAX];
	unsigned nreq;
	char names[ND_OFFLOAD_DEVICES_MAX][ND_OFFLOAD_CHANGES_MAX][ND_FEATURE_NAME_MAX];
};
int nd_offload_file_read(const char *path, struct nd_offload_file *f, char *err, size_t errlen);

#pragma GCC visibility pop
#endif

/* The narrowest firewall remedy for a bridge whose frames a FORWARD chain
 * drops (finding brnf.forward-drop): one accept rule for that bridge at the
 * top of the chain, made through the journal, undone by deleting exactly
 * that rule.  Over netlink with libnftnl; nothing shells out to nft.
 *
 * The rule is 'iifname "BR" oifname "BR" counter accept' in families ip,
 * ip6 and inet: br_netfilter's FORWARD hook sees the bridge as both
 * devices, and "meta ibrname" exists only in the bridge family (in ip it
 * fails with EOPNOTSUPP).  Chains of the bridge family itself are not
 * handled (-EAFNOSUPPORT).  The rule carries the comment "netdiag: accept
 * bridge BR", which is how undo finds it again; it is then deleted by its
 * handle.  iptables-nft shows it as
 * '-i BR -o BR -m comment --comment "netdiag: accept bridge BR" -j ACCEPT'.
 */
#ifndef NETDIAG_NFT_H
#define NETDIAG_NFT_H

/* exported from libnetdiag.so, whose other symbols are hidden */
#pragma GCC visibility push(default)

#include <stddef.h>
#include <stdint.h>

#include <netdiag/journal.h>

/* Insert the accept rule for bridge at the top of family/table/chain,
 * journaled (kind "nft-rule", object "FAMILY/TABLE/CHAIN", key BR,
 * before "absent", after "present"), and read it back.  1 when netdiag's
 * rule is already there (nothing recorded), 0 when inserted, negative
 * errno with err set otherwise (-ENOENT: no such chain). */
int nd_nft_bridge_accept(struct nd_journal *j, const char *family, const char *table,
			 const char *chain, const char *bridge, char *err, size_t errlen);

/* The handle of netdiag's accept rule for bridge in that chain: 0, or
 * -ENOENT when there is none. */
int nd_nft_bridge_accept_find(const char *family, const char *table, const char *chain,
			      const char *bridge, uint64_t *handle);

/* The journal's writer for kind "nft-rule": value "present" inserts the
 * rule unless it is there, "absent" deletes it by handle unless it is
 * gone; either is read back. */
int nd_nft_rule_write(const char *object, const char *bridge, const char *value);

#pragma GCC visibility pop
#endif

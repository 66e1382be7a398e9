/* Which taps a starting guest has, and on which bridges: from libvirt's
 * domain XML (libxml2, no network access, no entities) or from Proxmox's
 * naming (tapVMIDiN, fwbrVMIDiN) and sysfs. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <netdiag/bridge.h>
#include <netdiag/hook.h>

const char *nd_hook_root(void)
{
	const char *r = getenv("NETDIAG_HOOK_ROOT");

	return r && r[0] ? r : "";
}

static const xmlNode *child(const xmlNode *n, const char *name)
{
	for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
			return c;
	return NULL;
}

/* an attribute's value into out (cut to len); false when absent */
static bool attr(const xmlNode *n, const char *name, char *out, size_t len)
{
	xmlChar *v = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;

	if (!v)
		return false;
	snprintf(out, len, "%s", (const char *)v);
	xmlFree(v);
	return true;
}

/* <network>'s <bridge name=...> in the running network's status XML
 * (/run/libvirt/network: <networkstatus> around the <network>, as libvirt
 * 9.0 writes it) or its definition (/etc/libvirt/qemu/networks); a
 * transient network (net-create) has only the first */
static bool network_bridge(const char *network, char *out)
{
	static const char *const dirs[] = { "/run/libvirt/network", "/etc/libvirt/qemu/networks" };

	if (strchr(network, '/'))
		return false;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[PATH_MAX];
		const xmlNode *net;
		xmlDoc *doc;
		bool found = false;

		snprintf(path, sizeof(path), "%s%s/%s.xml", nd_hook_root(), dirs[i], network);
		if (access(path, R_OK))
			continue;
		doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
		if (!doc)
			continue;
		net = xmlDocGetRootElement(doc);
		if (net && !strcmp((const char *)net->name, "networkstatus"))
			net = child(net, "network");
		found = attr(child(net, "bridge"), "name", out, IF_NAMESIZE);
		xmlFreeDoc(doc);
		if (found && out[0])
			return true;
	}
	return false;
}

int nd_hook_libvirt_ports(const char *xml, size_t len, char *name, size_t namelen,
			  struct nd_hook_port *ports, unsigned max, unsigned *n,
			  char *err, size_t errlen)
{
	xmlDoc *doc;
	const xmlNode *root, *devices, *nm;
	int ret = 0;

	*n = 0;
	if (len > INT_MAX) {
		snprintf(err, errlen, "domain XML: too long");
		return -EINVAL;
	}
	doc = xmlReadMemory(xml, (int)len, "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root || strcmp((const char *)root->name, "domain")) {
		snprintf(err, errlen, "stdin: not a libvirt domain XML");
		ret = -EINVAL;
		goto out;
	}
	nm = child(root, "name");
	if (name && namelen) {
		xmlChar *text = nm ? xmlNodeGetContent(nm) : NULL;

		snprintf(name, namelen, "%s", text ? (const char *)text : "");
		xmlFree(text);
	}
	devices = child(root, "devices");
	for (const xmlNode *c = devices ? devices->children : NULL; c && *n < max; c = c->next) {
		struct nd_hook_port *p = &ports[*n];
		char type[16] = "", network[128] = "";
		const xmlNode *src;

		if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "interface"))
			continue;
		attr(c, "type", type, sizeof(type));
		memset(p, 0, sizeof(*p));
		/* no target dev: not started yet, or not a tap (hostdev, vhostuser) */
		if (!attr(child(c, "target"), "dev", p->tap, sizeof(p->tap)) || !p->tap[0])
			continue;
		src = child(c, "source");
		if (!strcmp(type, "bridge")) {
			attr(src, "bridge", p->bridge, sizeof(p->bridge));
		} else if (!strcmp(type, "network")) {
			/* the live XML names the network's bridge on <source> */
			if (!attr(src, "bridge", p->bridge, sizeof(p->bridge)) &&
			    attr(src, "network", network, sizeof(network)) &&
			    !network_bridge(network, p->bridge) && !strcmp(network, "default"))
				snprintf(p->bridge, sizeof(p->bridge), "virbr0");
		} else if (strcmp(type, "ethernet")) {
			continue;   /* direct (macvtap), user, hostdev: no tap on a bridge */
		}
		/* where the tap really is beats what the XML says */
		{
			char master[IF_NAMESIZE];

			nd_bridge_of(p->tap, master);
			if (master[0])
				snprintf(p->bridge, sizeof(p->bridge), "%s", master);
		}
		if (!strcmp(type, "ethernet") && !p->bridge[0])
			continue;
		(*n)++;
	}
out:
	xmlFreeDoc(doc);
	return ret;
}

static int port_cmp(const void *a, const void *b)
{
	const struct nd_hook_port *x = a, *y = b;
	size_t lx = strlen(x->tap), ly = strlen(y->tap);

	return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x->tap, y->tap);
}

int nd_hook_proxmox_ports(unsigned vmid, struct nd_hook_port *ports, unsigned max, unsigned *n)
{
	DIR *d = opendir("/sys/class/net");
	struct dirent *de;
	char prefix[32];

	*n = 0;
	if (!d)
		return -errno;
	snprintf(prefix, sizeof(prefix), "tap%ui", vmid);
	while ((de = readdir(d)) && *n < max) {
		struct nd_hook_port *p = &ports[*n];
		const char *idx = de->d_name + strlen(prefix);
		char peer[IF_NAMESIZE + 8];

		if (strncmp(de->d_name, prefix, strlen(prefix)) || !*idx ||
		    strspn(idx, "0123456789") != strlen(idx))
			continue;
		memset(p, 0, sizeof(*p));
		snprintf(p->tap, sizeof(p->tap), "%s", de->d_name);
		nd_bridge_of(p->tap, p->bridge);
		/* Proxmox's firewall puts the tap on fwbrVMIDiN, linked to the
		 * real bridge by the veth pair fwlnVMIDiN / fwprVMIDpN */
		if (!strncmp(p->bridge, "fwbr", 4)) {
			snprintf(p->uplink, sizeof(p->uplink), "fwln%ui%s", vmid, idx);
			if (!if_nametoindex(p->uplink))
				p->uplink[0] = 0;
			snprintf(peer, sizeof(peer), "fwpr%up%s", vmid, idx);
			nd_bridge_of(peer, p->outer);
		}
		(*n)++;
	}
	closedir(d);
	qsort(ports, *n, sizeof(*ports), port_cmp);
	return 0;
}

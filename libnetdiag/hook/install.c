/* Installing the hook where libvirt or Proxmox looks for it, keeping the
 * hook that was there (moved aside, chained to), every step journaled so
 * `netdiag undo` takes it all back. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netdiag/hook.h>
#include <netdiag/journal.h>

static const struct {
	const char *kind;
	const char *dir, *file;
	const char *what;
} places[] = {
	/* https://libvirt.org/hooks.html: the qemu driver's hook */
	{ "libvirt", "/etc/libvirt/hooks", "qemu", "libvirt qemu hook" },
	/* Proxmox VE hookscripts live in a storage's snippets directory;
	 * "local" is /var/lib/vz */
	{ "proxmox", "/var/lib/vz/snippets", "netdiag-hook.sh", "Proxmox hookscript" },
};

#define CHAINED_SUFFIX ".netdiag-chained"

/* a path inside single quotes for sh: ' becomes '\'' */
static void sh_quoted(FILE *out, const char *s)
{
	fputc('\'', out);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", out);
		else
			fputc(*s, out);
	fputc('\'', out);
}

static int journal_record(const char *kind, const char *object, const char *key,
			  char *err, size_t errlen)
{
	struct nd_journal_record rec = { 0 };
	struct nd_journal *j;
	int ret;

	if (strlen(object) >= sizeof(rec.object) || strlen(key) >= sizeof(rec.key)) {
		snprintf(err, errlen, "%s: path too long for the journal", object);
		return -ENAMETOOLONG;
	}
	ret = nd_journal_open(&j, err, errlen);
	if (ret)
		return ret;
	snprintf(rec.kind, sizeof(rec.kind), "%s", kind);
	snprintf(rec.object, sizeof(rec.object), "%s", object);
	snprintf(rec.key, sizeof(rec.key), "%s", key);
	snprintf(rec.before, sizeof(rec.before), "absent");
	snprintf(rec.after, sizeof(rec.after), "present");
	ret = nd_journal_append(j, &rec);
	nd_journal_close(j);
	if (ret)
		snprintf(err, errlen, "journal: %s", strerror(-ret));
	return ret;
}

static bool is_ours(const char *path)
{
	char buf[1024];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return strstr(buf, "installed by 'netdiag hook install") != NULL;
}

int nd_hook_install(const char *kind, const char *netdiag_path, const char *chain,
		    char *installed, size_t ilen, char *err, size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX], moved[PATH_MAX + 32];
	const char *chain_to = chain;
	size_t k;
	FILE *f;
	int fd, ret;

	for (k = 0; k < sizeof(places) / sizeof(places[0]); k++)
		if (!strcmp(places[k].kind, kind))
			break;
	if (k == sizeof(places) / sizeof(places[0])) {
		snprintf(err, errlen, "%s: not a hook kind (libvirt, proxmox)", kind);
		return -EINVAL;
	}
	if (chain && access(chain, X_OK)) {
		snprintf(err, errlen, "%s: %s", chain, strerror(errno));
		return -ENOENT;
	}
	snprintf(dir, sizeof(dir), "%s%s", nd_hook_root(), places[k].dir);
	snprintf(path, sizeof(path), "%s/%s", dir, places[k].file);
	snprintf(installed, ilen, "%s", path);
	if (access(dir, F_OK)) {
		snprintf(err, errlen, "%s: %s (is %s installed here?)", dir, strerror(errno),
			 k == 0 ? "libvirt" : "Proxmox VE");
		return -ENOENT;
	}
	if (is_ours(path)) {
		snprintf(err, errlen, "%s: the netdiag hook is already installed", path);
		return -EEXIST;
	}
	if (access(path, F_OK) == 0) {
		/* someone's hook: keep it, run it from ours */
		if (chain) {
			snprintf(err, errlen, "%s exists: it would be chained; drop --chain", path);
			return -EEXIST;
		}
		snprintf(moved, sizeof(moved), "%s%s", path, CHAINED_SUFFIX);
		if (access(moved, F_OK) == 0) {
			snprintf(err, errlen, "%s: exists; not overwritten", moved);
			return -EEXIST;
		}
		ret = journal_record("rename", moved, path, err, errlen);
		if (ret)
			return ret;
		if (rename(path, moved)) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -errno;
		}
		chain_to = moved;
	}
	ret = journal_record("file", path, "", err, errlen);
	if (ret)
		return ret;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	fprintf(f, "#!/bin/sh\n"
		"# %s installed by 'netdiag hook install %s'; 'netdiag undo' removes it%s.\n"
		"# Once a guest has started it checks the guest's taps in the background\n"
		"# (verdicts: system log, 'netdiag hook status'); it never holds up or\n"
		"# fails the guest's start.\n"
		"exec ", places[k].what, kind, chain_to && !chain ? " and puts the\n# "
		"hook it chains to back" : "");
	sh_quoted(f, netdiag_path);
	fprintf(f, " hook %s", kind);
	if (chain_to) {
		fputs(" --chain ", f);
		sh_quoted(f, chain_to);
	}
	fputs(" \"$@\"\n", f);
	if (fclose(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

bool nd_hook_apparmor_blocks(const char *netdiag_path)
{
	static const char *const allowed[] = { "/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/" };
	char path[PATH_MAX], line[512];
	bool enforced = false;
	FILE *f;

	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (!strncmp(netdiag_path, allowed[i], strlen(allowed[i])) &&
		    !strchr(netdiag_path + strlen(allowed[i]), '/'))
			return false;
	snprintf(path, sizeof(path), "%s/sys/kernel/security/apparmor/profiles", nd_hook_root());
	f = fopen(path, "re");
	if (!f)
		return false;
	/* "libvirtd (enforce)", or the older path-named "/usr/sbin/libvirtd (enforce)" */
	while (!enforced && fgets(line, sizeof(line), f))
		enforced = (!strncmp(line, "libvirtd ", 9) || !strncmp(line, "/usr/sbin/libvirtd ", 19)) &&
			   strstr(line, "(enforce)");
	fclose(f);
	return enforced;
}

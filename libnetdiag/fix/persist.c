/* Making kept changes outlast a reboot: offload and sysctl changes the
 * doctor kept, as a systemd-networkd .link file, a udev rule, an ifupdown
 * post-up line, an nmcli command or a sysctl.d line.  Files are written
 * only on request, each recorded in the journal first so `netdiag undo`
 * removes it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netdiag/doctor.h>
#include <netdiag/journal.h>

#include "journal_internal.h"

static bool kept(const struct nd_doctor_step *s, enum nd_remedy_action a)
{
	return s->outcome == ND_STEP_KEPT &&
	       (a == ND_REMEDY_SYSCTL ? s->action == ND_REMEDY_SYSCTL : s->action != ND_REMEDY_SYSCTL);
}

/* change is "tx off" (every TX checksum feature) or "FEATURE off" */
static void offload_snippet(const char *format, const char *dev, const char *change, FILE *out)
{
	bool all = !strcmp(change, "tx off");
	char feature[64];

	snprintf(feature, sizeof(feature), "%.*s", (int)strcspn(change, " "), change);
	if (!strcmp(format, "networkd"))
		fprintf(out, "# /etc/systemd/network/50-netdiag-%s.link%s\n[Match]\nOriginalName=%s\n\n"
			     "[Link]\nTransmitChecksumOffload=false\n", dev,
			all ? "" : " (networkd: every TX checksum feature)", dev);
	else if (!strcmp(format, "udev"))
		fprintf(out, "# /etc/udev/rules.d/70-netdiag-%s.rules\nACTION==\"add\", "
			     "SUBSYSTEM==\"net\", KERNEL==\"%s\", RUN+=\"/usr/sbin/ethtool -K %s %s\"\n",
			dev, dev, dev, change);
	else if (!strcmp(format, "ifupdown"))
		fprintf(out, "# /etc/network/interfaces, in the stanza of %s\n"
			     "    post-up /usr/sbin/ethtool -K %s %s\n", dev, dev, change);
	else if (!strcmp(format, "nm") && all)
		fprintf(out, "nmcli connection modify %s ethtool.feature-tx-checksum-ip-generic off "
			     "ethtool.feature-tx-checksum-ipv4 off ethtool.feature-tx-checksum-ipv6 off\n",
			dev);
	else if (!strcmp(format, "nm"))
		fprintf(out, "nmcli connection modify %s ethtool.feature-%s off\n", dev, feature);
}

static const char *const offload_formats[] = { "networkd", "udev", "ifupdown", "nm" };

void nd_doctor_persist_text(const struct nd_doctor_result *res, FILE *out)
{
	bool any_offload = false, any_sysctl = false;

	for (unsigned i = 0; i < res->nsteps; i++) {
		any_offload |= kept(&res->steps[i], ND_REMEDY_OFFLOAD_OFF);
		any_sysctl |= kept(&res->steps[i], ND_REMEDY_SYSCTL);
	}
	if (!any_offload && !any_sysctl)
		return;
	fprintf(out, "\nThe kept changes last until reboot (or until the device is recreated).\n"
		     "To make them persistent, one of (or --persist FORMAT writes it):\n");
	for (size_t f = 0; any_offload && f < sizeof(offload_formats) / sizeof(offload_formats[0]); f++) {
		fprintf(out, "\n%s:\n", offload_formats[f]);
		for (unsigned i = 0; i < res->nsteps; i++)
			if (kept(&res->steps[i], ND_REMEDY_OFFLOAD_OFF))
				offload_snippet(offload_formats[f], res->steps[i].target, res->steps[i].change,
						out);
	}
	if (any_sysctl) {
		fprintf(out, "\nsysctl (/etc/sysctl.d/60-netdiag.conf):\n");
		for (unsigned i = 0; i < res->nsteps; i++) {
			char key[128];

			if (!kept(&res->steps[i], ND_REMEDY_SYSCTL))
				continue;
			snprintf(key, sizeof(key), "%s", res->steps[i].target);
			for (char *c = key; *c; c++)
				if (*c == '/')
					*c = '.';
			fprintf(out, "%s = %s\n", key, res->steps[i].change);
		}
	}
}

static int write_file(const char *path, const char *text, char *err, size_t errlen)
{
	struct nd_journal_record rec = { 0 };
	struct nd_journal *j;
	FILE *f;
	int fd, rc;

	if (access(path, F_OK) == 0) {
		snprintf(err, errlen, "%s: exists; not overwritten", path);
		return -EEXIST;
	}
	if (strlen(path) >= sizeof(rec.object)) {
		snprintf(err, errlen, "%s: path too long for the journal", path);
		return -ENAMETOOLONG;
	}
	if (!nd_persist_path_ok(path, false)) {
		snprintf(err, errlen, "%s: not a file netdiag writes", path);
		return -EINVAL;
	}
	rc = nd_journal_open(&j, err, errlen);
	if (rc)
		return rc;
	snprintf(rec.kind, sizeof(rec.kind), "file");
	snprintf(rec.object, sizeof(rec.object), "%s", path);
	snprintf(rec.before, sizeof(rec.before), "absent");
	snprintf(rec.after, sizeof(rec.after), "present");
	rc = nd_journal_append(j, &rec);
	if (rc) {
		snprintf(err, errlen, "journal: %s", strerror(-rc));
		goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
	} else if (!(f = fdopen(fd, "w"))) {
		rc = -errno;
		close(fd);
	} else {
		if (fputs(text, f) < 0)
			rc = -EIO;
		if (fclose(f) != 0 && !rc)
			rc = errno ? -errno : -EIO;
	}
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		/* not written: no file, and no open record of one */
		if (fd >= 0)
			unlink(path);
		nd_journal_failed(j, rec.id);
	}
out:
	nd_journal_close(j);
	return rc;
}

int nd_doctor_persist_write(const struct nd_doctor_result *res, const char *format,
			    char *written, size_t wlen, char *err, size_t errlen)
{
	char path[512], *text = NULL;
	size_t len = 0;
	int rc = 0;

	written[0] = 0;
	for (unsigned i = 0; i < res->nsteps && !rc; i++) {
		const struct nd_doctor_step *s = &res->steps[i];
		FILE *mem;

		if (!strcmp(format, "sysctl") ? !kept(s, ND_REMEDY_SYSCTL) : !kept(s, ND_REMEDY_OFFLOAD_OFF))
			continue;
		if (!strcmp(format, "networkd"))
			snprintf(path, sizeof(path), "%s/etc/systemd/network/50-netdiag-%s.link",
				 journal_persist_root(), s->target);
		else if (!strcmp(format, "udev"))
			snprintf(path, sizeof(path), "%s/etc/udev/rules.d/70-netdiag-%s.rules",
				 journal_persist_root(), s->target);
		else if (!strcmp(format, "sysctl"))
			snprintf(path, sizeof(path), "%s/etc/sysctl.d/60-netdiag-%u.conf",
				 journal_persist_root(), i);
		else {
			snprintf(err, errlen, "%s: --persist writes networkd, udev or sysctl files "
				 "(ifupdown and nm are shown to paste)", format);
			return -EINVAL;
		}
		mem = open_memstream(&text, &len);
		if (!mem)
			return -ENOMEM;
		if (!strcmp(format, "sysctl")) {
			char key[128];

			snprintf(key, sizeof(key), "%s", s->target);
			for (char *c = key; *c; c++)
				if (*c == '/')
					*c = '.';
			fprintf(mem, "# written by netdiag doctor\n%s = %s\n", key, s->change);
		} else {
			offload_snippet(format, s->target, s->change, mem);
		}
		fclose(mem);
		rc = write_file(path, text, err, errlen);
		free(text);
		text = NULL;
		if (!rc) {
			size_t used = strlen(written);

			snprintf(written + used, wlen - used, "%s%s", used ? " " : "", path);
		}
	}
	return rc;
}

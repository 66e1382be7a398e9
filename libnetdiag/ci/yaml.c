/* The CI spec's YAML: libyaml's events to a node tree with positions,
 * and the typed readers of its values (ci_internal.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include <netdiag/ci.h>

#include "ci_internal.h"

void ci_ynode_free(struct ynode *y)
{
	if (!y)
		return;
	for (size_t i = 0; i < y->n; i++)
		ci_ynode_free(y->kids[i]);
	free(y->kids);
	free(y->text);
	free(y);
}

static int ynode_add(struct ynode *parent, struct ynode *kid)
{
	struct ynode **k = realloc(parent->kids, (parent->n + 1) * sizeof(*k));

	if (!k)
		return -ENOMEM;
	parent->kids = k;
	k[parent->n++] = kid;
	return 0;
}

int ci_fail_at(struct spec_ctx *c, unsigned line, unsigned col, const char *fmt, ...)
{
	char reason[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s:%u:%u: %s", c->path, line, col, reason);
	return -EINVAL;
}

#define DEPTH_MAX 16

int ci_yaml_tree(struct spec_ctx *c, FILE *in, struct ynode **root)
{
	struct ynode *stack[DEPTH_MAX];
	unsigned depth = 0;
	yaml_parser_t p;
	yaml_event_t ev;
	bool done = false;
	int ret = 0;

	*root = NULL;
	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_file(&p, in);
	while (!done) {
		struct ynode *y = NULL;

		if (!yaml_parser_parse(&p, &ev)) {
			ret = ci_fail_at(c, (unsigned)p.problem_mark.line + 1,
				      (unsigned)p.problem_mark.column + 1, "YAML syntax: %s%s%s",
				      p.problem ? p.problem : "error", p.context ? " " : "",
				      p.context ? p.context : "");
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (*root)
				ret = ci_fail_at(c, (unsigned)ev.start_mark.line + 1,
					      (unsigned)ev.start_mark.column + 1,
					      "one YAML document per spec");
			break;
		case YAML_ALIAS_EVENT:
			ret = ci_fail_at(c, (unsigned)ev.start_mark.line + 1,
				      (unsigned)ev.start_mark.column + 1,
				      "aliases are not supported in a spec");
			break;
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			y = calloc(1, sizeof(*y));
			if (!y) {
				ret = -ENOMEM;
				break;
			}
			y->line = (unsigned)ev.start_mark.line + 1;
			y->col = (unsigned)ev.start_mark.column + 1;
			y->type = ev.type == YAML_SCALAR_EVENT ? Y_SCALAR
				  : ev.type == YAML_SEQUENCE_START_EVENT ? Y_SEQ : Y_MAP;
			if (ev.type == YAML_SCALAR_EVENT) {
				y->text = strndup((const char *)ev.data.scalar.value,
						  ev.data.scalar.length);
				y->quoted = ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
				if (!y->text)
					ret = -ENOMEM;
			}
			if (!ret)
				ret = depth ? ynode_add(stack[depth - 1], y) : 0;
			if (ret) {
				ci_ynode_free(y);
				break;
			}
			if (!depth && !*root)
				*root = y;
			if (y->type != Y_SCALAR) {
				if (depth == DEPTH_MAX) {
					ret = fail_node(c, y, "nested too deep");
					break;
				}
				stack[depth++] = y;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth)
				depth--;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (ret)
			break;
	}
	yaml_parser_delete(&p);
	if (ret) {
		ci_ynode_free(*root);
		*root = NULL;
	}
	return ret;
}

/* ---- typed values ---- */

int ci_want_scalar(struct spec_ctx *c, const struct ynode *y, const char *what)
{
	return y->type == Y_SCALAR ? 0 : fail_node(c, y, "%s wants a single value, not a %s", what,
						      y->type == Y_SEQ ? "list" : "mapping");
}

int ci_get_bool(struct spec_ctx *c, const struct ynode *y, const char *what, bool *v)
{
	static const char *const yes[] = { "true", "yes", "on" }, *const no[] = { "false", "no", "off" };
	int ret = ci_want_scalar(c, y, what);

	if (ret)
		return ret;
	for (size_t i = 0; i < 3 && !y->quoted; i++) {
		if (!strcasecmp(y->text, yes[i]))
			return *v = true, 0;
		if (!strcasecmp(y->text, no[i]))
			return *v = false, 0;
	}
	return fail_node(c, y, "%s wants true or false (on/off), not '%s'", what, y->text);
}

int ci_get_number(struct spec_ctx *c, const struct ynode *y, const char *what, double lo,
		      double hi, double *v)
{
	char *end;
	int ret = ci_want_scalar(c, y, what);

	if (ret)
		return ret;
	errno = 0;
	*v = strtod(y->text, &end);
	if (y->quoted || !y->text[0] || *end || errno || !isfinite(*v))
		return fail_node(c, y, "%s wants a number, not '%s'", what, y->text);
	if (*v < lo || *v > hi)
		return fail_node(c, y, "%s: %s is out of range (%g to %g)", what, y->text, lo, hi);
	return 0;
}

int ci_get_ifname(struct spec_ctx *c, const struct ynode *y, const char *what, char *out)
{
	int ret = ci_want_scalar(c, y, what);

	if (ret)
		return ret;
	if (!y->text[0] || strlen(y->text) >= IF_NAMESIZE || strpbrk(y->text, "/ \t:"))
		return fail_node(c, y, "%s: '%s' is not an interface name", what, y->text);
	snprintf(out, IF_NAMESIZE, "%s", y->text);
	return 0;
}

int ci_get_ifnames(struct spec_ctx *c, const struct ynode *y, const char *what,
		   char out[][IF_NAMESIZE], unsigned *n)
{
	if (y->type != Y_SEQ)
		return fail_node(c, y, "%s wants a list of interface names", what);
	if (y->n > ND_CI_NAMES_MAX)
		return fail_node(c, y, "%s: at most %d names", what, ND_CI_NAMES_MAX);
	for (*n = 0; *n < y->n; (*n)++) {
		int ret = ci_get_ifname(c, y->kids[*n], what, out[*n]);

		if (ret)
			return ret;
	}
	return 0;
}

int ci_get_ipv4(struct spec_ctx *c, const struct ynode *y, const char *what, struct in_addr *a)
{
	int ret = ci_want_scalar(c, y, what);

	if (ret)
		return ret;
	if (inet_pton(AF_INET, y->text, a) != 1)
		return fail_node(c, y, "%s: '%s' is not an IPv4 address", what, y->text);
	return 0;
}


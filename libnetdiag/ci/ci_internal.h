/* The CI spec's YAML, private to libnetdiag/ci: the document as a small
 * node tree with positions (libyaml's event parser), and typed readers
 * that name FILE:LINE:COL when a value is not what a key wants. */
#ifndef ND_CI_INTERNAL_H
#define ND_CI_INTERNAL_H

#include <netinet/in.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>

enum ytype { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
	enum ytype type;
	char *text;              /* scalars */
	bool quoted;
	unsigned line, col;      /* 1-based */
	struct ynode **kids;     /* maps: key, value, key, value... */
	size_t n;
};

struct spec_ctx {
	const char *path;
	char *err;
	size_t errlen;
};

void ci_ynode_free(struct ynode *y);
/* The whole document as a tree; NULL root for an empty file. */
int ci_yaml_tree(struct spec_ctx *c, FILE *in, struct ynode **root);
/* err = "PATH:LINE:COL: reason"; returns -EINVAL */
int ci_fail_at(struct spec_ctx *c, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define fail_node(c, y, ...) ci_fail_at(c, (y)->line, (y)->col, __VA_ARGS__)

int ci_want_scalar(struct spec_ctx *c, const struct ynode *y, const char *what);
int ci_get_bool(struct spec_ctx *c, const struct ynode *y, const char *what, bool *v);
int ci_get_number(struct spec_ctx *c, const struct ynode *y, const char *what, double lo,
		  double hi, double *v);
int ci_get_ifname(struct spec_ctx *c, const struct ynode *y, const char *what, char *out);
/* a list of at most ND_CI_NAMES_MAX names */
int ci_get_ifnames(struct spec_ctx *c, const struct ynode *y, const char *what,
		   char out[][IF_NAMESIZE], unsigned *n);
int ci_get_ipv4(struct spec_ctx *c, const struct ynode *y, const char *what, struct in_addr *a);

#endif

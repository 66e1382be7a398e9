/* Routed guests, inside fix/: the saved set-up (route_guest_state.c). */
#ifndef ND_FIX_ROUTE_INTERNAL_H
#define ND_FIX_ROUTE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <netdiag/route.h>

/* RUN_DIR/guests opened (made when create), checked as the run directory
 * is (ours, no symlink): its fd, or -errno with err */
int nd_route_guests_dir(bool create, char *err, size_t errlen);
/* guests/NAME for g, replacing an older one: 0 or -errno with err */
int nd_route_guest_save(const struct nd_guest_route *g, char *err, size_t errlen);
/* ASIDE is the name `route guest del` keeps NAME's file under until the
 * deletion is undone: ".NAME.DIGITS" */
bool nd_route_guest_aside_ok(const char *aside, const char *name);

#endif

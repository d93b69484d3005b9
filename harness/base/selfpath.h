/* selfpath.h — paths relative to the running executable, so that an
 * installed tree can be moved as a whole (meson install --destdir, a copied
 * prefix) and still find its worker (pool/method/method_spawn.c) and its
 * plot templates (output/report.c): the executable's directory comes from
 * /proc/self/exe, and a relative path is joined to it.
 */
#ifndef MPB_SELFPATH_H
#define MPB_SELFPATH_H

#include <stddef.h>

/* The directory of the running executable, without a trailing slash, into
 * buf. 0, or -1 when /proc/self/exe cannot be read or buf is too short. */
int mpb_selfpath_dir(char *buf, size_t len);

/* The executable's directory joined with `rel` ("DIR/rel") into buf; an
 * absolute `rel` is copied as it is. 0, or -1 as mpb_selfpath_dir. */
int mpb_selfpath_join(const char *rel, char *buf, size_t len);

#endif

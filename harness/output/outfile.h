/* outfile.h — where a results document goes, and what happens to what the
 * path names already.
 *
 * A path is claimed once, before the first run, and written many times:
 *   - a regular file, or a path that does not exist yet, is replaced
 *     atomically on every write (a temporary file in the same directory,
 *     fsync, rename, fsync of the directory), keeping the mode and, for root,
 *     the owner of the file it replaces; the temporary file is removed on
 *     every error, and a stale one of a killed mpbench is removed at claim;
 *   - anything else that can be written (a character device such as
 *     /dev/null, a FIFO, a terminal, "-" for standard output) is written
 *     through, never renamed over, and only once: the final document;
 *   - a symbolic link is followed deliberately: to a regular file, that file
 *     is replaced in its own directory (the link stays a link); to anything
 *     else, it is written through; a dangling link is refused;
 *   - a directory is refused.
 * A claim also holds a lock, so that a second mpbench writing the same file
 * while the first runs is refused (exit 2) instead of silently overwriting
 * it. The lock is an abstract unix socket named for the file's directory
 * (device, inode) and name: the kernel drops it when the process ends, however
 * it ends, so no lock file is ever left behind.
 *
 * Claims are process-wide, like the locks they hold: they live until
 * mpb_outfile_release_all() or the process's exit. */
#ifndef MPB_OUTFILE_H
#define MPB_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/* Claim `path` for writing (see above). Claiming a path this process holds
 * already succeeds at once. 0, or -MPB_EINPUT naming the path and the
 * reason (a directory, a dangling link, no reader on a FIFO, a directory
 * that takes no new file, another mpbench writing it). */
int mpb_outfile_claim(const char *path, struct mpb_diag *d);

/* Claim `path` only if nothing is there and nobody holds it: for choosing a
 * default name that no other sweep is using. 0 claimed; 1 the path exists or
 * another process (or this one) holds it; else -MPB_EINPUT as above. */
int mpb_outfile_claim_unused(const char *path, struct mpb_diag *d);

/* Write `text` (n bytes) as the whole content of `path`. `final` is true for
 * the last write of a sweep; writes through a non-regular file happen only
 * then (earlier ones return 0 at once). `measured` says whether the document
 * holds any measured run: a final document that measured nothing does not
 * replace a regular file that existed when the path was claimed (the
 * previous results are worth more than an empty interrupted run). A path
 * that was not claimed is claimed first. 0 or -MPB_EIO (the previous file
 * kept) / -MPB_EINPUT (the claim failed). */
int mpb_outfile_write(const char *path, const char *text, size_t n, bool final,
		      bool measured, struct mpb_diag *d);

/* Whether the last write to `path` kept the previous file instead (a final
 * document that measured nothing, see above). */
bool mpb_outfile_kept_previous(const char *path);

/* Drop every claim and lock (for tests; the process's exit does the same). */
void mpb_outfile_release_all(void);

#endif

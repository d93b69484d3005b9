/* outfile.c — claiming and writing a results path (outfile.h says what
 * happens to each kind of path). */
#include "outfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "frame.h"

enum kind {
	REPLACE, /* a regular file, or nothing yet: atomic rename */
	THROUGH, /* a device, FIFO, terminal or standard output: written once */
};

struct claim {
	char *path;    /* as the user gave it */
	char *target;  /* REPLACE: the file replaced (a link's target, resolved) */
	enum kind kind;
	int fd;        /* THROUGH: open for writing (1 for "-"); else -1 */
	int lock;      /* the bound abstract socket, or -1 */
	char lock_name[107];     /* an abstract socket name is at most 107 bytes */
	bool existed;  /* REPLACE: a regular file was there at claim */
	bool written;  /* THROUGH: the final document went out */
	bool kept;     /* REPLACE: the final write kept the previous file */
	struct claim *next;
};

static struct claim *claims;

static struct claim *find(const char *path)
{
	for (struct claim *c = claims; c; c = c->next)
		if (strcmp(c->path, path) == 0)
			return c;
	return NULL;
}

static void claim_free(struct claim *c)
{
	if (!c)
		return;
	if (c->fd > 2)
		close(c->fd);
	if (c->lock >= 0)
		close(c->lock);
	free(c->path);
	free(c->target);
	free(c);
}

void mpb_outfile_release_all(void)
{
	while (claims) {
		struct claim *c = claims;
		claims = c->next;
		claim_free(c);
	}
}

/* FNV-1a: a fixed-size name for a file name of up to 255 bytes. */
static uint64_t fnv1a(const char *s)
{
	uint64_t h = 14695981039346656037ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void split(const char *path, char *dir, size_t dlen, char *base, size_t blen)
{
	char a[PATH_MAX], b[PATH_MAX];
	snprintf(a, sizeof a, "%s", path);
	snprintf(b, sizeof b, "%s", path);
	snprintf(dir, dlen, "%s", dirname(a));
	snprintf(base, blen, "%s", basename(b));
}

/* Bind the abstract socket that stands for c->target: 0 bound (c->lock
 * set), 1 another process holds it, or -MPB_EINPUT. */
static int lock_target(struct claim *c, struct mpb_diag *d)
{
	const char *target = c->target;
	char dir[PATH_MAX], base[NAME_MAX + 1];
	struct stat st;
	split(target, dir, sizeof dir, base, sizeof base);
	if (stat(dir, &st) < 0)
		return mpb_fail_errno(d, MPB_EINPUT, errno, "-o/--output: cannot write '%s' "
				      "(its directory)", target);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	/* The directory's birth time where the filesystem keeps one: an inode
	 * number is reused once a directory is removed, and a process that
	 * still held a claim in the old one must not lock the new one out. */
	struct statx sx;
	unsigned long long born = 0;
	if (statx(AT_FDCWD, dir, 0, STATX_BTIME, &sx) == 0 && (sx.stx_mask & STATX_BTIME))
		born = (unsigned long long)sx.stx_btime.tv_sec * 1000000000ull +
		       sx.stx_btime.tv_nsec;
	int n = snprintf(c->lock_name, sizeof c->lock_name,
			 "mpbench/results/%llx:%llx:%llx/%016llx", (unsigned long long)st.st_dev,
			 (unsigned long long)st.st_ino, born, (unsigned long long)fnv1a(base));
	/* A claim of ours with the same name is for a directory that was
	 * removed and whose inode the new one reuses: the lock passes on. */
	for (struct claim *o = claims; o; o = o->next)
		if (o->lock >= 0 && strcmp(o->lock_name, c->lock_name) == 0) {
			c->lock = o->lock;
			o->lock = -1;
			return 0;
		}
	memcpy(a.sun_path + 1, c->lock_name, (size_t)n);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return mpb_fail_errno(d, MPB_EINPUT, errno, "-o/--output: cannot lock '%s'", target);
	if (bind(s, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
						       (size_t)n)) < 0) {
		int e = errno;
		close(s);
		if (e == EADDRINUSE)
			return 1;
		return mpb_fail_errno(d, MPB_EINPUT, e, "-o/--output: cannot lock '%s'", target);
	}
	c->lock = s;
	return 0;
}

/* Remove target.tmp.PID files whose mpbench is gone (killed at the rename). */
static void remove_stale_tmp(const char *target)
{
	char dir[PATH_MAX], base[NAME_MAX + 1];
	split(target, dir, sizeof dir, base, sizeof base);
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	size_t bl = strlen(base);
	struct dirent *e;
	while ((e = readdir(dp))) {
		const char *n = e->d_name;
		if (strncmp(n, base, bl) != 0 || strncmp(n + bl, ".tmp.", 5) != 0)
			continue;
		char *end;
		long pid = strtol(n + bl + 5, &end, 10);
		if (*end || pid <= 0 || end == n + bl + 5)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* alive (or not ours to judge) */
		(void)unlinkat(dirfd(dp), n, 0);
	}
	closedir(dp);
}

static int tmp_name(const char *target, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s.tmp.%ld", target, (long)getpid());
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* A REPLACE target: its directory must take a new file. */
static int check_replaceable(const char *target, struct mpb_diag *d)
{
	char tmp[PATH_MAX];
	if (tmp_name(target, tmp, sizeof tmp) < 0)
		return mpb_fail(d, MPB_EINPUT, "-o/--output: path too long");
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return mpb_fail_errno(d, MPB_EINPUT, errno, "-o/--output: cannot write '%s'",
				      target);
	close(fd);
	unlink(tmp);
	return 0;
}

/* Open a non-regular file for writing through. A FIFO is opened without
 * blocking, so one with no reader is refused instead of hanging. */
static int open_through(const char *path, int *fd, struct mpb_diag *d)
{
	int f = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (f < 0) {
		if (errno == ENXIO)
			return mpb_fail(d, MPB_EINPUT, "-o/--output: '%s' is a FIFO with no reader",
					path);
		return mpb_fail_errno(d, MPB_EINPUT, errno, "-o/--output: cannot write '%s'", path);
	}
	int fl = fcntl(f, F_GETFL);
	if (fl >= 0)
		(void)fcntl(f, F_SETFL, fl & ~O_NONBLOCK);
	*fd = f;
	return 0;
}

/* Classify and claim; `unused` makes an existing or held path answer 1. */
static int claim(const char *path, bool unused, struct mpb_diag *d)
{
	if (!*path)
		return mpb_fail(d, MPB_EINPUT, "-o/--output: empty path");
	if (find(path))
		return unused ? 1 : 0;
	struct claim *c = calloc(1, sizeof *c);
	if (!c || !(c->path = strdup(path))) {
		free(c);
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	}
	c->fd = c->lock = -1;
	int rc = 0;
	struct stat lst, st;
	if (strcmp(path, "-") == 0) {
		c->kind = THROUGH;
		c->fd = STDOUT_FILENO;
	} else if (lstat(path, &lst) < 0) {
		if (errno != ENOENT)
			rc = mpb_fail_errno(d, MPB_EINPUT, errno, "-o/--output: cannot use '%s'", path);
		else if (!(c->target = strdup(path)))
			rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
	} else if (stat(path, &st) < 0) {
		rc = mpb_fail(d, MPB_EINPUT, "-o/--output: '%s' is a symbolic link to nothing "
			      "(accepted: a file path, an existing file, device or FIFO)", path);
	} else if (S_ISDIR(st.st_mode)) {
		rc = mpb_fail(d, MPB_EINPUT, "-o/--output: '%s' is a directory (accepted: a file path)",
			      path);
	} else if (!S_ISREG(st.st_mode)) {
		c->kind = THROUGH;
		rc = unused ? 1 : open_through(path, &c->fd, d);
	} else {
		c->existed = true;
		/* a link to a regular file: replace the file, keep the link */
		c->target = S_ISLNK(lst.st_mode) ? realpath(path, NULL) : strdup(path);
		if (!c->target)
			rc = mpb_fail_errno(d, MPB_EINPUT, errno, "-o/--output: cannot resolve '%s'",
					    path);
		else if (unused)
			rc = 1;
	}
	if (rc == 0 && c->kind == REPLACE) {
		int l = lock_target(c, d);
		if (l == 1 && !unused)
			rc = mpb_fail(d, MPB_EINPUT, "-o/--output: another mpbench is writing '%s' "
				      "now; wait for it or choose another path", path);
		else
			rc = l;
		if (rc == 0) {
			remove_stale_tmp(c->target);
			rc = check_replaceable(c->target, d);
		}
	}
	if (rc != 0) {
		claim_free(c);
		return rc;
	}
	c->next = claims;
	claims = c;
	return 0;
}

int mpb_outfile_claim(const char *path, struct mpb_diag *d)
{
	return claim(path, false, d);
}

int mpb_outfile_claim_unused(const char *path, struct mpb_diag *d)
{
	return claim(path, true, d);
}

static int fsync_dir_of(const char *path)
{
	char dir[PATH_MAX], base[NAME_MAX + 1];
	split(path, dir, sizeof dir, base, sizeof base);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

static int replace(struct claim *c, const char *text, size_t n, struct mpb_diag *d)
{
	char tmp[PATH_MAX];
	if (tmp_name(c->target, tmp, sizeof tmp) < 0)
		return mpb_fail(d, MPB_EIO, "%s: path too long", c->path);
	unlink(tmp); /* a stale file of ours; O_EXCL then refuses a planted symlink */
	/* 0666 less the umask for a new file, like any program that creates one */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0)
		return mpb_fail_errno(d, MPB_EIO, errno, "%s: cannot write results", tmp);
	int e = 0;
	struct stat old;
	if (stat(c->target, &old) == 0 && S_ISREG(old.st_mode)) {
		/* the replaced file's mode, and for root its owner too */
		if (fchmod(fd, old.st_mode & 07777) < 0)
			e = errno;
		if (!e && geteuid() == 0 && fchown(fd, old.st_uid, old.st_gid) < 0)
			e = errno;
	}
	if (!e) {
		int rc = mpb_io_write_all(fd, text, n);
		e = rc < 0 ? -rc : 0;
	}
	if (!e && fsync(fd) < 0)
		e = errno;
	if (close(fd) < 0 && !e)
		e = errno;
	if (!e && rename(tmp, c->target) < 0)
		e = errno;
	if (e) {
		unlink(tmp);
		return mpb_fail_errno(d, MPB_EIO, e, "%s: writing results failed (previous file kept)",
				      c->path);
	}
	/* the rename is done and the data is on disk; a failed directory fsync
	 * only risks the rename on a crash, which leaves the previous file */
	(void)fsync_dir_of(c->target);
	return 0;
}

bool mpb_outfile_kept_previous(const char *path)
{
	const struct claim *c = find(path);
	return c && c->kept;
}

int mpb_outfile_write(const char *path, const char *text, size_t n, bool final,
		      bool measured, struct mpb_diag *d)
{
	struct claim *c = find(path);
	if (!c) {
		int rc = mpb_outfile_claim(path, d);
		if (rc < 0) /* too late to be bad input: this is a failed write */
			return d ? (d->code = MPB_EIO, -MPB_EIO) : -MPB_EIO;
		if (!(c = find(path)))
			return mpb_fail(d, MPB_EIO, "%s: not claimed", path);
	}
	if (c->kind == REPLACE) {
		c->kept = final && !measured && c->existed;
		if (c->kept)
			return 0; /* keep the previous results */
		return replace(c, text, n, d);
	}
	if (!final || c->written)
		return 0;
	c->written = true;
	int rc = mpb_io_write_all(c->fd, text, n);
	if (rc < 0)
		return mpb_fail_errno(d, MPB_EIO, -rc, "%s: writing results failed", path);
	return 0;
}

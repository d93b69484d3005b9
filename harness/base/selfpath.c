/* selfpath.c — paths relative to the running executable (see selfpath.h). */
#include "selfpath.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int mpb_selfpath_dir(char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	int w = snprintf(buf, len, "%s", slash == exe ? "/" : exe);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

int mpb_selfpath_join(const char *rel, char *buf, size_t len)
{
	int w;
	if (rel[0] == '/') {
		w = snprintf(buf, len, "%s", rel);
		return w < 0 || (size_t)w >= len ? -1 : 0;
	}
	char dir[PATH_MAX];
	if (mpb_selfpath_dir(dir, sizeof dir) < 0)
		return -1;
	w = snprintf(buf, len, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", rel);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

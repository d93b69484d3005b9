/* flat_dir.h — removing a scratch directory that holds only files (no
 * subdirectories), for the tests and fuzz targets that make one. */
#ifndef MPB_TEST_FLAT_DIR_H
#define MPB_TEST_FLAT_DIR_H

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

/* Remove every entry of dir, then dir itself; what rmdir(2) returns. */
static inline int flat_dir_remove(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	while (dp && (e = readdir(dp)))
		if (e->d_name[0] != '.')
			unlinkat(dirfd(dp), e->d_name, 0);
	if (dp)
		closedir(dp);
	return rmdir(dir);
}

#endif

/* fake_root.h — a scratch directory standing for / in the tests of code
 * that reads /proc and /sys under a root (machine/machine.c, machine/cpu.c):
 * files put under it, and cmocka setup/teardown that make and remove it.
 * Include after cmocka.h. */
#ifndef MPB_TEST_FAKE_ROOT_H
#define MPB_TEST_FAKE_ROOT_H

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* mkdir -p of every directory component of root+rel, then write text there. */
static void put_file(const char *root, const char *rel, const char *text)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof path, "%s%s", root, rel);
	assert_true(n > 0 && (size_t)n < sizeof path);
	for (char *p = path + strlen(root) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			(void)mkdir(path, 0755);
			*p = '/';
		}
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb; (void)type; (void)ftw;
	return remove(path);
}

/* Setup/teardown: *state is a fresh mkdtemp directory, removed afterwards
 * even when the test fails. */
static int make_root(void **state)
{
	char *root = strdup("/tmp/mpb_root_XXXXXX");
	if (!root || !mkdtemp(root)) {
		free(root);
		return -1;
	}
	*state = root;
	return 0;
}

static int remove_root(void **state)
{
	int rc = nftw(*state, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(*state);
	return rc == 0 ? 0 : -1;
}

#endif

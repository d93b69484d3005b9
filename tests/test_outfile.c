/* test_outfile.c — unit tests for harness/output/outfile.c: what each kind of
 * path gets, the lock between claimants, the previous file kept when nothing
 * was measured, and no temporary file left behind. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flat_dir.h"
#include "outfile.h"

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/mpb-outfile-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	mpb_outfile_release_all();
	return flat_dir_remove(dir);
}

static void in_dir(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "re");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static size_t entries(void)
{
	size_t n = 0;
	DIR *dp = opendir(dir);
	struct dirent *e;
	while ((e = readdir(dp)))
		n += e->d_name[0] != '.';
	closedir(dp);
	return n;
}

static void test_new_file_replaced_atomically(void **state)
{
	(void)state;
	char p[128];
	struct mpb_diag d = { 0 };
	in_dir(p, sizeof p, "a.json");
	assert_int_equal(mpb_outfile_claim(p, &d), 0);
	assert_int_equal(entries(), 0); /* claiming writes nothing */
	assert_int_equal(mpb_outfile_write(p, "one", 3, false, true, &d), 0);
	assert_string_equal(slurp(p), "one");
	assert_int_equal(mpb_outfile_write(p, "two", 3, true, true, &d), 0);
	assert_string_equal(slurp(p), "two");
	assert_int_equal(entries(), 1); /* no temporary file left */
	assert_false(mpb_outfile_kept_previous(p));
}

static void test_mode_kept_and_previous_kept(void **state)
{
	(void)state;
	char p[128];
	struct mpb_diag d = { 0 };
	in_dir(p, sizeof p, "b.json");
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "old", 3), 3);
	close(fd);
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(mpb_outfile_claim(p, &d), 0);
	/* a final document without a measured run keeps the file that was there */
	assert_int_equal(mpb_outfile_write(p, "empty", 5, true, false, &d), 0);
	assert_string_equal(slurp(p), "old");
	assert_true(mpb_outfile_kept_previous(p));
	/* one that measured something replaces it, with the same mode */
	assert_int_equal(mpb_outfile_write(p, "new", 3, true, true, &d), 0);
	assert_string_equal(slurp(p), "new");
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
}

static void test_refusals(void **state)
{
	(void)state;
	char p[128], q[128];
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_outfile_claim(dir, &d), -MPB_EINPUT);
	assert_non_null(strstr(d.msg, "is a directory"));
	in_dir(p, sizeof p, "dangling.json");
	assert_int_equal(symlink("nowhere", p), 0);
	d = (struct mpb_diag){ 0 };
	assert_int_equal(mpb_outfile_claim(p, &d), -MPB_EINPUT);
	assert_non_null(strstr(d.msg, "symbolic link to nothing"));
	in_dir(q, sizeof q, "fifo");
	assert_int_equal(mkfifo(q, 0600), 0);
	d = (struct mpb_diag){ 0 };
	assert_int_equal(mpb_outfile_claim(q, &d), -MPB_EINPUT);
	assert_non_null(strstr(d.msg, "FIFO with no reader"));
	d = (struct mpb_diag){ 0 };
	assert_int_equal(mpb_outfile_claim("", &d), -MPB_EINPUT);
}

/* The lock is held per process: a child (another claimant) is refused
 * while this process holds the path, and gets it once it is released. */
static void test_lock_between_processes(void **state)
{
	(void)state;
	char p[128];
	struct mpb_diag d = { 0 };
	in_dir(p, sizeof p, "c.json");
	assert_int_equal(mpb_outfile_claim(p, &d), 0);
	assert_int_equal(mpb_outfile_claim_unused(p, &d), 1); /* ours already */
	for (int round = 0; round < 2; round++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			/* drop the inherited claims, as a separate mpbench has
			 * none: the parent's bound socket is what must refuse */
			mpb_outfile_release_all();
			struct mpb_diag cd = { 0 };
			int rc = mpb_outfile_claim_unused(p, &cd);
			_exit(rc == 1 ? 1 : rc == 0 ? 0 : 2);
		}
		int st;
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st));
		if (round == 0) {
			assert_int_equal(WEXITSTATUS(st), 1);
			mpb_outfile_release_all();
		} else {
			assert_int_equal(WEXITSTATUS(st), 0);
		}
	}
}

static void test_written_through_once(void **state)
{
	(void)state;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_outfile_claim("/dev/null", &d), 0);
	assert_int_equal(mpb_outfile_write("/dev/null", "x", 1, false, true, &d), 0);
	assert_int_equal(mpb_outfile_write("/dev/null", "x", 1, true, true, &d), 0);
	struct stat st;
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	if (access("/dev/full", W_OK) == 0) {
		assert_int_equal(mpb_outfile_claim("/dev/full", &d), 0);
		/* not final: nothing is written yet, so nothing fails */
		assert_int_equal(mpb_outfile_write("/dev/full", "x", 1, false, true, &d), 0);
		assert_int_equal(mpb_outfile_write("/dev/full", "x", 1, true, true, &d), -MPB_EIO);
		assert_non_null(strstr(d.msg, strerror(ENOSPC)));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_file_replaced_atomically, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_mode_kept_and_previous_kept, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_refusals, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_lock_between_processes, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_written_through_once, make_dir, remove_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

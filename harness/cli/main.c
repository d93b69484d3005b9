/* main.c — parse, validate, run, print the one error, exit with its status. */
#include <errno.h>
#include <stdio.h>

#include "cli.h"
#include "diag.h"

int main(int argc, char **argv)
{
	struct mpb_diag d = { 0 };
	int rc = mpb_cli_main(argc, argv, &d);
	/* a table or listing that could not be written is a failure, not a
	 * success that printed nothing (stdout on /dev/full, a closed pipe) */
	if ((fflush(stdout) != 0 || ferror(stdout)) && rc >= 0)
		rc = mpb_fail_errno(&d, MPB_EIO, errno, "writing to standard output failed");
	if (rc < 0) {
		fprintf(stderr, "mpbench: error: %s\n", d.msg[0] ? d.msg : "failed");
		return mpb_diag_exit_status(-rc);
	}
	return 0;
}

/* main.c — parse, validate, run, print the one error, exit with its status. */
#include <stdio.h>

#include "cli.h"
#include "diag.h"

int main(int argc, char **argv)
{
	struct mpb_diag d = { 0 };
	int rc = mpb_cli_main(argc, argv, &d);
	fflush(stdout);
	if (rc < 0) {
		fprintf(stderr, "mpbench: error: %s\n", d.msg[0] ? d.msg : "failed");
		return mpb_diag_exit_status(-rc);
	}
	return 0;
}

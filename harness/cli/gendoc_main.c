/* gendoc_main.c — mpbench-gendoc, a build tool (not installed): writes the
 * man page or a shell completion to stdout from the command and option
 * tables (docs.h), for harness/meson.build to install. */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "docs.h"

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*write)(FILE *f, struct mpb_diag *d);
	} outputs[] = {
		{ "man", mpb_docs_man },
		{ "bash", mpb_docs_bash },
		{ "zsh", mpb_docs_zsh },
		{ "options", mpb_docs_options },
	};
	struct mpb_diag d = { 0 };
	for (size_t i = 0; argc == 2 && i < sizeof outputs / sizeof outputs[0]; i++)
		if (strcmp(argv[1], outputs[i].name) == 0) {
			int rc = outputs[i].write(stdout, &d);
			if (rc < 0)
				fprintf(stderr, "mpbench-gendoc: error: %s\n", d.msg);
			return rc < 0 ? 1 : 0;
		}
	fprintf(stderr, "usage: mpbench-gendoc man|bash|zsh|options\n");
	return 2;
}

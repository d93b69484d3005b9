/* test_docs.c — cmocka tests for harness/cli/docs.c: the man page and the
 * bash and zsh completions hold every command and every option of the
 * tables, in the right command's part; roff and shell quoting are escaped;
 * a write error is reported. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "cli.h"
#include "docs.h"
#include "options.h"

static char *render(int (*fn)(FILE *, struct mpb_diag *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct mpb_diag d = { 0 };
	assert_int_equal(fn(f, &d), 0);
	fclose(f);
	return buf;
}

/* The part of text from `head` to the next `stop` (or the end),
 * NUL-terminated in a copy. */
static char *part(const char *text, const char *head, const char *until)
{
	const char *at = strstr(text, head);
	assert_non_null(at);
	const char *stop = strstr(at + strlen(head), until);
	size_t n = stop ? (size_t)(stop - at) : strlen(at);
	char *copy = malloc(n + 1);
	assert_non_null(copy);
	memcpy(copy, at, n);
	copy[n] = '\0';
	return copy;
}

static void man_has_every_command_and_option(void **state)
{
	(void)state;
	char *man = render(mpb_docs_man);
	assert_true(strncmp(man, ".\\\"", 3) == 0);
	assert_non_null(strstr(man, "\n.TH MPBENCH 1 "));
	size_t n;
	const struct mpb_cli_command *cmds = mpb_cli_commands(&n);
	for (size_t i = 0; i < n; i++) {
		char head[64];
		snprintf(head, sizeof head, ".SS \"mpbench %s ", cmds[i].name);
		char *sec = part(man, head, "\n.SS ");
		struct mpb_option_info o;
		for (size_t k = 0; mpb_options_describe(k, &o) == 0; k++) {
			if (!(o.cmds & cmds[i].mask))
				continue;
			char want[96], name[64];
			/* every '-' of the name as \- */
			size_t w = 0;
			for (const char *p = o.name; *p && w + 3 < sizeof name; p++) {
				if (*p == '-')
					name[w++] = '\\';
				name[w++] = *p;
			}
			name[w] = '\0';
			snprintf(want, sizeof want, "\\fB\\-\\-%s\\fR", name);
			assert_non_null(strstr(sec, want));
			if (o.short_name) {
				snprintf(want, sizeof want, "\\fB\\-%c\\fR, \\fB\\-\\-%s", o.short_name,
					 name);
				assert_non_null(strstr(sec, want));
			}
		}
		free(sec);
	}
	/* no line of text starts with a control character by accident */
	for (const char *l = man; l; l = strchr(l, '\n')) {
		l += *l == '\n';
		assert_true(*l != '\'');
	}
	free(man);
}

static void completions_have_every_option(void **state)
{
	(void)state;
	char *bash = render(mpb_docs_bash);
	char *zsh = render(mpb_docs_zsh);
	assert_non_null(strstr(bash, "\ncomplete -F _mpbench mpbench\n"));
	assert_true(strncmp(zsh, "#compdef mpbench\n", 17) == 0);
	size_t n;
	const struct mpb_cli_command *cmds = mpb_cli_commands(&n);
	for (size_t i = 0; i < n; i++) {
		char head[64];
		snprintf(head, sizeof head, "\n    %s)\n", cmds[i].name);
		char *b = part(bash, head, "\" ;;\n");
		snprintf(head, sizeof head, "\n  %s)\n", cmds[i].name);
		char *z = part(zsh, head, ";;\n");
		char *o_at = strstr(b, "opts=\"");
		assert_non_null(o_at);
		char opts[4096]; /* the words, space before and after each */
		snprintf(opts, sizeof opts, " %s ", o_at + 6);
		struct mpb_option_info o;
		for (size_t k = 0; mpb_options_describe(k, &o) == 0; k++) {
			if (!(o.cmds & cmds[i].mask))
				continue;
			char want[96];
			snprintf(want, sizeof want, " --%s ", o.name);
			assert_non_null(strstr(opts, want));
			if (o.short_name) {
				snprintf(want, sizeof want, "{-%c,--%s}'[", o.short_name, o.name);
			} else {
				snprintf(want, sizeof want, "'--%s[", o.name);
			}
			assert_non_null(strstr(z, want));
		}
		free(b);
		free(z);
	}
	/* values listed by a metavar are offered; an apostrophe in a help text
	 * is closed and reopened in zsh's single quotes */
	assert_non_null(strstr(bash, "--format) COMPREPLY=($(compgen -W \"md json\""));
	assert_non_null(strstr(zsh, "'\\''"));
	free(bash);
	free(zsh);
}

static void options_lists_the_table(void **state)
{
	(void)state;
	char *list = render(mpb_docs_options);
	assert_non_null(strstr(list, "sweep\t--workers\t-j\n"));
	assert_non_null(strstr(list, "compare\t--threshold\t-\n"));
	assert_null(strstr(list, "sweep\t--threshold"));
	free(list);
}

/* plan/options.c names commands in its errors by their bits: the same
 * names as the command table */
static void command_names_agree(void **state)
{
	(void)state;
	size_t n;
	const struct mpb_cli_command *cmds = mpb_cli_commands(&n);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(mpb_options_command_name(cmds[i].mask));
		assert_string_equal(mpb_options_command_name(cmds[i].mask), cmds[i].name);
	}
	assert_null(mpb_options_command_name(0));
	assert_null(mpb_options_command_name(3));
}

static void write_error_is_reported(void **state)
{
	(void)state;
	FILE *f = fopen("/dev/full", "w");
	if (!f)
		skip();
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_docs_man(f, &d), -MPB_EIO);
	assert_non_null(strstr(d.msg, "writing"));
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(man_has_every_command_and_option),
		cmocka_unit_test(completions_have_every_option),
		cmocka_unit_test(options_lists_the_table),
		cmocka_unit_test(command_names_agree),
		cmocka_unit_test(write_error_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

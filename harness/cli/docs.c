/* docs.c — the man page and the shell completions from the command and
 * option tables (see docs.h). */
#include "docs.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "builtin.h"
#include "cli.h"
#include "mpb_config.h"
#include "options.h"

/* Every option entry of command c, into oi in turn. */
#define FOR_OPTIONS(c, oi)                                                   \
	for (size_t i_ = 0; mpb_options_describe(i_, &(oi)) == 0; i_++)      \
		if ((oi).cmds & (c)->mask)

static int done(FILE *f, struct mpb_diag *d)
{
	if (fflush(f) != 0 || ferror(f))
		return mpb_fail_errno(d, MPB_EIO, errno, "writing the documentation failed");
	return 0;
}

/* ---- man page ---- */

/* Text for roff: backslashes escaped, '-' as \- (so options copy right), a
 * control character at the start of a line defused, newlines as spaces. */
static void roff(FILE *f, const char *s)
{
	bool bol = true;
	for (; *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", f);
		bol = false;
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else if (*s == '\n')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

static void man_option(FILE *f, const struct mpb_option_info *o)
{
	fputs(".TP\n", f);
	if (o->short_name)
		fprintf(f, "\\fB\\-%c\\fR, ", o->short_name);
	fputs("\\fB\\-\\-", f);
	roff(f, o->name);
	fputs("\\fR", f);
	if (o->metavar) {
		fputs(" \\fI", f);
		roff(f, o->metavar);
		fputs("\\fR", f);
	}
	fputc('\n', f);
	roff(f, o->help);
	if (o->def) {
		fputs(" [", f);
		roff(f, o->def);
		fputc(']', f);
	}
	fputc('\n', f);
}

int mpb_docs_man(FILE *f, struct mpb_diag *d)
{
	size_t n;
	const struct mpb_cli_command *cmds = mpb_cli_commands(&n);
	fprintf(f, ".\\\" mpbench.1, written by mpbench-gendoc from the command and option tables\n"
		   ".TH MPBENCH 1 \"\" \"mpbench %s\" \"User Commands\"\n"
		   ".SH NAME\nmpbench \\- benchmark and profile process pools\n"
		   ".SH SYNOPSIS\n.B mpbench\n.I COMMAND\n[\\fIoptions\\fR] [\\fIARGUMENTS\\fR]\n"
		   ".br\n.B mpbench help\n[\\fICOMMAND\\fR]\n.br\n.B mpbench \\-\\-version\n",
		MPB_VERSION);
	fputs(".SH DESCRIPTION\nmpbench runs a native C process pool whose parts mirror "
	      "Python's multiprocessing (start method, codec, transport, chunked map) over pooled "
	      "workloads or an external command, crosses worker counts, task sizes, start methods "
	      "and chunk sizes, times every run with a per\\-phase breakdown, compares it with a "
	      "serial baseline and writes everything to JSON (schema mpbench.results/1).\n"
	      ".PP\nLists are comma\\-separated. Sizes take k/M/G (decimal, for counts) and "
	      "KiB/MiB/GiB for bytes. An option's value may follow it as the next argument or "
	      "after '='; short flags can be bundled as getopt allows (\\fB\\-qr 3\\fR is "
	      "\\fB\\-q \\-r 3\\fR). Help is wrapped to $COLUMNS, else the terminal's width, "
	      "else 80 columns.\n"
	      ".SH COMMANDS\n", f);
	for (size_t i = 0; i < n; i++) {
		const struct mpb_cli_command *c = &cmds[i];
		fprintf(f, ".SS \"mpbench %s [options]%s", c->name, c->args ? " " : "");
		if (c->args)
			roff(f, c->args);
		fputs("\"\n", f);
		roff(f, c->summary);
		fputc('\n', f);
		struct mpb_option_info o;
		FOR_OPTIONS(c, o)
			man_option(f, &o);
	}
	fputs(".SS \"mpbench help [COMMAND]\"\nThe list of commands, or a command's options "
	      "(the same as \\fBmpbench\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR).\n"
	      ".SS \"mpbench \\-\\-version\"\nThe version and the git revision it was built "
	      "from (also \\fB\\-V\\fR).\n"
	      ".SH EXIT STATUS\n.TP\n0\nsuccess\n.TP\n1\na run or point failed (results still "
	      "written, the failure recorded in the point's error)\n.TP\n2\nbad usage or bad "
	      "input (nothing written)\n.TP\n3\n\\fBcompare\\fR found a regression\n.TP\n130\n"
	      "interrupted (partial results written with status \"interrupted\")\n"
	      ".SH ENVIRONMENT\n.TP\n.B MPBENCH_WORKER\nthe worker executable of the spawn start "
	      "method [mpbench\\-worker beside mpbench, else the installed one under "
	      "libexec/mpbench]\n.TP\n.B MPBENCH_PLOTS_DIR\nthe gnuplot templates of "
	      "\\fBreport\\fR [share/mpbench/plots of the installation]\n"
	      ".SH SEE ALSO\n\\fBgnuplot\\fR(1), \\fBperf_event_open\\fR(2); the results schema "
	      "in results/README.md of the source tree.\n", f);
	return done(f, d);
}

/* ---- completions ---- */

/* The words an option's metavar lists ("json|csv|md", "LIST|auto" -> "auto"):
 * its lower-case alternatives, space-separated, into buf (empty when none). */
static void metavar_words(const char *metavar, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	if (!metavar || !strchr(metavar, '|'))
		return;
	const char *p = metavar;
	while (*p) {
		size_t w = strcspn(p, "|");
		bool lower = w > 0;
		for (size_t k = 0; k < w; k++)
			lower = lower && (islower((unsigned char)p[k]) || isdigit((unsigned char)p[k]));
		if (lower && used + w + 2 < len) {
			used += (size_t)snprintf(buf + used, len - used, "%s%.*s", used ? " " : "",
						 (int)w, p);
		}
		p += w + (p[w] == '|');
	}
}

static bool takes_path(const struct mpb_option_info *o)
{
	return o->metavar && (strcmp(o->metavar, "FILE") == 0 || strcmp(o->metavar, "DIR") == 0);
}

static void command_names(FILE *f, const struct mpb_cli_command *cmds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? " " : "", cmds[i].name);
}

int mpb_docs_bash(FILE *f, struct mpb_diag *d)
{
	size_t n;
	const struct mpb_cli_command *cmds = mpb_cli_commands(&n);
	fputs("# bash completion for mpbench, written by mpbench-gendoc from its command and\n"
	      "# option tables\n_mpbench()\n{\n"
	      "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "    local cmd=${COMP_WORDS[1]} opts=\n"
	      "    COMPREPLY=()\n"
	      "    if [[ $COMP_CWORD -eq 1 ]]; then\n"
	      "        COMPREPLY=($(compgen -W \"", f);
	command_names(f, cmds, n);
	fputs(" help --help --version -V\" -- \"$cur\"))\n        return\n    fi\n"
	      "    case $cmd in\n    help)\n        [[ $COMP_CWORD -eq 2 ]] && "
	      "COMPREPLY=($(compgen -W \"", f);
	command_names(f, cmds, n);
	fputs("\" -- \"$cur\"))\n        return ;;\n", f);
	for (size_t i = 0; i < n; i++) {
		const struct mpb_cli_command *c = &cmds[i];
		struct mpb_option_info o;
		fprintf(f, "    %s)\n        case $prev in\n", c->name);
		FOR_OPTIONS(c, o) {
			if (!o.takes_value)
				continue;
			char words[256];
			metavar_words(o.metavar, words, sizeof words);
			fputs("        ", f);
			if (o.short_name)
				fprintf(f, "-%c|", o.short_name);
			fprintf(f, "--%s) ", o.name);
			if (takes_path(&o))
				fputs("COMPREPLY=($(compgen -f -- \"$cur\")); ", f);
			else if (words[0])
				fprintf(f, "COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); ", words);
			fputs("return ;;\n", f);
		}
		fputs("        esac\n        opts=\"", f);
		bool first = true;
		FOR_OPTIONS(c, o) {
			if (o.short_name)
				fprintf(f, "%s-%c", first ? "" : " ", o.short_name);
			fprintf(f, "%s--%s", first && !o.short_name ? "" : " ", o.name);
			first = false;
		}
		fputs("\" ;;\n", f);
	}
	fputs("    *) return ;;\n    esac\n"
	      "    if [[ $cur == -* ]]; then\n"
	      "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
	      "    else\n"
	      "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
	      "    fi\n}\ncomplete -F _mpbench mpbench\n", f);
	return done(f, d);
}

/* Text inside a single-quoted _arguments spec's [description]: the first
 * clause of the help, with ' [ ] : and \ escaped. */
static void zsh_desc(FILE *f, const char *s)
{
	size_t len = strcspn(s, ";(");
	while (len > 0 && s[len - 1] == ' ')
		len--;
	for (size_t k = 0; k < len; k++) {
		if (s[k] == '\'')
			fputs("'\\''", f);
		else if (strchr("[]:\\", s[k]))
			fprintf(f, "\\%c", s[k]);
		else if (s[k] == '\n')
			fputc(' ', f);
		else
			fputc(s[k], f);
	}
}

static void zsh_option(FILE *f, const struct mpb_option_info *o)
{
	fputs("      ", f);
	if (o->short_name)
		fprintf(f, "'(-%c --%s)'{-%c,--%s}'", o->short_name, o->name, o->short_name, o->name);
	else
		fprintf(f, "'--%s", o->name);
	fputc('[', f);
	zsh_desc(f, o->help);
	fputc(']', f);
	if (o->takes_value) {
		char words[256];
		metavar_words(o->metavar, words, sizeof words);
		fputc(':', f);
		for (const char *m = o->metavar; *m; m++)
			fputc(*m == ':' ? ' ' : *m, f);
		fputc(':', f);
		if (takes_path(o))
			fputs("_files", f);
		else if (words[0])
			fprintf(f, "(%s)", words);
	}
	fputs("' \\\n", f);
}

int mpb_docs_zsh(FILE *f, struct mpb_diag *d)
{
	size_t n;
	const struct mpb_cli_command *cmds = mpb_cli_commands(&n);
	fputs("#compdef mpbench\n# zsh completion for mpbench, written by mpbench-gendoc from "
	      "its command and\n# option tables\n_mpbench() {\n  local -a commands\n"
	      "  commands=(\n", f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "    '%s:", cmds[i].name);
		zsh_desc(f, cmds[i].brief);
		fputs("'\n", f);
	}
	fputs("    'help:a command'\\''s options, or the list of commands'\n  )\n"
	      "  if (( CURRENT == 2 )); then\n"
	      "    _describe -t commands 'mpbench command' commands\n"
	      "    _arguments '(- *)'{-V,--version}'[the version]' '(- *)--help[the commands]'\n"
	      "    return\n  fi\n  local cmd=$words[2]\n  shift words\n  (( CURRENT-- ))\n"
	      "  case $cmd in\n  help)\n"
	      "    (( CURRENT == 2 )) && _describe -t commands 'mpbench command' commands ;;\n", f);
	for (size_t i = 0; i < n; i++) {
		const struct mpb_cli_command *c = &cmds[i];
		struct mpb_option_info o;
		fprintf(f, "  %s)\n    _arguments -s \\\n", c->name);
		FOR_OPTIONS(c, o)
			zsh_option(f, &o);
		fprintf(f, "      %s ;;\n", c->args ? "'*:file:_files'" : "");
	}
	fputs("  esac\n}\n_mpbench \"$@\"\n", f);
	return done(f, d);
}

int mpb_docs_options(FILE *f, struct mpb_diag *d)
{
	size_t n;
	const struct mpb_cli_command *cmds = mpb_cli_commands(&n);
	for (size_t i = 0; i < n; i++) {
		struct mpb_option_info o;
		FOR_OPTIONS(&cmds[i], o) {
			fprintf(f, "%s\t--%s\t", cmds[i].name, o.name);
			if (o.short_name)
				fprintf(f, "-%c\n", o.short_name);
			else
				fputs("-\n", f);
		}
	}
	return done(f, d);
}

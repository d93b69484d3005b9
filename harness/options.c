/* options.c — the option table and its parser (see options.h). */
#include "options.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

enum kind { OPT_STR, OPT_U64, OPT_FLAG };

#define SWEEPLIKE (MPB_CMD_SWEEP | MPB_CMD_RUN)

struct option_def {
	const char *name;      /* long name, without "--" */
	char short_name;       /* 0 when none */
	enum kind kind;
	size_t offset;         /* field in struct mpb_config */
	size_t given_offset;   /* bool field set when given on the command line, or 0 */
	const char *def;       /* default (NULL: none; the plan picks per workload) */
	uint64_t min, max;     /* range for OPT_U64 */
	const char *metavar;
	const char *help;
	unsigned cmds;
};

#define F(field) offsetof(struct mpb_config, field)

static const struct option_def table[] = {
	{ "workload", 'w', OPT_STR, F(workloads), 0, "sumsq", 0, 0, "LIST",
	  "workloads to run (see `mpbench list`)", SWEEPLIKE },
	{ "sizes", 's', OPT_STR, F(sizes), F(given_sizes), NULL, 0, 0, "LIST",
	  "work per task, in the workload's unit (k/M/G; KiB/MiB for bytes) [workload default]",
	  SWEEPLIKE },
	{ "workers", 'j', OPT_STR, F(workers), 0, "auto", 0, 0, "LIST|auto",
	  "pool sizes; auto = 1, 2, 4, ... up to 2 x usable CPUs, plus the usable count", SWEEPLIKE },
	{ "methods", 'm', OPT_STR, F(methods), 0, "fork", 0, 0, "LIST", "start methods", SWEEPLIKE },
	{ "chunksize", 'c', OPT_STR, F(chunksizes), 0, "python", 0, 0, "LIST",
	  "tasks per message: integers or python (ceil(tasks / (4 x workers)))", SWEEPLIKE },
	{ "codec", 0, OPT_STR, F(codecs), 0, "raw", 0, 0, "LIST", "argument/result codecs", SWEEPLIKE },
	{ "transport", 0, OPT_STR, F(transports), 0, "pipe", 0, 0, "LIST", "byte transports",
	  SWEEPLIKE },
	{ "tasks", 't', OPT_STR, F(tasks), F(given_tasks), NULL, 0, 0, "LIST",
	  "tasks per map call [workload default]", SWEEPLIKE },
	{ "parent-rss", 0, OPT_STR, F(parent_rss), 0, "0", 0, 0, "SIZES",
	  "private memory the harness touches before starting each pool (fork copies its page "
	  "tables; spawn and forkserver do not)", SWEEPLIKE },
	{ "runs", 'r', OPT_U64, F(runs), 0, "5", 1, 100000, "N", "measured runs per point",
	  SWEEPLIKE },
	{ "warmup", 0, OPT_U64, F(warmup), 0, "1", 0, 1000, "N",
	  "warm-up rounds before measuring (discarded)", SWEEPLIKE },
	{ "seed", 0, OPT_U64, F(seed), 0, "1", 0, INT64_MAX, "N",
	  "seed of the run order and of every random choice", SWEEPLIKE },
	{ "output", 'o', OPT_STR, F(output), 0, NULL, 0, 0, "FILE",
	  "results JSON [results/<host>-<UTC time>.json]", SWEEPLIKE },
	{ "quiet", 'q', OPT_FLAG, F(quiet), 0, NULL, 0, 0, NULL,
	  "print no table and no progress, only errors", SWEEPLIKE },
	{ "no-progress", 0, OPT_FLAG, F(no_progress), 0, NULL, 0, 0, NULL,
	  "no progress line on stderr", SWEEPLIKE },
	{ "help", 'h', OPT_FLAG, F(help), 0, NULL, 0, 0, NULL, "show this help",
	  SWEEPLIKE | MPB_CMD_INFO | MPB_CMD_LIST },
};

#define NOPT (sizeof table / sizeof table[0])

static void *field(struct mpb_config *c, size_t off) { return (char *)c + off; }
static const void *cfield(const struct mpb_config *c, size_t off) { return (const char *)c + off; }

static void set_defaults(struct mpb_config *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < NOPT; i++) {
		const struct option_def *o = &table[i];
		if (o->kind == OPT_STR)
			*(const char **)field(c, o->offset) = o->def;
		else if (o->kind == OPT_U64 && o->def)
			*(uint64_t *)field(c, o->offset) = strtoull(o->def, NULL, 10);
	}
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return 64;
	size_t row[64];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best) best = row[j] + 1;
			if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static int unknown_option(unsigned cmd, const char *arg, const char *name, struct mpb_diag *d)
{
	const char *best = NULL;
	size_t bestd = 3; /* suggest only close names */
	for (size_t i = 0; i < NOPT; i++) {
		if (!(table[i].cmds & cmd))
			continue;
		size_t e = edit_distance(name, table[i].name);
		if (e < bestd || (strncmp(name, table[i].name, strlen(name)) == 0 && strlen(name) >= 3 && e < 8)) {
			bestd = e;
			best = table[i].name;
		}
	}
	if (best)
		return mpb_fail(d, MPB_EINPUT, "unknown option '%s' (did you mean '--%s'?)", arg, best);
	return mpb_fail(d, MPB_EINPUT, "unknown option '%s' (see --help)", arg);
}

static int assign(const struct option_def *o, const char *value, struct mpb_config *c,
		  struct mpb_diag *d)
{
	char what[64];
	if (o->short_name)
		snprintf(what, sizeof what, "-%c/--%s", o->short_name, o->name);
	else
		snprintf(what, sizeof what, "--%s", o->name);
	if (o->given_offset)
		*(bool *)field(c, o->given_offset) = true;
	switch (o->kind) {
	case OPT_FLAG:
		*(bool *)field(c, o->offset) = true;
		return 0;
	case OPT_STR:
		if (!*value)
			return mpb_fail(d, MPB_EINPUT, "%s: empty value (accepted: %s)", what, o->metavar);
		*(const char **)field(c, o->offset) = value;
		return 0;
	case OPT_U64:
		return mpb_parse_u64(value, MPB_UNIT_COUNT, o->min, o->max, what,
				     (uint64_t *)field(c, o->offset), d);
	}
	return 0;
}

static const struct option_def *find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < NOPT; i++)
		if (strlen(table[i].name) == len && strncmp(table[i].name, name, len) == 0)
			return &table[i];
	return NULL;
}

static const struct option_def *find_short(char ch)
{
	for (size_t i = 0; i < NOPT; i++)
		if (table[i].short_name == ch)
			return &table[i];
	return NULL;
}

int mpb_options_parse(unsigned cmd, int argc, char **argv, struct mpb_config *cfg,
		      struct mpb_diag *d)
{
	set_defaults(cfg);
	cfg->positional = argv;
	bool only_positional = false;
	for (int i = 0; i < argc; i++) {
		char *arg = argv[i];
		const struct option_def *o = NULL;
		const char *value = NULL;
		if (only_positional || arg[0] != '-' || arg[1] == '\0') {
			cfg->positional[cfg->npositional++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_positional = true;
			continue;
		}
		if (arg[1] == '-') {
			const char *name = arg + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			o = find_long(name, len);
			if (!o) {
				char buf[64];
				snprintf(buf, sizeof buf, "%.*s", (int)(len < 63 ? len : 63), name);
				return unknown_option(cmd, arg, buf, d);
			}
			if (eq)
				value = eq + 1;
		} else {
			o = find_short(arg[1]);
			if (!o)
				return unknown_option(cmd, arg, arg + 1, d);
			if (arg[2])
				value = arg + 2;
		}
		if (!(o->cmds & cmd))
			return mpb_fail(d, MPB_EINPUT, "option '--%s' does not apply to this command",
					o->name);
		if (o->kind == OPT_FLAG) {
			if (value)
				return mpb_fail(d, MPB_EINPUT, "option '--%s' takes no value", o->name);
		} else if (!value) {
			if (i + 1 >= argc)
				return mpb_fail(d, MPB_EINPUT, "option '--%s' needs a value (%s)", o->name,
						o->metavar);
			value = argv[++i];
		}
		int rc = assign(o, value ? value : "", cfg, d);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void mpb_options_help(unsigned cmd, FILE *f)
{
	for (size_t i = 0; i < NOPT; i++) {
		const struct option_def *o = &table[i];
		if (!(o->cmds & cmd))
			continue;
		char lhs[64];
		if (o->short_name)
			snprintf(lhs, sizeof lhs, "-%c, --%s%s%s", o->short_name, o->name,
				 o->metavar ? " " : "", o->metavar ? o->metavar : "");
		else
			snprintf(lhs, sizeof lhs, "    --%s%s%s", o->name, o->metavar ? " " : "",
				 o->metavar ? o->metavar : "");
		fprintf(f, "  %-28s %s", lhs, o->help);
		if (o->def && o->kind != OPT_FLAG)
			fprintf(f, " [%s]", o->def);
		fputc('\n', f);
	}
}

json_t *mpb_options_json(unsigned cmd, const struct mpb_config *cfg)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	for (size_t i = 0; i < NOPT; i++) {
		const struct option_def *t = &table[i];
		if (!(t->cmds & cmd) || strcmp(t->name, "help") == 0)
			continue;
		json_t *v = NULL;
		if (t->kind == OPT_STR) {
			const char *s = *(const char *const *)cfield(cfg, t->offset);
			v = s ? json_string(s) : json_null();
		} else if (t->kind == OPT_U64) {
			uint64_t u = *(const uint64_t *)cfield(cfg, t->offset);
			v = json_integer((json_int_t)u); /* every U64 option is capped at INT64_MAX */
		} else {
			v = json_boolean(*(const bool *)cfield(cfg, t->offset));
		}
		if (!v || json_object_set_new(o, t->name, v) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* driver.c — the standalone fuzz driver (see fuzz.h): without libFuzzer, run
 * a target over every file of the corpus directories given, then over
 * ITERATIONS mutations of them drawn from SEED (bit flips, byte changes,
 * inserted and deleted runs, truncation, splices of two entries, interesting
 * integers). Deterministic: the same seed replays the same inputs; with
 * MPB_FUZZ_KEEP set, each input is first written to ./fuzz-crash-<target>.bin,
 * so after a crash that file holds the culprit.
 *
 *   fuzz_X [-n ITERATIONS] [-s SEED] CORPUS_DIR...
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FUZZ_MAX_INPUT (256u * 1024u)

struct input {
	uint8_t *p;
	size_t n;
};

static uint64_t rng_state;

static uint64_t next(void)
{
	/* splitmix64: small, good enough to pick mutations */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t below(size_t n)
{
	return n ? (size_t)(next() % n) : 0;
}

static int load_dir(const char *dir, struct input **v, size_t *n, size_t *cap)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "fuzz: cannot open corpus %s: %s\n", dir, strerror(errno));
		return -1;
	}
	/* sorted, so that the mutations do not depend on readdir order */
	struct dirent **names;
	closedir(d);
	int k = scandir(dir, &names, NULL, alphasort);
	if (k < 0)
		return -1;
	for (int i = 0; i < k; i++) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
		free(names[i]);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)FUZZ_MAX_INPUT)
			continue;
		FILE *f = fopen(path, "rb");
		if (!f)
			continue;
		uint8_t *buf = malloc((size_t)st.st_size + 1);
		size_t got = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
		fclose(f);
		if (!buf)
			return -1;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*v = realloc(*v, *cap * sizeof **v);
			if (!*v)
				return -1;
		}
		(*v)[(*n)++] = (struct input){ buf, got };
	}
	free(names);
	return 0;
}

static const int64_t interesting[] = { 0, 1, -1, 127, 128, 255, 256, 0x7fff, 0xffff, 0x7fffffff,
				       (int64_t)0xffffffff, INT64_MAX, INT64_MIN, 1 << 30 };

/* One mutation of buf[0..*n) in place (capacity FUZZ_MAX_INPUT). */
static void mutate(uint8_t *buf, size_t *n, const struct input *other)
{
	size_t len = *n;
	switch (below(8)) {
	case 0: /* flip a bit */
		if (len)
			buf[below(len)] ^= (uint8_t)(1u << below(8));
		break;
	case 1: /* set a byte */
		if (len)
			buf[below(len)] = (uint8_t)next();
		break;
	case 2: { /* insert a run */
		size_t at = below(len + 1), k = 1 + below(16);
		if (len + k > FUZZ_MAX_INPUT)
			break;
		memmove(buf + at + k, buf + at, len - at);
		for (size_t i = 0; i < k; i++)
			buf[at + i] = (uint8_t)next();
		*n = len + k;
		break;
	}
	case 3: { /* delete a run */
		if (!len)
			break;
		size_t at = below(len), k = 1 + below(len - at < 16 ? len - at : 16);
		memmove(buf + at, buf + at + k, len - at - k);
		*n = len - k;
		break;
	}
	case 4: /* truncate */
		*n = below(len + 1);
		break;
	case 5: { /* splice the tail of another input */
		size_t at = below(len + 1), from = below(other->n + 1), k = other->n - from;
		if (at + k > FUZZ_MAX_INPUT)
			k = FUZZ_MAX_INPUT - at;
		memcpy(buf + at, other->p + from, k);
		*n = at + k;
		break;
	}
	case 6: { /* an interesting integer, 1/2/4/8 bytes */
		if (!len)
			break;
		int64_t v = interesting[below(sizeof interesting / sizeof interesting[0])];
		size_t w = (size_t)1 << below(4), at = below(len);
		if (at + w > len)
			w = len - at;
		memcpy(buf + at, &v, w);
		break;
	}
	default: { /* an ASCII digit or JSON punctuation: text formats */
		static const char set[] = "0123456789-+.eE\"{}[],:tfn \\";
		if (len)
			buf[below(len)] = (uint8_t)set[below(sizeof set - 1)];
		break;
	}
	}
}

int main(int argc, char **argv)
{
	unsigned long long iterations = 10000, seed = 1;
	int opt;
	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		if (opt == 'n')
			iterations = strtoull(optarg, NULL, 10);
		else if (opt == 's')
			seed = strtoull(optarg, NULL, 10);
		else {
			fprintf(stderr, "usage: %s [-n ITERATIONS] [-s SEED] CORPUS_DIR...\n", argv[0]);
			return 2;
		}
	}
	struct input *corpus = NULL;
	size_t n = 0, cap = 0;
	for (int i = optind; i < argc; i++)
		if (load_dir(argv[i], &corpus, &n, &cap) < 0)
			return 2;
	if (n == 0) {
		fprintf(stderr, "fuzz: empty corpus\n");
		return 2;
	}
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	char crash[256];
	snprintf(crash, sizeof crash, "fuzz-crash-%s.bin", name);
	for (size_t i = 0; i < n; i++)
		LLVMFuzzerTestOneInput(corpus[i].p, corpus[i].n);
	rng_state = seed;
	uint8_t *buf = malloc(FUZZ_MAX_INPUT);
	if (!buf)
		return 2;
	for (unsigned long long it = 0; it < iterations; it++) {
		const struct input *base = &corpus[below(n)];
		size_t len = base->n;
		memcpy(buf, base->p, len);
		for (size_t k = 1 + below(4); k > 0; k--)
			mutate(buf, &len, &corpus[below(n)]);
		/* only on request: a crash reruns deterministically from the seed */
		if (getenv("MPB_FUZZ_KEEP")) {
			FILE *f = fopen(crash, "wb");
			if (f) {
				fwrite(buf, 1, len, f);
				fclose(f);
			}
		}
		/* an exact-size copy: ASan then catches reads past the end */
		uint8_t *exact = malloc(len ? len : 1);
		if (!exact)
			return 2;
		memcpy(exact, buf, len);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	printf("%s: %zu corpus inputs, %llu mutations (seed %llu): ok\n", name, n, iterations, seed);
	free(buf);
	for (size_t i = 0; i < n; i++)
		free(corpus[i].p);
	free(corpus);
	return 0;
}

/* fuzz.h — the one entry point every fuzz target defines (libFuzzer's), so a
 * target builds either with clang's -fsanitize=fuzzer (meson -Dfuzz=true) or
 * with the standalone driver (driver.c) that replays the committed corpus and
 * a fixed number of seeded mutations of it: bounded, deterministic, gcc-able,
 * which is what CI runs (see tests/fuzz/meson.build).
 *
 * A target must not crash, leak, hang or trip a sanitizer on any input; it
 * calls fuzz_check() for properties that must hold (e.g. a round trip), which
 * aborts so that both drivers report the input.
 */
#ifndef MPB_FUZZ_H
#define MPB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_check(cond)                                                              \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "fuzz: property failed: %s (%s:%d)\n", #cond, \
				__FILE__, __LINE__);                                  \
			abort();                                                      \
		}                                                                     \
	} while (0)

#endif

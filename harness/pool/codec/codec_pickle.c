/* codec_pickle.c — `pickle`, the codec of a Python program's pool, as
 * `--cmd ... --instrument python` records it (harness/external/pyinstr.h):
 * Python pickles every task and result itself, and mpbench measures that.
 * It names what those points used, so that results, plots and comparisons
 * show pickle beside the native pool's raw and json. The native pool cannot
 * use it (MPB_CODEC_EXTERNAL): encode and decode fail, saying so, and the
 * options refuse it for anything but --instrument python. */
#include "codec.h"

static int refuse(struct mpb_diag *d)
{
	return mpb_fail(d, MPB_ERUN, "the pickle codec is a Python program's own (--cmd with "
			"--instrument python): mpbench's pool cannot use it");
}

static int pickle_encode(const struct mpb_value *v, struct mpb_buf *out, struct mpb_diag *d)
{
	(void)v;
	(void)out;
	return refuse(d);
}

static int pickle_decode(struct mpb_reader *r, struct mpb_value *v, struct mpb_diag *d)
{
	(void)r;
	(void)v;
	return refuse(d);
}

const struct mpb_codec_ops mpb_codec_pickle = {
	.name = "pickle",
	.summary = "Python's pickle, measured inside a Python program's pool by --cmd ... "
		   "--instrument python (not for mpbench's own pool)",
	.flags = MPB_CODEC_EXTERNAL,
	.encode = pickle_encode,
	.decode = pickle_decode,
};

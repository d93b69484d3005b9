/* codec.c — the codec registry (see codec.h). */
#include "codec.h"

#include <string.h>

static const struct mpb_codec_ops *const codecs[] = {
	&mpb_codec_raw,
	&mpb_codec_json,
	&mpb_codec_none,
	&mpb_codec_pickle,
};

const struct mpb_codec_ops *const *mpb_codec_all(size_t *n)
{
	*n = sizeof codecs / sizeof codecs[0];
	return codecs;
}

const struct mpb_codec_ops *mpb_codec_default(void)
{
	return codecs[0];
}

const struct mpb_codec_ops *mpb_codec_find(const char *name)
{
	for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++)
		if (strcmp(codecs[i]->name, name) == 0)
			return codecs[i];
	return NULL;
}

/* core/tl: the schemas built into the library (arrays generated at build
 * time by embed.cmake) and the default merged set. */
#include "core/tl/tl_internal.h"

extern const unsigned char mt_tl_embedded_mtproto_tl[];
extern const size_t mt_tl_embedded_mtproto_tl_len;
extern const unsigned char mt_tl_embedded_api_tl[];
extern const size_t mt_tl_embedded_api_tl_len;
extern const unsigned char mt_tl_embedded_mtload_tl[];
extern const size_t mt_tl_embedded_mtload_tl_len;

static const struct {
    const char *name;
    const unsigned char *text;
    const size_t *len;
} embedded[] = {
    { "mtproto.tl", mt_tl_embedded_mtproto_tl, &mt_tl_embedded_mtproto_tl_len },
    { "api.tl", mt_tl_embedded_api_tl, &mt_tl_embedded_api_tl_len },
    { "mtload.tl", mt_tl_embedded_mtload_tl, &mt_tl_embedded_mtload_tl_len },
};

const char *mt_tl_schema_embedded(const char *name, size_t *len)
{
    for (size_t i = 0; name && i < MT_ARRAY_LEN(embedded); i++) {
        if (strcmp(name, embedded[i].name) == 0) {
            if (len) *len = *embedded[i].len;
            return (const char *)embedded[i].text;
        }
    }
    if (len) *len = 0;
    return NULL;
}

int mt_tl_schema_default(struct mt_tl_schema **out, struct mt_tl_error *err)
{
    const char *texts[MT_ARRAY_LEN(embedded)], *origins[MT_ARRAY_LEN(embedded)];
    size_t lens[MT_ARRAY_LEN(embedded)];
    for (size_t i = 0; i < MT_ARRAY_LEN(embedded); i++) {
        texts[i] = (const char *)embedded[i].text;
        lens[i] = *embedded[i].len;
        origins[i] = embedded[i].name;
    }
    return mt_tl_schema_from_texts(texts, lens, origins, MT_ARRAY_LEN(embedded), out, err);
}

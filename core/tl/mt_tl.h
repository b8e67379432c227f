/* core/tl: TL serialization. The hot path uses the inline reader and writer
 * below directly (service messages never go through the dynamic codec); the
 * schema loader and the JSON / TL-text codec further down let a user encode
 * any method of any .tl schema at run time.
 *
 * Reader: a sticky error. The first short read or bad value records its code
 * and offset; every later fetch returns zero and the caller checks
 * mt_tl_ok() once per object. Writer: bounded, with a sticky overflow. */
#ifndef MT_TL_H
#define MT_TL_H

#include "core/base/mt_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- reader ------------------------------------------------------------ */
struct mt_tl_reader {
    const uint8_t *p;      /* start of the buffer */
    size_t len;
    size_t pos;
    int err;               /* 0 or the first MT_E_TL_* */
    size_t err_pos;        /* offset of the first error */
};

static inline void mt_tl_reader_init(struct mt_tl_reader *r, const void *p, size_t len)
{
    r->p = (const uint8_t *)p; r->len = len; r->pos = 0; r->err = 0; r->err_pos = 0;
}
static inline int mt_tl_ok(const struct mt_tl_reader *r) { return r->err == 0; }
static inline size_t mt_tl_left(const struct mt_tl_reader *r) { return r->err ? 0 : r->len - r->pos; }
static inline void mt_tl_fail(struct mt_tl_reader *r, int err)
{
    if (!r->err) { r->err = err; r->err_pos = r->pos; }
}
/* Borrow n bytes (NULL and sticky MT_E_TL_SHORT if fewer are left). */
static inline const uint8_t *mt_tl_take(struct mt_tl_reader *r, size_t n)
{
    if (MT_UNLIKELY(r->err || n > r->len - r->pos)) { mt_tl_fail(r, MT_E_TL_SHORT); return NULL; }
    const uint8_t *q = r->p + r->pos;
    r->pos += n;
    return q;
}
static inline uint32_t mt_tl_u32(struct mt_tl_reader *r)
{
    const uint8_t *q = mt_tl_take(r, 4);
    return q ? mt_load_le32(q) : 0;
}
static inline int32_t mt_tl_i32(struct mt_tl_reader *r) { return (int32_t)mt_tl_u32(r); }
static inline uint64_t mt_tl_u64(struct mt_tl_reader *r)
{
    const uint8_t *q = mt_tl_take(r, 8);
    return q ? mt_load_le64(q) : 0;
}
static inline int64_t mt_tl_i64(struct mt_tl_reader *r) { return (int64_t)mt_tl_u64(r); }
static inline double mt_tl_double(struct mt_tl_reader *r)
{
    uint64_t v = mt_tl_u64(r); double d; memcpy(&d, &v, 8); return d;
}
/* int128 / int256: raw bytes, never byte-swapped. */
static inline int mt_tl_raw(struct mt_tl_reader *r, void *out, size_t n)
{
    const uint8_t *q = mt_tl_take(r, n);
    if (!q) { memset(out, 0, n); return r->err; }
    memcpy(out, q, n);
    return 0;
}
/* bytes / string: borrows a view into the buffer; checks the 4-byte padding
 * is present (its content is not checked: clients send garbage there).
 * A truncated value reports the offset where the bytes field starts. */
static inline const uint8_t *mt_tl_bytes(struct mt_tl_reader *r, size_t *n)
{
    size_t start = r->pos;
    int had_err = r->err;
    const uint8_t *h = mt_tl_take(r, 1);
    const uint8_t *q = NULL;
    size_t len = 0, hdr = 1;
    *n = 0;
    if (!h) return NULL;
    if (*h < 254) { len = *h; }
    else if (*h == 254) {
        const uint8_t *l = mt_tl_take(r, 3);
        if (l) len = (size_t)l[0] | (size_t)l[1] << 8 | (size_t)l[2] << 16;
        hdr = 4;
    } else { r->pos--; mt_tl_fail(r, MT_E_TL_VALUE); return NULL; }
    if (!r->err) q = mt_tl_take(r, len + ((4 - ((hdr + len) & 3)) & 3));
    if (!q) { if (!had_err) r->err_pos = start; return NULL; }
    *n = len;
    return q;
}
/* Bool: boolTrue / boolFalse, anything else is MT_E_TL_VALUE. */
#define MT_TL_BOOL_TRUE  0x997275b5u
#define MT_TL_BOOL_FALSE 0xbc799737u
#define MT_TL_VECTOR     0x1cb5c415u
static inline int mt_tl_bool(struct mt_tl_reader *r)
{
    uint32_t v = mt_tl_u32(r);
    if (v == MT_TL_BOOL_TRUE) return 1;
    if (v != MT_TL_BOOL_FALSE && !r->err) { r->pos -= 4; mt_tl_fail(r, MT_E_TL_VALUE); }
    return 0;
}
/* Boxed Vector header: checks the id, returns the count, bounded by the
 * bytes left (each element takes at least min_elem bytes) so that a forged
 * count cannot make the caller loop or allocate absurdly. */
static inline uint32_t mt_tl_vector(struct mt_tl_reader *r, size_t min_elem)
{
    uint32_t id = mt_tl_u32(r);
    if (!r->err && id != MT_TL_VECTOR) { r->pos -= 4; mt_tl_fail(r, MT_E_TL_CTOR); return 0; }
    uint32_t cnt = mt_tl_u32(r);
    if (!r->err && min_elem && cnt > (r->len - r->pos) / min_elem) {
        r->pos -= 4;                 /* the error points at the count */
        mt_tl_fail(r, MT_E_TL_VALUE);
        return 0;
    }
    return r->err ? 0 : cnt;
}

/* ---- writer ------------------------------------------------------------ */
struct mt_tl_writer {
    uint8_t *p;
    size_t cap;
    size_t pos;
    int overflow;          /* sticky: set once anything did not fit */
};
static inline void mt_tl_writer_init(struct mt_tl_writer *w, void *p, size_t cap)
{
    w->p = (uint8_t *)p; w->cap = cap; w->pos = 0; w->overflow = 0;
}
/* Reserve n bytes: pointer to them, or NULL (sticky overflow). */
static inline uint8_t *mt_tl_put(struct mt_tl_writer *w, size_t n)
{
    if (MT_UNLIKELY(w->overflow || n > w->cap - w->pos)) { w->overflow = 1; return NULL; }
    uint8_t *q = w->p + w->pos;
    w->pos += n;
    return q;
}
static inline void mt_tl_w32(struct mt_tl_writer *w, uint32_t v)
{
    uint8_t *q = mt_tl_put(w, 4); if (q) mt_store_le32(q, v);
}
static inline void mt_tl_w64(struct mt_tl_writer *w, uint64_t v)
{
    uint8_t *q = mt_tl_put(w, 8); if (q) mt_store_le64(q, v);
}
static inline void mt_tl_wdouble(struct mt_tl_writer *w, double d)
{
    uint64_t v; memcpy(&v, &d, 8); mt_tl_w64(w, v);
}
static inline void mt_tl_wraw(struct mt_tl_writer *w, const void *src, size_t n)
{
    uint8_t *q = mt_tl_put(w, n); if (q && n) memcpy(q, src, n);
}
static inline void mt_tl_wbool(struct mt_tl_writer *w, int b)
{
    mt_tl_w32(w, b ? MT_TL_BOOL_TRUE : MT_TL_BOOL_FALSE);
}
/* Serialized size of a bytes/string field of n bytes. */
static inline size_t mt_tl_bytes_size(size_t n)
{
    size_t hdr = n < 254 ? 1 : 4;
    return (hdr + n + 3) & ~(size_t)3;
}
/* A bytes / string field of n bytes (n < 2^24, else sticky overflow): writes
 * the length header and the zero padding and returns where the n payload
 * bytes go, for a caller that produces them in place; NULL on overflow. */
static inline uint8_t *mt_tl_put_bytes(struct mt_tl_writer *w, size_t n)
{
    if (n >= (1u << 24)) { w->overflow = 1; return NULL; }
    size_t total = mt_tl_bytes_size(n), hdr = n < 254 ? 1 : 4;
    uint8_t *q = mt_tl_put(w, total);
    if (!q) return NULL;
    if (hdr == 1) q[0] = (uint8_t)n;
    else { q[0] = 254; q[1] = (uint8_t)n; q[2] = (uint8_t)(n >> 8); q[3] = (uint8_t)(n >> 16); }
    memset(q + hdr + n, 0, total - hdr - n);
    return q + hdr;
}
/* bytes / string copied from src. */
static inline void mt_tl_wbytes(struct mt_tl_writer *w, const void *src, size_t n)
{
    uint8_t *q = mt_tl_put_bytes(w, n);
    if (q && n) memcpy(q, src, n);
}

/* ---- constructor ids of the service layer ------------------------------ */
#include "core/tl/tl_ids.h"

/* ---- schemas and the dynamic codec --------------------------------------
 * A schema is loaded once from .tl text, then only read: any number of
 * threads may use one schema at the same time without locking. The codec
 * turns JSON or TL text into bytes and bytes into JSON (jansson values). */
struct mt_tl_schema;
struct json_t;                      /* jansson's json_t */

/* Every loader/codec failure fills one of these (when the pointer is not
 * NULL): code is the MT_E_* also returned, offset the byte offset (schema
 * text, TL text or JSON input for parse errors, output bytes for encode
 * errors, input bytes for decode errors), msg names constructor, id and field. */
struct mt_tl_error {
    int code;
    size_t offset;
    char msg[256];
};

/* Lookup result: pointers stay valid as long as the schema lives. */
struct mt_tl_combinator_info {
    const char *name;               /* "messages.sendMessage" */
    uint32_t id;                    /* valid when has_id */
    int has_id;
    int is_function;
    const char *result_type;        /* as declared: "Updates", "Vector<User>", "X" */
    size_t nfields;                 /* including flags fields */
    const char *origin;             /* "api.tl" or the name given to the loader */
    int line;                       /* line of the declaration in origin */
};

/* Load a schema from .tl text (len bytes, need not be NUL-terminated).
 * origin names the text in error messages ("api.tl"). On success *out owns a
 * new schema (free with mt_tl_schema_free) and 0 is returned; on failure
 * MT_E_TL_SCHEMA (or MT_E_NOMEM) with err naming the line. */
int mt_tl_schema_load(const char *text, size_t len, const char *origin,
                      struct mt_tl_schema **out, struct mt_tl_error *err);
/* mt_tl_schema_load on the contents of a file (origin: its base name);
 * MT_E_SYSTEM if it cannot be read, MT_E_RANGE if over 64 MiB. */
int mt_tl_schema_load_file(const char *path, struct mt_tl_schema **out,
                           struct mt_tl_error *err);
/* One schema holding the declarations of parts[0..n) in that order. Lookup
 * by name or id sees the later declaration of a repeated name or id; each
 * part still resolves the names it uses against its own declarations first
 * (docs/tl.md). The parts stay owned by the caller. */
int mt_tl_schema_merge(const struct mt_tl_schema *const *parts, size_t n,
                       struct mt_tl_schema **out, struct mt_tl_error *err);
/* The default set built into the library: mtproto.tl + api.tl + mtload.tl,
 * merged. Each call builds a new schema (about 6 ms); share it. */
int mt_tl_schema_default(struct mt_tl_schema **out, struct mt_tl_error *err);
/* Text of a schema embedded at build time: "mtproto.tl", "api.tl" or
 * "mtload.tl"; NULL for any other name. Not NUL-terminated: use *len. */
const char *mt_tl_schema_embedded(const char *name, size_t *len);
/* Frees a schema; NULL is allowed. No codec call may be running on it. */
void mt_tl_schema_free(struct mt_tl_schema *s);
/* Layer from a "// LAYER N" comment (the last one seen), 0 if none. */
int mt_tl_schema_layer(const struct mt_tl_schema *s);
/* Number of live constructors (functions == 0) or functions (functions != 0). */
size_t mt_tl_schema_count(const struct mt_tl_schema *s, int functions);
/* Find a constructor or function by name / by id: 0 and *info filled, or
 * MT_E_TL_CTOR if the schema has none. */
int mt_tl_schema_find(const struct mt_tl_schema *s, const char *name,
                      struct mt_tl_combinator_info *info);
int mt_tl_schema_find_id(const struct mt_tl_schema *s, uint32_t id,
                         struct mt_tl_combinator_info *info);
/* Result type of a function as declared ("messages.Messages", "X" for the
 * generic wrappers), NULL if name is not a function of s. */
const char *mt_tl_result_type(const struct mt_tl_schema *s, const char *method);
/* Result type of a serialized call, looking through generic wrappers
 * (invokeWithLayer(initConnection(help.getConfig)) -> "Config"): the type to
 * pass to mt_tl_decode_json for the rpc_result body. Writes a NUL-terminated
 * name into out; 0, MT_E_TL_CTOR/SHORT/VALUE, or MT_E_OVERFLOW (cap). */
int mt_tl_call_result_type(const struct mt_tl_schema *s, const uint8_t *call, size_t len,
                           char *out, size_t cap, struct mt_tl_error *err);

/* Encode JSON text (a boxed object or function call, see docs/tl.md: {"_":
 * "name", field: value...}; flags are computed from the fields present) and
 * append the bytes to w. 0, MT_E_TL_INPUT (bad JSON, unknown name, wrong
 * type, missing field) or MT_E_OVERFLOW (w full); on error the writer
 * holds a partial encoding and err->offset is the output byte where the
 * failing value starts. */
int mt_tl_encode_json(const struct mt_tl_schema *s, const char *json, size_t len,
                      struct mt_tl_writer *w, struct mt_tl_error *err);
/* Same from a jansson value (not modified, not stolen). */
int mt_tl_encode_jv(const struct mt_tl_schema *s, const struct json_t *v,
                    struct mt_tl_writer *w, struct mt_tl_error *err);
/* Encode TL text: `name field:value ...`, nested constructors in
 * parentheses, vectors in [ ], strings in double quotes (see docs/tl.md).
 * Errors as mt_tl_encode_json; parse errors give the text offset. */
int mt_tl_encode_text(const struct mt_tl_schema *s, const char *text, size_t len,
                      struct mt_tl_writer *w, struct mt_tl_error *err);
/* Decode one value of type `type` ("Object" or NULL for any boxed object,
 * or e.g. "Vector<User>", "future_salt") from r into a new jansson value (the
 * caller json_decref()s it). r advances past the value. NULL on error, with
 * r's sticky error set and err naming the constructor, field and offset
 * (MT_E_TL_SHORT, MT_E_TL_CTOR, MT_E_TL_VALUE, MT_E_RANGE for the depth and
 * size limits, MT_E_TL_INPUT for an unknown type name). */
struct json_t *mt_tl_decode_json(const struct mt_tl_schema *s, struct mt_tl_reader *r,
                                 const char *type, struct mt_tl_error *err);

#ifdef __cplusplus
}
#endif
#endif

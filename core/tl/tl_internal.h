/* core/tl: the in-memory form of a loaded schema, shared by the loader and the
 * dynamic codec. Not part of the public API. A schema is built once, then
 * only read, so any number of threads may share it without locking. */
#ifndef MT_TL_INTERNAL_H
#define MT_TL_INTERNAL_H

#include <stdarg.h>
#include <stdio.h>
#include "core/tl/mt_tl.h"

/* Limits that keep hostile input (decoder, JSON/text encoder, schema text)
 * from exhausting the stack or memory. */
#define MT_TL_MAX_DEPTH     64         /* nesting of objects/vectors/types */
#define MT_TL_MAX_NODES     (1u << 20) /* JSON values one decode may create */
#define MT_TL_MAX_FIELDS    255        /* fields of one combinator */
#define MT_TL_MAX_ZERO_ELEMS 4096      /* elements of a vector of 0-byte items */
#define MT_TL_MAX_FLAGS     8          /* flags fields of one combinator */

/* What a field's type means on the wire. */
enum mt_tl_kind {
    MT_TLK_INT, MT_TLK_NAT, MT_TLK_LONG, MT_TLK_DOUBLE, MT_TLK_STRING,
    MT_TLK_BYTES, MT_TLK_INT128, MT_TLK_INT256, MT_TLK_BOOL, MT_TLK_TRUE,
    MT_TLK_OBJECT,      /* any boxed value: Object, X, !X */
    MT_TLK_VECTOR,      /* Vector<T>: id, count, items */
    MT_TLK_BARE_VECTOR, /* vector<T>, %Vector<T>: count, items */
    MT_TLK_BOXED,       /* a named boxed type: id of one of its constructors */
    MT_TLK_BARE,        /* a constructor's fields without its id */
};

struct mt_tl_comb;
struct mt_tl_type;

struct mt_tl_tref {
    uint8_t kind;             /* enum mt_tl_kind */
    uint8_t bare;             /* '%' was written (resolution input) */
    const char *name;         /* as written: type or constructor name */
    struct mt_tl_tref *elem;  /* vectors: element type */
    struct mt_tl_type *type;  /* MT_TLK_BOXED after resolution */
    struct mt_tl_comb *ctor;  /* MT_TLK_BARE after resolution */
};

struct mt_tl_field {
    const char *name;         /* "" for an anonymous argument */
    struct mt_tl_tref *t;
    int16_t cond;             /* index of the flags field, or -1 */
    uint8_t bit;              /* bit of that flags field */
    uint8_t is_flags;         /* a # field that conditional fields refer to */
    uint8_t slot;             /* flags fields: 0..MT_TL_MAX_FLAGS-1 */
};

struct mt_tl_comb {
    const char *name;
    uint32_t id;
    uint8_t has_id;
    uint8_t is_func;
    uint8_t dead;             /* declared again later in the same file */
    uint8_t shadowed;         /* declared again by a later merged file */
    uint16_t src;             /* index of the text it comes from */
    uint16_t nf;
    struct mt_tl_field *f;
    const char *result;       /* result type as written, e.g. "Vector<User>" */
    struct mt_tl_tref *rt;    /* functions: parsed result type */
    struct mt_tl_type *rtype; /* constructors: the boxed type they build */
    const char **params;      /* {X:Type} parameter names */
    uint8_t nparams;
    uint8_t used_bare;        /* some field uses it as a bare type */
    const char *origin;       /* schema file name, for messages */
    int line;
};

struct mt_tl_type {
    const char *name;
    uint16_t src;             /* types are per file: see resolution in schema.c */
    struct mt_tl_comb **ctors;
    uint32_t nctors;
};

/* Open-addressing hash table of pointers, keyed by name or by id. */
struct mt_tl_htab {
    void **slot;
    uint32_t mask;            /* size - 1, size a power of two */
};

struct mt_tl_arena;

struct mt_tl_schema {
    struct mt_tl_arena *arena;
    struct mt_tl_comb **combs;     /* in declaration order, live and dead */
    size_t ncombs, cap_combs;
    struct mt_tl_type **types;
    size_t ntypes, cap_types;
    struct mt_tl_htab by_name, by_id;    /* merged view: later files win */
    struct mt_tl_htab comb_local;        /* (file, name) -> combinator */
    struct mt_tl_htab type_local;        /* (file, name) -> type */
    struct mt_tl_htab type_global;       /* name -> type of the latest file */
    size_t n_ctors, n_funcs;       /* live ones */
    int layer;
    /* source texts, kept so that merging re-reads them in order */
    char **texts;
    size_t *text_lens;
    char **origins;
    size_t ntexts;
};

/* ---- arena: everything a schema holds is freed at once ----------------- */
struct mt_tl_arena *mt_tl_arena_new(void);
void mt_tl_arena_free(struct mt_tl_arena *a);
void *mt_tl_arena_alloc(struct mt_tl_arena *a, size_t n);         /* zeroed */
char *mt_tl_arena_strndup(struct mt_tl_arena *a, const char *s, size_t n);

/* ---- schema internals (schema.c) --------------------------------------- */
struct mt_tl_comb *mt_tl_find_comb(const struct mt_tl_schema *s, const char *name, size_t n);
struct mt_tl_comb *mt_tl_find_comb_id(const struct mt_tl_schema *s, uint32_t id);
struct mt_tl_type *mt_tl_find_type(const struct mt_tl_schema *s, const char *name, size_t n);
/* A schema from several texts read in order (the embedded default set). */
int mt_tl_schema_from_texts(const char *const *texts, const size_t *lens,
                            const char *const *origins, size_t n,
                            struct mt_tl_schema **out, struct mt_tl_error *err);
/* Parse one schema text into s (declarations only; resolution is separate). */
int mt_tl_parse_text(struct mt_tl_schema *s, const char *text, size_t len,
                     const char *origin, struct mt_tl_error *err);
/* Parse a type expression ("Vector<User>", "%Message", "int") into a tref,
 * unresolved. Used for result types and for the decoder's type argument. */
int mt_tl_parse_type_expr(struct mt_tl_arena *a, const char *text, size_t len,
                          struct mt_tl_tref **out);
/* Resolve names in a tref against s; type parameters are in params. Names
 * resolve first among the declarations of file src (-1: none), then in the
 * merged view. mark_bare records bare use (only while building). */
int mt_tl_resolve_tref(const struct mt_tl_schema *s, struct mt_tl_tref *t,
                       const char *const *params, size_t nparams, int src, int mark_bare,
                       char *why, size_t why_cap);
/* Bytes one value of t takes at least on the wire (bounds forged counts). */
size_t mt_tl_min_size(const struct mt_tl_tref *t);

/* ---- codec internals (decode.c) ---------------------------------------- */
struct json_t *mt_tl_decode_tref(const struct mt_tl_schema *s, struct mt_tl_reader *r,
                                 const struct mt_tl_tref *t, struct mt_tl_error *err);
/* Encode v as a value of t (encode.c); literal: JSON strings are raw bytes
 * for bytes fields (the TL-text form). */
int mt_tl_encode_tref(const struct mt_tl_schema *s, const struct mt_tl_tref *t,
                      const struct json_t *v, int literal, struct mt_tl_writer *w,
                      struct mt_tl_error *err);

/* ---- error helper ------------------------------------------------------ */
int mt_tl_seterr(struct mt_tl_error *err, int code, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- base64 / hex for the JSON forms (codec_util.c) -------------------- */
/* Decoded length, or -1 when s is not valid for a bytes value. */
long mt_tl_b64_decode(const char *s, size_t n, uint8_t *out, size_t cap);
size_t mt_tl_b64_encode(const uint8_t *in, size_t n, char *out /* 4*ceil(n/3)+1 */);
/* "hex:..." or base64 text into a fresh buffer (free it); -1 if invalid. */
long mt_tl_text_to_bytes(const char *s, size_t n, uint8_t **out);

#endif

/* core/tl: JSON (jansson) -> TL bytes, on the bounded writer. The forms of
 * every type are in docs/tl.md; flags fields are computed from which
 * conditional fields are present. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <jansson.h>
#include "core/tl/tl_internal.h"

struct enc {
    const struct mt_tl_schema *s;
    struct mt_tl_writer *w;
    struct mt_tl_error *err;
    int depth;
    int literal;                  /* TL text: strings are raw bytes */
    const struct mt_tl_comb *c;   /* combinator being written, for messages */
    const char *field;
};

__attribute__((format(printf, 2, 3)))
static int efail(struct enc *e, const char *fmt, ...)
{
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (e->w->overflow)
        return mt_tl_seterr(e->err, MT_E_OVERFLOW, e->w->pos, "output buffer full at byte %zu", e->w->pos);
    if (e->c)
        return mt_tl_seterr(e->err, MT_E_TL_INPUT, e->w->pos, "%s#%08x field '%s': %s (output byte %zu)",
                            e->c->name, e->c->id, e->field ? e->field : "?", what, e->w->pos);
    return mt_tl_seterr(e->err, MT_E_TL_INPUT, e->w->pos, "%s (output byte %zu)", what, e->w->pos);
}

static int check_overflow(struct enc *e)
{
    return e->w->overflow ? mt_tl_seterr(e->err, MT_E_OVERFLOW, e->w->pos,
                                         "output buffer full at byte %zu", e->w->pos) : 0;
}

static int enc_value(struct enc *e, const struct mt_tl_tref *t, const json_t *v);

/* Bytes-like input: a string (raw in literal mode, else "hex:..." or base64)
 * or {"hex": "..."} / {"base64": "..."}. *buf is malloc'd or NULL. */
static long json_to_bytes(const json_t *v, int literal, uint8_t **buf, const uint8_t **data)
{
    *buf = NULL;
    if (json_is_string(v)) {
        if (literal) { *data = (const uint8_t *)json_string_value(v); return (long)json_string_length(v); }
        long n = mt_tl_text_to_bytes(json_string_value(v), json_string_length(v), buf);
        *data = *buf;
        return n;
    }
    if (json_is_object(v) && json_object_size(v) == 1) {
        const json_t *h = json_object_get(v, "hex"), *b = json_object_get(v, "base64");
        long n = -1;
        if (json_is_string(h)) {
            size_t len = json_string_length(h);
            char *tmp = malloc(len + 5);
            if (!tmp) return -1;
            memcpy(tmp, "hex:", 4); memcpy(tmp + 4, json_string_value(h), len);
            n = mt_tl_text_to_bytes(tmp, len + 4, buf);
            free(tmp);
        } else if (json_is_string(b)) {
            n = mt_tl_text_to_bytes(json_string_value(b), json_string_length(b), buf);
        }
        *data = *buf;
        return n;
    }
    return -1;
}

static int enc_bytes(struct enc *e, const json_t *v, int literal, size_t fixed)
{
    uint8_t *buf;
    const uint8_t *data = NULL;
    long n = json_to_bytes(v, literal, &buf, &data);
    int rc = 0;
    if (n < 0) rc = efail(e, "expected a hex:/base64 string");
    else if (fixed && (size_t)n != fixed) rc = efail(e, "expected exactly %zu bytes, got %ld", fixed, n);
    else if (!fixed && n >= (1L << 24)) rc = efail(e, "bytes value over 16 MiB");
    else if (fixed) mt_tl_wraw(e->w, data, fixed);
    else mt_tl_wbytes(e->w, data, (size_t)n);
    free(buf);
    return rc ? rc : check_overflow(e);
}

static int json_to_i64(const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) { *out = json_integer_value(v); return 0; }
    if (!json_is_string(v)) return -1;
    const char *s = json_string_value(v);
    char *end;
    errno = 0;
    if (s[0] == '-') {
        long long x = strtoll(s, &end, 10);
        if (errno || end == s || *end) return -1;
        *out = x;
    } else {
        if (!(s[0] >= '0' && s[0] <= '9')) return -1;
        unsigned long long x = strtoull(s, &end, 10);
        if (errno || *end) return -1;
        *out = (int64_t)x;       /* unsigned longs wrap as on the wire */
    }
    return 0;
}

static int enc_number(struct enc *e, const struct mt_tl_tref *t, const json_t *v)
{
    int64_t x;
    switch (t->kind) {
    case MT_TLK_INT:
        if (!json_is_integer(v) || json_integer_value(v) < INT32_MIN || json_integer_value(v) > INT32_MAX)
            return efail(e, "expected a 32-bit integer");
        mt_tl_w32(e->w, (uint32_t)(int32_t)json_integer_value(v));
        break;
    case MT_TLK_NAT:
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > UINT32_MAX)
            return efail(e, "expected an integer 0..4294967295");
        mt_tl_w32(e->w, (uint32_t)json_integer_value(v));
        break;
    case MT_TLK_LONG:
        if (json_to_i64(v, &x)) return efail(e, "expected a 64-bit integer (number or decimal string)");
        mt_tl_w64(e->w, (uint64_t)x);
        break;
    default: {                                 /* double */
        double d;
        const char *str = json_is_string(v) ? json_string_value(v) : "";
        if (json_is_number(v)) d = json_number_value(v);
        else if (strcmp(str, "NaN") == 0) d = NAN;
        else if (strcmp(str, "Infinity") == 0) d = INFINITY;
        else if (strcmp(str, "-Infinity") == 0) d = -INFINITY;
        else return efail(e, "expected a number");
        mt_tl_wdouble(e->w, d);
    }
    }
    return check_overflow(e);
}

static int enc_vector(struct enc *e, const struct mt_tl_tref *t, const json_t *v)
{
    if (!json_is_array(v)) return efail(e, "expected an array");
    size_t n = json_array_size(v);
    if (n > UINT32_MAX) return efail(e, "array too long");
    if (t->kind == MT_TLK_VECTOR) mt_tl_w32(e->w, MT_TL_VECTOR);
    mt_tl_w32(e->w, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        int rc = enc_value(e, t->elem, json_array_get(v, i));
        if (rc) return rc;
    }
    return check_overflow(e);
}

/* A conditional field counts as present when given and not null; a `true`
 * flag only when given as JSON true. */
static int field_present(const struct mt_tl_field *f, const json_t *v)
{
    if (!v || json_is_null(v)) return 0;
    return f->t->kind == MT_TLK_TRUE ? json_is_true(v) : 1;
}

static int flags_value(struct enc *e, const struct mt_tl_comb *c, size_t k,
                       const json_t *const *vals, uint32_t *out)
{
    uint32_t known = 0, set = 0, given = 0;
    for (size_t i = k + 1; i < c->nf; i++) {
        const struct mt_tl_field *f = &c->f[i];
        if (f->cond != (int)k) continue;
        known |= 1u << f->bit;
        if (field_present(f, vals[i])) set |= 1u << f->bit;
    }
    const json_t *g = vals[k];
    if (g) {
        if (!json_is_integer(g) || json_integer_value(g) < 0 || json_integer_value(g) > UINT32_MAX)
            return efail(e, "flags must be an integer 0..4294967295");
        given = (uint32_t)json_integer_value(g);
    }
    *out = set | (given & ~known);   /* bits the schema does not know pass through */
    return 0;
}

/* One pass over the object's keys: vals[i] = value of field i, and any key
 * that names no field is an error (a misspelt field must not vanish). */
static int gather(struct enc *e, const struct mt_tl_comb *c, const json_t *obj, const json_t **vals)
{
    const char *key;
    json_t *val;
    memset(vals, 0, sizeof *vals * c->nf);
    json_object_foreach((json_t *)obj, key, val) {
        if (key[0] == '_' && key[1] == 0) continue;
        size_t i = 0;
        while (i < c->nf && strcmp(c->f[i].name, key) != 0) i++;
        if (i == c->nf) { e->field = key; return efail(e, "no such field in '%s'", c->name); }
        vals[i] = val;
    }
    return 0;
}

static int enc_field_values(struct enc *e, const struct mt_tl_comb *c, const json_t *const *vals)
{
    uint32_t flags[MT_TL_MAX_FLAGS] = { 0 };
    int rc = 0;
    for (size_t i = 0; i < c->nf && !rc; i++) {
        const struct mt_tl_field *f = &c->f[i];
        const json_t *v = vals[i];
        e->field = f->name;
        if (f->is_flags) {
            rc = flags_value(e, c, i, vals, &flags[f->slot]);
            mt_tl_w32(e->w, flags[f->slot]);
            if (!rc) rc = check_overflow(e);
        } else if (f->cond >= 0) {
            /* several fields may share one bit (codeSettings token and
             * app_sandbox): once set, each of them must be given */
            int set = flags[c->f[f->cond].slot] >> f->bit & 1;
            if (set && f->t->kind != MT_TLK_TRUE) {
                rc = field_present(f, v) ? enc_value(e, f->t, v)
                                         : efail(e, "missing (bit %u of %s is set)", f->bit, c->f[f->cond].name);
            }
        } else if (f->t->kind == MT_TLK_TRUE) {
            /* a plain `true` field has no bytes */
        } else if (!v) {
            rc = efail(e, "missing");
        } else {
            rc = enc_value(e, f->t, v);
        }
    }
    return rc;
}

static int enc_fields(struct enc *e, const struct mt_tl_comb *c, const json_t *obj)
{
    if (!json_is_object(obj)) return efail(e, "expected an object for '%s'", c->name);
    if (e->depth + 1 > MT_TL_MAX_DEPTH) return efail(e, "nested too deeply");
    const struct mt_tl_comb *saved_c = e->c;
    const char *saved_f = e->field;
    const json_t *small[48], **vals = small;
    if (c->nf > MT_ARRAY_LEN(small) && !(vals = malloc(sizeof *vals * c->nf)))
        return mt_tl_seterr(e->err, MT_E_NOMEM, e->w->pos, "out of memory");
    e->depth++;
    e->c = c; e->field = NULL;
    int rc = gather(e, c, obj, vals);
    if (!rc) rc = enc_field_values(e, c, vals);
    e->c = saved_c; e->field = saved_f;
    e->depth--;
    if (vals != small) free(vals);
    return rc;
}

/* A boxed value: {"_": name, ...}. expect == NULL accepts any constructor
 * and any function (Object, !X). */
static int enc_boxed(struct enc *e, const json_t *v, const struct mt_tl_type *expect)
{
    const json_t *n = json_is_object(v) ? json_object_get(v, "_") : NULL;
    if (!json_is_string(n))
        return efail(e, "expected an object with \"_\" naming a constructor%s%s",
                     expect ? " of type " : "", expect ? expect->name : "");
    const char *name = json_string_value(n);
    const struct mt_tl_comb *c = mt_tl_find_comb(e->s, name, json_string_length(n));
    if (!c) return efail(e, "unknown constructor '%s'", name);
    if (expect && (c->is_func || c->rtype != expect))
        return efail(e, "'%s' is not a constructor of type %s", name, expect->name);
    if (!c->has_id) return efail(e, "'%s' has no #id: it can only be sent bare", name);
    mt_tl_w32(e->w, c->id);
    return enc_fields(e, c, v);
}

static int enc_value(struct enc *e, const struct mt_tl_tref *t, const json_t *v)
{
    if (!v) return efail(e, "missing value");
    switch (t->kind) {
    case MT_TLK_INT: case MT_TLK_NAT: case MT_TLK_LONG: case MT_TLK_DOUBLE:
        return enc_number(e, t, v);
    case MT_TLK_STRING:
        if (json_is_string(v)) {
            mt_tl_wbytes(e->w, json_string_value(v), json_string_length(v));
            if (json_string_length(v) >= (1u << 24)) return efail(e, "string over 16 MiB");
            return check_overflow(e);
        }
        return enc_bytes(e, v, 0, 0);
    case MT_TLK_BYTES: return enc_bytes(e, v, e->literal, 0);
    case MT_TLK_INT128: return enc_bytes(e, v, 0, 16);
    case MT_TLK_INT256: return enc_bytes(e, v, 0, 32);
    case MT_TLK_BOOL:
        if (!json_is_boolean(v)) return efail(e, "expected true or false");
        mt_tl_wbool(e->w, json_is_true(v));
        return check_overflow(e);
    case MT_TLK_TRUE: return 0;
    case MT_TLK_OBJECT: return enc_boxed(e, v, NULL);
    case MT_TLK_VECTOR: case MT_TLK_BARE_VECTOR: return enc_vector(e, t, v);
    case MT_TLK_BOXED: return enc_boxed(e, v, t->type);
    case MT_TLK_BARE: {
        const json_t *n = json_is_object(v) ? json_object_get(v, "_") : NULL;
        if (n && !(json_is_string(n) && strcmp(json_string_value(n), t->ctor->name) == 0))
            return efail(e, "expected bare '%s'", t->ctor->name);
        return enc_fields(e, t->ctor, v);
    }
    default: return efail(e, "unsupported type");
    }
}

int mt_tl_encode_tref(const struct mt_tl_schema *s, const struct mt_tl_tref *t,
                      const json_t *v, int literal, struct mt_tl_writer *w,
                      struct mt_tl_error *err)
{
    struct enc e = { .s = s, .w = w, .err = err, .literal = literal };
    if (err) memset(err, 0, sizeof *err);
    if (w->overflow) return mt_tl_seterr(err, MT_E_OVERFLOW, w->pos, "output buffer already full");
    if (t) return enc_value(&e, t, v);
    return enc_boxed(&e, v, NULL);
}

int mt_tl_encode_jv(const struct mt_tl_schema *s, const json_t *v,
                    struct mt_tl_writer *w, struct mt_tl_error *err)
{
    return mt_tl_encode_tref(s, NULL, v, 0, w, err);
}

int mt_tl_encode_json(const struct mt_tl_schema *s, const char *json, size_t len,
                      struct mt_tl_writer *w, struct mt_tl_error *err)
{
    json_error_t je;
    json_t *v = json_loadb(json, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (!v) {
        if (err) memset(err, 0, sizeof *err);
        return mt_tl_seterr(err, MT_E_TL_INPUT, (size_t)je.position, "JSON: %s (line %d column %d)",
                            je.text, je.line, je.column);
    }
    int rc = mt_tl_encode_jv(s, v, w, err);
    json_decref(v);
    return rc;
}

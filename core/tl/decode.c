/* core/tl: TL bytes -> JSON (jansson), on the sticky reader. Hostile input
 * is bounded three ways: nesting depth, a budget of JSON values per call,
 * and vector counts checked against the bytes left. */
#include <math.h>
#include <stdlib.h>
#include <jansson.h>
#include "core/tl/tl_internal.h"

struct dec {
    const struct mt_tl_schema *s;
    struct mt_tl_reader *r;
    struct mt_tl_error *err;
    int depth;
    size_t nodes;
    const struct mt_tl_comb *c;   /* combinator being read, for messages */
    const char *field;
};

__attribute__((format(printf, 3, 4)))
static json_t *dfail(struct dec *d, int code, const char *fmt, ...)
{
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    size_t off = d->r->err ? d->r->err_pos : d->r->pos;
    mt_tl_fail(d->r, code == MT_E_TL_SHORT || code == MT_E_TL_CTOR ? code : MT_E_TL_VALUE);
    if (d->c)
        mt_tl_seterr(d->err, code, off, "%s#%08x field '%s': %s at byte %zu",
                     d->c->name, d->c->id, d->field ? d->field : "?", what, off);
    else
        mt_tl_seterr(d->err, code, off, "%s at byte %zu", what, off);
    return NULL;
}

static json_t *short_read(struct dec *d)
{
    return dfail(d, d->r->err ? d->r->err : MT_E_TL_SHORT, "%s",
                 d->r->err == MT_E_TL_SHORT || !d->r->err ? "truncated" : "bad value");
}

/* Every created value goes through here: counts it, maps NULL to ENOMEM. */
static json_t *node(struct dec *d, json_t *v)
{
    if (!v) return dfail(d, MT_E_NOMEM, "out of memory");
    if (++d->nodes > MT_TL_MAX_NODES) { json_decref(v); return dfail(d, MT_E_RANGE, "too many values"); }
    return v;
}

static json_t *dec_value(struct dec *d, const struct mt_tl_tref *t);

static json_t *hex_value(struct dec *d, const uint8_t *p, size_t n)
{
    char buf[4 + 64 + 1];
    memcpy(buf, "hex:", 4);
    mt_hex_encode(p, n, buf + 4);
    return node(d, json_string(buf));
}

static json_t *b64_value(struct dec *d, const uint8_t *p, size_t n, int wrap)
{
    char *buf = malloc((n + 2) / 3 * 4 + 1);
    if (!buf) return dfail(d, MT_E_NOMEM, "out of memory");
    size_t len = mt_tl_b64_encode(p, n, buf);
    json_t *v = json_stringn(buf, len);
    free(buf);
    if (v && wrap) {
        json_t *o = json_object();
        if (o && json_object_set_new(o, "base64", v) == 0) v = o;
        else { json_decref(o); json_decref(v); v = NULL; }
    }
    return node(d, v);
}

static json_t *dec_string(struct dec *d, int is_bytes)
{
    size_t n;
    const uint8_t *p = mt_tl_bytes(d->r, &n);
    if (!p) return short_read(d);
    if (is_bytes) return b64_value(d, p, n, 0);
    json_t *v = json_stringn((const char *)p, n);
    if (v) return node(d, v);
    return b64_value(d, p, n, 1);          /* not UTF-8: {"base64": ...} */
}

static json_t *dec_double(struct dec *d)
{
    double x = mt_tl_double(d->r);
    if (!mt_tl_ok(d->r)) return short_read(d);
    if (isnan(x)) return node(d, json_string("NaN"));
    if (isinf(x)) return node(d, json_string(x > 0 ? "Infinity" : "-Infinity"));
    return node(d, json_real(x));
}

static json_t *dec_vector(struct dec *d, const struct mt_tl_tref *t)
{
    size_t min = mt_tl_min_size(t->elem);
    uint32_t n;
    size_t at = d->r->pos;
    if (t->kind == MT_TLK_VECTOR) {
        n = mt_tl_vector(d->r, min);
        if (!mt_tl_ok(d->r)) {
            if (d->r->err == MT_E_TL_CTOR) return dfail(d, MT_E_TL_CTOR, "expected Vector id 1cb5c415");
            if (d->r->err == MT_E_TL_VALUE) return dfail(d, MT_E_TL_VALUE, "vector count over the bytes left");
            return short_read(d);
        }
    } else {
        n = mt_tl_u32(d->r);
        if (!mt_tl_ok(d->r)) return short_read(d);
        if (min && n > mt_tl_left(d->r) / min) {
            d->r->pos = at;
            return dfail(d, MT_E_TL_VALUE, "vector count %u over the bytes left", n);
        }
    }
    if (!min && n > MT_TL_MAX_ZERO_ELEMS) return dfail(d, MT_E_RANGE, "vector of %u empty items", n);
    json_t *a = node(d, json_array());
    for (uint32_t i = 0; a && i < n; i++) {
        json_t *x = dec_value(d, t->elem);
        if (!x || json_array_append_new(a, x)) { json_decref(a); return x ? dfail(d, MT_E_NOMEM, "out of memory") : NULL; }
    }
    return a;
}

/* The fields of c as an object {"_": name, ...}; flags fields are left out
 * (the present conditional fields say the same). */
static json_t *dec_fields(struct dec *d, const struct mt_tl_comb *c)
{
    if (++d->depth > MT_TL_MAX_DEPTH) { d->depth--; return dfail(d, MT_E_RANGE, "nested too deeply"); }
    const struct mt_tl_comb *saved_c = d->c;
    const char *saved_f = d->field;
    uint32_t flags[MT_TL_MAX_FLAGS] = { 0 };
    json_t *o = node(d, json_object());
    if (o && json_object_set_new(o, "_", node(d, json_string(c->name)))) { json_decref(o); o = NULL; }
    d->c = c;
    for (size_t i = 0; o && i < c->nf; i++) {
        const struct mt_tl_field *f = &c->f[i];
        d->field = f->name;
        if (f->is_flags) {
            flags[f->slot] = mt_tl_u32(d->r);
            if (!mt_tl_ok(d->r)) { short_read(d); json_decref(o); o = NULL; }
            continue;
        }
        if (f->cond >= 0 && !(flags[c->f[f->cond].slot] >> f->bit & 1)) continue;
        json_t *v = dec_value(d, f->t);
        if (!v || json_object_set_new(o, f->name, v)) { json_decref(o); o = NULL; }
    }
    d->c = saved_c; d->field = saved_f;
    d->depth--;
    return o;
}

static json_t *dec_boxed(struct dec *d, const struct mt_tl_type *expect)
{
    size_t at = d->r->pos;
    uint32_t id = mt_tl_u32(d->r);
    if (!mt_tl_ok(d->r)) return short_read(d);
    const struct mt_tl_comb *c = mt_tl_find_comb_id(d->s, id);
    if (!c) { d->r->pos = at; return dfail(d, MT_E_TL_CTOR, "unknown constructor id %08x", id); }
    if (expect && (c->is_func || c->rtype != expect)) {
        d->r->pos = at;
        return dfail(d, MT_E_TL_CTOR, "%s#%08x is not a constructor of type %s", c->name, id, expect->name);
    }
    return dec_fields(d, c);
}

static json_t *dec_value(struct dec *d, const struct mt_tl_tref *t)
{
    struct mt_tl_reader *r = d->r;
    switch (t->kind) {
    case MT_TLK_INT: { int32_t x = mt_tl_i32(r); return mt_tl_ok(r) ? node(d, json_integer(x)) : short_read(d); }
    case MT_TLK_NAT: { uint32_t x = mt_tl_u32(r); return mt_tl_ok(r) ? node(d, json_integer(x)) : short_read(d); }
    case MT_TLK_LONG: { int64_t x = mt_tl_i64(r); return mt_tl_ok(r) ? node(d, json_integer(x)) : short_read(d); }
    case MT_TLK_DOUBLE: return dec_double(d);
    case MT_TLK_STRING: return dec_string(d, 0);
    case MT_TLK_BYTES: return dec_string(d, 1);
    case MT_TLK_INT128: case MT_TLK_INT256: {
        size_t n = t->kind == MT_TLK_INT128 ? 16 : 32;
        const uint8_t *p = mt_tl_take(r, n);
        return p ? hex_value(d, p, n) : short_read(d);
    }
    case MT_TLK_BOOL: {
        int b = mt_tl_bool(r);
        if (!mt_tl_ok(r)) return r->err == MT_E_TL_VALUE ? dfail(d, MT_E_TL_CTOR, "expected Bool") : short_read(d);
        return node(d, json_boolean(b));
    }
    case MT_TLK_TRUE: return node(d, json_true());
    case MT_TLK_OBJECT: return dec_boxed(d, NULL);
    case MT_TLK_VECTOR: case MT_TLK_BARE_VECTOR: return dec_vector(d, t);
    case MT_TLK_BOXED: return dec_boxed(d, t->type);
    case MT_TLK_BARE: return dec_fields(d, t->ctor);
    default: return dfail(d, MT_E_TL_VALUE, "unsupported type");
    }
}

json_t *mt_tl_decode_tref(const struct mt_tl_schema *s, struct mt_tl_reader *r,
                          const struct mt_tl_tref *t, struct mt_tl_error *err)
{
    struct dec d = { .s = s, .r = r, .err = err };
    if (r->err) return dfail(&d, r->err, "reader already failed");
    return t ? dec_value(&d, t) : dec_boxed(&d, NULL);
}

json_t *mt_tl_decode_json(const struct mt_tl_schema *s, struct mt_tl_reader *r,
                          const char *type, struct mt_tl_error *err)
{
    if (err) memset(err, 0, sizeof *err);
    if (!type || strcmp(type, "Object") == 0) return mt_tl_decode_tref(s, r, NULL, err);
    struct mt_tl_arena *a = mt_tl_arena_new();
    struct mt_tl_tref *t = NULL;
    char why[160] = "";
    json_t *v = NULL;
    if (!a) {
        mt_tl_seterr(err, MT_E_NOMEM, 0, "out of memory");
    } else if (mt_tl_parse_type_expr(a, type, strlen(type), &t) ||
               mt_tl_resolve_tref(s, t, NULL, 0, -1, 0, why, sizeof why)) {
        mt_tl_seterr(err, MT_E_TL_INPUT, 0, "type '%s': %s", type, why[0] ? why : "cannot be parsed");
        mt_tl_fail(r, MT_E_TL_VALUE);
    } else {
        v = mt_tl_decode_tref(s, r, t, err);
    }
    mt_tl_arena_free(a);
    return v;
}

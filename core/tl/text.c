/* core/tl: the TL text input form, e.g.
 *   messages.getHistory peer:inputPeerSelf offset_id:0 limit:10 hash:0
 * is read into the same jansson value the JSON form gives, then encoded by
 * encode.c with quoted strings taken as raw bytes. So the two forms can
 * never disagree on the wire. Grammar in docs/tl.md. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <jansson.h>
#include "core/tl/tl_internal.h"

struct tp {
    const char *p;
    size_t len, pos;
    int depth;
    struct mt_tl_error *err;
};

__attribute__((format(printf, 2, 3)))
static json_t *tfail(struct tp *t, const char *fmt, ...)
{
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    mt_tl_seterr(t->err, MT_E_TL_INPUT, t->pos, "TL text: %s at offset %zu", what, t->pos);
    return NULL;
}

static void skip_ws(struct tp *t)
{
    while (t->pos < t->len && (isspace((unsigned char)t->p[t->pos]) || t->p[t->pos] == ','))
        t->pos++;
}

static int peek(struct tp *t) { return t->pos < t->len ? (unsigned char)t->p[t->pos] : -1; }
static int ident_start(int c) { return c >= 0 && (isalpha(c) || c == '_'); }
static int ident_char(int c) { return c >= 0 && (isalnum(c) || c == '_' || c == '.'); }

static size_t ident_len(struct tp *t)
{
    size_t q = t->pos;
    while (q < t->len && ident_char((unsigned char)t->p[q])) q++;
    return q - t->pos;
}

static json_t *parse_value(struct tp *t);

static json_t *parse_string(struct tp *t)
{
    size_t cap = 64, n = 0;
    char *buf = malloc(cap);
    if (!buf) return tfail(t, "out of memory");
    t->pos++;                                     /* opening quote */
    while (t->pos < t->len && t->p[t->pos] != '"') {
        char c = t->p[t->pos++];
        if (c == '\\') {
            if (t->pos >= t->len) break;
            char e = t->p[t->pos++];
            switch (e) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case '0': c = 0; break;
            case 'x': {
                int v = 0;
                for (int k = 0; k < 2; k++) {
                    int h = t->pos < t->len ? t->p[t->pos] : 0;
                    if (!isxdigit(h)) { free(buf); return tfail(t, "bad \\x escape"); }
                    v = v * 16 + (isdigit(h) ? h - '0' : tolower(h) - 'a' + 10);
                    t->pos++;
                }
                c = (char)v;
                break;
            }
            case '"': case '\\': c = e; break;
            default: free(buf); t->pos--; return tfail(t, "unknown escape \\%c", e);
            }
        }
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) { free(buf); return tfail(t, "out of memory"); }
            buf = nb;
        }
        buf[n++] = c;
    }
    if (t->pos >= t->len) { free(buf); return tfail(t, "unterminated string"); }
    t->pos++;
    json_t *v = json_stringn_nocheck(buf, n);     /* raw bytes, maybe not UTF-8 */
    free(buf);
    return v ? v : tfail(t, "out of memory");
}

static json_t *parse_number(struct tp *t)
{
    size_t q = t->pos;
    int real = 0;
    if (q < t->len && (t->p[q] == '-' || t->p[q] == '+')) q++;
    while (q < t->len && (isalnum((unsigned char)t->p[q]) || t->p[q] == '.' ||
                          ((t->p[q] == '-' || t->p[q] == '+') && (t->p[q - 1] == 'e' || t->p[q - 1] == 'E')))) {
        if (t->p[q] == '.' || t->p[q] == 'e' || t->p[q] == 'E') real = 1;
        q++;
    }
    char buf[64];
    size_t n = q - t->pos;
    if (n == 0 || n >= sizeof buf) return tfail(t, "bad number");
    memcpy(buf, t->p + t->pos, n); buf[n] = 0;
    char *end;
    errno = 0;
    json_t *v;
    if (real) {
        double d = strtod(buf, &end);
        if (*end || errno) return tfail(t, "bad number '%s'", buf);
        v = json_real(d);
    } else {
        /* decimal, or 0x hex; a leading 0 is not octal */
        const char *digits = buf + (buf[0] == '-' || buf[0] == '+');
        int base = (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) ? 16 : 10;
        long long x = strtoll(buf, &end, base);
        if (*end) return tfail(t, "bad number '%s'", buf);
        /* beyond int64 (an unsigned long): the encoder takes decimal strings */
        v = errno == ERANGE ? json_string(buf) : json_integer(x);
    }
    t->pos = q;
    return v ? v : tfail(t, "out of memory");
}

/* `name field:value ...` up to ')' or the end: {"_": name, field: value}. */
static json_t *parse_call(struct tp *t, int nested)
{
    if (++t->depth > MT_TL_MAX_DEPTH) return tfail(t, "nested too deeply");
    size_t n = ident_len(t);
    json_t *o = json_object();
    if (!o || json_object_set_new(o, "_", json_stringn(t->p + t->pos, n))) { json_decref(o); return tfail(t, "out of memory"); }
    t->pos += n;
    for (;;) {
        skip_ws(t);
        int c = peek(t);
        if (c < 0 || (nested && c == ')')) break;
        size_t k = ident_len(t);
        if (!ident_start(c) || t->pos + k >= t->len || t->p[t->pos + k] != ':') {
            json_decref(o);
            return tfail(t, "expected field:value");
        }
        char key[128];
        if (k >= sizeof key) { json_decref(o); return tfail(t, "field name too long"); }
        memcpy(key, t->p + t->pos, k); key[k] = 0;
        t->pos += k + 1;
        if (json_object_get(o, key)) { json_decref(o); return tfail(t, "field '%s' given twice", key); }
        json_t *v = parse_value(t);
        if (!v || json_object_set_new(o, key, v)) { json_decref(o); return v ? tfail(t, "out of memory") : NULL; }
    }
    t->depth--;
    return o;
}

static json_t *parse_array(struct tp *t)
{
    if (++t->depth > MT_TL_MAX_DEPTH) return tfail(t, "nested too deeply");
    json_t *a = json_array();
    if (!a) return tfail(t, "out of memory");
    t->pos++;
    for (;;) {
        skip_ws(t);
        int c = peek(t);
        if (c == ']') { t->pos++; break; }
        if (c < 0) { json_decref(a); return tfail(t, "unterminated ["); }
        json_t *v = parse_value(t);
        if (!v || json_array_append_new(a, v)) { json_decref(a); return v ? tfail(t, "out of memory") : NULL; }
    }
    t->depth--;
    return a;
}

/* hex:00ff... as {"hex": "00ff..."} (a bytes-like value, never literal). */
static json_t *parse_hex(struct tp *t)
{
    size_t q = t->pos + 4;
    while (q < t->len && isxdigit((unsigned char)t->p[q])) q++;
    json_t *o = json_object();
    if (!o || json_object_set_new(o, "hex", json_stringn(t->p + t->pos + 4, q - t->pos - 4))) {
        json_decref(o);
        return tfail(t, "out of memory");
    }
    t->pos = q;
    return o;
}

static json_t *parse_value(struct tp *t)
{
    skip_ws(t);
    int c = peek(t);
    if (c == '"') return parse_string(t);
    if (c == '[') return parse_array(t);
    if (c == '(') {
        t->pos++;
        skip_ws(t);
        if (!ident_start(peek(t))) return tfail(t, "expected a constructor name");
        json_t *v = parse_call(t, 1);
        if (!v) return NULL;
        if (peek(t) != ')') { json_decref(v); return tfail(t, "expected ')'"); }
        t->pos++;
        return v;
    }
    if (c == '-' || c == '+' || (c >= '0' && c <= '9')) return parse_number(t);
    if (ident_start(c)) {
        size_t n = ident_len(t);
        if (n == 3 && memcmp(t->p + t->pos, "hex", 3) == 0 && t->pos + 3 < t->len && t->p[t->pos + 3] == ':')
            return parse_hex(t);
        if (n == 4 && memcmp(t->p + t->pos, "true", 4) == 0) { t->pos += n; return json_true(); }
        if (n == 5 && memcmp(t->p + t->pos, "false", 5) == 0) { t->pos += n; return json_false(); }
        json_t *o = json_object();     /* a constructor without fields */
        if (!o || json_object_set_new(o, "_", json_stringn(t->p + t->pos, n))) { json_decref(o); return tfail(t, "out of memory"); }
        t->pos += n;
        return o;
    }
    return c < 0 ? tfail(t, "value expected, got end of text") : tfail(t, "unexpected '%c'", c);
}

int mt_tl_encode_text(const struct mt_tl_schema *s, const char *text, size_t len,
                      struct mt_tl_writer *w, struct mt_tl_error *err)
{
    struct tp t = { .p = text, .len = len, .err = err };
    if (err) memset(err, 0, sizeof *err);
    skip_ws(&t);
    if (!ident_start(peek(&t))) { tfail(&t, "expected a method or constructor name"); return MT_E_TL_INPUT; }
    json_t *v = parse_call(&t, 0);
    if (!v) return err && err->code ? err->code : MT_E_TL_INPUT;
    int rc = mt_tl_encode_tref(s, NULL, v, 1, w, err);
    json_decref(v);
    return rc;
}

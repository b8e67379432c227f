/* core/tl: the .tl text parser. It reads the subset of TL that real schemas
 * use (see docs/tl.md) into unresolved combinators; schema.c then resolves
 * names and builds the lookup tables. Every error names the file and line. */
#include <ctype.h>
#include <stdlib.h>
#include "core/tl/tl_internal.h"

enum tok_kind { T_END, T_IDENT, T_PUNCT, T_SEP_FUNCS, T_SEP_TYPES, T_BAD };

struct tok {
    int kind;
    const char *s;     /* identifier text or the punctuation character */
    size_t n;
    uint32_t id;       /* name#id */
    int has_id;
    size_t off;        /* byte offset in the text */
    int line;
};

struct lexer {
    const char *p;
    size_t len, pos;
    int line;
    int *layer;        /* set from a "// LAYER N" comment */
    const char *bad;   /* why the last T_BAD was produced */
};

static int is_ident_char(int c) { return isalnum(c) || c == '_' || c == '.'; }

/* A "LAYER N" inside a comment sets the schema's layer. */
static void scan_layer(struct lexer *lx, size_t from, size_t to)
{
    for (size_t i = from; i + 6 < to; i++) {
        if (memcmp(lx->p + i, "LAYER", 5) != 0) continue;
        size_t j = i + 5;
        while (j < to && lx->p[j] == ' ') j++;
        int v = 0, digits = 0;
        while (j < to && isdigit((unsigned char)lx->p[j]) && digits < 6) {
            v = v * 10 + (lx->p[j] - '0'); j++; digits++;
        }
        if (digits) { *lx->layer = v; return; }
    }
}

/* Skips spaces and comments; returns 0, or -1 on an unterminated comment. */
static int skip_blank(struct lexer *lx)
{
    for (;;) {
        while (lx->pos < lx->len && isspace((unsigned char)lx->p[lx->pos])) {
            if (lx->p[lx->pos] == '\n') lx->line++;
            lx->pos++;
        }
        if (lx->pos + 1 >= lx->len || lx->p[lx->pos] != '/') return 0;
        if (lx->p[lx->pos + 1] == '/') {
            size_t start = lx->pos;
            while (lx->pos < lx->len && lx->p[lx->pos] != '\n') lx->pos++;
            scan_layer(lx, start, lx->pos);
        } else if (lx->p[lx->pos + 1] == '*') {
            size_t start = lx->pos;
            lx->pos += 2;
            while (lx->pos + 1 < lx->len && !(lx->p[lx->pos] == '*' && lx->p[lx->pos + 1] == '/')) {
                if (lx->p[lx->pos] == '\n') lx->line++;
                lx->pos++;
            }
            if (lx->pos + 1 >= lx->len) return -1;
            lx->pos += 2;
            scan_layer(lx, start, lx->pos);
        } else {
            return 0;
        }
    }
}

static int lex_id(struct lexer *lx, struct tok *t)
{
    size_t q = lx->pos + 1, digits = 0;
    uint32_t v = 0;
    while (q < lx->len && isxdigit((unsigned char)lx->p[q]) && digits < 9) {
        int c = tolower((unsigned char)lx->p[q]);
        v = v << 4 | (uint32_t)(c <= '9' ? c - '0' : c - 'a' + 10);
        q++; digits++;
    }
    if (digits == 0 || digits > 8 || (q < lx->len && is_ident_char(lx->p[q]))) {
        lx->bad = "constructor id must be 1..8 hex digits";
        return -1;
    }
    t->id = v; t->has_id = 1; lx->pos = q;
    return 0;
}

static void next_tok(struct lexer *lx, struct tok *t)
{
    memset(t, 0, sizeof *t);
    if (skip_blank(lx) < 0) { t->kind = T_BAD; lx->bad = "unterminated comment"; return; }
    t->off = lx->pos; t->line = lx->line;
    if (lx->pos >= lx->len) { t->kind = T_END; return; }
    const char *c = lx->p + lx->pos;
    size_t left = lx->len - lx->pos;
    if (left >= 15 && memcmp(c, "---functions---", 15) == 0) { t->kind = T_SEP_FUNCS; lx->pos += 15; return; }
    if (left >= 11 && memcmp(c, "---types---", 11) == 0) { t->kind = T_SEP_TYPES; lx->pos += 11; return; }
    if (isalnum((unsigned char)*c) || *c == '_') {
        size_t q = lx->pos;
        while (q < lx->len && is_ident_char(lx->p[q])) q++;
        t->kind = T_IDENT; t->s = c; t->n = q - lx->pos; lx->pos = q;
        if (q < lx->len && lx->p[q] == '#' && q + 1 < lx->len && isxdigit((unsigned char)lx->p[q + 1])) {
            if (lex_id(lx, t) < 0) t->kind = T_BAD;
        }
        return;
    }
    if (strchr("#:;={}()<>,%!?[]*", *c)) { t->kind = T_PUNCT; t->s = c; t->n = 1; lx->pos++; return; }
    t->kind = T_BAD; lx->bad = "unexpected character";
}

/* ---- declaration parser ------------------------------------------------- */
struct parser {
    struct lexer lx;
    struct tok cur;
    struct mt_tl_schema *s;
    struct mt_tl_arena *a;
    const char *origin;
    struct mt_tl_error *err;
    int depth;
    struct mt_tl_field *fields;   /* MT_TL_MAX_FIELDS scratch entries */
};

static void advance(struct parser *ps) { next_tok(&ps->lx, &ps->cur); }
static int is_punct(const struct tok *t, char c) { return t->kind == T_PUNCT && t->s[0] == c; }

static int perr(struct parser *ps, const char *what)
{
    const struct tok *t = &ps->cur;
    const char *near = t->kind == T_END ? "end of text" : NULL;
    if (t->kind == T_BAD) what = ps->lx.bad;
    if (near)
        return mt_tl_seterr(ps->err, MT_E_TL_SCHEMA, t->off, "%s:%d: %s (at %s)",
                            ps->origin, t->line, what, near);
    return mt_tl_seterr(ps->err, MT_E_TL_SCHEMA, t->off, "%s:%d: %s (at '%.*s')",
                        ps->origin, t->line, what,
                        (int)(t->kind == T_IDENT ? (t->n > 40 ? 40 : t->n) : 1),
                        t->s ? t->s : "?");
}

static struct mt_tl_tref *new_tref(struct parser *ps, const char *name, size_t n)
{
    struct mt_tl_tref *t = mt_tl_arena_alloc(ps->a, sizeof *t);
    if (t) { t->kind = MT_TLK_BOXED; t->name = name ? mt_tl_arena_strndup(ps->a, name, n) : ""; }
    return t;
}

static int parse_type(struct parser *ps, struct mt_tl_tref **out, int in_result);

/* name<args> / name args... (inside parentheses or in a result type). Only
 * Vector/vector take an argument: other polymorphic types are not used by
 * real schemas and are rejected. */
static int parse_applied(struct parser *ps, struct mt_tl_tref **out, int spaced)
{
    struct tok name = ps->cur;
    struct mt_tl_tref *t = new_tref(ps, name.s, name.n);
    if (!t) return mt_tl_seterr(ps->err, MT_E_NOMEM, name.off, "out of memory");
    advance(ps);
    struct mt_tl_tref *arg = NULL;
    int nargs = 0;
    if (is_punct(&ps->cur, '<')) {
        advance(ps);
        for (;;) {
            struct mt_tl_tref *one = NULL;
            int rc = parse_type(ps, &one, 0);
            if (rc) return rc;
            if (!nargs) arg = one;
            nargs++;
            if (is_punct(&ps->cur, ',')) { advance(ps); continue; }
            if (!is_punct(&ps->cur, '>')) return perr(ps, "expected '>'");
            advance(ps);
            break;
        }
    } else if (spaced) {
        while (ps->cur.kind == T_IDENT || is_punct(&ps->cur, '(') || is_punct(&ps->cur, '%')) {
            struct mt_tl_tref *one = NULL;
            int rc = parse_type(ps, &one, 0);
            if (rc) return rc;
            if (!nargs) arg = one;
            nargs++;
        }
    }
    if (nargs) {
        int vec = (name.n == 6 && (memcmp(name.s, "Vector", 6) == 0 || memcmp(name.s, "vector", 6) == 0));
        if (!vec || nargs != 1)
            return mt_tl_seterr(ps->err, MT_E_TL_SCHEMA, name.off,
                                "%s:%d: polymorphic type '%.*s' is not supported (only Vector<T>)",
                                ps->origin, name.line, (int)name.n, name.s);
        t->elem = arg;
    }
    *out = t;
    return 0;
}

static int parse_type(struct parser *ps, struct mt_tl_tref **out, int in_result)
{
    if (++ps->depth > MT_TL_MAX_DEPTH) return perr(ps, "type nested too deeply");
    int rc = 0;
    if (is_punct(&ps->cur, '!') || is_punct(&ps->cur, '%')) {
        int bang = ps->cur.s[0] == '!';
        advance(ps);
        rc = parse_type(ps, out, 0);
        if (!rc && bang) {
            if ((*out)->elem) rc = perr(ps, "'!' applies to a type variable only");
            else (*out)->kind = MT_TLK_OBJECT;
        } else if (!rc) {
            (*out)->bare = 1;
        }
    } else if (is_punct(&ps->cur, '#')) {
        *out = new_tref(ps, "#", 1);
        if (!*out) rc = mt_tl_seterr(ps->err, MT_E_NOMEM, ps->cur.off, "out of memory");
        else (*out)->kind = MT_TLK_NAT;
        advance(ps);
    } else if (is_punct(&ps->cur, '(')) {
        advance(ps);
        if (ps->cur.kind != T_IDENT) rc = perr(ps, "expected a type name");
        else rc = parse_applied(ps, out, 1);
        if (!rc && !is_punct(&ps->cur, ')')) rc = perr(ps, "expected ')'");
        if (!rc) advance(ps);
    } else if (ps->cur.kind == T_IDENT) {
        rc = parse_applied(ps, out, in_result);
    } else {
        rc = perr(ps, "expected a type");
    }
    ps->depth--;
    return rc;
}

/* Skip to the end of a declaration of a built-in type (int ? = Int; ...). */
static int skip_decl(struct parser *ps)
{
    while (ps->cur.kind != T_END && !is_punct(&ps->cur, ';')) {
        if (ps->cur.kind == T_BAD || ps->cur.kind == T_SEP_FUNCS || ps->cur.kind == T_SEP_TYPES)
            return perr(ps, "expected ';'");
        advance(ps);
    }
    if (ps->cur.kind == T_END) return perr(ps, "expected ';'");
    advance(ps);
    return 0;
}

static int is_builtin_decl(const struct tok *t)
{
    static const char *const names[] = { "int", "long", "double", "string", "bytes",
                                         "int128", "int256", "vector" };
    for (size_t i = 0; i < MT_ARRAY_LEN(names); i++)
        if (t->n == strlen(names[i]) && memcmp(t->s, names[i], t->n) == 0) return 1;
    return 0;
}

/* flags.N?Type: fills cond/bit by name lookup among the fields so far. */
static int parse_condition(struct parser *ps, struct mt_tl_field *fs, size_t nf, struct mt_tl_field *f)
{
    const struct tok c = ps->cur;
    const char *dot = memchr(c.s, '.', c.n);
    const char *last_dot = dot;
    while (last_dot && memchr(last_dot + 1, '.', c.n - (size_t)(last_dot + 1 - c.s)))
        last_dot = memchr(last_dot + 1, '.', c.n - (size_t)(last_dot + 1 - c.s));
    if (!last_dot) return perr(ps, "expected flags.N?Type");
    size_t name_len = (size_t)(last_dot - c.s);
    long bit = 0;
    size_t i = name_len + 1;
    if (i >= c.n) return perr(ps, "missing flag bit number");
    for (; i < c.n; i++) {
        if (!isdigit((unsigned char)c.s[i])) return perr(ps, "flag bit must be a number");
        bit = bit * 10 + (c.s[i] - '0');
        if (bit > 31) return perr(ps, "flag bit must be 0..31");
    }
    for (size_t k = 0; k < nf; k++) {
        if (strlen(fs[k].name) == name_len && memcmp(fs[k].name, c.s, name_len) == 0 &&
            fs[k].t->kind == MT_TLK_NAT) {
            if (!fs[k].is_flags) {
                size_t used = 0;
                for (size_t j = 0; j < nf; j++) used += fs[j].is_flags;
                if (used >= MT_TL_MAX_FLAGS) return perr(ps, "too many flags fields");
                fs[k].slot = (uint8_t)used;
            }
            f->cond = (int16_t)k; f->bit = (uint8_t)bit; fs[k].is_flags = 1;
            advance(ps); /* the '?' */
            advance(ps);
            return 0;
        }
    }
    return perr(ps, "conditional field refers to no earlier '#' field of that name");
}

static int parse_field(struct parser *ps, struct mt_tl_field *fs, size_t nf)
{
    struct mt_tl_field *f = &fs[nf];
    memset(f, 0, sizeof *f);
    f->cond = -1;
    f->name = "";
    if (ps->cur.kind == T_IDENT) {
        /* look ahead for ':' without consuming: re-lex from a saved state */
        struct lexer save = ps->lx;
        struct tok name = ps->cur;
        advance(ps);
        if (is_punct(&ps->cur, ':')) {
            f->name = mt_tl_arena_strndup(ps->a, name.s, name.n);
            if (!f->name) return mt_tl_seterr(ps->err, MT_E_NOMEM, name.off, "out of memory");
            advance(ps);
            if (ps->cur.kind == T_IDENT) {
                struct lexer save2 = ps->lx;
                struct tok ident = ps->cur;
                advance(ps);
                int cond = is_punct(&ps->cur, '?');
                ps->lx = save2; ps->cur = ident;
                if (cond) {
                    int rc = parse_condition(ps, fs, nf, f);
                    if (rc) return rc;
                }
            }
        } else {
            ps->lx = save; ps->cur = name;
        }
    }
    if (!f->name[0]) {
        /* anonymous arguments (getUsers (Vector int) = ...) are named by
         * position in JSON: "_1", "_2"... */
        char pos[16];
        snprintf(pos, sizeof pos, "_%zu", nf + 1);
        f->name = mt_tl_arena_strndup(ps->a, pos, strlen(pos));
        if (!f->name) return mt_tl_seterr(ps->err, MT_E_NOMEM, ps->cur.off, "out of memory");
    }
    if (is_punct(&ps->cur, '[')) return perr(ps, "repetitions [ ... ] are not supported");
    return parse_type(ps, &f->t, 0);
}

static int parse_params(struct parser *ps, const char **params, size_t *np)
{
    while (is_punct(&ps->cur, '{')) {
        advance(ps);
        if (ps->cur.kind != T_IDENT) return perr(ps, "expected a type parameter name");
        if (*np >= 8) return perr(ps, "too many type parameters");
        params[(*np)++] = mt_tl_arena_strndup(ps->a, ps->cur.s, ps->cur.n);
        advance(ps);
        if (!is_punct(&ps->cur, ':')) return perr(ps, "expected ':'");
        advance(ps);
        if (ps->cur.kind != T_IDENT && !is_punct(&ps->cur, '#')) return perr(ps, "expected a kind");
        advance(ps);
        if (!is_punct(&ps->cur, '}')) return perr(ps, "expected '}'");
        advance(ps);
    }
    return 0;
}

/* The result type text as a canonical string: Vector<User>, X, Bool... */
static size_t tref_print(const struct mt_tl_tref *t, char *out, size_t cap)
{
    int n = t->elem ? snprintf(out, cap, "%s%s<", t->bare ? "%" : "", t->name)
                    : snprintf(out, cap, "%s%s", t->bare ? "%" : "", t->name);
    size_t len = n > 0 ? (size_t)n : 0;
    if (len >= cap) return cap;
    if (t->elem) {
        len += tref_print(t->elem, out + len, cap - len);
        if (len + 1 < cap) { out[len++] = '>'; out[len] = 0; }
    }
    return len;
}

static int parse_decl(struct parser *ps, int is_func)
{
    struct tok name = ps->cur;
    advance(ps);
    if (is_builtin_decl(&name)) return skip_decl(ps);
    struct mt_tl_comb *c = mt_tl_arena_alloc(ps->a, sizeof *c);
    struct mt_tl_field *fs = ps->fields;   /* scratch; copied to the arena at the end */
    if (!c) return mt_tl_seterr(ps->err, MT_E_NOMEM, name.off, "out of memory");
    c->name = mt_tl_arena_strndup(ps->a, name.s, name.n);
    c->id = name.id; c->has_id = (uint8_t)name.has_id; c->is_func = (uint8_t)is_func;
    c->origin = ps->origin; c->line = name.line;
    c->src = (uint16_t)(ps->s->ntexts - 1);
    const char *params[8];
    size_t np = 0, nf = 0;
    int rc = parse_params(ps, params, &np);
    while (!rc && !is_punct(&ps->cur, '=')) {
        if (nf >= MT_TL_MAX_FIELDS) return perr(ps, "too many fields");
        if (ps->cur.kind == T_END || is_punct(&ps->cur, ';')) return perr(ps, "expected '='");
        rc = parse_field(ps, fs, nf);
        if (!rc) nf++;
    }
    if (rc) return rc;
    advance(ps);
    struct mt_tl_tref *res = NULL;
    if (ps->cur.kind != T_IDENT) return perr(ps, "expected the result type");
    rc = parse_type(ps, &res, 1);
    if (rc) return rc;
    if (!is_punct(&ps->cur, ';')) return perr(ps, "expected ';'");
    advance(ps);
    char buf[256];
    tref_print(res, buf, sizeof buf);
    c->result = mt_tl_arena_strndup(ps->a, buf, strlen(buf));
    c->rt = res;
    c->nf = (uint16_t)nf;
    if (nf) {
        c->f = mt_tl_arena_alloc(ps->a, sizeof *fs * nf);
        if (!c->f) return mt_tl_seterr(ps->err, MT_E_NOMEM, name.off, "out of memory");
        memcpy(c->f, fs, sizeof *fs * nf);
    }
    /* type parameters travel with the combinator for resolution */
    if (np) {
        const char **pp = mt_tl_arena_alloc(ps->a, sizeof *pp * (np + 1));
        if (!pp) return mt_tl_seterr(ps->err, MT_E_NOMEM, name.off, "out of memory");
        memcpy(pp, params, sizeof *pp * np);
        c->params = pp; c->nparams = (uint8_t)np;
    }
    if (ps->s->ncombs == ps->s->cap_combs) {
        size_t cap = ps->s->cap_combs ? ps->s->cap_combs * 2 : 256;
        void *p = realloc(ps->s->combs, cap * sizeof *ps->s->combs);
        if (!p) return mt_tl_seterr(ps->err, MT_E_NOMEM, name.off, "out of memory");
        ps->s->combs = p; ps->s->cap_combs = cap;
    }
    ps->s->combs[ps->s->ncombs++] = c;
    return 0;
}

int mt_tl_parse_text(struct mt_tl_schema *s, const char *text, size_t len,
                     const char *origin, struct mt_tl_error *err)
{
    struct parser ps;
    memset(&ps, 0, sizeof ps);
    ps.lx.p = text; ps.lx.len = len; ps.lx.line = 1; ps.lx.layer = &s->layer;
    ps.s = s; ps.a = s->arena; ps.origin = origin; ps.err = err;
    int is_func = 0, rc = 0;
    ps.fields = malloc(sizeof *ps.fields * MT_TL_MAX_FIELDS);
    if (!ps.fields) return mt_tl_seterr(err, MT_E_NOMEM, 0, "out of memory");
    advance(&ps);
    while (!rc && ps.cur.kind != T_END) {
        switch (ps.cur.kind) {
        case T_SEP_FUNCS: is_func = 1; advance(&ps); break;
        case T_SEP_TYPES: is_func = 0; advance(&ps); break;
        case T_IDENT: rc = parse_decl(&ps, is_func); break;
        default: rc = perr(&ps, "expected a declaration");
        }
    }
    free(ps.fields);
    return rc;
}

int mt_tl_parse_type_expr(struct mt_tl_arena *a, const char *text, size_t len,
                          struct mt_tl_tref **out)
{
    struct parser ps;
    struct mt_tl_error e;
    int layer = 0;
    memset(&ps, 0, sizeof ps);
    ps.lx.p = text; ps.lx.len = len; ps.lx.line = 1; ps.lx.layer = &layer;
    ps.a = a; ps.origin = "type"; ps.err = &e;
    advance(&ps);
    int rc = parse_type(&ps, out, 1);
    if (!rc && ps.cur.kind != T_END) rc = MT_E_TL_INPUT;
    return rc ? MT_E_TL_INPUT : 0;
}

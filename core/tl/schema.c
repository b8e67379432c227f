/* core/tl: schema object — arena, hash tables, name resolution, merging and
 * the public lookup functions. Parsing of the text is in schema_parse.c. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include "core/tl/tl_internal.h"

/* ---- arena --------------------------------------------------------------- */
struct mt_tl_chunk { struct mt_tl_chunk *next; size_t used, cap; max_align_t data[]; };
struct mt_tl_arena { struct mt_tl_chunk *head; };

struct mt_tl_arena *mt_tl_arena_new(void) { return calloc(1, sizeof(struct mt_tl_arena)); }

void mt_tl_arena_free(struct mt_tl_arena *a)
{
    if (!a) return;
    for (struct mt_tl_chunk *c = a->head, *n; c; c = n) { n = c->next; free(c); }
    free(a);
}

void *mt_tl_arena_alloc(struct mt_tl_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct mt_tl_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        c = malloc(sizeof *c + cap);
        if (!c) return NULL;
        c->used = 0; c->cap = cap; c->next = a->head; a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *mt_tl_arena_strndup(struct mt_tl_arena *a, const char *s, size_t n)
{
    char *p = mt_tl_arena_alloc(a, n + 1);
    if (p) { memcpy(p, s, n); p[n] = 0; }
    return p;
}

int mt_tl_seterr(struct mt_tl_error *err, int code, size_t offset, const char *fmt, ...)
{
    if (err && !err->code) {
        err->code = code; err->offset = offset;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* ---- hash tables -----------------------------------------------------------
 * Open addressing over pointers to combinators or types. Local tables key on
 * (file, name), the merged ones on the name alone. */
static uint32_t hash_name(const char *s, size_t n, int src)
{
    uint32_t h = 2166136261u;                  /* FNV-1a */
    for (size_t i = 0; i < n; i++) { h ^= (uint8_t)s[i]; h *= 16777619u; }
    return src < 0 ? h : h ^ ((uint32_t)src * 0x9e3779b1u);
}
static uint32_t hash_id(uint32_t id) { return (id * 0x9e3779b1u) ^ (id >> 16); }

static int htab_init(struct mt_tl_htab *h, size_t n)
{
    size_t size = 16;
    while (size < n * 2) size <<= 1;
    h->slot = calloc(size, sizeof *h->slot);
    h->mask = (uint32_t)(size - 1);
    return h->slot ? 0 : MT_E_NOMEM;
}

static const char *ent_name(const void *v, int is_type)
{
    return is_type ? ((const struct mt_tl_type *)v)->name : ((const struct mt_tl_comb *)v)->name;
}
static int ent_src(const void *v, int is_type)
{
    return is_type ? ((const struct mt_tl_type *)v)->src : ((const struct mt_tl_comb *)v)->src;
}

/* Slot of (name, src) — src < 0 ignores the file — or of the empty slot
 * where it would go. */
static void **htab_slot(const struct mt_tl_htab *h, const char *name, size_t n, int src, int is_type)
{
    for (uint32_t i = hash_name(name, n, src) & h->mask;; i = (i + 1) & h->mask) {
        void *v = h->slot[i];
        if (!v) return &h->slot[i];
        const char *k = ent_name(v, is_type);
        if (strncmp(k, name, n) == 0 && k[n] == 0 && (src < 0 || ent_src(v, is_type) == src))
            return &h->slot[i];
    }
}

/* Insert or replace; returns the replaced entry or NULL. */
static void *htab_put(struct mt_tl_htab *h, void *v, int is_type, int local)
{
    const char *name = ent_name(v, is_type);
    void **slot = htab_slot(h, name, strlen(name), local ? ent_src(v, is_type) : -1, is_type);
    void *old = *slot;
    *slot = v;
    return old;
}

static void *htab_get(const struct mt_tl_htab *h, const char *name, size_t n, int src, int is_type)
{
    return h->slot ? *htab_slot(h, name, n, src, is_type) : NULL;
}

static void htab_put_id(struct mt_tl_htab *h, struct mt_tl_comb *c)
{
    for (uint32_t i = hash_id(c->id) & h->mask;; i = (i + 1) & h->mask) {
        struct mt_tl_comb *o = h->slot[i];
        if (!o || o->id == c->id) { h->slot[i] = c; return; }
    }
}

struct mt_tl_comb *mt_tl_find_comb(const struct mt_tl_schema *s, const char *name, size_t n)
{
    return htab_get(&s->by_name, name, n, -1, 0);
}

struct mt_tl_comb *mt_tl_find_comb_id(const struct mt_tl_schema *s, uint32_t id)
{
    for (uint32_t i = hash_id(id) & s->by_id.mask; s->by_id.slot[i]; i = (i + 1) & s->by_id.mask) {
        struct mt_tl_comb *c = s->by_id.slot[i];
        if (c->id == id) return c;
    }
    return NULL;
}

struct mt_tl_type *mt_tl_find_type(const struct mt_tl_schema *s, const char *name, size_t n)
{
    return htab_get(&s->type_global, name, n, -1, 1);
}

/* ---- resolution ------------------------------------------------------------- */
static int is_lower_name(const char *name)
{
    const char *last = strrchr(name, '.');
    last = last ? last + 1 : name;
    return islower((unsigned char)*last) != 0;
}

static int builtin_kind(const char *n)
{
    static const struct { const char *name; int kind; } b[] = {
        { "int", MT_TLK_INT }, { "long", MT_TLK_LONG }, { "double", MT_TLK_DOUBLE },
        { "string", MT_TLK_STRING }, { "bytes", MT_TLK_BYTES }, { "int128", MT_TLK_INT128 },
        { "int256", MT_TLK_INT256 }, { "Bool", MT_TLK_BOOL }, { "true", MT_TLK_TRUE },
        { "Object", MT_TLK_OBJECT },
    };
    for (size_t i = 0; i < MT_ARRAY_LEN(b); i++)
        if (strcmp(n, b[i].name) == 0) return b[i].kind;
    return -1;
}

int mt_tl_resolve_tref(const struct mt_tl_schema *s, struct mt_tl_tref *t,
                       const char *const *params, size_t nparams, int src, int mark_bare,
                       char *why, size_t why_cap)
{
    if (t->kind == MT_TLK_NAT || t->kind == MT_TLK_OBJECT) return 0;
    for (size_t i = 0; i < nparams; i++)
        if (strcmp(t->name, params[i]) == 0) { t->kind = MT_TLK_OBJECT; return 0; }
    if (t->elem) {
        t->kind = (strcmp(t->name, "vector") == 0 || t->bare) ? MT_TLK_BARE_VECTOR : MT_TLK_VECTOR;
        return mt_tl_resolve_tref(s, t->elem, params, nparams, src, mark_bare, why, why_cap);
    }
    int k = builtin_kind(t->name);
    if (k >= 0 && !(t->bare && (k == MT_TLK_BOOL || k == MT_TLK_OBJECT))) {
        t->kind = (uint8_t)k;
        return 0;
    }
    if (is_lower_name(t->name)) {
        size_t n = strlen(t->name);
        struct mt_tl_comb *c = src >= 0 ? htab_get(&s->comb_local, t->name, n, src, 0) : NULL;
        if (!c) c = mt_tl_find_comb(s, t->name, n);
        if (!c || c->is_func) {
            snprintf(why, why_cap, "unknown bare constructor '%s'", t->name);
            return MT_E_TL_SCHEMA;
        }
        t->kind = MT_TLK_BARE; t->ctor = c;
        if (mark_bare) c->used_bare = 1;
        return 0;
    }
    size_t n = strlen(t->name);
    struct mt_tl_type *ty = src >= 0 ? htab_get(&s->type_local, t->name, n, src, 1) : NULL;
    if (!ty) ty = mt_tl_find_type(s, t->name, n);
    if (!ty) { snprintf(why, why_cap, "unknown type '%s'", t->name); return MT_E_TL_SCHEMA; }
    if (t->bare) {
        if (ty->nctors != 1) {
            snprintf(why, why_cap, "bare %%%s needs a type with one constructor", t->name);
            return MT_E_TL_SCHEMA;
        }
        t->kind = MT_TLK_BARE; t->ctor = ty->ctors[0];
        if (mark_bare) t->ctor->used_bare = 1;
        return 0;
    }
    t->kind = MT_TLK_BOXED; t->type = ty;
    return 0;
}

size_t mt_tl_min_size(const struct mt_tl_tref *t)
{
    switch (t->kind) {
    case MT_TLK_LONG: case MT_TLK_DOUBLE: case MT_TLK_VECTOR: return 8;
    case MT_TLK_INT128: return 16;
    case MT_TLK_INT256: return 32;
    case MT_TLK_TRUE: return 0;
    case MT_TLK_BARE: {
        size_t n = 0;     /* one level deep: nested bare values count as 0 */
        for (size_t i = 0; i < t->ctor->nf; i++) {
            const struct mt_tl_field *f = &t->ctor->f[i];
            if (f->cond < 0 && f->t->kind != MT_TLK_BARE) n += mt_tl_min_size(f->t);
        }
        return n;
    }
    default: return 4;
    }
}

/* ---- building ----------------------------------------------------------------
 * Types are per file: the constructors of one file with one result type. A
 * name used in a file resolves to that file's declaration first, so files
 * that reuse a name (MTProto's `message`/`Message` and the API's) each keep
 * their meaning when merged; the merged view (lookup by name) sees the
 * declaration of the latest file. */
static int add_type_ctor(struct mt_tl_schema *s, struct mt_tl_comb *c, struct mt_tl_error *err)
{
    if (c->rt->elem || c->rt->bare)
        return mt_tl_seterr(err, MT_E_TL_SCHEMA, 0, "%s:%d: constructor '%s' has a polymorphic result type",
                            c->origin, c->line, c->name);
    struct mt_tl_type *ty = htab_get(&s->type_local, c->rt->name, strlen(c->rt->name), c->src, 1);
    if (!ty) {
        ty = mt_tl_arena_alloc(s->arena, sizeof *ty);
        if (!ty) return mt_tl_seterr(err, MT_E_NOMEM, 0, "out of memory");
        ty->name = c->rt->name;
        ty->src = c->src;
        htab_put(&s->type_local, ty, 1, 1);
        htab_put(&s->type_global, ty, 1, 0);
        if (s->ntypes == s->cap_types) {
            size_t cap = s->cap_types ? s->cap_types * 2 : 256;
            void *p = realloc(s->types, cap * sizeof *s->types);
            if (!p) return mt_tl_seterr(err, MT_E_NOMEM, 0, "out of memory");
            s->types = p; s->cap_types = cap;
        }
        s->types[s->ntypes++] = ty;
    }
    c->rtype = ty;
    ty->nctors++;
    return 0;
}

static int fill_type_ctors(struct mt_tl_schema *s)
{
    for (size_t i = 0; i < s->ntypes; i++) {
        s->types[i]->ctors = mt_tl_arena_alloc(s->arena, sizeof(void *) * s->types[i]->nctors);
        if (!s->types[i]->ctors) return MT_E_NOMEM;
        s->types[i]->nctors = 0;
    }
    for (size_t i = 0; i < s->ncombs; i++) {
        struct mt_tl_comb *c = s->combs[i];
        if (!c->dead && !c->is_func) c->rtype->ctors[c->rtype->nctors++] = c;
    }
    return 0;
}

static int resolve_all(struct mt_tl_schema *s, struct mt_tl_error *err)
{
    char why[160];
    for (size_t i = 0; i < s->ncombs; i++) {
        struct mt_tl_comb *c = s->combs[i];
        if (c->dead) continue;
        for (size_t k = 0; k < c->nf; k++) {
            if (mt_tl_resolve_tref(s, c->f[k].t, c->params, c->nparams, c->src, 1, why, sizeof why))
                return mt_tl_seterr(err, MT_E_TL_SCHEMA, 0, "%s:%d: %s: field '%s': %s",
                                    c->origin, c->line, c->name, c->f[k].name, why);
        }
        if (c->is_func && mt_tl_resolve_tref(s, c->rt, c->params, c->nparams, c->src, 1, why, sizeof why))
            return mt_tl_seterr(err, MT_E_TL_SCHEMA, 0, "%s:%d: %s: result: %s",
                                c->origin, c->line, c->name, why);
    }
    /* An id-less constructor can only ever be sent bare: accept it only if
     * the schema does use it bare (MTProto's `message` inside msg_container).
     * Id-less functions (tdlib's test.* helpers) load but cannot be called. */
    for (size_t i = 0; i < s->ncombs; i++) {
        struct mt_tl_comb *c = s->combs[i];
        if (!c->dead && !c->is_func && !c->has_id && !c->used_bare)
            return mt_tl_seterr(err, MT_E_TL_SCHEMA, 0,
                                "%s:%d: constructor '%s' has no #id", c->origin, c->line, c->name);
    }
    return 0;
}

static int finish(struct mt_tl_schema *s, struct mt_tl_error *err)
{
    int rc = htab_init(&s->by_name, s->ncombs);
    if (!rc) rc = htab_init(&s->by_id, s->ncombs);
    if (!rc) rc = htab_init(&s->comb_local, s->ncombs);
    if (!rc) rc = htab_init(&s->type_local, s->ncombs);
    if (!rc) rc = htab_init(&s->type_global, s->ncombs);
    if (rc) return mt_tl_seterr(err, rc, 0, "out of memory");
    for (size_t i = 0; i < s->ncombs; i++) {
        struct mt_tl_comb *old = htab_put(&s->comb_local, s->combs[i], 0, 1);
        if (old) old->dead = 1;
    }
    for (size_t i = 0; i < s->ncombs; i++) {
        struct mt_tl_comb *c = s->combs[i], *old;
        if (c->dead) continue;
        if ((old = htab_put(&s->by_name, c, 0, 0)) != NULL) old->shadowed = 1;
        if (c->has_id) htab_put_id(&s->by_id, c);
        if (!c->is_func && (rc = add_type_ctor(s, c, err)) != 0) return rc;
    }
    for (size_t i = 0; i < s->ncombs; i++) {
        const struct mt_tl_comb *c = s->combs[i];
        if (!c->dead && !c->shadowed) { if (c->is_func) s->n_funcs++; else s->n_ctors++; }
    }
    if (fill_type_ctors(s)) return mt_tl_seterr(err, MT_E_NOMEM, 0, "out of memory");
    return resolve_all(s, err);
}

static struct mt_tl_schema *schema_new(void)
{
    struct mt_tl_schema *s = calloc(1, sizeof *s);
    if (s && !(s->arena = mt_tl_arena_new())) { free(s); s = NULL; }
    return s;
}

void mt_tl_schema_free(struct mt_tl_schema *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->ntexts; i++) { free(s->texts[i]); free(s->origins[i]); }
    free(s->texts); free(s->text_lens); free(s->origins);
    free(s->by_name.slot); free(s->by_id.slot); free(s->comb_local.slot);
    free(s->type_local.slot); free(s->type_global.slot);
    free(s->combs); free(s->types);
    mt_tl_arena_free(s->arena);
    free(s);
}

/* Keep a copy of the text (merging re-reads it) and parse it into s. */
static int add_text(struct mt_tl_schema *s, const char *text, size_t len, const char *origin,
                    struct mt_tl_error *err)
{
    size_t n = s->ntexts + 1;
    char **t = realloc(s->texts, n * sizeof *t);
    if (t) s->texts = t;
    size_t *l = realloc(s->text_lens, n * sizeof *l);
    if (l) s->text_lens = l;
    char **o = realloc(s->origins, n * sizeof *o);
    if (o) s->origins = o;
    char *copy = malloc(len + 1), *ocopy = strdup(origin ? origin : "schema");
    if (!t || !l || !o || !copy || !ocopy) {
        free(copy); free(ocopy);
        return mt_tl_seterr(err, MT_E_NOMEM, 0, "out of memory");
    }
    memcpy(copy, text, len); copy[len] = 0;
    s->texts[s->ntexts] = copy; s->text_lens[s->ntexts] = len; s->origins[s->ntexts] = ocopy;
    s->ntexts = n;
    return mt_tl_parse_text(s, copy, len, ocopy, err);
}

int mt_tl_schema_load(const char *text, size_t len, const char *origin,
                      struct mt_tl_schema **out, struct mt_tl_error *err)
{
    if (err) memset(err, 0, sizeof *err);
    *out = NULL;
    if (!text) return mt_tl_seterr(err, MT_E_INVAL, 0, "no schema text");
    struct mt_tl_schema *s = schema_new();
    if (!s) return mt_tl_seterr(err, MT_E_NOMEM, 0, "out of memory");
    int rc = add_text(s, text, len, origin, err);
    if (!rc) rc = finish(s, err);
    if (rc) { mt_tl_schema_free(s); return rc; }
    *out = s;
    return 0;
}

int mt_tl_schema_load_file(const char *path, struct mt_tl_schema **out, struct mt_tl_error *err)
{
    if (err) memset(err, 0, sizeof *err);
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return mt_tl_seterr(err, MT_E_SYSTEM, 0, "%s: %s", path, strerror(errno));
    size_t cap = 1 << 16, len = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            if (cap >= ((size_t)64 << 20)) { fclose(f); free(buf); return mt_tl_seterr(err, MT_E_RANGE, 0, "%s: over 64 MiB", path); }
            char *nb = realloc(buf, cap * 2);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb; cap *= 2;
        }
    }
    fclose(f);
    if (!buf) return mt_tl_seterr(err, MT_E_NOMEM, 0, "out of memory");
    const char *base = strrchr(path, '/');
    int rc = mt_tl_schema_load(buf, len, base ? base + 1 : path, out, err);
    free(buf);
    return rc;
}

int mt_tl_schema_from_texts(const char *const *texts, const size_t *lens,
                            const char *const *origins, size_t n,
                            struct mt_tl_schema **out, struct mt_tl_error *err)
{
    if (err) memset(err, 0, sizeof *err);
    *out = NULL;
    struct mt_tl_schema *s = schema_new();
    if (!s) return mt_tl_seterr(err, MT_E_NOMEM, 0, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) rc = add_text(s, texts[i], lens[i], origins[i], err);
    if (!rc) rc = finish(s, err);
    if (rc) { mt_tl_schema_free(s); return rc; }
    *out = s;
    return 0;
}

int mt_tl_schema_merge(const struct mt_tl_schema *const *parts, size_t n,
                       struct mt_tl_schema **out, struct mt_tl_error *err)
{
    if (err) memset(err, 0, sizeof *err);
    *out = NULL;
    struct mt_tl_schema *s = schema_new();
    if (!s) return mt_tl_seterr(err, MT_E_NOMEM, 0, "out of memory");
    int rc = 0, layer = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        for (size_t k = 0; k < parts[i]->ntexts && !rc; k++)
            rc = add_text(s, parts[i]->texts[k], parts[i]->text_lens[k], parts[i]->origins[k], err);
        if (parts[i]->layer) layer = parts[i]->layer;
    }
    if (!rc) rc = finish(s, err);
    if (rc) { mt_tl_schema_free(s); return rc; }
    s->layer = layer;
    *out = s;
    return 0;
}

int mt_tl_schema_layer(const struct mt_tl_schema *s) { return s->layer; }

size_t mt_tl_schema_count(const struct mt_tl_schema *s, int functions)
{
    return functions ? s->n_funcs : s->n_ctors;
}

static void fill_info(const struct mt_tl_comb *c, struct mt_tl_combinator_info *info)
{
    if (!info) return;
    info->name = c->name; info->id = c->id; info->has_id = c->has_id;
    info->is_function = c->is_func; info->result_type = c->result;
    info->nfields = c->nf; info->origin = c->origin; info->line = c->line;
}

int mt_tl_schema_find(const struct mt_tl_schema *s, const char *name,
                      struct mt_tl_combinator_info *info)
{
    const struct mt_tl_comb *c = name ? mt_tl_find_comb(s, name, strlen(name)) : NULL;
    if (!c) return MT_E_TL_CTOR;
    fill_info(c, info);
    return 0;
}

int mt_tl_schema_find_id(const struct mt_tl_schema *s, uint32_t id,
                         struct mt_tl_combinator_info *info)
{
    const struct mt_tl_comb *c = mt_tl_find_comb_id(s, id);
    if (!c) return MT_E_TL_CTOR;
    fill_info(c, info);
    return 0;
}

const char *mt_tl_result_type(const struct mt_tl_schema *s, const char *method)
{
    const struct mt_tl_comb *c = method ? mt_tl_find_comb(s, method, strlen(method)) : NULL;
    return c && c->is_func ? c->result : NULL;
}

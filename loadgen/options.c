/* The table-driven option parser shared by `mtload run` and `mtload server`:
 * argv, config files, help text. */
#include "loadgen/options.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void mt_diag_add(struct mt_diag *d, const char *fmt, ...)
{
    if (d->n >= MT_DIAG_MAX) {
        d->dropped++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg[d->n++], MT_DIAG_LEN, fmt, ap);
    va_end(ap);
}

void mt_diag_print(const struct mt_diag *d, const char *cmd, FILE *out)
{
    for (unsigned i = 0; i < d->n; i++)
        fprintf(out, "mtload %s: %s\n", cmd, d->msg[i]);
    if (d->dropped)
        fprintf(out, "mtload %s: ... and %u more errors\n", cmd, d->dropped);
    fprintf(out, "mtload %s: see 'mtload %s --help'\n", cmd, cmd);
}

/* ---- values ------------------------------------------------------------------ */

#define FIELD(cfg, o, type) ((type *)((char *)(cfg) + (o)->offset))

static int check_bounds(const struct mt_opt *o, uint64_t v, const char *value, struct mt_why *why)
{
    if (v < o->min || v > o->max)
        return mt_why_set(why, MT_E_RANGE, "'%.60s' is outside the allowed %llu..%llu", value,
                          (unsigned long long)o->min, (unsigned long long)o->max);
    return 0;
}

static int check_duration_bounds(const struct mt_opt *o, mt_ns v, const char *value, struct mt_why *why)
{
    if (v < o->min || v > o->max) {
        char lo[32], hi[32];
        mt_format_duration(o->min, lo, sizeof lo);
        mt_format_duration(o->max, hi, sizeof hi);
        return mt_why_set(why, MT_E_RANGE, "'%.60s' is outside the allowed %s..%s", value, lo, hi);
    }
    return 0;
}

static int set_value(const struct mt_opt *o, void *cfg, const char *value, struct mt_why *why)
{
    uint64_t u;
    double f;
    bool b;
    int rc;
    switch (o->kind) {
    case MT_OPTK_FLAG:
        if ((rc = mt_parse_bool(value, &b, why))) return rc;
        *FIELD(cfg, o, bool) = b;
        return 0;
    case MT_OPTK_COUNTER:
        if ((rc = mt_parse_u64(value, 0, 9, &u, why))) return rc;
        *FIELD(cfg, o, unsigned) = (unsigned)u;
        return 0;
    case MT_OPTK_BOOL:
        if ((rc = mt_parse_bool(value, &b, why))) return rc;
        *FIELD(cfg, o, bool) = b;
        return 0;
    case MT_OPTK_U64:
        if ((rc = mt_parse_u64(value, o->min, o->max, &u, why))) return rc;
        *FIELD(cfg, o, uint64_t) = u;
        return 0;
    case MT_OPTK_COUNT:
    case MT_OPTK_SIZE:
        rc = o->kind == MT_OPTK_COUNT ? mt_parse_count(value, &u, why) : mt_parse_size(value, &u, why);
        if (rc || (rc = check_bounds(o, u, value, why))) return rc;
        *FIELD(cfg, o, uint64_t) = u;
        return 0;
    case MT_OPTK_DURATION:
        if ((rc = mt_parse_duration(value, &u, why)) || (rc = check_duration_bounds(o, u, value, why)))
            return rc;
        *FIELD(cfg, o, mt_ns) = u;
        return 0;
    case MT_OPTK_RATE:
        if ((rc = mt_parse_rate(value, false, &f, why))) return rc;
        *FIELD(cfg, o, double) = f;
        return 0;
    case MT_OPTK_PERCENT:
        if ((rc = mt_parse_percent(value, &f, why))) return rc;
        *FIELD(cfg, o, double) = f;
        return 0;
    case MT_OPTK_STRING: {
        if (!*value) return mt_why_set(why, MT_E_INVAL, "empty value");
        char *copy = strdup(value);
        if (!copy) return mt_why_set(why, MT_E_NOMEM, "out of memory");
        free(*FIELD(cfg, o, char *));
        *FIELD(cfg, o, char *) = copy;
        return 0;
    }
    case MT_OPTK_HOSTPORT:
        return mt_parse_hostport(value, (unsigned)o->min, FIELD(cfg, o, struct mt_hostport), why);
    case MT_OPTK_CUSTOM:
        return o->parse(cfg, value, why);
    }
    return mt_why_set(why, MT_E_INVAL, "bad option table");
}

/* Apply one occurrence of option id from src; `where` prefixes messages. */
static int apply(const struct mt_opt_table *t, void *cfg, struct mt_opt_state *st, int id,
                 const char *value, enum mt_opt_source src, const char *where, struct mt_diag *d)
{
    const struct mt_opt *o = &t->opts[id];
    if (st->source[id] == src && !(o->flags & MT_OPT_REPEAT) && o->kind != MT_OPTK_COUNTER) {
        mt_diag_add(d, "%s%s: given more than once", where, o->name);
        return MT_E_INVAL;
    }
    if (st->source[id] == MT_SRC_FILE && src == MT_SRC_CLI && o->reset)
        o->reset(cfg);              /* the command line replaces the file's list */
    st->source[id] = (unsigned char)src;
    st->count[id]++;
    if (o->kind == MT_OPTK_COUNTER && src == MT_SRC_CLI && !value) {
        (*FIELD(cfg, o, unsigned))++;
        return 0;
    }
    if (o->kind == MT_OPTK_FLAG && !value) {
        *FIELD(cfg, o, bool) = true;
        return 0;
    }
    struct mt_why why = {{0}};
    int rc = set_value(o, cfg, value, &why);
    if (rc)
        mt_diag_add(d, "%s%s: %s", where, o->name, why.msg);
    return rc;
}

static int find_long(const struct mt_opt_table *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->n; i++) {
        const char *n = t->opts[i].name;
        if (n && strlen(n) == len && !strncmp(n, name, len))
            return (int)i;
    }
    return -1;
}

/* Edit distance, capped: enough to suggest a near miss of an option name. */
static size_t edit_distance(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b), row[64];
    if (la >= 63 || lb >= 63) return 99;
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Index of the option a mistyped name most likely meant, or -1. */
static int suggest_id(const struct mt_opt_table *t, const char *name, size_t len)
{
    int best = -1;
    size_t best_d = len >= 4 ? 3 : 2;       /* accept distance <= 2, or 1 for short names */
    for (size_t i = 0; i < t->n; i++) {
        const char *n = t->opts[i].name;
        if (!n) continue;
        size_t d = edit_distance(name, len, n);
        if (d < best_d) { best_d = d; best = (int)i; }
    }
    return best;
}

static const char *suggest(const struct mt_opt_table *t, const char *name, size_t len)
{
    int id = suggest_id(t, name, len);
    return id < 0 ? NULL : t->opts[id].name;
}

static void unknown_option(const struct mt_opt_table *t, const char *name, size_t len, struct mt_diag *d)
{
    const char *s = suggest(t, name, len);
    int shown = (int)(len > 60 ? 60 : len);
    if (s) mt_diag_add(d, "unknown option '--%.*s' (did you mean --%s?)", shown, name, s);
    else mt_diag_add(d, "unknown option '--%.*s'", shown, name);
}

static int find_short(const struct mt_opt_table *t, char c)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->opts[i].short_name && t->opts[i].short_name == c) return (int)i;
    return -1;
}

static bool takes_value(const struct mt_opt *o)
{
    return o->kind != MT_OPTK_FLAG && o->kind != MT_OPTK_COUNTER;
}

static bool wanted(const struct mt_opt *o, bool early)
{
    return !!(o->flags & MT_OPT_EARLY) == early;
}

/* One pass over argv; `early` selects the EARLY options, the rest are
 * skipped (with their values) so that each pass sees the same tokens. */
static int argv_pass(const struct mt_opt_table *t, void *cfg, struct mt_opt_state *st, int argc,
                     char **argv, bool early, struct mt_diag *d)
{
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1] == '-' && a[2]) {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            int id = find_long(t, name, len);
            if (id < 0) {
                if (!early) unknown_option(t, name, len, d);
                rc = MT_E_INVAL;
                /* a near miss of an option with a value: its value is not a stray argument */
                int near = suggest_id(t, name, len);
                if (!eq && near >= 0 && takes_value(&t->opts[near]) && i + 1 < argc && argv[i + 1][0] != '-')
                    i++;
                continue;
            }
            const struct mt_opt *o = &t->opts[id];
            const char *value = eq ? eq + 1 : NULL;
            if (!takes_value(o) && value) {
                if (!early) mt_diag_add(d, "--%s: takes no value", o->name);
                rc = MT_E_INVAL;
                continue;
            }
            if (takes_value(o) && !value) {
                if (i + 1 >= argc) {
                    if (!early) mt_diag_add(d, "--%s: needs a value (%s)", o->name, o->arg ? o->arg : "VALUE");
                    rc = MT_E_INVAL;
                    continue;
                }
                value = argv[++i];
            }
            if (wanted(o, early) && apply(t, cfg, st, id, value, MT_SRC_CLI, "--", d))
                rc = MT_E_INVAL;
        } else if (a[0] == '-' && a[1] && a[1] != '-') {
            for (const char *c = a + 1; *c; c++) {
                int id = find_short(t, *c);
                if (id < 0 || takes_value(&t->opts[id])) {
                    if (!early) mt_diag_add(d, "unknown option '-%c'", *c);
                    rc = MT_E_INVAL;
                    break;
                }
                if (wanted(&t->opts[id], early) && apply(t, cfg, st, id, NULL, MT_SRC_CLI, "--", d))
                    rc = MT_E_INVAL;
            }
        } else {
            if (!early) mt_diag_add(d, "unexpected argument '%.60s'", a);
            rc = MT_E_INVAL;
        }
    }
    return rc;
}

int mt_opt_parse(const struct mt_opt_table *t, void *cfg, struct mt_opt_state *st,
                 int argc, char **argv, struct mt_diag *d)
{
    int rc = argv_pass(t, cfg, st, argc, argv, true, d);
    if (t->help_opt >= 0 && mt_opt_given(st, t->help_opt))
        st->help = true;
    if (st->help)
        return 0;
    if (t->config_opt >= 0 && mt_opt_given(st, t->config_opt)) {
        const char *path = *FIELD(cfg, &t->opts[t->config_opt], char *);
        if (path && mt_opt_parse_file(t, cfg, st, path, d))
            rc = MT_E_INVAL;
    }
    if (argv_pass(t, cfg, st, argc, argv, false, d))
        rc = MT_E_INVAL;
    return rc;
}

/* ---- config files --------------------------------------------------------------- */

static void trim(const char **b, const char **e)
{
    while (*b < *e && isspace((unsigned char)**b)) (*b)++;
    while (*e > *b && isspace((unsigned char)(*e)[-1])) (*e)--;
}

static int file_line(const struct mt_opt_table *t, void *cfg, struct mt_opt_state *st,
                     const char *b, const char *e, const char *origin, unsigned lineno,
                     struct mt_diag *d)
{
    trim(&b, &e);
    if (b == e || *b == '#' || *b == ';')
        return 0;
    const char *eq = memchr(b, '=', (size_t)(e - b));
    if (!eq) {
        mt_diag_add(d, "%s:%u: expected 'key = value'", origin, lineno);
        return MT_E_INVAL;
    }
    const char *kb = b, *ke = eq, *vb = eq + 1, *ve = e;
    trim(&kb, &ke);
    trim(&vb, &ve);
    if (ke - kb >= 2 && kb[0] == '-' && kb[1] == '-') kb += 2;
    char key[64];
    size_t klen = (size_t)(ke - kb);
    if (klen == 0 || klen >= sizeof key) {
        mt_diag_add(d, "%s:%u: bad key", origin, lineno);
        return MT_E_INVAL;
    }
    for (size_t i = 0; i < klen; i++)
        key[i] = kb[i] == '_' ? '-' : kb[i];    /* request_timeout = request-timeout */
    key[klen] = 0;
    int id = find_long(t, key, klen);
    if (id < 0) {
        const char *s = suggest(t, key, klen);
        mt_diag_add(d, "%s:%u: unknown key '%s'%s%s%s", origin, lineno, key, s ? " (did you mean " : "",
                    s ? s : "", s ? "?)" : "");
        return MT_E_INVAL;
    }
    if (t->opts[id].flags & (MT_OPT_NOFILE | MT_OPT_EARLY)) {
        mt_diag_add(d, "%s:%u: not allowed in a config file: '%s'", origin, lineno, key);
        return MT_E_INVAL;
    }
    if (ve - vb >= 2 && (*vb == '"' || *vb == '\'') && ve[-1] == *vb)
        vb++, ve--;                             /* optional quotes around the value */
    char *value = strndup(vb, (size_t)(ve - vb));
    if (!value) {
        mt_diag_add(d, "%s:%u: out of memory", origin, lineno);
        return MT_E_NOMEM;
    }
    char where[80];
    snprintf(where, sizeof where, "%.60s:%u: ", origin, lineno);
    int rc = apply(t, cfg, st, id, value, MT_SRC_FILE, where, d);
    free(value);
    return rc;
}

int mt_opt_parse_text(const struct mt_opt_table *t, void *cfg, struct mt_opt_state *st,
                      const char *text, size_t len, const char *origin, struct mt_diag *d)
{
    int rc = 0;
    unsigned lineno = 0;
    if (memchr(text, 0, len)) {
        mt_diag_add(d, "%s: contains a NUL byte", origin);
        return MT_E_INVAL;
    }
    for (const char *p = text, *end = text + len; p < end; ) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        if (file_line(t, cfg, st, p, e, origin, ++lineno, d))
            rc = MT_E_INVAL;
        p = nl ? nl + 1 : end;
    }
    return rc;
}

int mt_opt_parse_file(const struct mt_opt_table *t, void *cfg, struct mt_opt_state *st,
                      const char *path, struct mt_diag *d)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        mt_diag_add(d, "--config: cannot open '%.100s': %s", path, strerror(errno));
        return MT_E_INVAL;
    }
    char *buf = malloc(MT_CONFIG_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, MT_CONFIG_FILE_MAX + 1, f) : 0;
    bool err = ferror(f);
    fclose(f);
    int rc = MT_E_INVAL;
    if (!buf)
        mt_diag_add(d, "--config: out of memory");
    else if (err)
        mt_diag_add(d, "--config: cannot read '%.100s'", path);
    else if (n > MT_CONFIG_FILE_MAX)
        mt_diag_add(d, "--config: '%.100s' is larger than 1 MiB", path);
    else
        rc = mt_opt_parse_text(t, cfg, st, buf, n, path, d);
    free(buf);
    return rc;
}

void mt_opt_free_strings(const struct mt_opt_table *t, void *cfg)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct mt_opt *o = &t->opts[i];
        if (o->name && o->kind == MT_OPTK_STRING) {
            free(*FIELD(cfg, o, char *));
            *FIELD(cfg, o, char *) = NULL;
        }
    }
}

void mt_opt_print_kv(FILE *out, const char *key, const char *value)
{
    size_t n = strlen(value);
    bool quote = n > 0 && (isspace((unsigned char)value[0]) || isspace((unsigned char)value[n - 1]) ||
                           (n >= 2 && (value[0] == '"' || value[0] == '\'') && value[n - 1] == value[0]));
    fprintf(out, quote ? "%s = \"%s\"\n" : "%s = %s\n", key, value);
}

void mt_opt_print_help(const struct mt_opt_table *t, const char *usage, FILE *out)
{
    fprintf(out, "%s\n\nOptions:\n", usage);
    for (size_t i = 0; i < t->n; i++) {
        const struct mt_opt *o = &t->opts[i];
        if (!o->name) continue;
        char lhs[64];
        snprintf(lhs, sizeof lhs, "%s%c%s--%s%s%s", o->short_name ? "-" : "   ",
                         o->short_name ? o->short_name : ' ', o->short_name ? ", " : "",
                         o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(out, "  %-34s %s\n", lhs, o->help);
    }
}

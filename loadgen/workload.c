/* Workload specs: parsing, the O(1) alias sampler, echo sizes. */
#include "loadgen/workload.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void mt_wl_mix_init(struct mt_wl_mix *mix)
{
    memset(mix, 0, sizeof *mix);
}

void mt_wl_mix_free(struct mt_wl_mix *mix)
{
    for (size_t i = 0; i < mix->n; i++)
        free(mix->ops[i].rpc_text);
    mt_wl_mix_init(mix);
}

bool mt_wl_mix_has(const struct mt_wl_mix *mix, enum mt_wl_kind kind)
{
    for (size_t i = 0; i < mix->n; i++)
        if (mix->ops[i].kind == kind) return true;
    return false;
}

/* Vose's alias method with integer thresholds: column i keeps itself with
 * probability keep[i] / 2^32. Exact up to the 2^-32 rounding of each column. */
static void build_alias(struct mt_wl_mix *mix)
{
    size_t n = mix->n, small[MT_WL_MAX_OPS], large[MT_WL_MAX_OPS], ns = 0, nl = 0;
    double p[MT_WL_MAX_OPS];
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) total += mix->ops[i].weight;
    mix->total_weight = total;
    for (size_t i = 0; i < n; i++) {
        p[i] = (double)mix->ops[i].weight * (double)n / (double)total;
        if (p[i] < 1.0) small[ns++] = i; else large[nl++] = i;
    }
    while (ns && nl) {
        size_t s = small[--ns], l = large[--nl];
        mix->alias_keep[s] = (uint64_t)llround(p[s] * 4294967296.0);
        mix->alias_other[s] = (uint8_t)l;
        p[l] -= 1.0 - p[s];
        if (p[l] < 1.0) small[ns++] = l; else large[nl++] = l;
    }
    /* leftovers are 1 up to rounding: always keep */
    while (nl) { size_t l = large[--nl]; mix->alias_keep[l] = 1ull << 32; mix->alias_other[l] = (uint8_t)l; }
    while (ns) { size_t s = small[--ns]; mix->alias_keep[s] = 1ull << 32; mix->alias_other[s] = (uint8_t)s; }
}

/* ---- splitting ------------------------------------------------------------ */

/* Length of the item starting at s: up to a ',' outside quotes and brackets. */
static size_t item_length(const char *s)
{
    int depth = 0;
    char quote = 0;
    size_t i = 0;
    for (; s[i]; i++) {
        char c = s[i];
        if (quote) {
            if (c == '\\' && quote == '"' && s[i + 1]) i++;
            else if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '{' || c == '[' || c == '(') {
            depth++;
        } else if ((c == '}' || c == ']' || c == ')') && depth > 0) {
            depth--;
        } else if (c == ',' && depth == 0) {
            break;
        }
    }
    return i;
}

static int parse_weight(const char *item, const char *w, struct mt_wl_op *op, struct mt_why *why)
{
    uint64_t v;
    struct mt_why inner;
    if (mt_parse_u64(w, 1, MT_WL_WEIGHT_MAX, &v, &inner))
        return mt_why_set(why, MT_E_INVAL, "'%.60s': weight '%.20s' must be a whole number 1..%u",
                          item, w, MT_WL_WEIGHT_MAX);
    op->weight = (uint32_t)v;
    return 0;
}

/* Splits "A:B" at the first ':' into a (copied) and the rest. */
static const char *split_field(const char *s, char *field, size_t cap)
{
    size_t n = strcspn(s, ":");
    if (n >= cap) n = cap - 1;
    memcpy(field, s, n);
    field[n] = 0;
    return s[n] == ':' ? s + n + 1 : NULL;
}

/* ---- operations ------------------------------------------------------------ */

static int parse_echo(const char *item, const char *args, struct mt_wl_op *op, struct mt_why *why)
{
    char field[64];
    if (!args || !*args)
        return mt_why_set(why, MT_E_INVAL, "'%.60s': echo needs a size: echo:SIZE, echo:MIN-MAX "
                          "or echo:realistic", item);
    const char *rest = split_field(args, field, sizeof field);
    uint64_t lo, hi;
    if (!strcmp(field, "realistic")) {
        op->sizes = MT_WL_SIZE_REALISTIC;
        lo = mt_wl_realistic_size(0.0);
        hi = mt_wl_realistic_size(1.0);
    } else {
        struct mt_why inner;
        if (mt_parse_size_range(field, &lo, &hi, &inner))
            return mt_why_set(why, MT_E_INVAL, "'%.60s': echo size: %s", item, inner.msg);
        if (hi > MT_WL_ECHO_MAX)
            return mt_why_set(why, MT_E_RANGE, "'%.60s': echo size above 1MiB", item);
        op->sizes = lo == hi ? MT_WL_SIZE_FIXED : MT_WL_SIZE_UNIFORM;
    }
    op->size_min = (uint32_t)lo;
    op->size_max = (uint32_t)hi;
    snprintf(op->name, sizeof op->name, "echo:%.40s", field);
    return rest ? parse_weight(item, rest, op, why) : 0;
}

static int parse_pdd(const char *item, const char *args, struct mt_wl_op *op, struct mt_why *why)
{
    char field[64];
    op->disconnect_delay = MT_WL_DISCONNECT_DELAY_DEFAULT;
    snprintf(op->name, sizeof op->name, "ping_delay_disconnect");
    if (!args) return 0;
    const char *rest = split_field(args, field, sizeof field);
    struct mt_why inner;
    mt_ns d;
    if (mt_parse_duration(field, &d, &inner))
        return mt_why_set(why, MT_E_INVAL, "'%.60s': delay: %s", item, inner.msg);
    if (d % MT_NS_PER_S || d / MT_NS_PER_S > INT32_MAX)
        return mt_why_set(why, MT_E_RANGE, "'%.60s': the disconnect delay is whole seconds "
                          "(0..2147483647s)", item);
    op->disconnect_delay = d;
    return rest ? parse_weight(item, rest, op, why) : 0;
}

/* The end of a quoted/JSON rpc text, or NULL if it is not closed. */
static const char *rpc_text_end(const char *t)
{
    if (*t == '\'' || *t == '"') {
        const char *q = strchr(t + 1, *t);
        return q ? q + 1 : NULL;
    }
    int depth = 0;
    bool in_str = false;
    for (const char *p = t; *p; p++) {
        if (in_str) {
            if (*p == '\\' && p[1]) p++;
            else if (*p == '"') in_str = false;
        } else if (*p == '"') {
            in_str = true;
        } else if (*p == '{') {
            depth++;
        } else if (*p == '}' && --depth == 0) {
            return p + 1;
        }
    }
    return NULL;
}

static int parse_rpc(const char *item, const char *args, struct mt_wl_op *op, struct mt_why *why)
{
    if (!args || !*args)
        return mt_why_set(why, MT_E_INVAL, "'%.60s': rpc needs a method: rpc:'TL text' or rpc:{JSON}", item);
    const char *text = args, *end = args + strlen(args), *after = NULL;
    bool quoted = *args == '\'' || *args == '"';
    if (quoted || *args == '{') {
        const char *e = rpc_text_end(args);
        if (!e)
            return mt_why_set(why, MT_E_INVAL, "'%.60s': rpc text not closed", item);
        if (*e && *e != ':')
            return mt_why_set(why, MT_E_INVAL, "'%.60s': unexpected text after the rpc method", item);
        after = *e ? e + 1 : NULL;
        if (quoted) { text = args + 1; end = e - 1; } else { end = e; }
    }
    while (text < end && isspace((unsigned char)*text)) text++;
    while (end > text && isspace((unsigned char)end[-1])) end--;
    size_t n = (size_t)(end - text);
    if (n == 0)
        return mt_why_set(why, MT_E_INVAL, "'%.60s': empty rpc method", item);
    if (n > MT_WL_RPC_TEXT_MAX)
        return mt_why_set(why, MT_E_RANGE, "rpc text longer than %d bytes", MT_WL_RPC_TEXT_MAX);
    if (after && parse_weight(item, after, op, why))
        return MT_E_INVAL;
    op->rpc_text = strndup(text, n);
    if (!op->rpc_text)
        return mt_why_set(why, MT_E_NOMEM, "out of memory");
    op->rpc_json = *text == '{';
    /* label: the method name, i.e. the first word of TL text; JSON keeps "rpc" */
    size_t w = op->rpc_json ? 0 : strcspn(op->rpc_text, " \t\n({");
    snprintf(op->name, sizeof op->name, "rpc%s%.*s", w ? ":" : "", (int)(w < 40 ? w : 40), text);
    return 0;
}

static int parse_op(const char *item, struct mt_wl_op *op, struct mt_why *why)
{
    char kind[32];
    const char *args = split_field(item, kind, sizeof kind);
    memset(op, 0, sizeof *op);
    op->weight = 1;
    if (!strcmp(kind, "ping") || !strcmp(kind, "handshake")) {
        op->kind = kind[0] == 'p' ? MT_WL_PING : MT_WL_HANDSHAKE;
        snprintf(op->name, sizeof op->name, "%s", kind);
        return args ? parse_weight(item, args, op, why) : 0;
    }
    if (!strcmp(kind, "ping_delay_disconnect")) {
        op->kind = MT_WL_PING_DELAY_DISCONNECT;
        return parse_pdd(item, args, op, why);
    }
    if (!strcmp(kind, "echo")) {
        op->kind = MT_WL_ECHO;
        return parse_echo(item, args, op, why);
    }
    if (!strcmp(kind, "rpc")) {
        op->kind = MT_WL_RPC;
        return parse_rpc(item, args, op, why);
    }
    return mt_why_set(why, MT_E_INVAL, "'%.60s': unknown operation '%s' (use ping, "
                      "ping_delay_disconnect, echo, rpc, handshake)", item, kind);
}

static int check_mix(const struct mt_wl_op *ops, size_t n, struct mt_why *why)
{
    bool hs = false, other = false;
    for (size_t i = 0; i < n; i++) {
        if (ops[i].kind == MT_WL_HANDSHAKE) hs = true; else other = true;
    }
    if (hs && other)
        return mt_why_set(why, MT_E_INVAL, "handshake is a phase of its own and cannot be mixed "
                          "with other operations");
    return 0;
}

int mt_wl_mix_add(struct mt_wl_mix *mix, const char *spec, struct mt_why *why)
{
    struct mt_wl_op ops[MT_WL_MAX_OPS];
    size_t n = mix->n, added = 0;
    int rc = 0;
    if (!spec || !*spec)
        return mt_why_set(why, MT_E_INVAL, "empty workload");
    size_t cap = strlen(spec) + 1;
    char *item = malloc(cap);
    if (!item)
        return mt_why_set(why, MT_E_NOMEM, "out of memory");
    memcpy(ops, mix->ops, n * sizeof ops[0]);
    for (const char *p = spec;; ) {
        size_t len = item_length(p);
        const char *b = p, *e = p + len;
        while (b < e && isspace((unsigned char)*b)) b++;
        while (e > b && isspace((unsigned char)e[-1])) e--;
        if (b == e) { rc = mt_why_set(why, MT_E_INVAL, "empty item in workload '%.60s'", spec); break; }
        if (n == MT_WL_MAX_OPS) { rc = mt_why_set(why, MT_E_RANGE, "more than %d operations", MT_WL_MAX_OPS); break; }
        memcpy(item, b, (size_t)(e - b));
        item[e - b] = 0;
        if ((rc = parse_op(item, &ops[n], why)) != 0) break;
        n++, added++;
        if (!p[len]) break;
        p += len + 1;
    }
    free(item);
    if (!rc) rc = check_mix(ops, n, why);
    if (rc) {
        for (size_t i = mix->n; i < mix->n + added; i++) free(ops[i].rpc_text);
        return rc;
    }
    memcpy(mix->ops, ops, n * sizeof ops[0]);
    mix->n = n;
    build_alias(mix);
    return 0;
}

void mt_wl_mix_default(struct mt_wl_mix *mix)
{
    if (mix->n == 0)
        mt_wl_mix_add(mix, "ping", NULL);
}

/* ---- formatting ------------------------------------------------------------ */

static int format_op(const struct mt_wl_op *op, char *buf, size_t cap)
{
    char w[16] = "";
    if (op->weight != 1) snprintf(w, sizeof w, ":%u", op->weight);
    switch (op->kind) {
    case MT_WL_PING: return snprintf(buf, cap, "ping%s", w);
    case MT_WL_HANDSHAKE: return snprintf(buf, cap, "handshake%s", w);
    case MT_WL_PING_DELAY_DISCONNECT:
        return snprintf(buf, cap, "ping_delay_disconnect:%llus%s",
                        (unsigned long long)(op->disconnect_delay / MT_NS_PER_S), w);
    case MT_WL_ECHO:
        if (op->sizes == MT_WL_SIZE_REALISTIC) return snprintf(buf, cap, "echo:realistic%s", w);
        if (op->sizes == MT_WL_SIZE_UNIFORM)
            return snprintf(buf, cap, "echo:%u-%u%s", op->size_min, op->size_max, w);
        return snprintf(buf, cap, "echo:%u%s", op->size_min, w);
    case MT_WL_RPC:
        if (op->rpc_json) return snprintf(buf, cap, "rpc:%s%s", op->rpc_text, w);
        if (!strchr(op->rpc_text, '\'')) return snprintf(buf, cap, "rpc:'%s'%s", op->rpc_text, w);
        if (!strchr(op->rpc_text, '"')) return snprintf(buf, cap, "rpc:\"%s\"%s", op->rpc_text, w);
        return snprintf(buf, cap, "rpc:%s", op->rpc_text);    /* cannot carry a weight */
    }
    return snprintf(buf, cap, "?");
}

int mt_wl_mix_format(const struct mt_wl_mix *mix, char *buf, size_t cap)
{
    size_t len = 0;
    if (cap) buf[0] = 0;
    for (size_t i = 0; i < mix->n; i++) {
        if (i) len += (size_t)snprintf(len < cap ? buf + len : NULL, len < cap ? cap - len : 0, ",");
        len += (size_t)format_op(&mix->ops[i], len < cap ? buf + len : NULL, len < cap ? cap - len : 0);
    }
    return (int)len;
}

/* ---- sizes ------------------------------------------------------------------ */

/* The table of workload.h as log2(bytes), so that the geometric interpolation
 * is one exp2() per sample. */
static const struct { double q, log2_bytes; } realistic[] = {
    {0.0, 4}, {0.01, 4.4594316186372973}, {0.05, 5.2854022188622487}, {0.1, 5.7004397181410917},
    {0.25, 6.4262647547020979}, {0.5, 7.2288186904958804}, {0.75, 8.0334230015374501},
    {0.9, 8.7548875021634682}, {0.95, 9.1898245588800176}, {0.99, 10}, {0.999, 10.911391987843459},
    {0.9999, 11.663113308455806}, {1.0, 13},
};

uint32_t mt_wl_realistic_size(double u)
{
    if (!(u > 0)) return 16;
    if (u >= 1) return 8192;
    size_t i = 1;
    while (u >= realistic[i].q) i++;        /* realistic[n - 1].q = 1 > u stops it */
    double q0 = realistic[i - 1].q, q1 = realistic[i].q;
    double l0 = realistic[i - 1].log2_bytes, l1 = realistic[i].log2_bytes;
    return (uint32_t)llround(exp2(l0 + (l1 - l0) * (u - q0) / (q1 - q0)));
}

uint32_t mt_wl_echo_size(const struct mt_wl_op *op, struct mt_rand *r)
{
    switch (op->sizes) {
    case MT_WL_SIZE_UNIFORM:
        return op->size_min + (uint32_t)mt_rand_below(r, (uint64_t)op->size_max - op->size_min + 1);
    case MT_WL_SIZE_REALISTIC:
        return mt_wl_realistic_size(mt_rand_unit(r));
    default:
        return op->size_min;
    }
}

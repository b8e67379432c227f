/* Parsers for CLI values with units. Numbers are read as an exact decimal
 * (integer mantissa + count of fraction digits) and scaled with 128-bit
 * arithmetic, so "1.5k" is exactly 1500 and no value can wrap silently. */
#include "loadgen/units.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#define MAX_FRAC_DIGITS 9
#define SHOW_MAX 48    /* how much of a bad input a message quotes */

int mt_why_set(struct mt_why *why, int err, const char *fmt, ...)
{
    if (why) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why->msg, sizeof why->msg, fmt, ap);
        va_end(ap);
    }
    return err;
}

/* A decimal number: mant = all digits as one integer, frac = digits after
 * the dot. *end points to the first byte after it (the unit). */
struct decimal { uint64_t mant; unsigned frac; };

static int read_decimal(const char *s, struct decimal *d, const char **end, struct mt_why *why)
{
    const char *p = s;
    uint64_t m = 0;
    unsigned frac = 0;
    bool dot = false;
    if (!isdigit((unsigned char)*p))
        return mt_why_set(why, MT_E_INVAL, "'%.*s' does not start with a digit", SHOW_MAX, s);
    for (;; p++) {
        if (*p == '.' && !dot) {
            if (!isdigit((unsigned char)p[1]))
                return mt_why_set(why, MT_E_INVAL, "'%.*s': a digit must follow '.'", SHOW_MAX, s);
            dot = true;
            continue;
        }
        if (!isdigit((unsigned char)*p))
            break;
        if (dot && ++frac > MAX_FRAC_DIGITS)
            return mt_why_set(why, MT_E_RANGE, "'%.*s': more than %d decimals", SHOW_MAX, s, MAX_FRAC_DIGITS);
        if (__builtin_mul_overflow(m, 10u, &m) || __builtin_add_overflow(m, (uint64_t)(*p - '0'), &m))
            return mt_why_set(why, MT_E_RANGE, "'%.*s' is too large", SHOW_MAX, s);
    }
    d->mant = m;
    d->frac = frac;
    *end = p;
    return 0;
}

static uint64_t pow10u(unsigned n)
{
    uint64_t v = 1;
    while (n--) v *= 10;
    return v;
}

/* d * factor, exactly; refuses fractions that do not land on an integer. */
static int scale_exact(const char *s, struct decimal d, uint64_t factor, const char *inexact,
                       uint64_t *out, struct mt_why *why)
{
    unsigned __int128 v = (unsigned __int128)d.mant * factor;
    uint64_t div = pow10u(d.frac);
    if (v % div)
        return mt_why_set(why, MT_E_INVAL, "'%.*s' %s", SHOW_MAX, s, inexact);
    v /= div;
    if (v > UINT64_MAX)
        return mt_why_set(why, MT_E_RANGE, "'%.*s' is too large", SHOW_MAX, s);
    *out = (uint64_t)v;
    return 0;
}

struct unit { const char *name; uint64_t factor; };

static const struct unit *find_unit(const struct unit *tab, const char *suffix)
{
    for (; tab->name; tab++)
        if (strcmp(tab->name, suffix) == 0)
            return tab;
    return NULL;
}

static int parse_with_units(const char *s, const struct unit *tab, const char *what,
                            const char *unit_help, const char *inexact, uint64_t *out,
                            struct mt_why *why)
{
    if (!s || !*s)
        return mt_why_set(why, MT_E_INVAL, "empty %s", what);
    struct decimal d;
    const char *end;
    int rc = read_decimal(s, &d, &end, why);
    if (rc) return rc;
    const struct unit *u = find_unit(tab, end);
    if (!u)
        return mt_why_set(why, MT_E_INVAL, "'%.*s': unknown unit '%.*s' (use %s)",
                          SHOW_MAX, s, SHOW_MAX, end, unit_help);
    return scale_exact(s, d, u->factor, inexact, out, why);
}

int mt_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out, struct mt_why *why)
{
    if (!s || !*s)
        return mt_why_set(why, MT_E_INVAL, "empty number");
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return mt_why_set(why, MT_E_INVAL, "'%.*s' is not a whole number", SHOW_MAX, s);
        if (__builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v))
            return mt_why_set(why, MT_E_RANGE, "'%.*s' is too large", SHOW_MAX, s);
    }
    if (v < min || v > max)
        return mt_why_set(why, MT_E_RANGE, "%" PRIu64 " is outside %" PRIu64 "..%" PRIu64, v, min, max);
    *out = v;
    return 0;
}

int mt_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out, struct mt_why *why)
{
    if (!s || !*s)
        return mt_why_set(why, MT_E_INVAL, "empty number");
    bool neg = *s == '-';
    uint64_t mag;
    int rc = mt_parse_u64(s + neg, 0, neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, &mag, why);
    if (rc) {
        if (rc == MT_E_RANGE) mt_why_set(why, rc, "'%.*s' is too large", SHOW_MAX, s);
        return rc;
    }
    int64_t v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    if (v < min || v > max)
        return mt_why_set(why, MT_E_RANGE, "%" PRId64 " is outside %" PRId64 "..%" PRId64, v, min, max);
    *out = v;
    return 0;
}

int mt_parse_bool(const char *s, bool *out, struct mt_why *why)
{
    static const char *yes[] = {"on", "true", "yes", "1"}, *no[] = {"off", "false", "no", "0"};
    for (size_t i = 0; s && i < MT_ARRAY_LEN(yes); i++) {
        if (strcasecmp(s, yes[i]) == 0) { *out = true; return 0; }
        if (strcasecmp(s, no[i]) == 0) { *out = false; return 0; }
    }
    return mt_why_set(why, MT_E_INVAL, "'%.*s' is not on/off (or true/false, yes/no, 1/0)",
                      SHOW_MAX, s ? s : "");
}

static const struct unit duration_units[] = {
    {"", MT_NS_PER_S}, {"ns", 1}, {"us", MT_NS_PER_US}, {"ms", MT_NS_PER_MS},
    {"s", MT_NS_PER_S}, {"m", 60 * MT_NS_PER_S}, {"h", 3600 * MT_NS_PER_S}, {NULL, 0}};

int mt_parse_duration(const char *s, mt_ns *out, struct mt_why *why)
{
    uint64_t v;
    int rc = parse_with_units(s, duration_units, "duration", "ns, us, ms, s, m, h",
                              "is finer than 1 ns", &v, why);
    if (rc) return rc;
    if (v > MT_DURATION_MAX_NS)
        return mt_why_set(why, MT_E_RANGE, "'%.*s' is longer than 10 years", SHOW_MAX, s);
    *out = v;
    return 0;
}

static const struct unit count_units[] = {
    {"", 1}, {"k", 1000}, {"K", 1000}, {"M", 1000000}, {"G", 1000000000}, {NULL, 0}};

int mt_parse_count(const char *s, uint64_t *out, struct mt_why *why)
{
    return parse_with_units(s, count_units, "count", "k, M, G", "is not a whole count", out, why);
}

static const struct unit size_units[] = {
    {"", 1}, {"B", 1},
    {"k", 1000}, {"K", 1000}, {"kB", 1000}, {"KB", 1000},
    {"M", 1000000}, {"MB", 1000000}, {"G", 1000000000}, {"GB", 1000000000},
    {"Ki", 1u << 10}, {"KiB", 1u << 10}, {"Mi", 1u << 20}, {"MiB", 1u << 20},
    {"Gi", 1u << 30}, {"GiB", 1u << 30}, {NULL, 0}};

int mt_parse_size(const char *s, uint64_t *out, struct mt_why *why)
{
    return parse_with_units(s, size_units, "size", "B, k/kB, M/MB, G/GB or KiB, MiB, GiB",
                            "is not a whole number of bytes", out, why);
}

int mt_parse_rate(const char *s, bool allow_zero, double *out, struct mt_why *why)
{
    if (!s || !*s)
        return mt_why_set(why, MT_E_INVAL, "empty rate");
    struct decimal d;
    const char *end;
    int rc = read_decimal(s, &d, &end, why);
    if (rc) return rc;
    double mult = 1;
    size_t unit_len = strcspn(end, "/");
    if (unit_len) {
        char unit[4] = {0};
        if (unit_len > 1)
            return mt_why_set(why, MT_E_INVAL, "'%.*s': unknown multiplier (use k, M, G)", SHOW_MAX, s);
        unit[0] = end[0];
        const struct unit *u = find_unit(count_units, unit);
        if (!u)
            return mt_why_set(why, MT_E_INVAL, "'%.*s': unknown multiplier '%c' (use k, M, G)",
                              SHOW_MAX, s, end[0]);
        mult = (double)u->factor;
    }
    const char *per = end + unit_len;
    if (*per) {
        if (!strcmp(per, "/s")) { /* per second */ }
        else if (!strcmp(per, "/m")) mult /= 60;
        else if (!strcmp(per, "/h")) mult /= 3600;
        else
            return mt_why_set(why, MT_E_INVAL, "'%.*s': a rate is per /s, /m or /h", SHOW_MAX, s);
    }
    double v = (double)d.mant / (double)pow10u(d.frac) * mult;
    if (v == 0 && !allow_zero)
        return mt_why_set(why, MT_E_RANGE, "rate must be above 0");
    if (v > 1e12)
        return mt_why_set(why, MT_E_RANGE, "'%.*s' is above 1e12 per second", SHOW_MAX, s);
    *out = v;
    return 0;
}

int mt_parse_percent(const char *s, double *out, struct mt_why *why)
{
    if (!s || !*s)
        return mt_why_set(why, MT_E_INVAL, "empty percentage");
    struct decimal d;
    const char *end;
    int rc = read_decimal(s, &d, &end, why);
    if (rc) return rc;
    double v = (double)d.mant / (double)pow10u(d.frac);
    if (!strcmp(end, "%")) {
        if (v > 100)
            return mt_why_set(why, MT_E_RANGE, "'%.*s' is above 100%%", SHOW_MAX, s);
        v /= 100;
    } else if (*end) {
        return mt_why_set(why, MT_E_INVAL, "'%.*s': write a percentage as N%% or a fraction 0..1",
                          SHOW_MAX, s);
    } else if (v > 1) {
        return mt_why_set(why, MT_E_RANGE, "'%.*s': a bare fraction must be within 0..1 (did you mean %.*s%%?)",
                          SHOW_MAX, s, SHOW_MAX, s);
    }
    *out = v;
    return 0;
}

/* Split "A-B" at the first '-' (no value grammar here contains a '-').
 * Copies each side into lo/hi buffers; one side only = a single value. */
static int split_range(const char *s, char *lo, char *hi, size_t cap, struct mt_why *why)
{
    if (!s || !*s)
        return mt_why_set(why, MT_E_INVAL, "empty range");
    const char *dash = strchr(s, '-');
    size_t n1 = dash ? (size_t)(dash - s) : strlen(s);
    size_t n2 = dash ? strlen(dash + 1) : n1;
    if (n1 >= cap || n2 >= cap)
        return mt_why_set(why, MT_E_RANGE, "'%.*s' is too long for a range", SHOW_MAX, s);
    if (dash && (n1 == 0 || n2 == 0))
        return mt_why_set(why, MT_E_INVAL, "'%.*s': a range is LOW-HIGH", SHOW_MAX, s);
    memcpy(lo, s, n1); lo[n1] = 0;
    memcpy(hi, dash ? dash + 1 : s, n2); hi[n2] = 0;
    if (dash && strchr(dash + 1, '-'))
        return mt_why_set(why, MT_E_INVAL, "'%.*s': more than one '-' in a range", SHOW_MAX, s);
    return 0;
}

int mt_parse_size_range(const char *s, uint64_t *lo, uint64_t *hi, struct mt_why *why)
{
    char a[64], b[64];
    uint64_t x = 0, y = 0;
    int rc = split_range(s, a, b, sizeof a, why);
    if (!rc) rc = mt_parse_size(a, &x, why);
    if (!rc) rc = mt_parse_size(b, &y, why);
    if (rc) return rc;
    if (x > y)
        return mt_why_set(why, MT_E_RANGE, "'%.*s': low end above high end", SHOW_MAX, s);
    *lo = x; *hi = y;
    return 0;
}

int mt_parse_duration_range(const char *s, mt_ns *lo, mt_ns *hi, struct mt_why *why)
{
    char a[64], b[64];
    mt_ns x = 0, y = 0;
    int rc = split_range(s, a, b, sizeof a, why);
    if (!rc) rc = mt_parse_duration(a, &x, why);
    if (!rc) rc = mt_parse_duration(b, &y, why);
    if (rc) return rc;
    if (x > y)
        return mt_why_set(why, MT_E_RANGE, "'%.*s': low end above high end", SHOW_MAX, s);
    *lo = x; *hi = y;
    return 0;
}

static int parse_ipv4(const char *s, uint32_t *out, struct mt_why *why)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return mt_why_set(why, MT_E_INVAL, "'%.*s' is not an IPv4 address", SHOW_MAX, s);
    *out = ntohl(a.s_addr);
    return 0;
}

int mt_parse_ipv4_range(const char *s, uint32_t *first, uint32_t *last, struct mt_why *why)
{
    char a[INET_ADDRSTRLEN + 8], b[INET_ADDRSTRLEN + 8];
    uint32_t x = 0, y = 0;
    int rc = split_range(s, a, b, sizeof a, why);
    if (!rc) rc = parse_ipv4(a, &x, why);
    if (!rc) rc = parse_ipv4(b, &y, why);
    if (rc) return rc;
    if (x > y)
        return mt_why_set(why, MT_E_RANGE, "'%.*s': first address above last", SHOW_MAX, s);
    *first = x; *last = y;
    return 0;
}

/* RFC 1123 host name: dot-separated labels of letters, digits and '-',
 * 1..63 bytes each, not starting or ending with '-'. */
static bool valid_hostname(const char *h, size_t n)
{
    size_t label = 0;
    if (n == 0 || n > MT_HOST_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        if (c == '.') {
            if (label == 0 || h[i - 1] == '-') return false;
            label = 0;
        } else if (isalnum((unsigned char)c) || c == '-' || c == '_') {
            if (label == 0 && c == '-') return false;
            if (++label > 63) return false;
        } else {
            return false;
        }
    }
    return label > 0 && h[n - 1] != '-';
}

static bool all_digits_and_dots(const char *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)h[i]) && h[i] != '.') return false;
    return n > 0;
}

static int classify_host(const char *s, const char *h, size_t n, bool bracketed, unsigned flags,
                         struct mt_hostport *out, struct mt_why *why)
{
    char buf[MT_HOST_MAX + 1];
    if (n > MT_HOST_MAX)
        return mt_why_set(why, MT_E_RANGE, "'%.*s': host longer than %d bytes", SHOW_MAX, s, MT_HOST_MAX);
    memcpy(buf, h, n);
    buf[n] = 0;
    unsigned char addr[16];
    if (n == 0) {
        if (bracketed || !(flags & MT_HP_EMPTY_HOST_OK))
            return mt_why_set(why, MT_E_INVAL, "'%.*s': missing host", SHOW_MAX, s);
        out->kind = MT_HOST_ANY;
    } else if (bracketed) {
        if (inet_pton(AF_INET6, buf, addr) != 1)
            return mt_why_set(why, MT_E_INVAL, "'%.*s': '%s' is not an IPv6 address", SHOW_MAX, s, buf);
        out->kind = MT_HOST_IPV6;
    } else if (memchr(h, ':', n)) {
        return mt_why_set(why, MT_E_INVAL, "'%.*s': write an IPv6 address in brackets, e.g. [::1]:443",
                          SHOW_MAX, s);
    } else if (all_digits_and_dots(h, n)) {
        if (inet_pton(AF_INET, buf, addr) != 1)
            return mt_why_set(why, MT_E_INVAL, "'%.*s': '%s' is not an IPv4 address", SHOW_MAX, s, buf);
        out->kind = MT_HOST_IPV4;
    } else if (valid_hostname(h, n)) {
        out->kind = MT_HOST_NAME;
    } else {
        return mt_why_set(why, MT_E_INVAL, "'%.*s': '%.*s' is not a valid host name",
                          SHOW_MAX, s, SHOW_MAX, buf);
    }
    memcpy(out->host, buf, n + 1);
    return 0;
}

int mt_parse_hostport(const char *s, unsigned flags, struct mt_hostport *out, struct mt_why *why)
{
    if (!s || !*s)
        return mt_why_set(why, MT_E_INVAL, "empty address (want HOST:PORT)");
    const char *host = s, *colon;
    size_t hlen;
    bool bracketed = *s == '[';
    if (bracketed) {
        const char *close = strchr(s, ']');
        if (!close)
            return mt_why_set(why, MT_E_INVAL, "'%.*s': missing ']'", SHOW_MAX, s);
        host = s + 1;
        hlen = (size_t)(close - host);
        colon = close + 1;
        if (*colon != ':')
            return mt_why_set(why, MT_E_INVAL, "'%.*s': want [IPV6]:PORT", SHOW_MAX, s);
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return mt_why_set(why, MT_E_INVAL, "'%.*s': missing ':PORT'", SHOW_MAX, s);
        hlen = (size_t)(colon - s);
    }
    struct mt_hostport hp = {0};
    int rc = classify_host(s, host, hlen, bracketed, flags, &hp, why);
    if (rc) return rc;
    uint64_t port;
    struct mt_why pwhy;
    if (mt_parse_u64(colon + 1, (flags & MT_HP_PORT0_OK) ? 0 : 1, 65535, &port, &pwhy))
        return mt_why_set(why, MT_E_INVAL, "'%.*s': port must be %s..65535", SHOW_MAX, s,
                          (flags & MT_HP_PORT0_OK) ? "0" : "1");
    hp.port = (uint16_t)port;
    *out = hp;
    return 0;
}

int mt_hostport_format(const struct mt_hostport *hp, char *buf, size_t cap)
{
    if (hp->kind == MT_HOST_IPV6)
        return snprintf(buf, cap, "[%s]:%u", hp->host, hp->port);
    return snprintf(buf, cap, "%s:%u", hp->host, hp->port);
}

void mt_format_duration(mt_ns ns, char *buf, size_t cap)
{
    static const struct unit units[] = {
        {"h", 3600 * MT_NS_PER_S}, {"m", 60 * MT_NS_PER_S}, {"s", MT_NS_PER_S},
        {"ms", MT_NS_PER_MS}, {"us", MT_NS_PER_US}, {NULL, 0}};
    for (const struct unit *u = units; u->name; u++) {
        if (ns >= u->factor && ns % u->factor == 0) {
            snprintf(buf, cap, "%" PRIu64 "%s", ns / u->factor, u->name);
            return;
        }
    }
    if (ns == 0) snprintf(buf, cap, "0s");
    else snprintf(buf, cap, "%" PRIu64 "ns", ns);
}

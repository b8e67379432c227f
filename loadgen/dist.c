/* Duration distributions for fault injection and think times. */
#include "loadgen/dist.h"

#include <math.h>
#include <stdio.h>

static int parse_pair(const char *s, mt_ns *a, mt_ns *b, struct mt_why *why)
{
    const char *comma = strchr(s, ',');
    char first[64];
    size_t n = comma ? (size_t)(comma - s) : 0;
    if (!comma || n == 0 || n >= sizeof first)
        return mt_why_set(why, MT_E_INVAL, "normal needs MEAN,STDDEV (e.g. normal:5ms,1ms)");
    memcpy(first, s, n);
    first[n] = 0;
    int rc = mt_parse_duration(first, a, why);
    return rc ? rc : mt_parse_duration(comma + 1, b, why);
}

int mt_dist_parse(const char *s, struct mt_dist *out, struct mt_why *why)
{
    struct mt_dist d = {0};
    int rc;
    if (!s || !*s)
        return mt_why_set(why, MT_E_INVAL, "empty distribution");
    if (!strncmp(s, "uniform:", 8)) {
        d.kind = MT_DIST_UNIFORM;
        rc = mt_parse_duration_range(s + 8, &d.a, &d.b, why);
    } else if (!strncmp(s, "exp:", 4)) {
        d.kind = MT_DIST_EXP;
        rc = mt_parse_duration(s + 4, &d.a, why);
    } else if (!strncmp(s, "normal:", 7)) {
        d.kind = MT_DIST_NORMAL;
        rc = parse_pair(s + 7, &d.a, &d.b, why);
    } else if (strchr(s, ':')) {
        return mt_why_set(why, MT_E_INVAL, "'%.40s': unknown distribution (use a duration, "
                          "uniform:LO-HI, exp:MEAN or normal:MEAN,STDDEV)", s);
    } else {
        d.kind = MT_DIST_FIXED;
        rc = mt_parse_duration(s, &d.a, why);
    }
    if (rc) return rc;
    *out = d;
    return 0;
}

mt_ns mt_dist_sample(const struct mt_dist *d, struct mt_rand *r)
{
    switch (d->kind) {
    case MT_DIST_FIXED:
        return d->a;
    case MT_DIST_UNIFORM:
        return d->a + mt_rand_below(r, d->b - d->a + 1);
    case MT_DIST_EXP:
        /* inverse CDF; 1 - u is in (0, 1] so the log is finite */
        return (mt_ns)(-(double)d->a * log(1.0 - mt_rand_unit(r)));
    case MT_DIST_NORMAL: {
        /* Box-Muller, one of the pair */
        double u1 = 1.0 - mt_rand_unit(r), u2 = mt_rand_unit(r);
        double z = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
        double v = (double)d->a + z * (double)d->b;
        return v <= 0 ? 0 : (mt_ns)v;
    }
    }
    return 0;
}

double mt_dist_mean(const struct mt_dist *d)
{
    if (d->kind == MT_DIST_UNIFORM)
        return ((double)d->a + (double)d->b) / 2;
    return (double)d->a;
}

int mt_dist_format(const struct mt_dist *d, char *buf, size_t cap)
{
    char a[32], b[32];
    mt_format_duration(d->a, a, sizeof a);
    mt_format_duration(d->b, b, sizeof b);
    switch (d->kind) {
    case MT_DIST_UNIFORM: return snprintf(buf, cap, "uniform:%s-%s", a, b);
    case MT_DIST_EXP: return snprintf(buf, cap, "exp:%s", a);
    case MT_DIST_NORMAL: return snprintf(buf, cap, "normal:%s,%s", a, b);
    default: return snprintf(buf, cap, "%s", a);
    }
}

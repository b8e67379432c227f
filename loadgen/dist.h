/* loadgen/dist: a distribution of durations, parsed from text and sampled
 * with the fast PRNG. Used by the server's --fault-delay; usable for any
 * "think time" style option.
 *
 *   5ms                  fixed
 *   uniform:1ms-5ms      uniform between the two (inclusive)
 *   exp:2ms              exponential with that mean
 *   normal:5ms,1ms       normal (mean, standard deviation), clamped at 0 */
#ifndef MT_LG_DIST_H
#define MT_LG_DIST_H

#include "loadgen/rand.h"
#include "loadgen/units.h"

enum mt_dist_kind { MT_DIST_FIXED = 0, MT_DIST_UNIFORM, MT_DIST_EXP, MT_DIST_NORMAL };

struct mt_dist {
    enum mt_dist_kind kind;
    mt_ns a;        /* fixed value, uniform low, exp mean, normal mean */
    mt_ns b;        /* uniform high, normal standard deviation; 0 otherwise */
};

int mt_dist_parse(const char *s, struct mt_dist *out, struct mt_why *why);
mt_ns mt_dist_sample(const struct mt_dist *d, struct mt_rand *r);
/* The distribution's mean in ns (for reports and tests). */
double mt_dist_mean(const struct mt_dist *d);
/* Back to the text form; returns snprintf's count. */
int mt_dist_format(const struct mt_dist *d, char *buf, size_t cap);

#endif

/* Log-linear latency histogram with the bucket layout of HdrHistogram, so
 * that its encodings are interchangeable with the HdrHistogram tools.
 *
 * Layout: bucket 0 holds sub_bucket_count values at the finest resolution
 * (1 << unit_magnitude); every further bucket doubles the range and the
 * resolution and stores only its upper half (the lower half is the previous
 * bucket). The counts index of a value is therefore O(1): a clz and shifts. */
#include "core/metrics/mt_metrics.h"

#include <math.h>
#include <stdlib.h>

static int32_t buckets_needed(int64_t value, int32_t sub_bucket_count, int32_t unit_magnitude)
{
    int64_t smallest_untrackable = (int64_t)sub_bucket_count << unit_magnitude;
    int32_t buckets = 1;
    while (smallest_untrackable <= value) {
        if (smallest_untrackable > INT64_MAX / 2)
            return buckets + 1;
        smallest_untrackable <<= 1;
        buckets++;
    }
    return buckets;
}

int mt_hist_layout(struct mt_hist *h, int64_t lowest, int64_t highest, int sig_figs)
{
    memset(h, 0, sizeof(*h));
    if (lowest < 1 || sig_figs < 1 || sig_figs > 5 || highest / 2 < lowest)
        return MT_E_INVAL;
    /* 2^61 ns is 73 years; the cap keeps every bucket's values and widths
     * inside int64 arithmetic */
    if (highest > (INT64_MAX >> 2))
        return MT_E_RANGE;
    int64_t largest_single_unit = 2;
    for (int i = 0; i < sig_figs; i++)
        largest_single_unit *= 10;
    int32_t sub_bucket_count_magnitude = (int32_t)ceil(log2((double)largest_single_unit));
    h->sub_bucket_half_count_magnitude = (sub_bucket_count_magnitude > 1 ? sub_bucket_count_magnitude : 1) - 1;
    h->unit_magnitude = (int32_t)floor(log2((double)lowest));
    /* the finest bucket must still fit in 64 bits with its sub-buckets */
    if (h->unit_magnitude + h->sub_bucket_half_count_magnitude > 61)
        return MT_E_RANGE;
    h->sub_bucket_count = (int32_t)1 << (h->sub_bucket_half_count_magnitude + 1);
    h->sub_bucket_half_count = h->sub_bucket_count / 2;
    h->sub_bucket_mask = ((int64_t)h->sub_bucket_count - 1) << h->unit_magnitude;
    h->bucket_count = buckets_needed(highest, h->sub_bucket_count, h->unit_magnitude);
    h->counts_len = (h->bucket_count + 1) * (h->sub_bucket_count / 2);
    h->lowest = lowest;
    h->highest = highest;
    h->sig_figs = sig_figs;
    h->min = INT64_MAX;
    return 0;
}

int mt_hist_init(struct mt_hist *h, int64_t lowest, int64_t highest, int sig_figs)
{
    int rc = mt_hist_layout(h, lowest, highest, sig_figs);
    if (rc)
        return rc;
    h->counts = calloc((size_t)h->counts_len, sizeof(int64_t));
    return h->counts ? 0 : MT_E_NOMEM;
}

int mt_hist_init_default(struct mt_hist *h)
{
    return mt_hist_init(h, MT_HIST_LOWEST_DEFAULT, MT_HIST_HIGHEST_DEFAULT, MT_HIST_SIGFIG_DEFAULT);
}

void mt_hist_free(struct mt_hist *h)
{
    if (!h)
        return;
    free(h->counts);
    h->counts = NULL;
    h->counts_len = 0;
}

void mt_hist_reset(struct mt_hist *h)
{
    if (h->counts && h->total_count)
        memset(h->counts, 0, (size_t)h->counts_len * sizeof(int64_t));
    h->total_count = 0;
    h->min = INT64_MAX;
    h->max = 0;
    h->clamped = 0;
    h->sum = 0;
}

int mt_hist_same_layout(const struct mt_hist *a, const struct mt_hist *b)
{
    return a->lowest == b->lowest && a->highest == b->highest && a->sig_figs == b->sig_figs;
}

/* ---- index arithmetic --------------------------------------------------- */

static inline int32_t bucket_index(const struct mt_hist *h, int64_t v)
{
    int32_t pow2ceiling = 64 - __builtin_clzll((uint64_t)(v | h->sub_bucket_mask));
    return pow2ceiling - h->unit_magnitude - (h->sub_bucket_half_count_magnitude + 1);
}

static inline int32_t sub_bucket_index(const struct mt_hist *h, int64_t v, int32_t bi)
{
    return (int32_t)(v >> (bi + h->unit_magnitude));
}

static inline int32_t counts_index(const struct mt_hist *h, int32_t bi, int32_t sbi)
{
    int32_t bucket_base = (bi + 1) << h->sub_bucket_half_count_magnitude;
    return bucket_base + (sbi - h->sub_bucket_half_count);
}

static inline int32_t counts_index_for(const struct mt_hist *h, int64_t v)
{
    int32_t bi = bucket_index(h, v);
    return counts_index(h, bi, sub_bucket_index(h, v, bi));
}

static inline int64_t value_from_index(const struct mt_hist *h, int32_t bi, int32_t sbi)
{
    return (int64_t)sbi << (bi + h->unit_magnitude);
}

/* Lowest value of the bucket at a counts index (exported to the codec). */
int64_t mt_hist_value_at_index(const struct mt_hist *h, int32_t index);
int64_t mt_hist_value_at_index(const struct mt_hist *h, int32_t index)
{
    int32_t bi = (index >> h->sub_bucket_half_count_magnitude) - 1;
    int32_t sbi = (index & (h->sub_bucket_half_count - 1)) + h->sub_bucket_half_count;
    if (bi < 0) {
        sbi -= h->sub_bucket_half_count;
        bi = 0;
    }
    return value_from_index(h, bi, sbi);
}

int32_t mt_hist_index_of(const struct mt_hist *h, int64_t v);
int32_t mt_hist_index_of(const struct mt_hist *h, int64_t v)
{
    return counts_index_for(h, v);
}

static int64_t size_of_equivalent_range(const struct mt_hist *h, int64_t v)
{
    int32_t bi = bucket_index(h, v);
    int32_t sbi = sub_bucket_index(h, v, bi);
    int32_t adjusted = (sbi >= h->sub_bucket_count) ? bi + 1 : bi;
    return (int64_t)1 << (h->unit_magnitude + adjusted);
}

int64_t mt_hist_lowest_equivalent(const struct mt_hist *h, int64_t v)
{
    int32_t bi = bucket_index(h, v);
    return value_from_index(h, bi, sub_bucket_index(h, v, bi));
}

int64_t mt_hist_highest_equivalent(const struct mt_hist *h, int64_t v)
{
    return mt_hist_lowest_equivalent(h, v) + size_of_equivalent_range(h, v) - 1;
}

static int64_t median_equivalent(const struct mt_hist *h, int64_t v)
{
    return mt_hist_lowest_equivalent(h, v) + (size_of_equivalent_range(h, v) >> 1);
}

/* ---- recording ------------------------------------------------------------ */

int mt_hist_record_n(struct mt_hist *h, int64_t value, int64_t count)
{
    if (MT_UNLIKELY(value < 0 || count <= 0))
        return MT_E_RANGE;
    int64_t total;
    if (MT_UNLIKELY(__builtin_add_overflow(h->total_count, count, &total)))
        return MT_E_RANGE;
    if (MT_UNLIKELY(value > h->highest)) {
        value = h->highest;
        h->clamped += count;
    }
    h->counts[counts_index_for(h, value)] += count;
    h->total_count = total;
    h->sum += (double)value * (double)count;
    if (value < h->min)
        h->min = value;
    if (value > h->max)
        h->max = value;
    return 0;
}

/* Recompute total/min/max/sum from the counts (after decoding).
 * MT_E_RANGE if the counts add up beyond int64. */
int mt_hist_recount(struct mt_hist *h);
int mt_hist_recount(struct mt_hist *h)
{
    h->total_count = 0;
    h->min = INT64_MAX;
    h->max = 0;
    h->sum = 0;
    for (int32_t i = 0; i < h->counts_len; i++) {
        int64_t c = h->counts[i];
        if (!c)
            continue;
        int64_t v = mt_hist_value_at_index(h, i);
        if (c < 0 || __builtin_add_overflow(h->total_count, c, &h->total_count))
            return MT_E_RANGE;
        if (v < h->min)
            h->min = v;
        h->max = mt_hist_highest_equivalent(h, v);
        h->sum += (double)median_equivalent(h, v) * (double)c;
    }
    return 0;
}

int mt_hist_add(struct mt_hist *dst, const struct mt_hist *src)
{
    if (!src->total_count)
        return 0;
    if (mt_hist_same_layout(dst, src)) {
        int64_t total;
        /* no count can overflow if the total does not */
        if (__builtin_add_overflow(dst->total_count, src->total_count, &total))
            return MT_E_RANGE;
        for (int32_t i = 0; i < src->counts_len; i++)
            dst->counts[i] += src->counts[i];
        dst->total_count = total;
        dst->sum += src->sum;
        dst->clamped += src->clamped;
        if (src->min < dst->min)
            dst->min = src->min;
        if (src->max > dst->max)
            dst->max = src->max;
        return 0;
    }
    int rc = 0;
    for (int32_t i = 0; i < src->counts_len; i++) {
        if (!src->counts[i])
            continue;
        int64_t v = median_equivalent(src, mt_hist_value_at_index(src, i));
        if (v > dst->highest || mt_hist_record_n(dst, v, src->counts[i]))
            rc = MT_E_RANGE;
    }
    return rc;
}

/* ---- queries ----------------------------------------------------------------- */

int64_t mt_hist_percentile(const struct mt_hist *h, double percentile)
{
    if (!h->total_count)
        return 0;
    if (percentile < 0)
        percentile = 0;
    if (percentile > 100)
        percentile = 100;
    /* HdrHistogram: ceil of the fractional rank, at least 1 */
    double fractional = percentile / 100.0 * (double)h->total_count;
    int64_t target = (int64_t)ceil(fractional - 1e-9);
    if (target < 1)
        target = 1;
    int64_t running = 0;
    for (int32_t i = 0; i < h->counts_len; i++) {
        running += h->counts[i];
        if (running >= target) {
            int64_t v = mt_hist_value_at_index(h, i);
            return percentile == 0 ? mt_hist_lowest_equivalent(h, v)
                                   : mt_hist_highest_equivalent(h, v);
        }
    }
    return mt_hist_max(h);
}

double mt_hist_mean(const struct mt_hist *h)
{
    if (!h->total_count)
        return 0;
    double total = 0;
    for (int32_t i = 0; i < h->counts_len; i++)
        if (h->counts[i])
            total += (double)median_equivalent(h, mt_hist_value_at_index(h, i)) * (double)h->counts[i];
    return total / (double)h->total_count;
}

double mt_hist_stddev(const struct mt_hist *h)
{
    if (!h->total_count)
        return 0;
    double mean = mt_hist_mean(h), geo = 0;
    for (int32_t i = 0; i < h->counts_len; i++) {
        if (!h->counts[i])
            continue;
        double d = (double)median_equivalent(h, mt_hist_value_at_index(h, i)) - mean;
        geo += d * d * (double)h->counts[i];
    }
    return sqrt(geo / (double)h->total_count);
}

int64_t mt_hist_min(const struct mt_hist *h)
{
    return h->total_count ? mt_hist_lowest_equivalent(h, h->min) : 0;
}

int64_t mt_hist_max(const struct mt_hist *h)
{
    return h->total_count ? mt_hist_highest_equivalent(h, h->max) : 0;
}

int64_t mt_hist_count_le(const struct mt_hist *h, int64_t value)
{
    if (!h->total_count || value < 0)
        return 0;
    if (value >= h->max)
        return h->total_count;
    /* buckets up to and including the one holding `value`: a value recorded
     * exactly at a bucket boundary (5ms) counts as <= 5ms */
    int32_t last = counts_index_for(h, value);
    int64_t n = 0;
    for (int32_t i = 0; i <= last && i < h->counts_len; i++)
        n += h->counts[i];
    return n;
}

/* Steps of the HdrHistogram percentile iterator: the tick spacing halves each
 * time the remaining distance to 100% halves, so the tail gets detail. */
int mt_hist_spectrum(const struct mt_hist *h, int ticks_per_half_distance,
                     mt_hist_spectrum_fn fn, void *ctx)
{
    if (!h->total_count || ticks_per_half_distance < 1)
        return 0;
    int steps = 0;
    double pct = 0;
    for (;;) {
        int64_t v = mt_hist_percentile(h, pct);
        int64_t cum = mt_hist_count_le(h, v);
        steps++;
        if (fn && fn(ctx, pct, v, cum))
            break;
        if (pct >= 100.0)
            break;
        if (cum >= h->total_count) {
            pct = 100.0; /* the spectrum always ends with the 100% line */
            continue;
        }
        double half_distance = pow(2.0, floor(log2(100.0 / (100.0 - pct))) + 1);
        double ticks = half_distance * ticks_per_half_distance;
        pct += 100.0 / ticks;
        if (pct > 100.0 || 100.0 - pct < 1e-12)
            pct = 100.0;
    }
    return steps;
}

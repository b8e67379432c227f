/* Histogram: percentiles against exact sorted values, merge equivalence,
 * layout arithmetic, reset, clamping and the percentile spectrum. */
#include "harness/unit/common/mt_test.h"
#include "core/metrics/mt_metrics.h"

#include <math.h>

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* log-uniform values from 1 us to 10 s: the shape of real latencies */
static int64_t random_latency(struct mt_test_prng *r)
{
    double u = (double)(mt_test_next(r) >> 11) / 9007199254740992.0;
    return (int64_t)(1000.0 * pow(1e7, u));
}

static void test_percentiles_vs_exact(void **state)
{
    (void)state;
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 42);
    enum { N = 200000 };
    int64_t *v = malloc(N * sizeof(*v));
    assert_non_null(v);
    struct mt_hist h;
    assert_int_equal(mt_hist_init_default(&h), 0);
    for (int i = 0; i < N; i++) {
        v[i] = random_latency(&r);
        assert_int_equal(mt_hist_record(&h, v[i]), 0);
    }
    qsort(v, N, sizeof(*v), cmp_i64);
    static const double pcts[] = {1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100};
    for (size_t i = 0; i < MT_ARRAY_LEN(pcts); i++) {
        /* the value of rank ceil(p/100 * N) in the sorted data */
        int64_t rank = (int64_t)ceil(pcts[i] / 100.0 * N);
        int64_t exact = v[rank - 1];
        int64_t got = mt_hist_percentile(&h, pcts[i]);
        double rel = fabs((double)got - (double)exact) / (double)exact;
        /* 3 significant digits: relative error below 10^-3 */
        assert_true(rel <= 1e-3);
        assert_true(mt_hist_lowest_equivalent(&h, got) <= exact);
    }
    assert_int_equal(h.total_count, N);
    assert_true(mt_hist_min(&h) <= v[0] && mt_hist_max(&h) >= v[N - 1]);
    double exact_mean = 0;
    for (int i = 0; i < N; i++)
        exact_mean += (double)v[i];
    exact_mean /= N;
    assert_true(fabs(mt_hist_mean(&h) - exact_mean) / exact_mean < 1e-3);
    assert_true(fabs(h.sum / N - exact_mean) / exact_mean < 1e-9);
    mt_hist_free(&h);
    free(v);
}

static void test_merge_equals_single(void **state)
{
    (void)state;
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 7);
    enum { PARTS = 8, PER = 20000 };
    struct mt_hist all, part[PARTS], merged;
    assert_int_equal(mt_hist_init_default(&all), 0);
    assert_int_equal(mt_hist_init_default(&merged), 0);
    for (int p = 0; p < PARTS; p++) {
        assert_int_equal(mt_hist_init_default(&part[p]), 0);
        for (int i = 0; i < PER; i++) {
            int64_t x = random_latency(&r);
            mt_hist_record(&part[p], x);
            mt_hist_record(&all, x);
        }
    }
    for (int p = 0; p < PARTS; p++)
        assert_int_equal(mt_hist_add(&merged, &part[p]), 0);
    assert_int_equal(merged.total_count, all.total_count);
    assert_memory_equal(merged.counts, all.counts, (size_t)all.counts_len * sizeof(int64_t));
    assert_int_equal(merged.min, all.min);
    assert_int_equal(merged.max, all.max);
    for (double p = 0; p <= 100; p += 0.5)
        assert_int_equal(mt_hist_percentile(&merged, p), mt_hist_percentile(&all, p));
    for (int p = 0; p < PARTS; p++)
        mt_hist_free(&part[p]);
    mt_hist_free(&all);
    mt_hist_free(&merged);
}

static void test_layout_and_edges(void **state)
{
    (void)state;
    struct mt_hist h;
    assert_int_equal(mt_hist_init(&h, 0, 100, 3), MT_E_INVAL);
    assert_int_equal(mt_hist_init(&h, 10, 15, 3), MT_E_INVAL);
    assert_int_equal(mt_hist_init(&h, 1, 1000, 6), MT_E_INVAL);
    assert_int_equal(mt_hist_init_default(&h), 0);
    /* values below 2048 are exact at 3 significant digits with a 1 ns unit */
    for (int64_t v = 0; v < 2048; v++)
        assert_int_equal(mt_hist_highest_equivalent(&h, v), v);
    /* relative width of every bucket stays under 10^-3 of its values */
    for (int64_t v = 2048; v < MT_HIST_HIGHEST_DEFAULT; v = v * 3 / 2 + 1) {
        int64_t lo = mt_hist_lowest_equivalent(&h, v), hi = mt_hist_highest_equivalent(&h, v);
        assert_true(lo <= v && v <= hi);
        assert_true((double)(hi - lo) / (double)lo < 1e-3);
    }
    assert_int_equal(mt_hist_percentile(&h, 50), 0); /* empty */
    assert_int_equal(mt_hist_record(&h, -1), MT_E_RANGE);
    assert_int_equal(mt_hist_record(&h, MT_HIST_HIGHEST_DEFAULT * 2), 0);
    assert_int_equal(h.clamped, 1);
    assert_int_equal(mt_hist_record_n(&h, 5000, 9), 0);
    assert_int_equal(h.total_count, 10);
    assert_int_equal(mt_hist_count_le(&h, 5000), 9);
    assert_int_equal(mt_hist_count_le(&h, 4999), 0);
    assert_int_equal(mt_hist_percentile(&h, 90), mt_hist_highest_equivalent(&h, 5000));
    assert_int_equal(mt_hist_percentile(&h, 0), mt_hist_lowest_equivalent(&h, 5000));
    mt_hist_reset(&h);
    assert_int_equal(h.total_count, 0);
    for (int32_t i = 0; i < h.counts_len; i++)
        assert_int_equal(h.counts[i], 0);
    mt_hist_free(&h);
}

static void test_stddev_and_cross_layout_add(void **state)
{
    (void)state;
    struct mt_hist a, b;
    assert_int_equal(mt_hist_init(&a, 1000, 3600000000000ll, 2), 0);
    assert_int_equal(mt_hist_init_default(&b), 0);
    for (int i = 0; i < 1000; i++)
        mt_hist_record(&b, i % 2 ? 100000 : 300000);
    assert_true(fabs(mt_hist_stddev(&b) - 100000) / 100000 < 1e-3);
    assert_true(fabs(mt_hist_mean(&b) - 200000) / 200000 < 1e-3);
    assert_int_equal(mt_hist_add(&a, &b), 0);
    assert_int_equal(a.total_count, 1000);
    assert_true(fabs((double)mt_hist_percentile(&a, 50) - 100000) / 100000 < 1e-2);
    mt_hist_free(&a);
    mt_hist_free(&b);
}

struct spectrum_ctx { int n; double last_pct; int64_t last_v; };
static int spectrum_cb(void *p, double pct, int64_t v, int64_t cum)
{
    struct spectrum_ctx *c = p;
    assert_true(pct >= c->last_pct);
    assert_true(v >= c->last_v);
    assert_true(cum >= 1);
    c->last_pct = pct;
    c->last_v = v;
    c->n++;
    return 0;
}

static void test_spectrum(void **state)
{
    (void)state;
    struct mt_hist h;
    assert_int_equal(mt_hist_init_default(&h), 0);
    for (int i = 1; i <= 10000; i++)
        mt_hist_record(&h, i * 1000);
    struct spectrum_ctx c = {0, 0, 0};
    int steps = mt_hist_spectrum(&h, 5, spectrum_cb, &c);
    assert_true(steps > 20);
    assert_int_equal(steps, c.n);
    assert_true(c.last_pct == 100.0);
    assert_int_equal(c.last_v, mt_hist_max(&h));
    mt_hist_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percentiles_vs_exact),
        cmocka_unit_test(test_merge_equals_single),
        cmocka_unit_test(test_layout_and_edges),
        cmocka_unit_test(test_stddev_and_cross_layout_add),
        cmocka_unit_test(test_spectrum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

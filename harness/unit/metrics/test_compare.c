/* mt_metrics_compare_files on crafted files (mtload results and Google
 * Benchmark JSON), and the merge path (results JSON and hlog loaded, added):
 * the same code `mtload compare` / `mtload merge` run, here under the
 * sanitizers of the unit-test builds. */
#include "harness/unit/common/mt_test.h"
#include "core/metrics/mt_metrics.h"

#include <stdio.h>
#include <unistd.h>

static char *write_tmp(const char *suffix, const char *text)
{
    static int n;
    char *p = malloc(256);
    snprintf(p, 256, "/tmp/mt_cmp_test_%d_%d%s", (int)getpid(), n++, suffix);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static char *results_file(double duration, int64_t latency_ns, int n)
{
    struct mt_metrics_report *r = mt_metrics_report_new(0, 0, 0);
    int op = mt_metrics_report_op(r, "ping");
    mt_hist_record_n(&r->op[op].hist, latency_ns, n);
    r->duration_s = duration;
    r->started_at = 1000;
    r->ended_at = 1000 + duration;
    char *p = write_tmp(".json", "");
    assert_int_equal(mt_metrics_write_json(p, "run", r, NULL, NULL, NULL, NULL, 0), 0);
    mt_metrics_report_free(r);
    return p;
}

static int compare(const char *a, const char *b, double limit)
{
    FILE *devnull = fopen("/dev/null", "w");
    int rc = mt_metrics_compare_files(a, b, limit, devnull);
    fclose(devnull);
    return rc;
}

static void test_compare_results(void **state)
{
    (void)state;
    char *base = results_file(10, 100000, 1000);
    char *slower = results_file(11, 100000, 1000);   /* rate -9.1% */
    char *laggy = results_file(10, 120000, 1000);    /* p50 +20% */
    assert_int_equal(compare(base, base, 0.05), 0);
    assert_int_equal(compare(base, slower, 0.05), 1);
    assert_int_equal(compare(base, slower, 0.10), 0);
    assert_int_equal(compare(base, laggy, 0.10), 1);
    assert_int_equal(compare(laggy, base, 0.10), 0);
    char *junk = write_tmp(".json", "{\"schema_version\": 1}");
    assert_true(compare(base, junk, 0.05) < 0);
    assert_true(compare(base, "/nonexistent/x.json", 0.05) < 0);
    char *items[] = {base, slower, laggy, junk};
    for (size_t i = 0; i < MT_ARRAY_LEN(items); i++) {
        unlink(items[i]);
        free(items[i]);
    }
}

static void test_compare_gbench(void **state)
{
    (void)state;
    char *a = write_tmp(".json",
        "{\"context\":{},\"benchmarks\":["
        "{\"name\":\"x/a/1\",\"run_name\":\"x/a/1\",\"run_type\":\"iteration\",\"real_time\":10,\"time_unit\":\"us\"},"
        "{\"name\":\"y/a/1\",\"run_name\":\"y/a/1\",\"run_type\":\"iteration\",\"real_time\":5,"
        "\"time_unit\":\"ns\",\"items_per_second\":1000}]}");
    char *b = write_tmp(".json",
        "{\"context\":{},\"benchmarks\":["
        "{\"name\":\"x/a/1\",\"run_name\":\"x/a/1\",\"run_type\":\"iteration\",\"real_time\":10400,\"time_unit\":\"ns\"},"
        "{\"name\":\"y/a/1\",\"run_name\":\"y/a/1\",\"run_type\":\"iteration\",\"real_time\":5,"
        "\"time_unit\":\"ns\",\"items_per_second\":800}]}");
    assert_int_equal(compare(a, a, 0.05), 0);
    assert_int_equal(compare(a, b, 0.05), 1);  /* items/s -20% */
    assert_int_equal(compare(a, b, 0.25), 0);  /* x: 10 us -> 10.4 us is +4% */
    char *r = results_file(1, 1000, 1);
    assert_true(compare(a, r, 0.05) < 0);      /* kinds differ */
    unlink(a);
    unlink(b);
    unlink(r);
    free(a);
    free(b);
    free(r);
}

static void test_merge_json_and_hlog(void **state)
{
    (void)state;
    char *j = results_file(2, 50000, 300);
    struct mt_metrics_report *rj;
    assert_int_equal(mt_metrics_load_json(j, &rj), 0);
    /* an hlog of the same op, written by our writer */
    char *h = write_tmp(".hlog", "");
    struct mt_hlog *l = mt_hlog_open(h, 2000.0);
    assert_non_null(l);
    assert_int_equal(mt_hlog_write_interval(l, 2000.0, 1.0, rj), 0);
    mt_hlog_close(l);
    struct mt_metrics_report *rh;
    assert_int_equal(mt_hlog_load(h, &rh), 0);
    assert_int_equal(mt_metrics_report_merge(rj, rh), 0);
    assert_int_equal(rj->op[0].hist.total_count, 600);
    assert_int_equal(rj->shards, 2);
    assert_true(rj->started_at == 1000.0 && rj->ended_at == 2001.0);
    assert_true(rj->duration_s == 2.0);
    mt_metrics_report_free(rh);
    mt_metrics_report_free(rj);
    char *bad = write_tmp(".hlog", "#[Histogram log format version 1.3]\n");
    assert_true(mt_hlog_load(bad, &rh) < 0);   /* no interval at all */
    assert_true(mt_hlog_load("/nonexistent.hlog", &rh) < 0);
    char *items[] = {j, h, bad};
    for (size_t i = 0; i < MT_ARRAY_LEN(items); i++) {
        unlink(items[i]);
        free(items[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compare_results),
        cmocka_unit_test(test_compare_gbench),
        cmocka_unit_test(test_merge_json_and_hlog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Threshold expressions: parsing (units, op prefixes, malformed input) and
 * evaluation against a report. */
#include "harness/unit/common/mt_test.h"
#include "core/metrics/mt_metrics.h"

#include <math.h>

static void test_parse(void **state)
{
    (void)state;
    struct mt_threshold t;
    assert_int_equal(mt_threshold_parse("p99<5ms", &t), 0);
    assert_int_equal(t.metric, MT_THR_PERCENTILE);
    assert_true(t.percentile == 99);
    assert_int_equal(t.cmp, MT_CMP_LT);
    assert_true(t.limit == 5e6);
    assert_string_equal(t.op, "");
    assert_int_equal(mt_threshold_parse("ping:p50<=200us", &t), 0);
    assert_string_equal(t.op, "ping");
    assert_int_equal(t.cmp, MT_CMP_LE);
    assert_true(t.limit == 200e3);
    assert_int_equal(mt_threshold_parse("p999 < 20 ms", &t), 0);
    assert_true(fabs(t.percentile - 99.9) < 1e-9);
    assert_int_equal(mt_threshold_parse("p99.99<1s", &t), 0);
    assert_true(fabs(t.percentile - 99.99) < 1e-9);
    assert_int_equal(mt_threshold_parse("error_rate<0.1%", &t), 0);
    assert_int_equal(t.metric, MT_THR_ERROR_RATE);
    assert_true(fabs(t.limit - 0.001) < 1e-12);
    assert_int_equal(mt_threshold_parse("rps>100k", &t), 0);
    assert_int_equal(t.metric, MT_THR_RPS);
    assert_int_equal(t.cmp, MT_CMP_GT);
    assert_true(t.limit == 100e3);
    assert_int_equal(mt_threshold_parse("rpc:help.getConfig:max>=1.5M", &t), MT_E_INVAL); /* max needs a time unit */
    assert_int_equal(mt_threshold_parse("rpc:help.getConfig:max<1.5s", &t), 0);
    assert_string_equal(t.op, "rpc:help.getConfig");
    assert_int_equal(mt_threshold_parse("count>=1M", &t), 0);
    assert_true(t.limit == 1e6);
    static const char *const bad[] = {
        "", "p99", "p99<", "<5ms", "p99<5", "p99<5xs", "p1000<5ms", "p<5ms", "p9.9.9<1ms",
        "error_rate<1ms", "rps>5ms", "bogus<1", ":p99<5ms", "p99<-5ms", "p99=5ms", "rps>1e999",
    };
    for (size_t i = 0; i < MT_ARRAY_LEN(bad); i++)
        if (mt_threshold_parse(bad[i], &t) != MT_E_INVAL)
            fail_msg("accepted: \"%s\"", bad[i]);
}

static void test_eval(void **state)
{
    (void)state;
    struct mt_metrics_report *r = mt_metrics_report_new(0, 0, 0);
    int ping = mt_metrics_report_op(r, "ping");
    int echo = mt_metrics_report_op(r, "echo");
    for (int i = 1; i <= 1000; i++)
        mt_hist_record(&r->op[ping].hist, i * 1000); /* 1 us .. 1 ms */
    for (int i = 0; i < 1000; i++)
        mt_hist_record(&r->op[echo].hist, 10 * 1000 * 1000); /* 10 ms */
    r->op[echo].errors = 10;
    r->counter[MT_CNT_ERRORS] = 10;
    r->duration_s = 2;
    static const struct { const char *expr; int ok; } cases[] = {
        {"ping:p99<1ms", 1}, {"ping:p99<900us", 0}, {"ping:p50<=501us", 1}, {"p99<5ms", 0},
        {"echo:p50>=10ms", 1}, {"rps>999", 1}, {"rps>1001", 0}, {"ping:rps>=500", 1},
        {"error_rate<1%", 1}, {"error_rate<0.4%", 0}, {"echo:error_rate<0.99%", 0},
        {"ping:errors<=0", 1}, {"count>=2000", 1}, {"ping:max<1.01ms", 1}, {"ping:min<2us", 1},
        {"ping:mean<600us", 1}, {"missing:p99<1s", 0},
    };
    for (size_t i = 0; i < MT_ARRAY_LEN(cases); i++) {
        struct mt_threshold t;
        struct mt_threshold_result res;
        assert_int_equal(mt_threshold_parse(cases[i].expr, &t), 0);
        assert_int_equal(mt_threshold_eval(&t, r, &res), 0);
        if (res.ok != cases[i].ok)
            fail_msg("%s: ok=%d actual=%g", cases[i].expr, res.ok, res.actual);
    }
    struct mt_threshold t[2];
    struct mt_threshold_result res[2];
    mt_threshold_parse("ping:p99<1ms", &t[0]);
    mt_threshold_parse("missing:p99<1s", &t[1]);
    mt_threshold_eval(&t[0], r, &res[0]);
    mt_threshold_eval(&t[1], r, &res[1]);
    assert_true(res[1].missing);
    FILE *devnull = fopen("/dev/null", "w");
    assert_int_equal(mt_threshold_report(devnull, t, res, 2), 1);
    fclose(devnull);
    char buf[32];
    mt_threshold_format_value(&t[0], 1234567, buf, sizeof(buf));
    assert_string_equal(buf, "1.235ms");
    mt_metrics_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_eval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

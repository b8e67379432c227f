/* Unit parsers: good values, bad values with their reasons, bounds and
 * overflow. */
#include "harness/unit/common/mt_test.h"
#include "loadgen/dist.h"
#include "loadgen/units.h"

#include <math.h>
#include <stdio.h>

#define S MT_NS_PER_S
#define MS MT_NS_PER_MS

static void expect_duration(const char *s, mt_ns want)
{
    mt_ns v = 0;
    struct mt_why why = {{0}};
    int rc = mt_parse_duration(s, &v, &why);
    if (rc) fail_msg("'%s': %s", s, why.msg);
    assert_int_equal(v, want);
}

static void expect_bad_duration(const char *s, const char *reason_part)
{
    mt_ns v = 12345;
    struct mt_why why = {{0}};
    assert_true(mt_parse_duration(s, &v, &why) < 0);
    assert_int_equal(v, 12345);                   /* untouched on error */
    if (!strstr(why.msg, reason_part)) fail_msg("'%s': reason '%s' lacks '%s'", s, why.msg, reason_part);
}

static void test_durations(void **state)
{
    (void)state;
    expect_duration("10s", 10 * S);
    expect_duration("500ms", 500 * MS);
    expect_duration("2m", 120 * S);
    expect_duration("1h", 3600 * S);
    expect_duration("250us", 250000);
    expect_duration("7ns", 7);
    expect_duration("30", 30 * S);            /* bare number = seconds */
    expect_duration("0", 0);
    expect_duration("1.5s", 1500 * MS);
    expect_duration("0.5ms", 500000);
    expect_duration("1.000000001s", S + 1);
    expect_duration("0010s", 10 * S);
    expect_duration("87600h", 87600ull * 3600 * S);  /* 10 years is the limit... */
    expect_bad_duration("87601h", "10 years");       /* ...and one hour more is not */
    expect_bad_duration("", "empty");
    expect_bad_duration("10x", "unknown unit 'x'");
    expect_bad_duration("10 s", "unknown unit");
    expect_bad_duration("-1s", "digit");
    expect_bad_duration("s", "digit");
    expect_bad_duration(".5s", "digit");
    expect_bad_duration("5.s", "digit must follow");
    expect_bad_duration("1.5ns", "finer than 1 ns");
    expect_bad_duration("1.0000000001s", "decimals");
    expect_bad_duration("99999999999999999999s", "too large");
    expect_bad_duration("18446744073709551615h", "too large");
    expect_bad_duration("5000000h", "10 years");   /* fits u64 ns, too long */
    expect_bad_duration("1e3s", "unknown unit");
    expect_bad_duration("10S", "unknown unit");
}

static void test_counts_and_sizes(void **state)
{
    (void)state;
    uint64_t v;
    struct mt_why why;
    const struct { const char *s; uint64_t want; } counts[] = {
        {"1k", 1000}, {"1K", 1000}, {"2M", 2000000}, {"1.5k", 1500}, {"10000", 10000},
        {"3G", 3000000000ull}, {"0", 0}, {"18446744073709551615", UINT64_MAX},
        {"18446744073.709551615G", UINT64_MAX},
    };
    for (size_t i = 0; i < MT_ARRAY_LEN(counts); i++) {
        assert_int_equal(mt_parse_count(counts[i].s, &v, &why), 0);
        assert_int_equal(v, counts[i].want);
    }
    const char *bad_counts[] = {"", "k", "1.2345k", "18446744073709551616", "20000000000G", "1KiB",
                                "1m", "-1", "1,000", "1k5"};
    for (size_t i = 0; i < MT_ARRAY_LEN(bad_counts); i++)
        if (mt_parse_count(bad_counts[i], &v, &why) == 0) fail_msg("count '%s' accepted", bad_counts[i]);
    assert_int_equal(mt_parse_count("1.2345k", &v, &why), MT_E_INVAL);
    assert_non_null(strstr(why.msg, "whole count"));

    const struct { const char *s; uint64_t want; } sizes[] = {
        {"64", 64}, {"64B", 64}, {"1k", 1000}, {"1kB", 1000}, {"1KB", 1000}, {"1KiB", 1024},
        {"1Ki", 1024}, {"1.5KiB", 1536}, {"2MiB", 2u << 20}, {"1MB", 1000000}, {"1GiB", 1u << 30},
        {"0", 0}, {"0.5KiB", 512},
    };
    for (size_t i = 0; i < MT_ARRAY_LEN(sizes); i++) {
        if (mt_parse_size(sizes[i].s, &v, &why)) fail_msg("size '%s': %s", sizes[i].s, why.msg);
        assert_int_equal(v, sizes[i].want);
    }
    const char *bad_sizes[] = {"1.1B", "1kib", "1KIB", "1 KiB", "1TiB", "KiB", "17179869184GiB"};
    for (size_t i = 0; i < MT_ARRAY_LEN(bad_sizes); i++)
        if (mt_parse_size(bad_sizes[i], &v, &why) == 0) fail_msg("size '%s' accepted", bad_sizes[i]);
    assert_int_equal(mt_parse_size("1.1B", &v, &why), MT_E_INVAL);
    assert_non_null(strstr(why.msg, "whole number of bytes"));
    assert_int_equal(mt_parse_size("17179869184GiB", &v, &why), MT_E_RANGE);
}

static void test_plain_integers_and_bools(void **state)
{
    (void)state;
    uint64_t u;
    int64_t i;
    bool b;
    struct mt_why why;
    assert_int_equal(mt_parse_u64("42", 1, 100, &u, &why), 0);
    assert_int_equal(u, 42);
    assert_int_equal(mt_parse_u64("0", 1, 100, &u, &why), MT_E_RANGE);
    assert_non_null(strstr(why.msg, "outside 1..100"));
    assert_int_equal(mt_parse_u64("1k", 0, 100, &u, &why), MT_E_INVAL);
    assert_int_equal(mt_parse_u64("99999999999999999999", 0, UINT64_MAX, &u, &why), MT_E_RANGE);
    assert_int_equal(mt_parse_i64("-32768", INT16_MIN, INT16_MAX, &i, &why), 0);
    assert_int_equal(i, -32768);
    assert_int_equal(mt_parse_i64("-32769", INT16_MIN, INT16_MAX, &i, &why), MT_E_RANGE);
    assert_int_equal(mt_parse_i64("-9223372036854775808", INT64_MIN, INT64_MAX, &i, &why), 0);
    assert_true(i == INT64_MIN);
    assert_int_equal(mt_parse_i64("-9223372036854775809", INT64_MIN, INT64_MAX, &i, &why), MT_E_RANGE);
    assert_int_equal(mt_parse_i64("--1", INT64_MIN, INT64_MAX, &i, &why), MT_E_INVAL);
    assert_int_equal(mt_parse_i64("-", INT64_MIN, INT64_MAX, &i, &why), MT_E_INVAL);
    const char *yes[] = {"on", "ON", "true", "yes", "1"}, *no[] = {"off", "False", "no", "0"};
    for (size_t k = 0; k < MT_ARRAY_LEN(yes); k++) {
        assert_int_equal(mt_parse_bool(yes[k], &b, &why), 0);
        assert_true(b);
    }
    for (size_t k = 0; k < MT_ARRAY_LEN(no); k++) {
        assert_int_equal(mt_parse_bool(no[k], &b, &why), 0);
        assert_false(b);
    }
    assert_int_equal(mt_parse_bool("maybe", &b, &why), MT_E_INVAL);
    assert_int_equal(mt_parse_bool(NULL, &b, NULL), MT_E_INVAL);
}

static void test_rates_and_percentages(void **state)
{
    (void)state;
    double v;
    struct mt_why why;
    assert_int_equal(mt_parse_rate("50k", false, &v, &why), 0);
    assert_true(v == 50000);
    assert_int_equal(mt_parse_rate("1M/s", false, &v, &why), 0);
    assert_true(v == 1e6);
    assert_int_equal(mt_parse_rate("600/m", false, &v, &why), 0);
    assert_true(fabs(v - 10) < 1e-12);
    assert_int_equal(mt_parse_rate("3600/h", false, &v, &why), 0);
    assert_true(fabs(v - 1) < 1e-12);
    assert_int_equal(mt_parse_rate("0.5", false, &v, &why), 0);
    assert_true(v == 0.5);
    assert_int_equal(mt_parse_rate("0", false, &v, &why), MT_E_RANGE);
    assert_int_equal(mt_parse_rate("0", true, &v, &why), 0);
    assert_int_equal(mt_parse_rate("2000G", false, &v, &why), MT_E_RANGE);
    assert_int_equal(mt_parse_rate("5/x", false, &v, &why), MT_E_INVAL);
    assert_int_equal(mt_parse_rate("5kk", false, &v, &why), MT_E_INVAL);
    assert_int_equal(mt_parse_rate("5q/s", false, &v, &why), MT_E_INVAL);
    assert_int_equal(mt_parse_rate("", false, &v, &why), MT_E_INVAL);

    assert_int_equal(mt_parse_percent("1%", &v, &why), 0);
    assert_true(fabs(v - 0.01) < 1e-15);
    assert_int_equal(mt_parse_percent("0.5%", &v, &why), 0);
    assert_true(fabs(v - 0.005) < 1e-15);
    assert_int_equal(mt_parse_percent("100%", &v, &why), 0);
    assert_true(v == 1);
    assert_int_equal(mt_parse_percent("0.25", &v, &why), 0);
    assert_true(v == 0.25);
    assert_int_equal(mt_parse_percent("101%", &v, &why), MT_E_RANGE);
    assert_int_equal(mt_parse_percent("5", &v, &why), MT_E_RANGE);
    assert_non_null(strstr(why.msg, "did you mean 5%"));
    assert_int_equal(mt_parse_percent("5 %", &v, &why), MT_E_INVAL);
    assert_int_equal(mt_parse_percent("%", &v, &why), MT_E_INVAL);
}

static void test_ranges(void **state)
{
    (void)state;
    uint64_t lo, hi;
    mt_ns a, b;
    uint32_t f, l;
    struct mt_why why;
    assert_int_equal(mt_parse_size_range("64-1024", &lo, &hi, &why), 0);
    assert_int_equal(lo, 64);
    assert_int_equal(hi, 1024);
    assert_int_equal(mt_parse_size_range("1KiB", &lo, &hi, &why), 0);
    assert_int_equal(lo, 1024);
    assert_int_equal(hi, 1024);
    assert_int_equal(mt_parse_size_range("1KiB-2KiB", &lo, &hi, &why), 0);
    assert_int_equal(hi, 2048);
    assert_int_equal(mt_parse_size_range("1024-64", &lo, &hi, &why), MT_E_RANGE);
    assert_non_null(strstr(why.msg, "low end above high end"));
    const char *bad[] = {"-", "64-", "-64", "1-2-3", "", "x-1"};
    for (size_t i = 0; i < MT_ARRAY_LEN(bad); i++)
        if (mt_parse_size_range(bad[i], &lo, &hi, &why) == 0) fail_msg("range '%s' accepted", bad[i]);
    assert_int_equal(mt_parse_duration_range("1ms-5ms", &a, &b, &why), 0);
    assert_int_equal(a, MS);
    assert_int_equal(b, 5 * MS);

    assert_int_equal(mt_parse_ipv4_range("127.0.0.2-127.0.0.200", &f, &l, &why), 0);
    assert_int_equal(f, 0x7f000002u);
    assert_int_equal(l, 0x7f0000c8u);
    assert_int_equal(mt_parse_ipv4_range("10.0.0.1", &f, &l, &why), 0);
    assert_int_equal(f, l);
    assert_int_equal(mt_parse_ipv4_range("10.0.1.0-10.0.0.255", &f, &l, &why), MT_E_RANGE);
    assert_int_equal(mt_parse_ipv4_range("10.0.0.256", &f, &l, &why), MT_E_INVAL);
    assert_non_null(strstr(why.msg, "not an IPv4 address"));
    assert_int_equal(mt_parse_ipv4_range("::1-::2", &f, &l, &why), MT_E_INVAL);
    char longer[300];
    memset(longer, '1', sizeof longer - 1);
    longer[sizeof longer - 1] = 0;
    assert_int_equal(mt_parse_ipv4_range(longer, &f, &l, &why), MT_E_RANGE);
}

static void expect_hp(const char *s, unsigned flags, const char *host, unsigned port, int kind)
{
    struct mt_hostport hp;
    struct mt_why why = {{0}};
    if (mt_parse_hostport(s, flags, &hp, &why)) fail_msg("'%s': %s", s, why.msg);
    assert_string_equal(hp.host, host);
    assert_int_equal(hp.port, port);
    assert_int_equal(hp.kind, kind);
    char back[300];
    mt_hostport_format(&hp, back, sizeof back);
    struct mt_hostport again;
    assert_int_equal(mt_parse_hostport(back, flags, &again, &why), 0);
    assert_memory_equal(&hp, &again, sizeof hp);
}

static void test_hostport(void **state)
{
    (void)state;
    expect_hp("127.0.0.1:4430", 0, "127.0.0.1", 4430, MT_HOST_IPV4);
    expect_hp("[::1]:443", 0, "::1", 443, MT_HOST_IPV6);
    expect_hp("[2001:db8::1]:65535", 0, "2001:db8::1", 65535, MT_HOST_IPV6);
    expect_hp("localhost:80", 0, "localhost", 80, MT_HOST_NAME);
    expect_hp("dc-1.example.org:8443", 0, "dc-1.example.org", 8443, MT_HOST_NAME);
    expect_hp(":9100", MT_HP_EMPTY_HOST_OK, "", 9100, MT_HOST_ANY);
    expect_hp("0.0.0.0:0", MT_HP_PORT0_OK, "0.0.0.0", 0, MT_HOST_IPV4);
    struct mt_hostport hp;
    struct mt_why why;
    const struct { const char *s; unsigned flags; const char *reason; } bad[] = {
        {"", 0, "empty"}, {"localhost", 0, "missing ':PORT'"}, {":443", 0, "missing host"},
        {"host:0", 0, "port must be 1..65535"}, {"host:65536", 0, "port"}, {"host:", 0, "port"},
        {"host:http", 0, "port"}, {"::1:443", 0, "brackets"}, {"[::1]443", 0, "[IPV6]:PORT"},
        {"[::1:443", 0, "missing ']'"}, {"[zz]:1", 0, "not an IPv6"}, {"[]:1", MT_HP_EMPTY_HOST_OK, "missing host"},
        {"300.1.1.1:1", 0, "not an IPv4"}, {"-bad.host:1", 0, "not a valid host"},
        {"bad..host:1", 0, "not a valid host"}, {"sp ace:1", 0, "not a valid host"},
        {"[127.0.0.1]:1", 0, "not an IPv6"},
    };
    for (size_t i = 0; i < MT_ARRAY_LEN(bad); i++) {
        memset(&why, 0, sizeof why);
        if (mt_parse_hostport(bad[i].s, bad[i].flags, &hp, &why) == 0) fail_msg("'%s' accepted", bad[i].s);
        if (!strstr(why.msg, bad[i].reason)) fail_msg("'%s': '%s' lacks '%s'", bad[i].s, why.msg, bad[i].reason);
    }
    char big[400];
    memset(big, 'a', 300);
    strcpy(big + 300, ":1");
    assert_int_equal(mt_parse_hostport(big, 0, &hp, &why), MT_E_RANGE);
    char label[80];
    memset(label, 'a', 64);
    strcpy(label + 64, ":1");          /* a 64-byte label is one too long */
    assert_int_equal(mt_parse_hostport(label, 0, &hp, &why), MT_E_INVAL);
}

static void test_format_duration(void **state)
{
    (void)state;
    char b[32];
    mt_format_duration(0, b, sizeof b);
    assert_string_equal(b, "0s");
    mt_format_duration(90 * S, b, sizeof b);
    assert_string_equal(b, "90s");
    mt_format_duration(120 * S, b, sizeof b);
    assert_string_equal(b, "2m");
    mt_format_duration(1500 * MS, b, sizeof b);
    assert_string_equal(b, "1500ms");
    mt_format_duration(7, b, sizeof b);
    assert_string_equal(b, "7ns");
}

static void test_distributions(void **state)
{
    (void)state;
    struct mt_dist d;
    struct mt_why why;
    struct mt_rand r;
    mt_rand_seed(&r, 7);
    assert_int_equal(mt_dist_parse("5ms", &d, &why), 0);
    assert_int_equal(d.kind, MT_DIST_FIXED);
    assert_int_equal(mt_dist_sample(&d, &r), 5 * MS);
    assert_int_equal(mt_dist_parse("uniform:1ms-5ms", &d, &why), 0);
    double sum = 0;
    for (int i = 0; i < 100000; i++) {
        mt_ns v = mt_dist_sample(&d, &r);
        assert_true(v >= MS && v <= 5 * MS);
        sum += (double)v;
    }
    assert_true(fabs(sum / 100000 - 3e6) < 3e6 * 0.01);
    assert_int_equal(mt_dist_parse("exp:2ms", &d, &why), 0);
    sum = 0;
    for (int i = 0; i < 200000; i++) sum += (double)mt_dist_sample(&d, &r);
    assert_true(fabs(sum / 200000 - 2e6) < 2e6 * 0.02);
    assert_int_equal(mt_dist_parse("normal:5ms,1ms", &d, &why), 0);
    double s2 = 0;
    sum = 0;
    for (int i = 0; i < 200000; i++) {
        double v = (double)mt_dist_sample(&d, &r);
        sum += v;
        s2 += v * v;
    }
    double mean = sum / 200000, sd = sqrt(s2 / 200000 - mean * mean);
    assert_true(fabs(mean - 5e6) < 5e6 * 0.01);
    assert_true(fabs(sd - 1e6) < 1e6 * 0.03);
    char b[64];
    mt_dist_format(&d, b, sizeof b);
    assert_string_equal(b, "normal:5ms,1ms");
    const char *bad[] = {"", "uniform:5ms-1ms", "exp:", "normal:5ms", "normal:,1ms", "gamma:1ms", "5parsecs"};
    for (size_t i = 0; i < MT_ARRAY_LEN(bad); i++)
        if (mt_dist_parse(bad[i], &d, &why) == 0) fail_msg("dist '%s' accepted", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_counts_and_sizes),
        cmocka_unit_test(test_plain_integers_and_bools),
        cmocka_unit_test(test_rates_and_percentages),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_hostport),
        cmocka_unit_test(test_format_duration),
        cmocka_unit_test(test_distributions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

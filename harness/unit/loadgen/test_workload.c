/* Workload specs: parsing, errors, the alias sampler's frequencies and the
 * realistic size distribution. */
#include "harness/unit/common/mt_test.h"
#include "loadgen/workload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void parse_ok(struct mt_wl_mix *mix, const char *spec)
{
    struct mt_why why = {{0}};
    mt_wl_mix_init(mix);
    if (mt_wl_mix_add(mix, spec, &why)) fail_msg("'%s': %s", spec, why.msg);
}

static void parse_bad(const char *spec, const char *reason)
{
    struct mt_wl_mix mix;
    struct mt_why why = {{0}};
    mt_wl_mix_init(&mix);
    if (mt_wl_mix_add(&mix, spec, &why) == 0) fail_msg("'%s' accepted", spec);
    if (!strstr(why.msg, reason)) fail_msg("'%s': '%s' lacks '%s'", spec, why.msg, reason);
    assert_int_equal(mix.n, 0);
    mt_wl_mix_free(&mix);
}

static void test_single_operations(void **state)
{
    (void)state;
    struct mt_wl_mix m;
    parse_ok(&m, "ping");
    assert_int_equal(m.n, 1);
    assert_int_equal(m.ops[0].kind, MT_WL_PING);
    assert_int_equal(m.ops[0].weight, 1);
    mt_wl_mix_free(&m);

    parse_ok(&m, "ping_delay_disconnect");
    assert_int_equal(m.ops[0].disconnect_delay, MT_WL_DISCONNECT_DELAY_DEFAULT);
    mt_wl_mix_free(&m);
    parse_ok(&m, "ping_delay_disconnect:3");          /* one field = the delay */
    assert_int_equal(m.ops[0].disconnect_delay, 3 * MT_NS_PER_S);
    assert_int_equal(m.ops[0].weight, 1);
    mt_wl_mix_free(&m);
    parse_ok(&m, "ping_delay_disconnect:2m:5");
    assert_int_equal(m.ops[0].disconnect_delay, 120 * MT_NS_PER_S);
    assert_int_equal(m.ops[0].weight, 5);
    mt_wl_mix_free(&m);

    parse_ok(&m, "echo:1KiB");
    assert_int_equal(m.ops[0].sizes, MT_WL_SIZE_FIXED);
    assert_int_equal(m.ops[0].size_min, 1024);
    assert_int_equal(m.ops[0].size_max, 1024);
    assert_string_equal(m.ops[0].name, "echo:1KiB");
    mt_wl_mix_free(&m);
    parse_ok(&m, "echo:64-1024:7");
    assert_int_equal(m.ops[0].sizes, MT_WL_SIZE_UNIFORM);
    assert_int_equal(m.ops[0].size_min, 64);
    assert_int_equal(m.ops[0].size_max, 1024);
    assert_int_equal(m.ops[0].weight, 7);
    mt_wl_mix_free(&m);
    parse_ok(&m, "echo:0");
    assert_int_equal(m.ops[0].size_max, 0);
    mt_wl_mix_free(&m);
    parse_ok(&m, "echo:1MiB");
    mt_wl_mix_free(&m);
    parse_ok(&m, "echo:realistic");
    assert_int_equal(m.ops[0].sizes, MT_WL_SIZE_REALISTIC);
    mt_wl_mix_free(&m);
    parse_ok(&m, "handshake");
    assert_int_equal(m.ops[0].kind, MT_WL_HANDSHAKE);
    mt_wl_mix_free(&m);
}

static void test_rpc(void **state)
{
    (void)state;
    struct mt_wl_mix m;
    parse_ok(&m, "rpc:help.getConfig");
    assert_string_equal(m.ops[0].rpc_text, "help.getConfig");
    assert_false(m.ops[0].rpc_json);
    assert_string_equal(m.ops[0].name, "rpc:help.getConfig");
    mt_wl_mix_free(&m);
    /* bare TL text keeps its colons: no weight */
    parse_ok(&m, "rpc:messages.getHistory peer:inputPeerSelf offset_id:0 limit:20");
    assert_string_equal(m.ops[0].rpc_text, "messages.getHistory peer:inputPeerSelf offset_id:0 limit:20");
    assert_int_equal(m.ops[0].weight, 1);
    mt_wl_mix_free(&m);
    parse_ok(&m, "rpc:'help.getNearestDc':4,ping");
    assert_int_equal(m.n, 2);
    assert_string_equal(m.ops[0].rpc_text, "help.getNearestDc");
    assert_int_equal(m.ops[0].weight, 4);
    mt_wl_mix_free(&m);
    parse_ok(&m, "rpc:{\"_\": \"mtload.echo\", \"data\": \"a,b}c\"}:2,ping:9");
    assert_int_equal(m.n, 2);
    assert_true(m.ops[0].rpc_json);
    assert_string_equal(m.ops[0].rpc_text, "{\"_\": \"mtload.echo\", \"data\": \"a,b}c\"}");
    assert_int_equal(m.ops[0].weight, 2);
    assert_int_equal(m.ops[1].weight, 9);
    mt_wl_mix_free(&m);
    parse_ok(&m, "rpc:\"users.getUsers id:[inputUserSelf, inputUserEmpty]\":3");
    assert_string_equal(m.ops[0].rpc_text, "users.getUsers id:[inputUserSelf, inputUserEmpty]");
    mt_wl_mix_free(&m);
}

static void test_mixes(void **state)
{
    (void)state;
    struct mt_wl_mix m;
    parse_ok(&m, "ping:3,echo:1KiB:1");
    assert_int_equal(m.n, 2);
    assert_int_equal(m.ops[0].weight, 3);
    assert_int_equal(m.ops[1].weight, 1);
    assert_int_equal(m.total_weight, 4);
    /* repeated --workload appends */
    struct mt_why why;
    assert_int_equal(mt_wl_mix_add(&m, " echo:realistic:2 , ping_delay_disconnect:10s:1 ", &why), 0);
    assert_int_equal(m.n, 4);
    assert_int_equal(m.total_weight, 7);
    assert_true(mt_wl_mix_has(&m, MT_WL_PING_DELAY_DISCONNECT));
    assert_false(mt_wl_mix_has(&m, MT_WL_RPC));
    /* a failed add leaves the mix as it was */
    assert_true(mt_wl_mix_add(&m, "ping,bogus", &why) < 0);
    assert_int_equal(m.n, 4);
    assert_true(mt_wl_mix_add(&m, "rpc:'x':2,handshake", &why) < 0);
    assert_int_equal(m.n, 4);
    /* the format parses back to the same mix */
    char spec[256];
    mt_wl_mix_format(&m, spec, sizeof spec);
    assert_string_equal(spec, "ping:3,echo:1024,echo:realistic:2,ping_delay_disconnect:10s");
    mt_wl_mix_free(&m);

    mt_wl_mix_init(&m);
    mt_wl_mix_default(&m);
    assert_int_equal(m.n, 1);
    assert_int_equal(m.ops[0].kind, MT_WL_PING);
    mt_wl_mix_free(&m);
}

static void test_rpc_format_roundtrip(void **state)
{
    (void)state;
    struct mt_wl_mix m, back;
    parse_ok(&m, "rpc:{\"_\":\"help.getConfig\"}:2,rpc:'a b:c':3,rpc:\"it's\":4,echo:64-128");
    char spec[512];
    mt_wl_mix_format(&m, spec, sizeof spec);
    parse_ok(&back, spec);
    assert_int_equal(back.n, m.n);
    for (size_t i = 0; i < m.n; i++) {
        assert_int_equal(back.ops[i].weight, m.ops[i].weight);
        assert_int_equal(back.ops[i].kind, m.ops[i].kind);
        if (m.ops[i].rpc_text) assert_string_equal(back.ops[i].rpc_text, m.ops[i].rpc_text);
    }
    /* a short buffer: the length needed is still reported */
    char tiny[8];
    assert_int_equal(mt_wl_mix_format(&m, tiny, sizeof tiny), (int)strlen(spec));
    mt_wl_mix_free(&m);
    mt_wl_mix_free(&back);
}

static void test_errors(void **state)
{
    (void)state;
    parse_bad("", "empty workload");
    parse_bad("pong", "unknown operation 'pong'");
    parse_bad("ping,,echo:1", "empty item");
    parse_bad("ping:0", "weight");
    parse_bad("ping:1000001", "weight");
    parse_bad("ping:x", "weight");
    parse_bad("ping:1:2", "weight");
    parse_bad("echo", "echo needs a size");
    parse_bad("echo:", "echo needs a size");
    parse_bad("echo:1MiB-2MiB", "above 1MiB");
    parse_bad("echo:1025KiB", "above 1MiB");
    parse_bad("echo:big", "echo size");
    parse_bad("echo:100-10", "low end above high end");
    parse_bad("ping_delay_disconnect:1.5s", "whole seconds");
    parse_bad("ping_delay_disconnect:3000000000s", "longer than 10 years");
    parse_bad("ping_delay_disconnect:soon", "delay");
    parse_bad("rpc", "rpc needs a method");
    parse_bad("rpc:'unterminated", "not closed");
    parse_bad("rpc:{\"_\":1", "not closed");
    parse_bad("rpc:'x'y", "unexpected text");
    parse_bad("rpc:'  '", "empty rpc method");
    parse_bad("handshake,ping", "cannot be mixed");
    char many[MT_WL_MAX_OPS * 6 + 16] = "";
    for (int i = 0; i <= MT_WL_MAX_OPS; i++) strcat(many, i ? ",ping" : "ping");
    parse_bad(many, "more than");
}

/* Frequencies of the alias sampler against the weights: a chi-square test
 * at a generous bound (p ~ 1e-6 for these degrees of freedom). */
static void test_sampler_frequencies(void **state)
{
    (void)state;
    struct mt_wl_mix m;
    parse_ok(&m, "ping:1,echo:1:2,echo:2:3,echo:3:5,echo:4:10,echo:5:29,echo:6:50");
    enum { N = 2000000 };
    uint64_t counts[MT_WL_MAX_OPS] = {0};
    struct mt_rand r;
    mt_rand_seed(&r, 42);
    for (int i = 0; i < N; i++) counts[mt_wl_pick(&m, &r)]++;
    double chi2 = 0;
    for (size_t i = 0; i < m.n; i++) {
        double expect = (double)N * m.ops[i].weight / (double)m.total_weight;
        chi2 += (counts[i] - expect) * (counts[i] - expect) / expect;
    }
    /* 6 degrees of freedom: chi2 > 35 has p < 1e-5 */
    if (chi2 > 35) fail_msg("chi-square %.1f too large", chi2);
    mt_wl_mix_free(&m);

    /* a single op is always picked; extreme weights still sample the rare one */
    parse_ok(&m, "ping:1000000,echo:1:1");
    uint64_t rare = 0;
    for (int i = 0; i < N; i++) rare += mt_wl_pick(&m, &r) == 1;
    assert_true(rare > 0 && rare < 10);
    mt_wl_mix_free(&m);
    parse_ok(&m, "echo:8");
    for (int i = 0; i < 1000; i++) assert_int_equal(mt_wl_pick(&m, &r), 0);
    mt_wl_mix_free(&m);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void test_realistic_sizes(void **state)
{
    (void)state;
    /* the table itself */
    assert_int_equal(mt_wl_realistic_size(0.5), 150);
    assert_int_equal(mt_wl_realistic_size(0.99), 1024);
    assert_int_equal(mt_wl_realistic_size(0.0), 16);
    assert_true(mt_wl_realistic_size(0.9999999) <= 8192);
    assert_int_equal(mt_wl_realistic_size(1.0), 8192);
    for (double u = 0; u < 1; u += 0.001)
        assert_true(mt_wl_realistic_size(u) <= mt_wl_realistic_size(u + 0.001));
    /* sampled through an op: median ~150 B, p99 ~1 KiB within 5% */
    struct mt_wl_mix m;
    parse_ok(&m, "echo:realistic");
    enum { N = 400000 };
    uint32_t *v = malloc(N * sizeof *v);
    assert_non_null(v);
    struct mt_rand r;
    mt_rand_seed(&r, 1);
    for (int i = 0; i < N; i++) v[i] = mt_wl_echo_size(&m.ops[0], &r);
    qsort(v, N, sizeof *v, cmp_u32);
    uint32_t p50 = v[N / 2], p99 = v[(size_t)(N * 0.99)];
    if (fabs(p50 - 150.0) > 150 * 0.05) fail_msg("median %u", p50);
    if (fabs(p99 - 1024.0) > 1024 * 0.05) fail_msg("p99 %u", p99);
    assert_true(v[0] >= 16 && v[N - 1] <= 8192);
    free(v);
    mt_wl_mix_free(&m);

    /* uniform echo sizes cover both ends */
    parse_ok(&m, "echo:10-13");
    int seen[4] = {0};
    for (int i = 0; i < 10000; i++) {
        uint32_t s = mt_wl_echo_size(&m.ops[0], &r);
        assert_true(s >= 10 && s <= 13);
        seen[s - 10] = 1;
    }
    assert_true(seen[0] && seen[1] && seen[2] && seen[3]);
    mt_wl_mix_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_operations),
        cmocka_unit_test(test_rpc),
        cmocka_unit_test(test_mixes),
        cmocka_unit_test(test_rpc_format_roundtrip),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_sampler_frequencies),
        cmocka_unit_test(test_realistic_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

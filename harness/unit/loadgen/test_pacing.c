/* Open-loop pacing: exact intended times over long horizons, R/N phases,
 * ramps, backlog when the caller is late; closed loop, churn, backoff. */
#include "harness/unit/common/mt_test.h"
#include "loadgen/pacing.h"

#include <math.h>
#include <stdlib.h>

#define S MT_NS_PER_S
#define MS MT_NS_PER_MS
#define START (1000 * S)        /* any absolute monotonic origin */

static void test_constant_rate_exact(void **state)
{
    (void)state;
    struct mt_pace_plan plan;
    struct mt_pace p;
    /* 1000/s for 10 days: request k is due at exactly k ms, even a billion in */
    assert_int_equal(mt_pace_plan_constant(&plan, 1000, 0, 10ull * 86400 * S, 1), 0);
    mt_pace_init(&p, &plan, START, 0);
    const uint64_t ks[] = {0, 1, 2, 999, 1000, 123456789, 863999999};
    for (size_t i = 0; i < MT_ARRAY_LEN(ks); i++)
        assert_int_equal(mt_pace_time_of(&p, ks[i]), START + ks[i] * MS);
    assert_int_equal(mt_pace_time_of(&p, 864000000), MT_PACE_NEVER);
    /* walking with advance gives the same times: no accumulated drift */
    for (uint64_t k = 0; k < 2000000; k++) {
        assert_int_equal(mt_pace_peek(&p), START + k * MS);
        mt_pace_advance(&p);
    }
    /* a period that is not a whole number of ns: 3/s */
    assert_int_equal(mt_pace_plan_constant(&plan, 3, 0, 40ull * 86400 * S, 1), 0);
    mt_pace_init(&p, &plan, START, 0);
    assert_int_equal(mt_pace_time_of(&p, 1), START + 333333333);
    assert_int_equal(mt_pace_time_of(&p, 2), START + 666666667);
    assert_int_equal(mt_pace_time_of(&p, 3000000), START + 1000000 * S);
    assert_int_equal(mt_pace_time_of(&p, 10000000), START + 3333333 * S + 333333333);
}

static void test_sessions_share_the_rate(void **state)
{
    (void)state;
    /* 7000/s over 7 sessions: each at 1000/s; phases spread their firing */
    enum { N = 7 };
    struct mt_pace_plan plan;
    struct mt_pace p[N];
    assert_int_equal(mt_pace_plan_constant(&plan, 7000, 0, 3600 * S, N), 0);
    for (int i = 0; i < N; i++) mt_pace_init(&p[i], &plan, START, (double)i / N);
    for (int i = 0; i < N; i++) {
        /* session i: first at i/N of its 1 ms period, then every 1 ms */
        mt_ns first = START + (mt_ns)llround(i * 1e6 / N);
        assert_int_equal(mt_pace_peek(&p[i]), first);
        assert_int_equal(mt_pace_time_of(&p[i], 1000000), first + 1000 * S);
    }
    /* merged, the sessions fire evenly: 7 per ms, gaps of 1/7 ms (+-1 ns) */
    mt_ns prev = 0;
    for (int n = 0; n < 70000; n++) {
        int best = 0;
        for (int i = 1; i < N; i++)
            if (mt_pace_peek(&p[i]) < mt_pace_peek(&p[best])) best = i;
        mt_ns t = mt_pace_peek(&p[best]);
        if (n) {
            mt_ns gap = t - prev;
            assert_true(gap >= 142856 && gap <= 142858);
        }
        prev = t;
        mt_pace_advance(&p[best]);
    }
    /* random phases: the first firings fall anywhere inside one period */
    struct mt_rand r;
    mt_rand_seed(&r, 3);
    for (int i = 0; i < 1000; i++) {
        struct mt_pace q;
        mt_pace_init(&q, &plan, START, mt_rand_unit(&r));
        assert_true(mt_pace_peek(&q) >= START && mt_pace_peek(&q) < START + MS);
    }
}

static void test_ramps(void **state)
{
    (void)state;
    /* 0 -> 1000/s over 10 s (rate = 100 t, count = 50 t^2), then 1000/s for
     * 10 s, then down to 0 over 10 s */
    const struct mt_stage st[] = {{10 * S, 1000}, {10 * S, 1000}, {10 * S, 0}};
    struct mt_pace_plan plan;
    struct mt_pace p;
    assert_int_equal(mt_pace_plan_stages(&plan, 0, st, 3, 2 * S, 1), 0);
    assert_int_equal(plan.end, 30 * S);
    assert_true(fabsl(plan.total - 20000) < 1e-9);
    assert_true(fabs(mt_pace_value_at(&plan, 5 * S) - 500) < 1e-9);
    assert_true(fabs(mt_pace_value_at(&plan, 15 * S) - 1000) < 1e-9);
    assert_true(fabs(mt_pace_value_at(&plan, 25 * S) - 500) < 1e-9);
    assert_true(mt_pace_value_at(&plan, 31 * S) == 0);
    mt_pace_init(&p, &plan, START, 0);
    for (uint64_t k = 1; k < 5000; k += 37) {
        double want = sqrt((double)k / 50) * 1e9;
        assert_true(fabs((double)(mt_pace_time_of(&p, k) - START) - want) <= 1);
    }
    for (uint64_t j = 0; j < 10000; j += 41)
        assert_int_equal(mt_pace_time_of(&p, 5000 + j), START + 10 * S + j * MS);
    /* ramp down: count in the third stage = 1000 t - 50 t^2 */
    for (uint64_t j = 1; j < 5000; j += 43) {
        double t = (1000 - sqrt(1e6 - 200.0 * (double)j)) / 100;
        assert_true(fabs((double)(mt_pace_time_of(&p, 15000 + j) - START) - (20 + t) * 1e9) <= 2);
    }
    assert_int_equal(mt_pace_time_of(&p, 20000), MT_PACE_NEVER);
    /* times never go backwards along the whole plan */
    mt_ns prev = 0;
    uint64_t n = 0;
    for (; mt_pace_peek(&p) != MT_PACE_NEVER; n++) {
        assert_true(mt_pace_peek(&p) >= prev);
        prev = mt_pace_peek(&p);
        mt_pace_advance(&p);
    }
    assert_true(n >= 19999 && n <= 20000);
    /* warmup boundary */
    assert_false(mt_pace_measured(&plan, START, START + 2 * S - 1));
    assert_true(mt_pace_measured(&plan, START, START + 2 * S));
    assert_false(mt_pace_measured(&plan, START, START + 30 * S));
}

static void test_steps_and_zero_stages(void **state)
{
    (void)state;
    /* a 0-length stage is a step; a 0-rate stage sends nothing */
    const struct mt_stage st[] = {{0, 100}, {1 * S, 100}, {1 * S, 0}, {0, 200}, {1 * S, 200}};
    struct mt_pace_plan plan;
    struct mt_pace p;
    assert_int_equal(mt_pace_plan_stages(&plan, 0, st, 5, 0, 1), 0);
    mt_pace_init(&p, &plan, START, 0);
    assert_int_equal(mt_pace_time_of(&p, 0), START);
    assert_int_equal(mt_pace_time_of(&p, 99), START + 990 * MS);
    /* 100 in the first second, 50 while ramping down, then 200/s from 2 s */
    assert_int_equal(mt_pace_time_of(&p, 150), START + 2 * S);
    assert_int_equal(mt_pace_time_of(&p, 151), START + 2 * S + 5 * MS);
    const struct mt_stage idle[] = {{5 * S, 0}, {1 * S, 0}};
    assert_int_equal(mt_pace_plan_stages(&plan, 0, idle, 2, 0, 1), 0);
    mt_pace_init(&p, &plan, START, 0.5);
    assert_int_equal(mt_pace_peek(&p), MT_PACE_NEVER);
    assert_int_equal(mt_pace_due(&p, START + 10 * S, 100), 0);
}

static void test_backlog_when_late(void **state)
{
    (void)state;
    struct mt_pace_plan plan;
    struct mt_pace p;
    assert_int_equal(mt_pace_plan_constant(&plan, 1000, 0, 3600 * S, 1), 0);
    mt_pace_init(&p, &plan, START, 0);
    assert_int_equal(mt_pace_due(&p, START - 1, 1000000), 0);
    assert_int_equal(mt_pace_lag(&p, START - 1), 0);
    assert_int_equal(mt_pace_due(&p, START, 1000000), 1);
    /* the caller wakes up 1 s late: 1001 are due (0 ms .. 1000 ms) */
    mt_ns now = START + S;
    assert_int_equal(mt_pace_due(&p, now, 1000000), 1001);
    assert_int_equal(mt_pace_due(&p, now, 10), 10);
    assert_int_equal(mt_pace_lag(&p, now), S);
    /* it sends 500: the schedule did not slow down, the rest is still due and
     * each keeps its intended time (latency is measured from it) */
    for (int i = 0; i < 500; i++) {
        assert_int_equal(mt_pace_peek(&p), START + (mt_ns)i * MS);
        mt_pace_advance(&p);
    }
    assert_int_equal(mt_pace_due(&p, now, 1000000), 501);
    assert_int_equal(mt_pace_lag(&p, now), 500 * MS);
    /* far behind: a 10-minute backlog is counted in O(1), exactly */
    now = START + 600 * S + MS / 2;
    assert_int_equal(mt_pace_due(&p, now, UINT64_MAX), 600001 - 500);
    /* with phases and sessions too */
    assert_int_equal(mt_pace_plan_constant(&plan, 3000, 0, 3600 * S, 3), 0);
    mt_pace_init(&p, &plan, START, 0.25);
    uint64_t due = mt_pace_due(&p, START + 10 * S, UINT64_MAX);
    uint64_t walk = 0;
    while (mt_pace_time_of(&p, walk) <= START + 10 * S) walk++;
    assert_int_equal(due, walk);
    /* on a ramp */
    const struct mt_stage st[] = {{100 * S, 10000}};
    assert_int_equal(mt_pace_plan_stages(&plan, 0, st, 1, 0, 4), 0);
    mt_pace_init(&p, &plan, START, 0.9);
    for (mt_ns t = START; t < START + 100 * S; t += 7 * S + 123457) {
        due = mt_pace_due(&p, t, UINT64_MAX);
        walk = 0;
        while (mt_pace_time_of(&p, walk) <= t) walk++;
        assert_int_equal(due, walk);
    }
}

static void test_sessions_ramp_reach(void **state)
{
    (void)state;
    /* sessions: 0 -> 100 over 10 s, hold 10 s, down to 0 over 10 s */
    const struct mt_stage st[] = {{10 * S, 100}, {10 * S, 100}, {10 * S, 0}};
    struct mt_pace_plan plan;
    assert_int_equal(mt_pace_plan_stages(&plan, 0, st, 3, 0, 1), 0);
    for (int i = 0; i < 100; i++) {
        mt_ns t = mt_pace_first_reach(&plan, i + 1);
        assert_true(t != MT_PACE_NEVER);
        assert_true(mt_pace_value_at(&plan, t) >= i + 1);
        assert_true(t == 0 || mt_pace_value_at(&plan, t - 1) < i + 1);
        assert_true(llabs((long long)t - (long long)((i + 1) * 100 * MS)) <= 1);
    }
    assert_int_equal(mt_pace_first_reach(&plan, 0), 0);
    assert_int_equal(mt_pace_first_reach(&plan, 101), MT_PACE_NEVER);
    /* on the way down the floor of the value says how many to keep */
    assert_int_equal((int)mt_pace_value_at(&plan, 25 * S), 50);
    /* a step up is reached at its start */
    const struct mt_stage step[] = {{0, 10}, {5 * S, 10}};
    assert_int_equal(mt_pace_plan_stages(&plan, 0, step, 2, 0, 1), 0);
    assert_int_equal(mt_pace_first_reach(&plan, 10), 0);
    /* derived seeds differ per stream and repeat per base */
    assert_true(mt_rand_derive(1, 0, 0) != mt_rand_derive(1, 0, 1));
    assert_true(mt_rand_derive(1, 0, 1) != mt_rand_derive(1, 1, 0));
    assert_true(mt_rand_derive(7, 3, 4) == mt_rand_derive(7, 3, 4));
}

static void test_plan_errors(void **state)
{
    (void)state;
    struct mt_pace_plan plan;
    const struct mt_stage st[] = {{S, 10}};
    assert_int_equal(mt_pace_plan_constant(&plan, -1, 0, S, 1), MT_E_INVAL);
    assert_int_equal(mt_pace_plan_constant(&plan, NAN, 0, S, 1), MT_E_INVAL);
    assert_int_equal(mt_pace_plan_constant(&plan, 10, 0, 0, 1), MT_E_INVAL);
    assert_int_equal(mt_pace_plan_constant(&plan, 10, 0, S, 0), MT_E_INVAL);
    assert_int_equal(mt_pace_plan_stages(&plan, 0, st, 0, 0, 1), MT_E_INVAL);
    assert_int_equal(mt_pace_plan_stages(&plan, 0, st, 1, S, 1), MT_E_INVAL);   /* warmup = whole plan */
    assert_int_equal(mt_pace_plan_stages(&plan, 0, st, MT_STAGES_MAX + 1, 0, 1), MT_E_INVAL);
    const struct mt_stage zero[] = {{0, 10}};
    assert_int_equal(mt_pace_plan_stages(&plan, 0, zero, 1, 0, 1), MT_E_INVAL);
}

static void test_closed_loop_and_churn(void **state)
{
    (void)state;
    struct mt_closed c = {.depth = 4};
    assert_int_equal(mt_closed_room(&c), 4);
    mt_closed_sent(&c, 3);
    assert_int_equal(mt_closed_room(&c), 1);
    mt_closed_sent(&c, 1);
    assert_int_equal(mt_closed_room(&c), 0);
    mt_closed_done(&c, 2);
    assert_int_equal(mt_closed_room(&c), 2);
    mt_closed_done(&c, 10);             /* more replies than requests cannot underflow */
    assert_int_equal(c.inflight, 0);

    struct mt_churn ch;
    mt_churn_init(&ch, 0);
    assert_int_equal(mt_churn_allow(&ch, 1000), 1000);
    assert_false(mt_churn_sent(&ch, 1000));
    mt_churn_init(&ch, 10);
    assert_int_equal(mt_churn_allow(&ch, 4), 4);
    assert_false(mt_churn_sent(&ch, 4));
    assert_int_equal(mt_churn_allow(&ch, 100), 6);
    assert_true(mt_churn_sent(&ch, 6));
    assert_int_equal(mt_churn_allow(&ch, 1), 0);
    mt_churn_reset(&ch);
    assert_int_equal(mt_churn_allow(&ch, 100), 10);
}

static void test_backoff(void **state)
{
    (void)state;
    struct mt_backoff b;
    struct mt_rand r;
    mt_rand_seed(&r, 11);
    mt_backoff_init(&b, 100 * MS, 5 * S);
    assert_int_equal(mt_backoff_next(&b, &r), 100 * MS);   /* attempt 0: the floor */
    for (uint32_t attempt = 1; attempt < 40; attempt++) {
        mt_ns cap = 100 * MS;
        for (uint32_t i = 0; i < attempt && cap < 5 * S; i++) cap *= 2;
        if (cap > 5 * S) cap = 5 * S;
        mt_ns lo = UINT64_MAX, hi = 0;
        for (int i = 0; i < 2000; i++) {
            b.attempt = attempt;
            mt_ns v = mt_backoff_next(&b, &r);
            assert_true(v >= 100 * MS && v <= cap);
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        /* full jitter: the draws span most of [floor, cap] */
        assert_true(lo < 100 * MS + (cap - 100 * MS) / 10 + 1);
        assert_true(hi + (cap - 100 * MS) / 10 + 1 > cap);
    }
    b.attempt = UINT32_MAX;
    assert_true(mt_backoff_next(&b, &r) <= 5 * S);
    assert_int_equal(b.attempt, UINT32_MAX);
    mt_backoff_reset(&b);
    assert_int_equal(mt_backoff_next(&b, &r), 100 * MS);
    mt_backoff_init(&b, 0, S);          /* a zero floor still terminates and stays bounded */
    b.attempt = 1000000;
    assert_true(mt_backoff_next(&b, &r) <= S);
    mt_backoff_init(&b, 2 * S, S);      /* max below min is raised to min */
    assert_int_equal(mt_backoff_next(&b, &r), 2 * S);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_rate_exact),
        cmocka_unit_test(test_sessions_share_the_rate),
        cmocka_unit_test(test_ramps),
        cmocka_unit_test(test_steps_and_zero_stages),
        cmocka_unit_test(test_backlog_when_late),
        cmocka_unit_test(test_sessions_ramp_reach),
        cmocka_unit_test(test_plan_errors),
        cmocka_unit_test(test_closed_loop_and_churn),
        cmocka_unit_test(test_backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

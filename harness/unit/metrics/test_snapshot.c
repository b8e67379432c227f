/* Snapshot publication under real threads: workers record and publish while
 * a reporter collects; nothing may be lost or counted twice, and a worker
 * never blocks (a skipped publish rolls into the next one). Runs under TSan. */
#include "harness/unit/common/mt_test.h"
#include "core/metrics/mt_metrics.h"

#include <pthread.h>
#include <sched.h>

enum { WORKERS = 4, ROUNDS = 2000, PER_ROUND = 50 };

struct worker_arg {
    struct mt_metrics_worker *w;
    int index;
    _Atomic int *done;
};

static void *worker_main(void *p)
{
    struct worker_arg *a = p;
    int ping = mt_metrics_op(a->w, "ping");
    int echo = mt_metrics_op(a->w, "echo");
    assert_true(ping >= 0 && echo >= 0);
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < PER_ROUND; i++) {
            mt_metrics_record(a->w, ping, 1000 + i);
            mt_metrics_count(a->w, MT_CNT_REQUESTS, 1);
        }
        mt_metrics_record(a->w, echo, 50000);
        if (r % 100 == 0) {
            /* an op that appears mid-run */
            int late = mt_metrics_op(a->w, "rpc:help.getConfig");
            mt_metrics_record(a->w, late, 7000);
            mt_metrics_error(a->w, late, MT_ERRK_RPC, 420, "FLOOD_WAIT_3");
        }
        mt_metrics_set_gauges(a->w, a->index + 1, 2 * (a->index + 1));
        mt_metrics_worker_publish(a->w, mt_now_ns());
    }
    /* final publish: retry until the reporter has taken the previous one */
    while (!mt_metrics_worker_publish(a->w, mt_now_ns()))
        sched_yield();
    atomic_fetch_add(a->done, 1);
    return NULL;
}

static void test_workers_and_reporter(void **state)
{
    (void)state;
    struct mt_metrics_worker *w[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        assert_non_null(w[i] = mt_metrics_worker_new(0, 0, 0));
    struct mt_metrics_reporter *rep = mt_metrics_reporter_new(w, WORKERS, mt_wall_s(), mt_now_ns());
    assert_non_null(rep);
    _Atomic int done = 0;
    pthread_t th[WORKERS];
    struct worker_arg args[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        args[i] = (struct worker_arg){w[i], i, &done};
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &args[i]), 0);
    }
    int collections = 0;
    while (atomic_load(&done) < WORKERS) {
        collections += mt_metrics_collect(rep, mt_now_ns()) > 0;
        sched_yield();
    }
    for (int i = 0; i < WORKERS; i++)
        pthread_join(th[i], NULL);
    mt_metrics_collect(rep, mt_now_ns()); /* the final snapshots */
    mt_metrics_reporter_finish(rep, mt_wall_s(), mt_now_ns(), 0);

    const struct mt_metrics_report *t = rep->total;
    int ping = mt_metrics_report_find_op(t, "ping");
    int echo = mt_metrics_report_find_op(t, "echo");
    int late = mt_metrics_report_find_op(t, "rpc:help.getConfig");
    assert_true(ping >= 0 && echo >= 0 && late >= 0);
    assert_int_equal(t->op[ping].hist.total_count, WORKERS * ROUNDS * PER_ROUND);
    assert_int_equal(t->op[echo].hist.total_count, WORKERS * ROUNDS);
    assert_int_equal(t->op[late].hist.total_count, WORKERS * (ROUNDS / 100));
    assert_int_equal(t->op[late].errors, WORKERS * (ROUNDS / 100));
    assert_int_equal(t->counter[MT_CNT_REQUESTS], WORKERS * ROUNDS * PER_ROUND);
    assert_int_equal(t->counter[MT_CNT_ERRORS], WORKERS * (ROUNDS / 100));
    assert_int_equal(t->counter[MT_CNT_FLOOD_WAIT_SECONDS], 3 * WORKERS * (ROUNDS / 100));
    assert_int_equal(t->n_err, 1);
    assert_string_equal(t->err[0].message, "FLOOD_WAIT_X");
    assert_int_equal(t->err[0].code, 420);
    assert_int_equal(t->flood_wait_max_s, 3);
    assert_int_equal(mt_hist_max(&t->op[echo].hist), mt_hist_highest_equivalent(&t->op[echo].hist, 50000));
    assert_int_equal(t->sessions, 1 + 2 + 3 + 4);
    assert_int_equal(t->connections, 2 * (1 + 2 + 3 + 4));
    assert_true(collections > 0);
    uint64_t publishes = 0;
    for (int i = 0; i < WORKERS; i++)
        publishes += w[i]->publishes;
    assert_true(publishes >= WORKERS);
    mt_metrics_reporter_free(rep);
    for (int i = 0; i < WORKERS; i++)
        mt_metrics_worker_free(w[i]);
}

static void test_skipped_publish_keeps_data(void **state)
{
    (void)state;
    struct mt_metrics_worker *w = mt_metrics_worker_new(0, 0, 0);
    struct mt_metrics_reporter *rep = mt_metrics_reporter_new(&w, 1, 0, 0);
    int op = mt_metrics_op(w, "ping");
    mt_metrics_record(w, op, 10);
    assert_int_equal(mt_metrics_worker_publish(w, 1), 1);
    mt_metrics_record(w, op, 20);
    assert_int_equal(mt_metrics_worker_publish(w, 2), 0); /* reporter has not taken #1 */
    mt_metrics_record(w, op, 30);
    assert_int_equal(mt_metrics_collect(rep, 3), 1);
    assert_int_equal(rep->interval->op[0].hist.total_count, 1);
    assert_int_equal(mt_metrics_worker_publish(w, 4), 1);
    assert_int_equal(mt_metrics_collect(rep, 5), 1);
    assert_int_equal(rep->interval->op[0].hist.total_count, 2);
    assert_int_equal(rep->total->op[0].hist.total_count, 3);
    assert_int_equal(mt_metrics_collect(rep, 6), 0);
    assert_int_equal(rep->interval->op[0].hist.total_count, 0);
    /* warm-up over: totals and the clock restart */
    mt_metrics_reporter_restart(rep, 100.0, 10 * MT_NS_PER_S);
    assert_int_equal(rep->total->op[0].hist.total_count, 0);
    mt_metrics_record(w, op, 40);
    assert_int_equal(mt_metrics_worker_publish(w, 11 * MT_NS_PER_S), 1);
    mt_metrics_collect(rep, 12 * MT_NS_PER_S);
    assert_int_equal(rep->total->op[0].hist.total_count, 1);
    assert_true(rep->total->duration_s == 2.0);
    assert_true(rep->total->started_at == 100.0);
    /* errors beyond the table are counted, not lost */
    for (int i = 0; i < MT_METRICS_MAX_ERRORS + 5; i++)
        mt_metrics_error(w, -1, MT_ERRK_TRANSPORT, -400 - i, NULL);
    mt_metrics_error(w, -1, MT_ERRK_PROTO, MT_E_MSG_KEY, NULL);
    assert_int_equal(w->cur->n_err, MT_METRICS_MAX_ERRORS);
    assert_int_equal(w->cur->err_dropped, 6);
    assert_int_equal(mt_metrics_op(w, ""), MT_E_INVAL);
    mt_metrics_reporter_free(rep);
    mt_metrics_worker_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workers_and_reporter),
        cmocka_unit_test(test_skipped_publish_keeps_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

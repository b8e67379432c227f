/* Exporters parsed back: results JSON (jansson) and its loader, CSV, the
 * hlog writer/reader, Prometheus rendering and the HTTP endpoint. */
#include "harness/unit/common/mt_test.h"
#include "core/metrics/mt_metrics.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static struct mt_metrics_report *sample_report(void)
{
    struct mt_metrics_report *r = mt_metrics_report_new(0, 0, 0);
    assert_non_null(r);
    int ping = mt_metrics_report_op(r, "ping");
    int odd = mt_metrics_report_op(r, "rpc:a,\"b\"");
    for (int i = 1; i <= 5000; i++)
        mt_hist_record(&r->op[ping].hist, 20000 + i * 10);
    mt_hist_record(&r->op[odd].hist, 3000000);
    r->op[odd].errors = 2;
    r->counter[MT_CNT_REQUESTS] = 5003;
    r->counter[MT_CNT_ERRORS] = 2;
    struct mt_metrics_error e = {.kind = MT_ERRK_RPC, .code = 420, .message = "FLOOD_WAIT_X", .count = 2};
    mt_metrics_report_add_error(r, &e);
    struct mt_metrics_error p = {.kind = MT_ERRK_PROTO, .code = MT_E_MSG_KEY, .message = "msg_key", .count = 1};
    mt_metrics_report_add_error(r, &p);
    r->started_at = 1764040000.25;
    r->ended_at = 1764040010.25;
    r->duration_s = 10;
    r->interrupted = 1;
    return r;
}

static char *tmp_path(const char *suffix)
{
    static int n;
    char *p = malloc(256);
    snprintf(p, 256, "/tmp/mt_metrics_test_%d_%d%s", (int)getpid(), n++, suffix);
    return p;
}

static void test_json_round_trip(void **state)
{
    (void)state;
    struct mt_metrics_report *r = sample_report();
    struct mt_threshold t;
    struct mt_threshold_result res;
    assert_int_equal(mt_threshold_parse("ping:p99<1ms", &t), 0);
    assert_int_equal(mt_threshold_eval(&t, r, &res), 0);
    struct mt_metrics_env env = {.crypto_tier = "avx2", .threads = 2, .transport = "intermediate"};
    json_t *config = json_pack("{s:s,s:i}", "target", "127.0.0.1:4430", "connections", 8);
    char *path = tmp_path(".json");
    assert_int_equal(mt_metrics_write_json(path, "run", r, &env, config, &t, &res, 1), 0);
    json_decref(config);

    json_error_t err;
    json_t *doc = json_load_file(path, 0, &err);
    assert_non_null(doc);
    assert_int_equal(json_integer_value(json_object_get(doc, "schema_version")), 1);
    assert_true(json_is_true(json_object_get(doc, "interrupted")));
    json_t *envj = json_object_get(doc, "environment");
    assert_string_equal(json_string_value(json_object_get(envj, "crypto_tier")), "avx2");
    assert_non_null(json_string_value(json_object_get(envj, "kernel")));
    assert_non_null(json_string_value(json_object_get(envj, "commit")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "config"), "target")),
                        "127.0.0.1:4430");
    json_t *op0 = json_array_get(json_object_get(doc, "operations"), 0);
    assert_string_equal(json_string_value(json_object_get(op0, "name")), "ping");
    assert_int_equal(json_integer_value(json_object_get(op0, "count")), 5000);
    double p99 = json_real_value(json_object_get(json_object_get(op0, "latency_us"), "p99"));
    assert_true(fabs(p99 - 69.5) < 0.1);
    json_t *perr = json_array_get(json_object_get(doc, "errors"), 1);
    assert_string_equal(json_string_value(json_object_get(perr, "group")), "crypto");
    assert_null(json_object_get(json_array_get(json_object_get(doc, "errors"), 0), "group"));
    json_t *thr = json_array_get(json_object_get(doc, "thresholds"), 0);
    assert_true(json_is_true(json_object_get(thr, "ok")));
    json_decref(doc);

    struct mt_metrics_report *back;
    assert_int_equal(mt_metrics_load_json(path, &back), 0);
    assert_int_equal(back->n_ops, 2);
    assert_memory_equal(back->op[0].hist.counts, r->op[0].hist.counts,
                        (size_t)r->op[0].hist.counts_len * sizeof(int64_t));
    assert_true(back->op[0].hist.sum == r->op[0].hist.sum);
    assert_int_equal(back->op[1].errors, 2);
    assert_int_equal(back->counter[MT_CNT_REQUESTS], 5003);
    assert_int_equal(back->n_err, 2);
    assert_int_equal(back->err[0].count, 2);
    assert_int_equal(back->err[1].code, MT_E_MSG_KEY);
    assert_true(back->duration_s == 10);
    assert_true(back->interrupted);
    /* merge of two copies: counts double, duration stays (shards side by side) */
    assert_int_equal(mt_metrics_report_merge(back, r), 0);
    assert_int_equal(back->op[0].hist.total_count, 10000);
    assert_int_equal(back->shards, 2);
    assert_true(back->duration_s == 10);
    mt_metrics_report_free(back);
    unlink(path);
    free(path);

    static const char *const bad[] = {
        "", "{}", "[]", "{\"schema_version\":2,\"operations\":[]}",
        "{\"schema_version\":1,\"operations\":[{\"name\":\"x\",\"histogram\":\"HISTFAAAAA==\"}]}",
        "{\"schema_version\":1,\"operations\":[{\"name\":\"x\"}]}",
        "{\"schema_version\":1,\"operations\":[],\"errors\":[{\"class\":\"nope\",\"message\":\"\"}]}",
        /* a layout of 6M counts per histogram: refused before allocating */
        ("{\"schema_version\":1,\"operations\":[],\"histogram_layout\":{\"lowest_discernible_value\":1,"
         "\"highest_trackable_value\":2305843009213693951,\"significant_digits\":5}}"),
        "{\"schema_version\":1,\"operations\":[],\"histogram_layout\":{\"significant_digits\":9}}",
    };
    for (size_t i = 0; i < MT_ARRAY_LEN(bad); i++) {
        struct mt_metrics_report *x = (void *)1;
        assert_true(mt_metrics_load_json_text(bad[i], strlen(bad[i]), &x) < 0);
        assert_null(x);
    }
    mt_metrics_report_free(r);
}

static void test_csv(void **state)
{
    (void)state;
    struct mt_metrics_report *r = sample_report();
    char *path = tmp_path(".csv");
    struct mt_csv *c = mt_csv_open(path);
    assert_non_null(c);
    assert_int_equal(mt_csv_write_interval(c, 1764040001.0, 1.0, r), 0);
    /* flushed: readable before close */
    FILE *f = fopen(path, "r");
    char line[512];
    assert_non_null(fgets(line, sizeof(line), f));
    assert_string_equal(line, "timestamp,op,count,rate,p50_us,p90_us,p99_us,p999_us,max_us,errors\r\n");
    assert_non_null(fgets(line, sizeof(line), f));
    assert_true(!strncmp(line, "1764040001.000,ping,5000,5000.000,", 34));
    assert_non_null(fgets(line, sizeof(line), f));
    assert_true(!strncmp(line, "1764040001.000,\"rpc:a,\"\"b\"\"\",1,", 31));
    fclose(f);
    mt_csv_close(c);
    unlink(path);
    free(path);
    mt_metrics_report_free(r);
}

static void test_hlog(void **state)
{
    (void)state;
    struct mt_metrics_report *r = sample_report();
    char *path = tmp_path(".hlog");
    struct mt_hlog *l = mt_hlog_open(path, 1764040000.0);
    assert_non_null(l);
    assert_int_equal(mt_hlog_write_interval(l, 1764040000.0, 1.0, r), 0);
    assert_int_equal(mt_hlog_write_interval(l, 1764040001.0, 1.0, r), 0);
    mt_hlog_close(l);
    FILE *f = fopen(path, "r");
    char line[4096];
    assert_non_null(fgets(line, sizeof(line), f));
    assert_non_null(fgets(line, sizeof(line), f));
    assert_string_equal(line, "#[Histogram log format version 1.3]\n");
    fclose(f);
    struct mt_metrics_report *back;
    assert_int_equal(mt_hlog_load(path, &back), 0);
    int ping = mt_metrics_report_find_op(back, "ping");
    int odd = mt_metrics_report_find_op(back, "rpc:a_\"b\""); /* comma replaced in the tag */
    assert_true(ping >= 0 && odd >= 0);
    assert_int_equal(back->op[ping].hist.total_count, 10000);
    assert_true(fabs(back->started_at - 1764040000.0) < 1e-6);
    assert_true(fabs(back->duration_s - 2.0) < 1e-6);
    mt_metrics_report_free(back);
    unlink(path);
    free(path);

    struct mt_hlog_entry e;
    int is_data;
    const char *java = "Tag=A,0.127,1.007,2.769,HISTFAAAAEV42pNpmSzMwMCgyAABTBDKT4GBgdnNYMcCBvsPEBEJISEuATEZMQ4uASkh"
                       "IR4nrxg9v2lMaxhvMekILGZkKmcCAEf2CsI=\r\n";
    assert_int_equal(mt_hlog_parse_line(java, strlen(java), &e, &is_data), 0);
    assert_true(is_data);
    assert_string_equal(e.tag, "A");
    assert_true(fabs(e.max_ms - (double)mt_hist_max(&e.hist) / 1e6) < 1e-3);
    mt_hist_free(&e.hist);
    assert_int_equal(mt_hlog_parse_line("#[BaseTime: 1.0]", 16, &e, &is_data), 0);
    assert_false(is_data);
    static const char *const bad[] = {"Tag=A", "Tag=A,1,2", "1,2,3,", "x,1,2,HISTFAAA", "1,2,3,HIST====",
                                      "Tag=A,1,-2,3,HISTFAAAACZ4nJNpmSzMwMDAxQABTFCaEUIxv7D/AJNhZdvNyPKQiQkAbWAFIA=="};
    for (size_t i = 0; i < MT_ARRAY_LEN(bad); i++)
        assert_true(mt_hlog_parse_line(bad[i], strlen(bad[i]), &e, &is_data) < 0);
    mt_metrics_report_free(r);
}

static char *http_get(int port, const char *path)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    char req[256];
    int n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: x\r\n\r\n", path);
    assert_int_equal(write(fd, req, (size_t)n), n);
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    ssize_t k;
    while ((k = read(fd, buf + len, cap - 1 - len)) > 0)
        len += (size_t)k;
    buf[len] = 0;
    close(fd);
    return buf;
}

static void test_prometheus(void **state)
{
    (void)state;
    struct mt_metrics_report *r = sample_report();
    char *page = mt_prom_render(r, "abridged");
    assert_non_null(page);
    assert_non_null(strstr(page, "# TYPE mtload_requests_total counter\n"));
    assert_non_null(strstr(page, "mtload_requests_total{transport=\"abridged\"} 5003\n"));
    assert_non_null(strstr(page, "mtload_latency_seconds_bucket{op=\"ping\",transport=\"abridged\",le=\"+Inf\"} 5000\n"));
    /* values 20010..70000 step 10: 3000 are <= 50 us, and 50010 shares the
     * bucket [50000, 50015] (HdrHistogram counts a bound's whole bucket) */
    assert_non_null(strstr(page, "mtload_latency_seconds_bucket{op=\"ping\",transport=\"abridged\",le=\"5e-05\"} 3001\n"));
    assert_non_null(strstr(page, "op=\"rpc:a,\\\"b\\\"\""));
    assert_non_null(strstr(page, "mtload_errors_by_class_total{class=\"rpc\",code=\"420\",error=\"FLOOD_WAIT_X\""));
    free(page);

    struct mt_prom *p = mt_prom_start("127.0.0.1:0", "abridged");
    assert_non_null(p);
    assert_true(mt_prom_port(p) > 0);
    assert_int_equal(mt_prom_update(p, r), 0);
    char *resp = http_get(mt_prom_port(p), "/metrics");
    assert_non_null(strstr(resp, "HTTP/1.0 200") ? resp : strstr(resp, "HTTP/1.1 200"));
    assert_non_null(strstr(resp, "text/plain; version=0.0.4"));
    assert_non_null(strstr(resp, "mtload_requests_total{transport=\"abridged\"} 5003"));
    free(resp);
    resp = http_get(mt_prom_port(p), "/other");
    assert_non_null(strstr(resp, " 404 "));
    free(resp);
    volatile int stop = 0;
    mt_prom_stop(p, 0.1, &stop);
    assert_null(mt_prom_start("300.1.1.1:80", NULL));
    assert_null(mt_prom_start("127.0.0.1", NULL));
    mt_metrics_report_free(r);
}

/* The outputs helper: intervals written only when something was taken,
 * rates over the span the workers' snapshots cover, thresholds counted. */
static void test_outputs(void **state)
{
    (void)state;
    char *csv_path = tmp_path(".csv"), *json_path = tmp_path(".json");
    const char *thr[] = {"ping:p50<1ms", "rps>1M"};
    struct mt_metrics_outputs_cfg cfg = {.kind = "server", .json_path = json_path, .csv_path = csv_path,
                                         .thresholds = thr, .n_thresholds = 2};
    struct mt_metrics_outputs *o;
    const char *bad_thr[] = {"p99<<1ms"};
    struct mt_metrics_outputs_cfg bad = {.thresholds = bad_thr, .n_thresholds = 1};
    assert_int_equal(mt_metrics_outputs_open(&o, &bad, 0), MT_E_INVAL);
    struct mt_metrics_outputs_cfg bad_path = {.csv_path = "/nonexistent/dir/x.csv"};
    assert_int_equal(mt_metrics_outputs_open(&o, &bad_path, 0), MT_E_SYSTEM);
    assert_int_equal(mt_metrics_outputs_open(&o, &cfg, 1000.0), 0);

    struct mt_metrics_worker *w = mt_metrics_worker_new(0, 0, 0);
    struct mt_metrics_reporter *rep = mt_metrics_reporter_new(&w, 1, 1000.0, 0);
    int op = mt_metrics_op(w, "ping");
    for (int i = 0; i < 1000; i++)
        mt_metrics_record(w, op, 100000);
    assert_int_equal(mt_metrics_outputs_tick(o, rep, MT_NS_PER_S / 2), 0); /* nothing published */
    mt_metrics_worker_publish(w, MT_NS_PER_S);
    assert_int_equal(mt_metrics_outputs_tick(o, rep, 3 * MT_NS_PER_S / 2), 1);
    /* the snapshot covers 0..1 s, whatever the tick times */
    assert_true(rep->interval->duration_s == 1.0);
    assert_true(rep->interval->ended_at == 1001.0);
    mt_metrics_reporter_finish(rep, 1002.0, 2 * MT_NS_PER_S, 0);
    assert_int_equal(mt_metrics_outputs_finish(o, rep->total, NULL), 1); /* rps>1M fails */
    mt_metrics_outputs_close(o, NULL);

    FILE *f = fopen(csv_path, "r");
    char line[512];
    assert_non_null(fgets(line, sizeof(line), f));
    assert_non_null(fgets(line, sizeof(line), f));
    assert_true(!strncmp(line, "1001.000,ping,1000,1000.000,", 28));
    assert_null(fgets(line, sizeof(line), f));
    fclose(f);
    struct mt_metrics_report *back;
    assert_int_equal(mt_metrics_load_json(json_path, &back), 0);
    assert_true(back->duration_s == 2.0);
    assert_int_equal(back->op[0].hist.total_count, 1000);
    mt_metrics_report_free(back);
    mt_metrics_reporter_free(rep);
    mt_metrics_worker_free(w);
    unlink(csv_path);
    unlink(json_path);
    free(csv_path);
    free(json_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_hlog),
        cmocka_unit_test(test_prometheus),
        cmocka_unit_test(test_outputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

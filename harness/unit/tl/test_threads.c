/* One schema shared by several threads encoding and decoding at once: the
 * schema is immutable after loading, so no locks are needed (run under
 * TSan through the "threads" label). */
#include <pthread.h>
#include <jansson.h>
#include "harness/unit/common/mt_test.h"
#include "core/tl/mt_tl.h"

enum { THREADS = 4, ROUNDS = 300 };

struct job {
    const struct mt_tl_schema *s;
    int failures;
};

static void *worker(void *arg)
{
    struct job *j = arg;
    static const char *js = "{\"_\":\"messages.sendMessage\",\"silent\":true,\"peer\":{\"_\":\"inputPeerSelf\"},"
                            "\"message\":\"hi\",\"random_id\":7,\"entities\":[{\"_\":\"messageEntityBold\","
                            "\"offset\":0,\"length\":2}]}";
    static const char *tx = "invokeWithLayer layer:228 query:(help.getNearestDc)";
    for (int i = 0; i < ROUNDS; i++) {
        uint8_t buf[512];
        struct mt_tl_writer w;
        struct mt_tl_error err;
        mt_tl_writer_init(&w, buf, sizeof buf);
        if (mt_tl_encode_json(j->s, js, strlen(js), &w, &err)) { j->failures++; continue; }
        struct mt_tl_reader r;
        mt_tl_reader_init(&r, buf, w.pos);
        json_t *v = mt_tl_decode_json(j->s, &r, NULL, &err);
        if (!v) j->failures++;
        json_decref(v);
        mt_tl_writer_init(&w, buf, sizeof buf);
        char type[64];
        if (mt_tl_encode_text(j->s, tx, strlen(tx), &w, &err) ||
            mt_tl_call_result_type(j->s, buf, w.pos, type, sizeof type, &err) ||
            strcmp(type, "NearestDc") != 0)
            j->failures++;
        struct mt_tl_combinator_info info;
        if (mt_tl_schema_find_id(j->s, MT_TL_ID_PING, &info) || strcmp(info.name, "ping") != 0) j->failures++;
    }
    return NULL;
}

static void test_shared_schema(void **state)
{
    (void)state;
    struct mt_tl_schema *s;
    struct mt_tl_error err;
    assert_int_equal(mt_tl_schema_default(&s, &err), 0);
    pthread_t th[THREADS];
    struct job jobs[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i].s = s; jobs[i].failures = 0;
        assert_int_equal(pthread_create(&th[i], NULL, worker, &jobs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(jobs[i].failures, 0);
    }
    mt_tl_schema_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_shared_schema) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

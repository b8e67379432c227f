/* The server's auth-key store: every key put can be got back (through the
 * shards' rehashes), updates keep one entry, the bound holds, and two
 * threads putting and getting at once lose nothing. */
#include <pthread.h>
#include "harness/unit/common/mt_test.h"
#include "server/keystore.h"

static void make_key(struct mt_auth_key *k, uint64_t seed)
{
    struct mt_test_prng r;
    uint8_t bytes[256];
    mt_test_prng_seed(&r, seed);
    mt_test_fill(&r, bytes, sizeof bytes);
    mt_auth_key_set(k, bytes);
}

static void t_put_get(void **st)
{
    struct mt_keystore *ks = mt_keystore_new(0);
    assert_non_null(ks);
    enum { N = 20000 };            /* every shard rehashes several times */
    for (uint64_t i = 0; i < N; i++) {
        struct mt_auth_key k;
        make_key(&k, i);
        assert_int_equal(mt_keystore_put(ks, &k, i * 7), 0);
    }
    assert_int_equal(mt_keystore_count(ks), N);
    for (uint64_t i = 0; i < N; i++) {
        struct mt_auth_key k, got;
        uint64_t salt = 0;
        make_key(&k, i);
        assert_int_equal(mt_keystore_get(ks, k.id64, &got, &salt), 1);
        assert_memory_equal(got.key, k.key, 256);
        assert_int_equal(salt, i * 7);
    }
    struct mt_auth_key k;
    make_key(&k, 5);
    assert_int_equal(mt_keystore_put(ks, &k, 99), 0);       /* update, not a second entry */
    assert_int_equal(mt_keystore_count(ks), N);
    make_key(&k, N + 1);
    assert_int_equal(mt_keystore_has(ks, k.id64), 0);
    mt_keystore_free(ks);
}

static void t_bound(void **st)
{
    struct mt_keystore *ks = mt_keystore_new(10);
    struct mt_auth_key k;
    for (uint64_t i = 0; i < 10; i++) {
        make_key(&k, i);
        assert_int_equal(mt_keystore_put(ks, &k, 0), 0);
    }
    make_key(&k, 10);
    assert_int_equal(mt_keystore_put(ks, &k, 0), MT_E_LIMIT);
    make_key(&k, 3);
    assert_int_equal(mt_keystore_put(ks, &k, 1), 0);        /* an update still works */
    mt_keystore_free(ks);
}

struct job { struct mt_keystore *ks; uint64_t base; int missing; };

static void *worker(void *arg)
{
    struct job *j = arg;
    for (uint64_t i = 0; i < 5000; i++) {
        struct mt_auth_key k, got;
        make_key(&k, j->base + i);
        if (mt_keystore_put(j->ks, &k, 0) || !mt_keystore_get(j->ks, k.id64, &got, NULL))
            j->missing++;
        /* and an older one of this thread, while the other one writes */
        make_key(&k, j->base + i / 2);
        if (!mt_keystore_has(j->ks, k.id64))
            j->missing++;
    }
    return NULL;
}

static void t_threads(void **st)
{
    struct mt_keystore *ks = mt_keystore_new(0);
    struct job a = {ks, 0, 0}, b = {ks, 1u << 20, 0};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, worker, &a);
    pthread_create(&tb, NULL, worker, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_int_equal(a.missing + b.missing, 0);
    assert_int_equal(mt_keystore_count(ks), 10000);
    mt_keystore_free(ks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_put_get), cmocka_unit_test(t_bound), cmocka_unit_test(t_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

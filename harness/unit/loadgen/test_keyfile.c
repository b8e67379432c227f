/* Auth-key files: save/load round trip, permissions, auth_key_id, and every
 * malformed input. */
#include "harness/unit/common/mt_test.h"
#include "loadgen/keyfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_roundtrip(void **state)
{
    (void)state;
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 17);
    struct mt_keyfile a, b;
    mt_keyfile_init(&a, "127.0.0.1:4430");
    uint8_t key[256];
    for (int i = 0; i < 300; i++) {               /* past the first growth */
        mt_test_fill(&r, key, sizeof key);
        assert_int_equal(mt_keyfile_add(&a, key, mt_test_next(&r)), 0);
    }
    char dir[] = "/tmp/mtload-keys-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/keys", dir);
    struct mt_why why = {{0}};
    if (mt_keyfile_save(&a, path, &why)) fail_msg("%s", why.msg);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    mt_keyfile_init(&b, NULL);
    if (mt_keyfile_load(&b, path, &why)) fail_msg("%s", why.msg);
    assert_string_equal(b.target, "127.0.0.1:4430");
    assert_int_equal(b.n, 300);
    for (size_t i = 0; i < b.n; i++) {
        assert_memory_equal(b.e[i].key.key, a.e[i].key.key, 256);
        assert_int_equal(b.e[i].key.id64, a.e[i].key.id64);
        assert_int_equal(b.e[i].salt, a.e[i].salt);
    }
    struct mt_auth_key k;
    mt_auth_key_set(&k, a.e[7].key.key);
    assert_int_equal(b.e[7].key.id64, k.id64);
    unlink(path);
    rmdir(dir);
    mt_keyfile_free(&a);
    mt_keyfile_free(&b);
    assert_int_equal(mt_keyfile_load(&b, "/nonexistent/keys", &why), MT_E_SYSTEM);
    assert_non_null(strstr(why.msg, "cannot open"));
    mt_keyfile_init(&a, NULL);
    assert_int_equal(mt_keyfile_save(&a, "/nonexistent/dir/keys", &why), MT_E_SYSTEM);
}

static void parse_bad(const char *text, const char *reason)
{
    struct mt_keyfile kf;
    struct mt_why why = {{0}};
    mt_keyfile_init(&kf, NULL);
    if (mt_keyfile_parse(&kf, text, strlen(text), &why) == 0) fail_msg("accepted: %.60s", text);
    if (!strstr(why.msg, reason)) fail_msg("'%s' lacks '%s'", why.msg, reason);
    mt_keyfile_free(&kf);
}

static void test_parse(void **state)
{
    (void)state;
    char key[513];
    memset(key, 'a', 512);
    key[512] = 0;
    char text[2048];
    struct mt_keyfile kf;
    struct mt_why why;
    /* the salt's hex is its 8 wire bytes, little-endian: "ff00..." is 255 */
    snprintf(text, sizeof text, "# mtload auth keys\n# target [::1]:443\n\n  %s  \n%s ff00000000000000", key, key);
    mt_keyfile_init(&kf, NULL);
    assert_int_equal(mt_keyfile_parse(&kf, text, strlen(text), &why), 0);
    assert_string_equal(kf.target, "[::1]:443");
    assert_int_equal(kf.n, 2);
    assert_int_equal(kf.e[0].salt, 0);
    assert_int_equal(kf.e[1].salt, 255);
    assert_int_equal(kf.e[1].key.key[0], 0xaa);
    mt_keyfile_free(&kf);

    parse_bad("", "no keys in the file");
    parse_bad("# only a comment\n", "no keys in the file");
    parse_bad("abcd\n", "line 1: an auth key is 512 hex digits");
    snprintf(text, sizeof text, "# c\n%s 12\n", key);
    parse_bad(text, "line 2: a salt is 16 hex digits");
    snprintf(text, sizeof text, "%s 000000000000000g\n", key);
    parse_bad(text, "a salt is 16 hex digits");
    snprintf(text, sizeof text, "%s 0000000000000000 extra\n", key);
    parse_bad(text, "a salt is 16 hex digits");
    key[100] = 'x';
    snprintf(text, sizeof text, "%s\n", key);
    parse_bad(text, "512 hex digits");
    const char nul[] = "# x\nab\0cd\n";
    mt_keyfile_init(&kf, NULL);
    assert_int_equal(mt_keyfile_parse(&kf, nul, sizeof nul - 1, &why), MT_E_INVAL);
    mt_keyfile_free(&kf);
}

/* The run engine's writer (run_setup.c) prints "<hex key> <hex of the salt's
 * LE bytes>" after a comment line; such a file loads here unchanged. */
static void test_engine_format(void **state)
{
    (void)state;
    uint8_t key[256], salt[8];
    for (int i = 0; i < 256; i++) key[i] = (uint8_t)i;
    mt_store_le64(salt, 0x0123456789abcdefull);
    char hk[513], hs[17], text[700];
    mt_hex_encode(key, 256, hk);
    mt_hex_encode(salt, 8, hs);
    snprintf(text, sizeof text, "# mtload auth keys: <auth_key hex> <server salt hex>; reuse with --keys\n%s %s\n", hk, hs);
    struct mt_keyfile kf;
    struct mt_why why;
    mt_keyfile_init(&kf, NULL);
    assert_int_equal(mt_keyfile_parse(&kf, text, strlen(text), &why), 0);
    assert_int_equal(kf.n, 1);
    assert_memory_equal(kf.e[0].key.key, key, 256);
    assert_int_equal(kf.e[0].salt, 0x0123456789abcdefull);
    mt_keyfile_free(&kf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_engine_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Schema loader: the three shipped schemas load completely (counts checked
 * against an independent count of their declarations), the merged default
 * set keeps MTProto's and the API's `message` apart, malformed text is
 * rejected with a message naming the line, and every MT_TL_ID_* constant
 * equals the id written in the schema. */
#include <stdio.h>
#include <unistd.h>
#include <jansson.h>
#include "harness/unit/common/mt_test.h"
#include "core/tl/mt_tl.h"

static struct mt_tl_schema *load_embedded(const char *name)
{
    size_t len;
    const char *text = mt_tl_schema_embedded(name, &len);
    assert_non_null(text);
    struct mt_tl_schema *s = NULL;
    struct mt_tl_error err;
    int rc = mt_tl_schema_load(text, len, name, &s, &err);
    if (rc) fprintf(stderr, "%s: %s\n", name, err.msg);
    assert_int_equal(rc, 0);
    return s;
}

/* Expected counts: every `name ... ;` declaration of the file that is not a
 * built-in type line, names deduplicated (counted with a separate script
 * over the schema text when the schemas were added). */
static void test_shipped_counts(void **state)
{
    (void)state;
    static const struct { const char *name; size_t ctors, funcs; int layer; } want[] = {
        { "mtproto.tl", 41, 10, 0 },
        { "api.tl", 1648, 813, 228 },
        { "mtload.tl", 1, 2, 0 },
    };
    for (size_t i = 0; i < MT_ARRAY_LEN(want); i++) {
        struct mt_tl_schema *s = load_embedded(want[i].name);
        assert_int_equal(mt_tl_schema_count(s, 0), want[i].ctors);
        assert_int_equal(mt_tl_schema_count(s, 1), want[i].funcs);
        assert_int_equal(mt_tl_schema_layer(s), want[i].layer);
        mt_tl_schema_free(s);
    }
    assert_null(mt_tl_schema_embedded("nope.tl", NULL));
}

static void test_api_complete(void **state)
{
    (void)state;
    struct mt_tl_schema *s = load_embedded("api.tl");
    struct mt_tl_combinator_info info;
    /* first and last declarations of the file, and ids written with fewer
     * than 8 hex digits (inputStickerSetThumbLegacy#dbaeae9) */
    assert_int_equal(mt_tl_schema_find(s, "ipPort", &info), 0);
    assert_int_equal(info.id, 0xd433ad73u);
    assert_int_equal(mt_tl_schema_find(s, "ephemeral.editMessage", &info), 0);
    assert_int_equal(info.id, 0x13f250eeu);
    assert_true(info.is_function);
    assert_string_equal(info.result_type, "Updates");
    assert_int_equal(mt_tl_schema_find(s, "inputStickerSetThumbLegacy", &info), 0);
    assert_int_equal(info.id, 0x0dbaeae9u);
    assert_int_equal(mt_tl_schema_find_id(s, 0x0dbaeae9u, &info), 0);
    assert_string_equal(info.name, "inputStickerSetThumbLegacy");
    /* a repeated id maps to the later declaration (tdlib's *Prefix helpers) */
    assert_int_equal(mt_tl_schema_find_id(s, 0xdd289f8eu, &info), 0);
    assert_string_equal(info.name, "invokeWithBusinessConnection");
    /* id-less functions load but carry no id */
    assert_int_equal(mt_tl_schema_find(s, "test.useConfigSimple", &info), 0);
    assert_false(info.has_id);
    assert_string_equal(mt_tl_result_type(s, "messages.getHistory"), "messages.Messages");
    assert_string_equal(mt_tl_result_type(s, "invokeWithLayer"), "X");
    assert_string_equal(mt_tl_result_type(s, "users.getUsers"), "Vector<User>");
    assert_null(mt_tl_result_type(s, "inputPeerSelf"));
    assert_int_equal(mt_tl_schema_find(s, "no.such", &info), MT_E_TL_CTOR);
    assert_int_equal(mt_tl_schema_find_id(s, 0x12345678u, &info), MT_E_TL_CTOR);
    mt_tl_schema_free(s);
}

static void test_default_merge(void **state)
{
    (void)state;
    struct mt_tl_schema *s;
    struct mt_tl_error err;
    assert_int_equal(mt_tl_schema_default(&s, &err), 0);
    /* 41 + 1648 + 1 constructors, minus MTProto's `message` that the API's
     * `message` replaces in the merged view */
    assert_int_equal(mt_tl_schema_count(s, 0), 41 + 1648 + 1 - 1);
    assert_int_equal(mt_tl_schema_count(s, 1), 10 + 813 + 2);
    assert_int_equal(mt_tl_schema_layer(s), 228);
    struct mt_tl_combinator_info info;
    assert_int_equal(mt_tl_schema_find(s, "message", &info), 0);
    assert_string_equal(info.origin, "api.tl");
    /* msg_container still holds MTProto's bare message */
    uint8_t buf[64];
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, buf, sizeof buf);
    const char *js = "{\"_\":\"msg_container\",\"messages\":[{\"msg_id\":4,\"seqno\":1,\"bytes\":12,"
                     "\"body\":{\"_\":\"ping\",\"ping_id\":9}}]}";
    assert_int_equal(mt_tl_encode_json(s, js, strlen(js), &w, &err), 0);
    assert_int_equal(w.pos, 4 + 4 + 16 + 12);
    mt_tl_schema_free(s);
}

static void test_merge_api(void **state)
{
    (void)state;
    struct mt_tl_schema *a = load_embedded("mtload.tl");
    const char *extra = "mtload.echoResult#11223344 data:bytes extra:int = mtload.EchoResult;\n"
                        "---functions---\nmtload.ping2#01020304 = mtload.EchoResult;\n";
    struct mt_tl_schema *b = NULL, *m = NULL;
    struct mt_tl_error err;
    assert_int_equal(mt_tl_schema_load(extra, strlen(extra), "extra.tl", &b, &err), 0);
    const struct mt_tl_schema *parts[2] = { a, b };
    assert_int_equal(mt_tl_schema_merge(parts, 2, &m, &err), 0);
    struct mt_tl_combinator_info info;
    assert_int_equal(mt_tl_schema_find(m, "mtload.echoResult", &info), 0);
    assert_int_equal(info.id, 0x11223344u);          /* the later file wins */
    assert_int_equal(mt_tl_schema_find(m, "mtload.ping2", &info), 0);
    assert_int_equal(mt_tl_schema_find(m, "mtload.echo", &info), 0);
    assert_int_equal(mt_tl_schema_count(m, 1), 3);
    mt_tl_schema_free(m);
    mt_tl_schema_free(a);
    mt_tl_schema_free(b);
}

static void expect_reject(const char *text, const char *needle)
{
    struct mt_tl_schema *s = (struct mt_tl_schema *)1;
    struct mt_tl_error err;
    int rc = mt_tl_schema_load(text, strlen(text), "bad.tl", &s, &err);
    if (rc != MT_E_TL_SCHEMA || !strstr(err.msg, needle))
        fprintf(stderr, "text: %s\nrc %d msg: %s (wanted '%s')\n", text, rc, err.msg, needle);
    assert_int_equal(rc, MT_E_TL_SCHEMA);
    assert_int_equal(err.code, MT_E_TL_SCHEMA);
    assert_null(s);
    assert_non_null(strstr(err.msg, needle));
}

static void test_malformed(void **state)
{
    (void)state;
    expect_reject("a#1 = A;\nb#2 x:int A;\n", "bad.tl:2:");                  /* no '=' */
    expect_reject("a#1 = A;\nb#2 x:int = B\n", "expected ';'");
    expect_reject("\n\nfoo x:int = Foo;\n", "bad.tl:3: constructor 'foo' has no #id");
    expect_reject("a#123456789 = A;", "1..8 hex digits");
    expect_reject("a#1 x:Nope = A;", "unknown type 'Nope'");
    expect_reject("a#1 x:nope = A;", "unknown bare constructor 'nope'");
    expect_reject("a#1 x:flags.0?int = A;", "no earlier '#' field");
    expect_reject("a#1 flags:# x:flags.32?int = A;", "0..31");
    expect_reject("a#1 x:List<int> = A;", "polymorphic type 'List'");
    expect_reject("/* open\na#1 = A;", "unterminated comment");
    expect_reject("a#1 = A;\n---functions---\nf#2 = Nope;", "bad.tl:3: f: result: unknown type 'Nope'");
    expect_reject("a#1 x:[ int ] = A;", "repetitions");
    expect_reject("a#1 x:int = A; $", "unexpected character");
    expect_reject("b#2 = B; c#3 = B; a#1 x:%B = A;", "one constructor");
    struct mt_tl_schema *s;
    struct mt_tl_error err;
    assert_int_equal(mt_tl_schema_load_file("/nonexistent/x.tl", &s, &err), MT_E_SYSTEM);
    assert_non_null(strstr(err.msg, "/nonexistent/x.tl"));
}

/* The subset a schema may use, in one text: optional {X:Type} params, !X,
 * bare %T and lowercase types, vector<T>, (Vector int), anonymous args,
 * comments, short ids, multi-line declarations, flags and true. */
static void test_syntax_subset(void **state)
{
    (void)state;
    const char *text =
        "// LAYER 7\n"
        "int ? = Int;\nvector {t:Type} # [ t ] = Vector t;\n"
        "boolTrue#997275b5 = Bool; boolFalse#bc799737 = Bool; true#3fedd339 = True;\n"
        "pair#1 a:int b:string = Pair; /* a block\n comment */\n"
        "box#2a flags:# p:flags.0?%Pair q:flags.1?true v:vector<pair>\n"
        "   w:Vector<Pair> d:double n:# = Box;\n"
        "---functions---\n"
        "wrap#3 {X:Type} q:!X = X;\n"
        "sum#4 (Vector int) = Pair;\n";
    struct mt_tl_schema *s;
    struct mt_tl_error err;
    int rc = mt_tl_schema_load(text, strlen(text), "t.tl", &s, &err);
    if (rc) fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(mt_tl_schema_layer(s), 7);
    struct mt_tl_combinator_info info;
    assert_int_equal(mt_tl_schema_find(s, "box", &info), 0);
    assert_int_equal(info.id, 0x2au);
    assert_int_equal(info.nfields, 7);
    assert_int_equal(info.line, 7);
    assert_int_equal(mt_tl_schema_find(s, "sum", &info), 0);
    assert_int_equal(info.nfields, 1);
    uint8_t buf[128];
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, buf, sizeof buf);
    const char *js = "{\"_\":\"wrap\",\"q\":{\"_\":\"sum\",\"_1\":[1,2]}}";
    assert_int_equal(mt_tl_encode_json(s, js, strlen(js), &w, &err), 0);
    assert_int_equal(w.pos, 4 + 4 + 4 + 4 + 8);
    mt_tl_schema_free(s);
}

static void test_load_file(void **state)
{
    (void)state;
    char path[] = "/tmp/mt_tl_test_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len;
    const char *text = mt_tl_schema_embedded("mtload.tl", &len);
    FILE *f = fdopen(fd, "w");
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
    struct mt_tl_schema *s;
    struct mt_tl_error err;
    assert_int_equal(mt_tl_schema_load_file(path, &s, &err), 0);
    assert_int_equal(mt_tl_schema_count(s, 1), 2);
    mt_tl_schema_free(s);
    unlink(path);
}

static void test_ids_match_schema(void **state)
{
    (void)state;
    struct mt_tl_schema *s;
    struct mt_tl_error err;
    assert_int_equal(mt_tl_schema_default(&s, &err), 0);
    static const struct { uint32_t id; const char *name; } ids[] = {
#define MT_X(c, n) { c, n },
        MT_TL_ID_LIST(MT_X)
#undef MT_X
    };
    assert_true(MT_ARRAY_LEN(ids) >= 60);
    for (size_t i = 0; i < MT_ARRAY_LEN(ids); i++) {
        struct mt_tl_combinator_info info;
        if (mt_tl_schema_find(s, ids[i].name, &info) != 0) fail_msg("%s not in schema", ids[i].name);
        if (info.id != ids[i].id) fail_msg("%s: header %08x, schema %08x", ids[i].name, ids[i].id, info.id);
        assert_int_equal(mt_tl_schema_find_id(s, ids[i].id, &info), 0);
        assert_string_equal(info.name, ids[i].name);
    }
    assert_int_equal(MT_TL_BOOL_TRUE, MT_TL_ID_BOOL_TRUE);
    assert_int_equal(MT_TL_BOOL_FALSE, MT_TL_ID_BOOL_FALSE);
    mt_tl_schema_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_counts),
        cmocka_unit_test(test_api_complete),
        cmocka_unit_test(test_default_merge),
        cmocka_unit_test(test_merge_api),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_syntax_subset),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_ids_match_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

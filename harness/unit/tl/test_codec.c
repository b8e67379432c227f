/* Dynamic codec: byte-exact examples of the spec, JSON -> bytes -> JSON round
 * trips over api.tl methods, TL text == JSON, result types of calls, and
 * errors naming constructor, field and offset. */
#include <stdio.h>
#include <jansson.h>
#include "harness/unit/common/mt_test.h"
#include "core/tl/mt_tl.h"

static struct mt_tl_schema *g_schema;

static int setup(void **state)
{
    (void)state;
    struct mt_tl_error err;
    return mt_tl_schema_default(&g_schema, &err);
}
static int teardown(void **state)
{
    (void)state;
    mt_tl_schema_free(g_schema);
    return 0;
}

static size_t enc_json(const struct mt_tl_schema *s, const char *js, uint8_t *buf, size_t cap)
{
    struct mt_tl_writer w;
    struct mt_tl_error err;
    mt_tl_writer_init(&w, buf, cap);
    int rc = mt_tl_encode_json(s, js, strlen(js), &w, &err);
    if (rc) fail_msg("encode %s: %s", js, err.msg);
    return w.pos;
}

static size_t enc_text(const struct mt_tl_schema *s, const char *tx, uint8_t *buf, size_t cap)
{
    struct mt_tl_writer w;
    struct mt_tl_error err;
    mt_tl_writer_init(&w, buf, cap);
    int rc = mt_tl_encode_text(s, tx, strlen(tx), &w, &err);
    if (rc) fail_msg("encode %s: %s", tx, err.msg);
    return w.pos;
}

static void assert_hex(const uint8_t *buf, size_t n, const char *hex)
{
    size_t want_n;
    uint8_t *want = mt_test_hex(hex, &want_n);
    assert_int_equal(n, want_n);
    assert_memory_equal(buf, want, n);
    free(want);
}

/* ---- mtproto-TL.md: getUsers([2,3,4]) and its answer ---------------------- */
static const char *users_tl =
    "user#d23c81a3 id:int first_name:string last_name:string = User;\n"
    "no_user#c67599d1 id:int = User;\n"
    "---functions---\n"
    "getUser#b0f732d5 int = User;\n"
    "getUsers#2d84d5f5 (Vector int) = Vector User;\n";

static void test_get_users_example(void **state)
{
    (void)state;
    struct mt_tl_schema *s;
    struct mt_tl_error err;
    assert_int_equal(mt_tl_schema_load(users_tl, strlen(users_tl), "users.tl", &s, &err), 0);
    uint8_t buf[128];
    /* "F5 D5 84 2D 15 C4 B5 1C 03 00 00 00 02 00 00 00 03 00 00 00 04 00 00 00" */
    static const char *req = "f5d5842d15c4b51c03000000020000000300000004000000";
    assert_hex(buf, enc_json(s, "{\"_\":\"getUsers\",\"_1\":[2,3,4]}", buf, sizeof buf), req);
    assert_hex(buf, enc_text(s, "getUsers _1:[2 3 4]", buf, sizeof buf), req);
    assert_string_equal(mt_tl_result_type(s, "getUsers"), "Vector<User>");
    char type[64];
    assert_int_equal(mt_tl_call_result_type(s, buf, 24, type, sizeof type, &err), 0);
    assert_string_equal(type, "Vector<User>");
    /* the answer, as bytes in mtproto-TL.md (Editor's note) */
    size_t n;
    uint8_t *ans = mt_test_hex("15c4b51c03000000" "a3813cd20200000005506574657200000650617"
                               "26b657200" "d19975c603000000" "a3813cd204000000044a6f686e00000003446f65", &n);
    struct mt_tl_reader r;
    mt_tl_reader_init(&r, ans, n);
    json_t *v = mt_tl_decode_json(s, &r, type, &err);
    assert_non_null(v);
    assert_int_equal(mt_tl_left(&r), 0);
    json_t *want = json_loads("[{\"_\":\"user\",\"id\":2,\"first_name\":\"Peter\",\"last_name\":\"Parker\"},"
                              "{\"_\":\"no_user\",\"id\":3},"
                              "{\"_\":\"user\",\"id\":4,\"first_name\":\"John\",\"last_name\":\"Doe\"}]", 0, NULL);
    assert_true(json_equal(v, want));
    json_decref(v); json_decref(want); free(ans);
    mt_tl_schema_free(s);
}

/* ---- mtproto-samples-auth_key.md: req_pq_multi and resPQ bodies ------------ */
static void test_handshake_samples(void **state)
{
    (void)state;
    uint8_t buf[256];
    assert_hex(buf, enc_json(g_schema, "{\"_\":\"req_pq_multi\",\"nonce\":\"hex:406709F612FADFBEC3F0289D0AA67EEF\"}",
                             buf, sizeof buf),
               "f18e7ebe406709f612fadfbec3f0289d0aa67eef");
    static const char *respq = "632416054067" "09f612fadfbec3f0289d0aa67eefe11dbc3bc97d91a26154f932af019943"
                               "08256595edb7766797000000" "15c4b51c03000000" "a5b7f709355fc30b"
                               "216be86c022bb4c3" "85fd64de851d9dd0";
    size_t n;
    uint8_t *in = mt_test_hex(respq, &n);
    struct mt_tl_reader r;
    struct mt_tl_error err;
    mt_tl_reader_init(&r, in, n);
    json_t *v = mt_tl_decode_json(g_schema, &r, "ResPQ", &err);
    assert_non_null(v);
    json_t *want = json_loads("{\"_\":\"resPQ\",\"nonce\":\"hex:406709f612fadfbec3f0289d0aa67eef\","
                              "\"server_nonce\":\"hex:e11dbc3bc97d91a26154f932af019943\",\"pq\":\"JWWV7bd2Z5c=\","
                              "\"server_public_key_fingerprints\":[847625836280919973,-4344800451088585951,"
                              "-3414540481677951611]}", 0, NULL);
    assert_true(json_equal(v, want));
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, buf, sizeof buf);
    assert_int_equal(mt_tl_encode_jv(g_schema, v, &w, &err), 0);
    assert_int_equal(w.pos, n);
    assert_memory_equal(buf, in, n);
    json_decref(v); json_decref(want); free(in);
}

/* ---- mtproto-serialize.md: strings, Vector<long>, flags ------------------- */
static void test_serialize_examples(void **state)
{
    (void)state;
    uint8_t buf[1024];
    assert_hex(buf, enc_json(g_schema, "{\"_\":\"msgs_ack\",\"msg_ids\":[1,2]}", buf, sizeof buf),
               "59b4d662" "15c4b51c02000000" "0100000000000000" "0200000000000000");
    assert_hex(buf, enc_json(g_schema, "{\"_\":\"rpc_error\",\"error_code\":400,\"error_message\":\"abcd\"}",
                             buf, sizeof buf), "19ca4421" "90010000" "0461626364000000");
    assert_hex(buf, enc_json(g_schema, "{\"_\":\"rpc_error\",\"error_code\":-1,\"error_message\":\"abc\"}",
                             buf, sizeof buf), "19ca4421" "ffffffff" "03616263");
    assert_hex(buf, enc_json(g_schema, "{\"_\":\"rpc_error\",\"error_code\":0,\"error_message\":\"\"}",
                             buf, sizeof buf), "19ca4421" "00000000" "00000000");
    /* 256 bytes: FE 00 01 00 + data, no padding */
    char js[1200] = "{\"_\":\"mtload.echo\",\"data\":\"hex:";
    for (int i = 0; i < 256; i++) strcat(js, "ab");
    strcat(js, "\"}");
    size_t n = enc_json(g_schema, js, buf, sizeof buf);
    assert_int_equal(n, 4 + 4 + 256);
    assert_hex(buf, 8, "b0021bdd" "fe000100");
    /* flags: help.getNearestDc has none; inputPeerPhotoFileLocation flags:#
     * big:flags.0?true -> bit 0 and no bytes */
    assert_hex(buf, enc_json(g_schema, "{\"_\":\"inputPeerPhotoFileLocation\",\"big\":true,"
                             "\"peer\":{\"_\":\"inputPeerSelf\"},\"photo_id\":5}", buf, sizeof buf),
               "997e2537" "01000000" "c97ea07d" "0500000000000000");
    assert_hex(buf, enc_json(g_schema, "{\"_\":\"inputPeerPhotoFileLocation\",\"big\":false,"
                             "\"peer\":{\"_\":\"inputPeerSelf\"},\"photo_id\":5}", buf, sizeof buf),
               "997e2537" "00000000" "c97ea07d" "0500000000000000");
}

/* ---- round trips ---------------------------------------------------------- */
static const char *const round_trips[] = {
    "{\"_\":\"help.getNearestDc\"}",
    "{\"_\":\"nearestDc\",\"country\":\"NL\",\"this_dc\":2,\"nearest_dc\":4}",
    "{\"_\":\"messages.sendMessage\",\"silent\":true,\"noforwards\":true,\"peer\":{\"_\":\"inputPeerUser\","
    "\"user_id\":777000,\"access_hash\":-5}, \"reply_to\":{\"_\":\"inputReplyToMessage\",\"reply_to_msg_id\":12,"
    "\"top_msg_id\":3},\"message\":\"hello \\u00e9\\u4e16\",\"random_id\":-9223372036854775807,"
    "\"entities\":[{\"_\":\"messageEntityBold\",\"offset\":0,\"length\":5},{\"_\":\"messageEntityItalic\","
    "\"offset\":6,\"length\":2}],\"schedule_date\":1700000000}",
    "{\"_\":\"messages.sendMessage\",\"peer\":{\"_\":\"inputPeerSelf\"},\"message\":\"\",\"random_id\":1}",
    "{\"_\":\"invokeWithLayer\",\"layer\":228,\"query\":{\"_\":\"initConnection\",\"api_id\":4,"
    "\"device_model\":\"mtload\",\"system_version\":\"Linux\",\"app_version\":\"0.1\",\"system_lang_code\":\"en\","
    "\"lang_pack\":\"\",\"lang_code\":\"en\",\"params\":{\"_\":\"jsonObject\",\"value\":[{\"_\":\"jsonObjectValue\","
    "\"key\":\"tz\",\"value\":{\"_\":\"jsonNumber\",\"value\":1.5}},{\"_\":\"jsonObjectValue\",\"key\":\"b\","
    "\"value\":{\"_\":\"jsonBool\",\"value\":false}}]},\"query\":{\"_\":\"help.getConfig\"}}}",
    "{\"_\":\"invokeWithoutUpdates\",\"query\":{\"_\":\"invokeAfterMsg\",\"msg_id\":123456789,"
    "\"query\":{\"_\":\"users.getUsers\",\"id\":[{\"_\":\"inputUserSelf\"},{\"_\":\"inputUser\",\"user_id\":1,"
    "\"access_hash\":2}]}}}",
    "{\"_\":\"messages.getHistory\",\"peer\":{\"_\":\"inputPeerSelf\"},\"offset_id\":0,\"offset_date\":0,"
    "\"add_offset\":0,\"limit\":10,\"max_id\":0,\"min_id\":0,\"hash\":0}",
    "{\"_\":\"auth.sendCode\",\"phone_number\":\"+10000000\",\"api_id\":1,\"api_hash\":\"x\",\"settings\":"
    "{\"_\":\"codeSettings\",\"allow_flashcall\":true,\"logout_tokens\":[\"AAE=\",\"\"],\"token\":\"t\","
    "\"app_sandbox\":true}}",
    "{\"_\":\"upload.saveFilePart\",\"file_id\":-1,\"file_part\":0,\"bytes\":\"AAECAwQFBgcICQ==\"}",
    "{\"_\":\"updates.getDifference\",\"pts\":1,\"pts_total_limit\":5,\"date\":2,\"qts\":3}",
    "{\"_\":\"account.updateStatus\",\"offline\":true}",
    "{\"_\":\"contacts.resolveUsername\",\"username\":\"durov\"}",
    "{\"_\":\"mtload.echoSized\",\"size\":1024,\"data\":\"\"}",
    "{\"_\":\"rpc_result\",\"req_msg_id\":5,\"result\":{\"_\":\"mtload.echoResult\",\"data\":\"aGk=\"}}",
    "{\"_\":\"msg_container\",\"messages\":[{\"_\":\"message\",\"msg_id\":8,\"seqno\":1,\"bytes\":12,"
    "\"body\":{\"_\":\"ping\",\"ping_id\":1}},{\"_\":\"message\",\"msg_id\":12,\"seqno\":2,\"bytes\":20,"
    "\"body\":{\"_\":\"msgs_ack\",\"msg_ids\":[1]}}]}",
    "{\"_\":\"future_salts\",\"req_msg_id\":1,\"now\":2,\"salts\":[{\"_\":\"future_salt\",\"valid_since\":1,"
    "\"valid_until\":2,\"salt\":3}]}",
    "{\"_\":\"set_client_DH_params\",\"nonce\":\"hex:00112233445566778899aabbccddeeff\","
    "\"server_nonce\":\"hex:ffeeddccbbaa99887766554433221100\",\"encrypted_data\":\"AQID\"}",
};

static void test_round_trips(void **state)
{
    (void)state;
    uint8_t buf[4096], buf2[4096];
    for (size_t i = 0; i < MT_ARRAY_LEN(round_trips); i++) {
        size_t n = enc_json(g_schema, round_trips[i], buf, sizeof buf);
        struct mt_tl_reader r;
        struct mt_tl_error err;
        mt_tl_reader_init(&r, buf, n);
        json_t *v = mt_tl_decode_json(g_schema, &r, NULL, &err);
        if (!v) fail_msg("decode %s: %s", round_trips[i], err.msg);
        assert_int_equal(mt_tl_left(&r), 0);
        json_t *in = json_loads(round_trips[i], 0, NULL);
        if (!json_equal(v, in)) {
            char *d = json_dumps(v, JSON_COMPACT);
            fail_msg("round trip differs:\n in: %s\nout: %s", round_trips[i], d);
        }
        struct mt_tl_writer w;
        mt_tl_writer_init(&w, buf2, sizeof buf2);
        assert_int_equal(mt_tl_encode_jv(g_schema, v, &w, &err), 0);
        assert_int_equal(w.pos, n);
        assert_memory_equal(buf, buf2, n);
        json_decref(v); json_decref(in);
    }
}

/* ---- TL text == JSON -------------------------------------------------------- */
static void test_text_equals_json(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        { "messages.getHistory peer:inputPeerSelf offset_id:0 offset_date:0 add_offset:0 limit:10 max_id:0 min_id:0 hash:0",
          "{\"_\":\"messages.getHistory\",\"peer\":{\"_\":\"inputPeerSelf\"},\"offset_id\":0,\"offset_date\":0,"
          "\"add_offset\":0,\"limit\":10,\"max_id\":0,\"min_id\":0,\"hash\":0}" },
        { "messages.sendMessage silent:true peer:(inputPeerUser user_id:5 access_hash:-7) message:\"hi \\\"x\\\"\" "
          "random_id:123 entities:[(messageEntityBold offset:0 length:2), (messageEntityCode offset:1 length:1)]",
          "{\"_\":\"messages.sendMessage\",\"silent\":true,\"peer\":{\"_\":\"inputPeerUser\",\"user_id\":5,"
          "\"access_hash\":-7},\"message\":\"hi \\\"x\\\"\",\"random_id\":\"123\",\"entities\":[{\"_\":"
          "\"messageEntityBold\",\"offset\":0,\"length\":2},{\"_\":\"messageEntityCode\",\"offset\":1,\"length\":1}]}" },
        { "invokeWithLayer layer:228 query:(initConnection api_id:1 device_model:\"d\" system_version:\"s\" "
          "app_version:\"a\" system_lang_code:\"en\" lang_pack:\"\" lang_code:\"en\" query:(help.getConfig))",
          "{\"_\":\"invokeWithLayer\",\"layer\":228,\"query\":{\"_\":\"initConnection\",\"api_id\":1,\"device_model\":\"d\","
          "\"system_version\":\"s\",\"app_version\":\"a\",\"system_lang_code\":\"en\",\"lang_pack\":\"\","
          "\"lang_code\":\"en\",\"query\":{\"_\":\"help.getConfig\"}}}" },
        { "mtload.echo data:\"\\x00\\x01abc\"", "{\"_\":\"mtload.echo\",\"data\":\"hex:0001616263\"}" },
        { "mtload.echo data:hex:00016162", "{\"_\":\"mtload.echo\",\"data\":\"AAFhYg==\"}" },
        { "upload.saveFilePart file_id:18446744073709551615 file_part:0x10 bytes:\"\"",
          "{\"_\":\"upload.saveFilePart\",\"file_id\":-1,\"file_part\":16,\"bytes\":\"\"}" },
        { "req_pq_multi nonce:hex:406709f612fadfbec3f0289d0aa67eef",
          "{\"_\":\"req_pq_multi\",\"nonce\":\"QGcJ9hL6377D8CidCqZ+7w==\"}" },
        { "help.getNearestDc", "{\"_\":\"help.getNearestDc\"}" },
        { "ping ping_id:010", "{\"_\":\"ping\",\"ping_id\":10}" },
        { "ping ping_id:-0x10", "{\"_\":\"ping\",\"ping_id\":-16}" },
        { "rpc_error error_code:+7 error_message:\"a\\tb\\\\c\\n\"", "{\"_\":\"rpc_error\",\"error_code\":7,\"error_message\":\"a\\tb\\\\c\\n\"}" },
        { "initConnection api_id:1 device_model:\"d\" system_version:\"s\" app_version:\"a\" system_lang_code:\"en\" "
          "lang_pack:\"\" lang_code:\"en\" params:(jsonNumber value:-1.5e3) query:(help.getNearestDc)",
          "{\"_\":\"initConnection\",\"api_id\":1,\"device_model\":\"d\",\"system_version\":\"s\",\"app_version\":\"a\","
          "\"system_lang_code\":\"en\",\"lang_pack\":\"\",\"lang_code\":\"en\",\"params\":{\"_\":\"jsonNumber\",\"value\":-1500.0},"
          "\"query\":{\"_\":\"help.getNearestDc\"}}" },
        { "  account.updateStatus   offline:false  ", "{\"_\":\"account.updateStatus\",\"offline\":false}" },
    };
    uint8_t a[1024], b[1024];
    for (size_t i = 0; i < MT_ARRAY_LEN(pairs); i++) {
        size_t na = enc_text(g_schema, pairs[i][0], a, sizeof a);
        size_t nb = enc_json(g_schema, pairs[i][1], b, sizeof b);
        if (na != nb || memcmp(a, b, na)) fail_msg("text and JSON differ: %s", pairs[i][0]);
    }
}

/* ---- result types ------------------------------------------------------------- */
static void test_call_result_type(void **state)
{
    (void)state;
    uint8_t buf[512];
    char type[64];
    struct mt_tl_error err;
    size_t n = enc_json(g_schema, round_trips[4], buf, sizeof buf);
    assert_int_equal(mt_tl_call_result_type(g_schema, buf, n, type, sizeof type, &err), 0);
    assert_string_equal(type, "Config");
    n = enc_json(g_schema, round_trips[5], buf, sizeof buf);
    assert_int_equal(mt_tl_call_result_type(g_schema, buf, n, type, sizeof type, &err), 0);
    assert_string_equal(type, "Vector<User>");
    n = enc_json(g_schema, "{\"_\":\"ping\",\"ping_id\":1}", buf, sizeof buf);
    assert_int_equal(mt_tl_call_result_type(g_schema, buf, n, type, sizeof type, &err), 0);
    assert_string_equal(type, "Pong");
    assert_int_equal(mt_tl_call_result_type(g_schema, buf, n, type, 3, &err), MT_E_OVERFLOW);
    n = enc_json(g_schema, round_trips[1], buf, sizeof buf);       /* a constructor */
    assert_int_equal(mt_tl_call_result_type(g_schema, buf, n, type, sizeof type, &err), MT_E_TL_CTOR);
    n = enc_json(g_schema, round_trips[4], buf, sizeof buf);
    assert_int_equal(mt_tl_call_result_type(g_schema, buf, 30, type, sizeof type, &err), MT_E_TL_SHORT);
    /* decode by type name */
    n = enc_json(g_schema, "{\"_\":\"msgs_ack\",\"msg_ids\":[7,8]}", buf, sizeof buf);
    struct mt_tl_reader r;
    mt_tl_reader_init(&r, buf + 4, n - 4);
    json_t *v = mt_tl_decode_json(g_schema, &r, "Vector<long>", &err);
    assert_non_null(v);
    assert_int_equal(json_array_size(v), 2);
    json_decref(v);
    mt_tl_reader_init(&r, buf + 4, n - 4);
    assert_null(mt_tl_decode_json(g_schema, &r, "Vector<Nope>", &err));
    assert_int_equal(err.code, MT_E_TL_INPUT);
    assert_false(mt_tl_ok(&r));
}

/* ---- errors --------------------------------------------------------------------- */
static void expect_enc_error(const char *js, int code, size_t offset, const char *const *needles)
{
    uint8_t buf[256];
    struct mt_tl_writer w;
    struct mt_tl_error err;
    mt_tl_writer_init(&w, buf, sizeof buf);
    int rc = mt_tl_encode_json(g_schema, js, strlen(js), &w, &err);
    if (rc != code) fail_msg("%s: rc %d (%s)", js, rc, err.msg);
    assert_int_equal(err.code, code);
    if (offset != (size_t)-1 && err.offset != offset) fail_msg("%s: offset %zu, want %zu (%s)", js, err.offset, offset, err.msg);
    for (; *needles; needles++)
        if (!strstr(err.msg, *needles)) fail_msg("%s: message '%s' lacks '%s'", js, err.msg, *needles);
}

static void test_encode_errors(void **state)
{
    (void)state;
    const char *unknown[] = { "unknown constructor 'nope.nope'", NULL };
    expect_enc_error("{\"_\":\"nope.nope\"}", MT_E_TL_INPUT, 0, unknown);
    const char *wrong[] = { "messages.sendMessage#fef48f62", "'peer'", "inputUserSelf", "InputPeer", NULL };
    expect_enc_error("{\"_\":\"messages.sendMessage\",\"peer\":{\"_\":\"inputUserSelf\"},\"message\":\"x\",\"random_id\":1}",
                     MT_E_TL_INPUT, 8, wrong);
    const char *missing[] = { "messages.sendMessage#fef48f62", "'random_id'", "missing", NULL };
    expect_enc_error("{\"_\":\"messages.sendMessage\",\"peer\":{\"_\":\"inputPeerSelf\"},\"message\":\"x\"}",
                     MT_E_TL_INPUT, 16, missing);
    const char *extra[] = { "'colour'", "no such field", NULL };
    expect_enc_error("{\"_\":\"help.getNearestDc\",\"colour\":1}", MT_E_TL_INPUT, (size_t)-1, extra);
    const char *range[] = { "nearestDc#8e1a1775", "'this_dc'", "32-bit", NULL };
    expect_enc_error("{\"_\":\"nearestDc\",\"country\":\"x\",\"this_dc\":4294967296,\"nearest_dc\":1}",
                     MT_E_TL_INPUT, 8, range);
    const char *b64[] = { "'data'", "hex:/base64", NULL };
    expect_enc_error("{\"_\":\"mtload.echo\",\"data\":\"not base64!\"}", MT_E_TL_INPUT, 4, b64);
    const char *nonce[] = { "'nonce'", "exactly 16 bytes", NULL };
    expect_enc_error("{\"_\":\"req_pq_multi\",\"nonce\":\"hex:0011\"}", MT_E_TL_INPUT, 4, nonce);
    const char *shared_bit[] = { "'app_sandbox'", "bit 8", NULL };
    expect_enc_error("{\"_\":\"codeSettings\",\"token\":\"t\"}", MT_E_TL_INPUT, 12, shared_bit);
    const char *syntax[] = { "JSON", NULL };
    expect_enc_error("{\"_\":\"help.getNearestDc\"", MT_E_TL_INPUT, (size_t)-1, syntax);
    const char *bare[] = { "no #id", NULL };
    expect_enc_error("{\"_\":\"invokeWithLayer\",\"layer\":1,\"query\":{\"_\":\"test.useConfigSimple\"}}",
                     MT_E_TL_INPUT, 8, bare);
    /* output too small */
    uint8_t buf[8];
    struct mt_tl_writer w;
    struct mt_tl_error err;
    mt_tl_writer_init(&w, buf, sizeof buf);
    assert_int_equal(mt_tl_encode_json(g_schema, round_trips[1], strlen(round_trips[1]), &w, &err), MT_E_OVERFLOW);
    /* TL text syntax errors give the text offset */
    mt_tl_writer_init(&w, buf, sizeof buf);
    assert_int_equal(mt_tl_encode_text(g_schema, "ping ping_id 1", 14, &w, &err), MT_E_TL_INPUT);
    assert_int_equal(err.offset, 5);
    assert_int_equal(mt_tl_encode_text(g_schema, "mtload.echo data:\"abc", 21, &w, &err), MT_E_TL_INPUT);
    assert_non_null(strstr(err.msg, "unterminated string"));
}

static void test_decode_errors(void **state)
{
    (void)state;
    uint8_t buf[512];
    struct mt_tl_error err;
    struct mt_tl_reader r;
    /* sendMessage cut inside `message`: id(4) flags(4) peer(4) then the string */
    size_t n = enc_json(g_schema, "{\"_\":\"messages.sendMessage\",\"peer\":{\"_\":\"inputPeerSelf\"},"
                                  "\"message\":\"a longer message\",\"random_id\":1}", buf, sizeof buf);
    for (size_t cut = 0; cut < n; cut++) {
        mt_tl_reader_init(&r, buf, cut);
        json_t *v = mt_tl_decode_json(g_schema, &r, NULL, &err);
        assert_null(v);
        assert_int_equal(err.code, MT_E_TL_SHORT);
        assert_int_equal(r.err, MT_E_TL_SHORT);
        if (cut >= 12 && cut < 12 + 20) {
            assert_int_equal(err.offset, 12);
            assert_non_null(strstr(err.msg, "messages.sendMessage#fef48f62 field 'message'"));
            assert_non_null(strstr(err.msg, "byte 12"));
        } else if (cut >= 32) {
            assert_int_equal(err.offset, 32);
            assert_non_null(strstr(err.msg, "field 'random_id'"));
        }
    }
    /* unknown id, at top level and nested */
    mt_store_le32(buf, 0x12345678u);
    mt_tl_reader_init(&r, buf, 8);
    assert_null(mt_tl_decode_json(g_schema, &r, NULL, &err));
    assert_int_equal(err.code, MT_E_TL_CTOR);
    assert_int_equal(err.offset, 0);
    assert_non_null(strstr(err.msg, "12345678"));
    n = enc_json(g_schema, "{\"_\":\"messages.sendMessage\",\"peer\":{\"_\":\"inputPeerSelf\"},"
                           "\"message\":\"\",\"random_id\":1}", buf, sizeof buf);
    mt_store_le32(buf + 8, 0x3fedd339u);           /* `true`, not an InputPeer */
    mt_tl_reader_init(&r, buf, n);
    assert_null(mt_tl_decode_json(g_schema, &r, NULL, &err));
    assert_int_equal(err.code, MT_E_TL_CTOR);
    assert_int_equal(err.offset, 8);
    assert_non_null(strstr(err.msg, "field 'peer'"));
    assert_non_null(strstr(err.msg, "InputPeer"));
    /* forged vector count */
    n = enc_json(g_schema, "{\"_\":\"msgs_ack\",\"msg_ids\":[1]}", buf, sizeof buf);
    mt_store_le32(buf + 8, 1000000);
    mt_tl_reader_init(&r, buf, n);
    assert_null(mt_tl_decode_json(g_schema, &r, NULL, &err));
    assert_int_equal(err.code, MT_E_TL_VALUE);
    assert_int_equal(err.offset, 8);
    /* bad Bool */
    n = enc_json(g_schema, "{\"_\":\"account.updateStatus\",\"offline\":true}", buf, sizeof buf);
    mt_store_le32(buf + 4, 5);
    mt_tl_reader_init(&r, buf, n);
    assert_null(mt_tl_decode_json(g_schema, &r, NULL, &err));
    assert_int_equal(err.code, MT_E_TL_CTOR);
    assert_int_equal(err.offset, 4);
}

/* Nesting and size limits: no stack or memory blow-up on hostile input. */
static void test_limits(void **state)
{
    (void)state;
    enum { DEPTH = 200 };
    uint8_t buf[DEPTH * 4 + 8];
    for (int i = 0; i < DEPTH; i++) mt_store_le32(buf + 4 * i, MT_TL_ID_INVOKE_WITHOUT_UPDATES);
    mt_store_le32(buf + 4 * DEPTH, MT_TL_ID_HELP_GET_NEAREST_DC);
    struct mt_tl_reader r;
    struct mt_tl_error err;
    mt_tl_reader_init(&r, buf, DEPTH * 4 + 4);
    assert_null(mt_tl_decode_json(g_schema, &r, NULL, &err));
    assert_int_equal(err.code, MT_E_RANGE);
    char type[64];
    assert_int_equal(mt_tl_call_result_type(g_schema, buf, DEPTH * 4 + 4, type, sizeof type, &err), MT_E_RANGE);
    /* the same nesting as JSON and as TL text */
    char *js = malloc(DEPTH * 48 + 64), *tx = malloc(DEPTH * 48 + 64);
    js[0] = tx[0] = 0;
    for (int i = 0; i < DEPTH; i++) {
        strcat(js, "{\"_\":\"invokeWithoutUpdates\",\"query\":");
        strcat(tx, i ? "(invokeWithoutUpdates query:" : "invokeWithoutUpdates query:");
    }
    strcat(js, "{\"_\":\"help.getNearestDc\"}");
    strcat(tx, "help.getNearestDc");
    for (int i = 0; i < DEPTH; i++) { strcat(js, "}"); if (i) strcat(tx, ")"); }
    uint8_t out[4096];
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, out, sizeof out);
    assert_int_equal(mt_tl_encode_json(g_schema, js, strlen(js), &w, &err), MT_E_TL_INPUT);
    assert_non_null(strstr(err.msg, "nested too deeply"));
    mt_tl_writer_init(&w, out, sizeof out);
    assert_int_equal(mt_tl_encode_text(g_schema, tx, strlen(tx), &w, &err), MT_E_TL_INPUT);
    assert_non_null(strstr(err.msg, "nested too deeply"));
    free(js); free(tx);
}

/* A `string` that is not UTF-8 decodes as {"base64": ...} and re-encodes
 * to the same bytes; doubles that JSON cannot hold become strings. */
static void test_odd_values(void **state)
{
    (void)state;
    uint8_t buf[64] = { 0 }, out[64];
    mt_store_le32(buf, MT_TL_ID_RPC_ERROR);
    mt_store_le32(buf + 4, 1);
    buf[8] = 2; buf[9] = 0xff; buf[10] = 0xfe;
    struct mt_tl_reader r;
    struct mt_tl_error err;
    mt_tl_reader_init(&r, buf, 12);
    json_t *v = mt_tl_decode_json(g_schema, &r, NULL, &err);
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(json_object_get(v, "error_message"), "base64")), "//4=");
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, out, sizeof out);
    assert_int_equal(mt_tl_encode_jv(g_schema, v, &w, &err), 0);
    assert_int_equal(w.pos, 12);
    assert_memory_equal(out, buf, 12);
    json_decref(v);
    /* jsonNumber NaN */
    mt_store_le32(buf, 0x2be0dfa4u);
    mt_store_le64(buf + 4, 0x7ff8000000000000ull);
    mt_tl_reader_init(&r, buf, 12);
    v = mt_tl_decode_json(g_schema, &r, NULL, &err);
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(v, "value")), "NaN");
    mt_tl_writer_init(&w, out, sizeof out);
    assert_int_equal(mt_tl_encode_jv(g_schema, v, &w, &err), 0);
    assert_memory_equal(out, buf, 12);
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_users_example),
        cmocka_unit_test(test_handshake_samples),
        cmocka_unit_test(test_serialize_examples),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_text_equals_json),
        cmocka_unit_test(test_call_result_type),
        cmocka_unit_test(test_encode_errors),
        cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_odd_values),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

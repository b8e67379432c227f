/* MTProto 2.0 message crypto: known answers (test-vectors.md 3.2, 3.3, 9.1),
 * round trips at many sizes for both directions, batch == single on >= 10,000
 * seeded inputs, and every rejection path of decrypt. */
#include "harness/unit/common/mt_test.h"
#include "core/crypto/mt_crypto.h"

#define BIG (65536 + 2048)

static void seq_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)i;
}

static void assert_hex(const uint8_t *got, const char *hex)
{
    size_t n = strlen(hex) / 2;
    char *g = malloc(2 * n + 1);
    mt_hex_encode(got, n, g);
    assert_string_equal(g, hex);
    free(g);
}

/* A deterministic rng: the state is plain data, so a fixed key gives a
 * reproducible stream and a struct copy replays it. */
static void rng_fixed(struct mt_rng *r, uint64_t seed)
{
    struct mt_test_prng p;
    mt_test_prng_seed(&p, seed);
    memset(r, 0, sizeof *r);
    mt_test_fill(&p, r->key, sizeof r->key);
    mt_test_fill(&p, r->ctr, sizeof r->ctr);
    r->pos = sizeof r->buf;
}

static struct mt_auth_key key_from_seed(uint64_t seed)
{
    struct mt_test_prng p;
    uint8_t raw[256];
    struct mt_auth_key k;
    mt_test_prng_seed(&p, seed);
    mt_test_fill(&p, raw, sizeof raw);
    mt_auth_key_set(&k, raw);
    return k;
}

/* 3.2 grammers encrypt_client_data_v2: 45 bytes + 19 zero bytes of padding */
static void test_vector_client_payload(void **st)
{
    (void)st;
    uint8_t ak[256], buf[128] = { 0 };
    seq_bytes(ak, 256);
    struct mt_auth_key k;
    mt_auth_key_set(&k, ak);
    const char *text = "Hello, world! This data should remain secure!";
    memcpy(buf + MT_MSG_HEADER, text, 45);
    struct mt_msg_job j = { .key = &k, .buf = buf, .plain_len = 64, .cap = sizeof buf };
    assert_int_equal(mt_msg_encrypt_padded(&j, MT_X_CLIENT), 0);
    assert_int_equal(j.out_len, 88);
    assert_hex(buf, "32d1586ea457dfc8a81729d46db54019a2bfd7f744f9b96c4f716cfdc4477db2"
                    "a2c15f6ddb85235fb9552f1d8407c6aaea00cc844c5a1bf6ac44b79b5edc2a23"
                    "868b3d6073a590992c0f2975243d563ea180d218ee757c9a");
    /* 7.3 quick-ack token of this payload */
    assert_true(j.quick_ack == 0xcd571d02u);
    /* Not a valid inner header (the "length field" is text): the msg_key
     * passes, the length check rejects. */
    struct mt_msg_djob d = { .key = &k, .buf = buf, .len = 88 };
    assert_int_equal(mt_msg_decrypt(&d, MT_X_CLIENT), MT_E_MSG_PAD);
}

/* 3.3 grammers decrypt_server_data_v2: a real server message, x = 8 */
static void test_vector_server_message(void **st)
{
    (void)st;
    uint8_t *ak = mt_test_hex(
        "5d2e7d65f49ec28bd029a88761ea27b8a4c79f12226525443e7d7c596ef33035"
        "30db2107e89aa997c7a0164ab694187adeff156bd6ef7118a1962347753c0e7e"
        "89a0354b8ec364f9997e71bc6923fb86e8e43491e010606a6ce845e2fa019409"
        "77ef0aa32adf5a97dbf6d428ec0434d717a2d3ad19622cc05887642113c7965f"
        "fb862a3e3ccb0ab95addda57f89245dbd76b492348f8e94bd5a7c0e0b8480852"
        "3cfd1ea80b32fe9ad198bc2e103fceb7d52492ecc0273a28674bc923eee59265"
        "ab17a002df1f4aa2c59b819a5e5e1d105ec117336f5c76c6b187037d4b4270ce"
        "e9cc21071d97e9bca220c6d7b01b998cf2e5cdb9a50ecda1852a36e635690c8e", NULL);
    size_t len;
    uint8_t *msg = mt_test_hex(
        "7a7183c2c10e4f4df945fa9a9abd35e7c3840b61f045304f39674c19c0e20978"
        "4f50f6226a073529d675c92cbf0bfa8c99a79b3f39c72a5d9a026d431ab7407c"
        "a04ecc55187d6c45f17871524edd90cea02ed728e14d7cb18aea2a636158f094"
        "59a9437710d894c79f368c4e8164b7647ea98612aefe942c5d92121acb8db02d"
        "ccceb66d0f8720ac12a06db0582bfd955be34f365118e3bab8cd080ce6b45b28"
        "eac56dcd2a29374e", &len);
    assert_int_equal(len, 168);
    struct mt_auth_key k;
    mt_auth_key_set(&k, ak);
    uint8_t copy[168];
    memcpy(copy, msg, len);
    /* the wrong direction fails the msg_key check */
    struct mt_msg_djob d = { .key = &k, .buf = copy, .len = len };
    assert_int_equal(mt_msg_decrypt(&d, MT_X_CLIENT), MT_E_MSG_KEY);
    assert_null(d.body);
    memcpy(copy, msg, len);
    d = (struct mt_msg_djob){ .key = &k, .buf = copy, .len = len };
    assert_int_equal(mt_msg_decrypt(&d, MT_X_SERVER), 0);
    assert_ptr_equal(d.plain, copy + 24);
    assert_ptr_equal(d.body, copy + 56);
    assert_int_equal(d.body_len, 88);
    assert_hex(d.plain,
               "fc826a02248b28fd60f2c4822443ad6801f0c1c2918b305e0200000058000000"
               "dcf8f1730200000001a8c1c2918b305e010000001c0000000809c29ec4fd33ad"
               "918b305e18a88ea607ee5816fc826a02248b28fd01ccc1c2918b305e02000000"
               "14000000c5737734c4fd33ad918b305e6408300000000000fce66704a3cd8ee9"
               "d0ae6fab672c60c04a3f1fd4490e51f6");
    free(ak);
    free(msg);
}

static const char *SAMPLE_KEY =
    "aca2547baa3b4b3e6ad9129adee796042fc4acaaaba40dce7a1196640595829e"
    "2ba85c5e68e5d2b7b713b28720ccd0e65da3b80cd8a9282bde895755b924f4cb"
    "bced119dee057d3066d7095c25771a53d9ad6ec3464ee0e7fe1a4d9851f17b6c"
    "c7d6e636e0bdea7d66153cf37005835a528e65673c1f5adaa27465964ba89aa6"
    "fd045108b25b1dc9ab2d979864858c9eacbfa4a399cdbf2154d2cc6743c5caa4"
    "0683343d80a36c7f1289dc5ac5ee585dea1e1cd296444ea6cd8f6c3564b2d355"
    "b310a3c02608eea5ec36d38e941bf811489ab7a24c069e44ff54714cb4a45eee"
    "2f310fddc0a1b08bd3dff8801e27c8508efd7ad51ef3c13ef1d9a02ee4601741";

/* 9.1 an encrypted ping with the samples-auth_key key (computed there) */
static void test_vector_sample_ping(void **st)
{
    (void)st;
    uint8_t *ak = mt_test_hex(SAMPLE_KEY, NULL);
    struct mt_auth_key k;
    mt_auth_key_set(&k, ak);
    size_t n;
    uint8_t *plain = mt_test_hex("49a6747298503dce010203040506070834120000523dc565010000000c000000"
                                 "ec77be7a8877665544332211101112131415161718191a1b1c1d1e1f20212223",
                                 &n);
    assert_int_equal(n, 64);
    uint8_t buf[88];
    memcpy(buf + 24, plain, 64);
    struct mt_msg_job j = { .key = &k, .buf = buf, .plain_len = 64, .cap = sizeof buf };
    assert_int_equal(mt_msg_encrypt_padded(&j, MT_X_CLIENT), 0);
    assert_hex(buf, "65588b3350ef784eab7bbb3a4cdd607cd727ae8ff49d0e7070a524588146be9c"
                    "a6defa1759114e21fa92c189f3fab8c41296e1ee3c0fe821799213d328121da1"
                    "a0b894d72c4de91d137a645a023c2f81dc3b8f6c0408ad63");
    uint32_t ack = j.quick_ack;
    assert_true(ack == (0x80000000u | 0x1a019a30u));   /* msg_key_large 309a011a.. */
    struct mt_msg_djob d = { .key = &k, .buf = buf, .len = 88 };
    assert_int_equal(mt_msg_decrypt(&d, MT_X_CLIENT), 0);
    assert_int_equal(d.body_len, 12);
    assert_memory_equal(d.plain, plain, 64);
    assert_true(d.quick_ack == ack);
    free(ak);
    free(plain);
}

/* Build plaintext = inner header (length field = body_len) + body. */
static void fill_plain(uint8_t *p, size_t body_len, struct mt_test_prng *r)
{
    mt_test_fill(r, p, 28);
    mt_store_le32(p + 28, (uint32_t)body_len);
    mt_test_fill(r, p + 32, body_len);
}

static void round_trip(const struct mt_auth_key *k, size_t body_len, size_t pad_max, int x,
                       struct mt_rng *rng, struct mt_test_prng *r, uint8_t *buf, uint8_t *ref)
{
    size_t plain_len = 32 + body_len;
    fill_plain(ref, body_len, r);
    memcpy(buf + 24, ref, plain_len);
    struct mt_msg_job j = { .key = k, .buf = buf, .plain_len = plain_len, .cap = BIG,
                            .pad_max = pad_max };
    assert_int_equal(mt_msg_encrypt(&j, x, rng), 0);
    size_t pad = j.out_len - 24 - plain_len;
    assert_true(pad >= 12 && (pad_max < 28 ? pad <= 27 : pad <= pad_max) && pad <= 1024);
    assert_int_equal((j.out_len - 24) % 16, 0);
    assert_memory_equal(buf, k->id, 8);
    struct mt_msg_djob d = { .key = k, .buf = buf, .len = j.out_len };
    assert_int_equal(mt_msg_decrypt(&d, x), 0);
    assert_int_equal(d.body_len, body_len);
    assert_true(d.quick_ack == j.quick_ack);
    assert_memory_equal(d.plain, ref, plain_len);
}

static void test_round_trip_sizes(void **st)
{
    (void)st;
    uint8_t *buf = malloc(BIG), *ref = malloc(BIG);
    struct mt_test_prng r;
    struct mt_rng rng;
    mt_test_prng_seed(&r, 7);
    assert_int_equal(mt_rng_init(&rng), 0);
    struct mt_auth_key k = key_from_seed(1);
    static const size_t pads[] = { 0, 12, 27, 28, 100, 1024, 4096 };
    for (int x = 0; x <= 8; x += 8) {
        for (size_t body = 0; body <= 1024; body += 4)
            round_trip(&k, body, pads[body / 4 % MT_ARRAY_LEN(pads)], x, &rng, &r, buf, ref);
        static const size_t big[] = { 2044, 4096, 8192, 16380, 32768, 65536 };
        for (size_t i = 0; i < MT_ARRAY_LEN(big); i++)
            round_trip(&k, big[i], pads[i % MT_ARRAY_LEN(pads)], x, &rng, &r, buf, ref);
    }
    mt_rng_free(&rng);
    free(buf);
    free(ref);
}

/* pad_max: respected, and the padding lengths it allows all occur. */
static void test_padding_choice(void **st)
{
    (void)st;
    uint8_t buf[24 + 32 + 1100];
    struct mt_rng rng;
    assert_int_equal(mt_rng_init(&rng), 0);
    struct mt_auth_key k = key_from_seed(2);
    int seen[1025] = { 0 };
    for (int i = 0; i < 2000; i++) {
        memset(buf + 24, 0, 32);
        struct mt_msg_job j = { .key = &k, .buf = buf, .plain_len = 32, .cap = sizeof buf,
                                .pad_max = 200 };
        assert_int_equal(mt_msg_encrypt(&j, MT_X_CLIENT, &rng), 0);
        size_t pad = j.out_len - 24 - 32;
        assert_true(pad >= 16 && pad <= 200 && pad % 16 == 0);
        seen[pad]++;
    }
    for (size_t p = 16; p <= 192; p += 16)
        assert_true(seen[p] > 0);
    /* pad_max 0: the minimum */
    struct mt_msg_job j = { .key = &k, .buf = buf, .plain_len = 36, .cap = sizeof buf };
    assert_int_equal(mt_msg_encrypt(&j, MT_X_SERVER, &rng), 0);
    assert_int_equal(j.out_len, 24 + 48);
    /* pad_max beyond the buffer: limited by cap */
    j = (struct mt_msg_job){ .key = &k, .buf = buf, .plain_len = 32, .cap = 24 + 32 + 40,
                             .pad_max = 1024 };
    for (int i = 0; i < 50; i++) {
        assert_int_equal(mt_msg_encrypt(&j, MT_X_SERVER, &rng), 0);
        assert_true(j.out_len <= 24 + 32 + 40);
    }
    mt_rng_free(&rng);
}

static void test_encrypt_errors(void **st)
{
    (void)st;
    uint8_t buf[128] = { 0 };
    struct mt_rng rng;
    assert_int_equal(mt_rng_init(&rng), 0);
    struct mt_auth_key k = key_from_seed(3);
    struct mt_msg_job j = { .key = &k, .buf = buf, .plain_len = 100, .cap = 128 };
    assert_int_equal(mt_msg_encrypt(&j, MT_X_CLIENT, &rng), MT_E_OVERFLOW);
    j = (struct mt_msg_job){ .key = &k, .buf = buf, .plain_len = 200, .cap = 128 };
    assert_int_equal(mt_msg_encrypt(&j, MT_X_CLIENT, &rng), MT_E_OVERFLOW);
    j = (struct mt_msg_job){ .key = NULL, .buf = buf, .plain_len = 32, .cap = 128 };
    assert_int_equal(mt_msg_encrypt(&j, MT_X_CLIENT, &rng), MT_E_INVAL);
    j = (struct mt_msg_job){ .key = &k, .buf = buf, .plain_len = 32, .cap = 128 };
    assert_int_equal(mt_msg_encrypt(&j, 4, &rng), MT_E_INVAL);
    j = (struct mt_msg_job){ .key = &k, .buf = buf, .plain_len = 40, .cap = 128 };
    assert_int_equal(mt_msg_encrypt_padded(&j, MT_X_CLIENT), MT_E_INVAL);
    j = (struct mt_msg_job){ .key = &k, .buf = buf, .plain_len = 112, .cap = 128 };
    assert_int_equal(mt_msg_encrypt_padded(&j, MT_X_CLIENT), MT_E_OVERFLOW);
    mt_rng_free(&rng);
}

/* Encrypt a hand-made plaintext of plain_len bytes (multiple of 16) with the
 * given length field: the padding checks are reached only with a valid key. */
static size_t craft(const struct mt_auth_key *k, uint8_t *buf, size_t plain_len, uint32_t lfield,
                    int x)
{
    memset(buf + 24, 0x5a, plain_len);
    mt_store_le32(buf + 24 + 28, lfield);
    struct mt_msg_job j = { .key = k, .buf = buf, .plain_len = plain_len, .cap = 24 + plain_len };
    assert_int_equal(mt_msg_encrypt_padded(&j, x), 0);
    return j.out_len;
}

static int decrypt_status(const struct mt_auth_key *k, uint8_t *buf, size_t len, int x)
{
    struct mt_msg_djob d = { .key = k, .buf = buf, .len = len };
    int rc = mt_msg_decrypt(&d, x);
    assert_int_equal(rc, d.status);
    if (rc)
        assert_null(d.body);
    return rc;
}

static void test_decrypt_rejects(void **st)
{
    (void)st;
    struct mt_auth_key k = key_from_seed(4), other = key_from_seed(5);
    uint8_t *buf = malloc(4096), *save = malloc(4096);
    size_t n;
    /* valid baseline: 32 + 64 body + 16 pad */
    n = craft(&k, buf, 112, 64, MT_X_CLIENT);
    memcpy(save, buf, n);
    assert_int_equal(decrypt_status(&k, buf, n, MT_X_CLIENT), 0);
    /* tampered ciphertext (first, middle, last block) */
    size_t spots[] = { 24, 24 + 50, n - 1 };
    for (size_t i = 0; i < 3; i++) {
        memcpy(buf, save, n);
        buf[spots[i]] ^= 0x01;
        assert_int_equal(decrypt_status(&k, buf, n, MT_X_CLIENT), MT_E_MSG_KEY);
    }
    /* wrong msg_key */
    memcpy(buf, save, n);
    buf[8 + 15] ^= 0x80;
    assert_int_equal(decrypt_status(&k, buf, n, MT_X_CLIENT), MT_E_MSG_KEY);
    /* wrong x, wrong key */
    memcpy(buf, save, n);
    assert_int_equal(decrypt_status(&k, buf, n, MT_X_SERVER), MT_E_MSG_KEY);
    memcpy(buf, save, n);
    assert_int_equal(decrypt_status(&other, buf, n, MT_X_CLIENT), MT_E_MSG_KEY);
    /* length not a multiple of 16, too short, truncated */
    memcpy(buf, save, n);
    assert_int_equal(decrypt_status(&k, buf, n - 1, MT_X_CLIENT), MT_E_MSG_LEN);
    assert_int_equal(decrypt_status(&k, buf, n - 8, MT_X_CLIENT), MT_E_MSG_LEN);
    assert_int_equal(decrypt_status(&k, buf, 24 + 32, MT_X_CLIENT), MT_E_MSG_LEN);
    assert_int_equal(decrypt_status(&k, buf, 24, MT_X_CLIENT), MT_E_MSG_LEN);
    assert_int_equal(decrypt_status(&k, buf, 0, MT_X_CLIENT), MT_E_MSG_LEN);
    assert_int_equal(decrypt_status(&k, buf, n - 16, MT_X_CLIENT), MT_E_MSG_KEY);
    /* length field: too big, padding < 12, padding > 1024, not a multiple of 4 */
    n = craft(&k, buf, 112, 80, MT_X_CLIENT);        /* padding 0 */
    assert_int_equal(decrypt_status(&k, buf, n, MT_X_CLIENT), MT_E_MSG_PAD);
    n = craft(&k, buf, 112, 72, MT_X_CLIENT);        /* padding 8 */
    assert_int_equal(decrypt_status(&k, buf, n, MT_X_CLIENT), MT_E_MSG_PAD);
    n = craft(&k, buf, 112, 68, MT_X_CLIENT);        /* padding 12: fine */
    assert_int_equal(decrypt_status(&k, buf, n, MT_X_CLIENT), 0);
    n = craft(&k, buf, 112, 66, MT_X_CLIENT);        /* not a multiple of 4 */
    assert_int_equal(decrypt_status(&k, buf, n, MT_X_CLIENT), MT_E_MSG_PAD);
    n = craft(&k, buf, 112, 0xfffffffcu, MT_X_CLIENT);
    assert_int_equal(decrypt_status(&k, buf, n, MT_X_CLIENT), MT_E_MSG_PAD);
    n = craft(&k, buf, 112, 1000, MT_X_CLIENT);
    assert_int_equal(decrypt_status(&k, buf, n, MT_X_CLIENT), MT_E_MSG_PAD);
    n = craft(&k, buf, 32 + 16 + 1024, 16, MT_X_SERVER); /* padding exactly 1024 */
    assert_int_equal(decrypt_status(&k, buf, n, MT_X_SERVER), 0);
    n = craft(&k, buf, 32 + 1040, 0, MT_X_SERVER);       /* padding 1040 */
    assert_int_equal(decrypt_status(&k, buf, n, MT_X_SERVER), MT_E_MSG_PAD);
    n = craft(&k, buf, 32 + 16 + 1040, 16, MT_X_SERVER); /* padding 1040 */
    assert_int_equal(decrypt_status(&k, buf, n, MT_X_SERVER), MT_E_MSG_PAD);
    n = craft(&k, buf, 48, 0, MT_X_CLIENT);              /* smallest valid message */
    assert_int_equal(decrypt_status(&k, buf, n, MT_X_CLIENT), 0);
    /* x outside {0, 8} */
    struct mt_msg_djob d = { .key = &k, .buf = buf, .len = n };
    assert_int_equal(mt_msg_decrypt(&d, 1), MT_E_INVAL);
    free(buf);
    free(save);
}

/* Batch == single. Rounds of minimal padding: the same rng stream (struct
 * copy) gives byte-identical ciphertexts and the same rng state after (the
 * batch draws exactly the bytes n single calls draw). Rounds with a choice of
 * padding lengths: the batch draws all lengths before the bytes, so there
 * the ciphertexts are compared by decrypting. Then decrypt batch == decrypt
 * single on the batch's output, some of it corrupted. */
#define NKEYS 8
#define MAXB 64
#define SLOT 2048

/* Both decrypt (on copies) to the same plaintext with valid padding. */
static void compare_by_decrypting(const struct mt_msg_job *a, const struct mt_msg_job *b, int x)
{
    uint8_t *ca = malloc(a->out_len), *cb = malloc(b->out_len);
    memcpy(ca, a->buf, a->out_len);
    memcpy(cb, b->buf, b->out_len);
    struct mt_msg_djob da = { .key = a->key, .buf = ca, .len = a->out_len };
    struct mt_msg_djob db = { .key = b->key, .buf = cb, .len = b->out_len };
    assert_int_equal(mt_msg_decrypt(&da, x), 0);
    assert_int_equal(mt_msg_decrypt(&db, x), 0);
    assert_true(da.quick_ack == a->quick_ack && db.quick_ack == b->quick_ack);
    assert_int_equal(da.body_len, db.body_len);
    assert_memory_equal(da.plain, db.plain, 32 + da.body_len);
    size_t pad = a->out_len - 24 - a->plain_len;
    assert_true(pad >= 12 && pad <= 1024 && (pad <= 27 || pad <= a->pad_max));
    free(ca);
    free(cb);
}

static size_t rand_body(struct mt_test_prng *r)
{
    uint64_t v = mt_test_next(r);
    return (size_t)(v % 100 < 80 ? (v >> 8) % 257 : (v >> 8) % 1700) & ~(size_t)3;
}

static void test_batch_equals_single(void **st)
{
    (void)st;
    struct mt_auth_key keys[NKEYS];
    for (int i = 0; i < NKEYS; i++)
        keys[i] = key_from_seed(100 + (uint64_t)i);
    uint8_t *a = malloc(MAXB * SLOT), *b = malloc(MAXB * SLOT);
    struct mt_msg_job ja[MAXB], jb[MAXB];
    struct mt_msg_djob da[MAXB], db[MAXB];
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 42);
    struct mt_rng rng_a, rng_b;
    rng_fixed(&rng_a, 9);
    size_t total = 0, round = 0;
    while (total < 10000) {
        size_t n = 1 + (round % MAXB);
        int minimal = round++ % 3 != 0;
        int x = (mt_test_next(&r) & 1) ? MT_X_SERVER : MT_X_CLIENT;
        for (size_t i = 0; i < n; i++) {
            size_t body = rand_body(&r);
            fill_plain(a + i * SLOT + 24, body, &r);
            memcpy(b + i * SLOT + 24, a + i * SLOT + 24, 32 + body);
            uint64_t v = mt_test_next(&r);
            size_t pad_max = minimal ? (v >> 8) % 28 : v % 4 == 0 ? 0 : (v >> 8) % 1100;
            const struct mt_auth_key *k = &keys[(v >> 32) % NKEYS];
            size_t cap = v % 97 == 5 ? 24 + 32 + body : SLOT;   /* some overflow */
            ja[i] = (struct mt_msg_job){ .key = k, .buf = a + i * SLOT, .plain_len = 32 + body,
                                         .cap = cap, .pad_max = pad_max };
            jb[i] = ja[i];
            jb[i].buf = b + i * SLOT;
        }
        rng_b = rng_a;
        size_t failed = mt_msg_encrypt_batch(ja, n, x, &rng_a);
        size_t failed_single = 0;
        for (size_t i = 0; i < n; i++)
            failed_single += mt_msg_encrypt(&jb[i], x, &rng_b) != 0;
        assert_int_equal(failed, failed_single);
        if (minimal)
            assert_memory_equal(&rng_a, &rng_b, sizeof rng_a);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(ja[i].status, jb[i].status);
            if (minimal) {
                assert_int_equal(ja[i].out_len, jb[i].out_len);
                assert_true(ja[i].quick_ack == jb[i].quick_ack);
                if (ja[i].status == 0)
                    assert_memory_equal(ja[i].buf, jb[i].buf, ja[i].out_len);
            } else if (ja[i].status == 0) {
                compare_by_decrypting(&ja[i], &jb[i], x);
            }
            /* decrypt inputs: some corrupted */
            uint64_t v = mt_test_next(&r);
            size_t len = ja[i].status ? 40 : ja[i].out_len;
            if (v % 11 == 3 && len > 30)
                a[i * SLOT + 24 + (v >> 8) % (len - 24)] ^= 4;
            if (v % 13 == 7)
                len -= 1 + (v >> 16) % 15;
            memcpy(b + i * SLOT, a + i * SLOT, len);
            da[i] = (struct mt_msg_djob){ .key = ja[i].key, .buf = a + i * SLOT, .len = len };
            db[i] = da[i];
            db[i].buf = b + i * SLOT;
        }
        failed = mt_msg_decrypt_batch(da, n, x);
        failed_single = 0;
        for (size_t i = 0; i < n; i++)
            failed_single += mt_msg_decrypt(&db[i], x) != 0;
        assert_int_equal(failed, failed_single);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(da[i].status, db[i].status);
            assert_int_equal(da[i].body_len, db[i].body_len);
            assert_true(da[i].quick_ack == db[i].quick_ack);
            if (da[i].status == 0) {
                assert_memory_equal(da[i].plain, db[i].plain, 32 + da[i].body_len);
                assert_true(da[i].quick_ack == ja[i].quick_ack);
                assert_int_equal(da[i].body_len, ja[i].plain_len - 32);
            }
        }
        total += n;
    }
    free(a);
    free(b);
}

/* Mixed good and bad jobs across chunk boundaries: failures do not stop the
 * others, the count is right. */
static void test_batch_mixed_failures(void **st)
{
    (void)st;
    enum { N = 100 };
    struct mt_auth_key k = key_from_seed(6);
    uint8_t *buf = malloc(N * 256);
    struct mt_msg_job j[N];
    struct mt_msg_djob d[N];
    struct mt_rng rng;
    assert_int_equal(mt_rng_init(&rng), 0);
    for (size_t i = 0; i < N; i++) {
        memset(buf + i * 256 + 24, (int)i, 64);
        mt_store_le32(buf + i * 256 + 24 + 28, 32);
        j[i] = (struct mt_msg_job){ .key = i % 10 == 9 ? NULL : &k, .buf = buf + i * 256,
                                    .plain_len = 64, .cap = i % 7 == 6 ? 70 : 256 };
    }
    size_t expect = 0;
    for (size_t i = 0; i < N; i++)
        expect += i % 10 == 9 || i % 7 == 6;
    assert_int_equal(mt_msg_encrypt_batch(j, N, MT_X_CLIENT, &rng), expect);
    size_t bad = 0;
    for (size_t i = 0; i < N; i++) {
        d[i] = (struct mt_msg_djob){ .key = &k, .buf = j[i].buf, .len = j[i].out_len };
        if (j[i].status)
            d[i].len = 88, bad++;       /* garbage */
        else if (i % 5 == 0)
            d[i].buf[30] ^= 1, bad++;
    }
    assert_int_equal(mt_msg_decrypt_batch(d, N, MT_X_CLIENT), bad);
    for (size_t i = 0; i < N; i++) {
        if (j[i].status == 0 && i % 5 != 0) {
            assert_int_equal(d[i].status, 0);
            assert_int_equal(d[i].body_len, 32);
            assert_int_equal(d[i].body[0], (uint8_t)i);
        } else {
            assert_int_equal(d[i].status, MT_E_MSG_KEY);
        }
    }
    mt_rng_free(&rng);
    free(buf);
}

/* Random bytes of random lengths: always rejected, never read out of bounds
 * (run under ASan), and MTProto 1.0 decrypt as well. */
static void test_garbage(void **st)
{
    (void)st;
    struct mt_test_prng r;
    mt_test_prng_seed(&r, 99);
    struct mt_auth_key k = key_from_seed(7);
    for (int i = 0; i < 3000; i++) {
        size_t len = (size_t)(mt_test_next(&r) % 2100);
        uint8_t *buf = malloc(len ? len : 1);
        mt_test_fill(&r, buf, len);
        struct mt_msg_djob d = { .key = &k, .buf = buf, .len = len };
        int rc = mt_msg_decrypt(&d, i & 1 ? MT_X_SERVER : MT_X_CLIENT);
        assert_true(rc == MT_E_MSG_LEN || rc == MT_E_MSG_KEY);
        mt_test_fill(&r, buf, len);
        const uint8_t *p;
        size_t plen;
        rc = mt_msg1_decrypt(&k, buf, len, &p, &plen);
        assert_true(rc == MT_E_MSG_LEN || rc == MT_E_MSG_KEY || rc == MT_E_MSG_PAD);
        free(buf);
    }
}

int main(void)
{
    mt_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector_client_payload),
        cmocka_unit_test(test_vector_server_message),
        cmocka_unit_test(test_vector_sample_ping),
        cmocka_unit_test(test_round_trip_sizes),
        cmocka_unit_test(test_padding_choice),
        cmocka_unit_test(test_encrypt_errors),
        cmocka_unit_test(test_decrypt_rejects),
        cmocka_unit_test(test_batch_equals_single),
        cmocka_unit_test(test_batch_mixed_failures),
        cmocka_unit_test(test_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

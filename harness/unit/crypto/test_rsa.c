/* RSA: key loading (PKCS#1, SPKI, PKCS#8 private), fingerprints and raw RSA
 * (test-vectors.md 5.1-5.3), RSA_PAD known answers (5.4 a/b) and round trips,
 * the legacy SHA1 scheme, generate/save/load. */
#include <stdio.h>
#include <unistd.h>
#include "harness/unit/common/mt_test.h"
#include "core/crypto/mt_crypto.h"

/* 5.1 production key */
static const char PROD_PEM[] =
    "-----BEGIN RSA PUBLIC KEY-----\n"
    "MIIBCgKCAQEA6LszBcC1LGzyr992NzE0ieY+BSaOW622Aa9Bd4ZHLl+TuFQ4lo4g\n"
    "5nKaMBwK/BIb9xUfg0Q29/2mgIR6Zr9krM7HjuIcCzFvDtr+L0GQjae9H0pRB2OO\n"
    "62cECs5HKhT5DZ98K33vmWiLowc621dQuwKWSQKjWf50XYFw42h21P2KXUGyp2y/\n"
    "+aEyZ+uVgLLQbRA1dEjSDZ2iGRy12Mk5gpYc397aYp438fsJoHIgJ2lgMv5h7WY9\n"
    "t6N/byY9Nw9p21Og3AoXSL2q/2IJ1WRUhebgAdGVMlV1fkuOQoEzR7EdpqtQD9Cs\n"
    "5+bfo3Nhmcyvk5ftB0WkJ9z6bNZ7yxrP8wIDAQAB\n"
    "-----END RSA PUBLIC KEY-----\n";

/* 5.1 test-DC key (also the modulus of 5.4a) */
static const char TEST_PEM[] =
    "-----BEGIN RSA PUBLIC KEY-----\n"
    "MIIBCgKCAQEAyMEdY1aR+sCR3ZSJrtztKTKqigvO/vBfqACJLZtS7QMgCGXJ6XIR\n"
    "yy7mx66W0/sOFa7/1mAZtEoIokDP3ShoqF4fVNb6XeqgQfaUHd8wJpDWHcR2OFwv\n"
    "plUUI1PLTktZ9uW2WE23b+ixNwJjJGwBDJPQEQFBE+vfmH0JP503wr5INS1poWg/\n"
    "j25sIWeYPHYeOrFp/eXaqhISP6G+q2IeTaWTXpwZj4LzXq5YOpk4bYEQ6mvRq7D1\n"
    "aHWfYmlEGepfaYR8Q0YqvvhYtMte3ITnuSJs171+GDqpdKcSwHnd6FudwGO4pcCO\n"
    "j4WcDuXc2CTHgH8gFTNhp/Y8/SpDOhvn9QIDAQAB\n"
    "-----END RSA PUBLIC KEY-----\n";

/* 5.2 tdlib TEST(Mtproto, RSA) key */
static const char TDLIB_PEM[] =
    "-----BEGIN RSA PUBLIC KEY-----\n"
    "MIIBCgKCAQEAr4v4wxMDXIaMOh8bayF/NyoYdpcysn5EbjTIOZC0RkgzsRj3SGlu\n"
    "52QSz+ysO41dQAjpFLgxPVJoOlxXokaOq827IfW0bGCm0doT5hxtedu9UCQKbE8j\n"
    "lDOk+kWMXHPZFJKWRgKgTu9hcB3y3Vk+JFfLpq3d5ZB48B4bcwrRQnzkx5GhWOFX\n"
    "x73ZgjO93eoQ2b/lDyXxK4B4IS+hZhjzezPZTI5upTRbs5ljlApsddsHrKk6jJNj\n"
    "8Ygs/ps8e6ct82jLXbnndC9s8HjEvDvBPH9IPjv5JUlmHMBFZ5vFQIfbpo0u0+1P\n"
    "n6bkEi5o7/ifoyVv2pAZTRwppTz0EuXD8QIDAQAB\n"
    "-----END RSA PUBLIC KEY-----\n";

/* 5.3 gotd, 1024-bit SPKI */
static const char GOTD_PEM[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCJhOrkbrOi7/fFQRN2+8W5+Inx\n"
    "bdxo7XH5DDKgFvXPDDe8cQINO3/kFat7KlpC2n2sS8ApZQkmREANg0XpImL9lCHB\n"
    "v1FgQmL0xtnaURKo7FzaoaL4jCf5556NQr1th9F3oeN67mR4+BF0vPP9Gu6GY5Z1\n"
    "BSqi+FEREW/2aWSgSwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

/* A 2048-bit test key made for this test (openssl genpkey), PKCS#8, and
 * its public half in PKCS#1. */
static const char PKCS8_PRIV[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC451iWQqoqZ9Rf\n"
    "V5lp1EYS+oY0l4m2BM4aKQI7BgBZrEZHmm/OQR4cHonT87DmD8FStgh+/CySgPsA\n"
    "y3Ii/huzUpXSrDTcadOJjFZ/EonDqUAUhaXjGYk+UJhl9FQaKfkALJ/ntRbD5b++\n"
    "iyO6Q/+8PIZVXVdqMzT+ffR53AegJ5rpVoDDeORQJKkcf0pZ4HzVwa/XiPSQpFCG\n"
    "CwdQFMxOo/jPu2UJ4dPam9GA5aEiMyGt8QjV6dy2RjaW6Cx25o8cAcSw5xLUM+ke\n"
    "TXV6HYSIahyuNSJPhifdzJKc6Aa12OrbNe+NiM2VhdOtH856YNa9Kn5vcBmxu8fq\n"
    "J9ZsWFDtAgMBAAECggEAGe5+wDVhlmiRDRKvgNCU8p9w8ppCus90tOWFxbpYkpBJ\n"
    "xkv/RylfFtQk7J/zchMelUIonIqIQ77+tMSo4VsgORIpfJjLIb2zvZ7Rbf6EafeS\n"
    "yu4CxFVLUqfMn8Etia0o7zXS8pTf4vcV4PFe6tto18DomWXprGAPHBaVEqwMORES\n"
    "VB+H+55FE1sl2zgDv/zT+Aba44/dqZc+Rq5/1hp0bQh6vIDcmEFRVkQGwXYAUUEP\n"
    "5fJvjnLRfT+OZqdJGEekmmkOZC3Wz/9xbLP8duY55rFr4B4ysCNWoCkwA347HuKF\n"
    "0ycmnJ1uv4iadVvawqPQ/gk7poAEfBQeXYFGgkgnPwKBgQDrVTCpr/+D4E01bHVT\n"
    "9EHQBbJ7d+/wFd3RGstedv57FTKT5OBqPBGPdSkEfu+Lt0nHFnsmj9wb0h5QAdRV\n"
    "uRj3Qi8ROqsRJIb0w9qmmQDKhoVOa2IJk7aBqnr9ZhA7zl81XgS23QgJ/YmOHP7y\n"
    "0YdKTct2muvDV5Zdsg9fm1UcHwKBgQDJJGWaAlxeApsaU1f5eFDxk30xb/CzhGtz\n"
    "VmlmswXXbc8UOA0pwrUUivTBwpbDdnzc5D3Oh3qXE+Ay3+rhBG02MoZ1nNwfms6E\n"
    "8nxR4QhaaNHO5CoqUpd41Ta8trtPVidoQx1695dphfIRi1Q18KXKKTjj5ezH/S84\n"
    "fmWWle1xcwKBgB6HgLaixG0hTiLeHSJ1D4yjEJJ/7rqgu5QC+9sXaNAi4drZ2Fsv\n"
    "y79mnZmdtgnUD1gqjHNmOlHJonESq68rQhfhmCWODN8+c9uRBO6T7sxXQzf3KlK/\n"
    "vO95ZFc3RGfdz/AmcEogxog1QgETtedeU0TKbtjGJEvFMxaYoPHwPsxVAoGAS78R\n"
    "I/ZPoneIwVkxgBj3IoJQWxW0p2XusPiRqMMyJ/aKTSruihNw7dOGaJFHBUTRsL2j\n"
    "KOuMFui9PWtloGdyWT6dtBzmKGC79QT8HDmKU8G1gRwbZOTFdhOVEWwfDbl8DZ94\n"
    "sp4avvpaNpEpnUaKqJ7tdaVYjdeiuLugthyv1lECgYEAjNEUBcTQOPLnYmaPqkVa\n"
    "GlVgPRKd2oOHIc1Ly2jgMF/0qQiQ+r71b6k/XY8c/iUO9USAw+da18ndQ4pHX70u\n"
    "GDTvWAkqhYuWQRwUqle/VzXOimA20vI3FcKwpkSyCIT7c+9A6e4LeIPLNv7urOb+\n"
    "toOsSFiGIEZEmmUQIyC4OV0=\n"
    "-----END PRIVATE KEY-----\n";
static const char PKCS8_PUB1[] =
    "-----BEGIN RSA PUBLIC KEY-----\n"
    "MIIBCgKCAQEAuOdYlkKqKmfUX1eZadRGEvqGNJeJtgTOGikCOwYAWaxGR5pvzkEe\n"
    "HB6J0/Ow5g/BUrYIfvwskoD7AMtyIv4bs1KV0qw03GnTiYxWfxKJw6lAFIWl4xmJ\n"
    "PlCYZfRUGin5ACyf57UWw+W/vosjukP/vDyGVV1XajM0/n30edwHoCea6VaAw3jk\n"
    "UCSpHH9KWeB81cGv14j0kKRQhgsHUBTMTqP4z7tlCeHT2pvRgOWhIjMhrfEI1enc\n"
    "tkY2lugsduaPHAHEsOcS1DPpHk11eh2EiGocrjUiT4Yn3cySnOgGtdjq2zXvjYjN\n"
    "lYXTrR/OemDWvSp+b3AZsbvH6ifWbFhQ7QIDAQAB\n"
    "-----END RSA PUBLIC KEY-----\n";

static struct mt_rsa *load(const char *pem)
{
    char err[256] = "";
    struct mt_rsa *k = mt_rsa_load_pem(pem, strlen(pem), err, sizeof err);
    if (!k)
        fprintf(stderr, "load: %s\n", err);
    assert_non_null(k);
    return k;
}

static void assert_hex(const uint8_t *got, const char *hex)
{
    size_t n = strlen(hex) / 2;
    char *g = malloc(2 * n + 1);
    mt_hex_encode(got, n, g);
    assert_string_equal(g, hex);
    free(g);
}

static void test_fingerprints(void **st)
{
    (void)st;
    struct mt_rsa *k = load(PROD_PEM);
    assert_true(mt_rsa_fingerprint(k) == 0xd09d1d85de64fd85ull);
    assert_int_equal(mt_rsa_size(k), 256);
    assert_false(mt_rsa_has_private(k));
    mt_rsa_free(k);
    k = load(TEST_PEM);
    assert_true(mt_rsa_fingerprint(k) == 0xb25898df208d2603ull);
    mt_rsa_free(k);
    k = load(TDLIB_PEM);
    assert_true((int64_t)mt_rsa_fingerprint(k) == -7596991558377038078ll);
    mt_rsa_free(k);
    k = load(GOTD_PEM);
    assert_true(mt_rsa_fingerprint(k) == 1914007313702140277ull);
    assert_int_equal(mt_rsa_size(k), 128);
    mt_rsa_free(k);
}

static const char *TEST_N =
    "c8c11d635691fac091dd9489aedced2932aa8a0bcefef05fa800892d9b52ed03"
    "200865c9e97211cb2ee6c7ae96d3fb0e15aeffd66019b44a08a240cfdd2868a8"
    "5e1f54d6fa5deaa041f6941ddf302690d61dc476385c2fa655142353cb4e4b59"
    "f6e5b6584db76fe8b1370263246c010c93d011014113ebdf987d093f9d37c2be"
    "48352d69a1683f8f6e6c2167983c761e3ab169fde5daaa12123fa1beab621e4d"
    "a5935e9c198f82f35eae583a99386d8110ea6bd1abb0f568759f62694419ea5f"
    "69847c43462abef858b4cb5edc84e7b9226cd7bd7e183aa974a712c079dde85b"
    "9dc063b8a5c08e8f859c0ee5dcd824c7807f20153361a7f63cfd2a433a1be7f5";

static void test_from_public(void **st)
{
    (void)st;
    size_t n;
    uint8_t *nb = mt_test_hex(TEST_N, &n);
    struct mt_rsa *k = mt_rsa_from_public(nb, n, 65537);
    assert_non_null(k);
    assert_true(mt_rsa_fingerprint(k) == 0xb25898df208d2603ull);
    assert_false(mt_rsa_has_private(k));
    mt_rsa_free(k);
    free(nb);
}

/* 5.2 raw RSA: m = the first 256 bytes of the PEM text */
static void test_raw_public(void **st)
{
    (void)st;
    struct mt_rsa *k = load(TDLIB_PEM);
    uint8_t c[256];
    assert_int_equal(mt_rsa_public_raw(k, (const uint8_t *)TDLIB_PEM, c), 0);
    assert_hex(c, "45586017d0c547a329597e47070bcb026724294f357f76dc6f9d9b5589542254"
                  "f942ee08456ca3f5b2bc835d87adc8ad9c16fc68b4b6609d5e72873f1b3c5417"
                  "23999766d709a5194b6de8976150540dde730e3317d0547e5667717e9a77297c"
                  "76deda464c0ae9222a624d9d40d448d054344e45d783d6b5225cb68c4b0165a1"
                  "1cdc9702851987fbec3920a271f50a098d2bf9fc603d2d311ca9355abc438e52"
                  "f3cf9109f01c3000b14826ef9ceb86193cd00f408e5105c280bbaf817aaa2004"
                  "379d493114868d14322ce2ecaf5fbda9fd91c00188cb60ebde459bbc05b8c1d7"
                  "a4c072dff8f448942ec5d54d627199149ae2510e1b60a928ed09166370f43f2e");
    uint8_t big[256];
    memset(big, 0xff, sizeof big);
    assert_int_equal(mt_rsa_public_raw(k, big, c), MT_E_RSA);
    assert_int_equal(mt_rsa_private_raw(k, c, big), MT_E_RSA_KEY);
    mt_rsa_free(k);
    k = load(GOTD_PEM);   /* 1024-bit: no raw operations */
    assert_int_equal(mt_rsa_public_raw(k, big, c), MT_E_RSA_KEY);
    mt_rsa_free(k);
}

/* 5.4a grammers test_rsa_encryption: the first temp_key is rejected
 * (key_aes_encrypted >= n), the incremented one is the published output. */
static void test_rsa_pad_vector_retry(void **st)
{
    (void)st;
    struct mt_rsa *k = load(TEST_PEM);
    size_t dlen;
    uint8_t *data = mt_test_hex(
        "955ff5a9081a8e635f5743de9b00000004453dc27100000004622f1fcb000000f7a81627bbf511fa"
        "4afef71e94a0937474586c1add9198dda81a5df8393871c8293623c5fb968894af1be7dfe9c7be81"
        "3f9307789242fd0cb0c16a5cb39a8d3e", &dlen);
    assert_int_equal(dlen, 96);
    uint8_t *pad = mt_test_hex(
        "12270000635593b03fee033d0672f9afddf9124de9e77df6251806cba93482e4c9e6e06e7d44e4c4"
        "baae821aff91af44789689faaee9bdfc7b2df8c08709afe57396c4638ceaa0dc30114f82447e81d3"
        "b53edc423b32660c43a5b8ad057b6450", NULL);
    uint8_t *t1 = mt_test_hex("7dada0920c4973913229e0f881aec7b9db0c392d34f52fb0995ea493ecb4c09d", NULL);
    uint8_t *t2 = mt_test_hex("7dada0920c4973913229e0f881aec7b9db0c392d34f52fb0995ea493ecb4c09e", NULL);
    uint8_t out[256];
    assert_int_equal(mt_rsa_pad_encrypt_with(k, data, dlen, pad, t1, out), MT_E_RANGE);
    assert_int_equal(mt_rsa_pad_encrypt_with(k, data, dlen, pad, t2, out), 0);
    assert_hex(out, "b610642a828b4a61fe32931815cae318d311660580f1e0df768f3140f4d37dfc"
                    "fcac0c2870318de4ff2d2e0e9669bcfdc0bad06cadb1b59d9726b427368a9c7b"
                    "4fc0d5e7b2e99fc571968705c03acf5341fd7021bef653fa77b3776ae430e366"
                    "fc46d232459ebe128b08d80e049ae579a48b56ca93b520709468587c81af9666"
                    "6046e9ea85091d729e921e8d8a36f57b27644052dae7387c7f4131701d59cda7"
                    "5251dac66c94276280ef950d3c44c21e5a2454f7da7a6818cf23ae9c490b72b2"
                    "170d7cbc24f8a93db739d76f2d241c78b80123faaff3e664f074d6375d794dbf"
                    "2800a0b5bb48d54eceafedfb355bfbebd287d9023264e3b53627888250787a9e");
    free(data);
    free(pad);
    free(t1);
    free(t2);
    mt_rsa_free(k);
}

/* 5.4b gotd TestRSAPad: 144 x 'a', all randomness zero */
static void test_rsa_pad_vector_zero(void **st)
{
    (void)st;
    struct mt_rsa *k = load(PROD_PEM);
    uint8_t data[144], zero[48] = { 0 }, tk[32] = { 0 }, out[256];
    memset(data, 'a', sizeof data);
    assert_int_equal(mt_rsa_pad_encrypt_with(k, data, sizeof data, zero, tk, out), 0);
    assert_hex(out, "bf68719e836806b040cd261ecaf66eb3c4ba19f3bbea3031b2e6cf29167bab64"
                    "7201d101b291dc5b716a42e789a38d947fe59e9bcce8f30ef46a946743ea8b6b"
                    "abbce7fc0afc46b802aa453e83471d82a4dfad83f971f350b4b4fb474cd1c48f"
                    "df427e4b5fecce9ec3178ae7dac3985856fdefa21d6fdc5e0e0fd8a57bc4f515"
                    "80d637d372be8d87c9aa3fde8e6f8287bcb3be846aadcdd59465375479e248f6"
                    "2ed438f9804fbe36d41ca906243a5f740f3937949aa149ba8a8b8e68b3f3e1e3"
                    "cd3f946387520e21eee55845e1f015a919a22f6a72bfaecd2cae946c91983b41"
                    "f9ffabe97963bbde8f30eaf5fd3c5b8cecab8711bd269e441b6084f385726ff0");
    struct mt_rng rng;
    assert_int_equal(mt_rng_init(&rng), 0);
    uint8_t big[145] = { 0 };
    assert_int_equal(mt_rsa_pad_encrypt(k, big, 145, &rng, out), MT_E_INVAL);
    mt_rng_free(&rng);
    mt_rsa_free(k);
}

static void pad_round_trips(struct mt_rsa *priv)
{
    struct mt_rng rng;
    assert_int_equal(mt_rng_init(&rng), 0);
    uint8_t data[144], out[256], dec[192];
    size_t dlen;
    for (size_t len = 0; len <= 144; len += 16) {
        mt_rng_bytes(&rng, data, len);
        assert_int_equal(mt_rsa_pad_encrypt(priv, data, len, &rng, out), 0);
        assert_int_equal(mt_rsa_pad_decrypt(priv, out, dec, &dlen), 0);
        assert_int_equal(dlen, 192);
        assert_memory_equal(dec, data, len);
        /* any flipped bit is rejected */
        out[len] ^= 0x10;
        int rc = mt_rsa_pad_decrypt(priv, out, dec, &dlen);
        assert_int_equal(rc, MT_E_RSA);
    }
    uint8_t ff[256];
    memset(ff, 0xff, sizeof ff);
    assert_int_equal(mt_rsa_pad_decrypt(priv, ff, dec, &dlen), MT_E_RSA);
    /* legacy scheme */
    uint8_t block[255];
    for (size_t len = 0; len <= 235; len += 47) {
        mt_rng_bytes(&rng, data, len < 144 ? len : 144);
        uint8_t src[235];
        memset(src, 0x33, sizeof src);
        memcpy(src, data, len < 144 ? len : 144);
        assert_int_equal(mt_rsa_legacy_encrypt(priv, src, len, &rng, out), 0);
        assert_int_equal(mt_rsa_legacy_decrypt(priv, out, block), 0);
        assert_memory_equal(block + 20, src, len);
        assert_int_equal(mt_rsa_legacy_check(block, len), 0);
        if (len)
            assert_int_equal(mt_rsa_legacy_check(block, len - 1), MT_E_HASH);
    }
    assert_int_equal(mt_rsa_legacy_check(block, 236), MT_E_RANGE);
    assert_int_equal(mt_rsa_legacy_encrypt(priv, data, 236, &rng, out), MT_E_INVAL);
    /* the public operation of a block with a non-zero top byte */
    uint8_t m[256] = { 0x01 }, c[256];
    assert_int_equal(mt_rsa_public_raw(priv, m, c), 0);
    assert_int_equal(mt_rsa_legacy_decrypt(priv, c, block), MT_E_RSA);
    assert_int_equal(mt_rsa_private_raw(priv, c, out), 0);
    assert_memory_equal(out, m, 256);
    mt_rng_free(&rng);
}

static void test_pkcs8_key(void **st)
{
    (void)st;
    struct mt_rsa *priv = load(PKCS8_PRIV), *pub = load(PKCS8_PUB1);
    assert_true(mt_rsa_has_private(priv));
    assert_false(mt_rsa_has_private(pub));
    assert_true(mt_rsa_fingerprint(priv) == mt_rsa_fingerprint(pub));
    pad_round_trips(priv);
    /* the client side with the public half, the server side with the private */
    struct mt_rng rng;
    assert_int_equal(mt_rng_init(&rng), 0);
    uint8_t data[100], out[256], dec[192];
    size_t dlen;
    memset(data, 7, sizeof data);
    assert_int_equal(mt_rsa_pad_encrypt(pub, data, sizeof data, &rng, out), 0);
    assert_int_equal(mt_rsa_pad_decrypt(pub, out, dec, &dlen), MT_E_RSA_KEY);
    assert_int_equal(mt_rsa_pad_decrypt(priv, out, dec, &dlen), 0);
    assert_memory_equal(dec, data, sizeof data);
    mt_rng_free(&rng);
    mt_rsa_free(priv);
    mt_rsa_free(pub);
}

static void test_generate_save_load(void **st)
{
    (void)st;
    char err[256];
    struct mt_rsa *k = mt_rsa_generate(2048, err, sizeof err);
    assert_non_null(k);
    assert_true(mt_rsa_has_private(k));
    assert_int_equal(mt_rsa_size(k), 256);
    char priv_path[] = "/tmp/mt_rsa_test_XXXXXX", pub_path[] = "/tmp/mt_rsa_test_XXXXXX";
    int fd1 = mkstemp(priv_path), fd2 = mkstemp(pub_path);
    assert_true(fd1 >= 0 && fd2 >= 0);
    close(fd1);
    close(fd2);
    assert_int_equal(mt_rsa_save_private(k, priv_path), 0);
    assert_int_equal(mt_rsa_save_public(k, pub_path), 0);
    struct mt_rsa *kp = mt_rsa_load_file(priv_path, err, sizeof err);
    struct mt_rsa *ku = mt_rsa_load_file(pub_path, err, sizeof err);
    assert_non_null(kp);
    assert_non_null(ku);
    assert_true(mt_rsa_has_private(kp));
    assert_false(mt_rsa_has_private(ku));
    assert_true(mt_rsa_fingerprint(kp) == mt_rsa_fingerprint(k));
    assert_true(mt_rsa_fingerprint(ku) == mt_rsa_fingerprint(k));
    FILE *f = fopen(pub_path, "r");
    char line[64] = "";
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_string_equal(line, "-----BEGIN RSA PUBLIC KEY-----\n");
    assert_int_equal(mt_rsa_save_private(ku, priv_path), MT_E_INVAL);
    pad_round_trips(kp);
    unlink(priv_path);
    unlink(pub_path);
    mt_rsa_free(k);
    mt_rsa_free(kp);
    mt_rsa_free(ku);
}

static void test_load_errors(void **st)
{
    (void)st;
    char err[256] = "";
    static const char junk[] = "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n";
    assert_null(mt_rsa_load_pem(junk, strlen(junk), err, sizeof err));
    assert_true(err[0] != 0);
    assert_null(mt_rsa_load_pem("hello", 5, err, sizeof err));
    assert_null(mt_rsa_load_pem(PROD_PEM, 40, NULL, 0));
    assert_null(mt_rsa_load_file("/nonexistent/key.pem", err, sizeof err));
    assert_null(mt_rsa_generate(512, err, sizeof err));
}

int main(void)
{
    mt_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fingerprints),
        cmocka_unit_test(test_from_public),
        cmocka_unit_test(test_raw_public),
        cmocka_unit_test(test_rsa_pad_vector_retry),
        cmocka_unit_test(test_rsa_pad_vector_zero),
        cmocka_unit_test(test_pkcs8_key),
        cmocka_unit_test(test_generate_save_load),
        cmocka_unit_test(test_load_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* libFuzzer: obfuscated connections on the server side. Byte 0 bit 6 set:
 * the input is the raw stream (the 64-byte header comes from the fuzzer and
 * goes through detection). Clear: a valid header for the codec in byte 1
 * (with the MTProxy secret if bit 7) precedes the fuzzer's bytes, which are
 * encrypted with the client's stream first, so the deframer sees them as
 * plaintext. */
#include "fuzz_deframe.h"

static const uint8_t secret[1][16] = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    struct mt_tr probe;
    fuzz_ready(&probe, MT_TR_ABRIDGED, 0);   /* initialises crypto and rng */
    mt_tr_free(&probe);
    uint8_t ctl = data[0];
    const struct mt_tr_server_config cfg = {
        .secrets = secret, .nsecrets = 1, .allow_obfuscated = true, .allow_plain = true};
    struct mt_tr s;
    mt_tr_init_server(&s, &cfg, &fuzz_rng);
    if (ctl & 0x40) {
        fuzz_deframe_rx(&s, ctl, data + 1, size - 1, &cfg);
        mt_tr_free(&s);
        return 0;
    }
    struct mt_tr_config ccfg = {.kind = (enum mt_tr_kind)(data[1] % 3), .obfuscated = true,
                                .has_secret = (ctl & 0x80) != 0, .dc_id = 2};
    memcpy(ccfg.secret, secret[0], 16);
    struct mt_tr c;
    uint8_t rnd[64], *stream = malloc(64 + size);
    for (int i = 0; i < 64; i++) rnd[i] = (uint8_t)(37 * i + 11);
    fuzz_check(mt_tr_init_client(&c, &ccfg, &fuzz_rng) == 0);
    fuzz_check(mt_tr_client_preamble_from(&c, rnd, stream) == 64);
    memcpy(stream + 64, data + 2, size - 2);
    mt_ctr_xor(&c.enc, stream + 64, stream + 64, size - 2);
    fuzz_deframe_rx(&s, ctl, stream, 64 + size - 2, &cfg);
    fuzz_check(s.ready && s.obfuscated && s.ops->kind == ccfg.kind);
    free(stream);
    mt_tr_free(&c);
    mt_tr_free(&s);
    return 0;
}

/* libFuzzer: server-side detection of the transport from the first bytes,
 * with and without a configured MTProxy secret; every prefix of the input
 * must give AGAIN, DETECT or a preamble length within the prefix, and a
 * longer prefix never turns a decision back into AGAIN. */
#include "fuzz_deframe.h"

static const uint8_t secret[1][16] = {{0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
                                       0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa}};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mt_tr probe;
    fuzz_ready(&probe, MT_TR_ABRIDGED, 0);
    mt_tr_free(&probe);
    const struct mt_tr_server_config cfgs[2] = {
        {.allow_plain = true, .allow_obfuscated = true},
        {.secrets = secret, .nsecrets = 1, .allow_obfuscated = false},
    };
    size_t lim = size < 80 ? size : 80;
    for (int k = 0; k < 2; k++) {
        int decided = 0;
        for (size_t n = 0; n <= lim; n++) {
            uint8_t *in = malloc(n ? n : 1);
            memcpy(in, data, n);
            struct mt_tr_detected d;
            int rc = mt_tr_detect(in, n, &cfgs[k], &d);
            free(in);
            fuzz_check(rc == MT_E_AGAIN || rc == MT_E_TR_DETECT || (rc >= 0 && (size_t)rc <= n));
            if (decided)
                fuzz_check(rc != MT_E_AGAIN);
            if (rc != MT_E_AGAIN)
                decided = 1;
        }
    }
    return 0;
}

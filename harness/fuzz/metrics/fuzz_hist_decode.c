/* HdrHistogram decoders on arbitrary bytes: V2, compressed and base64. A
 * decoded histogram must re-encode and decode to the same counts. */
#include "core/metrics/mt_metrics.h"

#include <stdlib.h>

static void check_round_trip(const struct mt_hist *h)
{
    char *b64 = mt_hist_to_base64(h);
    if (!b64)
        return;
    struct mt_hist again;
    if (mt_hist_from_base64(&again, b64, strlen(b64)) != 0 || again.total_count != h->total_count ||
        memcmp(again.counts, h->counts, (size_t)h->counts_len * sizeof(int64_t)) != 0)
        abort();
    mt_hist_free(&again);
    free(b64);
    (void)mt_hist_percentile(h, 99.9);
    (void)mt_hist_stddev(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mt_hist h;
    if (size && (data[0] & 1)) {
        if (mt_hist_decode_v2(&h, data + 1, size - 1) == 0) {
            check_round_trip(&h);
            mt_hist_free(&h);
        }
    } else if (size) {
        if (mt_hist_decode_compressed(&h, data + 1, size - 1) == 0) {
            check_round_trip(&h);
            mt_hist_free(&h);
        }
    }
    if (mt_hist_from_base64(&h, (const char *)data, size) == 0)
        mt_hist_free(&h);
    return 0;
}

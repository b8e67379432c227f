/* Arbitrary bytes fed to the client FSM in each of its waiting states:
 * it must answer with MT_HS_SEND/MT_HS_DONE or a negative error, never read
 * out of bounds, and be dead (FAILED) after an error. */
#include "harness/fuzz/mtproto/fuzz_hs_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static const int server_msgs[3] = { 1, 3, 5 };
    int until = server_msgs[data[0] % 3], patch = data[1] & 1;
    struct fz_pair p;
    uint8_t genuine[MT_HS_MAX_MSG], msg[MT_HS_MAX_MSG], out[MT_HS_MAX_MSG];
    fz_pair_new(&p);
    size_t glen = fz_run_until(&p, until, genuine);
    size_t n = fz_message(genuine, glen, patch, data + 2, size - 2, msg);
    size_t out_len = 0;
    int rc = mt_hs_client_feed(p.c, msg, n, 1707425105.0, out, sizeof out, &out_len);
    if (rc < 0 && (mt_hs_client_state(p.c) != MT_HS_FAILED || mt_hs_client_detail(p.c) == MT_HS_E_NONE))
        abort();
    if (rc > 0 && out_len > sizeof out)
        abort();
    (void)mt_hs_client_error(p.c);
    fz_pair_free(&p);
    return 0;
}

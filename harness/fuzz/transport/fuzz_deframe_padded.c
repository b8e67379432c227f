/* libFuzzer: the padded deframer (direct and through the receive buffer). */
#include "fuzz_deframe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_codec(MT_TR_PADDED, data, size);
}

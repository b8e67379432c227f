/* Key files (--keys): any bytes must parse or fail cleanly. */
#include "loadgen/keyfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mt_keyfile kf;
    struct mt_why why;
    mt_keyfile_init(&kf, NULL);
    if (mt_keyfile_parse(&kf, (const char *)data, size, &why) == 0 && kf.n > 0 &&
        kf.e[kf.n - 1].key.id64 == 0 && kf.e[kf.n - 1].key.key[0] == 0x5a)
        kf.target[0] = 0;       /* touch the result */
    mt_keyfile_free(&kf);
    return 0;
}

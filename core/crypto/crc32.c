/* CRC-32 of the full transport: zlib's (reflected 0xEDB88320). */
#include <zlib.h>

#include "core/crypto/mt_crypto.h"

uint32_t mt_crc32(uint32_t crc, const void *data, size_t len)
{
    if (len == 0) return crc;
    return (uint32_t)crc32_z(crc, data, len);
}

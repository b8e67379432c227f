/* Error names. The table is the one place a code gets its text. */
#include "core/base/mt_base.h"

const char *mt_strerror(int err)
{
    switch (err) {
    case MT_OK: return "ok";
    case MT_E_INVAL: return "invalid argument";
    case MT_E_NOMEM: return "out of memory";
    case MT_E_RANGE: return "value out of range";
    case MT_E_AGAIN: return "need more input";
    case MT_E_UNSUPPORTED: return "not supported here";
    case MT_E_STATE: return "invalid in current state";
    case MT_E_OVERFLOW: return "output buffer too small";
    case MT_E_SYSTEM: return "system call failed";
    case MT_E_CRYPTO: return "crypto library failure";
    case MT_E_MSG_KEY: return "msg_key mismatch";
    case MT_E_MSG_LEN: return "bad encrypted message length";
    case MT_E_MSG_PAD: return "bad padding or message length field";
    case MT_E_AUTH_KEY_ID: return "unknown auth_key_id";
    case MT_E_RSA: return "RSA decode failed";
    case MT_E_RSA_KEY: return "bad or unknown RSA key";
    case MT_E_DH_PRIME: return "unsafe dh_prime";
    case MT_E_DH_G: return "bad DH generator";
    case MT_E_DH_RANGE: return "g_a/g_b out of range";
    case MT_E_PQ: return "pq factorization failed";
    case MT_E_HASH: return "hash check failed";
    case MT_E_RANDOM: return "random source failed";
    case MT_E_TL_SHORT: return "TL: truncated input";
    case MT_E_TL_CTOR: return "TL: unknown constructor";
    case MT_E_TL_VALUE: return "TL: invalid value";
    case MT_E_TL_SCHEMA: return "TL: bad schema";
    case MT_E_TL_INPUT: return "TL: bad input";
    case MT_E_TL_TRAILING: return "TL: trailing bytes";
    case MT_E_PROTO: return "protocol violation";
    case MT_E_MSG_ID: return "bad msg_id";
    case MT_E_SEQ_NO: return "bad seq_no";
    case MT_E_SALT: return "bad server salt";
    case MT_E_SESSION_ID: return "bad session_id";
    case MT_E_NONCE: return "nonce mismatch";
    case MT_E_HS_STATE: return "unexpected handshake message";
    case MT_E_CONTAINER: return "bad container";
    case MT_E_GZIP: return "bad gzip_packed";
    case MT_E_UNKNOWN_REQ: return "reply to unknown request";
    case MT_E_DH_FAIL: return "DH key exchange failed";
    case MT_E_FRAME: return "malformed frame";
    case MT_E_FRAME_LEN: return "bad frame length";
    case MT_E_CRC: return "CRC32 mismatch";
    case MT_E_TR_SEQ: return "transport seqno mismatch";
    case MT_E_TR_DETECT: return "unknown transport";
    case MT_E_TR_HEADER: return "bad obfuscation header";
    case MT_E_IO: return "I/O error";
    case MT_E_CLOSED: return "connection closed";
    case MT_E_CONNECT: return "connect failed";
    case MT_E_TIMEOUT: return "timed out";
    case MT_E_LIMIT: return "limit reached";
    default: return "unknown error";
    }
}

const char *mt_err_class(int err)
{
    if (err >= 0) return "ok";
    if (err > -100) return "generic";
    if (err > -200) return "crypto";
    if (err > -300) return "tl";
    if (err > -400) return "proto";
    if (err > -500) return "transport";
    if (err > -600) return "io";
    return "generic";
}

/* core/base: what every layer needs and nothing else — error codes, byte
 * order helpers, constant-time compare, secure wipe, the monotonic clock and
 * a leveled logger. Header of the lowest layer; it includes only libc. */
#ifndef MT_BASE_H
#define MT_BASE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ------------------------------------------------------------
 * Functions return int: 0 ok, a negative MT_E* code on failure. Codes are
 * grouped in classes of 100 so that a counter can bucket them by class
 * (mt_err_class). mt_strerror() never returns NULL. */
enum {
    MT_OK = 0,
    /* generic */
    MT_E_INVAL = -1,        /* bad argument */
    MT_E_NOMEM = -2,
    MT_E_RANGE = -3,        /* a length or value out of its allowed range */
    MT_E_AGAIN = -4,        /* not enough input yet / would block */
    MT_E_UNSUPPORTED = -5,  /* feature or tier not available on this CPU/build */
    MT_E_STATE = -6,        /* call not valid in the object's current state */
    MT_E_OVERFLOW = -7,     /* output buffer too small */
    MT_E_SYSTEM = -8,       /* a libc / OS call failed; errno kept by caller */
    /* crypto (-100..-199) */
    MT_E_CRYPTO = -100,     /* generic OpenSSL failure */
    MT_E_MSG_KEY = -101,    /* msg_key does not match the decrypted plaintext */
    MT_E_MSG_LEN = -102,    /* encrypted length not a multiple of 16 / too short */
    MT_E_MSG_PAD = -103,    /* padding outside 12..1024 or length field invalid */
    MT_E_AUTH_KEY_ID = -104,/* auth_key_id does not match */
    MT_E_RSA = -105,        /* RSA / RSA_PAD decode failed */
    MT_E_RSA_KEY = -106,    /* RSA key cannot be loaded / fingerprint unknown */
    MT_E_DH_PRIME = -107,   /* dh_prime fails the safety checks */
    MT_E_DH_G = -108,       /* g not valid for this prime */
    MT_E_DH_RANGE = -109,   /* g_a or g_b outside the allowed range */
    MT_E_PQ = -110,         /* pq cannot be factored into two primes */
    MT_E_HASH = -111,       /* a SHA1 / nonce hash check failed */
    MT_E_RANDOM = -112,     /* getrandom failed */
    /* TL (-200..-299) */
    MT_E_TL_SHORT = -200,   /* read past the end of the buffer */
    MT_E_TL_CTOR = -201,    /* unknown or unexpected constructor id */
    MT_E_TL_VALUE = -202,   /* a value outside what the type allows */
    MT_E_TL_SCHEMA = -203,  /* schema text cannot be parsed */
    MT_E_TL_INPUT = -204,   /* JSON / TL text input is malformed or mistyped */
    MT_E_TL_TRAILING = -205,/* bytes left after a complete object */
    /* MTProto session and handshake (-300..-399) */
    MT_E_PROTO = -300,      /* generic protocol violation */
    MT_E_MSG_ID = -301,     /* msg_id parity, monotonicity or time window */
    MT_E_SEQ_NO = -302,
    MT_E_SALT = -303,
    MT_E_SESSION_ID = -304,
    MT_E_NONCE = -305,
    MT_E_HS_STATE = -306,   /* handshake message not expected in this state */
    MT_E_CONTAINER = -307,
    MT_E_GZIP = -308,
    MT_E_UNKNOWN_REQ = -309,/* reply to a request we never sent */
    MT_E_DH_FAIL = -310,    /* dh_gen_fail / too many retries */
    /* transport (-400..-499) */
    MT_E_FRAME = -400,      /* malformed frame */
    MT_E_FRAME_LEN = -401,  /* frame length zero, unaligned or over the limit */
    MT_E_CRC = -402,
    MT_E_TR_SEQ = -403,     /* full transport seqno mismatch */
    MT_E_TR_DETECT = -404,  /* first bytes match no transport */
    MT_E_TR_HEADER = -405,  /* bad obfuscation header */
    /* I/O (-500..-599) */
    MT_E_IO = -500,
    MT_E_CLOSED = -501,     /* peer closed */
    MT_E_CONNECT = -502,
    MT_E_TIMEOUT = -503,
    MT_E_LIMIT = -504,      /* a configured or OS limit was reached */
};

const char *mt_strerror(int err);
/* The class of an error as a short name: "ok", "generic", "crypto", "tl",
 * "proto", "transport", "io". */
const char *mt_err_class(int err);

/* ---- bytes ------------------------------------------------------------- */
static inline uint32_t mt_load_le32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t mt_load_le64(const void *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline void mt_store_le32(void *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void mt_store_le64(void *p, uint64_t v) { memcpy(p, &v, 8); }
static inline uint32_t mt_load_be32(const void *p) { return __builtin_bswap32(mt_load_le32(p)); }
static inline uint64_t mt_load_be64(const void *p) { return __builtin_bswap64(mt_load_le64(p)); }
static inline void mt_store_be32(void *p, uint32_t v) { mt_store_le32(p, __builtin_bswap32(v)); }
static inline void mt_store_be64(void *p, uint64_t v) { mt_store_le64(p, __builtin_bswap64(v)); }

/* Constant-time equality of two byte strings: 1 if equal. */
int mt_ct_equal(const void *a, const void *b, size_t n);
/* Wipe that the compiler may not elide (key material). */
void mt_wipe(void *p, size_t n);
/* Hex helpers for tests, logs and CLI input. mt_hex_decode returns the byte
 * count, or a negative error (odd length, bad digit, too long). */
int mt_hex_decode(const char *hex, uint8_t *out, size_t cap);
void mt_hex_encode(const void *in, size_t n, char *out /* 2n+1 */);

/* ---- time -------------------------------------------------------------- */
/* Nanoseconds of CLOCK_MONOTONIC: the only clock used for latency. */
typedef uint64_t mt_ns;
mt_ns mt_now_ns(void);
/* Wall-clock seconds since the epoch (CLOCK_REALTIME) for msg_id and logs. */
double mt_wall_s(void);
#define MT_NS_PER_US 1000ull
#define MT_NS_PER_MS 1000000ull
#define MT_NS_PER_S  1000000000ull

/* ---- process ----------------------------------------------------------- */
/* For programs whose main thread waits for the stop signals with
 * sigtimedwait(): block SIGINT and SIGTERM (call before starting any thread,
 * so that every thread inherits the mask) and ignore SIGPIPE (a peer that
 * closes must not kill a load test). *set receives the two stop signals. */
void mt_block_stop_signals(void *sigset_out /* sigset_t * */);

/* ---- logging ----------------------------------------------------------- */
enum { MT_LOG_ERROR = 0, MT_LOG_WARN = 1, MT_LOG_INFO = 2, MT_LOG_DEBUG = 3 };
extern int mt_log_level; /* set once at start-up (MTLOAD_LOG or -v), then read-only */
void mt_log_write(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define mt_log(level, ...) \
    do { if ((level) <= mt_log_level) mt_log_write((level), __VA_ARGS__); } while (0)

#define MT_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MT_LIKELY(x) __builtin_expect(!!(x), 1)
#define MT_UNLIKELY(x) __builtin_expect(!!(x), 0)

#ifdef __cplusplus
}
#endif
#endif

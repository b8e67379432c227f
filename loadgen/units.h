/* loadgen/units: parsers for the values the command line takes — durations,
 * counts, sizes, rates, percentages, ranges, IPv4 ranges and HOST:PORT.
 *
 * Every parser reads a NUL-terminated string, never past its end, checks
 * every bound and overflow, and on failure returns a negative MT_E* code
 * with a one-line reason in *why (which may be NULL). The reason names the
 * offending text; the caller prefixes the flag name.
 *
 * Grammar shared by all numbers: DIGITS[.DIGITS] followed directly by an
 * optional unit (no sign, no spaces, no exponent). Fractions are allowed
 * where the result is exact: "1.5k" = 1500, "1.5KiB" = 1536, "0.5s".
 *
 *   duration  ns us ms s m h; a bare number is seconds     10s 500ms 2m 1.5h
 *   count     k K M G (decimal: 1k = 1000)                  1k 2M 1.5k 10000
 *   size      B; k K kB KB M MB G GB (decimal, 1k = 1000);
 *             Ki KiB Mi MiB Gi GiB (binary, 1KiB = 1024)    64 1KiB 1.5MiB
 *   rate      a count, optionally per s, m or h             50k 1M/s 600/m
 *   percent   N% (0..100), or a bare fraction 0..1          1% 0.5% 0.01
 */
#ifndef MT_LG_UNITS_H
#define MT_LG_UNITS_H

#include <stdbool.h>
#include "core/base/mt_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Why a value was refused: one line, NUL-terminated. */
#define MT_WHY_LEN 200
struct mt_why { char msg[MT_WHY_LEN]; };
/* printf into why (no-op when why is NULL); returns err, for `return mt_why_set(...)`. */
int mt_why_set(struct mt_why *why, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Plain decimal integers (an optional leading '-' only for the signed one). */
int mt_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out, struct mt_why *why);
int mt_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out, struct mt_why *why);
/* on/off, true/false, yes/no, 1/0 (case-insensitive). */
int mt_parse_bool(const char *s, bool *out, struct mt_why *why);

/* Durations in nanoseconds; at most 10 years, finer than 1 ns is refused. */
#define MT_DURATION_MAX_NS (3650ull * 86400ull * MT_NS_PER_S)
int mt_parse_duration(const char *s, mt_ns *out, struct mt_why *why);
int mt_parse_count(const char *s, uint64_t *out, struct mt_why *why);
int mt_parse_size(const char *s, uint64_t *out, struct mt_why *why);
/* Requests per second, > 0 and at most 1e12; "0" only with allow_zero. */
int mt_parse_rate(const char *s, bool allow_zero, double *out, struct mt_why *why);
/* A fraction in [0, 1]: "1%" -> 0.01, "0.25" -> 0.25. */
int mt_parse_percent(const char *s, double *out, struct mt_why *why);

/* LO-HI or a single value (LO = HI); LO <= HI is checked. */
int mt_parse_size_range(const char *s, uint64_t *lo, uint64_t *hi, struct mt_why *why);
int mt_parse_duration_range(const char *s, mt_ns *lo, mt_ns *hi, struct mt_why *why);
/* A.B.C.D-E.F.G.H or one address; host byte order; first <= last. */
int mt_parse_ipv4_range(const char *s, uint32_t *first, uint32_t *last, struct mt_why *why);

/* HOST:PORT, [IPv6]:PORT. host is a name, an IPv4 or an IPv6 literal
 * (stored without brackets). */
enum mt_host_kind { MT_HOST_NAME = 0, MT_HOST_IPV4 = 4, MT_HOST_IPV6 = 6, MT_HOST_ANY = 1 };
#define MT_HOST_MAX 253
struct mt_hostport {
    char host[MT_HOST_MAX + 1];
    uint16_t port;
    uint8_t kind;                   /* enum mt_host_kind */
};
enum {
    MT_HP_EMPTY_HOST_OK = 1,        /* ":9100" = every address (kind MT_HOST_ANY) */
    MT_HP_PORT0_OK = 2,             /* port 0 = let the OS pick (listeners) */
};
int mt_parse_hostport(const char *s, unsigned flags, struct mt_hostport *out, struct mt_why *why);
/* "host:port" / "[v6]:port" back into text; returns snprintf's count. */
int mt_hostport_format(const struct mt_hostport *hp, char *buf, size_t cap);

/* Decimal renderers for --print-config and messages ("1.5s", "64KiB"...). */
void mt_format_duration(mt_ns ns, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif

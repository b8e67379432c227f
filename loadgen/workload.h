/* loadgen/workload: what a session sends — parsed from --workload, sampled
 * per request in O(1) (alias method) with the fast PRNG.
 *
 * Syntax: a comma-separated list of operations, each optionally weighted by
 * a trailing ":WEIGHT" (a whole number, default 1):
 *
 *   ping[:W]                              ping (the default workload)
 *   ping_delay_disconnect[:DELAY[:W]]     ping_delay_disconnect, DELAY in whole
 *                                         seconds (default 75s); a single
 *                                         field is the DELAY, not a weight
 *   echo:SIZE[:W]                         echo of SIZE bytes (0..1MiB)
 *   echo:MIN-MAX[:W]                      size uniform in [MIN, MAX]
 *   echo:realistic[:W]                    the realistic size mix (see below)
 *   rpc:TEXT                              any method, TL text or JSON, kept as
 *   rpc:'TEXT'[:W] rpc:"TEXT"[:W]         text for the TL layer to encode; a
 *   rpc:{JSON}[:W]                        bare TEXT runs to the end of its item
 *                                         (it may contain ':'), so weight an rpc
 *                                         by quoting it or writing JSON
 *   handshake[:W]                         connect, create an auth key,
 *                                         disconnect: its own measured phase;
 *                                         cannot be mixed with other operations
 *
 *   --workload ping:3,echo:1KiB:1         3 pings for every 1 KiB echo
 *   --workload 'rpc:{"_":"help.getConfig"}:1,ping:9'
 *
 * Commas inside quotes, {}, [] and () do not split items. --workload may be
 * repeated: the lists are concatenated. At most MT_WL_MAX_OPS operations. */
#ifndef MT_LG_WORKLOAD_H
#define MT_LG_WORKLOAD_H

#include <stdbool.h>
#include "loadgen/rand.h"
#include "loadgen/units.h"

enum mt_wl_kind {
    MT_WL_PING = 0,
    MT_WL_PING_DELAY_DISCONNECT,
    MT_WL_ECHO,
    MT_WL_RPC,
    MT_WL_HANDSHAKE,
};

enum mt_wl_sizes { MT_WL_SIZE_FIXED = 0, MT_WL_SIZE_UNIFORM, MT_WL_SIZE_REALISTIC };

#define MT_WL_MAX_OPS 24     /* leaves metrics slots for phases (connect, handshake) */
#define MT_WL_ECHO_MAX (1u << 20)                   /* 1 MiB */
#define MT_WL_WEIGHT_MAX 1000000u
#define MT_WL_DISCONNECT_DELAY_DEFAULT (75 * MT_NS_PER_S)
#define MT_WL_RPC_TEXT_MAX 65536

struct mt_wl_op {
    enum mt_wl_kind kind;
    uint32_t weight;
    mt_ns disconnect_delay;         /* ping_delay_disconnect: whole seconds */
    enum mt_wl_sizes sizes;         /* echo */
    uint32_t size_min, size_max;    /* echo: fixed uses size_min == size_max */
    char *rpc_text;                 /* rpc: owned, NUL-terminated */
    bool rpc_json;                  /* rpc: the text is a JSON object */
    char name[48];                  /* label for reports, e.g. "echo:1KiB" */
};

struct mt_wl_mix {
    size_t n;
    struct mt_wl_op ops[MT_WL_MAX_OPS];
    uint64_t total_weight;
    /* alias table: pick column i uniformly, keep it if a 32-bit coin is below
     * alias_keep[i] (2^32 = always), else take alias_other[i] */
    uint64_t alias_keep[MT_WL_MAX_OPS];
    uint8_t alias_other[MT_WL_MAX_OPS];
};

/* Empty mix (n = 0). */
void mt_wl_mix_init(struct mt_wl_mix *mix);
/* Parse SPEC and append its operations; the sampler is rebuilt. On error
 * the mix is unchanged. */
int mt_wl_mix_add(struct mt_wl_mix *mix, const char *spec, struct mt_why *why);
/* If nothing was added: the default workload, one ping. */
void mt_wl_mix_default(struct mt_wl_mix *mix);
void mt_wl_mix_free(struct mt_wl_mix *mix);
bool mt_wl_mix_has(const struct mt_wl_mix *mix, enum mt_wl_kind kind);

/* Index of the operation for the next request, by weight, in O(1). */
static inline size_t mt_wl_pick(const struct mt_wl_mix *mix, struct mt_rand *r)
{
    uint64_t x = mt_rand_u64(r);
    size_t col = (size_t)(((x >> 32) * mix->n) >> 32);
    return (x & 0xffffffffu) < mix->alias_keep[col] ? col : mix->alias_other[col];
}

/* The mix back as a --workload spec that parses to the same mix. Returns
 * the length it needs (as snprintf). */
int mt_wl_mix_format(const struct mt_wl_mix *mix, char *buf, size_t cap);

/* Payload size for an echo operation. */
uint32_t mt_wl_echo_size(const struct mt_wl_op *op, struct mt_rand *r);

/* The realistic size mix: inverse CDF at u in [0, 1). A log-normal fitted to
 * median 150 B and 99th percentile 1 KiB (sigma = ln(1024/150)/2.326 =
 * 0.826), tabulated at the quantiles below and interpolated geometrically
 * between them, truncated to 16 B .. 8 KiB:
 *
 *   quantile 0   0.01 0.05 0.10 0.25 0.50 0.75 0.90 0.95 0.99 0.999 0.9999 1
 *   bytes    16  22   39   52   86   150  262  432  584  1024 1926  3243   8192
 *
 * These are the figures stated for real clients (median ~150 B, p99 ~1 KiB)
 * with a log-normal shape assumed between them, not a measured trace. */
uint32_t mt_wl_realistic_size(double u);

#endif

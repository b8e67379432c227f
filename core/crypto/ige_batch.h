/* Internal: the lane scheduler shared by the batch IGE kernels (AES-NI xmm,
 * VAES ymm, VAES zmm). A kernel holds `lanes` independent messages, `width`
 * per SIMD register, and advances all of them one block at a time; lanes
 * whose message ends are refilled with the next job (key expanded then) or
 * left idle on a scratch block. Each job keeps its own key, IV and length. */
#ifndef MT_IGE_BATCH_H
#define MT_IGE_BATCH_H

#include "core/crypto/crypto_impl.h"

#define MT_IGE_MAX_LANES 16 /* the widest kernels: 4 zmm x 4 lanes, 8 ymm x 2 */
#define MT_IGE_SCRATCH_BLOCKS 64

struct mt_ige_lanes {
    size_t lanes, width;
    int decrypt;
    uint32_t fresh;     /* lanes refilled for the expand call (bit per lane) */
    const uint8_t *in[MT_IGE_MAX_LANES];
    uint8_t *out[MT_IGE_MAX_LANES];
    size_t step[MT_IGE_MAX_LANES];        /* 16, or 0 on an idle lane */
    size_t left[MT_IGE_MAX_LANES];        /* blocks to go; 0 = idle */
    struct mt_ige_job *job[MT_IGE_MAX_LANES];
    /* chaining values, lane-major: what the kernels load into registers */
    uint8_t cprev[MT_IGE_MAX_LANES][16] __attribute__((aligned(64)));
    uint8_t pprev[MT_IGE_MAX_LANES][16] __attribute__((aligned(64)));
    /* round keys, [register][round][lane in register][16]: one aligned load
     * gives every lane of a register its key for that round */
    uint8_t rk[MT_IGE_MAX_LANES * 15 * 16] __attribute__((aligned(64)));
    /* idle lanes' output: a kernel may store every lane unconditionally */
    uint8_t scratch[MT_IGE_SCRATCH_BLOCKS * 16] __attribute__((aligned(64)));
};

/* Run nblocks blocks on every lane (idle lanes write the scratch area;
 * nblocks <= MT_IGE_SCRATCH_BLOCKS whenever a lane is idle). */
typedef void (*mt_ige_kernel_fn)(struct mt_ige_lanes *st, size_t nblocks);
/* Write the round keys (encryption or equivalent-inverse decryption
 * schedule, per st->decrypt) of the jobs now in lanes[0..count). */
typedef void (*mt_ige_expand_fn)(struct mt_ige_lanes *st, const size_t *lanes, size_t count);

/* Round key `round` of `lane`: rk0 + round * mt_ige_rk_stride(st). */
static inline uint8_t *mt_ige_lane_rk(struct mt_ige_lanes *st, size_t lane, int round)
{
    size_t g = lane / st->width, w = lane % st->width;
    return st->rk + ((g * 15 + (size_t)round) * st->width + w) * 16;
}
static inline size_t mt_ige_rk_stride(const struct mt_ige_lanes *st) { return st->width * 16; }

/* For the kernels: within one kernel call every busy
 * lane has at least nblocks blocks left, so lane l's block b is at
 * base + 16b; idle lanes read a busy lane's input and either skip their
 * stores (busy) or write the scratch area. */
struct mt_ige_bases {
    const uint8_t *in[MT_IGE_MAX_LANES];
    uint8_t *out[MT_IGE_MAX_LANES];
    uint32_t busy;
};

static inline void mt_ige_bases_load(const struct mt_ige_lanes *st, struct mt_ige_bases *lb)
{
    size_t any = 0;
    for (size_t l = 0; l < st->lanes; l++)
        if (st->step[l]) any = l;
    lb->busy = 0;
    for (size_t l = 0; l < st->lanes; l++) {
        lb->in[l] = st->step[l] ? st->in[l] : st->in[any];
        lb->out[l] = st->out[l];
        lb->busy |= (uint32_t)(st->step[l] != 0) << l;
    }
}

static inline void mt_ige_bases_advance(struct mt_ige_lanes *st, size_t nblocks)
{
    for (size_t l = 0; l < st->lanes; l++) {
        st->in[l] += st->step[l] * nblocks;
        st->out[l] += st->step[l] * nblocks;
    }
}

/* Drive the lanes through all jobs. Messages left running alone at the end
 * (the queue empty, few lanes busy) finish on the single-stream path, which
 * is faster than a mostly idle wide kernel. */
void mt_ige_batch_run(struct mt_ige_job *jobs, size_t n, size_t lanes, size_t width, int decrypt,
                      mt_ige_kernel_fn kernel, mt_ige_expand_fn expand);

#endif

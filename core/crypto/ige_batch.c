/* The lane scheduler of the batch IGE kernels (see ige_batch.h). */
#include "core/crypto/ige_batch.h"

static void lane_idle(struct mt_ige_lanes *st, size_t l)
{
    st->in[l] = st->scratch;
    st->out[l] = st->scratch;
    st->step[l] = 0;
    st->left[l] = 0;
    st->job[l] = NULL;
}

/* Job j starts on lane l: its buffers, length and IV as chaining values. */
static void lane_start(struct mt_ige_lanes *st, size_t l, struct mt_ige_job *j)
{
    st->job[l] = j;
    st->in[l] = j->in;
    st->out[l] = j->out;
    st->step[l] = 16;
    st->left[l] = j->len / 16;
    memcpy(st->cprev[l], j->iv, 16);
    memcpy(st->pprev[l], j->iv + 16, 16);
    st->fresh |= 1u << l;
}

/* A lane idle from the start still runs through the kernel: give it
 * defined (zero) keys and chaining values. */
static void lane_blank(struct mt_ige_lanes *st, size_t l)
{
    lane_idle(st, l);
    memset(st->cprev[l], 0, 16);
    memset(st->pprev[l], 0, 16);
    for (int r = 0; r < 15; r++) memset(mt_ige_lane_rk(st, l, r), 0, 16);
}

/* Put jobs from *next into idle lanes; expand their keys in one call so an
 * implementation can expand several keys together. Returns busy lanes. */
static size_t refill(struct mt_ige_lanes *st, struct mt_ige_job *jobs, size_t n, size_t *next,
                     mt_ige_expand_fn expand)
{
    size_t fresh[MT_IGE_MAX_LANES], nf = 0, busy = 0, k = *next;
    st->fresh = 0;
    for (size_t l = 0; l < st->lanes; l++) {
        if (st->left[l]) { busy++; continue; }
        while (k < n && jobs[k].len == 0) k++;
        if (k >= n) continue;
        lane_start(st, l, &jobs[k++]);
        fresh[nf++] = l;
        busy++;
    }
    *next = k;
    if (nf) expand(st, fresh, nf);
    return busy;
}

static void finish_alone(struct mt_ige_lanes *st)
{
    const struct mt_crypto_impl *t = &mt_crypto_active;
    for (size_t l = 0; l < st->lanes; l++) {
        if (!st->left[l]) continue;
        struct mt_ige_job *j = st->job[l];
        memcpy(j->iv, st->cprev[l], 16);
        memcpy(j->iv + 16, st->pprev[l], 16);
        (st->decrypt ? t->ige_decrypt : t->ige_encrypt)(j->key, j->iv, st->in[l], st->out[l],
                                                         st->left[l] * 16);
        lane_idle(st, l);
    }
}

/* The usual batch of small messages: every job has a lane and all have the
 * same length, so all lanes start and end together. One pass sets each lane
 * up and one writes the IVs back; the refill loop, whose per-lane scans cost
 * as much as a 16-lane kernel step, never runs. Returns 0 for other batches. */
static int run_wave(struct mt_ige_lanes *st, struct mt_ige_job *jobs, size_t n,
                    mt_ige_kernel_fn kernel, mt_ige_expand_fn expand)
{
    size_t len = jobs[0].len, nb = len / 16;
    /* two or fewer messages go faster on the single-stream path */
    if (n > st->lanes || n < 3 || nb == 0) return 0;
    for (size_t k = 1; k < n; k++)
        if (jobs[k].len != len) return 0;
    size_t lanes[MT_IGE_MAX_LANES];
    st->fresh = 0;
    for (size_t l = 0; l < n; l++) {
        lane_start(st, l, &jobs[l]);
        lanes[l] = l;
    }
    for (size_t l = n; l < st->lanes; l++) lane_blank(st, l);
    expand(st, lanes, n);
    /* idle lanes write the scratch area, which holds only so many blocks */
    size_t chunk = n < st->lanes ? MT_IGE_SCRATCH_BLOCKS : nb;
    for (size_t b = 0; b < nb; b += chunk) kernel(st, nb - b < chunk ? nb - b : chunk);
    for (size_t l = 0; l < n; l++) {
        memcpy(jobs[l].iv, st->cprev[l], 16);
        memcpy(jobs[l].iv + 16, st->pprev[l], 16);
    }
    return 1;
}

void mt_ige_batch_run(struct mt_ige_job *jobs, size_t n, size_t lanes, size_t width, int decrypt,
                      mt_ige_kernel_fn kernel, mt_ige_expand_fn expand)
{
    struct mt_ige_lanes st;
    st.lanes = lanes;
    st.width = width;
    st.decrypt = decrypt;
    if (run_wave(&st, jobs, n, kernel, expand)) return;
    for (size_t l = 0; l < lanes; l++) lane_idle(&st, l);
    size_t next = 0, busy = refill(&st, jobs, n, &next, expand);
    for (size_t l = 0; l < lanes; l++)
        if (!st.left[l]) lane_blank(&st, l);
    while (busy) {
        if (next >= n && busy <= 2) {
            finish_alone(&st);
            break;
        }
        size_t m = busy < lanes ? MT_IGE_SCRATCH_BLOCKS : SIZE_MAX;
        for (size_t l = 0; l < lanes; l++)
            if (st.left[l] && st.left[l] < m) m = st.left[l];
        kernel(&st, m);
        size_t done = 0;
        for (size_t l = 0; l < lanes; l++) {
            if (!st.left[l] || (st.left[l] -= m)) continue;
            uint8_t *iv = st.job[l]->iv;
            memcpy(iv, st.cprev[l], 16);
            memcpy(iv + 16, st.pprev[l], 16);
            lane_idle(&st, l);
            done++;
        }
        busy -= done;
        if (next < n) busy = refill(&st, jobs, n, &next, expand);
    }
    /* The round keys are not wiped: they reveal no more than the per-message
     * keys the caller still holds in its jobs, and wiping 2-8 KiB costs as
     * much as encrypting a small message. */
}

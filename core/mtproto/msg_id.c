/* msg_id generation and checks, the replay window, seq_no (description.md:
 * "Message Identifier", security_guidelines.md: "Checking msg_id"). */
#include "core/mtproto/session.h"

#include <math.h>

/* (seconds, fraction) of a double time as a 32.32 fixed-point number. The
 * fraction keeps the low bits non-zero, as the protocol asks. */
static uint64_t time_to_id(double t)
{
    if (t < 0) t = 0;
    double sec = floor(t);
    uint64_t frac = (uint64_t)((t - sec) * 4294967296.0);
    if (frac > 0xffffffffull) frac = 0xffffffffull;
    return ((uint64_t)sec << 32) | frac;
}

uint64_t mt_msgid_next(struct mt_msgid_gen *g, double wall, unsigned parity)
{
    uint64_t id = (time_to_id(wall + g->offset) & ~(uint64_t)3) | (parity & 3);
    if (id <= g->last)
        id = ((g->last & ~(uint64_t)3) + 4) | (parity & 3);
    g->last = id;
    return id;
}

void mt_msgid_correct(struct mt_msgid_gen *g, uint64_t server_msg_id, double wall)
{
    double server_t = (double)(server_msg_id >> 32) +
                      (double)(uint32_t)server_msg_id / 4294967296.0;
    g->offset = server_t - wall;
    /* Ids issued with the wrong clock are void: if the clock was ahead, the
     * next ones must be allowed to go lower, else they stay rejected. */
    g->last = 0;
}

int mt_msgid_check_time(uint64_t msg_id, double now_s)
{
    double t = (double)(msg_id >> 32) + (double)(uint32_t)msg_id / 4294967296.0;
    if (t < now_s - MT_SESS_TIME_PAST) return MT_BAD_MSG_ID_LOW;
    if (t > now_s + MT_SESS_TIME_FUTURE) return MT_BAD_MSG_ID_HIGH;
    return 0;
}

/* ---- replay window --------------------------------------------------------
 * An unsorted array of the highest MT_SESS_RECENT_IDS ids seen: the scan is a
 * few dozen compares, cheaper than keeping it sorted, and constant memory. */
void mt_msgid_window_init(struct mt_msgid_window *w)
{
    memset(w, 0, sizeof(*w));
}

int mt_msgid_window_check(const struct mt_msgid_window *w, uint64_t id)
{
    if (w->n == MT_SESS_RECENT_IDS && id < w->min) return 2;
    if (w->n && (id < w->min || id > w->max)) return 0;
    for (uint32_t i = 0; i < w->n; i++)
        if (w->ids[i] == id) return 1;
    return 0;
}

static void window_recompute_min(struct mt_msgid_window *w)
{
    uint64_t m = UINT64_MAX;
    for (uint32_t i = 0; i < w->n; i++)
        if (w->ids[i] < m) m = w->ids[i];
    w->min = m;
}

void mt_msgid_window_insert(struct mt_msgid_window *w, uint64_t id)
{
    if (w->n < MT_SESS_RECENT_IDS) {
        w->ids[w->n++] = id;
        if (w->n == 1 || id < w->min) w->min = id;
        if (w->n == 1 || id > w->max) w->max = id;
        return;
    }
    if (id <= w->min) return;   /* would be evicted at once */
    for (uint32_t i = 0; i < w->n; i++) {
        if (w->ids[i] == w->min) { w->ids[i] = id; break; }
    }
    if (id > w->max) w->max = id;
    window_recompute_min(w);
}

uint8_t mt_msgid_window_state(const struct mt_msgid_window *w, uint64_t id)
{
    if (w->n == 0) return 3;
    if (id > w->max) return 3;
    if (mt_msgid_window_check(w, id) == 1) return 4;
    if (id < w->min) return 1;
    return 2;
}

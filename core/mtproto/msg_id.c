/* msg_id generation and checks, the replay window, seq_no (description.md:
 * "Message Identifier", security_guidelines.md: "Checking msg_id"). */
#include "core/mtproto/session.h"


/* A time in seconds as 32.32 fixed point: one multiply, no libm (this runs
 * once per message). Until 2106 the product fits an unsigned 64-bit id. */
static uint64_t time_to_id(double t)
{
    if (!(t > 0)) return 0;
    if (t >= 4294967296.0) return UINT64_MAX;
    return (uint64_t)(t * 4294967296.0);
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
 * A sorted ring of the highest ids seen: ids[(head + i) % N] ascending. The
 * usual case, an id above all others, is a compare and a store; a reordered
 * one a binary search and a short shift. Constant memory. */
#define WMASK (MT_SESS_RECENT_IDS - 1)
_Static_assert((MT_SESS_RECENT_IDS & WMASK) == 0, "window size must be a power of two");

static inline uint64_t w_at(const struct mt_msgid_window *w, uint32_t i)
{
    return w->ids[(w->head + i) & WMASK];
}

/* First position whose id is >= id (0..n). */
static uint32_t w_lower_bound(const struct mt_msgid_window *w, uint64_t id)
{
    uint32_t lo = 0, hi = w->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (w_at(w, mid) < id) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

void mt_msgid_window_init(struct mt_msgid_window *w)
{
    memset(w, 0, sizeof(*w));
}

int mt_msgid_window_check(const struct mt_msgid_window *w, uint64_t id)
{
    if (w->n == 0 || id > w_at(w, w->n - 1)) return 0;
    if (id < w_at(w, 0)) return w->n == MT_SESS_RECENT_IDS ? 2 : 0;
    uint32_t p = w_lower_bound(w, id);
    return p < w->n && w_at(w, p) == id;
}

void mt_msgid_window_insert(struct mt_msgid_window *w, uint64_t id)
{
    if (w->n == MT_SESS_RECENT_IDS) {
        if (id <= w_at(w, 0)) return;      /* would be evicted at once */
        w->head = (w->head + 1) & WMASK;   /* evict the lowest */
        w->n--;
    }
    if (w->n == 0 || id > w_at(w, w->n - 1)) {
        w->ids[(w->head + w->n) & WMASK] = id;
        w->n++;
        return;
    }
    uint32_t p = w_lower_bound(w, id);
    if (p < w->n && w_at(w, p) == id) return;
    for (uint32_t i = w->n; i > p; i--)
        w->ids[(w->head + i) & WMASK] = w->ids[(w->head + i - 1) & WMASK];
    w->ids[(w->head + p) & WMASK] = id;
    w->n++;
}

uint8_t mt_msgid_window_state(const struct mt_msgid_window *w, uint64_t id)
{
    if (w->n == 0 || id > w_at(w, w->n - 1)) return 3;
    if (mt_msgid_window_check(w, id) == 1) return 4;
    if (id < w_at(w, 0)) return 1;
    return 2;
}

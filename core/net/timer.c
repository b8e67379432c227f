/* Timers: a 4-ary min-heap of caller-embedded timers, ordered by (when,
 * start order) so that timers due at the same instant fire in the order they
 * were started. A 4-ary heap is shallower than a binary one and its four
 * children share a cache line: start/stop are O(log4 n). */
#include <stdlib.h>
#include "core/net/net_impl.h"

#define HEAP_ARITY 4

static bool timer_before(const struct mt_timer *a, const struct mt_timer *b)
{
    return a->when < b->when || (a->when == b->when && a->order < b->order);
}

static void heap_place(struct mt_loop *loop, size_t i, struct mt_timer *t)
{
    loop->heap[i] = t;
    t->heap_idx = (uint32_t)i;
}

static void sift_up(struct mt_loop *loop, size_t i)
{
    struct mt_timer *t = loop->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / HEAP_ARITY;
        if (!timer_before(t, loop->heap[parent]))
            break;
        heap_place(loop, i, loop->heap[parent]);
        i = parent;
    }
    heap_place(loop, i, t);
}

static void sift_down(struct mt_loop *loop, size_t i)
{
    struct mt_timer *t = loop->heap[i];
    for (;;) {
        size_t first = i * HEAP_ARITY + 1, best = i;
        struct mt_timer *bt = t;
        for (size_t c = first; c < first + HEAP_ARITY && c < loop->nheap; c++)
            if (timer_before(loop->heap[c], bt)) {
                best = c;
                bt = loop->heap[c];
            }
        if (best == i)
            break;
        heap_place(loop, i, bt);
        i = best;
    }
    heap_place(loop, i, t);
}

void mt_timer_init(struct mt_timer *t, mt_timer_cb cb, void *ud)
{
    t->when = 0;
    t->order = 0;
    t->heap_idx = UINT32_MAX;
    t->cb = cb;
    t->ud = ud;
}

static void heap_remove(struct mt_loop *loop, struct mt_timer *t)
{
    size_t i = t->heap_idx;
    struct mt_timer *last = loop->heap[--loop->nheap];
    t->heap_idx = UINT32_MAX;
    if (i == loop->nheap)
        return;
    heap_place(loop, i, last);
    if (i > 0 && timer_before(last, loop->heap[(i - 1) / HEAP_ARITY]))
        sift_up(loop, i);
    else
        sift_down(loop, i);
}

int mt_timer_start(struct mt_loop *loop, struct mt_timer *t, mt_ns when)
{
    if (mt_timer_active(t))
        heap_remove(loop, t);
    if (loop->nheap == loop->heapcap) {
        size_t cap = loop->heapcap ? loop->heapcap * 2 : 64;
        struct mt_timer **h = realloc(loop->heap, cap * sizeof *h);
        if (!h)
            return MT_E_NOMEM;
        loop->heap = h;
        loop->heapcap = cap;
    }
    t->when = when;
    t->order = loop->timer_order++;
    heap_place(loop, loop->nheap++, t);
    sift_up(loop, t->heap_idx);
    return 0;
}

int mt_timer_start_in(struct mt_loop *loop, struct mt_timer *t, mt_ns delay)
{
    return mt_timer_start(loop, t, mt_loop_now(loop) + delay);
}

void mt_timer_stop(struct mt_loop *loop, struct mt_timer *t)
{
    if (mt_timer_active(t))
        heap_remove(loop, t);
}

size_t mt_loop_timer_count(const struct mt_loop *loop)
{
    return loop->nheap;
}

/* Fire every timer due now. A timer (re)started by a callback for a time
 * already due waits for the next iteration: its order is past the bound. */
void mt_timers_run(struct mt_loop *loop)
{
    uint64_t bound = loop->timer_order;
    while (loop->nheap) {
        struct mt_timer *t = loop->heap[0];
        if (t->when > loop->now || t->order >= bound)
            break;
        heap_remove(loop, t);
        loop->stats.timers_fired++;
        t->cb(loop, t, t->ud);
    }
}

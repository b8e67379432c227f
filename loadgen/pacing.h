/* loadgen/pacing: when each request is due.
 *
 * Open loop: a plan is a piecewise-linear profile of the TOTAL request rate
 * over the run (a constant --rate, or --stages ramps). Each session owns an
 * mt_pace schedule over that plan and fires at 1/N of the rate with its own
 * random phase, so N sessions do not fire together. Request k of a session
 * is due when the plan's cumulative count reaches (k + phase) * N; the time
 * is computed from k directly (never by adding intervals), so it does not
 * drift over any horizon.
 *
 * The schedule never slows down: if the caller is late, mt_pace_due() says
 * how many requests are already due and mt_pace_lag() how late the oldest
 * one is. The caller measures latency from the intended time it got here
 * (coordinated omission corrected) and may keep the actual send time too.
 *
 * Everything is a pure function of the times passed in; no clock is read.
 * Times are absolute CLOCK_MONOTONIC ns (mt_now_ns) unless named "offset".
 *
 * Also here: the closed-loop window (--depth), the --reconnect-every
 * counter, and the reconnect backoff (exponential, full jitter, bounded). */
#ifndef MT_LG_PACING_H
#define MT_LG_PACING_H

#include <stdbool.h>
#include "loadgen/rand.h"
#include "loadgen/units.h"

/* One --stages entry: reach `target` (rate in req/s, or sessions) linearly
 * over `duration`, starting from the previous stage's target. */
struct mt_stage {
    mt_ns duration;
    double target;
};
#define MT_STAGES_MAX 64

struct mt_pace_segment {
    mt_ns t0, t1;               /* offsets from the run start */
    double r0, r1;              /* value (rate) at t0 and at t1 */
    long double cum0;           /* integral of the rate before t0 (requests) */
    long double cum1;           /* ... before t1 */
    long double ns_per_req;     /* constant segments: 1e9 / rate (a multiply per request) */
};

struct mt_pace_plan {
    size_t n;
    struct mt_pace_segment seg[MT_STAGES_MAX + 1];
    mt_ns end;                  /* offset where the plan ends */
    mt_ns warmup;               /* offset before which results are excluded */
    uint32_t sessions;          /* schedules sharing the rate */
    long double total;          /* requests over the whole plan (all sessions) */
};

/* A constant rate over [0, warmup + duration): the warmup runs at the rate
 * too, the measured part is the `duration` after it. */
int mt_pace_plan_constant(struct mt_pace_plan *plan, double rate, mt_ns warmup, mt_ns duration,
                          uint32_t sessions);
/* Stages from `start` value: the stages are the whole timeline; warmup
 * marks its first part as excluded (it must end before the plan does). */
int mt_pace_plan_stages(struct mt_pace_plan *plan, double start, const struct mt_stage *stages,
                        size_t n, mt_ns warmup, uint32_t sessions);
/* The profile's value at an offset: the total rate (or, for a sessions ramp
 * built with sessions = 1, the number of sessions wanted). 0 after the end. */
double mt_pace_value_at(const struct mt_pace_plan *plan, mt_ns offset);
/* First offset at which the profile reaches `value` (e.g. session i of a
 * sessions ramp starts when the value reaches i + 1); MT_PACE_NEVER if it
 * never does. The count of sessions wanted at an offset is
 * floor(mt_pace_value_at()), which also says when to stop them on the way down. */
mt_ns mt_pace_first_reach(const struct mt_pace_plan *plan, double value);
/* Whether a request intended at absolute time t counts in the results. */
static inline bool mt_pace_measured(const struct mt_pace_plan *plan, mt_ns start, mt_ns t)
{
    return t >= start + plan->warmup && t < start + plan->end;
}

#define MT_PACE_NEVER UINT64_MAX

struct mt_pace {
    const struct mt_pace_plan *plan;
    mt_ns start;                /* absolute start of the run */
    double phase;               /* [0, 1): where in its period this session fires */
    uint64_t k;                 /* index of the next request */
    size_t seg;                 /* segment of the next request (cache) */
    mt_ns next;                 /* absolute intended time of request k, or MT_PACE_NEVER */
};

/* phase: e.g. mt_rand_unit() per session. */
void mt_pace_init(struct mt_pace *p, const struct mt_pace_plan *plan, mt_ns start, double phase);
/* Intended absolute time of the next request; MT_PACE_NEVER when done. */
static inline mt_ns mt_pace_peek(const struct mt_pace *p) { return p->next; }
/* Consume the next request (call after sending it). */
void mt_pace_advance(struct mt_pace *p);
/* Intended absolute time of request k of this schedule (MT_PACE_NEVER if
 * beyond the plan). Pure; used by mt_pace_advance and by tests. */
mt_ns mt_pace_time_of(const struct mt_pace *p, uint64_t k);
/* How many requests are due at `now` (intended <= now), counting from the
 * next one, at most `max`. Does not consume them. */
uint64_t mt_pace_due(const struct mt_pace *p, mt_ns now, uint64_t max);
/* How late the oldest unsent request is at `now` (0 if none is due). */
static inline mt_ns mt_pace_lag(const struct mt_pace *p, mt_ns now)
{
    return p->next != MT_PACE_NEVER && now > p->next ? now - p->next : 0;
}

/* ---- closed loop ---------------------------------------------------------- */
struct mt_closed {
    uint32_t depth;             /* requests in flight allowed (--depth) */
    uint32_t inflight;
};
static inline uint32_t mt_closed_room(const struct mt_closed *c)
{
    return c->inflight < c->depth ? c->depth - c->inflight : 0;
}
static inline void mt_closed_sent(struct mt_closed *c, uint32_t n) { c->inflight += n; }
static inline void mt_closed_done(struct mt_closed *c, uint32_t n)
{
    c->inflight = n > c->inflight ? 0 : c->inflight - n;
}

/* ---- churn: --reconnect-every N ------------------------------------------- */
struct mt_churn {
    uint64_t every;             /* 0 = never */
    uint64_t left;              /* requests before the next reconnect */
};
static inline void mt_churn_init(struct mt_churn *c, uint64_t every) { c->every = every; c->left = every; }
/* How many of `want` requests may still go on this connection. */
static inline uint64_t mt_churn_allow(const struct mt_churn *c, uint64_t want)
{
    return c->every == 0 || want < c->left ? want : c->left;
}
/* Count sent requests; true when the connection has had its share and
 * should be closed (after its in-flight replies) and reopened. */
static inline bool mt_churn_sent(struct mt_churn *c, uint64_t n)
{
    if (c->every == 0) return false;
    c->left = n >= c->left ? 0 : c->left - n;
    return c->left == 0;
}
static inline void mt_churn_reset(struct mt_churn *c) { c->left = c->every; }

/* ---- reconnect backoff ------------------------------------------------------ */
struct mt_backoff {
    mt_ns min, max;
    uint32_t attempt;           /* failures since the last success */
};
void mt_backoff_init(struct mt_backoff *b, mt_ns min, mt_ns max);
/* Delay before the next attempt: uniform in [min, min(max, min * 2^attempt)]
 * (full jitter above the floor), then attempt++. */
mt_ns mt_backoff_next(struct mt_backoff *b, struct mt_rand *r);
static inline void mt_backoff_reset(struct mt_backoff *b) { b->attempt = 0; }

#endif

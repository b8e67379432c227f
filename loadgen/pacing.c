/* Open-loop schedules over piecewise-linear rate profiles, and the small
 * closed-loop and backoff helpers. long double (x87, 64-bit mantissa) keeps
 * intended times exact to the nanosecond for runs of days at any rate. */
#include "loadgen/pacing.h"

#include <math.h>

static long double seg_total(const struct mt_pace_segment *s)
{
    return ((long double)s->r0 + s->r1) / 2 * (long double)(s->t1 - s->t0) / 1e9L;
}

static void plan_finish(struct mt_pace_plan *plan)
{
    long double cum = 0;
    for (size_t i = 0; i < plan->n; i++) {
        struct mt_pace_segment *s = &plan->seg[i];
        s->cum0 = cum;
        cum += seg_total(s);
        s->cum1 = cum;
        s->ns_per_req = s->r0 == s->r1 && s->r0 > 0 ? 1e9L / s->r0 : 0;
    }
    plan->total = cum;
    plan->end = plan->n ? plan->seg[plan->n - 1].t1 : 0;
}

static bool bad_rate(double r) { return !(r >= 0) || r > 1e12; }

int mt_pace_plan_constant(struct mt_pace_plan *plan, double rate, mt_ns warmup, mt_ns duration,
                          uint32_t sessions)
{
    if (bad_rate(rate) || sessions == 0 || duration == 0 ||
        warmup > MT_DURATION_MAX_NS || duration > MT_DURATION_MAX_NS)
        return MT_E_INVAL;
    memset(plan, 0, sizeof *plan);
    plan->n = 1;
    plan->seg[0] = (struct mt_pace_segment){.t0 = 0, .t1 = warmup + duration, .r0 = rate, .r1 = rate};
    plan->warmup = warmup;
    plan->sessions = sessions;
    plan_finish(plan);
    return 0;
}

int mt_pace_plan_stages(struct mt_pace_plan *plan, double start, const struct mt_stage *stages,
                        size_t n, mt_ns warmup, uint32_t sessions)
{
    if (n == 0 || n > MT_STAGES_MAX || sessions == 0 || bad_rate(start))
        return MT_E_INVAL;
    memset(plan, 0, sizeof *plan);
    mt_ns t = 0;
    double v = start;
    for (size_t i = 0; i < n; i++) {
        if (bad_rate(stages[i].target) || stages[i].duration > MT_DURATION_MAX_NS)
            return MT_E_INVAL;
        if (stages[i].duration == 0) {      /* a step: jump to the target */
            v = stages[i].target;
            continue;
        }
        plan->seg[plan->n++] = (struct mt_pace_segment){
            .t0 = t, .t1 = t + stages[i].duration, .r0 = v, .r1 = stages[i].target};
        t += stages[i].duration;
        v = stages[i].target;
    }
    if (plan->n == 0 || warmup >= t)
        return MT_E_INVAL;
    plan->warmup = warmup;
    plan->sessions = sessions;
    plan_finish(plan);
    return 0;
}

double mt_pace_value_at(const struct mt_pace_plan *plan, mt_ns offset)
{
    for (size_t i = 0; i < plan->n; i++) {
        const struct mt_pace_segment *s = &plan->seg[i];
        if (offset < s->t1) {
            if (offset < s->t0) return 0;
            double f = (double)(offset - s->t0) / (double)(s->t1 - s->t0);
            return s->r0 + (s->r1 - s->r0) * f;
        }
    }
    return 0;
}

mt_ns mt_pace_first_reach(const struct mt_pace_plan *plan, double value)
{
    for (size_t i = 0; i < plan->n; i++) {
        const struct mt_pace_segment *s = &plan->seg[i];
        if (s->r0 >= value)
            return s->t0;
        if (s->r1 >= value) {
            /* linear: r0 + (r1 - r0) f = value; round up so value_at() there is >= value */
            long double f = ((long double)value - s->r0) / ((long double)s->r1 - s->r0);
            mt_ns off = s->t0 + (mt_ns)ceill(f * (long double)(s->t1 - s->t0));
            /* settle the rounding of both formulas to the exact first ns */
            while (off > s->t0 && mt_pace_value_at(plan, off - 1) >= value) off--;
            while (off < s->t1 && mt_pace_value_at(plan, off) < value) off++;
            if (off < s->t1)
                return off;     /* else reached exactly at t1: the next segment starts there */
        }
    }
    return MT_PACE_NEVER;
}

/* Nanoseconds into segment s at which its cumulative count reaches d
 * requests: d / rate on a constant segment, else r0*tau + b*tau^2/2 = d
 * solved in the cancellation-free form. */
static long double seg_solve_ns(const struct mt_pace_segment *s, long double d)
{
    if (d <= 0)
        return 0;
    if (s->ns_per_req > 0)
        return d * s->ns_per_req;
    long double dur = (long double)(s->t1 - s->t0) / 1e9L;
    long double r0 = s->r0, b = ((long double)s->r1 - s->r0) / dur;
    long double disc = r0 * r0 + 2 * b * d;
    if (disc < 0) disc = 0;                 /* rounding at the very end of a ramp down */
    long double den = r0 + sqrtl(disc);
    return (den > 0 ? 2 * d / den : dur) * 1e9L;
}

/* Absolute time at which the plan's cumulative count reaches x, searching
 * from segment *seg on (x never decreases along a schedule). */
static mt_ns plan_time_at(const struct mt_pace_plan *plan, mt_ns start, long double x, size_t *seg)
{
    if (x >= plan->total)
        return MT_PACE_NEVER;
    size_t i = *seg;
    while (i < plan->n && x >= plan->seg[i].cum1)
        i++;
    if (i == plan->n)
        return MT_PACE_NEVER;
    *seg = i;
    const struct mt_pace_segment *s = &plan->seg[i];
    long double off = (long double)s->t0 + seg_solve_ns(s, x - s->cum0);
    mt_ns ns = (mt_ns)(off + 0.5L);         /* off >= 0: round to nearest */
    if (ns >= s->t1) ns = s->t1 - 1;        /* rounding must not leave the segment */
    return start + ns;
}

mt_ns mt_pace_time_of(const struct mt_pace *p, uint64_t k)
{
    size_t seg = k >= p->k ? p->seg : 0;
    long double x = ((long double)k + p->phase) * p->plan->sessions;
    return plan_time_at(p->plan, p->start, x, &seg);
}

void mt_pace_init(struct mt_pace *p, const struct mt_pace_plan *plan, mt_ns start, double phase)
{
    p->plan = plan;
    p->start = start;
    p->phase = phase >= 0 && phase < 1 ? phase : 0;
    p->k = 0;
    p->seg = 0;
    long double x = (long double)p->phase * plan->sessions;
    p->next = plan_time_at(plan, start, x, &p->seg);
}

void mt_pace_advance(struct mt_pace *p)
{
    if (p->next == MT_PACE_NEVER)
        return;
    p->k++;
    long double x = ((long double)p->k + p->phase) * p->plan->sessions;
    p->next = plan_time_at(p->plan, p->start, x, &p->seg);
}

uint64_t mt_pace_due(const struct mt_pace *p, mt_ns now, uint64_t max)
{
    if (p->next == MT_PACE_NEVER || p->next > now || max == 0)
        return 0;
    /* Cumulative count at `now` gives the answer without walking request by
     * request, so a long backlog costs O(segments), not O(backlog). */
    const struct mt_pace_plan *plan = p->plan;
    mt_ns off = now - p->start;
    long double cum = plan->total;
    for (size_t i = 0; i < plan->n; i++) {
        const struct mt_pace_segment *s = &plan->seg[i];
        if (off < s->t1) {
            long double tau = off > s->t0 ? (long double)(off - s->t0) / 1e9L : 0;
            long double dur = (long double)(s->t1 - s->t0) / 1e9L;
            long double b = ((long double)s->r1 - s->r0) / dur;
            cum = s->cum0 + s->r0 * tau + b * tau * tau / 2;
            break;
        }
    }
    /* requests j with (j + phase) * N <= cum, minus those already sent */
    long double last = floorl(cum / plan->sessions - p->phase);
    uint64_t due = last >= (long double)p->k ? (uint64_t)(last - (long double)p->k) + 1 : 1;
    /* rounding of the closed form: trust the exact per-request times at the edge */
    while (due > 1 && mt_pace_time_of(p, p->k + due - 1) > now) due--;
    while (due < max && mt_pace_time_of(p, p->k + due) <= now) due++;
    return due < max ? due : max;
}

void mt_backoff_init(struct mt_backoff *b, mt_ns min, mt_ns max)
{
    b->min = min;
    b->max = max < min ? min : max;
    b->attempt = 0;
}

mt_ns mt_backoff_next(struct mt_backoff *b, struct mt_rand *r)
{
    mt_ns cap = b->min;
    for (uint32_t i = 0; i < b->attempt && cap < b->max; i++)
        cap = cap == 0 || cap > b->max / 2 ? b->max : cap * 2;
    if (cap > b->max) cap = b->max;
    if (b->attempt < UINT32_MAX) b->attempt++;
    return b->min + mt_rand_below(r, cap - b->min + 1);
}

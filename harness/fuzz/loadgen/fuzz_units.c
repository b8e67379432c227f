/* Every value parser: the first byte picks one, the rest is the text. A
 * parsed value is checked against its own bounds and, where there is a
 * printer, printed and parsed back. */
#include <stdlib.h>
#include "loadgen/config.h"
#include "loadgen/dist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_hostport(const char *s)
{
    struct mt_hostport hp, again;
    if (mt_parse_hostport(s, (unsigned)(s[0] & 3), &hp, NULL)) return;
    char buf[300];
    mt_hostport_format(&hp, buf, sizeof buf);
    if (mt_parse_hostport(buf, MT_HP_EMPTY_HOST_OK | MT_HP_PORT0_OK, &again, NULL) ||
        memcmp(&hp, &again, sizeof hp))
        abort();
}

static void check_workload(const char *s)
{
    struct mt_wl_mix mix;
    struct mt_why why;
    mt_wl_mix_init(&mix);
    if (mt_wl_mix_add(&mix, s, &why) == 0) {
        struct mt_rand r;
        mt_rand_seed(&r, 5);
        for (int i = 0; i < 16; i++) {
            size_t k = mt_wl_pick(&mix, &r);
            if (k >= mix.n) abort();
            if (mix.ops[k].kind == MT_WL_ECHO) {
                uint32_t sz = mt_wl_echo_size(&mix.ops[k], &r);
                if (sz < mix.ops[k].size_min || sz > mix.ops[k].size_max) abort();
            }
        }
        int need = mt_wl_mix_format(&mix, NULL, 0);
        char *buf = malloc((size_t)need + 1);
        if (buf) {
            mt_wl_mix_format(&mix, buf, (size_t)need + 1);
            free(buf);
        }
    }
    mt_wl_mix_free(&mix);
}

static void check_numbers(int which, const char *s)
{
    uint64_t u, lo, hi;
    int64_t i;
    double f;
    mt_ns ns, a, b;
    uint32_t x, y;
    bool bo;
    char buf[32];
    switch (which) {
    case 0: if (!mt_parse_duration(s, &ns, NULL)) { if (ns > MT_DURATION_MAX_NS) abort();
                mt_format_duration(ns, buf, sizeof buf);
                if (mt_parse_duration(buf, &a, NULL) || a != ns) abort(); } break;
    case 1: (void)mt_parse_count(s, &u, NULL); break;
    case 2: (void)mt_parse_size(s, &u, NULL); break;
    case 3: if (!mt_parse_rate(s, s[0] & 1, &f, NULL) && !(f >= 0 && f <= 1e12)) abort(); break;
    case 4: if (!mt_parse_percent(s, &f, NULL) && !(f >= 0 && f <= 1)) abort(); break;
    case 5: if (!mt_parse_size_range(s, &lo, &hi, NULL) && lo > hi) abort(); break;
    case 6: if (!mt_parse_duration_range(s, &a, &b, NULL) && a > b) abort(); break;
    case 7: if (!mt_parse_ipv4_range(s, &x, &y, NULL) && x > y) abort(); break;
    case 8: if (!mt_parse_u64(s, 3, 77, &u, NULL) && (u < 3 || u > 77)) abort(); break;
    case 9: if (!mt_parse_i64(s, -5, 5, &i, NULL) && (i < -5 || i > 5)) abort(); break;
    case 10: (void)mt_parse_bool(s, &bo, NULL); break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    char *s = malloc(size);
    if (!s) return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = 0;
    struct mt_why why;
    int which = data[0] % 16;
    if (which <= 10) {
        check_numbers(which, s);
    } else if (which == 11) {
        check_hostport(s);
    } else if (which == 12) {
        check_workload(s);
    } else if (which == 13) {
        struct mt_stage st[MT_STAGES_MAX];
        size_t n;
        if (!mt_parse_stages(s, st, &n, &why)) {
            struct mt_pace_plan plan;
            if (mt_pace_plan_stages(&plan, 0, st, n, 0, 3) == 0) {
                struct mt_pace p;
                mt_pace_init(&p, &plan, 0, 0.3);
                for (int i = 0; i < 16; i++) mt_pace_advance(&p);
                (void)mt_pace_due(&p, plan.end / 3, 100);
            }
        }
    } else if (which == 14) {
        struct mt_dist d;
        struct mt_rand r;
        mt_rand_seed(&r, 1);
        if (!mt_dist_parse(s, &d, &why)) (void)mt_dist_sample(&d, &r);
    } else {
        uint8_t sec[MT_SECRET_MAX];
        size_t n;
        if (!mt_parse_secret(s, sec, &n, &why) && n != 16 && n != 17) abort();
    }
    free(s);
    return 0;
}

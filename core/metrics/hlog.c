/* HdrHistogram interval log, format version 1.3, as written by the Java
 * HistogramLogWriter and read by its HistogramLogProcessor:
 *   #[Histogram log format version 1.3]
 *   #[StartTime: 1764040000.000 (seconds since epoch), Tue Nov 25 04:00:00 UTC 2026]
 *   #[BaseTime: 1764040000.000 (seconds since epoch)]
 *   "StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"
 *   Tag=ping,0.000,1.000,0.052,HISTFAAAA...
 * Timestamps are seconds relative to BaseTime; Interval_Max is in
 * milliseconds for our nanosecond data (the tools' default 1e6 ratio). */
#include "core/metrics/mt_metrics.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

struct mt_hlog {
    FILE *f;
    double base_time;
};

struct mt_hlog *mt_hlog_open(const char *path, double start_epoch_s)
{
    struct mt_hlog *l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    l->f = fopen(path, "w");
    if (!l->f) {
        free(l);
        return NULL;
    }
    l->base_time = start_epoch_s;
    time_t t = (time_t)start_epoch_s;
    struct tm tm;
    char date[64] = "";
    if (gmtime_r(&t, &tm))
        strftime(date, sizeof(date), "%a %b %d %H:%M:%S UTC %Y", &tm);
    fprintf(l->f, "#[Logged with mtload]\n");
    fprintf(l->f, "#[Histogram log format version 1.3]\n");
    fprintf(l->f, "#[StartTime: %.3f (seconds since epoch), %s]\n", start_epoch_s, date);
    fprintf(l->f, "#[BaseTime: %.3f (seconds since epoch)]\n", start_epoch_s);
    fprintf(l->f, "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n");
    fflush(l->f);
    return l;
}

int mt_hlog_write_interval(struct mt_hlog *l, double start_epoch_s, double length_s,
                           const struct mt_metrics_report *iv)
{
    for (int i = 0; i < iv->n_ops; i++) {
        const struct mt_hist *h = &iv->op[i].hist;
        if (!h->total_count)
            continue;
        char *b64 = mt_hist_to_base64(h);
        if (!b64)
            return MT_E_NOMEM;
        /* tags may not hold commas or whitespace: the line is comma-separated */
        char tag[MT_METRICS_OP_NAME_MAX];
        snprintf(tag, sizeof(tag), "%s", iv->op[i].name);
        for (char *p = tag; *p; p++)
            if (*p == ',' || *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
                *p = '_';
        fprintf(l->f, "Tag=%s,%.3f,%.3f,%.3f,%s\n", tag, start_epoch_s - l->base_time, length_s,
                (double)mt_hist_max(h) / 1e6, b64);
        free(b64);
    }
    if (fflush(l->f) != 0 || ferror(l->f))
        return MT_E_SYSTEM;
    return 0;
}

void mt_hlog_close(struct mt_hlog *l)
{
    if (!l)
        return;
    fclose(l->f);
    free(l);
}

/* ---- reading ------------------------------------------------------------- */

static int parse_number(char **p, double *out)
{
    char *end;
    double v = strtod(*p, &end);
    if (end == *p || *end != ',' || !isfinite(v))
        return MT_E_INVAL;
    *out = v;
    *p = end + 1;
    return 0;
}

int mt_hlog_parse_line(const char *line, size_t len, struct mt_hlog_entry *e, int *is_data)
{
    memset(e, 0, sizeof(*e));
    *is_data = 0;
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
        len--;
    if (len == 0 || line[0] == '#' || line[0] == '"')
        return 0;
    char *buf = malloc(len + 1);
    if (!buf)
        return MT_E_NOMEM;
    memcpy(buf, line, len);
    buf[len] = 0;
    int rc = MT_E_INVAL;
    char *p = buf;
    if (!strncmp(p, "Tag=", 4)) {
        char *comma = strchr(p + 4, ',');
        if (!comma || (size_t)(comma - (p + 4)) >= sizeof(e->tag))
            goto out;
        memcpy(e->tag, p + 4, (size_t)(comma - (p + 4)));
        e->tag[comma - (p + 4)] = 0;
        p = comma + 1;
    }
    if (parse_number(&p, &e->start_s) || parse_number(&p, &e->length_s) ||
        parse_number(&p, &e->max_ms) || e->length_s < 0)
        goto out;
    rc = mt_hist_from_base64(&e->hist, p, strlen(p));
    if (!rc)
        *is_data = 1;
out:
    free(buf);
    return rc;
}

/* "#[StartTime: 1441812279.474 (seconds ..." -> 1441812279.474 */
static int header_time(const char *line, const char *key, double *out)
{
    size_t k = strlen(key);
    if (strncmp(line, key, k))
        return 0;
    char *end;
    double v = strtod(line + k, &end);
    if (end == line + k || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

struct hlog_times { double start, base, first, last; int have_start, have_base, any; };

static int hlog_add_entry(struct mt_metrics_report **r, struct mt_hlog_entry *e,
                          struct hlog_times *t)
{
    if (!*r) {
        /* keep the log's own layout so that adding stays exact */
        *r = mt_metrics_report_new(e->hist.lowest, e->hist.highest, e->hist.sig_figs);
        if (!*r)
            return MT_E_NOMEM;
    }
    int id = mt_metrics_report_op(*r, e->tag[0] ? e->tag : "default");
    if (id < 0)
        return id;
    int rc = mt_hist_add(&(*r)->op[id].hist, &e->hist);
    /* relative to BaseTime (or StartTime); absolute if it looks like an epoch */
    double base = t->have_base ? t->base : t->have_start ? t->start : 0;
    double s = e->start_s >= 1e9 ? e->start_s : base + e->start_s;
    if (!t->any || s < t->first)
        t->first = s;
    if (!t->any || s + e->length_s > t->last)
        t->last = s + e->length_s;
    t->any = 1;
    return rc;
}

int mt_hlog_load(const char *path, struct mt_metrics_report **out)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return MT_E_SYSTEM;
    struct mt_metrics_report *r = NULL;
    struct hlog_times t = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (!rc && (n = getline(&line, &cap, f)) > 0) {
        if (header_time(line, "#[StartTime: ", &t.start))
            t.have_start = 1;
        if (header_time(line, "#[BaseTime: ", &t.base))
            t.have_base = 1;
        struct mt_hlog_entry e;
        int is_data;
        rc = mt_hlog_parse_line(line, (size_t)n, &e, &is_data);
        if (!rc && is_data)
            rc = hlog_add_entry(&r, &e, &t);
        if (is_data)
            mt_hist_free(&e.hist);
    }
    free(line);
    fclose(f);
    if (!rc && !r)
        rc = MT_E_TL_INPUT; /* no interval at all */
    if (rc) {
        mt_metrics_report_free(r);
        return rc;
    }
    r->started_at = t.first;
    r->ended_at = t.last;
    r->duration_s = t.last - t.first;
    *out = r;
    return 0;
}

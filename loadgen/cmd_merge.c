/* mtload merge: exact merge of shard results (results JSON or .hlog files)
 * into one report with global percentiles, thresholds re-evaluated. */
#include "loadgen/commands.h"
#include "core/metrics/mt_metrics.h"

#include <jansson.h>
#include <stdlib.h>

#define MERGE_MAX_THRESHOLDS 64

static void merge_usage(void)
{
    fprintf(stderr,
            "usage: mtload merge FILE... [-o OUT.json] [--threshold EXPR]...\n"
            "  FILE is an mtload results JSON or an HdrHistogram interval log (.hlog).\n"
            "  Histograms are decoded and added exactly; percentiles are global.\n"
            "  Exit 0 ok, 99 a threshold failed, 2 usage or input error.\n");
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

static int load_any(const char *path, struct mt_metrics_report **out)
{
    int rc = ends_with(path, ".hlog") ? mt_hlog_load(path, out) : mt_metrics_load_json(path, out);
    if (rc)
        fprintf(stderr, "merge: %s: cannot load (%s)\n", path, mt_strerror(rc));
    return rc;
}

struct merge_args {
    const char *out;
    const char **files;
    int n_files;
    struct mt_threshold thr[MERGE_MAX_THRESHOLDS];
    int n_thr;
};

static int parse_merge_args(int argc, char **argv, struct merge_args *a)
{
    a->files = calloc((size_t)argc, sizeof(*a->files));
    if (!a->files)
        return 2;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            merge_usage();
            return 1;
        } else if ((!strcmp(s, "-o") || !strcmp(s, "--output")) && i + 1 < argc) {
            a->out = argv[++i];
        } else if (!strcmp(s, "--threshold") && i + 1 < argc) {
            if (a->n_thr >= MERGE_MAX_THRESHOLDS || mt_threshold_parse(argv[++i], &a->thr[a->n_thr])) {
                fprintf(stderr, "merge: bad threshold '%s'\n", argv[i]);
                return 2;
            }
            a->n_thr++;
        } else if (s[0] == '-' && s[1]) {
            fprintf(stderr, "merge: unknown option '%s'\n", s);
            merge_usage();
            return 2;
        } else {
            a->files[a->n_files++] = s;
        }
    }
    if (!a->n_files) {
        merge_usage();
        return 2;
    }
    return 0;
}

static int merge_files(struct merge_args *a, struct mt_metrics_report **merged)
{
    *merged = NULL;
    for (int i = 0; i < a->n_files; i++) {
        struct mt_metrics_report *r;
        if (load_any(a->files[i], &r))
            return 2;
        if (!*merged) {
            *merged = r;
            continue;
        }
        int rc = mt_metrics_report_merge(*merged, r);
        mt_metrics_report_free(r);
        if (rc) {
            fprintf(stderr, "merge: %s: %s\n", a->files[i], mt_strerror(rc));
            return 2;
        }
    }
    return 0;
}

int lg_cmd_merge(int argc, char **argv)
{
    struct merge_args *a = calloc(1, sizeof(*a));
    if (!a)
        return 2;
    struct mt_metrics_report *merged = NULL;
    int rc = parse_merge_args(argc, argv, a);
    if (rc) {
        rc = rc == 1 ? 0 : 2;
        goto out;
    }
    if ((rc = merge_files(a, &merged)))
        goto out;
    struct mt_threshold_result res[MERGE_MAX_THRESHOLDS];
    int failed = 0;
    for (int i = 0; i < a->n_thr; i++) {
        if (mt_threshold_eval(&a->thr[i], merged, &res[i]))
            res[i].ok = 0;
    }
    mt_metrics_print_summary(stdout, merged);
    if (a->n_thr)
        failed = mt_threshold_report(stdout, a->thr, res, a->n_thr);
    fflush(stdout);
    if (a->out) {
        json_t *config = json_object();
        json_t *from = json_array();
        for (int i = 0; i < a->n_files; i++)
            json_array_append_new(from, json_string(a->files[i]));
        json_object_set_new(config, "merged_from", from);
        int wrc = mt_metrics_write_json(a->out, "merge", merged, NULL, config, a->thr, res, a->n_thr);
        json_decref(config);
        if (wrc) {
            fprintf(stderr, "merge: cannot write %s (%s)\n", a->out, mt_strerror(wrc));
            rc = 2;
            goto out;
        }
    }
    rc = failed ? 99 : 0;
out:
    mt_metrics_report_free(merged);
    free(a->files);
    free(a);
    return rc;
}

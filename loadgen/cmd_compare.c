/* mtload compare: the command line over mt_metrics_compare_files. */
#include "loadgen/commands.h"
#include "core/metrics/mt_metrics.h"

#include <stdlib.h>

static void compare_usage(void)
{
    fprintf(stderr,
            "usage: mtload compare BASE.json NEW.json [--max-regression PCT]\n"
            "  Compares two mtload results files (per operation: rate, p50, p99 gate;\n"
            "  p90, p99.9, max are shown) or two Google Benchmark JSON files (per\n"
            "  benchmark: items/s, bytes/s or real_time). PCT is a percentage, '5%%' or\n"
            "  '5' (default 5%%). Exit 0 ok, 1 regression beyond PCT, 2 usage/input error.\n");
}

/* "5%" or "5" -> 0.05 */
static int parse_percent(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || (*end && strcmp(end, "%")) || v < 0 || v > 1000)
        return -1;
    *out = v / 100.0;
    return 0;
}

int lg_cmd_compare(int argc, char **argv)
{
    const char *files[2] = {NULL, NULL};
    int n_files = 0;
    double limit = 0.05;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            compare_usage();
            return 0;
        } else if (!strcmp(a, "--max-regression") && i + 1 < argc) {
            if (parse_percent(argv[++i], &limit)) {
                fprintf(stderr, "compare: bad --max-regression '%s'\n", argv[i]);
                return 2;
            }
        } else if (!strncmp(a, "--max-regression=", 17)) {
            if (parse_percent(a + 17, &limit)) {
                fprintf(stderr, "compare: bad --max-regression '%s'\n", a + 17);
                return 2;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "compare: unknown option '%s'\n", a);
            compare_usage();
            return 2;
        } else if (n_files < 2) {
            files[n_files++] = a;
        } else {
            compare_usage();
            return 2;
        }
    }
    if (n_files != 2) {
        compare_usage();
        return 2;
    }
    int rc = mt_metrics_compare_files(files[0], files[1], limit, stdout);
    fflush(stdout);
    return rc < 0 ? 2 : rc;
}

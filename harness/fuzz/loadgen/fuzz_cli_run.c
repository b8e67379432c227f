/* `mtload run` argv: parse, validate, print and plan whatever parses. */
#include <stdio.h>
#include "harness/fuzz/loadgen/fuzz_argv.h"
#include "loadgen/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (!sink) sink = fopen("/dev/null", "w");
    char *argv[FUZZ_MAX_ARGS + 1], *buf;
    int argc = fuzz_split_argv(data, size, "run", argv, &buf);
    if (!argc) return 0;
    struct mt_run_config cfg;
    struct mt_diag d = {0};
    if (mt_run_config_parse(&cfg, argc, argv, &d) == 0 && !cfg.opt.help) {
        mt_run_config_print(&cfg, sink);
        struct mt_pace_plan plan;
        if (mt_run_config_pace_plan(&cfg, &plan) == 0) {
            struct mt_pace p;
            mt_pace_init(&p, &plan, 1000, 0.5);
            for (int i = 0; i < 8 && mt_pace_peek(&p) != MT_PACE_NEVER; i++) mt_pace_advance(&p);
            (void)mt_pace_due(&p, 1000 + plan.end / 2, 1000);
        }
    }
    mt_diag_print(&d, "run", sink);
    mt_run_config_free(&cfg);
    free(buf);
    return 0;
}

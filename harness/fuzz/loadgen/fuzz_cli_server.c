/* `mtload server` argv: parse, validate and print whatever parses. */
#include <stdio.h>
#include "harness/fuzz/loadgen/fuzz_argv.h"
#include "server/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (!sink) sink = fopen("/dev/null", "w");
    char *argv[FUZZ_MAX_ARGS + 1], *buf;
    int argc = fuzz_split_argv(data, size, "server", argv, &buf);
    if (!argc) return 0;
    struct mt_srv_config cfg;
    struct mt_diag d = {0};
    if (mt_srv_config_parse(&cfg, argc, argv, &d) == 0 && !cfg.opt.help) {
        mt_srv_config_print(&cfg, sink);
        struct mt_rand r;
        mt_rand_seed(&r, 1);
        for (int i = 0; i < 4; i++) {
            (void)mt_srv_fault_pick(&cfg.faults, &r);
            (void)mt_srv_fault_delay(&cfg.faults, &r);
        }
        (void)mt_srv_fault_stalled(&cfg.faults, 123456789, NULL);
    }
    mt_diag_print(&d, "server", sink);
    mt_srv_config_free(&cfg);
    free(buf);
    return 0;
}

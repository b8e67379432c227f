/* Config file text for both commands: the first byte picks run or server;
 * whatever parses is validated, printed, and the print parsed again. */
#include <stdio.h>
#include <stdlib.h>
#include "loadgen/config.h"
#include "server/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run_case(const char *text, size_t len, FILE *sink)
{
    struct mt_run_config cfg;
    struct mt_diag d = {0};
    mt_run_config_defaults(&cfg);
    if (mt_opt_parse_text(mt_run_options(), &cfg, &cfg.opt, text, len, "fuzz", &d) == 0 &&
        mt_run_config_validate(&cfg, &d) == 0) {
        char *out = NULL;
        size_t n = 0;
        FILE *m = open_memstream(&out, &n);
        if (m) {
            mt_run_config_print(&cfg, m);
            fclose(m);
            struct mt_run_config again;
            struct mt_diag d2 = {0};
            mt_run_config_defaults(&again);
            /* what we print must parse */
            if (mt_opt_parse_text(mt_run_options(), &again, &again.opt, out, n, "printed", &d2) != 0)
                abort();
            mt_run_config_free(&again);
            free(out);
        }
    }
    mt_diag_print(&d, "run", sink);
    mt_run_config_free(&cfg);
}

static void server_case(const char *text, size_t len, FILE *sink)
{
    struct mt_srv_config cfg;
    struct mt_diag d = {0};
    mt_srv_config_defaults(&cfg);
    if (mt_opt_parse_text(mt_srv_options(), &cfg, &cfg.opt, text, len, "fuzz", &d) == 0 &&
        mt_srv_config_validate(&cfg, &d) == 0)
        mt_srv_config_print(&cfg, sink);
    mt_diag_print(&d, "server", sink);
    mt_srv_config_free(&cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (!sink) sink = fopen("/dev/null", "w");
    if (size < 1) return 0;
    if (data[0] & 1) server_case((const char *)data + 1, size - 1, sink);
    else run_case((const char *)data + 1, size - 1, sink);
    return 0;
}

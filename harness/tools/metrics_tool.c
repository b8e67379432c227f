/* mt_metrics_tool: a test driver for core/metrics (see CMakeLists.txt).
 *   mt_metrics_tool synth [options]     synthetic run through every exporter
 *   mt_metrics_tool compare ...         = mtload compare
 *   mt_metrics_tool merge ...           = mtload merge */
#include "loadgen/commands.h"

#include <stdio.h>
#include <string.h>

int mt_metrics_synth_main(int argc, char **argv);

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s synth|compare|merge [args]\n", argv[0]);
        return 2;
    }
    if (!strcmp(argv[1], "synth"))
        return mt_metrics_synth_main(argc - 1, argv + 1);
    if (!strcmp(argv[1], "compare"))
        return lg_cmd_compare(argc - 1, argv + 1);
    if (!strcmp(argv[1], "merge"))
        return lg_cmd_merge(argc - 1, argv + 1);
    fprintf(stderr, "unknown subcommand '%s'\n", argv[1]);
    return 2;
}

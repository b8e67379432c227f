/* loadgen/run: the engine of `mtload run`. */
#ifndef MT_LG_RUN_H
#define MT_LG_RUN_H

#include "loadgen/config.h"

/* Run the load test described by a validated config; returns the exit code
 * (MT_EXIT_OK, MT_EXIT_USAGE, MT_EXIT_UNREACHABLE, MT_EXIT_THRESHOLD). */
int mt_run_engine(const struct mt_run_config *cfg);

#endif

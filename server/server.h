/* server: the public entry of `mtload server` for the command dispatcher. */
#ifndef MT_SERVER_H
#define MT_SERVER_H

#include "server/config.h"

/* Run the reference server until SIGINT/SIGTERM. Returns the exit code. */
int mt_srv_engine(const struct mt_srv_config *cfg);

#endif

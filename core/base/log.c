#include <stdarg.h>
#include <stdio.h>
#include "core/base/mt_base.h"

int mt_log_level = MT_LOG_WARN;

void mt_log_write(int level, const char *fmt, ...)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* one fputs per line so lines of different threads do not interleave */
    char out[1100];
    snprintf(out, sizeof out, "mtload: %s: %s\n",
             names[level < 0 ? 0 : level > 3 ? 3 : level], line);
    fputs(out, stderr);
}

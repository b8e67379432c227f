#include <time.h>
#include "core/base/mt_base.h"

mt_ns mt_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (mt_ns)ts.tv_sec * MT_NS_PER_S + (mt_ns)ts.tv_nsec;
}

double mt_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

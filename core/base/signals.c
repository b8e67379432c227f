#include <pthread.h>
#include <signal.h>
#include "core/base/mt_base.h"

void mt_block_stop_signals(void *sigset_out)
{
    sigset_t *set = sigset_out;
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

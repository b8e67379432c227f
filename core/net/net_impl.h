/* Internal to core/net: the loop's layout, shared by loop.c, timer.c and
 * conn.c. Not a public header. */
#ifndef MT_NET_IMPL_H
#define MT_NET_IMPL_H

#include <stdatomic.h>
#include "core/net/mt_net.h"

struct mt_fd_slot {
    mt_io_cb cb;
    void *ud;
    unsigned events;
    bool used;
};

struct mt_loop {
    int epfd;
    int wakefd;                     /* eventfd: mt_loop_stop from other threads */
    struct mt_fd_slot *fds;         /* indexed by fd */
    size_t max_fds;
    struct epoll_event *evbuf;
    int evcap;
    struct mt_timer **heap;         /* 4-ary min-heap on (when, order) */
    size_t nheap, heapcap;
    uint64_t timer_order;
    struct mt_conn *flush_head;     /* connections with output queued */
    mt_loop_hook before_flush;      /* mt_loop_set_before_flush */
    void *before_flush_ud;
    atomic_bool stop;
    mt_ns now;
    struct mt_loop_stats stats;
};

/* timer.c */
void mt_timers_run(struct mt_loop *loop);
/* conn.c */
void mt_conns_flush_all(struct mt_loop *loop);

#endif

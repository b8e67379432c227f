/* The per-thread epoll loop: an fd-indexed table of callbacks (level
 * triggered), timers, and the end-of-iteration flush of queued output. */
#include <errno.h>
#include <time.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>
#include "core/net/net_impl.h"

#define EV_BATCH 256

static uint32_t to_epoll(unsigned ev)
{
    return (ev & MT_EV_READ ? EPOLLIN | EPOLLRDHUP : 0) | (ev & MT_EV_WRITE ? EPOLLOUT : 0);
}

static unsigned from_epoll(uint32_t e)
{
    return (e & (EPOLLIN | EPOLLRDHUP) ? MT_EV_READ : 0) | (e & EPOLLOUT ? MT_EV_WRITE : 0) |
           (e & EPOLLERR ? MT_EV_ERROR : 0) | (e & EPOLLHUP ? MT_EV_HUP : 0);
}

static void wake_cb(struct mt_loop *loop, int fd, unsigned events, void *ud)
{
    uint64_t v;
    (void)loop; (void)events; (void)ud;
    if (read(fd, &v, sizeof v) < 0 && errno != EAGAIN)
        mt_log(MT_LOG_WARN, "net: eventfd read: %s", strerror(errno));
}

static size_t default_max_fds(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        return (size_t)rl.rlim_cur;
    return 65536;
}

struct mt_loop *mt_loop_new(size_t max_fds)
{
    struct mt_loop *loop = calloc(1, sizeof *loop);
    if (!loop)
        return NULL;
    loop->max_fds = max_fds ? max_fds : default_max_fds();
    loop->fds = calloc(loop->max_fds, sizeof *loop->fds);
    loop->evcap = EV_BATCH;
    loop->evbuf = calloc((size_t)loop->evcap, sizeof *loop->evbuf);
    loop->epfd = epoll_create1(EPOLL_CLOEXEC);
    loop->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    atomic_init(&loop->stop, false);
    loop->now = mt_now_ns();
    if (!loop->fds || !loop->evbuf || loop->epfd < 0 || loop->wakefd < 0 ||
        mt_loop_add(loop, loop->wakefd, MT_EV_READ, wake_cb, NULL) != 0) {
        mt_loop_free(loop);
        return NULL;
    }
    return loop;
}

void mt_loop_free(struct mt_loop *loop)
{
    if (!loop)
        return;
    if (loop->epfd >= 0)
        close(loop->epfd);
    if (loop->wakefd >= 0)
        close(loop->wakefd);
    free(loop->fds);
    free(loop->evbuf);
    free(loop->heap);
    free(loop);
}

int mt_loop_add(struct mt_loop *loop, int fd, unsigned events, mt_io_cb cb, void *ud)
{
    if (fd < 0 || !cb)
        return MT_E_INVAL;
    if ((size_t)fd >= loop->max_fds)
        return MT_E_LIMIT;
    struct mt_fd_slot *s = &loop->fds[fd];
    if (s->used)
        return MT_E_STATE;
    struct epoll_event ev = {.events = to_epoll(events), .data.fd = fd};
    if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
        return MT_E_SYSTEM;
    *s = (struct mt_fd_slot){.cb = cb, .ud = ud, .events = events, .used = true};
    return 0;
}

int mt_loop_mod(struct mt_loop *loop, int fd, unsigned events)
{
    if (fd < 0 || (size_t)fd >= loop->max_fds || !loop->fds[fd].used)
        return MT_E_INVAL;
    struct mt_fd_slot *s = &loop->fds[fd];
    if (s->events == events)
        return 0;
    struct epoll_event ev = {.events = to_epoll(events), .data.fd = fd};
    if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) != 0)
        return MT_E_SYSTEM;
    s->events = events;
    return 0;
}

int mt_loop_del(struct mt_loop *loop, int fd)
{
    if (fd < 0 || (size_t)fd >= loop->max_fds || !loop->fds[fd].used)
        return MT_E_INVAL;
    loop->fds[fd].used = false;
    loop->fds[fd].cb = NULL;
    if (epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL) != 0)
        return MT_E_SYSTEM;
    return 0;
}

/* Nanoseconds to wait: the caller's bound, shortened to the next timer
 * (from a fresh clock reading), 0 when output is queued; -1 = forever. */
static int64_t wait_ns(const struct mt_loop *loop, int timeout_ms)
{
    int64_t ns = timeout_ms < 0 ? -1 : (int64_t)timeout_ms * (int64_t)MT_NS_PER_MS;
    if (loop->nheap) {
        mt_ns now = mt_now_ns(), when = loop->heap[0]->when;
        int64_t d = when > now ? (int64_t)(when - now) : 0;
        if (ns < 0 || d < ns)
            ns = d;
    }
    if (loop->flush_head)
        ns = 0;
    return ns;
}

/* epoll_pwait2 takes the timeout in nanoseconds, so timers (an open-loop
 * load's pacing) fire on time instead of up to a millisecond late;
 * epoll_wait, rounding up to whole milliseconds, where the kernel lacks it. */
static atomic_int no_pwait2;

static int loop_wait(struct mt_loop *loop, int timeout_ms)
{
    int64_t ns = wait_ns(loop, timeout_ms);
    if (!atomic_load_explicit(&no_pwait2, memory_order_relaxed)) {
        struct timespec ts = {(time_t)(ns / (int64_t)MT_NS_PER_S), (long)(ns % (int64_t)MT_NS_PER_S)};
        int n = epoll_pwait2(loop->epfd, loop->evbuf, loop->evcap, ns < 0 ? NULL : &ts, NULL);
        if (n >= 0 || errno != ENOSYS)
            return n;
        atomic_store_explicit(&no_pwait2, 1, memory_order_relaxed);
    }
    int ms = ns < 0 ? -1 : (int)((ns + (int64_t)MT_NS_PER_MS - 1) / (int64_t)MT_NS_PER_MS);
    return epoll_wait(loop->epfd, loop->evbuf, loop->evcap, ms);
}

int mt_loop_run_once(struct mt_loop *loop, int timeout_ms)
{
    int n = loop_wait(loop, timeout_ms);
    if (n < 0 && errno != EINTR)
        return MT_E_SYSTEM;
    loop->now = mt_now_ns();
    loop->stats.iterations++;
    int ran = 0;
    for (int i = 0; i < n; i++) {
        int fd = loop->evbuf[i].data.fd;
        struct mt_fd_slot *s = &loop->fds[fd];
        if (!s->used)             /* removed by an earlier callback */
            continue;
        s->cb(loop, fd, from_epoll(loop->evbuf[i].events), s->ud);
        ran++;
    }
    loop->stats.events += (uint64_t)(n > 0 ? n : 0);
    uint64_t fired = loop->stats.timers_fired;
    mt_timers_run(loop);
    ran += (int)(loop->stats.timers_fired - fired);
    if (loop->before_flush)
        loop->before_flush(loop, loop->before_flush_ud);
    mt_conns_flush_all(loop);
    return ran;
}

int mt_loop_run(struct mt_loop *loop)
{
    while (!mt_loop_stopping(loop)) {
        int rc = mt_loop_run_once(loop, -1);
        if (rc < 0)
            return rc;
    }
    return 0;
}

void mt_loop_stop(struct mt_loop *loop)
{
    atomic_store(&loop->stop, true);
    uint64_t one = 1;
    if (write(loop->wakefd, &one, sizeof one) < 0 && errno != EAGAIN)
        mt_log(MT_LOG_WARN, "net: eventfd write: %s", strerror(errno));
}

void mt_loop_set_before_flush(struct mt_loop *loop, mt_loop_hook fn, void *ud)
{
    loop->before_flush = fn;
    loop->before_flush_ud = ud;
}

bool mt_loop_stopping(const struct mt_loop *loop)
{
    return atomic_load(&((struct mt_loop *)loop)->stop);
}

mt_ns mt_loop_now(const struct mt_loop *loop)
{
    return loop->now;
}

void mt_loop_update_time(struct mt_loop *loop)
{
    loop->now = mt_now_ns();
}

const struct mt_loop_stats *mt_loop_stats(const struct mt_loop *loop)
{
    return &loop->stats;
}

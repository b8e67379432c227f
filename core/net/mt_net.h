/* core/net: the only code that touches sockets. One epoll loop per thread
 * (no locks: a loop and everything registered with it belong to one thread;
 * only mt_loop_stop() may be called from another thread), an fd-indexed
 * table of callbacks, timers in a 4-ary heap, connections with bounded
 * output buffers flushed once per loop iteration with writev, and the socket
 * calls (non-blocking connect with timeout, listen with SO_REUSEPORT,
 * accept4, source-address pools, RLIMIT_NOFILE).
 *
 * I/O results are MT_NET_OK / MT_NET_AGAIN / MT_NET_CLOSED / MT_NET_ERROR
 * with errno kept: no EAGAIN handling outside this layer. */
#ifndef MT_NET_H
#define MT_NET_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include "core/base/mt_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- I/O results -------------------------------------------------------- */
enum mt_net_res {
    MT_NET_OK = 0,      /* done (n bytes moved) */
    MT_NET_AGAIN = 1,   /* would block / in progress: wait for the event */
    MT_NET_CLOSED = 2,  /* orderly shutdown by the peer (read returned 0) */
    MT_NET_ERROR = 3,   /* errno holds the cause */
};

/* ---- addresses ---------------------------------------------------------- */
struct mt_addr {
    struct sockaddr_storage ss;
    socklen_t len;
};
/* "1.2.3.4:443", "[::1]:443", "localhost:443" (numeric first, then
 * getaddrinfo). Port 0 allowed. MT_E_INVAL on a malformed string. */
int mt_addr_parse(const char *host_port, struct mt_addr *out);
/* Host without port ("127.0.0.2", "::1"), port 0. */
int mt_addr_parse_host(const char *host, struct mt_addr *out);
int mt_addr_port(const struct mt_addr *a);
void mt_addr_set_port(struct mt_addr *a, int port);
/* "1.2.3.4:443" / "[::1]:443" into buf (>= 64 bytes). */
const char *mt_addr_str(const struct mt_addr *a, char *buf, size_t cap);

/* A pool of local source addresses for outgoing connections, used round
 * robin with IP_BIND_ADDRESS_NO_PORT, so that more than ~28k connections to
 * one destination are possible (each source address has its own ports). */
struct mt_src_pool {
    struct mt_addr *addrs;
    size_t n, next;
};
/* IPv4 range "127.0.0.2-127.0.0.200" or a single address. */
int mt_src_pool_init(struct mt_src_pool *p, const char *spec);
const struct mt_addr *mt_src_pool_next(struct mt_src_pool *p);  /* NULL if empty */
void mt_src_pool_free(struct mt_src_pool *p);

/* ---- sockets ------------------------------------------------------------ */
struct mt_sock_opts {
    bool nodelay;          /* TCP_NODELAY (the default we use everywhere) */
    int sndbuf, rcvbuf;    /* SO_SNDBUF / SO_RCVBUF when > 0 */
};
/* Listening socket (non-blocking, SO_REUSEADDR, SO_REUSEPORT if reuseport:
 * one listener per worker). Returns the fd or a negative MT_E_* (errno kept). */
int mt_net_listen(const struct mt_addr *addr, int backlog, bool reuseport);
/* accept4(SOCK_NONBLOCK|SOCK_CLOEXEC) with the options applied. */
int mt_net_accept(int lfd, const struct mt_sock_opts *o, int *fd, struct mt_addr *peer);
/* Non-blocking connect, optionally bound to src (port 0 with
 * IP_BIND_ADDRESS_NO_PORT). MT_NET_OK: connected at once; MT_NET_AGAIN: in
 * progress (wait for writable, then mt_net_connect_finish); MT_NET_ERROR.
 * *fd is set in the first two cases. */
int mt_net_connect(const struct mt_addr *dst, const struct mt_addr *src,
                   const struct mt_sock_opts *o, int *fd);
/* After writable: SO_ERROR. MT_NET_OK or MT_NET_ERROR (errno = SO_ERROR). */
int mt_net_connect_finish(int fd);
int mt_net_read(int fd, void *buf, size_t cap, size_t *n);
int mt_net_writev(int fd, const struct iovec *iov, int cnt, size_t *n);
int mt_net_set_opts(int fd, const struct mt_sock_opts *o);
/* The local address of a socket (e.g. the port a listener got). */
int mt_net_local_addr(int fd, struct mt_addr *out);

/* Raise RLIMIT_NOFILE to the hard limit. want = descriptors needed. Returns
 * 0 with *got = the new soft limit, or MT_E_LIMIT (logged with a clear
 * message naming both numbers) when the hard limit is below want; *got is
 * set in both cases. */
int mt_net_raise_nofile(size_t want, size_t *got);

/* ---- the loop ----------------------------------------------------------- */
struct mt_loop;

enum { MT_EV_READ = 1u, MT_EV_WRITE = 2u, MT_EV_ERROR = 4u, MT_EV_HUP = 8u };
typedef void (*mt_io_cb)(struct mt_loop *loop, int fd, unsigned events, void *ud);

/* max_fds: size of the fd-indexed table (fds >= max_fds are refused with
 * MT_E_LIMIT); 0 = the RLIMIT_NOFILE soft limit. */
struct mt_loop *mt_loop_new(size_t max_fds);
void mt_loop_free(struct mt_loop *loop);   /* does not close registered fds */
int mt_loop_add(struct mt_loop *loop, int fd, unsigned events, mt_io_cb cb, void *ud);
int mt_loop_mod(struct mt_loop *loop, int fd, unsigned events);
int mt_loop_del(struct mt_loop *loop, int fd);
/* One iteration: wait up to timeout_ms (-1 forever; shortened to the next
 * timer), dispatch I/O callbacks, run due timers, then flush every
 * connection that queued output. Returns the number of callbacks run, or a
 * negative error. */
int mt_loop_run_once(struct mt_loop *loop, int timeout_ms);
/* Iterate until mt_loop_stop(). */
int mt_loop_run(struct mt_loop *loop);
void mt_loop_stop(struct mt_loop *loop);           /* any thread; wakes the loop */
/* A hook run once per iteration after the I/O callbacks and timers and
 * before the output flush: where a worker batch-decrypts what its
 * connections received and batch-encrypts what they will send, so that all
 * of it leaves in this iteration's writev calls. NULL removes it. */
typedef void (*mt_loop_hook)(struct mt_loop *loop, void *ud);
void mt_loop_set_before_flush(struct mt_loop *loop, mt_loop_hook fn, void *ud);
bool mt_loop_stopping(const struct mt_loop *loop);
mt_ns mt_loop_now(const struct mt_loop *loop);     /* clock cached per iteration */
void mt_loop_update_time(struct mt_loop *loop);

/* Statistics (monotonic counters of this loop). */
struct mt_loop_stats {
    uint64_t iterations, events, timers_fired, writev_calls, bytes_written,
        read_pauses;
};
const struct mt_loop_stats *mt_loop_stats(const struct mt_loop *loop);

/* ---- timers ------------------------------------------------------------- */
/* Caller-embedded (no allocation per timer); a 4-ary min-heap of pointers in
 * the loop: start/stop O(log n), 100k timers cost ~0.8 MB of heap slots. */
struct mt_timer;
typedef void (*mt_timer_cb)(struct mt_loop *loop, struct mt_timer *t, void *ud);
struct mt_timer {
    mt_ns when;              /* absolute, mt_now_ns() clock */
    uint64_t order;          /* tie-break: timers due at once fire in start order */
    uint32_t heap_idx;       /* UINT32_MAX when not started */
    mt_timer_cb cb;
    void *ud;
};
void mt_timer_init(struct mt_timer *t, mt_timer_cb cb, void *ud);
/* (Re)start at an absolute time; MT_E_NOMEM if the heap cannot grow. */
int mt_timer_start(struct mt_loop *loop, struct mt_timer *t, mt_ns when);
int mt_timer_start_in(struct mt_loop *loop, struct mt_timer *t, mt_ns delay);
void mt_timer_stop(struct mt_loop *loop, struct mt_timer *t);   /* idempotent */
static inline bool mt_timer_active(const struct mt_timer *t) { return t->heap_idx != UINT32_MAX; }
size_t mt_loop_timer_count(const struct mt_loop *loop);

/* ---- buffers ------------------------------------------------------------ */
/* A chunk list bounded by cap. Writers reserve contiguous room at the tail
 * (a frame is built in place there), readers see the front chunks as iovecs
 * (writev) and consume. Chunks are recycled through a small free list. */
struct mt_buf_chunk;
struct mt_buf {
    struct mt_buf_chunk *head, *tail, *spare;
    size_t len;             /* committed bytes */
    size_t cap;             /* bound on len (0 = unbounded) */
    size_t chunk_size;      /* default chunk size */
};
void mt_buf_init(struct mt_buf *b, size_t chunk_size, size_t cap);
void mt_buf_free(struct mt_buf *b);
/* Contiguous room for n bytes at the tail. NULL when len + n would exceed
 * cap (MT_E_LIMIT in *err) or on allocation failure (MT_E_NOMEM). */
uint8_t *mt_buf_reserve(struct mt_buf *b, size_t n, int *err);
void mt_buf_commit(struct mt_buf *b, size_t n);     /* n <= the reserved size */
int mt_buf_append(struct mt_buf *b, const void *data, size_t n);
/* Up to max iovecs covering the front bytes; returns the count. */
int mt_buf_iov(const struct mt_buf *b, struct iovec *iov, int max);
void mt_buf_consume(struct mt_buf *b, size_t n);
/* Free every chunk of an empty buffer (idle connections then hold no
 * memory); no-op when bytes are queued. */
void mt_buf_trim(struct mt_buf *b);
/* Read from fd into the tail (at most max bytes): MT_NET_* with *n. */
int mt_buf_read_fd(struct mt_buf *b, int fd, size_t max, size_t *n);
/* Copy the first n bytes out (n <= len). */
void mt_buf_peek(const struct mt_buf *b, void *out, size_t n);
static inline size_t mt_buf_len(const struct mt_buf *b) { return b->len; }

/* ---- connections -------------------------------------------------------- */
/* A non-blocking TCP connection registered with a loop. Output is queued in
 * conn->out and written by the loop at the end of the iteration (one writev
 * per connection per iteration); when the queued output passes out_hwm the
 * connection stops reading until it drains below out_hwm / 2. */
struct mt_conn;
struct mt_conn_ops {
    /* Connected (status 0) or the connect failed / timed out (MT_E_CONNECT,
     * MT_E_TIMEOUT; errno in conn->sys_errno). */
    void (*on_connect)(struct mt_conn *c, int status);
    /* Readable: call mt_conn_read() until it returns MT_NET_AGAIN. When it
     * returns MT_NET_CLOSED or MT_NET_ERROR the callee decides: usually
     * mt_conn_close() (on_close is not called for that). */
    void (*on_readable)(struct mt_conn *c);
    /* The loop itself found the connection dead (a write failed: MT_E_IO,
     * errno in sys_errno; or an error event while reads are paused). The fd
     * is already closed; the conn may be freed or reused here. */
    void (*on_close)(struct mt_conn *c, int reason);
    /* Optional: output drained below the low-water mark (reads resumed). */
    void (*on_drain)(struct mt_conn *c);
};
struct mt_conn {
    struct mt_loop *loop;
    const struct mt_conn_ops *ops;
    void *ud;
    int fd;
    int sys_errno;            /* errno of the last failure */
    unsigned events;          /* currently registered MT_EV_* */
    bool connecting, read_paused, flush_queued, closed;
    size_t out_hwm;           /* backpressure threshold (bytes) */
    struct mt_buf out;
    struct mt_timer connect_timer;
    struct mt_conn *flush_next, *flush_prev;  /* the loop's flush list */
};
/* Set up (no fd yet). out_cap bounds conn->out; out_hwm = 0 picks out_cap/2. */
void mt_conn_init(struct mt_conn *c, struct mt_loop *loop, const struct mt_conn_ops *ops,
                  void *ud, size_t out_cap, size_t out_hwm);
/* Start a connect; on_connect is called later (or MT_E_* returned now). */
int mt_conn_connect(struct mt_conn *c, const struct mt_addr *dst, const struct mt_addr *src,
                    const struct mt_sock_opts *o, mt_ns timeout);
/* Adopt an accepted, non-blocking fd. */
int mt_conn_attach(struct mt_conn *c, int fd);
/* Read into buf: MT_NET_OK (*n > 0), MT_NET_AGAIN, MT_NET_CLOSED, MT_NET_ERROR. */
int mt_conn_read(struct mt_conn *c, void *buf, size_t cap, size_t *n);
/* Output is in c->out (mt_buf_reserve/commit or mt_buf_append); this asks
 * the loop to flush it at the end of the iteration. */
void mt_conn_want_flush(struct mt_conn *c);
int mt_conn_send(struct mt_conn *c, const void *data, size_t n); /* append + want_flush */
/* Write now instead of at the end of the iteration. */
int mt_conn_flush(struct mt_conn *c);
/* Close the fd, drop queued output, unregister; calls no callback. */
void mt_conn_close(struct mt_conn *c);
/* Release buffers (after close). */
void mt_conn_free(struct mt_conn *c);

#ifdef __cplusplus
}
#endif
#endif

/* Connections: a socket, its bounded output buffer, the end-of-iteration
 * flush (one writev per connection per iteration), backpressure (reads
 * paused while the output is above the high-water mark), and non-blocking
 * connect with a timeout. */
#include <errno.h>
#include <unistd.h>
#include "core/net/net_impl.h"

#define FLUSH_IOV 64

static void conn_set_events(struct mt_conn *c, unsigned events)
{
    if (c->fd >= 0 && events != c->events && mt_loop_mod(c->loop, c->fd, events) == 0)
        c->events = events;
}

static void flush_unlink(struct mt_conn *c)
{
    if (!c->flush_queued)
        return;
    if (c->flush_prev)
        c->flush_prev->flush_next = c->flush_next;
    else
        c->loop->flush_head = c->flush_next;
    if (c->flush_next)
        c->flush_next->flush_prev = c->flush_prev;
    c->flush_next = c->flush_prev = NULL;
    c->flush_queued = false;
}

/* Pause reads above the high-water mark, resume below half of it. */
static void conn_backpressure(struct mt_conn *c)
{
    size_t queued = mt_buf_len(&c->out);
    if (!c->read_paused && queued > c->out_hwm) {
        c->read_paused = true;
        c->loop->stats.read_pauses++;
        conn_set_events(c, c->events & ~MT_EV_READ);
    } else if (c->read_paused && queued <= c->out_hwm / 2) {
        c->read_paused = false;
        conn_set_events(c, c->events | MT_EV_READ);
        if (c->ops->on_drain)
            c->ops->on_drain(c);
    }
}

static void conn_fail(struct mt_conn *c, int reason)
{
    c->sys_errno = errno;
    mt_conn_close(c);
    if (c->ops->on_close)
        c->ops->on_close(c, reason);
}

static void conn_connected(struct mt_conn *c, int status)
{
    mt_timer_stop(c->loop, &c->connect_timer);
    c->connecting = false;
    if (status) {
        c->sys_errno = errno;
        mt_conn_close(c);
        errno = c->sys_errno;
    } else {
        conn_set_events(c, MT_EV_READ | (mt_buf_len(&c->out) ? MT_EV_WRITE : 0));
    }
    c->ops->on_connect(c, status);
}

static void conn_io(struct mt_loop *loop, int fd, unsigned events, void *ud)
{
    struct mt_conn *c = ud;
    (void)loop; (void)fd;
    if (c->connecting) {
        if (events & (MT_EV_WRITE | MT_EV_ERROR | MT_EV_HUP))
            conn_connected(c, mt_net_connect_finish(c->fd) == MT_NET_OK ? 0 : MT_E_CONNECT);
        return;
    }
    if ((events & MT_EV_WRITE) && mt_conn_flush(c) < 0)
        return;                                  /* closed: c may be gone */
    if (c->closed)
        return;
    if (events & (MT_EV_READ | MT_EV_ERROR | MT_EV_HUP)) {
        if (!c->read_paused)
            c->ops->on_readable(c);
        else if (events & MT_EV_ERROR) {
            errno = EIO;
            conn_fail(c, MT_E_IO);
        }
    }
}

static void conn_connect_timeout(struct mt_loop *loop, struct mt_timer *t, void *ud)
{
    struct mt_conn *c = ud;
    (void)loop; (void)t;
    if (!c->connecting)
        return;
    c->connecting = false;
    errno = ETIMEDOUT;
    c->sys_errno = ETIMEDOUT;
    mt_conn_close(c);
    c->ops->on_connect(c, MT_E_TIMEOUT);
}

void mt_conn_init(struct mt_conn *c, struct mt_loop *loop, const struct mt_conn_ops *ops,
                  void *ud, size_t out_cap, size_t out_hwm)
{
    memset(c, 0, sizeof *c);
    c->loop = loop;
    c->ops = ops;
    c->ud = ud;
    c->fd = -1;
    c->closed = true;
    c->out_hwm = out_hwm ? out_hwm : (out_cap ? out_cap / 2 : SIZE_MAX);
    mt_buf_init(&c->out, 4096, out_cap);
    mt_timer_init(&c->connect_timer, conn_connect_timeout, c);
}

static int conn_register(struct mt_conn *c, int fd, unsigned events)
{
    int rc = mt_loop_add(c->loop, fd, events, conn_io, c);
    if (rc) {
        close(fd);
        return rc;
    }
    c->fd = fd;
    c->events = events;
    c->closed = false;
    c->read_paused = false;
    return 0;
}

int mt_conn_connect(struct mt_conn *c, const struct mt_addr *dst, const struct mt_addr *src,
                    const struct mt_sock_opts *o, mt_ns timeout)
{
    int fd;
    int rc = mt_net_connect(dst, src, o, &fd);
    if (rc == MT_NET_ERROR) {
        c->sys_errno = errno;
        return errno == EMFILE || errno == ENFILE || errno == EADDRNOTAVAIL ? MT_E_LIMIT
                                                                              : MT_E_CONNECT;
    }
    rc = conn_register(c, fd, MT_EV_WRITE);
    if (rc)
        return rc;
    c->connecting = true;
    if (timeout)
        mt_timer_start(c->loop, &c->connect_timer, mt_now_ns() + timeout);  /* not the cached clock */
    return 0;
}

int mt_conn_attach(struct mt_conn *c, int fd)
{
    return conn_register(c, fd, MT_EV_READ);
}

int mt_conn_read(struct mt_conn *c, void *buf, size_t cap, size_t *n)
{
    int rc = mt_net_read(c->fd, buf, cap, n);
    if (rc == MT_NET_ERROR)
        c->sys_errno = errno;
    return rc;
}

void mt_conn_want_flush(struct mt_conn *c)
{
    if (!c->flush_queued && !c->closed) {
        c->flush_queued = true;
        c->flush_prev = NULL;
        c->flush_next = c->loop->flush_head;
        if (c->flush_next)
            c->flush_next->flush_prev = c;
        c->loop->flush_head = c;
    }
    conn_backpressure(c);
}

int mt_conn_send(struct mt_conn *c, const void *data, size_t n)
{
    int rc = mt_buf_append(&c->out, data, n);
    if (rc == 0)
        mt_conn_want_flush(c);
    return rc;
}

int mt_conn_flush(struct mt_conn *c)
{
    flush_unlink(c);
    if (c->closed)
        return MT_E_STATE;
    if (c->connecting)
        return 0;                        /* written once connected */
    struct iovec iov[FLUSH_IOV];
    int cnt;
    while ((cnt = mt_buf_iov(&c->out, iov, FLUSH_IOV)) > 0) {
        size_t n;
        int rc = mt_net_writev(c->fd, iov, cnt, &n);
        c->loop->stats.writev_calls++;
        if (rc == MT_NET_AGAIN)
            break;
        if (rc != MT_NET_OK) {
            conn_fail(c, MT_E_IO);
            return MT_E_IO;
        }
        c->loop->stats.bytes_written += n;
        mt_buf_consume(&c->out, n);
        size_t asked = 0;
        for (int i = 0; i < cnt; i++) asked += iov[i].iov_len;
        if (n < asked)
            break;                       /* socket buffer full */
    }
    bool pending = mt_buf_len(&c->out) > 0;
    if (!pending)
        mt_buf_trim(&c->out);            /* idle connections hold no chunk */
    conn_set_events(c, pending ? c->events | MT_EV_WRITE : c->events & ~MT_EV_WRITE);
    conn_backpressure(c);
    return 0;
}

void mt_conns_flush_all(struct mt_loop *loop)
{
    while (loop->flush_head)
        mt_conn_flush(loop->flush_head);   /* unlinks it first */
}

void mt_conn_close(struct mt_conn *c)
{
    flush_unlink(c);
    mt_timer_stop(c->loop, &c->connect_timer);
    if (c->fd >= 0) {
        mt_loop_del(c->loop, c->fd);
        close(c->fd);
    }
    c->fd = -1;
    c->events = 0;
    c->closed = true;
    c->connecting = false;
    mt_buf_consume(&c->out, mt_buf_len(&c->out));
    mt_buf_trim(&c->out);
}

void mt_conn_free(struct mt_conn *c)
{
    if (!c->closed)
        mt_conn_close(c);
    mt_buf_free(&c->out);
}

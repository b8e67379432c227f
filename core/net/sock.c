/* Socket calls with the MT_NET_* result convention: the only place that
 * looks at EAGAIN / EINPROGRESS. */
#define _GNU_SOURCE 1   /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <unistd.h>
#include "core/net/mt_net.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

int mt_net_set_opts(int fd, const struct mt_sock_opts *o)
{
    if (!o)
        return 0;
    int one = 1;
    if (o->nodelay && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
        return MT_E_SYSTEM;
    if (o->sndbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &o->sndbuf, sizeof o->sndbuf) != 0)
        return MT_E_SYSTEM;
    if (o->rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &o->rcvbuf, sizeof o->rcvbuf) != 0)
        return MT_E_SYSTEM;
    return 0;
}

int mt_net_listen(const struct mt_addr *addr, int backlog, bool reuseport)
{
    int fd = socket(addr->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return errno == EMFILE || errno == ENFILE ? MT_E_LIMIT : MT_E_SYSTEM;
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) ||
        bind(fd, (const struct sockaddr *)&addr->ss, addr->len) != 0 ||
        listen(fd, backlog > 0 ? backlog : 4096) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return MT_E_SYSTEM;
    }
    return fd;
}

int mt_net_accept(int lfd, const struct mt_sock_opts *o, int *fd, struct mt_addr *peer)
{
    struct mt_addr tmp;
    struct mt_addr *a = peer ? peer : &tmp;
    a->len = sizeof a->ss;
    int s = accept4(lfd, (struct sockaddr *)&a->ss, &a->len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (s < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED)
            return MT_NET_AGAIN;
        return MT_NET_ERROR;
    }
    if (mt_net_set_opts(s, o) != 0) {
        int e = errno;
        close(s);
        errno = e;
        return MT_NET_ERROR;
    }
    *fd = s;
    return MT_NET_OK;
}

static int bind_source(int fd, const struct mt_addr *src)
{
    int one = 1;
    /* keep the port unassigned until connect(): the 4-tuple decides then,
     * so each source address gets its own ephemeral port range */
    if (src->ss.ss_family == AF_INET && mt_addr_port(src) == 0)
        (void)setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    return bind(fd, (const struct sockaddr *)&src->ss, src->len);
}

int mt_net_connect(const struct mt_addr *dst, const struct mt_addr *src,
                   const struct mt_sock_opts *o, int *fd)
{
    int s = socket(dst->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0)
        return MT_NET_ERROR;
    if (mt_net_set_opts(s, o) != 0 || (src && bind_source(s, src) != 0))
        goto fail;
    if (connect(s, (const struct sockaddr *)&dst->ss, dst->len) == 0) {
        *fd = s;
        return MT_NET_OK;
    }
    if (errno == EINPROGRESS || errno == EINTR) {
        *fd = s;
        return MT_NET_AGAIN;
    }
fail:;
    int e = errno;
    close(s);
    errno = e;
    return MT_NET_ERROR;
}

int mt_net_connect_finish(int fd)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        return MT_NET_ERROR;
    if (err) {
        errno = err;
        return MT_NET_ERROR;
    }
    return MT_NET_OK;
}

int mt_net_read(int fd, void *buf, size_t cap, size_t *n)
{
    *n = 0;
    for (;;) {
        ssize_t r = read(fd, buf, cap);
        if (r > 0) {
            *n = (size_t)r;
            return MT_NET_OK;
        }
        if (r == 0)
            return cap ? MT_NET_CLOSED : MT_NET_OK;
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? MT_NET_AGAIN : MT_NET_ERROR;
    }
}

int mt_net_writev(int fd, const struct iovec *iov, int cnt, size_t *n)
{
    *n = 0;
    for (;;) {
        ssize_t r = writev(fd, iov, cnt);
        if (r >= 0) {
            *n = (size_t)r;
            return MT_NET_OK;
        }
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? MT_NET_AGAIN : MT_NET_ERROR;
    }
}

int mt_net_local_addr(int fd, struct mt_addr *out)
{
    out->len = sizeof out->ss;
    return getsockname(fd, (struct sockaddr *)&out->ss, &out->len) == 0 ? 0 : MT_E_SYSTEM;
}

int mt_net_raise_nofile(size_t want, size_t *got)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return MT_E_SYSTEM;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t old = rl.rlim_cur;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            rl.rlim_cur = old;
    }
    *got = rl.rlim_cur == RLIM_INFINITY ? SIZE_MAX : (size_t)rl.rlim_cur;
    if (*got < want) {
        mt_log(MT_LOG_WARN,
               "open-file limit: %zu descriptors needed, but RLIMIT_NOFILE allows %zu "
               "(hard limit %llu); raise it (ulimit -Hn, limits.conf, systemd "
               "LimitNOFILE) or spread the connections over several processes",
               want, *got, (unsigned long long)rl.rlim_max);
        return MT_E_LIMIT;
    }
    return 0;
}

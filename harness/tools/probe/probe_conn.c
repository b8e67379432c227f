/* mt_probe: the socket and the transport (blocking, with poll timeouts). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "harness/tools/probe/probe.h"

double probe_now(void)
{
    return (double)mt_now_ns() / 1e9;
}

static int open_socket(const char *host, int port)
{
    struct sockaddr_in6 a6 = {0};
    struct sockaddr_in a4 = {0};
    struct sockaddr *sa;
    socklen_t slen;
    int family;
    if (inet_pton(AF_INET, host, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&a4, slen = sizeof a4, family = AF_INET;
    } else if (inet_pton(AF_INET6, host, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&a6, slen = sizeof a6, family = AF_INET6;
    } else {
        return MT_E_INVAL;
    }
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return MT_E_SYSTEM;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, sa, slen) != 0) {
        close(fd);
        return MT_E_CONNECT;
    }
    return fd;
}

int probe_connect(struct probe *p, const struct probe_opts *o)
{
    p->o = o;
    p->fd = -1;
    if (mt_rng_init(&p->rng))
        return MT_E_RANDOM;
    struct mt_tr_config cfg = {0};
    bool obf = false;
    int rc = mt_tr_parse_name(o->transport, &cfg.kind, &obf);
    if (rc)
        return rc;
    cfg.obfuscated = obf;
    if (o->secret && (rc = mt_tr_config_secret(&cfg, o->secret)))
        return rc;
    cfg.max_frame = 64u << 20;
    if ((rc = mt_tr_init_client(&p->tr, &cfg, &p->rng)))
        return rc;
    if ((rc = mt_tr_rx_init(&p->rx, 1 << 16, 64u << 20)))
        return rc;
    p->fd = open_socket(o->host, o->port);
    if (p->fd < 0)
        return p->fd;
    p->opened_at = probe_now();
    uint8_t pre[MT_TR_PREAMBLE_MAX];
    int n = mt_tr_client_preamble(&p->tr, pre);
    if (n < 0)
        return n;
    return n ? probe_send_raw(p, pre, (size_t)n) : 0;
}

void probe_close(struct probe *p)
{
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
    mt_tr_free(&p->tr);
    mt_tr_rx_free(&p->rx);
    mt_rng_free(&p->rng);
    mt_wipe(&p->key, sizeof p->key);
}

int probe_send_raw(struct probe *p, const void *data, size_t len)
{
    const uint8_t *b = data;
    while (len) {
        /* --trickle: one byte per segment, so the server sees every split */
        size_t chunk = p->o && p->o->trickle ? 1 : len;
        if (chunk == 1) {
            struct timespec ts = {0, 100000};
            nanosleep(&ts, NULL);
        }
        ssize_t n = send(p->fd, b, chunk, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (!p->closed) {
                p->closed = true;
                p->closed_at = probe_now();
            }
            return MT_E_CLOSED;
        }
        b += n;
        len -= (size_t)n;
    }
    return 0;
}

int probe_send_frame(struct probe *p, const uint8_t *payload, size_t len, unsigned flags)
{
    size_t cap = MT_TR_HEADROOM + len + MT_TR_TAILROOM;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return MT_E_NOMEM;
    memcpy(buf + MT_TR_HEADROOM, payload, len);
    uint8_t *start;
    size_t total;
    int rc = mt_tr_frame(&p->tr, buf, MT_TR_HEADROOM, len, cap, flags, &start, &total);
    if (!rc)
        rc = probe_send_raw(p, start, total);
    free(buf);
    return rc;
}

/* Read what the socket has into the receive buffer: 1 read, 0 timeout,
 * MT_E_CLOSED at EOF or reset. */
static int fill(struct probe *p, double deadline)
{
    double left = deadline - probe_now();
    if (left < 0)
        left = 0;
    struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
    int r = poll(&pfd, 1, (int)(left * 1000) + (left > 0 ? 1 : 0));
    if (r < 0)
        return errno == EINTR ? 1 : MT_E_IO;
    if (r == 0)
        return 0;
    size_t avail;
    int err = MT_E_LIMIT;
    uint8_t *space = mt_tr_rx_space(&p->rx, 1 << 16, &avail, &err);
    if (!space)
        return err;
    ssize_t n = recv(p->fd, space, avail, 0);
    if (n < 0 && errno == EINTR)
        return 1;
    if (n <= 0) {
        if (!p->closed) {
            p->closed = true;
            p->closed_at = probe_now();
        }
        return MT_E_CLOSED;
    }
    mt_tr_rx_commit(&p->tr, &p->rx, (size_t)n);
    return 1;
}

int probe_recv(struct probe *p, double timeout_s, struct mt_tr_pkt *pkt)
{
    double deadline = probe_now() + timeout_s;
    if (p->fd < 0)
        return MT_E_CLOSED;
    for (;;) {
        int rc = mt_tr_rx_next(&p->tr, &p->rx, NULL, pkt);
        if (rc != 0)
            return rc;
        if (p->closed)
            return MT_E_CLOSED;
        rc = fill(p, deadline);
        if (rc <= 0)
            return rc;
    }
}

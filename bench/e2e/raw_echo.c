/* Raw loopback echo: the floor under an end-to-end MTProto benchmark.
 * No crypto, no framing: a server that writes back every byte it reads and
 * a client that keeps `depth` messages of `size` bytes in flight on each of
 * `conns` connections, the same shape as `mtload run --depth` against
 * `mtload server`. One epoll loop per thread on both sides.
 *
 *   mt_raw_echo serve PORT THREADS
 *   mt_raw_echo load PORT THREADS CONNS DEPTH SIZE SECONDS
 *
 * `serve` prints "listening PORT" (PORT 0 picks one) and runs until killed;
 * `load` prints one JSON line: {"messages":N,"seconds":S,"rate":R,...}. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_CAP (256 * 1024)

struct conn {
    int fd;
    size_t pending;     /* bytes read but not yet written back (server) */
    size_t partial;     /* bytes of the current message received (client) */
    uint8_t *buf;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static int set_nodelay(int fd)
{
    int one = 1;
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* ---- server --------------------------------------------------------------- */

static int listen_port(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    if (fd < 0) die("socket");
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 4096)) die("bind/listen");
    return fd;
}

/* Write back what is pending; keep the rest for EPOLLOUT. */
static int echo_flush(struct conn *c)
{
    while (c->pending) {
        ssize_t n = write(c->fd, c->buf, c->pending);
        if (n < 0) return errno == EAGAIN ? 0 : -1;
        memmove(c->buf, c->buf + n, c->pending - (size_t)n);
        c->pending -= (size_t)n;
    }
    return 0;
}

static void *serve_thread(void *arg)
{
    int lfd = *(int *)arg;
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL}, evs[256];
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    set_nodelay(fd);
                    c = calloc(1, sizeof *c);
                    c->fd = fd;
                    c->buf = malloc(BUF_CAP);
                    struct epoll_event e = {.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
                }
                continue;
            }
            int bad = echo_flush(c);
            while (!bad && c->pending < BUF_CAP) {
                ssize_t r = read(c->fd, c->buf + c->pending, BUF_CAP - c->pending);
                if (r == 0 || (r < 0 && errno != EAGAIN)) { bad = 1; break; }
                if (r < 0) break;
                c->pending += (size_t)r;
                bad = echo_flush(c);
            }
            if (bad) {
                close(c->fd);
                free(c->buf);
                free(c);
            }
        }
    }
    return NULL;
}

static int cmd_serve(int port, int threads)
{
    int lfd = listen_port(port);
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    getsockname(lfd, (struct sockaddr *)&a, &al);
    int actual = ntohs(a.sin_port);
    int *fds = calloc((size_t)threads, sizeof *fds);
    fds[0] = lfd;
    for (int t = 1; t < threads; t++) fds[t] = listen_port(actual);
    printf("listening %d\n", actual);
    fflush(stdout);
    pthread_t th;
    for (int t = 1; t < threads; t++) pthread_create(&th, NULL, serve_thread, &fds[t]);
    serve_thread(&fds[0]);
    return 0;
}

/* ---- client --------------------------------------------------------------- */

struct load {
    int port, conns, depth;
    size_t size;
    double seconds;
    atomic_ullong messages;
};

static void *load_thread(void *arg)
{
    struct load *L = arg;
    int ep = epoll_create1(0);
    struct conn *cs = calloc((size_t)L->conns, sizeof *cs);
    size_t burst = L->size * (size_t)L->depth;
    uint8_t *msg = calloc(1, burst > L->size ? burst : L->size);
    uint8_t *rx = malloc(BUF_CAP);
    for (int i = 0; i < L->conns; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)L->port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a)) die("connect");
        set_nodelay(fd);
        cs[i].fd = fd;
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = &cs[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
        if (write(fd, msg, burst) != (ssize_t)burst) die("write");   /* depth in flight */
    }
    unsigned long long done = 0;
    double end = now_s() + L->seconds;
    struct epoll_event evs[256];
    while (now_s() < end) {
        int n = epoll_wait(ep, evs, 256, 100);
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            ssize_t r = read(c->fd, rx, BUF_CAP);
            if (r <= 0) continue;
            c->partial += (size_t)r;
            size_t whole = c->partial / L->size;
            c->partial %= L->size;
            done += whole;
            /* every answered message is sent again: the window stays full */
            for (size_t k = 0; k < whole;) {
                size_t m = whole - k < (size_t)L->depth ? whole - k : (size_t)L->depth;
                if (write(c->fd, msg, m * L->size) != (ssize_t)(m * L->size)) die("write");
                k += m;
            }
        }
    }
    atomic_fetch_add(&L->messages, done);
    for (int i = 0; i < L->conns; i++) close(cs[i].fd);
    free(cs);
    free(msg);
    free(rx);
    return NULL;
}

static int cmd_load(int argc, char **argv)
{
    int threads = atoi(argv[3]);
    int conns = atoi(argv[4]);
    struct load base = {.port = atoi(argv[2]), .depth = atoi(argv[5]),
                        .size = (size_t)atol(argv[6]), .seconds = atof(argv[7])};
    (void)argc;
    if (threads < 1 || conns < threads || base.depth < 1 || base.size < 1) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    struct load *ls = calloc((size_t)threads, sizeof *ls);
    pthread_t *th = calloc((size_t)threads, sizeof *th);
    double t0 = now_s();
    for (int t = 0; t < threads; t++) {
        ls[t] = base;
        ls[t].conns = conns / threads + (t < conns % threads);
        pthread_create(&th[t], NULL, load_thread, &ls[t]);
    }
    unsigned long long total = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(th[t], NULL);
        total += ls[t].messages;
    }
    double secs = now_s() - t0;
    printf("{\"messages\":%llu,\"seconds\":%.3f,\"rate\":%.1f,\"conns\":%d,\"depth\":%d,"
           "\"size\":%zu,\"threads\":%d}\n", total, secs, (double)total / base.seconds, conns,
           base.depth, base.size, threads);
    free(ls);
    free(th);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "serve"))
        return cmd_serve(atoi(argv[2]), atoi(argv[3]));
    if (argc == 8 && !strcmp(argv[1], "load"))
        return cmd_load(argc, argv);
    fprintf(stderr, "usage: mt_raw_echo serve PORT THREADS\n"
                    "       mt_raw_echo load PORT THREADS CONNS DEPTH SIZE SECONDS\n");
    return 2;
}

/* Prometheus text exposition (format 0.0.4) over libmicrohttpd.
 * The reporter renders the page once per interval (mt_prom_update); the HTTP
 * thread only copies the last rendered page under a mutex, so a scrape never
 * touches worker data and never slows the reporter for long. */
#include "core/metrics/mt_metrics.h"

#include <arpa/inet.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

/* ---- a growable string ----------------------------------------------------- */

struct sbuf { char *s; size_t len, cap; int oom; };

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

/* Label values escape backslash, double quote and newline. */
static void sb_label(struct sbuf *b, const char *name, const char *value, int first)
{
    sb_printf(b, "%s%s=\"", first ? "" : ",", name);
    for (const char *p = value; *p; p++) {
        if (*p == '\\' || *p == '"')
            sb_printf(b, "\\%c", *p);
        else if (*p == '\n')
            sb_printf(b, "\\n");
        else
            sb_printf(b, "%c", *p);
    }
    sb_printf(b, "\"");
}

/* ---- rendering ------------------------------------------------------------- */

static const char *const counter_help[MT_CNT__COUNT] = {
    [MT_CNT_CONNECTS] = "TCP connections established.",
    [MT_CNT_CONNECT_FAILS] = "TCP connection attempts that failed.",
    [MT_CNT_HANDSHAKES] = "MTProto auth key handshakes completed.",
    [MT_CNT_HANDSHAKE_FAILS] = "MTProto auth key handshakes that failed.",
    [MT_CNT_REQUESTS] = "RPC requests sent (client) or received (server).",
    [MT_CNT_RESPONSES] = "RPC results received (client) or sent (server).",
    [MT_CNT_BYTES_SENT] = "Bytes written to sockets.",
    [MT_CNT_BYTES_RECV] = "Bytes read from sockets.",
    [MT_CNT_ERRORS] = "Errors of every class.",
    [MT_CNT_TIMEOUTS] = "Requests that timed out.",
    [MT_CNT_DISCONNECTS] = "Connections closed by the peer or after an error.",
    [MT_CNT_SALT_CHANGES] = "Server salts adopted after bad_server_salt or new_session_created.",
    [MT_CNT_FLOOD_WAIT_SECONDS] = "Sum of X over FLOOD_WAIT_X errors, in seconds.",
};

/* Log-spaced bucket bounds (1-2.5-5 per decade) from 1 us to 60 s. */
static const double LE_BOUNDS[] = {
    1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3,
    1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60,
};

static void render_counters(struct sbuf *b, const struct mt_metrics_report *r, const char *tr)
{
    for (int c = 0; c < MT_CNT__COUNT; c++) {
        const char *n = mt_metrics_counter_name(c);
        sb_printf(b, "# HELP mtload_%s_total %s\n# TYPE mtload_%s_total counter\n", n, counter_help[c], n);
        sb_printf(b, "mtload_%s_total{", n);
        sb_label(b, "transport", tr, 1);
        sb_printf(b, "} %llu\n", (unsigned long long)r->counter[c]);
    }
}

static void render_errors(struct sbuf *b, const struct mt_metrics_report *r, const char *tr)
{
    sb_printf(b, "# HELP mtload_errors_by_class_total Errors by class, code and message.\n"
                 "# TYPE mtload_errors_by_class_total counter\n");
    for (int i = 0; i < r->n_err; i++) {
        const struct mt_metrics_error *e = &r->err[i];
        char code[16];
        snprintf(code, sizeof(code), "%d", e->code);
        sb_printf(b, "mtload_errors_by_class_total{");
        sb_label(b, "class", mt_metrics_err_kind_name(e->kind), 1);
        sb_label(b, "code", code, 0);
        sb_label(b, "error", e->message, 0);
        sb_label(b, "transport", tr, 0);
        sb_printf(b, "} %llu\n", (unsigned long long)e->count);
    }
    sb_printf(b, "# HELP mtload_operation_errors_total Errors attributed to an operation.\n"
                 "# TYPE mtload_operation_errors_total counter\n");
    for (int i = 0; i < r->n_ops; i++) {
        sb_printf(b, "mtload_operation_errors_total{");
        sb_label(b, "op", r->op[i].name, 1);
        sb_label(b, "transport", tr, 0);
        sb_printf(b, "} %llu\n", (unsigned long long)r->op[i].errors);
    }
}

static void render_latency(struct sbuf *b, const struct mt_metrics_report *r, const char *tr)
{
    sb_printf(b, "# HELP mtload_latency_seconds Latency of completed operations.\n"
                 "# TYPE mtload_latency_seconds histogram\n");
    for (int i = 0; i < r->n_ops; i++) {
        const struct mt_hist *h = &r->op[i].hist;
        for (size_t k = 0; k <= MT_ARRAY_LEN(LE_BOUNDS); k++) {
            int inf = k == MT_ARRAY_LEN(LE_BOUNDS);
            char le[32];
            int64_t n;
            if (inf) {
                snprintf(le, sizeof(le), "+Inf");
                n = h->total_count;
            } else {
                snprintf(le, sizeof(le), "%g", LE_BOUNDS[k]);
                n = mt_hist_count_le(h, (int64_t)llround(LE_BOUNDS[k] * 1e9));
            }
            sb_printf(b, "mtload_latency_seconds_bucket{");
            sb_label(b, "op", r->op[i].name, 1);
            sb_label(b, "transport", tr, 0);
            sb_label(b, "le", le, 0);
            sb_printf(b, "} %lld\n", (long long)n);
        }
        sb_printf(b, "mtload_latency_seconds_sum{");
        sb_label(b, "op", r->op[i].name, 1);
        sb_label(b, "transport", tr, 0);
        sb_printf(b, "} %.9g\n", h->sum / 1e9);
        sb_printf(b, "mtload_latency_seconds_count{");
        sb_label(b, "op", r->op[i].name, 1);
        sb_label(b, "transport", tr, 0);
        sb_printf(b, "} %lld\n", (long long)h->total_count);
    }
}

char *mt_prom_render(const struct mt_metrics_report *r, const char *transport_label)
{
    struct sbuf b = {0};
    const char *tr = transport_label ? transport_label : "";
    render_counters(&b, r, tr);
    render_errors(&b, r, tr);
    render_latency(&b, r, tr);
    sb_printf(&b, "# HELP mtload_sessions MTProto sessions currently open.\n"
                  "# TYPE mtload_sessions gauge\nmtload_sessions{");
    sb_label(&b, "transport", tr, 1);
    sb_printf(&b, "} %lld\n", (long long)r->sessions);
    sb_printf(&b, "# HELP mtload_connections TCP connections currently open.\n"
                  "# TYPE mtload_connections gauge\nmtload_connections{");
    sb_label(&b, "transport", tr, 1);
    sb_printf(&b, "} %lld\n", (long long)r->connections);
    sb_printf(&b, "# HELP mtload_run_duration_seconds Time since the run started.\n"
                  "# TYPE mtload_run_duration_seconds gauge\nmtload_run_duration_seconds %.3f\n",
              r->duration_s);
    sb_printf(&b, "# HELP mtload_run_interrupted 1 if the run was ended by a signal.\n"
                  "# TYPE mtload_run_interrupted gauge\nmtload_run_interrupted %d\n", r->interrupted);
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* ---- HTTP ---------------------------------------------------------------- */

struct mt_prom {
    struct MHD_Daemon *daemon;
    pthread_mutex_t lock;
    char *page;
    size_t page_len;
    char transport[64];
    int port;
};

static enum MHD_Result serve(void *cls, struct MHD_Connection *conn, const char *url,
                             const char *method, const char *version, const char *upload_data,
                             size_t *upload_size, void **req_cls)
{
    struct mt_prom *p = cls;
    struct MHD_Response *resp;
    unsigned status = MHD_HTTP_OK;
    if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
        static const char msg[] = "method not allowed\n";
        resp = MHD_create_response_from_buffer(sizeof(msg) - 1, (void *)(uintptr_t)msg,
                                               MHD_RESPMEM_PERSISTENT);
        status = MHD_HTTP_METHOD_NOT_ALLOWED;
    } else if (strcmp(url, "/metrics")) {
        static const char msg[] = "not found: try /metrics\n";
        resp = MHD_create_response_from_buffer(sizeof(msg) - 1, (void *)(uintptr_t)msg,
                                               MHD_RESPMEM_PERSISTENT);
        status = MHD_HTTP_NOT_FOUND;
    } else {
        pthread_mutex_lock(&p->lock);
        resp = MHD_create_response_from_buffer(p->page_len, p->page ? p->page : (char *)"",
                                               MHD_RESPMEM_MUST_COPY);
        pthread_mutex_unlock(&p->lock);
        if (resp)
            MHD_add_response_header(resp, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    }
    if (!resp)
        return MHD_NO;
    enum MHD_Result rc = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

/* "host:port", "[v6]:port" or ":port" into a sockaddr. */
static int parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[128];
    const char *colon = strrchr(s, ':');
    if (!colon || colon - s >= (ptrdiff_t)sizeof(host))
        return MT_E_INVAL;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end || port < 0 || port > 65535)
        return MT_E_INVAL;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = 0;
    memset(ss, 0, sizeof(*ss));
    if (host[0] == '[') {
        size_t hl = strlen(host);
        if (hl < 2 || host[hl - 1] != ']')
            return MT_E_INVAL;
        host[hl - 1] = 0;
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
            return MT_E_INVAL;
        *len = sizeof(*a6);
        return 0;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    if (!host[0] || !strcmp(host, "*"))
        a4->sin_addr.s_addr = htonl(INADDR_ANY);
    else if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
        return MT_E_INVAL;
    *len = sizeof(*a4);
    return 0;
}

struct mt_prom *mt_prom_start(const char *addr_port, const char *transport_label)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (!addr_port || parse_addr(addr_port, &ss, &sl))
        return NULL;
    struct mt_prom *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    pthread_mutex_init(&p->lock, NULL);
    snprintf(p->transport, sizeof(p->transport), "%s", transport_label ? transport_label : "");
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    p->daemon = MHD_start_daemon(flags, 0, NULL, NULL, serve, p,
                                 MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
                                 MHD_OPTION_END);
    if (!p->daemon) {
        pthread_mutex_destroy(&p->lock);
        free(p);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(p->daemon, MHD_DAEMON_INFO_BIND_PORT);
    p->port = info ? info->port : 0;
    return p;
}

int mt_prom_port(const struct mt_prom *p)
{
    return p->port;
}

int mt_prom_update(struct mt_prom *p, const struct mt_metrics_report *total)
{
    char *page = mt_prom_render(total, p->transport);
    if (!page)
        return MT_E_NOMEM;
    pthread_mutex_lock(&p->lock);
    char *old = p->page;
    p->page = page;
    p->page_len = strlen(page);
    pthread_mutex_unlock(&p->lock);
    free(old);
    return 0;
}

void mt_prom_stop(struct mt_prom *p, double linger_s, const volatile int *stop)
{
    if (!p)
        return;
    mt_ns until = mt_now_ns() + (mt_ns)(linger_s > 0 ? linger_s * 1e9 : 0);
    while (mt_now_ns() < until && !(stop && *stop)) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(p->daemon);
    pthread_mutex_destroy(&p->lock);
    free(p->page);
    free(p);
}

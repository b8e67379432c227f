/* Addresses: parsing "host:port" / "[v6]:port", printing, and the pool of
 * source addresses for outgoing connections. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include "core/net/mt_net.h"

static int parse_port(const char *s, int *port)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 0 || v > 65535)
        return MT_E_INVAL;
    *port = (int)v;
    return 0;
}

static int resolve(const char *host, struct mt_addr *out)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
        return MT_E_INVAL;
    memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
    out->len = (socklen_t)res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

int mt_addr_parse_host(const char *host, struct mt_addr *out)
{
    memset(out, 0, sizeof *out);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&out->ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->ss;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        out->len = sizeof *v4;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        out->len = sizeof *v6;
        return 0;
    }
    return resolve(host, out);
}

int mt_addr_parse(const char *host_port, struct mt_addr *out)
{
    char host[256];
    const char *colon, *hs = host_port;
    size_t hl;
    if (!host_port)
        return MT_E_INVAL;
    if (host_port[0] == '[') {
        const char *close = strchr(host_port, ']');
        if (!close || close[1] != ':')
            return MT_E_INVAL;
        hs = host_port + 1;
        hl = (size_t)(close - hs);
        colon = close + 1;
    } else {
        colon = strrchr(host_port, ':');
        if (!colon)
            return MT_E_INVAL;
        hl = (size_t)(colon - host_port);
    }
    if (hl == 0 || hl >= sizeof host)
        return MT_E_INVAL;
    memcpy(host, hs, hl);
    host[hl] = '\0';
    int port;
    if (parse_port(colon + 1, &port) != 0 || mt_addr_parse_host(host, out) != 0)
        return MT_E_INVAL;
    mt_addr_set_port(out, port);
    return 0;
}

int mt_addr_port(const struct mt_addr *a)
{
    if (a->ss.ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
    if (a->ss.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
    return -1;
}

void mt_addr_set_port(struct mt_addr *a, int port)
{
    if (a->ss.ss_family == AF_INET)
        ((struct sockaddr_in *)&a->ss)->sin_port = htons((uint16_t)port);
    else if (a->ss.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)&a->ss)->sin6_port = htons((uint16_t)port);
}

const char *mt_addr_str(const struct mt_addr *a, char *buf, size_t cap)
{
    char host[INET6_ADDRSTRLEN] = "?";
    if (a->ss.ss_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)&a->ss)->sin_addr, host, sizeof host);
        snprintf(buf, cap, "%s:%d", host, mt_addr_port(a));
    } else if (a->ss.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&a->ss)->sin6_addr, host, sizeof host);
        snprintf(buf, cap, "[%s]:%d", host, mt_addr_port(a));
    } else {
        snprintf(buf, cap, "?");
    }
    return buf;
}

/* ---- source-address pool ------------------------------------------------ */

int mt_src_pool_init(struct mt_src_pool *p, const char *spec)
{
    char first[64], last[64];
    const char *dash = strchr(spec, '-');
    memset(p, 0, sizeof *p);
    size_t fl = dash ? (size_t)(dash - spec) : strlen(spec);
    if (fl == 0 || fl >= sizeof first || (dash && strlen(dash + 1) >= sizeof last))
        return MT_E_INVAL;
    memcpy(first, spec, fl);
    first[fl] = '\0';
    snprintf(last, sizeof last, "%s", dash ? dash + 1 : first);
    struct in_addr a, b;
    if (inet_pton(AF_INET, first, &a) != 1 || inet_pton(AF_INET, last, &b) != 1) {
        /* a single IPv6 (or named) source */
        if (dash)
            return MT_E_INVAL;
        p->addrs = calloc(1, sizeof *p->addrs);
        if (!p->addrs)
            return MT_E_NOMEM;
        if (mt_addr_parse_host(first, &p->addrs[0]) != 0) {
            mt_src_pool_free(p);
            return MT_E_INVAL;
        }
        p->n = 1;
        return 0;
    }
    uint32_t lo = ntohl(a.s_addr), hi = ntohl(b.s_addr);
    if (hi < lo || hi - lo >= 1u << 20)
        return MT_E_INVAL;
    p->n = (size_t)(hi - lo) + 1;
    p->addrs = calloc(p->n, sizeof *p->addrs);
    if (!p->addrs)
        return MT_E_NOMEM;
    for (size_t i = 0; i < p->n; i++) {
        struct sockaddr_in *v4 = (struct sockaddr_in *)&p->addrs[i].ss;
        v4->sin_family = AF_INET;
        v4->sin_addr.s_addr = htonl(lo + (uint32_t)i);
        p->addrs[i].len = sizeof *v4;
    }
    return 0;
}

const struct mt_addr *mt_src_pool_next(struct mt_src_pool *p)
{
    if (!p || p->n == 0)
        return NULL;
    const struct mt_addr *a = &p->addrs[p->next];
    p->next = (p->next + 1) % p->n;
    return a;
}

void mt_src_pool_free(struct mt_src_pool *p)
{
    free(p->addrs);
    memset(p, 0, sizeof *p);
}

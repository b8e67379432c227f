/* `mtload server`: key set-up, worker threads, the reporter (metrics and the
 * Prometheus endpoint) and a graceful stop on SIGINT/SIGTERM. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "server/server.h"
#include "server/srv.h"

/* Load the private key, or generate one and save it (with its public half)
 * on first start, so that clients can be pointed at the .pub file. */
static struct mt_rsa *load_or_create_key(const struct mt_srv_config *cfg)
{
    char err[256] = "";
    struct stat st;
    struct mt_rsa *k;
    if (stat(cfg->rsa_key_path, &st) == 0) {
        k = mt_rsa_load_file(cfg->rsa_key_path, err, sizeof err);
        if (!k) {
            fprintf(stderr, "mtload server: --rsa-key %s: %s\n", cfg->rsa_key_path, err);
            return NULL;
        }
        if (!mt_rsa_has_private(k)) {
            fprintf(stderr, "mtload server: --rsa-key %s: not a private key\n", cfg->rsa_key_path);
            mt_rsa_free(k);
            return NULL;
        }
    } else {
        k = mt_rsa_generate(2048, err, sizeof err);
        if (!k || mt_rsa_save_private(k, cfg->rsa_key_path)) {
            fprintf(stderr, "mtload server: cannot create RSA key %s: %s\n", cfg->rsa_key_path,
                    k ? strerror(errno) : err);
            mt_rsa_free(k);
            return NULL;
        }
        fprintf(stderr, "mtload server: generated a 2048-bit RSA key in %s\n", cfg->rsa_key_path);
    }
    char pub[4096];
    mt_srv_public_key_path(cfg, pub, sizeof pub);
    if (mt_rsa_save_public(k, pub)) {
        fprintf(stderr, "mtload server: cannot write the public key %s: %s\n", pub, strerror(errno));
        mt_rsa_free(k);
        return NULL;
    }
    return k;
}

static int key_exists(void *ctx, const struct mt_auth_key *key)
{
    return mt_keystore_has(ctx, key->id64);
}

/* --listen ":4430" (any address) is 0.0.0.0 for the socket layer. */
static void listen_str(const struct mt_hostport *hp, char *buf, size_t cap)
{
    if (hp->kind == MT_HOST_ANY)
        snprintf(buf, cap, "0.0.0.0:%u", hp->port);
    else
        mt_hostport_format(hp, buf, cap);
}

static int srv_setup(struct mt_srv *srv, const struct mt_srv_config *cfg)
{
    memset(srv, 0, sizeof *srv);
    srv->cfg = cfg;
    srv->started = mt_now_ns();
    if (!(srv->rsa = load_or_create_key(cfg)))
        return MT_EXIT_USAGE;
    srv->keys = mt_keystore_new(cfg->max_connections * 4 > 4000000 ? 4000000 : cfg->max_connections * 4);
    if (!srv->keys)
        return MT_EXIT_USAGE;
    mt_hs_server_config_init(&srv->hs);
    srv->hs.keys = &srv->rsa;
    srv->hs.nkeys = 1;
    srv->hs.key_exists = key_exists;
    srv->hs.key_exists_ctx = srv->keys;
    struct mt_link_config *lc = &srv->link;
    lc->role = MT_LINK_SERVER;
    lc->ops = mt_srv_link_ops();
    lc->hs_server = &srv->hs;
    lc->sock.nodelay = true;
    lc->tr_server.allow_plain = true;
    lc->tr_server.allow_obfuscated = true;
    lc->tr_server.max_frame = (uint32_t)cfg->max_frame;
    if (cfg->secret_len) {
        /* "dd" + 16 bytes is the padded-only MTProxy form of the same secret */
        memcpy(srv->secrets[0], cfg->secret + (cfg->secret_len == 17 ? 1 : 0), MT_TR_SECRET_LEN);
        lc->tr_server.secrets = (const uint8_t(*)[MT_TR_SECRET_LEN])srv->secrets;
        lc->tr_server.nsecrets = 1;
    }
    lc->rx_max = cfg->max_frame + 256;
    lc->max_envelope = cfg->max_frame;
    /* room for one whole largest reply: the link reserves its envelope in
     * the output buffer, and a reservation over out_cap never succeeds */
    lc->out_cap = 2 * cfg->max_frame + (64u << 10);
    char addr[128];
    listen_str(&cfg->listen, addr, sizeof addr);
    if (mt_addr_parse(addr, &srv->listen)) {
        fprintf(stderr, "mtload server: --listen %s: cannot parse\n", addr);
        return MT_EXIT_USAGE;
    }
    /* Raise the descriptor limit as far as allowed; an explicit
     * --max-connections above it is reported by the net layer, the default
     * (1M) only in the banner. */
    size_t want = cfg->max_connections < 16384 ? (size_t)cfg->max_connections + 64 : 16384;
    mt_net_raise_nofile(want, &srv->nofile);
    return 0;
}

static void srv_teardown(struct mt_srv *srv)
{
    for (int i = 0; i < srv->nworkers; i++)
        mt_srv_worker_destroy(&srv->workers[i]);
    free(srv->workers);
    mt_keystore_free(srv->keys);
    mt_rsa_free(srv->rsa);
}

static int start_workers(struct mt_srv *srv)
{
    int n = (int)srv->cfg->threads;
    srv->workers = calloc((size_t)n, sizeof *srv->workers);
    if (!srv->workers)
        return MT_E_NOMEM;
    for (int i = 0; i < n; i++) {
        srv->nworkers = i + 1;
        int rc = mt_srv_worker_init(&srv->workers[i], srv, i);
        if (rc) {
            char a[128];
            fprintf(stderr, "mtload server: worker %d: cannot listen on %s: %s (%s)\n", i,
                    mt_addr_str(&srv->listen, a, sizeof a), mt_strerror(rc), strerror(errno));
            return rc;
        }
    }
    for (int i = 0; i < n; i++)
        if (pthread_create(&srv->workers[i].th, NULL, mt_srv_worker_main, &srv->workers[i])) {
            srv->nworkers = i;
            return MT_E_SYSTEM;
        }
    return 0;
}

static void print_banner(const struct mt_srv *srv)
{
    char a[128], pub[4096];
    mt_srv_public_key_path(srv->cfg, pub, sizeof pub);
    printf("mtload server: listening on %s (threads %d, open-file limit %zu, crypto %s)\n",
           mt_addr_str(&srv->listen, a, sizeof a), srv->nworkers, srv->nofile,
           mt_crypto_describe());
    printf("mtload server: rsa key %s fingerprint %016" PRIx64 ", public key %s\n",
           srv->cfg->rsa_key_path, mt_rsa_fingerprint(srv->rsa), pub);
    fflush(stdout);
}

static int open_outputs(const struct mt_srv *srv, struct mt_metrics_env *env,
                        struct mt_metrics_outputs **o)
{
    const struct mt_srv_config *cfg = srv->cfg;
    char prom[128] = "";
    if (cfg->have_prometheus)
        mt_hostport_format(&cfg->prometheus, prom, sizeof prom);
    *env = (struct mt_metrics_env){.crypto_tier = mt_crypto_tier_name(mt_crypto_tier()),
                                   .threads = srv->nworkers, .transport = "auto"};
    struct mt_metrics_outputs_cfg oc = {
        .kind = "server", .json_path = cfg->json_path, .csv_path = cfg->csv_path,
        .hlog_path = cfg->hlog_path, .prom_addr = prom[0] ? prom : NULL, .env = env,
    };
    if (mt_metrics_outputs_open(o, &oc, mt_wall_s()))
        return MT_E_SYSTEM;
    if (prom[0]) {
        /* the port actually bound (--prometheus HOST:0 picks one) */
        char host[128];
        snprintf(host, sizeof host, strchr(cfg->prometheus.host, ':') ? "[%s]" : "%s",
                 cfg->prometheus.host[0] ? cfg->prometheus.host : "0.0.0.0");
        printf("mtload server: metrics on http://%s:%d/metrics\n", host, mt_metrics_outputs_prom_port(*o));
    }
    fflush(stdout);
    return 0;
}

/* The main thread is the reporter: it waits for a signal with a timeout of
 * one second and collects the workers' snapshots in between (CSV/hlog rows,
 * the /metrics page). The results are written when it stops. */
static int serve(struct mt_srv *srv, const sigset_t *sigs)
{
    const struct mt_srv_config *cfg = srv->cfg;
    struct mt_metrics_env env;
    struct mt_metrics_outputs *o = NULL;
    struct mt_metrics_worker **mw = calloc((size_t)srv->nworkers, sizeof *mw);
    if (!mw)
        return MT_E_NOMEM;
    for (int i = 0; i < srv->nworkers; i++)
        mw[i] = srv->workers[i].m;
    struct mt_metrics_reporter *rep = mt_metrics_reporter_new(mw, srv->nworkers, mt_wall_s(), mt_now_ns());
    int rc = rep ? open_outputs(srv, &env, &o) : MT_E_NOMEM;
    int sig = 0;
    while (!rc) {
        struct timespec ts = {.tv_sec = 1};
        sig = sigtimedwait(sigs, NULL, &ts);
        mt_metrics_outputs_tick(o, rep, mt_now_ns());
        if (sig == SIGINT || sig == SIGTERM)
            break;
    }
    for (int i = 0; i < srv->nworkers; i++)
        mt_loop_stop(srv->workers[i].loop);
    for (int i = 0; i < srv->nworkers; i++)
        pthread_join(srv->workers[i].th, NULL);
    if (!rc) {
        mt_metrics_outputs_tick(o, rep, mt_now_ns());
        mt_metrics_reporter_republish(rep, mt_now_ns());
        mt_metrics_outputs_tick(o, rep, mt_now_ns());
        mt_metrics_reporter_finish(rep, mt_wall_s(), mt_now_ns(), sig == SIGINT || sig == SIGTERM);
        if (!cfg->quiet)
            printf("mtload server: stopped by %s; auth keys %zu\n",
                   sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "error",
                   mt_keystore_count(srv->keys));
        if (mt_metrics_outputs_finish(o, rep->total, cfg->quiet ? NULL : stdout) < 0)
            rc = MT_E_SYSTEM;
        fflush(stdout);
    }
    mt_metrics_outputs_close(o, NULL);
    mt_metrics_reporter_free(rep);
    free(mw);
    return rc;
}

int mt_srv_engine(const struct mt_srv_config *cfg)
{
    mt_crypto_init();
    sigset_t sigs;                    /* for the reporter's sigtimedwait */
    mt_block_stop_signals(&sigs);
    struct mt_srv srv;
    int rc = srv_setup(&srv, cfg);
    if (rc) {
        srv_teardown(&srv);
        return rc;
    }
    if (start_workers(&srv)) {
        for (int i = 0; i < srv.nworkers; i++)
            if (srv.workers[i].th) {
                mt_loop_stop(srv.workers[i].loop);
                pthread_join(srv.workers[i].th, NULL);
            }
        srv_teardown(&srv);
        return MT_EXIT_USAGE;
    }
    print_banner(&srv);
    rc = serve(&srv, &sigs);
    srv_teardown(&srv);
    return rc ? MT_EXIT_USAGE : MT_EXIT_OK;
}

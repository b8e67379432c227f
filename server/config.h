/* server/config: the configuration of `mtload server`, from argv and an
 * optional `--config FILE`, validated, plus the pure helpers the workers
 * use to apply fault injection (which reply to delay, drop, refuse...).
 * docs/cli.md describes every option. */
#ifndef MT_SRV_CONFIG_H
#define MT_SRV_CONFIG_H

#include <stdbool.h>
#include "loadgen/config.h"     /* exit codes, mt_parse_secret */
#include "loadgen/dist.h"
#include "loadgen/options.h"

#define MT_SRV_THREADS_MAX 1024ull
#define MT_SRV_FRAME_MIN 1024ull
#define MT_SRV_FRAME_MAX (64ull << 20)

struct mt_srv_faults {
    bool delay_on;
    struct mt_dist delay;               /* --fault-delay: before each reply */
    double drop;                        /* --fault-drop: fraction of answers never sent */
    double flood_wait;                  /* --fault-flood-wait: fraction answered FLOOD_WAIT_X */
    uint32_t flood_wait_seconds;        /* the X (default 1) */
    double transport_429;               /* --fault-transport-429: fraction answered with -429 */
    double disconnect;                  /* --fault-disconnect: fraction of requests that close the connection */
    uint64_t bad_salt_every;            /* --fault-bad-salt-every: every Nth message gets bad_server_salt; 0 = off */
    mt_ns stall_period, stall_duration; /* --fault-stall: silent for `duration` every `period`; 0 = off */
};

struct mt_srv_config {
    struct mt_hostport listen;
    uint64_t threads;                   /* resolved (never 0) after parse */
    char *rsa_key_path;                 /* PEM private key; generated there if missing */
    char *public_key_out;               /* where to write the public key (default: <rsa-key>.pub) */
    uint8_t secret[MT_SECRET_MAX];      /* --secret: accept obfuscated/MTProxy clients with it */
    size_t secret_len;
    uint64_t max_connections;
    uint64_t max_frame;                 /* bytes of one transport frame */
    mt_ns handshake_timeout, idle_timeout;
    bool have_prometheus;
    struct mt_hostport prometheus;
    char *json_path, *csv_path, *hlog_path;   /* the server's own results */
    struct mt_srv_faults faults;
    uint64_t seed;                      /* fault sampling; 0 = from the clock */
    bool quiet;
    unsigned verbose;
    bool print_config;
    char *config_path;
    struct mt_opt_state opt;
};

int mt_srv_config_parse(struct mt_srv_config *cfg, int argc, char **argv, struct mt_diag *d);
void mt_srv_config_free(struct mt_srv_config *cfg);
void mt_srv_config_defaults(struct mt_srv_config *cfg);
int mt_srv_config_validate(struct mt_srv_config *cfg, struct mt_diag *d);
const struct mt_opt_table *mt_srv_options(void);
void mt_srv_config_print(const struct mt_srv_config *cfg, FILE *out);
void mt_srv_print_help(FILE *out);
/* Path of the public key file to write: --public-key-out, or the RSA key's
 * path with ".pub" appended. Returns snprintf's count. */
int mt_srv_public_key_path(const struct mt_srv_config *cfg, char *buf, size_t cap);

/* ---- fault decisions, one per reply (pure: the caller passes its PRNG) ---- */
enum mt_srv_fault {
    MT_FAULT_NONE = 0,
    MT_FAULT_DROP,              /* send nothing */
    MT_FAULT_FLOOD_WAIT,        /* rpc_error 420 FLOOD_WAIT_<seconds> */
    MT_FAULT_TRANSPORT_429,     /* transport error -429 */
    MT_FAULT_DISCONNECT,        /* close the connection */
};
/* One uniform draw decides, so the configured fractions hold exactly and
 * are exclusive (their sum is validated to be at most 1). */
enum mt_srv_fault mt_srv_fault_pick(const struct mt_srv_faults *f, struct mt_rand *r);
/* Delay before a reply (0 without --fault-delay). */
static inline mt_ns mt_srv_fault_delay(const struct mt_srv_faults *f, struct mt_rand *r)
{
    return f->delay_on ? mt_dist_sample(&f->delay, r) : 0;
}
/* Whether message number n (1-based, per session) gets bad_server_salt. */
static inline bool mt_srv_fault_bad_salt(const struct mt_srv_faults *f, uint64_t n)
{
    return f->bad_salt_every && n % f->bad_salt_every == 0;
}
/* Whether the server is stalled at `offset` ns since it started; if so,
 * *until gets the offset at which it answers again. */
bool mt_srv_fault_stalled(const struct mt_srv_faults *f, mt_ns offset, mt_ns *until);

#endif

/* Setting up a run from a validated config: the server's public key, the
 * target address, the handshake and link settings, the open-loop plans, the
 * rpc: bodies encoded once through the TL layer, and --keys files. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include "loadgen/keyfile.h"
#include "loadgen/run_internal.h"

/* Layer of the shipped api.tl; the first rpc: query of each connection is
 * wrapped in invokeWithLayer(initConnection(...)) as real clients do. */
#define LG_API_LAYER 228
/* Lifetime asked for temporary keys (--temp-keys). */
#define LG_TEMP_KEY_SECONDS 86400

static int encode_rpc(struct lg_run *run, const struct mt_tl_schema *schema)
{
    const struct mt_wl_mix *mix = &run->cfg->workload;
    for (size_t i = 0; i < mix->n; i++) {
        const struct mt_wl_op *op = &mix->ops[i];
        if (op->kind != MT_WL_RPC)
            continue;
        size_t cap = 1u << 20;
        uint8_t *buf = malloc(cap);
        if (!buf)
            return MT_E_NOMEM;
        struct mt_tl_writer w;
        struct mt_tl_error err = {0};
        mt_tl_writer_init(&w, buf, cap);
        size_t len = strlen(op->rpc_text);
        int rc = op->rpc_json ? mt_tl_encode_json(schema, op->rpc_text, len, &w, &err)
                              : mt_tl_encode_text(schema, op->rpc_text, len, &w, &err);
        if (rc) {
            fprintf(stderr, "mtload run: --workload %s: %s (at offset %zu)\n", op->name,
                    err.msg[0] ? err.msg : mt_strerror(rc), err.offset);
            free(buf);
            return MT_E_TL_INPUT;
        }
        run->rpc[i].p = buf;
        run->rpc[i].len = w.pos;
    }
    return 0;
}

static int build_wrapper(struct lg_run *run)
{
    uint8_t buf[256];
    struct mt_tl_writer w;
    mt_tl_writer_init(&w, buf, sizeof buf);
    mt_tl_w32(&w, MT_TL_ID_INVOKE_WITH_LAYER);
    mt_tl_w32(&w, LG_API_LAYER);
    mt_tl_w32(&w, MT_TL_ID_INIT_CONNECTION);
    mt_tl_w32(&w, 0);                     /* flags: no proxy, no params */
    mt_tl_w32(&w, 1);                     /* api_id */
    static const char *const strs[] = {"mtload", "Linux", "mtload", "en", "", "en"};
    for (size_t i = 0; i < MT_ARRAY_LEN(strs); i++)
        mt_tl_wbytes(&w, strs[i], strlen(strs[i]));
    if (w.overflow)
        return MT_E_OVERFLOW;
    run->wrapper.p = malloc(w.pos);
    if (!run->wrapper.p)
        return MT_E_NOMEM;
    memcpy(run->wrapper.p, buf, w.pos);
    run->wrapper.len = w.pos;
    return 0;
}

/* --keys FILE (loadgen/keyfile.h): sessions take the keys round robin. */
static int load_keys(struct lg_run *run, const char *path)
{
    struct mt_keyfile kf;
    struct mt_why why = {{0}};
    mt_keyfile_init(&kf, NULL);
    int rc = mt_keyfile_load(&kf, path, &why);
    if (!rc && kf.n == 0)
        snprintf(why.msg, sizeof why.msg, "no keys in the file"), rc = MT_E_INVAL;
    if (!rc) {
        run->keys = calloc(kf.n, sizeof *run->keys);
        run->key_salts = calloc(kf.n, sizeof *run->key_salts);
        if (!run->keys || !run->key_salts)
            rc = MT_E_NOMEM;
        for (size_t i = 0; !rc && i < kf.n; i++) {
            run->keys[i] = kf.e[i].key;
            run->key_salts[i] = kf.e[i].salt;
        }
        if (!rc)
            run->nkeys = kf.n;
    }
    if (rc)
        fprintf(stderr, "mtload run: --keys %s: %s\n", path, why.msg[0] ? why.msg : mt_strerror(rc));
    mt_keyfile_free(&kf);
    return rc;
}

int lg_keys_save(const struct lg_run *run, const char *path)
{
    struct mt_keyfile kf;
    char target[160];
    struct mt_why why = {{0}};
    mt_addr_str(&run->target, target, sizeof target);
    mt_keyfile_init(&kf, target);
    int rc = 0;
    for (int i = 0; !rc && i < run->nworkers; i++)
        for (size_t j = 0; !rc && j < run->workers[i].nsess; j++) {
            const struct lg_sess *s = &run->workers[i].sess[j];
            if (s->has_perm)                  /* --temp-keys: the reusable one */
                rc = mt_keyfile_add(&kf, s->perm.key, 0);
            else if (s->has_key || s->key_kept)
                rc = mt_keyfile_add(&kf, s->key.key, s->salt);
        }
    if (!rc)
        rc = mt_keyfile_save(&kf, path, &why);
    if (rc)
        fprintf(stderr, "mtload run: --save-keys %s: %s\n", path, why.msg[0] ? why.msg : mt_strerror(rc));
    int n = rc ? rc : (int)kf.n;
    mt_keyfile_free(&kf);
    return n;
}

static int setup_link(struct lg_run *run)
{
    const struct mt_run_config *cfg = run->cfg;
    struct mt_link_config *lc = &run->link;
    static const enum mt_tr_kind kinds[] = {
        [MT_RUN_TR_INTERMEDIATE] = MT_TR_INTERMEDIATE, [MT_RUN_TR_ABRIDGED] = MT_TR_ABRIDGED,
        [MT_RUN_TR_PADDED] = MT_TR_PADDED, [MT_RUN_TR_FULL] = MT_TR_FULL};
    lc->role = MT_LINK_CLIENT;
    lc->ops = &lg_link_ops;
    lc->tr.kind = kinds[cfg->transport];
    lc->tr.obfuscated = cfg->obfuscated || cfg->secret_len;
    lc->tr.dc_id = (int16_t)cfg->dc;
    if (cfg->secret_len) {
        lc->tr.has_secret = true;
        memcpy(lc->tr.secret, cfg->secret + (cfg->secret_len == 17), MT_TR_SECRET_LEN);
        if (cfg->secret_len == 17)      /* "dd" secrets mean padded intermediate */
            lc->tr.kind = MT_TR_PADDED;
    }
    lc->hs_client = &run->hs;
    lc->sock.nodelay = true;
    lc->rx_initial = 1024;              /* idle sessions stay small */
    run->hs.keys = &run->rsa;
    run->hs.nkeys = run->rsa ? 1 : 0;
    run->hs.dc_id = (int32_t)(cfg->dc ? cfg->dc : 2);
    run->hs.dh_exp_bits = (int)cfg->dh_exponent_bits;
    run->hs_perm = run->hs;           /* --temp-keys: permanent first, then bound temp keys */
    if (cfg->temp_keys) {
        run->hs.temp = 1;
        run->hs.expires_in = LG_TEMP_KEY_SECONDS;
    }
    char a[128];
    mt_hostport_format(&cfg->target, a, sizeof a);
    if (mt_addr_parse(a, &run->target)) {
        fprintf(stderr, "mtload run: --target %s: cannot resolve\n", a);
        return MT_E_INVAL;
    }
    return 0;
}

int lg_run_setup(struct lg_run *run, const struct mt_run_config *cfg)
{
    memset(run, 0, sizeof *run);
    run->cfg = cfg;
    char err[256] = "";
    /* with --keys alone no handshake is needed: no server key either */
    if (cfg->rsa_key_path && !(run->rsa = mt_rsa_load_file(cfg->rsa_key_path, err, sizeof err))) {
        fprintf(stderr, "mtload run: --rsa-key %s: %s\n", cfg->rsa_key_path, err);
        return MT_EXIT_USAGE;
    }
    if (setup_link(run))
        return MT_EXIT_USAGE;
    if (cfg->open_loop && mt_run_config_pace_plan(cfg, &run->pace))
        return MT_EXIT_USAGE;
    if (cfg->stages_of == MT_STAGES_OF_SESSIONS && cfg->n_stages &&
        mt_run_config_sessions_plan(cfg, &run->sessions_plan))
        return MT_EXIT_USAGE;
    if (mt_wl_mix_has(&cfg->workload, MT_WL_RPC)) {
        struct mt_tl_schema *def = NULL, *extra = NULL, *merged = NULL;
        struct mt_tl_error terr = {0};
        int rc = mt_tl_schema_default(&def, &terr);
        if (!rc && cfg->schema_path) {
            rc = mt_tl_schema_load_file(cfg->schema_path, &extra, &terr);
            if (!rc) {
                const struct mt_tl_schema *parts[2] = {def, extra};
                rc = mt_tl_schema_merge(parts, 2, &merged, &terr);
            }
        }
        if (rc)
            fprintf(stderr, "mtload run: schema: %s\n", terr.msg[0] ? terr.msg : mt_strerror(rc));
        else
            rc = encode_rpc(run, merged ? merged : def);
        mt_tl_schema_free(merged);
        mt_tl_schema_free(extra);
        mt_tl_schema_free(def);
        if (rc)
            return MT_EXIT_USAGE;
    }
    if (build_wrapper(run))
        return MT_EXIT_USAGE;
    if (cfg->keys_path && load_keys(run, cfg->keys_path))
        return MT_EXIT_USAGE;
    return 0;
}

void lg_run_teardown(struct lg_run *run)
{
    for (size_t i = 0; i < MT_WL_MAX_OPS; i++)
        free(run->rpc[i].p);
    free(run->wrapper.p);
    if (run->keys)
        mt_wipe(run->keys, run->nkeys * sizeof *run->keys);
    free(run->keys);
    free(run->key_salts);
    mt_rsa_free(run->rsa);
}

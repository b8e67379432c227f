/* Driving the auth-key handshake FSMs of core/mtproto over a link: the FSMs
 * are pure, this file moves their messages through the transport. */
#include "core/link/link_internal.h"

static int hs_fail(struct mt_link *l, int rc, const char *detail)
{
    const struct mt_link_ops *ops = l->w->cfg.ops;
    if (ops->on_handshake_error)
        ops->on_handshake_error(l, rc, detail);
    if (l->w->cfg.role == MT_LINK_SERVER) {
        /* the peer learns its handshake is dead; then the connection goes */
        mt_link_send_transport_error(l, -404);
        mt_link_close_after_flush(l, rc);
    } else {
        mt_link_close(l, rc);
    }
    return rc;
}

static int hs_done(struct mt_link *l, const struct mt_hs_result *r)
{
    const struct mt_link_ops *ops = l->w->cfg.ops;
    l->key = r->key;
    l->has_key = true;
    if (ops->on_handshake && ops->on_handshake(l, r) < 0) {
        mt_link_close(l, MT_E_STATE);
        return MT_E_STATE;
    }
    /* the program may have started another handshake from the callback
     * (a temporary key after the permanent one): not ready until it ends */
    if (l->state != MT_LINK_CLOSED && !(l->w->cfg.role == MT_LINK_CLIENT && l->hs.hc))
        mt_link_ready(l);
    return 0;
}

int mt_link_handshake_start(struct mt_link *l)
{
    struct mt_link_worker *w = l->w;
    const struct mt_hs_client_config *cfg = l->hs_cfg ? l->hs_cfg : w->cfg.hs_client;
    if (w->cfg.role != MT_LINK_CLIENT || !cfg)
        return hs_fail(l, MT_E_STATE, "no handshake configuration");
    if (l->hs.hc)
        mt_hs_client_free(l->hs.hc);
    l->hs.hc = mt_hs_client_new(cfg, &w->rng);
    if (!l->hs.hc)
        return hs_fail(l, MT_E_NOMEM, "handshake object");
    uint8_t out[MT_HS_MAX_MSG];
    size_t n = 0;
    int rc = mt_hs_client_start(l->hs.hc, mt_wall_s(), out, sizeof out, &n);
    if (rc != MT_HS_SEND)
        return hs_fail(l, rc < 0 ? rc : MT_E_STATE, mt_hs_client_error(l->hs.hc));
    l->state = MT_LINK_HANDSHAKE;
    rc = mt_link_send_plain(l, out, n);
    return rc ? hs_fail(l, rc, "send") : 0;
}

int mt_link_start_handshake(struct mt_link *l, const struct mt_hs_client_config *cfg)
{
    if (l->state != MT_LINK_READY && l->state != MT_LINK_HANDSHAKE)
        return MT_E_STATE;
    l->has_key = false;
    l->hs_cfg = cfg;
    return mt_link_handshake_start(l);
}

static int hs_client_feed(struct mt_link *l, const uint8_t *msg, size_t len)
{
    if (!l->hs.hc)   /* an unencrypted message nobody asked for */
        return hs_fail(l, MT_E_HS_STATE, "unexpected unencrypted message");
    uint8_t out[MT_HS_MAX_MSG];
    size_t n = 0;
    int rc = mt_hs_client_feed(l->hs.hc, msg, len, mt_wall_s(), out, sizeof out, &n);
    if (rc == MT_HS_SEND) {
        rc = mt_link_send_plain(l, out, n);
        return rc ? hs_fail(l, rc, "send") : 0;
    }
    if (rc != MT_HS_DONE)
        return hs_fail(l, rc < 0 ? rc : MT_E_STATE, mt_hs_client_error(l->hs.hc));
    struct mt_hs_result r;
    mt_hs_client_result(l->hs.hc, &r);
    mt_hs_client_free(l->hs.hc);
    l->hs.hc = NULL;
    rc = hs_done(l, &r);
    mt_wipe(&r, sizeof r);
    return rc;
}

static int hs_server_feed(struct mt_link *l, const uint8_t *msg, size_t len)
{
    struct mt_link_worker *w = l->w;
    if (!w->cfg.hs_server)
        return hs_fail(l, MT_E_STATE, "no handshake configuration");
    if (!l->hs.hs) {
        l->hs.hs = mt_hs_server_new(w->cfg.hs_server, &w->rng);
        if (!l->hs.hs)
            return hs_fail(l, MT_E_NOMEM, "handshake object");
        if (l->state == MT_LINK_OPEN)
            l->state = MT_LINK_HANDSHAKE;
    }
    uint8_t out[MT_HS_MAX_MSG];
    size_t n = 0;
    int rc = mt_hs_server_feed(l->hs.hs, msg, len, mt_wall_s(), out, sizeof out, &n);
    if (rc != MT_HS_SEND && rc != MT_HS_DONE)
        return hs_fail(l, rc < 0 ? rc : MT_E_STATE, mt_hs_server_error(l->hs.hs));
    int src = mt_link_send_plain(l, out, n);
    if (src)
        return hs_fail(l, src, "send");
    if (rc == MT_HS_SEND)
        return 0;
    struct mt_hs_result r;
    mt_hs_server_result(l->hs.hs, &r);
    mt_hs_server_free(l->hs.hs);
    l->hs.hs = NULL;
    rc = hs_done(l, &r);
    mt_wipe(&r, sizeof r);
    return rc;
}

int mt_link_handshake_feed(struct mt_link *l, const uint8_t *msg, size_t len)
{
    if (l->w->cfg.role == MT_LINK_CLIENT)
        return hs_client_feed(l, msg, len);
    return hs_server_feed(l, msg, len);
}

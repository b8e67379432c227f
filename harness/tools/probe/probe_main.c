/* mt_probe: one MTProto test scenario against a server, one JSON line out.
 *
 *   mt_probe --port P --key server.pub --scenario NAME [--host 127.0.0.1]
 *            [--transport abridged|intermediate|padded|full|obf-...]
 *            [--secret HEX] [--size N] [--count N] [--timeout S] [--idle S]
 *            [--raw] [--trickle] [--legacy BITS]
 *
 * Output fields: scenario, transport, ok (the scenario ran to its end; what
 * the server answered is for the caller to judge), handshake_ms, closed
 * (the server closed the connection), closed_after_ms (since connect),
 * events (everything received, decoded), and the scenario's own fields.
 * --raw: send no transport preamble (for malformed first bytes).
 * --trickle: write every byte on its own (frames split at every offset).
 * --legacy: handshake forms, bits of MT_HS_LEGACY_*: 1 req_pq, 2 inner data
 *           without dc, 4 the pre-RSA_PAD RSA scheme.
 * Exit status: 0 when the scenario ran, 2 on usage errors, 1 when the
 * connection or the handshake failed. */
#include <stdio.h>
#include <stdlib.h>
#include "harness/tools/probe/probe.h"

static int usage(const char *msg)
{
    fprintf(stderr, "mt_probe: %s\n", msg);
    return 2;
}

static const struct probe_scenario *find_scenario(const char *name)
{
    size_t n;
    const struct probe_scenario *lists[2];
    size_t counts[2];
    lists[0] = probe_scenarios_service(&counts[0]);
    lists[1] = probe_scenarios_bad(&counts[1]);
    for (int l = 0; l < 2; l++)
        for (n = 0; n < counts[l]; n++)
            if (!strcmp(lists[l][n].name, name))
                return &lists[l][n];
    return NULL;
}

static int parse_args(int argc, char **argv, struct probe_opts *o, bool *raw)
{
    *o = (struct probe_opts){.host = "127.0.0.1", .transport = "abridged", .scenario = "ping",
                             .size = 0, .count = 1, .timeout_s = 5.0, .idle_s = 0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--raw")) {
            *raw = true;
            continue;
        }
        if (!strcmp(a, "--trickle")) {
            o->trickle = true;
            continue;
        }
        if (i + 1 >= argc)
            return usage("an option lacks its value");
        const char *v = argv[++i];
        if (!strcmp(a, "--host")) o->host = v;
        else if (!strcmp(a, "--port")) o->port = atoi(v);
        else if (!strcmp(a, "--transport")) o->transport = v;
        else if (!strcmp(a, "--secret")) o->secret = v;
        else if (!strcmp(a, "--key")) o->key_path = v;
        else if (!strcmp(a, "--scenario")) o->scenario = v;
        else if (!strcmp(a, "--size")) o->size = strtol(v, NULL, 0);
        else if (!strcmp(a, "--count")) o->count = strtol(v, NULL, 0);
        else if (!strcmp(a, "--timeout")) o->timeout_s = strtod(v, NULL);
        else if (!strcmp(a, "--idle")) o->idle_s = strtod(v, NULL);
        else if (!strcmp(a, "--legacy")) o->legacy = (unsigned)strtoul(v, NULL, 0);
        else return usage("unknown option");
    }
    if (o->port <= 0 || o->port > 65535)
        return usage("--port is required");
    if (o->size < 0 || o->count < 1)
        return usage("bad --size or --count");
    return 0;
}

int main(int argc, char **argv)
{
    struct probe_opts o;
    bool raw = false;
    int rc = parse_args(argc, argv, &o, &raw);
    if (rc)
        return rc;
    const struct probe_scenario *sc = find_scenario(o.scenario);
    if (!sc)
        return usage("unknown scenario");
    mt_crypto_init();
    struct mt_rsa *key = NULL;
    if (o.key_path) {
        char err[256];
        if (!(key = mt_rsa_load_file(o.key_path, err, sizeof err)))
            return usage(err);
    } else if (sc->needs_key || !strcmp(sc->name, "half_handshake")) {
        return usage("--key is required for this scenario");
    }
    struct probe p = {.events = json_array(), .result = json_object()};
    json_object_set_new(p.result, "scenario", json_string(o.scenario));
    json_object_set_new(p.result, "transport", json_string(o.transport));
    /* --raw: the plain full transport sends no preamble at all */
    const char *transport = o.transport;
    if (raw)
        o.transport = "full";
    rc = probe_connect(&p, &o);
    o.transport = transport;
    if (!rc && sc->needs_key) {
        double t0 = probe_now();
        rc = probe_handshake(&p, key, false, 0);
        if (!rc)
            json_object_set_new(p.result, "handshake_ms", json_real((probe_now() - t0) * 1e3));
    }
    if (rc) {
        json_object_set_new(p.result, "error", json_string(mt_strerror(rc)));
    } else {
        rc = sc->run(&p, key);
        if (rc)
            json_object_set_new(p.result, "error", json_string(mt_strerror(rc)));
    }
    json_object_set_new(p.result, "ok", json_boolean(rc == 0));
    json_object_set_new(p.result, "closed", json_boolean(p.closed));
    json_object_set_new(p.result, "closed_after_ms",
                        p.closed ? json_real((p.closed_at - p.opened_at) * 1e3) : json_null());
    json_object_set_new(p.result, "events", p.events);
    char *s = json_dumps(p.result, JSON_COMPACT);
    if (s)
        puts(s);
    free(s);
    json_decref(p.result);
    probe_close(&p);
    mt_rsa_free(key);
    return rc ? 1 : 0;
}

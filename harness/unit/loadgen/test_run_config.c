/* `mtload run` configuration from argv arrays and config files: defaults,
 * every option, every error message, overrides and the printed config. */
#include "harness/unit/common/mt_test.h"
#include "loadgen/config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define S MT_NS_PER_S
#define MS MT_NS_PER_MS
#define BASE "--target", "127.0.0.1:4430", "--rsa-key", "pub.pem"

static int parse_v(struct mt_run_config *cfg, struct mt_diag *d, const char *const *args)
{
    char *argv[128];
    int argc = 0;
    argv[argc++] = (char *)"run";
    for (; *args; args++) argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    memset(d, 0, sizeof *d);
    return mt_run_config_parse(cfg, argc, argv, d);
}
#define PARSE(cfg, d, ...) parse_v((cfg), (d), (const char *const[]){__VA_ARGS__, NULL})

static bool diag_has(const struct mt_diag *d, const char *part)
{
    for (unsigned i = 0; i < d->n; i++)
        if (strstr(d->msg[i], part)) return true;
    return false;
}

static void dump(const struct mt_diag *d)
{
    for (unsigned i = 0; i < d->n; i++) print_message("  diag: %s\n", d->msg[i]);
}

/* Parses args and expects one of the messages to contain `part`. */
static void expect_error_v(const char *part, const char *const *args)
{
    struct mt_run_config cfg;
    struct mt_diag d;
    int rc = parse_v(&cfg, &d, args);
    if (rc == 0 || !diag_has(&d, part)) {
        dump(&d);
        fail_msg("expected an error containing '%s' (rc %d)", part, rc);
    }
    mt_run_config_free(&cfg);
}
#define EXPECT_ERROR(part, ...) expect_error_v((part), (const char *const[]){__VA_ARGS__, NULL})

static void expect_ok(struct mt_run_config *cfg, int rc, const struct mt_diag *d)
{
    if (rc) {
        dump(d);
        fail_msg("unexpected config error");
    }
}

static void test_defaults(void **state)
{
    (void)state;
    struct mt_run_config c;
    struct mt_diag d;
    expect_ok(&c, PARSE(&c, &d, BASE), &d);
    assert_string_equal(c.target.host, "127.0.0.1");
    assert_int_equal(c.target.port, 4430);
    assert_string_equal(c.rsa_key_path, "pub.pem");
    assert_int_equal(c.transport, MT_RUN_TR_INTERMEDIATE);
    assert_false(c.obfuscated);
    assert_int_equal(c.sessions, 8);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    assert_int_equal(c.threads, cpus > 8 ? 8 : cpus);
    assert_int_equal(c.duration, 10 * S);
    assert_int_equal(c.end, 10 * S);
    assert_int_equal(c.depth, 1);
    assert_false(c.open_loop);
    assert_true(c.container);
    assert_int_equal(c.workload.n, 1);
    assert_int_equal(c.workload.ops[0].kind, MT_WL_PING);
    assert_int_equal(c.dh_exponent_bits, 2048);
    assert_int_equal(c.interval, S);
    assert_int_equal(c.backoff_min, 100 * MS);
    assert_int_equal(c.backoff_max, 5 * S);
    struct mt_pace_plan plan;
    assert_int_equal(mt_run_config_pace_plan(&c, &plan), MT_E_STATE);
    assert_int_equal(mt_run_config_sessions_plan(&c, &plan), MT_E_STATE);
    mt_run_config_free(&c);
}

static void test_every_option(void **state)
{
    (void)state;
    struct mt_run_config c;
    struct mt_diag d;
    int rc = PARSE(&c, &d, "--target", "[::1]:443", "--rsa-key=k.pem", "--transport", "abridged",
                   "--obfuscated", "--secret", "00112233445566778899aabbccddeeff", "--dc", "-4",
                   "--schema", "extra.tl", "--sessions", "1k", "--threads", "3", "--sessions-per-conn", "4",
                   "--duration", "1m", "--warmup", "5s", "--workload", "ping:3", "--workload", "echo:1KiB:1",
                   "--rate", "50k", "--container", "off", "--seed", "99", "--keys", "in.keys",
                   "--save-keys", "out.keys", "--dh-exponent-bits", "256", "--temp-keys",
                   "--reconnect-every", "10k", "--connect-timeout", "3s", "--request-timeout", "500ms",
                   "--backoff-min", "50ms", "--backoff-max", "2s", "--json", "r.json",
                   "--csv", "r.csv", "--hlog", "r.hlog", "--prometheus", ":9100", "--linger", "30s",
                   "--threshold", "p99<5ms", "--threshold", "error_rate<1%", "--interval", "500ms", "-vv");
    expect_ok(&c, rc, &d);
    assert_int_equal(c.target.kind, MT_HOST_IPV6);
    assert_int_equal(c.transport, MT_RUN_TR_ABRIDGED);
    assert_true(c.obfuscated);
    assert_int_equal(c.secret_len, 16);
    assert_int_equal(c.secret[15], 0xff);
    assert_int_equal(c.dc, -4);
    assert_string_equal(c.schema_path, "extra.tl");
    assert_int_equal(c.sessions, 1000);
    assert_int_equal(c.threads, 3);
    assert_int_equal(c.sessions_per_conn, 4);
    assert_int_equal(c.duration, 60 * S);
    assert_int_equal(c.warmup, 5 * S);
    assert_int_equal(c.end, 65 * S);
    assert_int_equal(c.workload.n, 2);
    assert_true(c.open_loop);
    assert_true(c.rate == 50000);
    assert_false(c.container);
    assert_int_equal(c.seed, 99);
    assert_string_equal(c.keys_path, "in.keys");
    assert_string_equal(c.save_keys_path, "out.keys");
    assert_int_equal(c.dh_exponent_bits, 256);
    assert_true(c.temp_keys);
    assert_int_equal(c.reconnect_every, 10000);
    assert_int_equal(c.connect_timeout, 3 * S);
    assert_int_equal(c.request_timeout, 500 * MS);
    assert_int_equal(c.backoff_min, 50 * MS);
    assert_int_equal(c.backoff_max, 2 * S);
    assert_string_equal(c.json_path, "r.json");
    assert_string_equal(c.csv_path, "r.csv");
    assert_string_equal(c.hlog_path, "r.hlog");
    assert_true(c.have_prometheus);
    assert_int_equal(c.prometheus.kind, MT_HOST_ANY);
    assert_int_equal(c.prometheus.port, 9100);
    assert_int_equal(c.linger, 30 * S);
    assert_int_equal(c.n_thresholds, 2);
    assert_string_equal(c.thresholds[1], "error_rate<1%");
    assert_int_equal(c.interval, 500 * MS);
    assert_int_equal(c.verbose, 2);
    struct mt_pace_plan plan;
    assert_int_equal(mt_run_config_pace_plan(&c, &plan), 0);
    assert_int_equal(plan.sessions, 1000);
    assert_int_equal(plan.end, 65 * S);
    assert_int_equal(plan.warmup, 5 * S);
    mt_run_config_free(&c);
}

static void test_transport_rules(void **state)
{
    (void)state;
    struct mt_run_config c;
    struct mt_diag d;
    /* a dd secret selects padded intermediate */
    expect_ok(&c, PARSE(&c, &d, BASE, "--obfuscated", "--secret", "dd00112233445566778899aabbccddeeff"), &d);
    assert_int_equal(c.transport, MT_RUN_TR_PADDED);
    assert_int_equal(c.secret_len, 17);
    mt_run_config_free(&c);
    expect_ok(&c, PARSE(&c, &d, BASE, "--transport", "full"), &d);
    assert_int_equal(c.transport, MT_RUN_TR_FULL);
    mt_run_config_free(&c);
    EXPECT_ERROR("--secret needs --obfuscated", BASE, "--secret", "00112233445566778899aabbccddeeff");
    EXPECT_ERROR("a dd secret needs --transport padded", BASE, "--obfuscated", "--transport", "abridged",
                 "--secret", "dd00112233445566778899aabbccddeeff");
    EXPECT_ERROR("full cannot be obfuscated", BASE, "--obfuscated", "--transport", "full");
    EXPECT_ERROR("is not a transport", BASE, "--transport", "udp");
    EXPECT_ERROR("ee (fake-TLS) secrets are not supported", BASE, "--obfuscated", "--secret",
                 "ee00112233445566778899aabbccddeeff");
    EXPECT_ERROR("a secret is 16 bytes", BASE, "--obfuscated", "--secret", "0011");
    EXPECT_ERROR("is not hex", BASE, "--obfuscated", "--secret", "zz112233445566778899aabbccddeeff");
    EXPECT_ERROR("secret too long", BASE, "--obfuscated", "--secret",
                 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
                 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00");
    EXPECT_ERROR("--dc only goes into the obfuscation header", BASE, "--dc", "2");
    EXPECT_ERROR("DC id 0 does not exist", BASE, "--obfuscated", "--dc", "0");
    EXPECT_ERROR("outside -32768..32767", BASE, "--obfuscated", "--dc", "40000");
    EXPECT_ERROR("--source-ips are IPv4 but --target is an IPv6", "--target", "[::1]:1", "--rsa-key", "k",
                 "--source-ips", "127.0.0.2-127.0.0.9");
}

static void test_required_and_keys(void **state)
{
    (void)state;
    struct mt_run_config c;
    struct mt_diag d;
    EXPECT_ERROR("--target is required", "--rsa-key", "k.pem");
    EXPECT_ERROR("--rsa-key is required", "--target", "h:1");
    /* reusing keys needs no RSA key, unless something creates keys */
    expect_ok(&c, PARSE(&c, &d, "--target", "h:1", "--keys", "k.keys"), &d);
    mt_run_config_free(&c);
    EXPECT_ERROR("--rsa-key is required", "--target", "h:1", "--keys", "k.keys", "--temp-keys");
    EXPECT_ERROR("--keys reuses auth keys", BASE, "--keys", "k.keys", "--workload", "handshake");
    EXPECT_ERROR("--save-keys would overwrite", BASE, "--keys", "k.keys", "--save-keys", "k.keys");
    EXPECT_ERROR("want 2048 (as the spec says) or 256", BASE, "--dh-exponent-bits", "1024");
}

static void test_load_shape_rules(void **state)
{
    (void)state;
    struct mt_run_config c;
    struct mt_diag d;
    /* open loop: --depth is a cap on requests in flight, none without it */
    expect_ok(&c, PARSE(&c, &d, BASE, "--rate", "1k", "--depth", "2"), &d);
    assert_true(c.open_loop);
    assert_int_equal(c.depth, 2);
    mt_run_config_free(&c);
    expect_ok(&c, PARSE(&c, &d, BASE, "--rate", "1k"), &d);
    assert_int_equal(c.depth, 0);
    mt_run_config_free(&c);
    EXPECT_ERROR("--sessions: '0' is outside the allowed 1..16000000", BASE, "--sessions", "0");
    EXPECT_ERROR("--sessions: '20M' is outside", BASE, "--sessions", "20M");
    EXPECT_ERROR("--threads 9 is more than the 8 sessions", BASE, "--threads", "9");
    EXPECT_ERROR("--threads: 0 is outside 1..1024", BASE, "--threads", "0");
    EXPECT_ERROR("--sessions-per-conn 9 is more than the 8 sessions", BASE, "--sessions-per-conn", "9");
    EXPECT_ERROR("--depth: '0' is outside", BASE, "--depth", "0");
    EXPECT_ERROR("--rate: rate must be above 0", BASE, "--rate", "0");
    EXPECT_ERROR("below one request per 1000 s per session", BASE, "--rate", "0.001", "--sessions", "10");
    EXPECT_ERROR("--duration: '0' is outside the allowed 1ms..", BASE, "--duration", "0");
    EXPECT_ERROR("--depth: the handshake workload", BASE, "--workload", "handshake", "--depth", "4");
    EXPECT_ERROR("--reconnect-every: the handshake workload", BASE, "--workload", "handshake",
                 "--reconnect-every", "5");
    EXPECT_ERROR("--warmup + --duration is longer than 10 years", BASE, "--duration", "87600h",
                 "--warmup", "1h");
    /* a handshake storm at a rate is fine */
    expect_ok(&c, PARSE(&c, &d, BASE, "--workload", "handshake", "--rate", "500"), &d);
    assert_true(c.open_loop);
    mt_run_config_free(&c);
    /* threads default never exceeds sessions */
    expect_ok(&c, PARSE(&c, &d, BASE, "--sessions", "1"), &d);
    assert_int_equal(c.threads, 1);
    mt_run_config_free(&c);
}

static void test_stages(void **state)
{
    (void)state;
    struct mt_run_config c;
    struct mt_diag d;
    expect_ok(&c, PARSE(&c, &d, BASE, "--stages", "10s:1k,30s:50k,10s:0", "--warmup", "5s"), &d);
    assert_int_equal(c.n_stages, 3);
    assert_true(c.open_loop);
    assert_int_equal(c.end, 50 * S);
    assert_int_equal(c.duration, 0);
    assert_true(c.stages[1].target == 50000);
    struct mt_pace_plan plan;
    assert_int_equal(mt_run_config_pace_plan(&c, &plan), 0);
    assert_int_equal(plan.end, 50 * S);
    assert_true(fabsl(plan.total - (5000 + 765000 + 250000)) < 1e-6);
    mt_run_config_free(&c);

    expect_ok(&c, PARSE(&c, &d, BASE, "--stages", "5s:100,20s:100,5s:0", "--stages-of", "sessions",
                        "--depth", "2"), &d);
    assert_false(c.open_loop);
    assert_int_equal(c.sessions, 100);
    assert_int_equal(mt_run_config_sessions_plan(&c, &plan), 0);
    assert_true(fabs(mt_pace_value_at(&plan, 2500 * MS) - 50) < 1e-9);
    assert_int_equal(mt_run_config_pace_plan(&c, &plan), MT_E_STATE);
    mt_run_config_free(&c);

    EXPECT_ERROR("--duration conflicts with --stages", BASE, "--stages", "10s:1k", "--duration", "5s");
    EXPECT_ERROR("--rate conflicts with --stages", BASE, "--stages", "10s:1k", "--rate", "5");
    expect_ok(&c, PARSE(&c, &d, BASE, "--stages", "10s:1k", "--depth", "5"), &d);
    assert_true(c.open_loop);
    assert_int_equal(c.depth, 5);
    mt_run_config_free(&c);
    EXPECT_ERROR("every stage has rate 0", BASE, "--stages", "10s:0,5s:0");
    EXPECT_ERROR("--sessions conflicts with --stages-of sessions", BASE, "--stages", "10s:5",
                 "--stages-of", "sessions", "--sessions", "5");
    EXPECT_ERROR("--rate with --stages-of sessions is not supported", BASE, "--stages", "10s:5",
                 "--stages-of", "sessions", "--rate", "100");
    EXPECT_ERROR("a session count must be whole", BASE, "--stages", "10s:5.5", "--stages-of", "sessions");
    EXPECT_ERROR("the session peak must be within", BASE, "--stages", "10s:0", "--stages-of", "sessions");
    EXPECT_ERROR("--stages-of needs --stages", BASE, "--stages-of", "rate");
    EXPECT_ERROR("want rate or sessions", BASE, "--stages", "1s:1", "--stages-of", "users");
    EXPECT_ERROR("--warmup must end before the stages do", BASE, "--stages", "10s:1k", "--warmup", "10s");
    EXPECT_ERROR("stage 2 '30s': want DURATION:TARGET", BASE, "--stages", "10s:1k,30s");
    EXPECT_ERROR("stage 1: '10q': unknown unit", BASE, "--stages", "10q:1k");
    EXPECT_ERROR("stage 2: want DURATION:TARGET", BASE, "--stages", "10s:1k,,5s:0");
    EXPECT_ERROR("stage 1: 'fast' does not start with a digit", BASE, "--stages", "1s:fast");
    EXPECT_ERROR("the stages must last between", BASE, "--stages", "0s:100");
    char many[MT_STAGES_MAX * 8 + 16] = "";
    for (int i = 0; i <= MT_STAGES_MAX; i++) strcat(many, i ? ",1s:10" : "1s:10");
    EXPECT_ERROR("more than 64 stages", BASE, "--stages", many);
}

static void test_outputs_and_misc(void **state)
{
    (void)state;
    EXPECT_ERROR("--linger keeps the /metrics endpoint up: it needs --prometheus", BASE, "--linger", "5s");
    EXPECT_ERROR("-q and -v contradict each other", BASE, "-q", "-v");
    EXPECT_ERROR("--backoff-min is above --backoff-max", BASE, "--backoff-min", "10s", "--backoff-max", "1s");
    EXPECT_ERROR("--json and --csv write the same file", BASE, "--json", "x", "--csv", "x");
    EXPECT_ERROR("--interval: '1ms' is outside the allowed 10ms..", BASE, "--interval", "1ms");
    EXPECT_ERROR("--prometheus: ", BASE, "--prometheus", "nowhere");
    EXPECT_ERROR("--source-ips: ", BASE, "--source-ips", "10.0.0.9-10.0.0.1");
    EXPECT_ERROR("--container: 'maybe' is not on/off", BASE, "--container", "maybe");
    EXPECT_ERROR("--seed: ", BASE, "--seed", "-1");
    EXPECT_ERROR("--json: empty value", BASE, "--json", "");
    EXPECT_ERROR("--threshold: empty threshold", BASE, "--threshold", "");
    EXPECT_ERROR("--threshold: 'p99<fast' is not a threshold", BASE, "--threshold", "p99<fast");
    EXPECT_ERROR("--workload: 'pong': unknown operation", BASE, "--workload", "pong");
    struct mt_run_config c;
    struct mt_diag d;
    expect_ok(&c, PARSE(&c, &d, BASE, "--source-ips", "127.0.0.2-127.0.0.200", "--json", "a", "--csv", "b"), &d);
    assert_true(c.have_source_ips);
    assert_int_equal(c.source_ip_last - c.source_ip_first, 198);
    mt_run_config_free(&c);
}

static void test_argv_syntax(void **state)
{
    (void)state;
    struct mt_run_config c;
    struct mt_diag d;
    EXPECT_ERROR("unknown option '--bogus'", BASE, "--bogus");
    EXPECT_ERROR("unknown option '-x'", BASE, "-x");
    EXPECT_ERROR("unknown option '--duraton' (did you mean --duration?)", BASE, "--duraton", "1s");
    EXPECT_ERROR("unknown option '--sesions' (did you mean --sessions?)", BASE, "--sesions=5");
    EXPECT_ERROR("unknown option '--depht' (did you mean --depth?)", BASE, "--depht");
    EXPECT_ERROR("unknown option '--xyzzy'", BASE, "--xyzzy");
    EXPECT_ERROR("unknown option '-z'", BASE, "-qz");
    EXPECT_ERROR("unexpected argument 'extra'", BASE, "extra");
    EXPECT_ERROR("--duration: needs a value (DURATION)", BASE, "--duration");
    EXPECT_ERROR("--obfuscated: takes no value", BASE, "--obfuscated=yes");
    EXPECT_ERROR("--duration: given more than once", BASE, "--duration", "1s", "--duration", "2s");
    EXPECT_ERROR("unexpected argument '--'", BASE, "--");
    /* the value of a mistyped option is not reported as a stray argument */
    assert_int_equal(PARSE(&c, &d, BASE, "--sesions", "5"), MT_E_INVAL);
    assert_int_equal(d.n, 1);
    mt_run_config_free(&c);
    /* every problem is reported, not only the first */
    int rc = PARSE(&c, &d, "--sessions", "0", "--duration", "x", "--bogus", "--transport", "tcp");
    assert_int_equal(rc, MT_E_INVAL);
    assert_true(d.n >= 5);
    assert_true(diag_has(&d, "--sessions"));
    assert_true(diag_has(&d, "--duration"));
    assert_true(diag_has(&d, "--bogus"));
    assert_true(diag_has(&d, "--transport"));
    assert_true(diag_has(&d, "--target is required"));
    mt_run_config_free(&c);
    /* more problems than the diag keeps are counted */
    const char *args[100];
    int n = 0;
    for (int i = 0; i < 40; i++) args[n++] = "--nope";
    args[n] = NULL;
    parse_v(&c, &d, args);
    assert_int_equal(d.n, MT_DIAG_MAX);
    assert_true(d.dropped > 0);
    mt_run_config_free(&c);
    /* --help stops parsing and validation */
    rc = PARSE(&c, &d, "--sessions", "0", "--help");
    assert_int_equal(rc, 0);
    assert_true(c.opt.help);
    mt_run_config_free(&c);
    rc = PARSE(&c, &d, "-h");
    assert_true(c.opt.help);
    mt_run_config_free(&c);
}

static void test_worker_split(void **state)
{
    (void)state;
    struct mt_run_config c;
    struct mt_diag d;
    expect_ok(&c, PARSE(&c, &d, BASE, "--sessions", "10", "--threads", "3", "--source-ips",
                        "10.0.0.1-10.0.0.3"), &d);
    uint64_t total = 0;
    for (uint64_t w = 0; w < 3; w++) total += mt_run_worker_sessions(&c, w);
    assert_int_equal(total, 10);
    assert_int_equal(mt_run_worker_sessions(&c, 0), 4);
    assert_int_equal(mt_run_worker_sessions(&c, 2), 3);
    uint64_t per[3] = {0};
    for (uint64_t s = 0; s < 10; s++) per[mt_run_worker_of(&c, s)]++;
    for (uint64_t w = 0; w < 3; w++) assert_int_equal(per[w], mt_run_worker_sessions(&c, w));
    assert_int_equal(mt_run_source_ip(&c, 0), 0x0a000001u);
    assert_int_equal(mt_run_source_ip(&c, 2), 0x0a000003u);
    assert_int_equal(mt_run_source_ip(&c, 3), 0x0a000001u);
    mt_run_config_free(&c);
    expect_ok(&c, PARSE(&c, &d, BASE), &d);
    assert_int_equal(mt_run_source_ip(&c, 5), 0);
    mt_run_config_free(&c);
}

static char *write_temp(const char *text)
{
    char *path = strdup("/tmp/mtload-cfg-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_config_file(void **state)
{
    (void)state;
    char *path = write_temp(
        "# a run\n"
        "target = 127.0.0.1:4430\n"
        "  rsa_key = \"pub.pem\"  \n"
        "--sessions = 2k\n"
        "workload = ping:3\n"
        "workload = echo:64-128\n"
        "threshold = p99<5ms\n"
        "obfuscated = on\n"
        "\n"
        "; another comment\n"
        "request-timeout = 2s\r\n"
        "verbose = 1\n");
    struct mt_run_config c;
    struct mt_diag d;
    expect_ok(&c, PARSE(&c, &d, "--config", path), &d);
    assert_string_equal(c.rsa_key_path, "pub.pem");
    assert_int_equal(c.sessions, 2000);
    assert_int_equal(c.workload.n, 2);
    assert_true(c.obfuscated);
    assert_int_equal(c.request_timeout, 2 * S);
    assert_int_equal(c.verbose, 1);
    mt_run_config_free(&c);
    /* flags override the file; a repeated flag replaces the file's list */
    expect_ok(&c, PARSE(&c, &d, "--config", path, "--sessions", "5", "--workload", "echo:1", "-v"), &d);
    assert_int_equal(c.sessions, 5);
    assert_int_equal(c.workload.n, 1);
    assert_int_equal(c.workload.ops[0].kind, MT_WL_ECHO);
    assert_int_equal(c.n_thresholds, 1);
    assert_int_equal(c.verbose, 2);
    mt_run_config_free(&c);
    unlink(path);
    free(path);

    path = write_temp("target = h:1\nsessions = 0\nbogus = 1\nno equals sign\nconfig = x\n"
                      "print-config = on\nsessions = 3\n = 4\n");
    assert_int_equal(PARSE(&c, &d, "--config", path, "--rsa-key", "k"), MT_E_INVAL);
    assert_true(diag_has(&d, ":2: sessions: '0' is outside"));
    assert_true(diag_has(&d, ":3: unknown key 'bogus'"));
    assert_false(diag_has(&d, "did you mean"));
    assert_true(diag_has(&d, ":4: expected 'key = value'"));
    assert_true(diag_has(&d, ":5: not allowed in a config file: 'config'"));
    assert_true(diag_has(&d, ":6: not allowed in a config file: 'print-config'"));
    assert_true(diag_has(&d, ":7: sessions: given more than once"));
    assert_true(diag_has(&d, ":8: bad key"));
    mt_run_config_free(&c);
    unlink(path);
    free(path);

    EXPECT_ERROR("--config: cannot open '/nonexistent/x.conf'", "--config", "/nonexistent/x.conf");
}

static void test_config_text_api(void **state)
{
    (void)state;
    struct mt_run_config c;
    struct mt_diag d = {0};
    mt_run_config_defaults(&c);
    const char text[] = "target = h:1\nrsa-key = k\nrate = 1k";
    assert_int_equal(mt_opt_parse_text(mt_run_options(), &c, &c.opt, text, sizeof text - 1, "t", &d), 0);
    assert_int_equal(mt_run_config_validate(&c, &d), 0);
    assert_true(c.open_loop);
    mt_run_config_free(&c);
    mt_run_config_defaults(&c);
    const char nul[] = "target = h:1\0x";
    assert_int_equal(mt_opt_parse_text(mt_run_options(), &c, &c.opt, nul, sizeof nul - 1, "t", &d), MT_E_INVAL);
    assert_true(diag_has(&d, "NUL byte"));
    mt_run_config_free(&c);
}

/* --print-config writes a config file that parses back to the same config. */
static void test_print_roundtrip(void **state)
{
    (void)state;
    struct mt_run_config a, b;
    struct mt_diag d;
    expect_ok(&a, PARSE(&a, &d, "--target", "10.1.2.3:443", "--rsa-key", "k.pem", "--obfuscated",
                        "--secret", "dd00112233445566778899aabbccddeeff", "--dc", "3", "--stages",
                        "10s:1k,30s:50k,10s:0", "--warmup", "5s", "--workload",
                        "ping:3,echo:realistic:2,rpc:'help.getConfig':4", "--prometheus", ":9100",
                        "--threshold", "p99<5ms", "--source-ips", "10.0.0.1-10.0.0.9", "--seed", "5"), &d);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    mt_run_config_print(&a, f);
    fclose(f);
    mt_run_config_defaults(&b);
    memset(&d, 0, sizeof d);
    int rc = mt_opt_parse_text(mt_run_options(), &b, &b.opt, text, len, "printed", &d);
    if (!rc) rc = mt_run_config_validate(&b, &d);
    if (rc) {
        dump(&d);
        fail_msg("printed config does not parse:\n%s", text);
    }
    assert_int_equal(b.transport, a.transport);
    assert_int_equal(b.secret_len, 17);
    assert_memory_equal(b.secret, a.secret, 17);
    assert_int_equal(b.dc, 3);
    assert_int_equal(b.n_stages, 3);
    assert_int_equal(b.end, a.end);
    assert_int_equal(b.warmup, a.warmup);
    assert_int_equal(b.workload.n, 3);
    assert_string_equal(b.workload.ops[2].rpc_text, "help.getConfig");
    assert_int_equal(b.workload.ops[2].weight, 4);
    assert_int_equal(b.threads, a.threads);
    assert_int_equal(b.prometheus.port, 9100);
    assert_int_equal(b.source_ip_last, a.source_ip_last);
    assert_int_equal(b.seed, 5);
    assert_string_equal(b.thresholds[0], "p99<5ms");
    free(text);
    mt_run_config_free(&a);
    mt_run_config_free(&b);
}

static void test_help_text(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    mt_run_print_help(f);
    fclose(f);
    const struct mt_opt_table *t = mt_run_options();
    for (size_t i = 0; i < t->n; i++) {
        char flag[64];
        snprintf(flag, sizeof flag, "--%s", t->opts[i].name);
        if (!strstr(text, flag)) fail_msg("help lacks %s", flag);
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_option),
        cmocka_unit_test(test_transport_rules),
        cmocka_unit_test(test_required_and_keys),
        cmocka_unit_test(test_load_shape_rules),
        cmocka_unit_test(test_stages),
        cmocka_unit_test(test_outputs_and_misc),
        cmocka_unit_test(test_argv_syntax),
        cmocka_unit_test(test_worker_split),
        cmocka_unit_test(test_config_file),
        cmocka_unit_test(test_config_text_api),
        cmocka_unit_test(test_print_roundtrip),
        cmocka_unit_test(test_help_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

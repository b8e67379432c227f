/* `mtload server` configuration: defaults, every option, every error, the
 * printed config, and the fault decisions (exact fractions, stall windows). */
#include "harness/unit/common/mt_test.h"
#include "server/config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define S MT_NS_PER_S
#define MS MT_NS_PER_MS

static int parse_v(struct mt_srv_config *cfg, struct mt_diag *d, const char *const *args)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)"server";
    for (; *args; args++) argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    memset(d, 0, sizeof *d);
    return mt_srv_config_parse(cfg, argc, argv, d);
}
#define PARSE(cfg, d, ...) parse_v((cfg), (d), (const char *const[]){__VA_ARGS__, NULL})

static bool diag_has(const struct mt_diag *d, const char *part)
{
    for (unsigned i = 0; i < d->n; i++)
        if (strstr(d->msg[i], part)) return true;
    return false;
}

static void expect_error_v(const char *part, const char *const *args)
{
    struct mt_srv_config cfg;
    struct mt_diag d;
    int rc = parse_v(&cfg, &d, args);
    if (rc == 0 || !diag_has(&d, part)) {
        for (unsigned i = 0; i < d.n; i++) print_message("  diag: %s\n", d.msg[i]);
        fail_msg("expected an error containing '%s'", part);
    }
    mt_srv_config_free(&cfg);
}
#define EXPECT_ERROR(part, ...) expect_error_v((part), (const char *const[]){__VA_ARGS__, NULL})

static void ok(int rc, const struct mt_diag *d)
{
    if (rc) {
        for (unsigned i = 0; i < d->n; i++) print_message("  diag: %s\n", d->msg[i]);
        fail_msg("unexpected error");
    }
}

static void test_defaults(void **state)
{
    (void)state;
    struct mt_srv_config c;
    struct mt_diag d;
    char *argv[] = {(char *)"server", NULL};
    memset(&d, 0, sizeof d);
    ok(mt_srv_config_parse(&c, 1, argv, &d), &d);
    assert_string_equal(c.listen.host, "127.0.0.1");
    assert_int_equal(c.listen.port, 4430);
    assert_true(c.threads >= 1);
    assert_string_equal(c.rsa_key_path, "mtload-server.pem");
    char pub[256];
    mt_srv_public_key_path(&c, pub, sizeof pub);
    assert_string_equal(pub, "mtload-server.pem.pub");
    assert_int_equal(c.max_connections, 1000000);
    assert_int_equal(c.max_frame, 4u << 20);
    assert_int_equal(c.handshake_timeout, 30 * S);
    assert_int_equal(c.idle_timeout, 300 * S);
    assert_false(c.faults.delay_on);
    assert_false(c.have_prometheus);
    struct mt_rand r;
    mt_rand_seed(&r, 1);
    for (int i = 0; i < 1000; i++) assert_int_equal(mt_srv_fault_pick(&c.faults, &r), MT_FAULT_NONE);
    assert_int_equal(mt_srv_fault_delay(&c.faults, &r), 0);
    assert_false(mt_srv_fault_bad_salt(&c.faults, 7));
    assert_false(mt_srv_fault_stalled(&c.faults, 5 * S, NULL));
    mt_srv_config_free(&c);
}

static void test_every_option(void **state)
{
    (void)state;
    struct mt_srv_config c;
    struct mt_diag d;
    ok(PARSE(&c, &d, "--listen", "0.0.0.0:0", "--threads", "2", "--rsa-key", "k.pem", "--public-key-out",
             "out.pub", "--secret", "dd00112233445566778899aabbccddeeff", "--max-connections", "100k",
             "--max-frame", "1MiB", "--handshake-timeout", "5s", "--idle-timeout", "1m", "--prometheus",
             "127.0.0.1:9200", "--fault-delay", "uniform:1ms-5ms", "--fault-drop", "1%",
             "--fault-flood-wait", "2%:30", "--fault-transport-429", "0.5%", "--fault-disconnect", "0.001",
             "--fault-bad-salt-every", "100", "--fault-stall", "10s:2s", "--seed", "4", "-v"), &d);
    assert_int_equal(c.listen.port, 0);
    assert_int_equal(c.threads, 2);
    assert_string_equal(c.rsa_key_path, "k.pem");
    char pub[256];
    mt_srv_public_key_path(&c, pub, sizeof pub);
    assert_string_equal(pub, "out.pub");
    assert_int_equal(c.secret_len, 17);
    assert_int_equal(c.max_connections, 100000);
    assert_int_equal(c.max_frame, 1u << 20);
    assert_int_equal(c.handshake_timeout, 5 * S);
    assert_int_equal(c.idle_timeout, 60 * S);
    assert_true(c.have_prometheus);
    assert_int_equal(c.prometheus.port, 9200);
    assert_true(c.faults.delay_on);
    assert_int_equal(c.faults.delay.kind, MT_DIST_UNIFORM);
    assert_true(fabs(c.faults.drop - 0.01) < 1e-15);
    assert_true(fabs(c.faults.flood_wait - 0.02) < 1e-15);
    assert_int_equal(c.faults.flood_wait_seconds, 30);
    assert_true(fabs(c.faults.transport_429 - 0.005) < 1e-15);
    assert_true(fabs(c.faults.disconnect - 0.001) < 1e-15);
    assert_int_equal(c.faults.bad_salt_every, 100);
    assert_int_equal(c.faults.stall_period, 10 * S);
    assert_int_equal(c.faults.stall_duration, 2 * S);
    assert_int_equal(c.seed, 4);
    assert_int_equal(c.verbose, 1);

    /* the printed config parses back to the same values */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    mt_srv_config_print(&c, f);
    fclose(f);
    struct mt_srv_config b;
    mt_srv_config_defaults(&b);
    memset(&d, 0, sizeof d);
    int rc = mt_opt_parse_text(mt_srv_options(), &b, &b.opt, text, len, "printed", &d);
    if (!rc) rc = mt_srv_config_validate(&b, &d);
    if (rc) fail_msg("printed config does not parse:\n%s\n%s", text, d.msg[0]);
    assert_memory_equal(&b.faults.delay, &c.faults.delay, sizeof b.faults.delay);
    assert_true(fabs(b.faults.drop - c.faults.drop) < 1e-15);
    assert_int_equal(b.faults.flood_wait_seconds, 30);
    assert_int_equal(b.faults.stall_duration, 2 * S);
    assert_int_equal(b.max_frame, c.max_frame);
    assert_int_equal(b.threads, 2);
    free(text);
    mt_srv_config_free(&b);
    mt_srv_config_free(&c);
}

static void test_errors(void **state)
{
    (void)state;
    EXPECT_ERROR("--listen: 'nowhere': missing ':PORT'", "--listen", "nowhere");
    EXPECT_ERROR("--threads: 0 is outside 1..1024", "--threads", "0");
    EXPECT_ERROR("--secret: a secret is 16 bytes", "--secret", "abcd");
    EXPECT_ERROR("--max-connections: '0' is outside", "--max-connections", "0");
    EXPECT_ERROR("--max-frame: '100' is outside the allowed 1024..", "--max-frame", "100");
    EXPECT_ERROR("--max-frame: '1GiB' is outside", "--max-frame", "1GiB");
    EXPECT_ERROR("--handshake-timeout: '0' is outside", "--handshake-timeout", "0");
    EXPECT_ERROR("--idle-timeout: 'forever' does not start", "--idle-timeout", "forever");
    EXPECT_ERROR("--fault-delay: 'gamma:1ms': unknown distribution", "--fault-delay", "gamma:1ms");
    EXPECT_ERROR("--fault-delay: normal needs MEAN,STDDEV", "--fault-delay", "normal:5ms");
    EXPECT_ERROR("--fault-drop: '150%' is above 100%", "--fault-drop", "150%");
    EXPECT_ERROR("--fault-drop: '2': a bare fraction", "--fault-drop", "2");
    EXPECT_ERROR("--fault-flood-wait: FLOOD_WAIT_X takes whole seconds", "--fault-flood-wait", "1%:1.5s");
    EXPECT_ERROR("--fault-flood-wait: FLOOD_WAIT_X takes whole seconds", "--fault-flood-wait", "1%:0");
    EXPECT_ERROR("--fault-flood-wait: seconds: ", "--fault-flood-wait", "1%:x");
    EXPECT_ERROR("--fault-transport-429: ", "--fault-transport-429", "lots");
    EXPECT_ERROR("--fault-disconnect: ", "--fault-disconnect", "-1%");
    EXPECT_ERROR("--fault-bad-salt-every: '0' is outside", "--fault-bad-salt-every", "0");
    EXPECT_ERROR("--fault-stall: want PERIOD:DURATION", "--fault-stall", "10s");
    EXPECT_ERROR("--fault-stall: the stall must be longer than 0 and shorter than its period",
                 "--fault-stall", "2s:2s");
    EXPECT_ERROR("--fault-stall: the stall must be", "--fault-stall", "2s:0");
    EXPECT_ERROR("add up to 110%, above 100%", "--fault-drop", "60%", "--fault-disconnect", "50%");
    EXPECT_ERROR("--fault-delay's mean is longer than the --fault-stall period", "--fault-delay", "20s",
                 "--fault-stall", "10s:1s");
    EXPECT_ERROR("--prometheus and --listen use the same address", "--listen", "127.0.0.1:9000",
                 "--prometheus", "127.0.0.1:9000");
    EXPECT_ERROR("-q and -v contradict", "-q", "-v");
    EXPECT_ERROR("--public-key-out would overwrite the private key", "--rsa-key", "a.pem",
                 "--public-key-out", "a.pem");
    EXPECT_ERROR("unknown option '--target'", "--target", "h:1");
    EXPECT_ERROR("--listen: given more than once", "--listen", ":1", "--listen", ":2");
}

static void test_config_file(void **state)
{
    (void)state;
    char path[] = "/tmp/mtload-srv-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char text[] = "listen = [::1]:4430\nfault_drop = 1%\nfault-stall = 1s:100ms\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    struct mt_srv_config c;
    struct mt_diag d;
    ok(PARSE(&c, &d, "--config", path, "--fault-drop", "2%"), &d);
    assert_int_equal(c.listen.kind, MT_HOST_IPV6);
    assert_true(fabs(c.faults.drop - 0.02) < 1e-15);
    assert_int_equal(c.faults.stall_period, S);
    mt_srv_config_free(&c);
    unlink(path);
    int rc = PARSE(&c, &d, "--help");
    assert_int_equal(rc, 0);
    assert_true(c.opt.help);
    mt_srv_config_free(&c);
}

static void test_fault_fractions(void **state)
{
    (void)state;
    struct mt_srv_faults f = {.drop = 0.01, .flood_wait = 0.02, .transport_429 = 0.03, .disconnect = 0.04};
    struct mt_rand r;
    mt_rand_seed(&r, 9);
    enum { N = 2000000 };
    uint64_t n[5] = {0};
    for (int i = 0; i < N; i++) n[mt_srv_fault_pick(&f, &r)]++;
    const double want[5] = {0.90, 0.01, 0.02, 0.03, 0.04};
    for (int k = 0; k < 5; k++) {
        double got = (double)n[k] / N, sd = sqrt(want[k] * (1 - want[k]) / N);
        if (fabs(got - want[k]) > 5 * sd) fail_msg("fault %d: %.5f vs %.5f", k, got, want[k]);
    }
    struct mt_srv_faults all = {.drop = 1};
    for (int i = 0; i < 1000; i++) assert_int_equal(mt_srv_fault_pick(&all, &r), MT_FAULT_DROP);
}

static void test_bad_salt_and_stall(void **state)
{
    (void)state;
    struct mt_srv_faults f = {.bad_salt_every = 3, .stall_period = 10 * S, .stall_duration = 2 * S};
    assert_false(mt_srv_fault_bad_salt(&f, 1));
    assert_false(mt_srv_fault_bad_salt(&f, 2));
    assert_true(mt_srv_fault_bad_salt(&f, 3));
    assert_true(mt_srv_fault_bad_salt(&f, 300));
    mt_ns until = 0;
    assert_false(mt_srv_fault_stalled(&f, 0, &until));
    assert_false(mt_srv_fault_stalled(&f, 8 * S - 1, &until));
    assert_true(mt_srv_fault_stalled(&f, 8 * S, &until));
    assert_int_equal(until, 10 * S);
    assert_true(mt_srv_fault_stalled(&f, 10 * S - 1, &until));
    assert_false(mt_srv_fault_stalled(&f, 10 * S, &until));
    assert_true(mt_srv_fault_stalled(&f, 49 * S, &until));
    assert_int_equal(until, 50 * S);
    struct mt_srv_faults d = {.delay_on = true};
    struct mt_why why;
    assert_int_equal(mt_dist_parse("exp:2ms", &d.delay, &why), 0);
    struct mt_rand r;
    mt_rand_seed(&r, 2);
    double sum = 0;
    for (int i = 0; i < 100000; i++) sum += (double)mt_srv_fault_delay(&d, &r);
    assert_true(fabs(sum / 100000 - 2e6) < 2e6 * 0.03);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_option),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_config_file),
        cmocka_unit_test(test_fault_fractions),
        cmocka_unit_test(test_bad_salt_and_stall),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

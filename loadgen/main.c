/* The `mtload` command: one binary, subcommands in a table. A subcommand
 * is one line in `commands` below; while a subcommand's engine is not part
 * of the build its entry has no function and says so (exit 2). */
#include <stdio.h>
#include <string.h>

#include "core/crypto/mt_crypto.h"
#if defined(MT_HAVE_CMD_COMPARE) || defined(MT_HAVE_CMD_MERGE)
#include "loadgen/commands.h"
#endif
#include "loadgen/config.h"
#include "server/config.h"

#ifndef MTLOAD_VERSION
#define MTLOAD_VERSION "0.0.0"
#endif
#ifndef MTLOAD_GIT_COMMIT
#define MTLOAD_GIT_COMMIT "unknown"
#endif

typedef int (*mt_cmd_fn)(int argc, char **argv);

/* The engines behind `run` and `server` (worker threads over the link
 * layer). NULL until they are part of the build: the configuration is
 * still parsed and validated (and --print-config works). */
typedef int (*mt_run_engine_fn)(const struct mt_run_config *cfg);
typedef int (*mt_srv_engine_fn)(const struct mt_srv_config *cfg);
#ifdef MT_HAVE_RUN_ENGINE
#include "loadgen/run.h"
static const mt_run_engine_fn run_engine = mt_run_engine;
#else
static const mt_run_engine_fn run_engine = NULL;
#endif
#ifdef MT_HAVE_SERVER_ENGINE
#include "server/server.h"
static const mt_srv_engine_fn server_engine = mt_srv_engine;
#else
static const mt_srv_engine_fn server_engine = NULL;
#endif

static void apply_verbosity(bool quiet, unsigned verbose)
{
    if (quiet) mt_log_level = MT_LOG_ERROR;
    else if (verbose) mt_log_level = verbose > 1 ? MT_LOG_DEBUG : MT_LOG_INFO;
}

static int not_built(const char *what)
{
    fprintf(stderr, "mtload %s: not built yet: this build of mtload has no %s engine "
            "(the configuration was checked and is valid)\n", what, what);
    return MT_EXIT_USAGE;
}

static int cmd_run(int argc, char **argv)
{
    struct mt_run_config cfg;
    struct mt_diag diag = {0};
    int rc = mt_run_config_parse(&cfg, argc, argv, &diag);
    int exit_code;
    if (cfg.opt.help) {
        mt_run_print_help(stdout);
        exit_code = MT_EXIT_OK;
    } else if (rc) {
        mt_diag_print(&diag, "run", stderr);
        exit_code = MT_EXIT_USAGE;
    } else if (cfg.print_config) {
        mt_run_config_print(&cfg, stdout);
        exit_code = MT_EXIT_OK;
    } else {
        apply_verbosity(cfg.quiet, cfg.verbose);
        exit_code = run_engine ? run_engine(&cfg) : not_built("run");
    }
    mt_run_config_free(&cfg);
    return exit_code;
}

static int cmd_server(int argc, char **argv)
{
    struct mt_srv_config cfg;
    struct mt_diag diag = {0};
    int rc = mt_srv_config_parse(&cfg, argc, argv, &diag);
    int exit_code;
    if (cfg.opt.help) {
        mt_srv_print_help(stdout);
        exit_code = MT_EXIT_OK;
    } else if (rc) {
        mt_diag_print(&diag, "server", stderr);
        exit_code = MT_EXIT_USAGE;
    } else if (cfg.print_config) {
        mt_srv_config_print(&cfg, stdout);
        exit_code = MT_EXIT_OK;
    } else {
        apply_verbosity(cfg.quiet, cfg.verbose);
        exit_code = server_engine ? server_engine(&cfg) : not_built("server");
    }
    mt_srv_config_free(&cfg);
    return exit_code;
}

static int cmd_version(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--help")) {
        printf("usage: mtload version\n");
        return MT_EXIT_OK;
    }
    if (argc > 1) {
        fprintf(stderr, "mtload version: takes no arguments\n");
        return MT_EXIT_USAGE;
    }
    printf("mtload %s (commit %s)\n", MTLOAD_VERSION, MTLOAD_GIT_COMMIT);
#if defined(__clang__)
    printf("compiler: clang %s\n", __clang_version__);
#elif defined(__GNUC__)
    printf("compiler: gcc %s\n", __VERSION__);
#endif
    int rc = mt_crypto_init();
    printf("crypto: %s%s\n", mt_crypto_describe(),
           rc == MT_E_UNSUPPORTED ? " (MTLOAD_CPU asked for more than this CPU has)" : "");
    printf("cpu: %s\n", mt_cpu_model());
    return MT_EXIT_OK;
}

static int cmd_help(int argc, char **argv);

static const struct {
    const char *name;
    mt_cmd_fn fn;               /* NULL: not part of this build yet */
    const char *summary;
} commands[] = {
    {"run", cmd_run, "load-test an MTProto 2.0 server"},
    {"server", cmd_server, "the reference MTProto 2.0 server (load target)"},
#ifdef MT_HAVE_CMD_COMPARE
    {"compare", lg_cmd_compare, "compare a results file against a baseline (exit 1 on regression)"},
#else
    {"compare", NULL, "compare a results file against a baseline (exit 1 on regression)"},
#endif
#ifdef MT_HAVE_CMD_MERGE
    {"merge", lg_cmd_merge, "merge results files (JSON, hlog) of several runs"},
#else
    {"merge", NULL, "merge results files (JSON, hlog) of several runs"},
#endif
    {"version", cmd_version, "version, commit, compiler and crypto tier"},
    {"help", cmd_help, "this list, or `mtload help COMMAND`"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: mtload COMMAND [options]\n\ncommands:\n");
    for (size_t i = 0; i < MT_ARRAY_LEN(commands); i++)
        fprintf(out, "  %-9s %s%s\n", commands[i].name, commands[i].summary,
                commands[i].fn ? "" : " (not built yet)");
    fprintf(out, "\n`mtload COMMAND --help` shows a command's options. Exit codes: 0 ok, "
            "2 usage/config error,\n3 target unreachable or bad protocol, 99 a threshold failed.\n");
}

static int dispatch(int argc, char **argv)
{
    for (size_t i = 0; i < MT_ARRAY_LEN(commands); i++) {
        if (strcmp(argv[0], commands[i].name)) continue;
        if (!commands[i].fn) {
            fprintf(stderr, "mtload %s: not built yet in this build of mtload\n", argv[0]);
            return MT_EXIT_USAGE;
        }
        return commands[i].fn(argc, argv);
    }
    fprintf(stderr, "mtload: unknown command '%s'\n\n", argv[0]);
    usage(stderr);
    return MT_EXIT_USAGE;
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        usage(stdout);
        return MT_EXIT_OK;
    }
    char help[] = "--help";
    char *sub[] = {argv[1], help, NULL};
    return dispatch(2, sub);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return MT_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(stdout);
        return MT_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version"))
        return cmd_version(1, argv + 1);
    return dispatch(argc - 1, argv + 1);
}

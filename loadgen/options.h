/* loadgen/options: one table-driven option parser for every subcommand.
 *
 * A command describes its options in a table of struct mt_opt (name, value
 * kind, where the value goes in the command's config struct, bounds, help)
 * and gets, from the same table: `--name VALUE`, `--name=VALUE`, short
 * flags (-q, -vv), a `key = value` config file with the same names, help
 * text, and a record of which options were given and where. Every bad value
 * is reported (not just the first), each message naming the option. */
#ifndef MT_LG_OPTIONS_H
#define MT_LG_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>
#include "loadgen/units.h"

/* ---- diagnostics ------------------------------------------------------------ */
#define MT_DIAG_MAX 24
#define MT_DIAG_LEN 256
struct mt_diag {
    unsigned n;                 /* messages kept */
    unsigned dropped;           /* messages beyond MT_DIAG_MAX */
    char msg[MT_DIAG_MAX][MT_DIAG_LEN];
};
void mt_diag_add(struct mt_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "mtload run: <msg>" per line, then a hint to --help. */
void mt_diag_print(const struct mt_diag *d, const char *cmd, FILE *out);

/* ---- option tables ------------------------------------------------------------ */
enum mt_opt_kind {
    MT_OPTK_FLAG,       /* no value; bool = true (in a file: key = on|off) */
    MT_OPTK_COUNTER,    /* no value; unsigned += 1 (-v -v, -vv) */
    MT_OPTK_BOOL,       /* on|off -> bool */
    MT_OPTK_U64,        /* plain integer -> uint64_t, [min, max] */
    MT_OPTK_COUNT,      /* 1k, 2M -> uint64_t, [min, max] */
    MT_OPTK_SIZE,       /* 64, 1KiB -> uint64_t, [min, max] */
    MT_OPTK_DURATION,   /* 10s, 500ms -> mt_ns, [min, max] */
    MT_OPTK_RATE,       /* 50k, 1M/s -> double (> 0) */
    MT_OPTK_PERCENT,    /* 1%, 0.01 -> double fraction */
    MT_OPTK_STRING,     /* non-empty text -> char * (owned by the config) */
    MT_OPTK_HOSTPORT,   /* HOST:PORT -> struct mt_hostport; min = MT_HP_* flags */
    MT_OPTK_CUSTOM,     /* parse(cfg, value, why) */
};

enum {
    MT_OPT_REPEAT = 1,  /* may be given many times (CUSTOM only) */
    MT_OPT_EARLY = 2,   /* handled before the config file (--config, --help) */
    MT_OPT_NOFILE = 4,  /* not allowed in a config file */
};

struct mt_opt {
    const char *name;           /* long name without "--"; NULL ends nothing (tables are sized) */
    char short_name;            /* 0 if none */
    unsigned char kind;         /* enum mt_opt_kind */
    unsigned char flags;        /* MT_OPT_* */
    size_t offset;              /* where the value goes in the config struct */
    uint64_t min, max;          /* bounds of numeric kinds */
    int (*parse)(void *cfg, const char *value, struct mt_why *why);     /* CUSTOM */
    void (*reset)(void *cfg);   /* REPEAT: drop the config file's values when the CLI gives its own */
    const char *arg;            /* value placeholder for help, NULL for flags */
    const char *help;
};

#define MT_OPT_MAX 96
enum mt_opt_source { MT_SRC_NONE = 0, MT_SRC_FILE = 1, MT_SRC_CLI = 2 };
struct mt_opt_state {
    unsigned char source[MT_OPT_MAX];   /* where option i was last given */
    unsigned count[MT_OPT_MAX];         /* how often */
    bool help;                          /* -h / --help seen */
};

struct mt_opt_table {
    const char *command;        /* "run", "server" */
    const struct mt_opt *opts;
    size_t n;
    int config_opt;             /* index of --config, or -1 */
    int help_opt;               /* index of --help, or -1 */
};

/* Parse argv[1..argc) in two passes (EARLY options first, then the config
 * file named by the config option, then everything else so that flags
 * override the file). Returns 0, or MT_E_INVAL with messages in d. */
int mt_opt_parse(const struct mt_opt_table *t, void *cfg, struct mt_opt_state *st,
                 int argc, char **argv, struct mt_diag *d);
/* Config file text (for tests and the fuzzer): `key = value` lines, '#'
 * comments; origin names the source in messages. */
int mt_opt_parse_text(const struct mt_opt_table *t, void *cfg, struct mt_opt_state *st,
                      const char *text, size_t len, const char *origin, struct mt_diag *d);
int mt_opt_parse_file(const struct mt_opt_table *t, void *cfg, struct mt_opt_state *st,
                      const char *path, struct mt_diag *d);
/* Free every STRING the table owns in cfg. */
void mt_opt_free_strings(const struct mt_opt_table *t, void *cfg);
void mt_opt_print_help(const struct mt_opt_table *t, const char *usage, FILE *out);

/* "key = value\n" for a config file, quoting the value when the file
 * parser would otherwise trim or unquote it. */
void mt_opt_print_kv(FILE *out, const char *key, const char *value);

static inline bool mt_opt_given(const struct mt_opt_state *st, int id) { return st->count[id] > 0; }

#define MT_CONFIG_FILE_MAX (1u << 20)

#endif

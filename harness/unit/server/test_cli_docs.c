/* docs/cli.md documents every option of `mtload run` and `mtload server`:
 * each option table entry must appear as `--name` in the page. Reads the
 * repository's docs through MT_SOURCE_DIR (set by CTest). */
#include "harness/unit/common/mt_test.h"
#include "loadgen/config.h"
#include "server/config.h"

#include <stdio.h>
#include <stdlib.h>

static char *read_doc(void)
{
    const char *root = getenv("MT_SOURCE_DIR");
    if (!root) return NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/docs/cli.md", root);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = calloc(1, 1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    (void)n;
    fclose(f);
    return buf;
}

static void check_table(const char *doc, const struct mt_opt_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        char want[80];
        snprintf(want, sizeof want, "`--%s`", t->opts[i].name);
        const char *hit = strstr(doc, want);
        if (!hit) {
            /* options documented in a shared row, e.g. "`-q`, `-v`, `--print-config`, `--config`" */
            snprintf(want, sizeof want, "--%s", t->opts[i].name);
            hit = strstr(doc, want);
        }
        if (!hit) fail_msg("docs/cli.md does not document %s --%s", t->command, t->opts[i].name);
    }
}

static void test_every_option_documented(void **state)
{
    (void)state;
    char *doc = read_doc();
    if (!doc) skip();
    check_table(doc, mt_run_options());
    check_table(doc, mt_srv_options());
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_option_documented)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}

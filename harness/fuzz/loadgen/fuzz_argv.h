/* Splits fuzz input into an argv: arguments separated by NUL or newline.
 * --config is dropped so that the fuzzer never reads files of the host. */
#ifndef FUZZ_ARGV_H
#define FUZZ_ARGV_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_ARGS 64

/* Returns argc (argv[0] = cmd); *buf must be freed by the caller. */
static int fuzz_split_argv(const uint8_t *data, size_t size, const char *cmd, char **argv, char **buf)
{
    *buf = malloc(size + 1);
    if (!*buf) return 0;
    memcpy(*buf, data, size);
    (*buf)[size] = 0;
    int argc = 0;
    argv[argc++] = (char *)cmd;
    char *p = *buf, *end = *buf + size;
    while (p <= end && argc < FUZZ_MAX_ARGS) {
        size_t n = strcspn(p, "\n");
        p[n] = 0;
        if (strncmp(p, "--config", 8) != 0)
            argv[argc++] = p;
        p += n + 1;
    }
    argv[argc] = NULL;
    return argc;
}
#endif

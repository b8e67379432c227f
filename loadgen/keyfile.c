/* Auth-key files for --keys / --save-keys. */
#include "loadgen/keyfile.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void mt_keyfile_init(struct mt_keyfile *kf, const char *target)
{
    memset(kf, 0, sizeof *kf);
    if (target) snprintf(kf->target, sizeof kf->target, "%s", target);
}

void mt_keyfile_free(struct mt_keyfile *kf)
{
    if (kf->e) {
        mt_wipe(kf->e, kf->cap * sizeof *kf->e);
        free(kf->e);
    }
    memset(kf, 0, sizeof *kf);
}

int mt_keyfile_add(struct mt_keyfile *kf, const uint8_t key[256], uint64_t salt)
{
    if (kf->n == kf->cap) {
        size_t cap = kf->cap ? kf->cap * 2 : 64;
        struct mt_keyfile_entry *e = calloc(cap, sizeof *e);
        if (!e) return MT_E_NOMEM;
        if (kf->e) {
            memcpy(e, kf->e, kf->n * sizeof *e);
            mt_wipe(kf->e, kf->cap * sizeof *kf->e);    /* no key copies left in freed memory */
            free(kf->e);
        }
        kf->e = e;
        kf->cap = cap;
    }
    mt_auth_key_set(&kf->e[kf->n].key, key);
    kf->e[kf->n].salt = salt;
    kf->n++;
    return 0;
}

/* "# target HOST:PORT" names where the keys were made; other comments are free. */
static void parse_comment(struct mt_keyfile *kf, const char *b, const char *e)
{
    static const char tag[] = "# target ";
    size_t n = (size_t)(e - b), t = sizeof tag - 1;
    if (n > t && n - t < sizeof kf->target && !memcmp(b, tag, t)) {
        memcpy(kf->target, b + t, n - t);
        kf->target[n - t] = 0;
    }
}

static bool all_hex(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)p[i])) return false;
    return true;
}

static int parse_key_line(struct mt_keyfile *kf, const char *b, const char *e, unsigned lineno,
                          struct mt_why *why)
{
    size_t klen = 0;
    while (b + klen < e && b[klen] != ' ' && b[klen] != '\t') klen++;
    if (klen != 512 || !all_hex(b, 512))
        return mt_why_set(why, MT_E_INVAL, "line %u: an auth key is 512 hex digits", lineno);
    uint8_t key[256];
    for (int i = 0; i < 256; i++) {
        char pair[3] = {b[2 * i], b[2 * i + 1], 0};
        key[i] = (uint8_t)strtoul(pair, NULL, 16);
    }
    const char *s = b + klen;
    while (s < e && (*s == ' ' || *s == '\t')) s++;
    uint64_t salt = 0;
    if (s < e) {
        if (e - s != 16 || !all_hex(s, 16)) {
            mt_wipe(key, sizeof key);
            return mt_why_set(why, MT_E_INVAL, "line %u: a salt is 16 hex digits", lineno);
        }
        uint8_t wire[8];
        for (int i = 0; i < 8; i++) {
            char pair[3] = {s[2 * i], s[2 * i + 1], 0};
            wire[i] = (uint8_t)strtoul(pair, NULL, 16);
        }
        salt = mt_load_le64(wire);      /* the salt's bytes as on the wire */
    }
    int rc = mt_keyfile_add(kf, key, salt);
    mt_wipe(key, sizeof key);
    return rc ? mt_why_set(why, rc, "out of memory") : 0;
}

int mt_keyfile_parse(struct mt_keyfile *kf, const char *text, size_t len, struct mt_why *why)
{
    unsigned lineno = 0;
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *b = p, *e = nl ? nl : end;
        p = nl ? nl + 1 : end;
        lineno++;
        while (b < e && isspace((unsigned char)*b)) b++;
        while (e > b && isspace((unsigned char)e[-1])) e--;
        if (memchr(b, 0, (size_t)(e - b)))
            return mt_why_set(why, MT_E_INVAL, "line %u: NUL byte", lineno);
        if (b == e) continue;
        if (*b == '#') {
            parse_comment(kf, b, e);
            continue;
        }
        int rc = parse_key_line(kf, b, e, lineno, why);
        if (rc) return rc;
    }
    if (kf->n == 0)
        return mt_why_set(why, MT_E_INVAL, "no keys in the file");
    return 0;
}

int mt_keyfile_load(struct mt_keyfile *kf, const char *path, struct mt_why *why)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return mt_why_set(why, MT_E_SYSTEM, "cannot open '%.100s': %s", path, strerror(errno));
    /* read whole: a key line is ~530 bytes, 1M keys ~530 MB is the practical limit */
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 1 << 16;
            char *nb = ncap > (1ull << 30) ? NULL : realloc(buf, ncap);
            if (!nb) { rc = mt_why_set(why, MT_E_NOMEM, "'%.100s' is too large", path); break; }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) rc = mt_why_set(why, MT_E_SYSTEM, "cannot read '%.100s'", path);
            break;
        }
    }
    fclose(f);
    if (!rc) rc = mt_keyfile_parse(kf, buf, len, why);
    if (buf) {
        mt_wipe(buf, cap);
        free(buf);
    }
    return rc;
}

int mt_keyfile_save(const struct mt_keyfile *kf, const char *path, struct mt_why *why)
{
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
        return mt_why_set(why, MT_E_RANGE, "path too long");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return mt_why_set(why, MT_E_SYSTEM, "cannot create '%.100s': %s", tmp, strerror(errno));
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return mt_why_set(why, MT_E_SYSTEM, "cannot write '%.100s'", tmp);
    }
    fprintf(f, "# mtload auth keys: <auth_key hex> <server salt hex>; secret, reuse with --keys\n");
    if (kf->target[0])
        fprintf(f, "# target %s\n", kf->target);
    char hex[513], shex[17];
    for (size_t i = 0; i < kf->n; i++) {
        uint8_t wire[8];
        mt_store_le64(wire, kf->e[i].salt);
        mt_hex_encode(kf->e[i].key.key, 256, hex);
        mt_hex_encode(wire, 8, shex);
        fprintf(f, "%s %s\n", hex, shex);
    }
    mt_wipe(hex, sizeof hex);
    bool bad = ferror(f) != 0;
    bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return mt_why_set(why, MT_E_SYSTEM, "cannot write '%.100s': %s", path, strerror(e));
    }
    return 0;
}

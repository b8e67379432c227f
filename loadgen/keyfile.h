/* loadgen/keyfile: auth keys saved by one run (--save-keys) and reused by
 * the next (--keys), so that a steady-state test pays for no handshakes.
 *
 * Text, one key per line, so that it can be inspected and cut with shell
 * tools; it holds secrets and is written 0600:
 *
 *   # any comment; blank lines are ignored
 *   # target 127.0.0.1:4430                  <- optional: where the keys were made
 *   <auth_key: 512 hex digits> <server salt: 16 hex digits>
 *
 * The salt is the 8 bytes of the last server salt as they are on the wire
 * (little-endian), 0 if unknown; a stale salt costs one bad_server_salt
 * round trip. auth_key_id is recomputed on load. The run engine's own
 * reader and writer (run_setup.c) use the same line format. */
#ifndef MT_LG_KEYFILE_H
#define MT_LG_KEYFILE_H

#include "core/crypto/mt_crypto.h"
#include "loadgen/units.h"

struct mt_keyfile_entry {
    struct mt_auth_key key;
    uint64_t salt;
};

struct mt_keyfile {
    char target[MT_HOST_MAX + 16];      /* "host:port" the keys were created on, or "" */
    size_t n, cap;
    struct mt_keyfile_entry *e;
};

void mt_keyfile_init(struct mt_keyfile *kf, const char *target);
/* Wipes the keys and frees. */
void mt_keyfile_free(struct mt_keyfile *kf);
int mt_keyfile_add(struct mt_keyfile *kf, const uint8_t key[256], uint64_t salt);
/* Text as above (appends the keys; a "# target" comment sets the target). */
int mt_keyfile_parse(struct mt_keyfile *kf, const char *text, size_t len, struct mt_why *why);
int mt_keyfile_load(struct mt_keyfile *kf, const char *path, struct mt_why *why);
/* Writes PATH.tmp (0600) and renames it over PATH. */
int mt_keyfile_save(const struct mt_keyfile *kf, const char *path, struct mt_why *why);

#endif

/* server/keystore: the auth keys the server has created, shared by every
 * worker thread (a client may reconnect to another worker with its key).
 * Looked up once per connection, not per message, so a sharded rwlock is
 * plenty. Bounded: past `cap` keys new ones are refused (the handshake then
 * fails and the client is told -404). */
#ifndef MT_SRV_KEYSTORE_H
#define MT_SRV_KEYSTORE_H

#include "core/crypto/mt_crypto.h"

struct mt_keystore;
struct mt_keystore *mt_keystore_new(size_t cap);
void mt_keystore_free(struct mt_keystore *ks);
/* Add (or replace) a key with its current server salt. MT_E_LIMIT when full. */
int mt_keystore_put(struct mt_keystore *ks, const struct mt_auth_key *key, uint64_t salt);
/* Copy the key with this id and its salt out: 1 found, 0 not. */
int mt_keystore_get(struct mt_keystore *ks, uint64_t id, struct mt_auth_key *key, uint64_t *salt);
/* 1 if a key with this id exists (the handshake's dh_gen_retry check). */
int mt_keystore_has(struct mt_keystore *ks, uint64_t id);
size_t mt_keystore_count(struct mt_keystore *ks);

#endif

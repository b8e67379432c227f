#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include "server/keystore.h"

#define SHARDS 64

struct ks_entry {
    struct mt_auth_key key;
    uint64_t salt;
    struct ks_entry *next;
};

struct ks_shard {
    pthread_rwlock_t lock;
    struct ks_entry **slots;
    size_t nslots, n;
};

struct mt_keystore {
    struct ks_shard shard[SHARDS];
    size_t cap;
    atomic_size_t count;
};

/* auth_key_id is the tail of a SHA-1: already uniformly spread */
static struct ks_shard *shard_of(struct mt_keystore *ks, uint64_t id)
{
    return &ks->shard[id % SHARDS];
}

struct mt_keystore *mt_keystore_new(size_t cap)
{
    struct mt_keystore *ks = calloc(1, sizeof *ks);
    if (!ks)
        return NULL;
    ks->cap = cap;
    for (int i = 0; i < SHARDS; i++)
        pthread_rwlock_init(&ks->shard[i].lock, NULL);
    return ks;
}

void mt_keystore_free(struct mt_keystore *ks)
{
    if (!ks)
        return;
    for (int i = 0; i < SHARDS; i++) {
        struct ks_shard *s = &ks->shard[i];
        for (size_t j = 0; j < s->nslots; j++) {
            struct ks_entry *e = s->slots[j];
            while (e) {
                struct ks_entry *next = e->next;
                mt_wipe(e, sizeof *e);
                free(e);
                e = next;
            }
        }
        free(s->slots);
        pthread_rwlock_destroy(&s->lock);
    }
    free(ks);
}

static struct ks_entry *find(struct ks_shard *s, uint64_t id)
{
    if (!s->nslots)
        return NULL;
    for (struct ks_entry *e = s->slots[(id / SHARDS) % s->nslots]; e; e = e->next)
        if (e->key.id64 == id)
            return e;
    return NULL;
}

static int rehash(struct ks_shard *s)
{
    size_t n = s->nslots ? s->nslots * 2 : 64;
    struct ks_entry **slots = calloc(n, sizeof *slots);
    if (!slots)
        return MT_E_NOMEM;
    for (size_t i = 0; i < s->nslots; i++) {
        struct ks_entry *e = s->slots[i];
        while (e) {
            struct ks_entry *next = e->next;
            size_t k = (e->key.id64 / SHARDS) % n;
            e->next = slots[k];
            slots[k] = e;
            e = next;
        }
    }
    free(s->slots);
    s->slots = slots;
    s->nslots = n;
    return 0;
}

int mt_keystore_put(struct mt_keystore *ks, const struct mt_auth_key *key, uint64_t salt)
{
    struct ks_shard *s = shard_of(ks, key->id64);
    int rc = 0;
    pthread_rwlock_wrlock(&s->lock);
    struct ks_entry *e = find(s, key->id64);
    if (e) {
        e->key = *key;
        e->salt = salt;
        goto out;
    }
    if (ks->cap && atomic_load(&ks->count) >= ks->cap) {
        rc = MT_E_LIMIT;
        goto out;
    }
    if (s->n >= s->nslots && (rc = rehash(s)) != 0)
        goto out;
    e = malloc(sizeof *e);
    if (!e) {
        rc = MT_E_NOMEM;
        goto out;
    }
    e->key = *key;
    e->salt = salt;
    size_t k = (key->id64 / SHARDS) % s->nslots;
    e->next = s->slots[k];
    s->slots[k] = e;
    s->n++;
    atomic_fetch_add(&ks->count, 1);
out:
    pthread_rwlock_unlock(&s->lock);
    return rc;
}

int mt_keystore_get(struct mt_keystore *ks, uint64_t id, struct mt_auth_key *key, uint64_t *salt)
{
    struct ks_shard *s = shard_of(ks, id);
    pthread_rwlock_rdlock(&s->lock);
    struct ks_entry *e = find(s, id);
    if (e) {
        if (key) *key = e->key;
        if (salt) *salt = e->salt;
    }
    pthread_rwlock_unlock(&s->lock);
    return e != NULL;
}

int mt_keystore_has(struct mt_keystore *ks, uint64_t id)
{
    return mt_keystore_get(ks, id, NULL, NULL);
}

size_t mt_keystore_count(struct mt_keystore *ks)
{
    return atomic_load(&ks->count);
}

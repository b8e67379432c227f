/* MTProto 2.0 message encryption and decryption (mtproto-description.md),
 * batched: for a chunk of messages every SHA-256 of one kind is done
 * together (the msg_keys, then the 2n KDF hashes: in the 16-lane message
 * kernels where the tier has them, else one mt_sha256_batch call each) and
 * all the AES-IGE work goes to ONE mt_ige256_*_batch call, so that the SIMD
 * lanes and the interleaved VAES IGE streams are filled. No allocation: the
 * scratch is a fixed stack block per chunk. The single-message functions are
 * the same code with n = 1. */
#include <stddef.h>

#include "core/crypto/crypto_impl.h"

#define MT_MSG_CHUNK 32

/* Key material of one message, contiguous so that one wipe clears a chunk. */
struct msg_secret {
    uint8_t key[32], iv[32];                    /* aes_key, aes_iv */
};
/* the 16-lane KDF writes aes_key and aes_iv as one 64-byte row */
_Static_assert(offsetof(struct msg_secret, iv) == offsetof(struct msg_secret, key) + 32, "key_iv");

struct msg_scratch {
    uint8_t large[MT_MSG_CHUNK][32];            /* msg_key_large */
    struct msg_secret sec[MT_MSG_CHUNK];
    const uint8_t *auth[MT_MSG_CHUNK];          /* auth_key bytes */
    const uint8_t *msg_key[MT_MSG_CHUNK];       /* 16 bytes inside the message */
    uint8_t *data[MT_MSG_CHUNK];                /* encrypted_data / plaintext */
    size_t len[MT_MSG_CHUNK];                   /* its length */
    size_t idx[MT_MSG_CHUNK];                   /* index of the job in the chunk */
    struct mt_sha256_job sj[2 * MT_MSG_CHUNK];
    struct mt_ige_job ij[MT_MSG_CHUNK];
};

/* Only the m entries used: a single message must not pay for 32.
 * explicit_bzero (not mt_wipe's byte loop): this runs for every message. */
static void scratch_wipe(struct msg_scratch *s, size_t m)
{
    explicit_bzero(s->sec, m * sizeof s->sec[0]);
}

/* msg_key_large of m messages: SHA256(auth_key[88+x, 32) + plaintext). Groups
 * of 16 go to the message kernel where there is one, the rest (and small
 * groups, where one 16-lane pass costs more than SHA-NI streams) through
 * the generic batch. */
static void msg_key_batch(struct msg_scratch *s, size_t m, int x)
{
    const struct mt_crypto_impl *t = mt_crypto_impl();
    size_t k = 0;
    if (t->msgkey_x16)
        for (; m - k >= t->msg_x16_min; k += 16) {
            uint8_t *out[16];
            size_t g = m - k < 16 ? m - k : 16;
            for (size_t i = 0; i < g; i++) out[i] = s->large[k + i];
            t->msgkey_x16(s->auth + k, (const uint8_t *const *)s->data + k, s->len + k, x, out, g);
            if (g < 16) { k = m; break; }
        }
    for (size_t i = k; i < m; i++) {
        struct mt_sha256_job *j = &s->sj[i - k];
        j->part[0] = (struct mt_span){ s->auth[i] + 88 + x, 32 };
        j->part[1] = (struct mt_span){ s->data[i], s->len[i] };
        j->part[2] = (struct mt_span){ s->auth[i], 0 };   /* unused; non-NULL for memcpy */
        j->out = s->large[i];
    }
    if (k < m) mt_sha256_batch(s->sj, m - k);
}

/* aes_key/aes_iv of m messages: the 2m KDF hashes (52 bytes each) in the
 * message kernel, 16 messages a call, or as one generic batch followed by
 * the byte shuffle of mt_kdf2. */
static void kdf_batch(struct msg_scratch *s, size_t m, int x)
{
    const struct mt_crypto_impl *t = mt_crypto_impl();
    size_t k = 0;
    if (t->kdf2_x16)
        for (; m - k >= t->msg_x16_min; k += 16) {
            uint8_t *key_iv[16];
            size_t g = m - k < 16 ? m - k : 16;
            for (size_t i = 0; i < g; i++) key_iv[i] = s->sec[k + i].key;
            t->kdf2_x16(s->auth + k, s->msg_key + k, x, key_iv, g);
            if (g < 16) { k = m; break; }
        }
    if (k == m) return;
    uint8_t h[MT_MSG_CHUNK][2][32];             /* sha256_a, sha256_b */
    for (size_t i = k; i < m; i++) {
        struct mt_sha256_job *a = &s->sj[2 * (i - k)], *b = &s->sj[2 * (i - k) + 1];
        a->part[0] = (struct mt_span){ s->msg_key[i], 16 };
        a->part[1] = (struct mt_span){ s->auth[i] + x, 36 };
        a->part[2] = (struct mt_span){ s->auth[i], 0 };   /* unused; non-NULL for memcpy */
        a->out = h[i - k][0];
        b->part[0] = (struct mt_span){ s->auth[i] + 40 + x, 36 };
        b->part[1] = (struct mt_span){ s->msg_key[i], 16 };
        b->part[2] = (struct mt_span){ s->auth[i], 0 };
        b->out = h[i - k][1];
    }
    mt_sha256_batch(s->sj, 2 * (m - k));
    for (size_t i = k; i < m; i++) {
        struct msg_secret *c = &s->sec[i];
        const uint8_t *ha = h[i - k][0], *hb = h[i - k][1];
        memcpy(c->key, ha, 8);
        memcpy(c->key + 8, hb + 8, 16);
        memcpy(c->key + 24, ha + 24, 8);
        memcpy(c->iv, hb, 8);
        memcpy(c->iv + 8, ha + 8, 16);
        memcpy(c->iv + 24, hb + 24, 8);
    }
    explicit_bzero(h, (m - k) * sizeof h[0]);
}

static int ige_batch(struct msg_scratch *s, size_t m, int encrypt)
{
    for (size_t k = 0; k < m; k++)
        s->ij[k] = (struct mt_ige_job){ s->sec[k].key, s->sec[k].iv, s->data[k], s->data[k],
                                        s->len[k] };
    return encrypt ? mt_ige256_encrypt_batch(s->ij, m) : mt_ige256_decrypt_batch(s->ij, m);
}

/* Constant-time equality of two msg_keys: word loads and one branch-free
 * reduction (mt_ct_equal's byte loop costs ~10 ns a message here). */
static inline int msg_key_equal(const uint8_t *a, const uint8_t *b)
{
    uint64_t d = (mt_load_le64(a) ^ mt_load_le64(b)) | (mt_load_le64(a + 8) ^ mt_load_le64(b + 8));
    return (int)(1 ^ ((d | (0 - d)) >> 63));   /* top bit of d | -d: set iff d != 0 */
}

static uint32_t quick_ack_of(const uint8_t large[32])
{
    return mt_load_le32(large) | 0x80000000u;
}

/* Padding length: 12..min(pad_max, 1024, room) with plain + pad a multiple of
 * 16, uniformly among the allowed lengths (an rng draw only when there is a
 * choice). */
static int pad_length(const struct mt_msg_job *j, struct mt_rng *rng)
{
    size_t pmin = MT_MSG_PAD_MIN + (16 - (j->plain_len + MT_MSG_PAD_MIN) % 16) % 16;
    if (j->cap < MT_MSG_HEADER || j->cap - MT_MSG_HEADER < j->plain_len ||
        j->cap - MT_MSG_HEADER - j->plain_len < pmin)
        return MT_E_OVERFLOW;
    size_t room = j->cap - MT_MSG_HEADER - j->plain_len;
    size_t limit = j->pad_max < MT_MSG_PAD_MAX ? j->pad_max : MT_MSG_PAD_MAX;
    if (limit > room)
        limit = room;
    size_t pad = pmin;
    if (limit > pmin && limit - pmin >= 16)
        pad += 16 * (size_t)mt_rng_uniform(rng, (uint32_t)((limit - pmin) / 16 + 1));
    return (int)pad;
}

/* memcpy for the usual 12..32-byte paddings as two overlapping fixed-size
 * moves (inlined) instead of a libc call per message. */
static inline void copy_small(uint8_t *dst, const uint8_t *src, size_t n)
{
    if (n >= 16 && n <= 32) {
        memcpy(dst, src, 16);
        memcpy(dst + n - 16, src + n - 16, 16);
    } else if (n >= 8 && n < 16) {
        memcpy(dst, src, 8);
        memcpy(dst + n - 8, src + n - 8, 8);
    } else {
        memcpy(dst, src, n);
    }
}

/* The random padding bytes of the m active messages, in message order, from
 * as few rng calls as possible (one per KiB): a call costs about as much as
 * 20 bytes of keystream. The stream consumed is exactly the padding, so a
 * chunk of minimal-padding messages draws the same bytes as n single calls. */
static void fill_padding(struct msg_scratch *s, size_t m, const struct mt_msg_job *jobs,
                         struct mt_rng *rng)
{
    uint8_t pool[1024];
    size_t total = 0, have = 0, used = 0;
    for (size_t k = 0; k < m; k++)
        total += s->len[k] - jobs[s->idx[k]].plain_len;
    for (size_t k = 0; k < m; k++) {
        size_t plain_len = jobs[s->idx[k]].plain_len;
        uint8_t *dst = s->data[k] + plain_len;
        size_t need = s->len[k] - plain_len;
        while (need) {
            if (used == have) {
                have = total < sizeof pool ? total : sizeof pool;
                mt_rng_bytes(rng, pool, have);
                total -= have;
                used = 0;
            }
            size_t take = need < have - used ? need : have - used;
            copy_small(dst, pool + used, take);
            dst += take;
            used += take;
            need -= take;
        }
    }
    explicit_bzero(pool, have);
}

/* One chunk of at most MT_MSG_CHUNK jobs. prepadded: plain_len already
 * includes the padding (known-answer tests, callers choosing the padding). */
static void encrypt_chunk(struct mt_msg_job *jobs, size_t n, int x, struct mt_rng *rng,
                          int prepadded, struct msg_scratch *s)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        struct mt_msg_job *j = &jobs[i];
        j->out_len = 0;
        j->quick_ack = 0;
        j->status = 0;
        if (!j->key || !j->buf) {
            j->status = MT_E_INVAL;
            continue;
        }
        size_t total = j->plain_len;
        if (prepadded) {
            if (total == 0 || total % 16 || j->cap < MT_MSG_HEADER || j->cap - MT_MSG_HEADER < total)
                j->status = total % 16 || total == 0 ? MT_E_INVAL : MT_E_OVERFLOW;
        } else {
            int pad = pad_length(j, rng);
            if (pad < 0)
                j->status = pad;
            else
                total += (size_t)pad;
        }
        if (j->status)
            continue;
        s->idx[m] = i;
        s->auth[m] = j->key->key;
        s->data[m] = j->buf + MT_MSG_HEADER;
        s->msg_key[m] = j->buf + 8;
        s->len[m] = total;
        m++;
    }
    if (!m)
        return;
    if (!prepadded)
        fill_padding(s, m, jobs, rng);
    msg_key_batch(s, m, x);
    for (size_t k = 0; k < m; k++) {
        struct mt_msg_job *j = &jobs[s->idx[k]];
        memcpy(j->buf, j->key->id, 8);
        memcpy(j->buf + 8, s->large[k] + 8, 16);
        j->quick_ack = quick_ack_of(s->large[k]);
        j->out_len = MT_MSG_HEADER + s->len[k];
    }
    kdf_batch(s, m, x);
    int rc = ige_batch(s, m, 1);
    scratch_wipe(s, m);
    if (rc) /* lengths are multiples of 16 by construction: not expected */
        for (size_t k = 0; k < m; k++)
            jobs[s->idx[k]].status = MT_E_CRYPTO;
}

static size_t encrypt_all(struct mt_msg_job *jobs, size_t n, int x, struct mt_rng *rng,
                          int prepadded)
{
    struct msg_scratch s;
    size_t failed = 0;
    for (size_t off = 0; off < n; off += MT_MSG_CHUNK) {
        size_t c = n - off < MT_MSG_CHUNK ? n - off : MT_MSG_CHUNK;
        if (x != MT_X_CLIENT && x != MT_X_SERVER) {
            for (size_t i = 0; i < c; i++)
                jobs[off + i].status = MT_E_INVAL;
        } else {
            encrypt_chunk(jobs + off, c, x, rng, prepadded, &s);
        }
        for (size_t i = 0; i < c; i++)
            failed += jobs[off + i].status != 0;
    }
    return failed;
}

size_t mt_msg_encrypt_batch(struct mt_msg_job *jobs, size_t n, int x, struct mt_rng *rng)
{
    return encrypt_all(jobs, n, x, rng, 0);
}

int mt_msg_encrypt(struct mt_msg_job *job, int x, struct mt_rng *rng)
{
    encrypt_all(job, 1, x, rng, 0);
    return job->status;
}

int mt_msg_encrypt_padded(struct mt_msg_job *job, int x)
{
    encrypt_all(job, 1, x, NULL, 1);
    return job->status;
}

/* security_guidelines.md "Checking message length": with plaintext length P
 * and length field L: L % 4 == 0 and 12 <= P - 32 - L <= 1024. */
static int length_field_ok(size_t plen, uint32_t l)
{
    size_t room = plen - MT_MSG_INNER_HEADER;  /* plen >= 48 here */
    return l % 4 == 0 && (size_t)l + MT_MSG_PAD_MIN <= room && room - l <= MT_MSG_PAD_MAX;
}

static void decrypt_chunk(struct mt_msg_djob *jobs, size_t n, int x, struct msg_scratch *s)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        struct mt_msg_djob *j = &jobs[i];
        j->plain = j->body = NULL;
        j->body_len = 0;
        j->quick_ack = 0;
        j->status = 0;
        if (!j->key || !j->buf) {
            j->status = MT_E_INVAL;
            continue;
        }
        /* The smallest valid plaintext: 32-byte inner header + 16 padding. */
        if (j->len < MT_MSG_HEADER + MT_MSG_INNER_HEADER + 16 || (j->len - MT_MSG_HEADER) % 16) {
            j->status = MT_E_MSG_LEN;
            continue;
        }
        s->idx[m] = i;
        s->auth[m] = j->key->key;
        s->msg_key[m] = j->buf + 8;
        s->data[m] = j->buf + MT_MSG_HEADER;
        s->len[m] = j->len - MT_MSG_HEADER;
        m++;
    }
    if (!m)
        return;
    kdf_batch(s, m, x);
    int rc = ige_batch(s, m, 0);
    scratch_wipe(s, m);
    msg_key_batch(s, m, x);
    for (size_t k = 0; k < m; k++) {
        struct mt_msg_djob *j = &jobs[s->idx[k]];
        /* msg_key first and always (constant time); the length field only
         * decides the error once the key matched. */
        int key_ok = msg_key_equal(s->large[k] + 8, s->msg_key[k]);
        uint32_t l = mt_load_le32(s->data[k] + 28);
        int len_ok = length_field_ok(s->len[k], l);
        if (rc)
            j->status = MT_E_CRYPTO;
        else if (!key_ok)
            j->status = MT_E_MSG_KEY;
        else if (!len_ok)
            j->status = MT_E_MSG_PAD;
        if (j->status)
            continue;
        j->plain = s->data[k];
        j->body = s->data[k] + MT_MSG_INNER_HEADER;
        j->body_len = l;
        j->quick_ack = quick_ack_of(s->large[k]);
    }
}

size_t mt_msg_decrypt_batch(struct mt_msg_djob *jobs, size_t n, int x)
{
    struct msg_scratch s;
    size_t failed = 0;
    for (size_t off = 0; off < n; off += MT_MSG_CHUNK) {
        size_t c = n - off < MT_MSG_CHUNK ? n - off : MT_MSG_CHUNK;
        if (x != MT_X_CLIENT && x != MT_X_SERVER) {
            for (size_t i = 0; i < c; i++)
                jobs[off + i].status = MT_E_INVAL;
        } else {
            decrypt_chunk(jobs + off, c, x, &s);
        }
        for (size_t i = 0; i < c; i++)
            failed += jobs[off + i].status != 0;
    }
    return failed;
}

int mt_msg_decrypt(struct mt_msg_djob *job, int x)
{
    mt_msg_decrypt_batch(job, 1, x);
    return job->status;
}

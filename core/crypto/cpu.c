/* CPU feature detection (CPUID/XGETBV, once) and the dispatch table: which
 * implementation of each primitive the chosen tier uses. */
#include <cpuid.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto/crypto_impl.h"

struct mt_crypto_impl mt_crypto_active = {
    .tier = MT_TIER_PORTABLE,
    .ige_name = "openssl", .ige_batch_name = "serial",
    .sha256_name = "openssl", .sha256_batch_name = "serial",
    .ige_encrypt = mt_ige_encrypt_portable, .ige_decrypt = mt_ige_decrypt_portable,
    .ige_encrypt_batch = mt_ige_encrypt_batch_serial,
    .ige_decrypt_batch = mt_ige_decrypt_batch_serial,
    .sha256_blocks = mt_sha256_blocks_portable, .sha256_v = mt_sha256_v_portable,
    .ctr_stream = mt_ctr_stream_portable,
};
int mt_crypto_ready;

static struct mt_cpu_features g_cpu;
static enum mt_cpu_tier g_max_tier;
static char g_model[49];
static char g_describe[160];
static int g_init_result;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static const char *const tier_names[] = { "portable", "aesni", "avx2", "avx512" };

static uint64_t read_xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static void detect_features(void)
{
    unsigned a, b, c, d, max = __get_cpuid_max(0, NULL);
    if (max < 1) return;
    __cpuid(1, a, b, c, d);
    g_cpu.pclmul = (c >> 1) & 1;
    g_cpu.ssse3 = (c >> 9) & 1;
    g_cpu.sse41 = (c >> 19) & 1;
    g_cpu.aesni = (c >> 25) & 1;
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    /* The OS must save ymm (XCR0 bits 1,2) and zmm state (bits 5,6,7). */
    uint64_t xcr0 = osxsave ? read_xcr0() : 0;
    int os_ymm = avx && (xcr0 & 0x6) == 0x6;
    g_cpu.os_zmm = os_ymm && (xcr0 & 0xe0) == 0xe0;
    if (max >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        g_cpu.avx2 = os_ymm && ((b >> 5) & 1);
        g_cpu.sha_ni = (b >> 29) & 1;
        g_cpu.avx512f = g_cpu.os_zmm && ((b >> 16) & 1);
        g_cpu.avx512bw = g_cpu.os_zmm && ((b >> 30) & 1);
        g_cpu.avx512vl = g_cpu.os_zmm && ((b >> 31) & 1);
        g_cpu.vaes = os_ymm && ((c >> 9) & 1);
        g_cpu.vpclmul = os_ymm && ((c >> 10) & 1);
    }
}

static void detect_model(void)
{
    unsigned regs[12], a, b, c, d;
    if ((unsigned)__get_cpuid_max(0x80000000, NULL) < 0x80000004u) {
        snprintf(g_model, sizeof g_model, "unknown x86-64");
        return;
    }
    for (unsigned i = 0; i < 3; i++) {
        __cpuid(0x80000002 + i, a, b, c, d);
        regs[i * 4] = a; regs[i * 4 + 1] = b; regs[i * 4 + 2] = c; regs[i * 4 + 3] = d;
    }
    memcpy(g_model, regs, 48);
    g_model[48] = 0;
    char *s = g_model;                  /* brand strings are space-padded */
    while (*s == ' ') s++;
    memmove(g_model, s, strlen(s) + 1);
    for (size_t n = strlen(g_model); n && g_model[n - 1] == ' ';) g_model[--n] = 0;
}

static enum mt_cpu_tier best_tier(void)
{
    const struct mt_cpu_features *f = &g_cpu;
    if (!(f->aesni && f->ssse3 && f->sse41)) return MT_TIER_PORTABLE;
    if (!(f->avx2 && f->vaes)) return MT_TIER_AESNI;
    if (!(f->avx512f && f->avx512bw && f->avx512vl)) return MT_TIER_AVX2;
    return MT_TIER_AVX512;
}

/* Fill a table for `tier` (<= g_max_tier). SHA-NI is used from the aesni tier
 * up when the CPU has it; otherwise those tiers hash with OpenSSL. */
static void build_table(struct mt_crypto_impl *t, enum mt_cpu_tier tier)
{
    *t = (struct mt_crypto_impl){
        .tier = tier,
        .ige_name = "openssl", .ige_batch_name = "serial",
        .sha256_name = "openssl", .sha256_batch_name = "serial",
        .ige_encrypt = mt_ige_encrypt_portable, .ige_decrypt = mt_ige_decrypt_portable,
        .ige_encrypt_batch = mt_ige_encrypt_batch_serial,
        .ige_decrypt_batch = mt_ige_decrypt_batch_serial,
        .sha256_blocks = mt_sha256_blocks_portable, .sha256_v = mt_sha256_v_portable,
        .ctr_stream = mt_ctr_stream_portable,
    };
    if (tier == MT_TIER_PORTABLE) return;
    t->ige_name = "aesni"; t->ige_batch_name = "aesni_x8";
    t->ige_encrypt = mt_ige_encrypt_aesni; t->ige_decrypt = mt_ige_decrypt_aesni;
    t->ige_encrypt_batch = mt_ige_encrypt_batch_aesni;
    t->ige_decrypt_batch = mt_ige_decrypt_batch_aesni;
    t->ctr_stream = mt_ctr_stream_aesni;
    if (g_cpu.sha_ni) {
        t->sha256_name = "shani"; t->sha256_batch_name = "shani_x2";
        t->sha256_blocks = mt_sha256_blocks_shani; t->sha256_v = mt_sha256_v_shani;
        t->sha256_x2 = mt_sha256_x2_shani;
    }
    if (tier == MT_TIER_AESNI) return;
    t->ige_batch_name = "vaes256";
    t->ige_encrypt_batch = mt_ige_encrypt_batch_vaes256;
    t->ige_decrypt_batch = mt_ige_decrypt_batch_vaes256;
    /* Measured: AVX2 x8 multi-buffer loses to two interleaved SHA-NI
     * streams at every size, so it serves only CPUs without SHA-NI. */
    if (!g_cpu.sha_ni) {
        t->sha256_batch_name = "avx2_x8";
        t->sha256_mb = mt_sha256_x8_avx2; t->sha256_mb_width = 8; t->sha256_mb_min = 2;
    }
    if (tier == MT_TIER_AVX2) return;
    t->ige_batch_name = "vaes512";
    t->ige_encrypt_batch = mt_ige_encrypt_batch_vaes512;
    t->ige_decrypt_batch = mt_ige_decrypt_batch_vaes512;
    t->ctr_stream = mt_ctr_stream_vaes512;
    /* AVX-512 x16 costs the same for 1 or 16 lanes: with SHA-NI it pays
     * from ~10 messages of similar length (measured at 52 B and 1 KiB). */
    t->sha256_batch_name = g_cpu.sha_ni ? "avx512_x16+shani_x2" : "avx512_x16";
    t->sha256_mb = mt_sha256_x16_avx512; t->sha256_mb_width = 16;
    t->sha256_mb_min = g_cpu.sha_ni ? 10 : 2;
    t->kdf2_x16 = mt_kdf2_x16_avx512;
    t->msgkey_x16 = mt_msgkey_x16_avx512;
    t->msg_x16_min = g_cpu.sha_ni ? 9 : 1;
}

static void apply_tier(enum mt_cpu_tier tier)
{
    struct mt_crypto_impl t;
    build_table(&t, tier);
    mt_crypto_active = t;
    snprintf(g_describe, sizeof g_describe, "%s (ige=%s ige_batch=%s sha256=%s sha256_batch=%s)",
             tier_names[tier], t.ige_name, t.ige_batch_name, t.sha256_name, t.sha256_batch_name);
}

static void init_once(void)
{
    detect_features();
    detect_model();
    g_max_tier = best_tier();
    enum mt_cpu_tier tier = g_max_tier;
    const char *env = getenv("MTLOAD_CPU");
    if (env && *env) {
        enum mt_cpu_tier want;
        if (mt_crypto_tier_parse(env, &want) != 0) {
            g_init_result = MT_E_INVAL;
        } else if (want > g_max_tier) {
            g_init_result = MT_E_UNSUPPORTED;
        } else {
            tier = want;
        }
    }
    apply_tier(tier);
    __atomic_store_n(&mt_crypto_ready, 1, __ATOMIC_RELEASE);
}

int mt_crypto_init(void)
{
    pthread_once(&g_once, init_once);
    return g_init_result;
}

int mt_crypto_set_tier(enum mt_cpu_tier tier)
{
    mt_crypto_init();
    if ((unsigned)tier > MT_TIER_AVX512) return MT_E_INVAL;
    if (tier > g_max_tier) return MT_E_UNSUPPORTED;
    apply_tier(tier);
    return 0;
}

enum mt_cpu_tier mt_crypto_tier(void) { return mt_crypto_impl()->tier; }

enum mt_cpu_tier mt_crypto_max_tier(void)
{
    mt_crypto_init();
    return g_max_tier;
}

const char *mt_crypto_tier_name(enum mt_cpu_tier tier)
{
    return (unsigned)tier <= MT_TIER_AVX512 ? tier_names[tier] : "unknown";
}

int mt_crypto_tier_parse(const char *name, enum mt_cpu_tier *out)
{
    if (!name || !out) return MT_E_INVAL;
    for (unsigned i = 0; i < MT_ARRAY_LEN(tier_names); i++) {
        if (strcmp(name, tier_names[i]) == 0) {
            *out = (enum mt_cpu_tier)i;
            return 0;
        }
    }
    return MT_E_INVAL;
}

const struct mt_cpu_features *mt_cpu(void)
{
    mt_crypto_init();
    return &g_cpu;
}

const char *mt_crypto_describe(void)
{
    mt_crypto_init();
    return g_describe;
}

const char *mt_cpu_model(void)
{
    mt_crypto_init();
    return g_model;
}

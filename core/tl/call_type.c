/* core/tl: which type answers a serialized call. rpc_result does not say
 * what it carries, so the session layer asks this once per request; generic
 * wrappers (invokeWithLayer, initConnection, invokeAfterMsg...) return the
 * type of the call they wrap, found by reading past their other fields. */
#include <jansson.h>
#include "core/tl/tl_internal.h"

int mt_tl_call_result_type(const struct mt_tl_schema *s, const uint8_t *call, size_t len,
                           char *out, size_t cap, struct mt_tl_error *err)
{
    struct mt_tl_reader r;
    mt_tl_reader_init(&r, call, len);
    if (err) memset(err, 0, sizeof *err);
    for (int depth = 0; depth < MT_TL_MAX_DEPTH; depth++) {
        size_t at = r.pos;
        uint32_t id = mt_tl_u32(&r);
        if (!mt_tl_ok(&r)) return mt_tl_seterr(err, MT_E_TL_SHORT, at, "call truncated at byte %zu", at);
        const struct mt_tl_comb *c = mt_tl_find_comb_id(s, id);
        if (!c || !c->is_func)
            return mt_tl_seterr(err, MT_E_TL_CTOR, at, "%08x at byte %zu is not a function of the schema", id, at);
        if (c->rt->kind != MT_TLK_OBJECT) {
            size_t n = strlen(c->result);
            if (n >= cap) return mt_tl_seterr(err, MT_E_OVERFLOW, at, "result type name longer than %zu", cap);
            memcpy(out, c->result, n + 1);
            return 0;
        }
        /* generic: skip to the field typed !X (X = the result's parameter) */
        size_t k = 0;
        uint32_t flags[MT_TL_MAX_FLAGS] = { 0 };
        for (; k < c->nf; k++) {
            const struct mt_tl_field *f = &c->f[k];
            if (f->t->kind == MT_TLK_OBJECT && strcmp(f->t->name, c->rt->name) == 0) break;
            if (f->is_flags) { flags[f->slot] = mt_tl_u32(&r); continue; }
            if (f->cond >= 0 && !(flags[c->f[f->cond].slot] >> f->bit & 1)) continue;
            json_t *skipped = mt_tl_decode_tref(s, &r, f->t, err);
            if (!skipped) return err && err->code ? err->code : r.err;
            json_decref(skipped);
        }
        if (k == c->nf)
            return mt_tl_seterr(err, MT_E_TL_VALUE, at, "%s#%08x has no field of type !%s",
                                c->name, c->id, c->rt->name);
        if (!mt_tl_ok(&r)) return mt_tl_seterr(err, MT_E_TL_SHORT, r.err_pos, "call truncated at byte %zu", r.err_pos);
    }
    return mt_tl_seterr(err, MT_E_RANGE, r.pos, "calls nested too deeply");
}

/*
 * verdict.c -- findings, merging across layers, and the output record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claimscrub.h"
#include "verdict.h"

static const char *const FIX_NAMES[] = {
    NULL, "add_modifier", "remove_modifier", "replace_code", "set_units",
    "remove_line", "add_line"
};

const char *cs_fix_action_name(cs_fix_action a)
{
    return a > CS_FIX_NONE && a <= CS_FIX_ADD_LINE ? FIX_NAMES[a] : NULL;
}

cs_fix_action cs_fix_action_parse(const char *s)
{
    for (int a = CS_FIX_ADD_MODIFIER; a <= CS_FIX_ADD_LINE; a++)
        if (strcmp(s, FIX_NAMES[a]) == 0) return (cs_fix_action)a;
    return CS_FIX_NONE;
}

/* CS_ASSERT: an invariant checked in test builds (make sanitize, or
 * -DCS_CHECKS); a violation aborts naming the invariant. */
#if !defined(CS_CHECKS) && defined(__SANITIZE_ADDRESS__)        /* gcc */
#define CS_CHECKS 1
#endif
#if !defined(CS_CHECKS) && defined(__has_feature)                 /* clang */
#if __has_feature(address_sanitizer)
#define CS_CHECKS 1
#endif
#endif
#ifdef CS_CHECKS
#define CS_ASSERT(cond) do { if (!(cond)) { \
    fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond); \
    abort(); } } while (0)
#else
#define CS_ASSERT(cond) ((void)0)
#endif

void cs_verdict_reset(cs_verdict *v)
{
    v->n = 0;
    v->claim = NULL;
    v->at_risk = 0;
    v->text.len = 0;
    v->text.oom = false;
    v->claim_id = v->payer = v->client = NULL;
    v->nlayers = 0;
    memset(v->data_used, 0, sizeof v->data_used);
}

void cs_verdict_free(cs_verdict *v)
{
    free(v->f);
    cs_buf_free(&v->text);
    memset(v, 0, sizeof *v);
}

static cs_finding *add(cs_verdict *v, const char *rule, int severity, int limit)
{
    if (v->n >= limit) return NULL;
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 16;
        cs_finding *f = realloc(v->f, (size_t)cap * sizeof *f);
        if (!f) { v->text.oom = true; return NULL; }   /* a lost finding: no record */
        v->f = f;
        v->cap = cap;
    }
    cs_finding *f = &v->f[v->n++];
    memset(f, 0, sizeof *f);
    snprintf(f->rule, sizeof f->rule, "%s", rule);
    f->severity = f->severity_from = severity;
    return f;
}

cs_finding *cs_verdict_add(cs_verdict *v, const char *rule, int severity)
{
    return add(v, rule, severity, CS_MAX_FINDINGS);
}

cs_finding *cs_verdict_add_engine(cs_verdict *v, const char *rule, int severity)
{
    cs_finding *f = add(v, rule, severity, CS_MAX_FINDINGS + CS_MAX_ENGINE_FINDINGS);
    if (!f && v->n > 0) {
        f = &v->f[v->n - 1];
        memset(f, 0, sizeof *f);
        snprintf(f->rule, sizeof f->rule, "%s", rule);
        f->severity = f->severity_from = severity;
    }
    return f;
}

void cs_verdict_message(cs_verdict *v, cs_finding *f, const char *msg, size_t len)
{
    f->message = v->text.len;
    if (len > CS_MAX_MESSAGE_LEN) {
        cs_buf_put(&v->text, msg, CS_MAX_MESSAGE_LEN);
        cs_buf_puts(&v->text, "...");
    } else {
        cs_buf_put(&v->text, msg, len);
    }
    f->message_len = v->text.len - f->message;
    cs_buf_putc(&v->text, 0);
}

/* Rules of the engine itself cannot be waived or downgraded: a claim that
 * could not be read or checked fails closed. */
static bool protected_rule(const char *id)
{
    return strncmp(id, "input.", 6) == 0 || strncmp(id, "engine.", 7) == 0;
}

int cs_verdict_layer(const cs_verdict *v, const cs_pack *p)
{
    for (int i = 0; i < v->nlayers; i++)
        if (v->layers[i] == p) return i;
    return -1;
}

/* Severity changes apply bottom-up (the highest layer has the last word);
 * a waiver by any higher layer wins, the highest one is named. */
static void merge_one(cs_verdict *v, cs_finding *f)
{
    int from = cs_verdict_layer(v, f->layer);
    if (from < 0 || protected_rule(f->rule)) return;
    const cs_pack *sev_by;
    f->severity = cs_pack_overrides(v->layers, v->nlayers, from, f->rule, f->severity, &sev_by,
                                    &f->waived_by, &f->waive_reason);
    if (sev_by) f->severity_by = sev_by;
}

/* The charge of 1-based line l, 0 when unknown. */
static int64_t charge_of(const cs_claim *c, int l)
{
    const cs_line *ln = &c->lines[l - 1];
    return ln->has_charge ? ln->charge : 0;
}

int cs_finding_money_lines(const cs_verdict *v, const cs_finding *f, uint8_t *out)
{
    const cs_claim *c = v->claim;
    int n = 0;
    if (!c) return 0;
    if (f->line >= 1 && f->line <= c->nlines) out[n++] = (uint8_t)f->line;
    if (!f->nlines || !f->amount_given) return n;
    int64_t sum = 0;
    for (int i = 0; i < f->nlines; i++)
        if (f->lines[i] >= 1 && f->lines[i] <= c->nlines) sum += charge_of(c, f->lines[i]);
    if (sum != f->amount) return n;
    for (int i = 0; i < f->nlines; i++) {
        int l = f->lines[i];
        bool seen = l < 1 || l > c->nlines;
        for (int j = 0; j < n && !seen; j++) seen = out[j] == l;
        if (!seen) out[n++] = (uint8_t)l;
    }
    return n;
}

void cs_verdict_zero_charge(cs_verdict *v)
{
    if (!v->claim) return;
    for (int i = 0; i < v->n; i++) {
        cs_finding *f = &v->f[i];
        if (f->waived_by || f->severity < CS_DENY || !f->line || protected_rule(f->rule)) continue;
        if (f->has_amount && f->amount != 0) continue;
        uint8_t ls[CS_MAX_LINES];
        int n = cs_finding_money_lines(v, f, ls);
        bool zero = n > 0;
        for (int k = 0; k < n && zero; k++) {
            const cs_line *ln = &v->claim->lines[ls[k] - 1];
            zero = ln->has_charge && ln->charge == 0;
        }
        if (!zero) continue;
        f->zero_from = f->severity;
        f->severity = CS_WARN;
    }
}

/* Whether finding a beats finding b as a line's primary reason: more
 * severe, then the line's own over a claim-wide one, then earlier. */
static bool better(const cs_verdict *v, int a, bool a_own, int b, bool b_own)
{
    if (b < 0) return true;
    if (v->f[a].severity != v->f[b].severity) return v->f[a].severity > v->f[b].severity;
    if (a_own != b_own) return a_own;
    return a < b;
}

static void touch(cs_verdict *v, int l, int i, bool own, bool *own_of)
{
    cs_line_verdict *lv = &v->lines[l - 1];
    if (v->f[i].severity > lv->status) lv->status = v->f[i].severity;
    if (better(v, i, own, lv->primary, own_of[l - 1])) {
        lv->primary = i;
        own_of[l - 1] = own;
    }
}

void cs_verdict_lines(cs_verdict *v)
{
    const cs_claim *c = v->claim;
    int nl = c ? c->nlines : 0;
    bool own_of[CS_MAX_LINES] = {false};
    v->at_risk = 0;
    for (int l = 0; l < nl; l++) v->lines[l] = (cs_line_verdict){CS_PASS, -1, 0};
    for (int i = 0; i < v->n; i++) v->f[i].primary = false;
    for (int i = 0; i < v->n && nl; i++) {
        const cs_finding *f = &v->f[i];
        if (f->waived_by) continue;
        uint8_t ls[CS_MAX_LINES];
        int n = cs_finding_money_lines(v, f, ls);
        for (int k = 0; k < n; k++) touch(v, ls[k], i, true, own_of);
        if (n == 0 && f->severity >= CS_DENY)       /* the whole claim */
            for (int l = 1; l <= nl; l++) touch(v, l, i, false, own_of);
    }
    int64_t total = 0;
    for (int l = 0; l < nl; l++) {
        cs_line_verdict *lv = &v->lines[l];
        total += charge_of(c, l + 1);
        if (lv->primary >= 0) v->f[lv->primary].primary = true;
        if (lv->status >= CS_DENY) lv->at_risk = charge_of(c, l + 1);
        CS_ASSERT(lv->at_risk == 0 || lv->at_risk == charge_of(c, l + 1));
        v->at_risk += lv->at_risk;
    }
    /* at risk: the charges of a set of distinct lines of the claim */
    CS_ASSERT(v->at_risk >= 0 && v->at_risk <= total);
    CS_ASSERT(nl > 0 || v->at_risk == 0);
}

void cs_verdict_merge(cs_verdict *v)
{
    for (int i = 0; i < v->n; i++) merge_one(v, &v->f[i]);
    cs_verdict_zero_charge(v);
    cs_verdict_lines(v);
}

int cs_verdict_status(const cs_verdict *v)
{
    int s = CS_PASS;
    for (int i = 0; i < v->n; i++)
        if (!v->f[i].waived_by && v->f[i].severity > s) s = v->f[i].severity;
    return s;
}

/* ---- JSON -------------------------------------------------------------- */

/* ,"key": for a literal key */
#define put_key(b, k) CS_BUF_LIT(b, ",\"" k "\":")
#define put_money cs_buf_money

static void put_int(cs_buf *b, const char *lit_key, size_t n, long long v)
{
    cs_buf_put(b, lit_key, n);
    cs_buf_int(b, v);
}
#define PUT_INT(b, k, v) put_int(b, ",\"" k "\":", sizeof(",\"" k "\":") - 1, v)

static void put_fix(cs_buf *b, const cs_fix *x)
{
    put_key(b, "fix");
    cs_buf_puts(b, "{\"action\":");
    cs_buf_json_cstr(b, cs_fix_action_name(x->action));
    if (x->action != CS_FIX_ADD_LINE) PUT_INT(b, "line", x->line);
    switch (x->action) {
    case CS_FIX_ADD_MODIFIER: case CS_FIX_REMOVE_MODIFIER:
        put_key(b, "modifier"); cs_buf_json_cstr(b, x->arg); break;
    case CS_FIX_REPLACE_CODE: case CS_FIX_ADD_LINE:
        put_key(b, "code"); cs_buf_json_cstr(b, x->arg); break;
    case CS_FIX_SET_UNITS:
        PUT_INT(b, "units", x->units); break;
    default: break;
    }
    cs_buf_putc(b, '}');
}

#define put_opt_str(b, k, s) do { if ((s)[0]) { put_key(b, k); cs_buf_json_cstr(b, s); } } while (0)

static void put_finding(cs_buf *b, const cs_verdict *v, const cs_finding *f)
{
    cs_buf_puts(b, "{\"rule\":");
    cs_buf_json_cstr(b, f->rule);
    put_key(b, "severity");
    cs_buf_json_cstr(b, cs_status_name(f->severity));
    if (f->line) PUT_INT(b, "line", f->line);
    if (f->nlines) {
        cs_buf_puts(b, ",\"lines\":[");
        for (int i = 0; i < f->nlines; i++)
        {
            if (i) cs_buf_putc(b, ',');
            cs_buf_int(b, f->lines[i]);
        }
        cs_buf_putc(b, ']');
    }
    put_key(b, "message");
    cs_buf_json_str(b, v->text.p ? v->text.p + f->message : "", v->text.p ? f->message_len : 0);
    put_opt_str(b, "group", f->group);
    put_opt_str(b, "carc", f->carc);
    put_opt_str(b, "rarc", f->rarc);
    if (f->fix.action) put_fix(b, &f->fix);
    if (f->has_amount) { put_key(b, "amount"); put_money(b, f->amount); }
    put_opt_str(b, "source", f->source);
    put_key(b, "layer");
    cs_buf_json_cstr(b, f->layer ? f->layer->id : NULL);
    put_key(b, "primary");
    cs_buf_puts(b, f->primary ? "true" : "false");
    if (f->severity_by) {
        cs_buf_puts(b, ",\"overridden\":{\"from\":");
        cs_buf_json_cstr(b, cs_status_name(f->severity_from));
        put_key(b, "by");
        cs_buf_json_cstr(b, f->severity_by->id);
        cs_buf_putc(b, '}');
    }
    if (f->zero_from) {
        cs_buf_puts(b, ",\"downgraded\":{\"from\":");
        cs_buf_json_cstr(b, cs_status_name(f->zero_from));
        cs_buf_puts(b, ",\"because\":\"zero_charge\"}");
    }
    if (f->waived_by) {
        put_key(b, "waived_by");
        cs_buf_json_cstr(b, f->waived_by->id);
        put_key(b, "reason");
        cs_buf_json_cstr(b, f->waive_reason);
    }
    cs_buf_putc(b, '}');
}

static void put_findings(cs_buf *b, const cs_verdict *v, bool waived)
{
    if (waived) put_key(b, "waived"); else put_key(b, "findings");
    cs_buf_putc(b, '[');
    bool first = true;
    for (int i = 0; i < v->n; i++) {
        if ((v->f[i].waived_by != NULL) != waived) continue;
        if (!first) cs_buf_putc(b, ',');
        first = false;
        put_finding(b, v, &v->f[i]);
    }
    cs_buf_putc(b, ']');
}

/* "data": the release of each reference table the rules consulted. */
static void put_data(cs_buf *b, const cs_verdict *v)
{
    bool any = false;
    for (int t = 0; t < CS_REF_NTABLES; t++) {
        if (!v->data_used[t]) continue;
        char d[11];
        cs_date_format(v->data_used[t], d);
        if (!any) put_key(b, "data");
        cs_buf_putc(b, any ? ',' : '{');
        cs_buf_json_cstr(b, cs_ref_table_name((cs_ref_table)t));
        cs_buf_putc(b, ':');
        cs_buf_json_str(b, d, 10);
        any = true;
    }
    if (any) cs_buf_putc(b, '}');
}

static void put_origin(cs_buf *b, const cs_origin *o)
{
    if (!o || (!o->file && !o->record && !o->line && !o->segment && !o->transaction)) return;
    put_key(b, "input");
    cs_buf_puts(b, "{\"file\":");
    cs_buf_json_cstr(b, o->file);
    if (o->record) PUT_INT(b, "record", o->record);
    if (o->line) PUT_INT(b, "line", o->line);
    if (o->segment) PUT_INT(b, "segment", o->segment);
    if (o->transaction) { put_key(b, "transaction"); cs_buf_json_cstr(b, o->transaction); }
    cs_buf_putc(b, '}');
}

/* "lines": every line of the claim in order, with its outcome. */
static void put_lines(cs_buf *b, const cs_verdict *v)
{
    put_key(b, "lines");
    cs_buf_putc(b, '[');
    int nl = v->claim ? v->claim->nlines : 0;
    for (int l = 0; l < nl; l++) {
        const cs_line_verdict *lv = &v->lines[l];
        if (l) cs_buf_putc(b, ',');
        cs_buf_puts(b, "{\"line\":");
        cs_buf_int(b, l + 1);
        put_key(b, "status");
        cs_buf_json_cstr(b, cs_status_name(lv->status));
        if (lv->primary >= 0) { put_key(b, "primary"); cs_buf_json_cstr(b, v->f[lv->primary].rule); }
        put_key(b, "amount");
        put_money(b, lv->at_risk);
        cs_buf_putc(b, '}');
    }
    cs_buf_putc(b, ']');
}

void cs_verdict_json(const cs_verdict *v, const cs_origin *origin,
                     const char *rules_hash, cs_buf *b)
{
    cs_buf_puts(b, "{\"claim\":");
    cs_buf_json_cstr(b, v->claim_id);
    put_origin(b, origin);
    PUT_INT(b, "format", CS_RECORD_FORMAT);
    put_key(b, "payer");
    cs_buf_json_cstr(b, v->payer);
    put_key(b, "client");
    cs_buf_json_cstr(b, v->client);
    put_key(b, "status");
    cs_buf_json_cstr(b, cs_status_name(cs_verdict_status(v)));
    put_key(b, "amount_at_risk");
    put_money(b, v->at_risk);
    put_lines(b, v);
    put_key(b, "layers");
    cs_buf_putc(b, '[');
    for (int i = 0; i < v->nlayers; i++) {
        if (i) cs_buf_putc(b, ',');
        cs_buf_json_cstr(b, v->layers[i]->id);
    }
    cs_buf_putc(b, ']');
    put_findings(b, v, false);
    put_findings(b, v, true);
    put_data(b, v);
    cs_buf_puts(b, ",\"engine\":{\"version\":\"" CS_VERSION "\",\"rules\":");
    cs_buf_json_cstr(b, rules_hash);
    cs_buf_puts(b, "}}");
}

/*
 * trace.c -- recording what each rule did with one claim, and writing it as
 * the "trace" array of cs_explain's record (docs/cli.md, claimscrub
 * explain).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

void cs_trace_reset(cs_trace *t, const cs_refdata *ref)
{
    t->ref = ref;
    t->n = t->nrefs = 0;
    t->running = t->oom = false;
}

void cs_trace_free(cs_trace *t)
{
    if (!t) return;
    free(t->rules);
    free(t->refs);
    free(t);
}

static long long now_us(const struct timespec *since)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)(ts.tv_sec - since->tv_sec) * 1000000 + (ts.tv_nsec - since->tv_nsec) / 1000;
}

static cs_trace_rule *add_rule(cs_trace *t, const cs_rule *r)
{
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 32;
        cs_trace_rule *nr = realloc(t->rules, (size_t)cap * sizeof *nr);
        if (!nr) { t->oom = true; return NULL; }
        t->rules = nr;
        t->cap = cap;
    }
    cs_trace_rule *e = &t->rules[t->n++];
    memset(e, 0, sizeof *e);
    e->rule = r;
    e->r0 = t->nrefs;
    return e;
}

void cs_trace_skipped(cs_trace *t, const cs_rule *r, cs_trace_skip why)
{
    cs_trace_rule *e = add_rule(t, r);
    if (e) e->skipped = why;
}

void cs_trace_begin(cs_trace *t, const cs_rule *r, const cs_verdict *v)
{
    if (t->running && t->rules[t->n - 1].rule == r) return;    /* begun by its trigger */
    cs_trace_rule *e = add_rule(t, r);
    t->running = e != NULL;
    if (!e) return;
    e->f0 = e->f1 = v->n;
    clock_gettime(CLOCK_MONOTONIC, &e->start);
}

void cs_trace_end(cs_trace *t, const cs_verdict *v)
{
    if (!t->running) return;
    cs_trace_rule *e = &t->rules[t->n - 1];
    e->us = now_us(&e->start);
    e->f1 = v->n;
    t->running = false;
}

void cs_trace_not_applicable(cs_trace *t)
{
    if (!t->running) return;
    t->rules[t->n - 1].skipped = CS_TRACE_NOT_APPLICABLE;
    t->running = false;
}

/* A row for the running rule, or NULL when none runs, its rows are at
 * CS_TRACE_MAX_REFS (counted) or memory ran out. */
static cs_trace_ref *add_ref(cs_trace *t, cs_trace_lookup lookup, cs_ref_table table,
                             cs_date dos, bool found, const char *key)
{
    if (!t->running) return NULL;
    cs_trace_rule *e = &t->rules[t->n - 1];
    for (int i = 0; i < e->nrefs; i++) {  /* the same row twice (trigger, then check): once */
        const cs_trace_ref *y = &t->refs[e->r0 + i];
        if (y->lookup == lookup && y->dos == dos && !strcmp(y->key, key)) return NULL;
    }
    if (e->nrefs >= CS_TRACE_MAX_REFS) { e->more++; return NULL; }
    if (t->nrefs == t->capref) {
        int cap = t->capref ? t->capref * 2 : 64;
        cs_trace_ref *nr = realloc(t->refs, (size_t)cap * sizeof *nr);
        if (!nr) { t->oom = true; return NULL; }
        t->refs = nr;
        t->capref = cap;
    }
    cs_trace_ref *x = &t->refs[t->nrefs++];
    e->nrefs++;
    memset(x, 0, sizeof *x);
    x->lookup = lookup;
    x->dos = dos;
    x->release = t->ref ? cs_ref_release(t->ref, table, dos) : 0;
    x->found = found;
    snprintf(x->key, sizeof x->key, "%s", key);
    return x;
}

void cs_trace_ptp(cs_trace *t, const char *col1, const char *col2, cs_date dos, const cs_ptp *row)
{
    char key[24];
    snprintf(key, sizeof key, "%s/%s", col1, col2);
    cs_trace_ref *x = add_ref(t, CS_LOOKUP_PTP, CS_REF_PTP, dos, row != NULL, key);
    if (x && row) x->row.ptp = *row;
}

void cs_trace_mue(cs_trace *t, const char *code, cs_date dos, const cs_mue *row)
{
    cs_trace_ref *x = add_ref(t, CS_LOOKUP_MUE, CS_REF_MUE, dos, row != NULL, code);
    if (x && row) x->row.mue = *row;
}

void cs_trace_aoc_type(cs_trace *t, const char *addon, cs_date dos, int type)
{
    cs_trace_ref *x = add_ref(t, CS_LOOKUP_AOC_TYPE, CS_REF_AOC, dos, type > 0, addon);
    if (x) x->row.aoc_type = type;
}

void cs_trace_aoc_primary(cs_trace *t, const char *addon, const char *primary, cs_date dos,
                          bool listed)
{
    char key[24];
    snprintf(key, sizeof key, "%s/%s", addon, primary);
    add_ref(t, CS_LOOKUP_AOC_PRIMARY, CS_REF_AOC, dos, listed, key);
}

void cs_trace_pfs(cs_trace *t, const char *code, const char *mod, cs_date dos, const cs_pfs *row)
{
    char key[24];
    snprintf(key, sizeof key, "%s%s%s", code, mod && mod[0] ? "-" : "", mod ? mod : "");
    cs_trace_ref *x = add_ref(t, CS_LOOKUP_PFS, CS_REF_PFS, dos, row != NULL, key);
    if (x && row) x->row.pfs = *row;
}

void cs_trace_icd10(cs_trace *t, const char *code, cs_date dos, const cs_icd10 *row)
{
    cs_trace_ref *x = add_ref(t, CS_LOOKUP_ICD10, CS_REF_ICD10, dos, row != NULL, code);
    if (x && row) x->row.icd10 = *row;
}

void cs_trace_hcpcs(cs_trace *t, const char *code, cs_date dos, const cs_hcpcs *row)
{
    cs_trace_ref *x = add_ref(t, CS_LOOKUP_HCPCS, CS_REF_HCPCS, dos, row != NULL, code);
    if (x && row) x->row.hcpcs = *row;
}

void cs_trace_adj(cs_trace *t, cs_adj_kind kind, const char *code, cs_date dos, const cs_adj *row)
{
    cs_trace_lookup l = kind == CS_ADJ_GROUP ? CS_LOOKUP_GROUP
                      : kind == CS_ADJ_CARC ? CS_LOOKUP_CARC : CS_LOOKUP_RARC;
    cs_trace_ref *x = add_ref(t, l, CS_REF_ADJ, dos, row != NULL, code);
    if (x && row) x->row.adj = *row;
}

/* ---- JSON -------------------------------------------------------------- */

static const char *const LOOKUP_NAMES[] = {
    "ptp", "mue", "aoc_type", "aoc_primary", "pfs", "icd10", "hcpcs", "carc", "rarc", "group"
};
static const cs_ref_table LOOKUP_TABLES[] = {
    CS_REF_PTP, CS_REF_MUE, CS_REF_AOC, CS_REF_AOC, CS_REF_PFS, CS_REF_ICD10, CS_REF_HCPCS,
    CS_REF_ADJ, CS_REF_ADJ, CS_REF_ADJ
};

#define KEY(b, k) CS_BUF_LIT(b, ",\"" k "\":")

static void put_date(cs_buf *b, cs_date d)
{
    char s[11];
    if (!d) { cs_buf_puts(b, "null"); return; }
    cs_date_format(d, s);
    cs_buf_json_str(b, s, 10);
}

/* ,"k":"YYYY-MM-DD" when d is set */
static void put_opt_date(cs_buf *b, const char *lit_key, size_t n, cs_date d)
{
    if (!d) return;
    cs_buf_put(b, lit_key, n);
    put_date(b, d);
}
#define OPT_DATE(b, k, d) put_opt_date(b, ",\"" k "\":", sizeof(",\"" k "\":") - 1, d)

static void put_int(cs_buf *b, const char *lit_key, size_t n, long long v)
{
    cs_buf_put(b, lit_key, n);
    cs_buf_int(b, v);
}
#define INT(b, k, v) put_int(b, ",\"" k "\":", sizeof(",\"" k "\":") - 1, v)

/* A decimal from an integer in hundredths or ten-thousandths. */
static void put_fixed(cs_buf *b, long long v, int places)
{
    long long scale = places == 2 ? 100 : 10000;
    char s[40];
    snprintf(s, sizeof s, "%s%lld.%0*lld", v < 0 ? "-" : "", llabs(v) / scale, places, llabs(v) % scale);
    cs_buf_puts(b, s);
}

static void put_row(cs_buf *b, const cs_trace_ref *x)
{
    switch (x->lookup) {
    case CS_LOOKUP_PTP:
        cs_buf_puts(b, "{\"indicator\":");
        cs_buf_int(b, x->row.ptp.indicator);
        KEY(b, "rationale"); cs_buf_json_cstr(b, x->row.ptp.rationale ? x->row.ptp.rationale : "");
        OPT_DATE(b, "effective", x->row.ptp.effective);
        OPT_DATE(b, "deleted", x->row.ptp.deleted);
        break;
    case CS_LOOKUP_MUE:
        cs_buf_puts(b, "{\"value\":");
        cs_buf_int(b, x->row.mue.value);
        INT(b, "mai", x->row.mue.mai);
        KEY(b, "rationale"); cs_buf_json_cstr(b, x->row.mue.rationale ? x->row.mue.rationale : "");
        break;
    case CS_LOOKUP_AOC_TYPE:
        cs_buf_puts(b, "{\"type\":");
        cs_buf_int(b, x->row.aoc_type);
        break;
    case CS_LOOKUP_AOC_PRIMARY:
        cs_buf_puts(b, "{\"primary\":true");
        break;
    case CS_LOOKUP_PFS: {
        char st[2] = {x->row.pfs.status, 0};
        cs_buf_puts(b, "{\"status\":");
        cs_buf_json_cstr(b, st);
        KEY(b, "global"); cs_buf_json_cstr(b, x->row.pfs.global);
        KEY(b, "work_rvu"); put_fixed(b, x->row.pfs.work_rvu, 2);
        KEY(b, "nonfac_price"); cs_buf_money(b, x->row.pfs.nonfac_price);
        KEY(b, "fac_price"); cs_buf_money(b, x->row.pfs.fac_price);
        break;
    }
    case CS_LOOKUP_ICD10:
        cs_buf_puts(b, x->row.icd10.billable ? "{\"billable\":true" : "{\"billable\":false");
        KEY(b, "description"); cs_buf_json_cstr(b, x->row.icd10.description ? x->row.icd10.description : "");
        break;
    case CS_LOOKUP_HCPCS:           /* section, cov and dates when the file has them */
        if (x->row.hcpcs.section && *x->row.hcpcs.section) {
            cs_buf_puts(b, "{\"section\":");
            cs_buf_json_cstr(b, x->row.hcpcs.section);
            KEY(b, "description");
        } else {
            cs_buf_puts(b, "{\"description\":");
        }
        cs_buf_json_cstr(b, x->row.hcpcs.description ? x->row.hcpcs.description : "");
        if (x->row.hcpcs.cov) {
            char cov[2] = {x->row.hcpcs.cov, 0};
            KEY(b, "cov"); cs_buf_json_cstr(b, cov);
        }
        OPT_DATE(b, "added", x->row.hcpcs.added);
        OPT_DATE(b, "terminated", x->row.hcpcs.terminated);
        break;
    default:
        cs_buf_puts(b, "{\"description\":");
        cs_buf_json_cstr(b, x->row.adj.description ? x->row.adj.description : "");
        OPT_DATE(b, "start", x->row.adj.start);
        OPT_DATE(b, "end", x->row.adj.end);
        break;
    }
    cs_buf_putc(b, '}');
}

static void put_ref(cs_buf *b, const cs_trace_ref *x)
{
    cs_buf_puts(b, "{\"table\":");
    cs_buf_json_cstr(b, cs_ref_table_name(LOOKUP_TABLES[x->lookup]));
    KEY(b, "lookup"); cs_buf_json_cstr(b, LOOKUP_NAMES[x->lookup]);
    KEY(b, "key"); cs_buf_json_cstr(b, x->key);
    KEY(b, "date"); put_date(b, x->dos);
    KEY(b, "release"); put_date(b, x->release);
    KEY(b, "found"); cs_buf_puts(b, x->found ? "true" : "false");
    if (x->found) { KEY(b, "row"); put_row(b, x); }
    cs_buf_putc(b, '}');
}

/* The rule's waiver by a higher layer (the highest is named, as
 * cs_verdict_merge does), or NULL; *by gets that layer. */
static const char *waiver(const cs_verdict *v, const cs_rule *r, const cs_pack **by)
{
    const char *reason;
    cs_pack_overrides(v->layers, v->nlayers, cs_verdict_layer(v, r->pack), r->id, r->severity,
                      NULL, by, &reason);
    return reason;
}

/* The rule's severity after the severity changes of higher layers. */
static int severity(const cs_verdict *v, const cs_rule *r)
{
    return cs_pack_overrides(v->layers, v->nlayers, cs_verdict_layer(v, r->pack), r->id,
                             r->severity, NULL, NULL, NULL);
}

static void put_finding(cs_buf *b, const cs_verdict *v, const cs_finding *f)
{
    cs_buf_puts(b, "{\"rule\":");
    cs_buf_json_cstr(b, f->rule);
    KEY(b, "severity"); cs_buf_json_cstr(b, cs_status_name(f->severity));
    if (f->line) INT(b, "line", f->line);
    KEY(b, "message");
    cs_buf_json_str(b, v->text.p ? v->text.p + f->message : "", v->text.p ? f->message_len : 0);
    KEY(b, "waived"); cs_buf_puts(b, f->waived_by ? "true" : "false");
    cs_buf_putc(b, '}');
}

static const char *status_of(const cs_trace_rule *e, const cs_verdict *v, bool waived)
{
    if (e->skipped == CS_TRACE_NOT_IN_FORCE) return "not_in_force";
    if (e->skipped == CS_TRACE_NOT_APPLICABLE) return "not_applicable";
    for (int i = e->f0; i < e->f1; i++)
        if (!strncmp(v->f[i].rule, "engine.", 7)) return "error";
    if (waived) return "waived";
    return e->f1 > e->f0 ? "fired" : "no_finding";
}

static void put_rule(cs_buf *b, const cs_trace *t, const cs_trace_rule *e, const cs_verdict *v)
{
    const cs_rule *r = e->rule;
    const cs_pack *by = NULL;
    const char *why = waiver(v, r, &by);
    cs_buf_puts(b, "{\"rule\":");
    cs_buf_json_cstr(b, r->id);
    KEY(b, "layer"); cs_buf_json_cstr(b, r->pack->manifest);
    KEY(b, "source"); cs_buf_json_cstr(b, r->source ? r->source : "");
    KEY(b, "status"); cs_buf_json_cstr(b, status_of(e, v, why != NULL));
    KEY(b, "severity"); cs_buf_json_cstr(b, cs_status_name(severity(v, r)));
    if (r->from || r->to) {
        KEY(b, "effective");
        cs_buf_puts(b, "{\"from\":");
        put_date(b, r->from);
        KEY(b, "to");
        put_date(b, r->to);
        cs_buf_putc(b, '}');
    }
    if (why) {
        KEY(b, "waived_by"); cs_buf_json_cstr(b, by->manifest);
        KEY(b, "reason"); cs_buf_json_cstr(b, why);
    }
    if (!e->skipped) INT(b, "elapsed_us", e->us);
    KEY(b, "findings");
    cs_buf_putc(b, '[');
    int f1 = e->f1 < v->n ? e->f1 : v->n;
    for (int i = e->f0; i < f1; i++) {
        if (i > e->f0) cs_buf_putc(b, ',');
        put_finding(b, v, &v->f[i]);
    }
    cs_buf_putc(b, ']');
    KEY(b, "refs");
    cs_buf_putc(b, '[');
    for (int i = 0; i < e->nrefs; i++) {
        if (i) cs_buf_putc(b, ',');
        put_ref(b, &t->refs[e->r0 + i]);
    }
    cs_buf_putc(b, ']');
    INT(b, "refs_more", e->more);
    cs_buf_putc(b, '}');
}

void cs_trace_json(const cs_trace *t, const cs_verdict *v, cs_buf *b)
{
    if (b->oom || !b->len || b->p[b->len - 1] != '}') return;
    b->len--;
    KEY(b, "trace");
    cs_buf_putc(b, '[');
    for (int i = 0; t && i < t->n; i++) {
        if (i) cs_buf_putc(b, ',');
        put_rule(b, t, &t->rules[i], v);
    }
    cs_buf_puts(b, "]}");
}

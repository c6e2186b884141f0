/*
 * x12.c -- ANSI X12 837P reader and mapper (see x12.h, docs/x12.md).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "x12.h"

#define MAX_ELEMENTS 32     /* elements kept per segment (SV1 has 21) */
#define MAX_COMPONENTS 12
#define SHORT 96            /* room for ids, names and codes we keep */

/* ---- small helpers ---- */

typedef struct str {
    char *p;
    size_t n, cap;
    bool oom;
} str;

static void str_add(str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append one problem line. */
static void str_add(str *s, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    size_t m = strlen(line) + 2;
    if (s->n + m > s->cap) {
        size_t cap = (s->n + m) * 2;
        char *np = realloc(s->p, cap);
        if (!np) { s->oom = true; return; }
        s->p = np;
        s->cap = cap;
    }
    if (s->n) s->p[s->n++] = '\n';
    memcpy(s->p + s->n, line, m - 1);
    s->n += m - 2;
    s->p[s->n] = 0;
}

/* A field: bytes p[0..n), not NUL-terminated. */
typedef struct field {
    const char *p;
    size_t n;
} field;

/* Copy f into buf (size SHORT), cut; non-printable bytes become '?'. */
static const char *fcpy(field f, char *buf)
{
    size_t n = f.n < SHORT - 1 ? f.n : SHORT - 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = (f.p[i] >= 0x20 && f.p[i] <= 0x7e) ? f.p[i] : '?';
    buf[n] = 0;
    return buf;
}

static bool feq(field f, const char *s)
{
    return f.n == strlen(s) && memcmp(f.p, s, f.n) == 0;
}

/* Split f on sep into at most max fields; returns the count. */
static int split(field f, char sep, field *out, int max)
{
    int n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= f.n; i++) {
        if (i == f.n || f.p[i] == sep) {
            if (n < max) out[n] = (field){f.p + start, i - start};
            n++;
            start = i + 1;
        }
    }
    return n;
}

/* ---- segments ---- */

typedef struct seg {
    field raw;
    char id[4];
    field el[MAX_ELEMENTS];     /* el[1] is the first element */
    int n;                      /* elements after the id */
    long num, line;
} seg;

typedef struct seps {
    char elem, comp, rep, term;
} seps;

static void seg_parse(seg *s, field raw, const seps *sp, long num, long line)
{
    memset(s, 0, sizeof *s);
    s->raw = raw;
    s->num = num;
    s->line = line;
    field parts[MAX_ELEMENTS];
    int n = split(raw, sp->elem, parts, MAX_ELEMENTS);
    size_t idn = parts[0].n < 3 ? parts[0].n : 3;
    memcpy(s->id, parts[0].p, idn);
    for (int i = 1; i < n && i < MAX_ELEMENTS; i++) s->el[i] = parts[i];
    s->n = (n < MAX_ELEMENTS ? n : MAX_ELEMENTS) - 1;
}

static field el(const seg *s, int i)
{
    return i >= 1 && i <= s->n ? s->el[i] : (field){"", 0};
}

/* ---- the payer map ---- */

typedef struct payer_map {
    char (*id)[SHORT];
    char (*pack)[SHORT];
    size_t n;
} payer_map;

static void trim_copy(char *dst, const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) { s++; n--; }
    while (n && isspace((unsigned char)s[n - 1])) n--;
    if (n >= SHORT) n = SHORT - 1;
    memcpy(dst, s, n);
    dst[n] = 0;
}

/* Read root/payers/payer-map.csv (header payer_id,pack; '#' comments).
 * A missing file is an empty map. */
static void map_load(payer_map *m, const char *root)
{
    char path[4096], line[512];
    snprintf(path, sizeof path, "%s/payers/payer-map.csv", root ? root : ".");
    FILE *f = fopen(path, "r");
    if (!f) return;
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        char *comma = strchr(line, ',');
        if (line[0] == '#' || !comma) continue;
        char id[SHORT], pack[SHORT];
        trim_copy(id, line, (size_t)(comma - line));
        trim_copy(pack, comma + 1, strlen(comma + 1));
        if (!id[0] || !pack[0] || !strcmp(id, "payer_id")) continue;
        if (m->n == cap) {
            cap = cap ? cap * 2 : 16;
            void *a = realloc(m->id, cap * sizeof *m->id);
            if (a) m->id = a;
            void *b = realloc(m->pack, cap * sizeof *m->pack);
            if (b) m->pack = b;
            if (!a || !b) break;
        }
        strcpy(m->id[m->n], id);
        strcpy(m->pack[m->n++], pack);
    }
    fclose(f);
}

static const char *map_find(const payer_map *m, const char *id)
{
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->id[i], id)) return m->pack[i];
    return NULL;
}

/* ---- output claims ---- */

static cs_x12_claim *new_claim(cs_x12_file *f)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        cs_x12_claim *v = realloc(f->v, cap * sizeof *v);
        if (!v) return NULL;
        f->v = v;
        f->cap = cap;
    }
    cs_x12_claim *c = &f->v[f->n++];
    memset(c, 0, sizeof *c);
    return c;
}

/* Append a problem to claims [from, f->n). */
static void problem_all(cs_x12_file *f, size_t from, const char *msg)
{
    for (size_t i = from; i < f->n; i++) {
        str s = {f->v[i].problems, f->v[i].problems ? strlen(f->v[i].problems) : 0,
                 f->v[i].problems ? strlen(f->v[i].problems) + 1 : 0, false};
        str_add(&s, "%s", msg);
        f->v[i].problems = s.p;
    }
}

/* ---- mapping one transaction ---- */

typedef struct party {
    char id[SHORT], birth[11], sex[2];
} party;

typedef struct ctx {
    const seps *sp;
    const payer_map *map;
    const cs_x12_opts *opt;
    cs_x12_file *out;
    const char *txn;
    /* loop state */
    char bill_npi[SHORT], bill_tax[SHORT];
    party sub, pat;
    bool has_pat;
    char payer_id[SHORT], payer_name[SHORT];
    char last_nm1[4];
    /* the claim being built */
    cJSON *claim, *lines, *line, *diags;
    cs_x12_claim *rec;
    str prob;
    bool in_cob;                /* inside 2320/2330 (other payers) */
    bool line_has_date;
    long lx_seg;
    int nlines;
    long long total, sum;       /* cents; -1 unknown */
    bool icd9_reported;
} ctx;

static bool oom_json(cJSON *x) { return x == NULL; }

/* Parse an X12 decimal ("40", "40.5", ".5") into cents; -1 when not. */
static long long cents(field f)
{
    long long v = 0;
    size_t i = 0;
    int dec = -1;
    if (!f.n) return -1;
    for (; i < f.n; i++) {
        char c = f.p[i];
        if (c == '.' && dec < 0) { dec = 0; continue; }
        if (c < '0' || c > '9' || dec >= 2 || v > 100000000000LL) return -1;
        v = v * 10 + (c - '0');
        if (dec >= 0) dec++;
    }
    if (dec < 0) dec = 0;
    for (; dec < 2; dec++) v *= 10;
    return v;
}

/* "CCYYMMDD" into "CCYY-MM-DD"; false when not 8 digits. */
static bool d8(field f, char *out)
{
    if (f.n != 8) return false;
    for (size_t i = 0; i < 8; i++) if (f.p[i] < '0' || f.p[i] > '9') return false;
    snprintf(out, 11, "%.4s-%.2s-%.2s", f.p, f.p + 4, f.p + 6);
    return true;
}

static bool number(field f, double *v)
{
    char buf[64], *end;
    if (!f.n || f.n >= sizeof buf) return false;
    memcpy(buf, f.p, f.n);
    buf[f.n] = 0;
    if (buf[0] == '.') { memmove(buf + 1, buf, f.n + 1); buf[0] = '0'; }
    errno = 0;
    *v = strtod(buf, &end);
    return !errno && *end == 0 && !isspace((unsigned char)buf[0]) &&
           strpbrk(buf, "xXpPnNiI") == NULL;
}

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v && *v) cJSON_AddStringToObject(o, k, v);
}

static void add_field(cJSON *o, const char *k, field f)
{
    char b[SHORT];
    if (f.n) cJSON_AddStringToObject(o, k, fcpy(f, b));
}

/* Close the claim being built: check the totals, print its JSON. */
static bool end_claim(ctx *c)
{
    if (!c->claim) return true;
    if (c->line && !c->line_has_date)
        str_add(&c->prob, "segment %ld (LX): line %d has no DTP*472 service date",
                c->lx_seg, c->nlines);
    if (c->nlines == 0)
        str_add(&c->prob, "segment %ld (CLM): the claim has no service line (LX/SV1)",
                c->rec->segment);
    if (c->total >= 0 && c->sum >= 0 && c->total != c->sum)
        str_add(&c->prob, "segment %ld (CLM): CLM02: total charge %lld.%02lld is not the "
                "sum of the line charges %lld.%02lld", c->rec->segment, c->total / 100,
                c->total % 100, c->sum / 100, c->sum % 100);
    cJSON *d = cJSON_GetObjectItemCaseSensitive(c->claim, "diagnoses");
    if (d && !cJSON_GetArraySize(d)) cJSON_DeleteItemFromObjectCaseSensitive(c->claim, "diagnoses");
    cJSON *ln;
    cJSON_ArrayForEach(ln, c->lines) {
        cJSON *p = cJSON_GetObjectItemCaseSensitive(ln, "diagnosis_pointers");
        if (p && !cJSON_GetArraySize(p))
            cJSON_DeleteItemFromObjectCaseSensitive(ln, "diagnosis_pointers");
    }
    bool ok = true;
    char *json = cJSON_PrintUnformatted(c->claim);
    if (!json || c->prob.oom) ok = false;
    c->rec->json = json;
    c->rec->len = json ? strlen(json) : 0;
    c->rec->problems = c->prob.p;
    cJSON_Delete(c->claim);
    c->claim = c->lines = c->line = c->diags = NULL;
    c->rec = NULL;
    c->prob = (str){0};
    return ok;
}

static void put_provider(cJSON *claim, const char *key, const char *npi, const char *tax)
{
    if (!npi[0]) return;
    cJSON *p = cJSON_AddObjectToObject(claim, key);
    if (!p) return;
    add_str(p, "npi", npi);
    add_str(p, "taxonomy", tax);
}

static bool start_claim(ctx *c, const seg *s)
{
    if (!end_claim(c)) return false;
    char b[SHORT];
    cs_x12_claim *r = new_claim(c->out);
    if (!r) return false;
    r->segment = s->num;
    r->line = s->line;
    snprintf(r->transaction, sizeof r->transaction, "%s", c->txn);
    field id = el(s, 1);
    if (id.n && !(r->id = strndup(id.p, id.n))) return false;
    c->rec = r;
    c->in_cob = false;
    c->line = NULL;
    c->nlines = 0;
    c->sum = 0;
    c->icd9_reported = false;
    c->total = cents(el(s, 2));
    if (!id.n) str_add(&c->prob, "segment %ld (CLM): CLM01: the claim id is missing", s->num);
    if (oom_json(c->claim = cJSON_CreateObject())) return false;
    if (id.n) cJSON_AddStringToObject(c->claim, "id", fcpy(id, b));
    if (c->payer_id[0]) {
        const char *pack = map_find(c->map, c->payer_id);
        if (pack) cJSON_AddStringToObject(c->claim, "payer", pack);
        else if (!c->opt->payer_given)
            str_add(&c->prob, "payer: X12 payer id '%s' (%s) is not in payers/payer-map.csv",
                    c->payer_id, c->payer_name[0] ? c->payer_name : "no name");
    } else if (!c->opt->payer_given) {
        str_add(&c->prob, "segment %ld (CLM): no payer (NM1*PR) in loop 2010BB before the "
                "claim", s->num);
    }
    const party *p = c->has_pat ? &c->pat : &c->sub;
    cJSON *pt = cJSON_AddObjectToObject(c->claim, "patient");
    if (pt) {
        add_str(pt, "id", c->pat.id[0] ? c->pat.id : c->sub.id);
        add_str(pt, "birth_date", p->birth);
        add_str(pt, "sex", p->sex);
    }
    put_provider(c->claim, "billing_provider", c->bill_npi, c->bill_tax);
    field comp[MAX_COMPONENTS];
    field clm05 = el(s, 5);
    if (clm05.n) {
        split(clm05, c->sp->comp, comp, MAX_COMPONENTS);
        add_field(c->claim, "place_of_service", comp[0]);
    }
    c->diags = cJSON_AddArrayToObject(c->claim, "diagnoses");
    c->lines = cJSON_AddArrayToObject(c->claim, "lines");
    return c->diags && c->lines;
}

/* NM1 with an NPI (NM108 XX); false with a problem when the id is there
 * under another qualifier. */
static bool nm1_npi(ctx *c, const seg *s, char *npi, const char *what)
{
    char b[SHORT];
    npi[0] = 0;
    if (!el(s, 9).n) return true;
    if (!feq(el(s, 8), "XX")) {
        if (c->rec)
            str_add(&c->prob, "segment %ld (NM1): NM108: %s id qualifier is '%s', expected "
                    "XX (NPI)", s->num, what, fcpy(el(s, 8), b));
        return false;
    }
    fcpy(el(s, 9), npi);
    return true;
}

static void do_hi(ctx *c, const seg *s)
{
    char b[SHORT], q[SHORT];
    for (int i = 1; i <= s->n && i <= 12; i++) {
        field comp[MAX_COMPONENTS];
        field e = el(s, i);
        if (!e.n) continue;
        split(e, c->sp->comp, comp, MAX_COMPONENTS);
        fcpy(comp[0], q);
        if (!strcmp(q, "ABK") || !strcmp(q, "ABF")) {
            if (!comp[1].n || split(e, c->sp->comp, comp, MAX_COMPONENTS) < 2)
                str_add(&c->prob, "segment %ld (HI): HI%02d-2: the diagnosis code is missing",
                        s->num, i);
            else cJSON_AddItemToArray(c->diags, cJSON_CreateString(fcpy(comp[1], b)));
        } else if (!strcmp(q, "BK") || !strcmp(q, "BF")) {
            if (!c->icd9_reported)
                str_add(&c->prob, "segment %ld (HI): HI%02d-1: qualifier %s marks an ICD-9-CM "
                        "diagnosis (%s); ICD-10-CM (ABK/ABF) is required", s->num, i, q,
                        fcpy(comp[1], b));
            c->icd9_reported = true;
        }
        /* other code lists (BP, BG, ...) are not diagnoses: ignored */
    }
}

static void do_sv1(ctx *c, const seg *s)
{
    char b[SHORT];
    field comp[MAX_COMPONENTS];
    cJSON *ln = c->line;
    field sv101 = el(s, 1);
    int nc = split(sv101, c->sp->comp, comp, MAX_COMPONENTS);
    if (!sv101.n) {
        str_add(&c->prob, "segment %ld (SV1): SV101: the procedure is missing", s->num);
    } else if (nc < 2 || !comp[1].n) {
        str_add(&c->prob, "segment %ld (SV1): SV101: '%s' is not qualifier%ccode (the "
                "component separator is '%c', from ISA16)", s->num, fcpy(sv101, b),
                c->sp->comp, c->sp->comp);
    } else {
        if (!feq(comp[0], "HC"))
            str_add(&c->prob, "segment %ld (SV1): SV101-1: qualifier '%s' is not HC "
                    "(HCPCS/CPT)", s->num, fcpy(comp[0], b));
        add_field(ln, "code", comp[1]);
        if (nc > 7)
            str_add(&c->prob, "segment %ld (SV1): SV101: has %d components; at most 7 "
                    "(qualifier, code, 4 modifiers, description)", s->num, nc);
        else if (nc == 7 && comp[6].n == 2 && isalnum((unsigned char)comp[6].p[0]) &&
                 isalnum((unsigned char)comp[6].p[1]) && comp[5].n)
            str_add(&c->prob, "segment %ld (SV1): SV101-7: '%s' looks like a fifth modifier; "
                    "a line takes at most 4 (SV101-3 to SV101-6)", s->num, fcpy(comp[6], b));
        cJSON *mods = NULL;
        for (int i = 2; i < nc && i < 6; i++) {
            if (!comp[i].n) continue;
            if (!mods && !(mods = cJSON_AddArrayToObject(ln, "modifiers"))) return;
            cJSON_AddItemToArray(mods, cJSON_CreateString(fcpy(comp[i], b)));
        }
    }
    field ch = el(s, 2);
    if (ch.n) {
        char m[SHORT];
        fcpy(ch, m);
        if (m[0] == '.') { memmove(m + 1, m, strlen(m) + 1); m[0] = '0'; }
        cJSON_AddStringToObject(ln, "charge", m);
        long long v = cents(ch);
        if (v < 0 || c->sum < 0) c->sum = -1;
        else c->sum += v;
    }
    field unit = el(s, 3);
    if (unit.n && !feq(unit, "UN") && !feq(unit, "MJ"))
        str_add(&c->prob, "segment %ld (SV1): SV103: unit '%s' is not UN (units) or MJ "
                "(minutes)", s->num, fcpy(unit, b));
    double u;
    if (!el(s, 4).n)
        str_add(&c->prob, "segment %ld (SV1): SV104: the quantity is missing", s->num);
    else if (!number(el(s, 4), &u))
        str_add(&c->prob, "segment %ld (SV1): SV104: '%s' is not a number", s->num,
                fcpy(el(s, 4), b));
    else cJSON_AddNumberToObject(ln, "units", u);
    add_field(ln, "place_of_service", el(s, 5));
    field ptr = el(s, 7);
    if (ptr.n) {
        cJSON *a = cJSON_AddArrayToObject(ln, "diagnosis_pointers");
        int np = split(ptr, c->sp->comp, comp, MAX_COMPONENTS);
        for (int i = 0; i < np && i < MAX_COMPONENTS && a; i++) {
            double p;
            if (!comp[i].n) continue;
            if (!number(comp[i], &p))
                str_add(&c->prob, "segment %ld (SV1): SV107-%d: '%s' is not a diagnosis "
                        "pointer", s->num, i + 1, fcpy(comp[i], b));
            else cJSON_AddItemToArray(a, cJSON_CreateNumber(p));
        }
    }
}

static void do_dtp472(ctx *c, const seg *s)
{
    char b[SHORT], d[11];
    field q = el(s, 2), v = el(s, 3);
    bool ok;
    if (feq(q, "D8")) ok = d8(v, d);
    else if (feq(q, "RD8")) ok = v.n == 17 && v.p[8] == '-' && d8((field){v.p, 8}, d) &&
                                 d8((field){v.p + 9, 8}, (char[11]){0});
    else {
        str_add(&c->prob, "segment %ld (DTP): DTP02: date format '%s' is not D8 or RD8",
                s->num, fcpy(q, b));
        return;
    }
    if (!ok) {
        str_add(&c->prob, "segment %ld (DTP): DTP03: '%s' is not a %s date", s->num,
                fcpy(v, b), feq(q, "D8") ? "CCYYMMDD" : "CCYYMMDD-CCYYMMDD");
        return;
    }
    if (c->line_has_date) return;
    c->line_has_date = true;
    cJSON_AddStringToObject(c->line, "service_date", d);
}

static void do_mea(ctx *c, const seg *s)
{
    char b[SHORT];
    if (!feq(el(s, 1), "TR")) return;
    double v;
    if (!number(el(s, 3), &v)) {
        str_add(&c->prob, "segment %ld (MEA): MEA03: '%s' is not a number", s->num,
                fcpy(el(s, 3), b));
        return;
    }
    cJSON *a = cJSON_GetObjectItemCaseSensitive(c->line, "measurements");
    if (!a) a = cJSON_AddArrayToObject(c->line, "measurements");
    cJSON *m = cJSON_CreateObject();
    if (!a || !m) { cJSON_Delete(m); return; }
    add_field(m, "type", el(s, 2));
    cJSON_AddNumberToObject(m, "value", v);
    cJSON_AddItemToArray(a, m);
}

/* Walk one supported transaction's segments. */
static bool map_transaction(ctx *c, const seg *segs, size_t n)
{
    char b[SHORT];
    for (size_t i = 0; i < n; i++) {
        const seg *s = &segs[i];
        const char *id = s->id;
        if (!strcmp(id, "HL")) {
            if (!end_claim(c)) return false;
            field lvl = el(s, 3);
            if (feq(lvl, "20")) {
                c->bill_npi[0] = c->bill_tax[0] = 0;
                c->sub = (party){0};
                c->pat = (party){0};
                c->has_pat = false;
                c->payer_id[0] = c->payer_name[0] = 0;
            } else if (feq(lvl, "22")) {
                c->sub = (party){0};
                c->pat = (party){0};
                c->has_pat = false;
                c->payer_id[0] = c->payer_name[0] = 0;
            } else if (feq(lvl, "23")) {
                c->pat = (party){0};
                c->has_pat = true;
            }
            c->last_nm1[0] = 0;
        } else if (!strcmp(id, "CLM")) {
            if (!start_claim(c, s)) return false;
        } else if (!c->claim) {
            /* loops 2000A to 2010CA */
            if (!strcmp(id, "NM1")) {
                fcpy(el(s, 1), c->last_nm1);
                if (strlen(c->last_nm1) > 3) c->last_nm1[0] = 0;
                if (!strcmp(c->last_nm1, "85")) {
                    if (!feq(el(s, 8), "XX") && el(s, 9).n) c->bill_npi[0] = 0;
                    else fcpy(el(s, 9), c->bill_npi);
                } else if (!strcmp(c->last_nm1, "IL")) fcpy(el(s, 9), c->sub.id);
                else if (!strcmp(c->last_nm1, "QC")) fcpy(el(s, 9), c->pat.id);
                else if (!strcmp(c->last_nm1, "PR")) {
                    fcpy(el(s, 9), c->payer_id);
                    fcpy(el(s, 3), c->payer_name);
                }
            } else if (!strcmp(id, "PRV") && feq(el(s, 1), "BI")) {
                fcpy(el(s, 3), c->bill_tax);
            } else if (!strcmp(id, "DMG")) {
                party *p = !strcmp(c->last_nm1, "QC") ? &c->pat :
                           !strcmp(c->last_nm1, "IL") ? &c->sub : NULL;
                if (p) {
                    char d[11];
                    if (d8(el(s, 2), d)) strcpy(p->birth, d);
                    if (el(s, 3).n == 1) { p->sex[0] = el(s, 3).p[0]; p->sex[1] = 0; }
                }
            }
        } else if (!strcmp(id, "LX")) {
            if (c->line && !c->line_has_date)
                str_add(&c->prob, "segment %ld (LX): line %d has no DTP*472 service date",
                        c->lx_seg, c->nlines);
            c->in_cob = false;
            c->line = cJSON_CreateObject();
            if (!c->line) return false;
            cJSON_AddItemToArray(c->lines, c->line);
            c->nlines++;
            c->line_has_date = false;
            c->lx_seg = s->num;
        } else if (!c->line) {
            /* loop 2300 and its 2310/2320/2330 loops */
            if (!strcmp(id, "SBR")) c->in_cob = true;
            else if (c->in_cob) continue;
            else if (!strcmp(id, "HI")) do_hi(c, s);
            else if (!strcmp(id, "NM1")) {
                fcpy(el(s, 1), c->last_nm1);
                char npi[SHORT];
                if (feq(el(s, 1), "82")) {
                    if (nm1_npi(c, s, npi, "rendering provider"))
                        put_provider(c->claim, "rendering_provider", npi, "");
                } else if (feq(el(s, 1), "DQ")) {
                    if (nm1_npi(c, s, npi, "supervising provider"))
                        put_provider(c->claim, "supervising_provider", npi, "");
                }
            } else if (!strcmp(id, "PRV") && feq(el(s, 1), "PE") &&
                       !strcmp(c->last_nm1, "82")) {
                cJSON *r = cJSON_GetObjectItemCaseSensitive(c->claim, "rendering_provider");
                if (r) add_field(r, "taxonomy", el(s, 3));
            }
        } else {
            /* loop 2400 and its 2410/2420/2430/2440 loops */
            if (!strcmp(id, "SV1")) {
                if (cJSON_GetObjectItemCaseSensitive(c->line, "code") ||
                    cJSON_GetObjectItemCaseSensitive(c->line, "units"))
                    str_add(&c->prob, "segment %ld (SV1): a second SV1 in line %d", s->num,
                            c->nlines);
                else do_sv1(c, s);
            } else if (!strcmp(id, "DTP") && feq(el(s, 1), "472")) do_dtp472(c, s);
            else if (!strcmp(id, "MEA")) do_mea(c, s);
            else if (!strcmp(id, "LIN")) {
                if (!feq(el(s, 2), "N4"))
                    str_add(&c->prob, "segment %ld (LIN): LIN02: qualifier '%s' is not N4 "
                            "(NDC)", s->num, fcpy(el(s, 2), b));
                else if (!cJSON_GetObjectItemCaseSensitive(c->line, "ndc"))
                    add_field(c->line, "ndc", el(s, 3));
            }
            /* CTP (drug quantity), NM1 of 2420, SVD/CAS of 2430: not in the
             * claim model, ignored */
        }
    }
    return end_claim(c);
}

/* ---- transactions and envelopes ---- */

typedef struct txn {
    seg *v;
    size_t n, cap;
    bool open;
    long st_num, st_line;
    char control[16];
    char version[SHORT];
    char type[SHORT];
} txn;

typedef struct parser {
    const cs_x12_opts *opt;
    payer_map map;
    cs_x12_file *out;
    seps sp;
    txn t;
    bool in_group, in_isa;
    size_t group_from, isa_from;    /* first claim of the group / interchange */
    long group_txns, isa_groups;
    char gs_control[SHORT], isa_control[SHORT], gs_version[SHORT];
    long gs_num, isa_num;
} parser;

static bool supported(const char *v)
{
    return !strcmp(v, "005010X222A1") || !strcmp(v, "005010X222A2");
}

/* Map the collected transaction; close_problem (when not NULL) is added to
 * each of its claims. */
static bool finish_txn(parser *P, const char *close_problem)
{
    txn *t = &P->t;
    size_t from = P->out->n;
    if (!strcmp(t->type, "837") && supported(t->version)) {
        ctx c = {.sp = &P->sp, .map = &P->map, .opt = P->opt, .out = P->out,
                 .txn = t->control, .total = -1};
        bool ok = map_transaction(&c, t->v, t->n);
        if (!ok) {
            free(c.prob.p);
            cJSON_Delete(c.claim);
            return false;
        }
        if (P->out->n == from) {
            cs_x12_claim *r = new_claim(P->out);
            if (!r) return false;
            r->segment = t->st_num;
            r->line = t->st_line;
            snprintf(r->transaction, sizeof r->transaction, "%s", t->control);
            char msg[256];
            snprintf(msg, sizeof msg, "segment %ld (ST): transaction %s has no CLM segment: "
                     "no claim could be read", t->st_num, t->control);
            problem_all(P->out, from, msg);
        }
    } else {
        char msg[384];
        snprintf(msg, sizeof msg, "transaction %s (segment %ld): %s %s is not supported; "
                 "claimscrub reads 837 005010X222A1 and 005010X222A2 (837P)", t->control,
                 t->st_num, t->type, t->version[0] ? t->version : "(no version)");
        for (size_t i = 0; i < t->n; i++) {
            if (strcmp(t->v[i].id, "CLM")) continue;
            cs_x12_claim *r = new_claim(P->out);
            if (!r) return false;
            r->segment = t->v[i].num;
            r->line = t->v[i].line;
            if (el(&t->v[i], 1).n && !(r->id = strndup(t->v[i].el[1].p, t->v[i].el[1].n)))
                return false;
            snprintf(r->transaction, sizeof r->transaction, "%s", t->control);
        }
        if (P->out->n == from) {
            cs_x12_claim *r = new_claim(P->out);
            if (!r) return false;
            r->segment = t->st_num;
            r->line = t->st_line;
            snprintf(r->transaction, sizeof r->transaction, "%s", t->control);
        }
        problem_all(P->out, from, msg);
    }
    if (close_problem) problem_all(P->out, from, close_problem);
    t->n = 0;
    t->open = false;
    P->group_txns++;
    return true;
}

static bool txn_push(txn *t, const seg *s)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        seg *v = realloc(t->v, cap * sizeof *v);
        if (!v) return false;
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = *s;
    return true;
}

/* Read the ISA at data[0..len): separators into *sp, the segment into *s;
 * returns the bytes it takes (terminator included), 0 when unreadable. */
static size_t read_isa(const char *data, size_t len, seps *sp, char *why, size_t whylen)
{
    if (len < 4 || memcmp(data, "ISA", 3)) { snprintf(why, whylen, "no ISA segment"); return 0; }
    char e = data[3];
    int count = 0;
    size_t i = 3;
    for (; i < len && count < 16; i++) if (data[i] == e) count++;
    if (count < 16 || i + 1 >= len) {
        snprintf(why, whylen, "ISA is cut short (it has 16 elements and a terminator)");
        return 0;
    }
    sp->elem = e;
    sp->comp = data[i];
    sp->term = data[i + 1];
    /* ISA11 is the repetition separator (00501) */
    field parts[17];
    split((field){data, i}, e, parts, 17);
    sp->rep = parts[11].n == 1 ? parts[11].p[0] : 0;
    char all[4] = {sp->elem, sp->comp, sp->term, sp->rep};
    for (int a = 0; a < 4; a++) {
        unsigned char ch = (unsigned char)all[a];
        if (a == 3 && !ch) continue;
        if (isalnum(ch) || ch == ' ' || (a != 2 && (ch == '\r' || ch == '\n'))) {
            snprintf(why, whylen, "ISA separator '%c' (%s) is a letter, digit or space",
                     isprint(ch) ? ch : '?', a == 0 ? "element" : a == 1 ? "component, ISA16" :
                     a == 2 ? "segment terminator" : "repetition, ISA11");
            return 0;
        }
        for (int b = 0; b < a; b++)
            if (all[b] == all[a] && all[a]) {
                snprintf(why, whylen, "ISA separators are not distinct (element '%c', "
                         "component '%c', terminator '%c', repetition '%c')", sp->elem,
                         sp->comp, sp->term, sp->rep ? sp->rep : ' ');
                return 0;
            }
    }
    /* ISA fields are fixed-width (106 bytes in all); we do not insist */
    return i + 2;
}

static void envelope_problem(parser *P, size_t from, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void envelope_problem(parser *P, size_t from, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    problem_all(P->out, from, msg);
}

static long num_of(field f)
{
    char b[SHORT], *end;
    fcpy(f, b);
    long v = strtol(b, &end, 10);
    return *b && !*end ? v : -1;
}

/* One segment inside an interchange. */
static bool on_segment(parser *P, const seg *s)
{
    char b[SHORT], b2[SHORT];
    txn *t = &P->t;
    if (!strcmp(s->id, "ST")) {
        if (t->open) {
            char msg[256];
            snprintf(msg, sizeof msg, "segment %ld (ST): transaction %s has no SE before the "
                     "next ST", s->num, t->control);
            if (!finish_txn(P, msg)) return false;
        }
        *t = (txn){.v = t->v, .cap = t->cap, .open = true, .st_num = s->num,
                   .st_line = s->line};
        fcpy(el(s, 2), t->control);
        fcpy(el(s, 1), t->type);
        if (el(s, 3).n) fcpy(el(s, 3), t->version);
        else snprintf(t->version, sizeof t->version, "%s", P->gs_version);
        return txn_push(t, s);
    }
    if (!strcmp(s->id, "SE")) {
        if (!t->open) return true;  /* an SE without ST: nothing to attach it to */
        if (!txn_push(t, s)) return false;
        char msg[512] = "";
        long count = num_of(el(s, 1));
        if (count != (long)t->n)
            snprintf(msg, sizeof msg, "segment %ld (SE): SE01: says %s segments, the "
                     "transaction has %zu", s->num, fcpy(el(s, 1), b), t->n);
        else if (!feq(el(s, 2), t->control))
            snprintf(msg, sizeof msg, "segment %ld (SE): SE02: control number %s does not "
                     "match ST02 %s", s->num, fcpy(el(s, 2), b), t->control);
        return finish_txn(P, msg[0] ? msg : NULL);
    }
    if (t->open) return txn_push(t, s);
    if (!strcmp(s->id, "GS")) {
        P->in_group = true;
        P->group_from = P->out->n;
        P->group_txns = 0;
        P->gs_num = s->num;
        P->isa_groups++;
        fcpy(el(s, 6), P->gs_control);
        fcpy(el(s, 8), P->gs_version);
        return true;
    }
    if (!strcmp(s->id, "GE")) {
        if (P->in_group && num_of(el(s, 1)) != P->group_txns)
            envelope_problem(P, P->group_from, "segment %ld (GE): GE01: says %s transactions, "
                             "the group has %ld", s->num, fcpy(el(s, 1), b), P->group_txns);
        else if (P->in_group && !feq(el(s, 2), P->gs_control))
            envelope_problem(P, P->group_from, "segment %ld (GE): GE02: control number %s "
                             "does not match GS06 %s", s->num, fcpy(el(s, 2), b2),
                             P->gs_control);
        P->in_group = false;
        return true;
    }
    /* anything else between transactions is ignored */
    return true;
}

static void end_interchange_checks(parser *P, const seg *iea)
{
    char b[SHORT];
    if (P->t.open) {
        char msg[256];
        snprintf(msg, sizeof msg, "segment %ld (ST): transaction %s has no SE (it ends at "
                 "%s)", P->t.st_num, P->t.control, iea ? "IEA" : "the end of the file");
        finish_txn(P, msg);
    }
    if (P->in_group)
        envelope_problem(P, P->group_from, "segment %ld (GS): group %s has no GE", P->gs_num,
                         P->gs_control);
    P->in_group = false;
    if (!iea) {
        envelope_problem(P, P->isa_from, "segment %ld (ISA): interchange %s has no IEA (the "
                         "file ends)", P->isa_num, P->isa_control);
        return;
    }
    if (num_of(el(iea, 1)) != P->isa_groups)
        envelope_problem(P, P->isa_from, "segment %ld (IEA): IEA01: says %s groups, the "
                         "interchange has %ld", iea->num, fcpy(el(iea, 1), b), P->isa_groups);
    else if (!feq(el(iea, 2), P->isa_control))
        envelope_problem(P, P->isa_from, "segment %ld (IEA): IEA02: control number %s does "
                         "not match ISA13 %s", iea->num, fcpy(el(iea, 2), b), P->isa_control);
}

bool cs_x12_detect(const char *data, size_t len)
{
    size_t i = 0;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) i = 3;
    while (i < len && isspace((unsigned char)data[i])) i++;
    return len - i >= 3 && !memcmp(data + i, "ISA", 3);
}

bool cs_x12_sniff(const char *path)
{
    bool in = !strcmp(path, "-");
    int fd = in ? 0 : open(path, O_RDONLY);
    if (fd < 0) return false;
    off_t at = in ? lseek(fd, 0, SEEK_CUR) : 0;
    char buf[512];
    ssize_t got = at < 0 ? -1 : read(fd, buf, sizeof buf);
    if (in && got > 0 && lseek(fd, at, SEEK_SET) < 0) got = -1;
    if (!in) close(fd);
    return got > 0 && cs_x12_detect(buf, (size_t)got);
}

char *cs_x12_slurp(const char *path, size_t *len, char *err, size_t errlen)
{
    bool in = !strcmp(path, "-");
    FILE *f = in ? stdin : fopen(path, "rb");
    if (!f) { snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno)); return NULL; }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            if (cap >= CS_X12_MAX_FILE) {
                snprintf(err, errlen, "%s: X12 file larger than %zu bytes", path,
                         CS_X12_MAX_FILE);
                free(buf);
                buf = NULL;
                break;
            }
            char *nb = realloc(buf, cap *= 2);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
                free(buf);
                buf = NULL;
            }
            break;
        }
    }
    if (!buf && !err[0]) snprintf(err, errlen, "%s: out of memory", path);
    if (!in) fclose(f);
    if (buf) { buf[n] = 0; *len = n; }
    return buf;
}

int cs_x12_parse(const char *data, size_t len, const cs_x12_opts *opt,
                 cs_x12_file *out, char *err, size_t errlen)
{
    static const cs_x12_opts none = {0};
    parser P = {.opt = opt ? opt : &none, .out = out};
    map_load(&P.map, P.opt->rules_root);
    int rc = 0;
    long num = 0, line = 1;
    size_t i = 0;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) i = 3;
    err[0] = 0;
    for (;;) {
        while (i < len && isspace((unsigned char)data[i])) line += data[i++] == '\n';
        if (i >= len) break;
        char why[256];
        size_t isa_len = read_isa(data + i, len - i, &P.sp, why, sizeof why);
        if (!isa_len) {
            if (num == 0) snprintf(err, errlen, "not an X12 file: %s at the start", why);
            else snprintf(err, errlen, "segment %ld (line %ld): after IEA: %s", num + 1, line,
                          why);
            rc = -1;
            break;
        }
        seg s;
        seg_parse(&s, (field){data + i, isa_len - 1}, &P.sp, ++num, line);
        fcpy(el(&s, 13), P.isa_control);
        P.in_isa = true;
        P.isa_from = out->n;
        P.isa_groups = 0;
        P.isa_num = num;
        P.in_group = false;
        P.gs_version[0] = 0;
        for (size_t k = 0; k < isa_len; k++) line += data[i + k] == '\n';
        i += isa_len;
        bool ended = false;
        while (i < len) {
            while (i < len && (data[i] == '\r' || data[i] == '\n' ||
                               (data[i] == ' ' && P.sp.term != ' ')))
                line += data[i++] == '\n';
            if (i >= len) break;
            const char *end = memchr(data + i, P.sp.term, len - i);
            size_t n = end ? (size_t)(end - (data + i)) : len - i;
            seg_parse(&s, (field){data + i, n}, &P.sp, ++num, line);
            for (size_t k = 0; k < n; k++) line += data[i + k] == '\n';
            i += n + (end != NULL);
            if (!strcmp(s.id, "IEA")) {
                end_interchange_checks(&P, &s);
                ended = true;
                break;
            }
            if (!strcmp(s.id, "ISA")) {
                snprintf(err, errlen, "segment %ld (line %ld): ISA inside interchange %s "
                         "(no IEA before it)", num, line, P.isa_control);
                end_interchange_checks(&P, NULL);
                rc = -1;
                goto done;
            }
            if (!on_segment(&P, &s)) { rc = -2; goto done; }
        }
        if (!ended) { end_interchange_checks(&P, NULL); break; }
    }
done:
    free(P.t.v);
    free(P.map.id);
    free(P.map.pack);
    for (size_t k = 0; k < out->n && rc == 0; k++)
        if (out->v[k].problems == NULL && out->v[k].json == NULL) rc = -2;
    return rc;
}

void cs_x12_file_free(cs_x12_file *f)
{
    for (size_t i = 0; i < f->n; i++) {
        cJSON_free(f->v[i].json);
        free(f->v[i].problems);
        free(f->v[i].id);
    }
    free(f->v);
    *f = (cs_x12_file){0};
}

/*
 * tuva2jsonl.c -- the Tuva Project's demo claims as claimscrub claim JSONL.
 *
 *   tuva2jsonl [--shift-years N] MEDICAL_CLAIM.csv ELIGIBILITY.csv > claims.jsonl
 *
 * Reads Tuva's medical_claim.csv and eligibility.csv in place and prints
 * each professional claim as one claim object (docs/claim-format.md) per
 * line, claims ordered by claim id (shorter ids first, then byte order),
 * lines by claim_line_number.  The data is passed through as it is, so
 * the engine's handling of it is what gets tested (docs/accuracy.md):
 *
 *   id             claim_id
 *   payer          "medicare" (every row is data_source cclf: Medicare CCLF)
 *   patient        patient_id; birth_date and sex (male M, female F, other
 *                  values as given) from the patient's first eligibility row
 *   billing_provider.npi, rendering_provider.npi
 *                  billing_npi, rendering_npi of the first line, when given
 *                  (invalid NPIs are kept: the engine must say so)
 *   place_of_service  the first line's; a line whose own differs carries it
 *   diagnoses      diagnosis_code_1..25 of the first line, non-empty ones in
 *                  order, repeats kept, no dot added (the engine adds it)
 *   lines[]        code hcpcs_code; modifiers hcpcs_modifier_1..5 (non-empty,
 *                  in order, repeats kept); units service_unit_quantity
 *                  (left out when empty, so the claim is reported as
 *                  missing it); service_date claim_line_start_date (or
 *                  claim_start_date); charge charge_amount (as a string);
 *                  diagnosis_pointers 1..min(4, number of diagnoses): Tuva
 *                  has no pointers, so every line points at the claim's
 *                  first diagnoses, principal first, as an 837P's up to 4
 *                  pointers would
 *
 * --shift-years N moves every date (service dates and birth dates) by N
 * whole years; 29 February becomes 28 February in a year that is not a
 * leap year.  A value that is not a YYYY-MM-DD date is passed unchanged.
 * Warnings (a line whose end date differs from its start date, diagnoses
 * that differ between the lines of one claim) go to standard error.
 * Exit status: 0, or 2 when a file cannot be read or lacks a column.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 256   /* columns in a CSV row */
#define MAX_DX 25        /* Tuva's diagnosis_code_1..25 */
#define MAX_MODS 5       /* Tuva's hcpcs_modifier_1..5 */

typedef struct {
    char **f;            /* fields, owned */
    int n;
} row;

typedef struct {
    char *name;          /* the file, for messages */
    char **hdr;
    int nhdr;
    row *rows;
    size_t nrows;
} table;

static void die(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "tuva2jsonl: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    exit(2);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) die("%s%s", "out of memory", "");
    return p;
}

/* Split one CSV record starting at *p (RFC 4180 quotes; CR LF or LF). */
static row split(const char **p, const char *end)
{
    row r = {xrealloc(NULL, MAX_FIELDS * sizeof(char *)), 0};
    const char *s = *p;
    for (;;) {
        char *buf = NULL;
        size_t len = 0;
        if (s < end && *s == '"') {
            s++;
            while (s < end) {
                if (*s == '"' && s + 1 < end && s[1] == '"') s++;
                else if (*s == '"') { s++; break; }
                buf = xrealloc(buf, len + 2);
                buf[len++] = *s++;
            }
        }
        const char *start = s;
        while (s < end && *s != ',' && *s != '\n' && *s != '\r') s++;
        buf = xrealloc(buf, len + (size_t)(s - start) + 1);
        memcpy(buf + len, start, (size_t)(s - start));
        buf[len + (size_t)(s - start)] = 0;
        if (r.n == MAX_FIELDS) die("%s: a row has more than %s fields", "CSV", "256");
        r.f[r.n++] = buf;
        if (s < end && *s == ',') { s++; continue; }
        if (s < end && *s == '\r') s++;
        if (s < end && *s == '\n') s++;
        break;
    }
    *p = s;
    return r;
}

static table read_csv(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open %s%s", path, "");
    size_t cap = 1 << 16, n = 0, k;
    char *text = xrealloc(NULL, cap);
    while ((k = fread(text + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) text = xrealloc(text, cap *= 2);
    }
    fclose(f);
    table t = {(char *)path, NULL, 0, NULL, 0};
    const char *p = text, *end = text + n;
    if (p == end) die("%s: empty file%s", path, "");
    row h = split(&p, end);
    t.hdr = h.f;
    t.nhdr = h.n;
    size_t rcap = 0;
    while (p < end) {
        if (*p == '\n' || *p == '\r') { p++; continue; }
        if (t.nrows == rcap) t.rows = xrealloc(t.rows, (rcap = rcap ? 2 * rcap : 1024) * sizeof(row));
        t.rows[t.nrows++] = split(&p, end);
    }
    free(text);
    return t;
}

static void free_table(table *t)
{
    for (int i = 0; i < t->nhdr; i++) free(t->hdr[i]);
    free(t->hdr);
    for (size_t r = 0; r < t->nrows; r++) {
        for (int i = 0; i < t->rows[r].n; i++) free(t->rows[r].f[i]);
        free(t->rows[r].f);
    }
    free(t->rows);
}

/* The index of column name in t; exits when it is missing. */
static int col(const table *t, const char *name)
{
    for (int i = 0; i < t->nhdr; i++)
        if (!strcmp(t->hdr[i], name)) return i;
    die("%s: no column %s", t->name, name);
    return -1;
}

static const char *get(const row *r, int c)
{
    return c < r->n ? r->f[c] : "";
}

/* ---- dates ---------------------------------------------------------------- */

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* s moved by years into out; s unchanged when it is not YYYY-MM-DD. */
static const char *shift(const char *s, int years, char out[16])
{
    if (!years || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return s;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) return s;
    int y = atoi(s) + years, m = atoi(s + 5), d = atoi(s + 8);
    if (y < 0 || y > 9999) return s;
    if (m == 2 && d == 29 && !leap(y)) d = 28;
    snprintf(out, 16, "%04d-%02d-%02d", y, m, d);
    return out;
}

/* ---- JSON output ---------------------------------------------------------- */

static void jstr(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') printf("\\%c", *p);
        else if (*p < 0x20) printf("\\u%04x", *p);
        else putchar(*p);
    }
    putchar('"');
}

/* ---- claims --------------------------------------------------------------- */

static const table *g_mc;
static int c_id, c_line;

static int cmp_id(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb) return la < lb ? -1 : 1;
    return strcmp(a, b);
}

/* Professional rows in output order: claim id, line number, file order. */
static int cmp_rows(const void *x, const void *y)
{
    size_t i = *(const size_t *)x, j = *(const size_t *)y;
    const row *a = &g_mc->rows[i], *b = &g_mc->rows[j];
    int c = cmp_id(get(a, c_id), get(b, c_id));
    if (c) return c;
    long la = strtol(get(a, c_line), NULL, 10), lb = strtol(get(b, c_line), NULL, 10);
    if (la != lb) return la < lb ? -1 : 1;
    return i < j ? -1 : i > j;
}

int main(int argc, char **argv)
{
    int years = 0, a = 1;
    if (a + 1 < argc && !strcmp(argv[a], "--shift-years")) {
        char *e;
        long v = strtol(argv[a + 1], &e, 10);
        if (*e || e == argv[a + 1] || v < -200 || v > 200)
            die("--shift-years: %s is not a whole number of years (-200..200)%s", argv[a + 1], "");
        years = (int)v;
        a += 2;
    }
    if (argc - a != 2) {
        fprintf(stderr, "usage: tuva2jsonl [--shift-years N] MEDICAL_CLAIM.csv ELIGIBILITY.csv\n");
        return 2;
    }
    table mc = read_csv(argv[a]), el = read_csv(argv[a + 1]);
    g_mc = &mc;
    c_id = col(&mc, "claim_id");
    c_line = col(&mc, "claim_line_number");
    int c_type = col(&mc, "claim_type"), c_pat = col(&mc, "patient_id"),
        c_cstart = col(&mc, "claim_start_date"), c_lstart = col(&mc, "claim_line_start_date"),
        c_lend = col(&mc, "claim_line_end_date"), c_pos = col(&mc, "place_of_service_code"),
        c_units = col(&mc, "service_unit_quantity"), c_code = col(&mc, "hcpcs_code"),
        c_rnpi = col(&mc, "rendering_npi"), c_bnpi = col(&mc, "billing_npi"),
        c_charge = col(&mc, "charge_amount");
    int c_mod[MAX_MODS], c_dx[MAX_DX];
    char name[32];
    for (int i = 0; i < MAX_MODS; i++) {
        snprintf(name, sizeof name, "hcpcs_modifier_%d", i + 1);
        c_mod[i] = col(&mc, name);
    }
    for (int i = 0; i < MAX_DX; i++) {
        snprintf(name, sizeof name, "diagnosis_code_%d", i + 1);
        c_dx[i] = col(&mc, name);
    }
    int e_pat = col(&el, "patient_id"), e_birth = col(&el, "birth_date"), e_sex = col(&el, "gender");

    size_t *ix = xrealloc(NULL, mc.nrows * sizeof *ix), n = 0;
    for (size_t i = 0; i < mc.nrows; i++)
        if (!strcmp(get(&mc.rows[i], c_type), "professional")) ix[n++] = i;
    qsort(ix, n, sizeof *ix, cmp_rows);

    size_t warn_range = 0, warn_dx = 0;
    char d1[16];
    for (size_t s = 0; s < n;) {
        const row *first = &mc.rows[ix[s]];
        const char *id = get(first, c_id);
        size_t e = s;
        while (e < n && !strcmp(get(&mc.rows[ix[e]], c_id), id)) e++;

        printf("{\"id\":");
        jstr(id);
        printf(",\"payer\":\"medicare\"");
        const char *pat = get(first, c_pat);
        if (*pat) {
            printf(",\"patient\":{\"id\":");
            jstr(pat);
            for (size_t r = 0; r < el.nrows; r++) {
                const row *er = &el.rows[r];
                if (strcmp(get(er, e_pat), pat)) continue;
                const char *b = get(er, e_birth), *sx = get(er, e_sex);
                if (*b) { printf(",\"birth_date\":"); jstr(shift(b, years, d1)); }
                if (*sx) {
                    printf(",\"sex\":");
                    jstr(!strcmp(sx, "male") ? "M" : !strcmp(sx, "female") ? "F" : sx);
                }
                break;
            }
            putchar('}');
        }
        const char *bnpi = get(first, c_bnpi), *rnpi = get(first, c_rnpi), *pos = get(first, c_pos);
        if (*bnpi) { printf(",\"billing_provider\":{\"npi\":"); jstr(bnpi); putchar('}'); }
        if (*rnpi) { printf(",\"rendering_provider\":{\"npi\":"); jstr(rnpi); putchar('}'); }
        if (*pos) { printf(",\"place_of_service\":"); jstr(pos); }
        int ndx = 0;
        for (int i = 0; i < MAX_DX; i++) {
            const char *dx = get(first, c_dx[i]);
            if (!*dx) continue;
            printf(ndx++ ? "," : ",\"diagnoses\":[");
            jstr(dx);
        }
        if (ndx) putchar(']');

        printf(",\"lines\":[");
        for (size_t k = s; k < e; k++) {
            const row *r = &mc.rows[ix[k]];
            for (int i = 0; i < MAX_DX; i++)
                if (strcmp(get(r, c_dx[i]), get(first, c_dx[i]))) { warn_dx++; break; }
            if (k > s) putchar(',');
            printf("{\"code\":");
            jstr(get(r, c_code));
            int nm = 0;
            for (int i = 0; i < MAX_MODS; i++) {
                const char *m = get(r, c_mod[i]);
                if (!*m) continue;
                printf(nm++ ? "," : ",\"modifiers\":[");
                jstr(m);
            }
            if (nm) putchar(']');
            const char *u = get(r, c_units);
            if (*u) {
                /* a JSON number when it is one; otherwise a string, which
                 * the engine reports as the wrong type */
                char *end;
                strtod(u, &end);
                printf(",\"units\":");
                if (!*end && (isdigit((unsigned char)*u) || *u == '-')) fputs(u, stdout);
                else jstr(u);
            }
            const char *start = get(r, c_lstart), *lend = get(r, c_lend);
            if (!*start) start = get(r, c_cstart);
            if (*lend && strcmp(lend, start)) warn_range++;
            printf(",\"service_date\":");
            jstr(shift(start, years, d1));
            if (ndx) {
                printf(",\"diagnosis_pointers\":[");
                for (int i = 0; i < ndx && i < 4; i++) printf(i ? ",%d" : "%d", i + 1);
                putchar(']');
            }
            const char *ch = get(r, c_charge);
            if (*ch) { printf(",\"charge\":"); jstr(ch); }
            const char *lpos = get(r, c_pos);
            if (*lpos && strcmp(lpos, pos)) { printf(",\"place_of_service\":"); jstr(lpos); }
            putchar('}');
        }
        printf("]}\n");
        s = e;
    }
    if (warn_range)
        fprintf(stderr, "tuva2jsonl: warning: %zu lines end after they start; their start date is used\n",
                warn_range);
    if (warn_dx)
        fprintf(stderr, "tuva2jsonl: warning: %zu lines have other diagnoses than their claim's first line; "
                        "the first line's are used\n", warn_dx);
    free(ix);
    free_table(&mc);
    free_table(&el);
    return fflush(stdout) || ferror(stdout) ? 2 : 0;
}

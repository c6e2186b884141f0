/*
 * claim.c -- read one professional claim from JSON into a cs_claim.
 *
 * Every reader gets a `field` (the JSON value plus its path) and records
 * problems as "path: what is wrong".  No reader stops the claim at the first
 * problem: each fills what it can, reports the rest, and the caller carries
 * on, so one pass reports every problem (up to CS_MAX_INPUT_ERRORS).
 * docs/claim-format.md describes the accepted format; keep it in step.
 */
#include "claim.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PATH_LEN 160  /* longest path we build; input keys are cut to SHOW_MAX */
#define SHOW_MAX  32  /* bytes of a bad value quoted in a message */

/* ---- characters (ASCII only, independent of the locale) ---------------- */

static bool is_digit(int ch) { return ch >= '0' && ch <= '9'; }
static bool is_upper(int ch) { return ch >= 'A' && ch <= 'Z'; }
static bool is_lower(int ch) { return ch >= 'a' && ch <= 'z'; }
static bool is_print(int ch) { return ch >= 0x20 && ch <= 0x7e; }
static bool is_upper_alnum(int ch) { return is_digit(ch) || is_upper(ch); }
static bool is_slug(int ch)
{
    return is_lower(ch) || is_digit(ch) || ch == '-' || ch == '_';
}
static bool is_doc_key(int ch) { return is_lower(ch) || is_digit(ch) || ch == '_'; }
static bool is_space(int ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
           ch == '\f' || ch == '\v';
}

/* True when every byte of s satisfies ok (vacuously true for ""). */
static bool all_of(const char *s, bool (*ok)(int))
{
    for (; *s; s++)
        if (!ok((unsigned char)*s))
            return false;
    return true;
}

enum fold { AS_IS, UPPER, LOWER };

/* Copy s into out (cap bytes) without surrounding white space, folding ASCII
 * letters as asked.  False (out untouched) when the result does not fit. */
static bool normalise(const char *s, char *out, size_t cap, enum fold fold)
{
    while (is_space((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && is_space((unsigned char)s[n - 1]))
        n--;
    if (n >= cap)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (fold == UPPER && is_lower(ch)) ch = (char)(ch - 'a' + 'A');
        if (fold == LOWER && is_upper(ch)) ch = (char)(ch - 'A' + 'a');
        out[i] = ch;
    }
    out[n] = '\0';
    return true;
}

/* ---- problems ---------------------------------------------------------- */

void cs_input_error(cs_input_errors *errs, const char *fmt, ...)
{
    if (errs->n >= CS_MAX_INPUT_ERRORS) {
        errs->truncated = true;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errs->msg[errs->n], CS_MAX_ERROR_LEN, fmt, ap);
    va_end(ap);
    errs->n++;
}

/* Record "path: <fmt...>". */
static void problem(cs_input_errors *e, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(cs_input_errors *e, const char *path, const char *fmt, ...)
{
    char what[CS_MAX_ERROR_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    cs_input_error(e, "%s: %s", path, what);
}

/* A bad value as quoted in a message: bytes outside printable ASCII become
 * '?', values longer than SHOW_MAX bytes end in "...", "" is shown as "". */
typedef struct shown { char s[SHOW_MAX + 4]; } shown;

static shown show(const char *s)
{
    shown r;
    size_t n = 0;
    if (!*s) {
        memcpy(r.s, "\"\"", 3);
        return r;
    }
    for (; s[n] && n < SHOW_MAX; n++)
        r.s[n] = is_print((unsigned char)s[n]) ? s[n] : '?';
    if (s[n])
        memcpy(r.s + n, "...", 4);
    else
        r.s[n] = '\0';
    return r;
}

/* The JSON type of v as named in messages ("got string"). */
static const char *type_name(const cJSON *v)
{
    if (!v) return "nothing";
    if (cJSON_IsBool(v)) return "boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsNumber(v)) return "number";
    if (cJSON_IsString(v)) return "string";
    if (cJSON_IsArray(v)) return "array";
    if (cJSON_IsObject(v)) return "object";
    return "an unknown JSON type";
}

/* ---- fields: a value and its path ------------------------------------- */

typedef struct field {
    const cJSON *v;         /* NULL when absent (or JSON null in an object) */
    char path[PATH_LEN];    /* "lines[2].diagnosis_pointers[0]" */
} field;

/* Append s to the path out (PATH_LEN bytes), cutting it rather than
 * overflowing; real paths are far shorter than PATH_LEN. */
static void path_append(char *out, const char *s)
{
    size_t n = strlen(out), add = strlen(s);
    if (add > PATH_LEN - 1 - n)
        add = PATH_LEN - 1 - n;
    memcpy(out + n, s, add);
    out[n + add] = '\0';
}

/* out = base.key, or key at the root (base ""). */
static void path_key(char *out, const char *base, const char *key)
{
    out[0] = '\0';
    path_append(out, base);
    if (base[0])
        path_append(out, ".");
    path_append(out, key);
}

/* obj.key; JSON null counts as absent. */
static field get(const cJSON *obj, const char *base, const char *key)
{
    field f;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, key);
    f.v = cJSON_IsNull(m) ? NULL : m;
    path_key(f.path, base, key);
    return f;
}

/* Element i of an array, v; a null element stays a (wrongly typed) value. */
static field at(const cJSON *v, const char *base, int i)
{
    field f;
    char index[16];
    snprintf(index, sizeof index, "[%d]", i);
    f.v = v;
    f.path[0] = '\0';
    path_append(f.path, base);
    path_append(f.path, index);
    return f;
}

/* True when f has a value; reports a missing required one. */
static bool present(const field *f, bool required, cs_input_errors *e)
{
    if (!f->v && required)
        problem(e, f->path, "required field is missing");
    return f->v != NULL;
}

/* The string at f, or NULL (reported) when f holds another type. */
static const char *text(const field *f, cs_input_errors *e)
{
    if (cJSON_IsString(f->v) && f->v->valuestring)
        return f->v->valuestring;
    problem(e, f->path, "expected a string, got %s", type_name(f->v));
    return NULL;
}

/* True when member m of obj has a key that an earlier member also has. */
static bool seen_before(const cJSON *obj, const cJSON *m)
{
    for (const cJSON *p = obj->child; p && p != m; p = p->next)
        if (p->string && m->string && strcmp(p->string, m->string) == 0)
            return true;
    return false;
}

static bool is_known(const char *const *known, const char *key)
{
    for (; key && *known; known++)
        if (strcmp(*known, key) == 0)
            return true;
    return false;
}

/* Report members of obj not in known (NULL-terminated) and members given
 * twice: a misspelt field must never be silently ignored. */
static void check_fields(const cJSON *obj, const char *path,
                         const char *const *known, cs_input_errors *e)
{
    for (const cJSON *m = obj->child; m; m = m->next) {
        char p[PATH_LEN];
        path_key(p, path, show(m->string ? m->string : "").s);
        if (!is_known(known, m->string))
            problem(e, p, "unknown field");
        else if (seen_before(obj, m))
            problem(e, p, "field is given more than once");
    }
}

/* The object at f with its fields checked against known, or NULL when absent
 * (reported when required) or not an object (reported). */
static const cJSON *object_of(const field *f, bool required,
                              const char *const *known, cs_input_errors *e)
{
    if (!present(f, required, e))
        return NULL;
    if (!cJSON_IsObject(f->v)) {
        problem(e, f->path, "expected an object, got %s", type_name(f->v));
        return NULL;
    }
    check_fields(f->v, f->path, known, e);
    return f->v;
}

/* The array at f, or NULL when absent (reported when required) or not an
 * array (reported).  More than max elements is reported; callers still read
 * the first max. */
static const cJSON *array_of(const field *f, bool required, int max,
                             const char *noun, cs_input_errors *e)
{
    if (!present(f, required, e))
        return NULL;
    if (!cJSON_IsArray(f->v)) {
        problem(e, f->path, "expected an array, got %s", type_name(f->v));
        return NULL;
    }
    int n = cJSON_GetArraySize(f->v);
    if (n > max)
        problem(e, f->path, "has %d %s, at most %d allowed", n, noun, max);
    return f->v;
}

/* A JSON number with no fractional part into *out; anything else reported. */
static bool read_whole(const field *f, double *out, cs_input_errors *e)
{
    if (!cJSON_IsNumber(f->v)) {
        problem(e, f->path, "expected a whole number, got %s", type_name(f->v));
        return false;
    }
    double d = f->v->valuedouble;
    if (!isfinite(d) || d != floor(d)) {
        problem(e, f->path, "%.15g is not a whole number", d);
        return false;
    }
    *out = d;
    return true;
}

/* ---- dates ------------------------------------------------------------- */

enum date_status { DATE_OK, DATE_SHAPE, DATE_CALENDAR, DATE_RANGE };

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* Parse exactly "YYYY-MM-DD"; *d is set only when DATE_OK. */
static enum date_status date_check(const char *s, cs_date *d)
{
    static const char shape[] = "dddd-dd-dd";
    if (strlen(s) != sizeof shape - 1)
        return DATE_SHAPE;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? !is_digit((unsigned char)s[i]) : s[i] != '-')
            return DATE_SHAPE;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int dd = (s[8] - '0') * 10 + (s[9] - '0');
    if (m < 1 || m > 12 || dd < 1 || dd > days_in_month(y, m))
        return DATE_CALENDAR;
    if (y < 1900 || y > 2099)
        return DATE_RANGE;
    *d = y * 10000 + m * 100 + dd;
    return DATE_OK;
}

bool cs_date_parse(const char *s, cs_date *d)
{
    return s && date_check(s, d) == DATE_OK;
}

/* Writes the digits of d's year, month and day fields; 0 gives "0000-00-00". */
void cs_date_format(cs_date d, char *buf)
{
    uint32_t v = d < 0 ? 0 : (uint32_t)d;
    unsigned y = v / 10000 % 10000, m = v / 100 % 100, dd = v % 100;
    buf[0] = (char)('0' + y / 1000);
    buf[1] = (char)('0' + y / 100 % 10);
    buf[2] = (char)('0' + y / 10 % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + dd / 10);
    buf[9] = (char)('0' + dd % 10);
    buf[10] = '\0';
}

/* d must be a valid date (proleptic Gregorian; days_from_civil). */
int32_t cs_date_days(cs_date d)
{
    int32_t y = d / 10000, m = d / 100 % 100, dd = d % 100;
    y -= m <= 2;
    int32_t era = (y >= 0 ? y : y - 399) / 400;
    int32_t yoe = y - era * 400;
    int32_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
    int32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* A date at f: exactly YYYY-MM-DD, a real calendar date in 1900..2099. */
static void read_date(const field *f, bool required, cs_date *out,
                      cs_input_errors *e)
{
    if (!present(f, required, e))
        return;
    const char *s = text(f, e);
    if (!s)
        return;
    switch (date_check(s, out)) {
    case DATE_OK:
        break;
    case DATE_SHAPE:
        problem(e, f->path, "%s is not a date in YYYY-MM-DD form", show(s).s);
        break;
    case DATE_CALENDAR:
        problem(e, f->path, "%s is not a calendar date", s);
        break;
    case DATE_RANGE:
        problem(e, f->path, "%s is outside 1900-01-01..2099-12-31", s);
        break;
    }
}

/* ---- money ------------------------------------------------------------- */

#define WHY_TOO_BIG "is more than the maximum 99999999.99"
#define WHY_DECIMALS "has more than two decimals"

/* Why s, which is not a valid amount from position p on, is rejected. */
static const char *money_why(const char *s, const char *p)
{
    if (p > s && (*p == 'e' || *p == 'E'))
        return "has an exponent";
    for (const char *q = s; *q; q++)
        if (is_space((unsigned char)*q))
            return "contains white space";
    return "is not a decimal amount";
}

bool cs_money_parse(const char *s, int64_t *cents, const char **why)
{
    const char *dummy, *p = s;
    int64_t whole = 0, frac = 0;
    int nwhole = 0, nfrac = 0;
    if (!why) why = &dummy;
    if (!s || !*s) { *why = "is empty"; return false; }
    if (*s == '+' || *s == '-') { *why = "has a sign"; return false; }
    for (; is_digit((unsigned char)*p); p++, nwhole++) {
        whole = whole * 10 + (*p - '0');
        if (whole > CS_MAX_CHARGE_CENTS / 100) { *why = WHY_TOO_BIG; return false; }
    }
    if (*p == '.')
        for (p++; is_digit((unsigned char)*p); p++, nfrac++)
            if (nfrac < 2) frac = frac * 10 + (*p - '0');
    if (*p || nwhole == 0 || (p[-1] == '.')) { *why = money_why(s, p); return false; }
    if (nfrac > 2) { *why = WHY_DECIMALS; return false; }
    int64_t c = whole * 100 + (nfrac == 1 ? frac * 10 : frac);
    if (c > CS_MAX_CHARGE_CENTS) { *why = WHY_TOO_BIG; return false; }
    *cents = c;
    return true;
}

/* A JSON number (cJSON hands us a double) to cents: the nearest whole number
 * of cents, accepted only when d*100 is within 1e-6 of it, so 125.005 is
 * "more than two decimals" while 0.1 (really 0.1000000000000000055) is 10. */
static bool money_from_double(double d, int64_t *cents, const char **why)
{
    if (!isfinite(d)) { *why = "is not a finite amount"; return false; }
    if (d < 0) { *why = "is negative"; return false; }
    if (d * 100 > (double)CS_MAX_CHARGE_CENTS + 0.5) { *why = WHY_TOO_BIG; return false; }
    long long c = llround(d * 100);
    if (fabs(d * 100 - (double)c) >= 1e-6) { *why = WHY_DECIMALS; return false; }
    if (c > CS_MAX_CHARGE_CENTS) { *why = WHY_TOO_BIG; return false; }
    *cents = c;
    return true;
}

void cs_money_format(int64_t cents, char *buf)
{
    uint64_t mag = cents < 0 ? 0 - (uint64_t)cents : (uint64_t)cents;
    snprintf(buf, 24, "%s%llu.%02u", cents < 0 ? "-" : "",
             (unsigned long long)(mag / 100), (unsigned)(mag % 100));
}

/* ---- codes ------------------------------------------------------------- */

/* A code of exactly len characters, each accepted by ok, after trimming and
 * upper-casing ("what" names it in the message); out (len + 1 bytes) is
 * written only when the code is valid. */
static bool read_fixed(const field *f, bool required, size_t len,
                       bool (*ok)(int), const char *what, char *out,
                       cs_input_errors *e)
{
    if (!present(f, required, e))
        return false;
    const char *s = text(f, e);
    if (!s)
        return false;
    char buf[16];
    if (!normalise(s, buf, sizeof buf, UPPER) || strlen(buf) != len ||
        !all_of(buf, ok)) {
        problem(e, f->path, "%s is not %s", show(s).s, what);
        return false;
    }
    memcpy(out, buf, len + 1);
    return true;
}

#define ICD_SHAPE "is not an ICD-10-CM code (a letter, a digit, then 1 to 5 letters or digits)"

/* ICD-10-CM to its dotted form ("j029" -> "J02.9", "I10" stays); NULL on
 * success, else why not.  out has 9 bytes. */
static const char *icd10_normalise(const char *s, char *out)
{
    char raw[10], bare[8];
    size_t n = 0;
    if (!normalise(s, raw, sizeof raw, UPPER))
        return ICD_SHAPE;
    const char *dot = strchr(raw, '.');
    if (dot && (dot != raw + 3 || strchr(dot + 1, '.')))
        return "has a dot that is not after the third character";
    if (dot && !dot[1])
        return "ends in a dot";
    for (const char *p = raw; *p; p++) {
        if (*p == '.') continue;
        if (n == 7) return ICD_SHAPE;
        bare[n++] = *p;
    }
    bare[n] = '\0';
    if (n < 3 || !is_upper(bare[0]) || !is_digit(bare[1]) ||
        !all_of(bare + 2, is_upper_alnum))
        return ICD_SHAPE;
    memcpy(out, bare, 3);
    out[3] = '\0';
    if (n > 3) {
        out[3] = '.';
        memcpy(out + 4, bare + 3, n - 3 + 1);
    }
    return NULL;
}

/* NDC to 11 digits (5-4-2 without hyphens): 11 plain digits, or hyphenated
 * 5-4-2, 4-4-2, 5-3-2 or 5-4-1 with the one short segment zero-padded on the
 * left.  out (12 bytes) is written only on success. */
static bool ndc_normalise(const char *s, char *out)
{
    static const size_t width[3] = {5, 4, 2};
    char buf[16], res[12];
    if (!normalise(s, buf, sizeof buf, AS_IS))
        return false;
    if (!strchr(buf, '-')) {
        if (strlen(buf) != 11 || !all_of(buf, is_digit))
            return false;
        memcpy(out, buf, 12);
        return true;
    }
    const char *seg = buf;
    size_t total = 0, o = 0;
    for (int k = 0; k < 3; k++) {
        size_t len = strspn(seg, "0123456789");
        if (len > width[k] || len + 1 < width[k] || seg[len] != (k < 2 ? '-' : '\0'))
            return false;
        for (size_t pad = len; pad < width[k]; pad++)
            res[o++] = '0';
        memcpy(res + o, seg, len);
        o += len;
        total += len;
        seg += len + 1;
    }
    if (total < 10)             /* at most one segment may be short */
        return false;
    res[11] = '\0';
    memcpy(out, res, 12);
    return true;
}

/* NPI check digit: Luhn over "80840" followed by the first nine digits; the
 * prefix always contributes 24.  npi is 10 digits. */
static bool npi_valid(const char *npi)
{
    int sum = 24;
    for (int i = 0; i < 9; i++) {
        int d = npi[i] - '0';
        if (i % 2 == 0) {
            d *= 2;
            if (d > 9) d -= 9;
        }
        sum += d;
    }
    return (10 - sum % 10) % 10 == npi[9] - '0';
}

/* ---- claim-level fields ------------------------------------------------ */

static const char *const ROOT_FIELDS[] = {
    "id", "payer", "client", "patient", "billing_provider",
    "rendering_provider", "supervising_provider", "place_of_service",
    "diagnoses", "documentation", "lines", NULL};
static const char *const PATIENT_FIELDS[] = {"id", "birth_date", "sex", NULL};
static const char *const PROVIDER_FIELDS[] = {"npi", "taxonomy", NULL};
static const char *const LINE_FIELDS[] = {
    "code", "modifiers", "units", "service_date", "diagnosis_pointers",
    "charge", "route", "ndc", "place_of_service", "measurements", NULL};
static const char *const MEASUREMENT_FIELDS[] = {"type", "value", NULL};

/* An id (claim, patient): 1..CS_MAX_ID_LEN bytes of printable ASCII, kept
 * as given.  out (CS_MAX_ID_LEN + 1 bytes) is written only when valid. */
static bool read_id(const field *f, bool required, char *out, cs_input_errors *e)
{
    if (!present(f, required, e))
        return false;
    const char *s = text(f, e);
    if (!s)
        return false;
    size_t n = strlen(s);
    if (n == 0)
        problem(e, f->path, "must not be empty");
    else if (n > CS_MAX_ID_LEN)
        problem(e, f->path, "%s is too long (%zu characters, at most %d)",
                show(s).s, n, CS_MAX_ID_LEN);
    else if (!all_of(s, is_print))
        problem(e, f->path, "%s has characters that are not printable ASCII",
                show(s).s);
    else {
        memcpy(out, s, n + 1);
        return true;
    }
    return false;
}

/* A payer or client id: trimmed, lower-cased, [a-z0-9_-], 1..CS_MAX_ID_LEN. */
static void read_slug(const field *f, bool required, char *out,
                      cs_input_errors *e)
{
    if (!present(f, required, e))
        return;
    const char *s = text(f, e);
    if (!s)
        return;
    char buf[CS_MAX_ID_LEN + 1];
    if (!normalise(s, buf, sizeof buf, LOWER))
        problem(e, f->path, "%s is too long (at most %d characters)",
                show(s).s, CS_MAX_ID_LEN);
    else if (!buf[0])
        problem(e, f->path, "must not be empty");
    else if (!all_of(buf, is_slug))
        problem(e, f->path, "%s may only use letters, digits, - and _", show(s).s);
    else
        memcpy(out, buf, strlen(buf) + 1);
}

static void read_sex(const field *f, char *out, cs_input_errors *e)
{
    if (!present(f, false, e))
        return;
    const char *s = text(f, e);
    if (!s)
        return;
    char buf[4];
    if (!normalise(s, buf, sizeof buf, UPPER) || strlen(buf) != 1 ||
        !strchr("FMU", buf[0]))
        problem(e, f->path, "%s is not F, M or U", show(s).s);
    else
        *out = buf[0];
}

static void read_patient(const cJSON *root, cs_claim *c, cs_input_errors *e)
{
    field f = get(root, "", "patient");
    const cJSON *p = object_of(&f, false, PATIENT_FIELDS, e);
    if (!p)
        return;
    c->has_patient = true;
    field id = get(p, f.path, "id");
    read_id(&id, false, c->patient_id, e);
    field birth = get(p, f.path, "birth_date");
    read_date(&birth, false, &c->patient_birth_date, e);
    field sex = get(p, f.path, "sex");
    read_sex(&sex, &c->patient_sex, e);
}

/* A provider object: npi required (10 digits, valid check digit), taxonomy
 * optional (10 characters). */
static void read_provider(const cJSON *root, const char *key, cs_provider *pv,
                          cs_input_errors *e)
{
    field f = get(root, "", key);
    const cJSON *o = object_of(&f, false, PROVIDER_FIELDS, e);
    if (!o)
        return;
    pv->present = true;
    field npi = get(o, f.path, "npi");
    char buf[11];
    if (read_fixed(&npi, true, 10, is_digit, "a 10-digit NPI", buf, e)) {
        if (npi_valid(buf))
            memcpy(pv->npi, buf, sizeof buf);
        else
            problem(e, npi.path, "%s fails the NPI check digit", buf);
    }
    field tax = get(o, f.path, "taxonomy");
    read_fixed(&tax, false, 10, is_upper_alnum, "a 10-character taxonomy code",
               pv->taxonomy, e);
}

/* One diagnosis, diagnoses[i]; an earlier equal code is a problem. */
static void read_diagnosis(const field *f, cs_claim *c, int i, cs_input_errors *e)
{
    const char *s = text(f, e);
    if (!s)
        return;
    char code[9];
    const char *why = icd10_normalise(s, code);
    if (why) {
        problem(e, f->path, "%s %s", show(s).s, why);
        return;
    }
    for (int j = 0; j < i; j++)
        if (strcmp(c->diagnoses[j], code) == 0) {
            problem(e, f->path, "%s is already diagnoses[%d]", code, j);
            return;
        }
    memcpy(c->diagnoses[i], code, sizeof code);
}

/* c->ndiagnoses counts the entries given (at most CS_MAX_DIAGNOSES), so
 * diagnosis pointers are checked against the positions the sender used; a
 * bad entry leaves its slot "" (the claim is then invalid anyway). */
static void read_diagnoses(const cJSON *root, cs_claim *c, cs_input_errors *e)
{
    field f = get(root, "", "diagnoses");
    const cJSON *a = array_of(&f, false, CS_MAX_DIAGNOSES, "codes", e);
    if (!a)
        return;
    int i = 0;
    for (const cJSON *v = a->child; v && i < CS_MAX_DIAGNOSES; v = v->next, i++) {
        field d = at(v, f.path, i);
        read_diagnosis(&d, c, i, e);
    }
    c->ndiagnoses = i;
}

/* documentation.<key>: a string (at most CS_MAX_DOC_VALUE bytes, kept as given)
 * or a boolean (kept as "true"/"false"); null means absent. */
static void read_docfield(const cJSON *obj, const cJSON *m, cs_claim *c,
                          cs_input_errors *e)
{
    const char *key = m->string ? m->string : "";
    char p[PATH_LEN];
    path_key(p, "documentation", show(key).s);
    if (!key[0] || strlen(key) > CS_MAX_DOC_KEY || !all_of(key, is_doc_key)) {
        problem(e, p, "is not a valid key (1 to %d of a-z, 0-9 and _)", CS_MAX_DOC_KEY);
        return;
    }
    if (seen_before(obj, m)) {
        problem(e, p, "field is given more than once");
        return;
    }
    const char *value;
    if (cJSON_IsNull(m))
        return;
    if (cJSON_IsBool(m))
        value = cJSON_IsTrue(m) ? "true" : "false";
    else if (cJSON_IsString(m) && m->valuestring)
        value = m->valuestring;
    else {
        problem(e, p, "expected a string or a boolean, got %s", type_name(m));
        return;
    }
    size_t n = strlen(value);
    if (n > CS_MAX_DOC_VALUE) {
        problem(e, p, "is too long (%zu bytes, at most %d)", n, CS_MAX_DOC_VALUE);
        return;
    }
    cs_docfield *d = &c->documentation[c->ndocumentation++];
    memcpy(d->key, key, strlen(key) + 1);
    memcpy(d->value, value, n + 1);
}

static void read_documentation(const cJSON *root, cs_claim *c, cs_input_errors *e)
{
    field f = get(root, "", "documentation");
    if (!present(&f, false, e))
        return;
    if (!cJSON_IsObject(f.v)) {
        problem(e, f.path, "expected an object, got %s", type_name(f.v));
        return;
    }
    c->has_documentation = true;
    int n = cJSON_GetArraySize(f.v), i = 0;
    if (n > CS_MAX_DOC_FIELDS)
        problem(e, f.path, "has %d fields, at most %d allowed", n, CS_MAX_DOC_FIELDS);
    for (const cJSON *m = f.v->child; m && i < CS_MAX_DOC_FIELDS; m = m->next, i++)
        read_docfield(f.v, m, c, e);
}

/* ---- service lines ----------------------------------------------------- */

/* Modifiers: up to CS_MAX_MODIFIERS 2-character codes, no repeats. */
static void read_modifiers(const cJSON *l, const char *path, cs_line *line,
                           cs_input_errors *e)
{
    field f = get(l, path, "modifiers");
    const cJSON *a = array_of(&f, false, CS_MAX_MODIFIERS, "modifiers", e);
    int from[CS_MAX_MODIFIERS], i = 0;   /* input position of each kept one */
    if (!a)
        return;
    for (const cJSON *v = a->child; v && i < CS_MAX_MODIFIERS; v = v->next, i++) {
        field m = at(v, f.path, i);
        char mod[3];
        if (!read_fixed(&m, true, 2, is_upper_alnum, "a 2-character modifier", mod, e))
            continue;
        int j = 0;
        while (j < line->nmodifiers && strcmp(line->modifiers[j], mod) != 0)
            j++;
        if (j < line->nmodifiers) {
            problem(e, m.path, "%s is already modifiers[%d]", mod, from[j]);
            continue;
        }
        from[line->nmodifiers] = i;
        memcpy(line->modifiers[line->nmodifiers++], mod, sizeof mod);
    }
}

static void read_units(const field *f, int32_t *out, cs_input_errors *e)
{
    double d;
    if (!present(f, true, e) || !read_whole(f, &d, e))
        return;
    if (d < 0)
        problem(e, f->path, "%.15g is negative", d);
    else if (d < 1)
        problem(e, f->path, "must be at least 1, got 0");
    else if (d > CS_MAX_UNITS)
        problem(e, f->path, "%.15g is more than the maximum %d", d, CS_MAX_UNITS);
    else
        *out = (int32_t)d;
}

/* Diagnosis pointers: up to CS_MAX_POINTERS 1-based positions in the
 * claim's diagnoses (ndiag of them), no repeats. */
static void read_pointers(const cJSON *l, const char *path, int ndiag,
                          cs_line *line, cs_input_errors *e)
{
    field f = get(l, path, "diagnosis_pointers");
    const cJSON *a = array_of(&f, false, CS_MAX_POINTERS, "pointers", e);
    int i = 0;
    if (!a)
        return;
    for (const cJSON *v = a->child; v && i < CS_MAX_POINTERS; v = v->next, i++) {
        field p = at(v, f.path, i);
        double d;
        if (!read_whole(&p, &d, e))
            continue;
        if (d < 1) {
            problem(e, p.path, "%.15g is not a diagnosis number (they start at 1)", d);
            continue;
        }
        if (d > ndiag) {
            problem(e, p.path, "points at diagnosis %.15g but the claim has %d", d, ndiag);
            continue;
        }
        int j = 0;
        while (j < line->npointers && line->pointers[j] != (uint8_t)d)
            j++;
        if (j < line->npointers)
            problem(e, p.path, "diagnosis %.15g is already pointed at", d);
        else
            line->pointers[line->npointers++] = (uint8_t)d;
    }
}

/* Charge: a JSON number or a decimal string, kept as cents. */
static void read_charge(const field *f, cs_line *line, cs_input_errors *e)
{
    const char *why;
    int64_t cents = 0;
    if (!present(f, false, e))
        return;
    if (cJSON_IsString(f->v) && f->v->valuestring) {
        const char *s = f->v->valuestring;
        if (!cs_money_parse(s, &cents, &why)) {
            problem(e, f->path, "%s %s", show(s).s, why);
            return;
        }
    } else if (cJSON_IsNumber(f->v)) {
        if (!money_from_double(f->v->valuedouble, &cents, &why)) {
            problem(e, f->path, "%.15g %s", f->v->valuedouble, why);
            return;
        }
    } else {
        problem(e, f->path, "expected a number or a decimal string, got %s",
                type_name(f->v));
        return;
    }
    line->charge = cents;
    line->has_charge = true;
}

/* Route: upper-cased letters, 1..8; SUBQ, SQ and SUB-Q become SC. */
static void read_route(const field *f, char *out, cs_input_errors *e)
{
    if (!present(f, false, e))
        return;
    const char *s = text(f, e);
    if (!s)
        return;
    char buf[16];
    bool fits = normalise(s, buf, sizeof buf, UPPER);
    if (fits && (!strcmp(buf, "SUBQ") || !strcmp(buf, "SQ") || !strcmp(buf, "SUB-Q")))
        memcpy(buf, "SC", 3);
    if (!fits || !buf[0] || strlen(buf) > 8 || !all_of(buf, is_upper)) {
        problem(e, f->path, "%s is not a route (1 to 8 letters, such as IM, IV or SC)",
                show(s).s);
        return;
    }
    memcpy(out, buf, strlen(buf) + 1);
}

static void read_ndc(const field *f, char *out, cs_input_errors *e)
{
    if (!present(f, false, e))
        return;
    const char *s = text(f, e);
    if (s && !ndc_normalise(s, out))
        problem(e, f->path, "%s is not an NDC (11 digits, or 5-4-2, 4-4-2, "
                "5-3-2 or 5-4-1 with hyphens)", show(s).s);
}

/* One measurement object {type, value}; appended when both are valid. */
static void read_measurement(const field *f, cs_line *line, cs_input_errors *e)
{
    const cJSON *o = object_of(f, true, MEASUREMENT_FIELDS, e);
    if (!o)
        return;
    cs_measurement m = {{0}, 0};
    field type = get(o, f->path, "type");
    bool ok = read_fixed(&type, true, 2, is_upper_alnum,
                         "a 2-character measurement type such as R1", m.type, e);
    field value = get(o, f->path, "value");
    if (!present(&value, true, e))
        return;
    if (!cJSON_IsNumber(value.v) || !isfinite(value.v->valuedouble)) {
        problem(e, value.path, "expected a number, got %s", type_name(value.v));
        return;
    }
    m.value = value.v->valuedouble;
    if (ok)
        line->measurements[line->nmeasurements++] = m;
}

static void read_measurements(const cJSON *l, const char *path, cs_line *line,
                              cs_input_errors *e)
{
    field f = get(l, path, "measurements");
    const cJSON *a = array_of(&f, false, CS_MAX_MEASUREMENTS, "measurements", e);
    int i = 0;
    if (!a)
        return;
    for (const cJSON *v = a->child; v && i < CS_MAX_MEASUREMENTS; v = v->next, i++) {
        field m = at(v, f.path, i);
        read_measurement(&m, line, e);
    }
}

/* One service line at path; diagnoses must already be read. */
static void read_line(const field *f, const cs_claim *c, cs_line *line,
                      cs_input_errors *e)
{
    const cJSON *l = object_of(f, true, LINE_FIELDS, e);
    if (!l)
        return;
    const char *path = f->path;
    field code = get(l, path, "code");
    read_fixed(&code, true, 5, is_upper_alnum,
               "a 5-character procedure code", line->code, e);
    read_modifiers(l, path, line, e);
    field units = get(l, path, "units");
    read_units(&units, &line->units, e);
    field date = get(l, path, "service_date");
    read_date(&date, true, &line->service_date, e);
    read_pointers(l, path, c->ndiagnoses, line, e);
    field charge = get(l, path, "charge");
    read_charge(&charge, line, e);
    field route = get(l, path, "route");
    read_route(&route, line->route, e);
    field ndc = get(l, path, "ndc");
    read_ndc(&ndc, line->ndc, e);
    field pos = get(l, path, "place_of_service");
    read_fixed(&pos, false, 2, is_digit, "a 2-digit place of service code",
               line->place_of_service, e);
    read_measurements(l, path, line, e);
}

static void read_lines(const cJSON *root, cs_claim *c, cs_input_errors *e)
{
    field f = get(root, "", "lines");
    const cJSON *a = array_of(&f, true, CS_MAX_LINES, "lines", e);
    int i = 0;
    if (!a)
        return;
    if (!a->child)
        problem(e, f.path, "must have at least one line");
    for (const cJSON *v = a->child; v && i < CS_MAX_LINES; v = v->next, i++) {
        field l = at(v, f.path, i);
        read_line(&l, c, &c->lines[i], e);
    }
    c->nlines = i;
}

/* The patient cannot be born after a service; reported once. */
static void check_birth_date(const cs_claim *c, cs_input_errors *e)
{
    if (!c->patient_birth_date)
        return;
    for (int i = 0; i < c->nlines; i++) {
        cs_date s = c->lines[i].service_date;
        if (s && s < c->patient_birth_date) {
            char birth[11], service[11];
            cs_date_format(c->patient_birth_date, birth);
            cs_date_format(s, service);
            problem(e, "patient.birth_date",
                    "%s is after the service date %s of lines[%d]", birth, service, i);
            return;
        }
    }
}

/* Resets *c and *errs, then reads root.  The id is read first so that
 * c->id/has_id are set whenever the id itself is fine. */
bool cs_claim_from_json(const cJSON *root, cs_claim *c, cs_input_errors *errs,
                        bool require_payer)
{
    memset(c, 0, sizeof *c);
    memset(errs, 0, sizeof *errs);
    if (!cJSON_IsObject(root)) {
        cs_input_error(errs, "claim: expected an object, got %s", type_name(root));
        return false;
    }
    field id = get(root, "", "id");
    c->has_id = read_id(&id, true, c->id, errs);
    check_fields(root, "", ROOT_FIELDS, errs);
    field payer = get(root, "", "payer"), client = get(root, "", "client");
    read_slug(&payer, require_payer, c->payer, errs);
    read_slug(&client, false, c->client, errs);
    read_patient(root, c, errs);
    read_provider(root, "billing_provider", &c->billing, errs);
    read_provider(root, "rendering_provider", &c->rendering, errs);
    read_provider(root, "supervising_provider", &c->supervising, errs);
    field pos = get(root, "", "place_of_service");
    read_fixed(&pos, false, 2, is_digit, "a 2-digit place of service code",
               c->place_of_service, errs);
    read_diagnoses(root, c, errs);
    read_documentation(root, c, errs);
    read_lines(root, c, errs);
    check_birth_date(c, errs);
    return errs->n == 0 && !errs->truncated;
}

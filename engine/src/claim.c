/*
 * claim.c -- read one professional claim from JSON into a cs_claim.
 *
 * Every reader gets a `field` (the JSON value plus its path) and records
 * problems as "path: what is wrong".  No reader stops the claim at the first
 * problem: each fills what it can, reports the rest, and the caller carries
 * on, so one pass reports every problem (up to CS_MAX_INPUT_ERRORS).
 * A valid claim costs one walk over each object's members and no formatting:
 * paths and messages are only made into text when a problem is reported.
 * docs/claim-format.md describes the accepted format; keep it in step.
 */
#include "claim.h"
#include "claimscrub.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
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
static bool is_space(int ch)   /* ' ', \t \n \v \f \r */
{
    return ch == ' ' || (ch >= '\t' && ch <= '\r');
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

/* Copy s into out (cap bytes, at most INT_MAX) without surrounding white
 * space, folding ASCII letters as asked, in one pass over s.  Returns the
 * length of the result, or -1 when it does not fit (out then holds junk). */
static int normalise(const char *s, char *out, size_t cap, enum fold fold)
{
    while (is_space((unsigned char)*s))
        s++;
    size_t i = 0, end = 0;      /* end: just after the last non-space */
    for (; s[i]; i++) {
        char ch = s[i];
        if (!is_space((unsigned char)ch))
            end = i + 1;
        if (i >= cap)
            continue;
        if (fold == UPPER && is_lower(ch)) ch = (char)(ch - 'a' + 'A');
        if (fold == LOWER && is_upper(ch)) ch = (char)(ch - 'A' + 'a');
        out[i] = ch;
    }
    if (end >= cap)
        return -1;
    out[end] = '\0';
    return (int)end;
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

/* True when v has JSON type `type` (cJSON_String, ...); false for NULL.  As
 * cJSON_IsString() and friends, inline: the type is the low byte of v->type,
 * the rest holds flags. */
static bool is_type(const cJSON *v, int type)
{
    return v && (v->type & 0xFF) == type;
}

/* ---- paths: where a value is ------------------------------------------ */

/* The place of a value in the claim as a chain of steps back to the claim
 * itself.  Readers build it on the stack as they descend, which costs
 * nothing; it becomes text ("lines[2].diagnosis_pointers[0]") only when a
 * problem is reported. */
typedef struct path {
    const struct path *up;  /* the enclosing value; NULL for the claim */
    const char *key;        /* member name, or NULL for element `index` */
    int index;
} path;

static const path CLAIM_PATH = {NULL, NULL, 0};

/* Append s to the path text out (PATH_LEN bytes, n used), cutting it rather
 * than overflowing; real paths are far shorter than PATH_LEN.  Returns the
 * new length. */
static size_t path_append(char *out, size_t n, const char *s)
{
    size_t add = strlen(s);
    if (add > PATH_LEN - 1 - n)
        add = PATH_LEN - 1 - n;
    memcpy(out + n, s, add);
    out[n + add] = '\0';
    return n + add;
}

/* Write p into out (PATH_LEN bytes): "" for the claim, "key" at its top,
 * then ".key" and "[i]" steps.  Keys are written as show() quotes them, so a
 * long or unprintable input key is cut and masked (known keys are short and
 * printable, so they stay as they are).  Returns the length. */
static size_t path_text(const path *p, char *out)
{
    if (!p->up) {
        out[0] = '\0';
        return 0;
    }
    size_t n = path_text(p->up, out);
    if (p->key) {
        if (n)
            n = path_append(out, n, ".");
        return path_append(out, n, show(p->key).s);
    }
    char index[16];
    snprintf(index, sizeof index, "[%d]", p->index);
    return path_append(out, n, index);
}

/* Record "path: <fmt...>". */
static void problem(cs_input_errors *e, const path *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "path: <fmt...>" into out (CS_MAX_ERROR_LEN bytes). */
static void at_text(char *out, const path *at, const char *fmt, va_list ap)
{
    char where[PATH_LEN], what[CS_MAX_ERROR_LEN];
    path_text(at, where);
    vsnprintf(what, sizeof what, fmt, ap);
    snprintf(out, CS_MAX_ERROR_LEN, "%s: %s", where, what);
}

static void problem(cs_input_errors *e, const path *at, const char *fmt, ...)
{
    char msg[CS_MAX_ERROR_LEN];
    va_list ap;
    va_start(ap, fmt);
    at_text(msg, at, fmt, ap);
    va_end(ap);
    cs_input_error(e, "%s", msg);
}

/* The 1-based service line a path is inside (lines[i]...), or 0. */
static int line_of(const path *p)
{
    for (; p && p->up; p = p->up)
        if (!p->key && p->up->key && p->up->up && !p->up->up->up &&
            strcmp(p->up->key, "lines") == 0)
            return p->index + 1;
    return 0;
}

/* Record a readable problem, "path: <fmt...>", as finding `rule` of
 * `severity` on the line the path is in (or the claim). */
static void note(cs_input_errors *e, const path *at, const char *rule, int severity,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void note(cs_input_errors *e, const path *at, const char *rule, int severity,
                 const char *fmt, ...)
{
    if (e->nnotes >= CS_MAX_INPUT_NOTES) {
        e->notes_truncated = true;
        return;
    }
    cs_input_note *n = &e->notes[e->nnotes++];
    va_list ap;
    va_start(ap, fmt);
    at_text(n->msg, at, fmt, ap);
    va_end(ap);
    n->rule = rule;
    n->severity = severity;
    n->line = line_of(at);
}

/* ---- fields: a value and its path ------------------------------------- */

typedef struct field {
    const cJSON *v;         /* NULL when absent (or JSON null in an object) */
    path at;                /* where v is, or would be */
} field;

/* Element i of the array at up; a null element stays a (wrongly typed)
 * value.  up must outlive the field. */
static field element(const cJSON *v, const path *up, int i)
{
    field f = {v, {up, NULL, i}};
    return f;
}

#define MAX_MEMBERS 11  /* known members of the largest object, the claim */

/* An object with its members indexed by name, so reading one costs no
 * search: slot[i] is the first member called names[i], the one that
 * cJSON_GetObjectItemCaseSensitive() would find. */
typedef struct object {
    const cJSON *v;
    const path *at;                 /* where v is; must outlive the object */
    const char *const *names;       /* the known member names, n of them */
    int n;
    const cJSON *slot[MAX_MEMBERS]; /* NULL: no such member */
} object;

/* Member i of o (named o->names[i]); JSON null counts as absent. */
static field member(const object *o, int i)
{
    const cJSON *v = o->slot[i];
    field f = {is_type(v, cJSON_NULL) ? NULL : v, {o->at, o->names[i], 0}};
    return f;
}

/* True when a and b are the same string. */
static bool same(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

/* The index of key in names[0..n), or -1.  The search starts at hint and
 * wraps around: senders mostly write members in the documented order, so
 * the slot after the previous member's usually matches first time. */
static int name_index(const char *const *names, int n, const char *key, int hint)
{
    for (int k = 0, i = hint; k < n; k++, i = i + 1 < n ? i + 1 : 0)
        if (names[i] == key || (names[i][0] == key[0] && same(names[i], key)))
            return i;
    return -1;
}

/* Set o up for the object v at `at` and index its members against names (n
 * of them, at most MAX_MEMBERS) in one pass.  Returns false when a member is
 * unknown or repeated: report_members() says which.  A member without a name
 * (never made by the parser) is unknown and, as for cJSON's lookup, hides
 * the members after it. */
static bool index_members(object *o, const cJSON *v, const path *at,
                          const char *const *names, int n)
{
    unsigned seen = 0;          /* bit i: names[i] was given */
    bool clean = true, findable = true;
    int hint = 0;
    o->v = v;
    o->at = at;
    o->names = names;
    o->n = n;
    for (int i = 0; i < n; i++)
        o->slot[i] = NULL;
    for (const cJSON *m = v->child; m; m = m->next) {
        if (!m->string) {
            clean = findable = false;
            continue;
        }
        int i = name_index(names, n, m->string, hint);
        if (i < 0 || (seen & 1u << i)) {
            clean = false;
            continue;
        }
        seen |= 1u << i;
        if (findable)
            o->slot[i] = m;
        hint = i + 1 < n ? i + 1 : 0;
    }
    return clean;
}

/* Report, in input order, members of o that are unknown or given twice: a
 * misspelt field must never be silently ignored. */
static void report_members(const object *o, cs_input_errors *e)
{
    unsigned seen = 0;
    for (const cJSON *m = o->v->child; m; m = m->next) {
        path p = {o->at, m->string ? m->string : "", 0};
        int i = m->string ? name_index(o->names, o->n, m->string, 0) : -1;
        if (i < 0)
            problem(e, &p, "unknown field");
        else if (seen & 1u << i)
            problem(e, &p, "field is given more than once");
        else
            seen |= 1u << i;
    }
}

/* True when f has a value; reports a missing required one. */
static bool present(const field *f, bool required, cs_input_errors *e)
{
    if (!f->v && required)
        problem(e, &f->at, "required field is missing");
    return f->v != NULL;
}

/* The string at f, or NULL (reported) when f holds another type. */
static const char *text(const field *f, cs_input_errors *e)
{
    if (is_type(f->v, cJSON_String) && f->v->valuestring)
        return f->v->valuestring;
    problem(e, &f->at, "expected a string, got %s", type_name(f->v));
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

/* The object at f into *o, its members indexed against names (n of them)
 * and unknown or repeated ones reported.  False when absent (reported when
 * required) or not an object (reported).  f must outlive *o. */
static bool object_of(const field *f, bool required, const char *const *names,
                      int n, object *o, cs_input_errors *e)
{
    if (!present(f, required, e))
        return false;
    if (!is_type(f->v, cJSON_Object)) {
        problem(e, &f->at, "expected an object, got %s", type_name(f->v));
        return false;
    }
    if (!index_members(o, f->v, &f->at, names, n))
        report_members(o, e);
    return true;
}

/* The number of elements (or members) of v. */
static int count(const cJSON *v)
{
    int n = 0;
    for (const cJSON *m = v->child; m; m = m->next)
        n++;
    return n;
}

/* The array at f, or NULL when absent (reported when required) or not an
 * array (reported).  More than max elements is reported; callers still read
 * the first max. */
static const cJSON *array_of(const field *f, bool required, int max,
                             const char *noun, cs_input_errors *e)
{
    if (!present(f, required, e))
        return NULL;
    if (!is_type(f->v, cJSON_Array)) {
        problem(e, &f->at, "expected an array, got %s", type_name(f->v));
        return NULL;
    }
    int n = count(f->v);
    if (n > max)
        problem(e, &f->at, "has %d %s, at most %d allowed", n, noun, max);
    return f->v;
}

/* A JSON number with no fractional part into *out; anything else reported. */
static bool read_whole(const field *f, double *out, cs_input_errors *e)
{
    if (!is_type(f->v, cJSON_Number)) {
        problem(e, &f->at, "expected a whole number, got %s", type_name(f->v));
        return false;
    }
    double d = f->v->valuedouble;
    /* whole: beyond 2^52 every double is; below, d equals its truncation */
    if (!isfinite(d) || (fabs(d) < 0x1p52 && d != (double)(int64_t)d)) {
        problem(e, &f->at, "%.15g is not a whole number", d);
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
    /* a shorter s fails at its '\0', so s is never read past its end */
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? !is_digit((unsigned char)s[i]) : s[i] != '-')
            return DATE_SHAPE;
    if (s[sizeof shape - 1])
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

bool cs_date_valid(cs_date d)
{
    int y = d / 10000, m = d / 100 % 100, dd = d % 100;
    return y >= 1900 && y <= 2099 && m >= 1 && m <= 12 && dd >= 1 && dd <= days_in_month(y, m);
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
        problem(e, &f->at, "%s is not a date in YYYY-MM-DD form", show(s).s);
        break;
    case DATE_CALENDAR:
        problem(e, &f->at, "%s is not a calendar date", s);
        break;
    case DATE_RANGE:
        problem(e, &f->at, "%s is outside 1900-01-01..2099-12-31", s);
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
 * written only when the code is valid.  ok must reject '\0', white space
 * and lower-case letters (is_digit and is_upper_alnum do): then a string
 * that passes as it is needs no normalising.  Inline, so that ok becomes a
 * direct call. */
static inline bool read_fixed(const field *f, bool required, size_t len,
                              bool (*ok)(int), const char *what, char *out,
                              cs_input_errors *e)
{
    if (!present(f, required, e))
        return false;
    const char *s = text(f, e);
    if (!s)
        return false;
    size_t n = 0;               /* the common case: nothing to normalise */
    while (n < len && ok((unsigned char)s[n]))
        n++;
    if (n == len && !s[n]) {
        memcpy(out, s, len + 1);
        return true;
    }
    char buf[16];
    if (normalise(s, buf, sizeof buf, UPPER) != (int)len || !all_of(buf, ok)) {
        problem(e, &f->at, "%s is not %s", show(s).s, what);
        return false;
    }
    memcpy(out, buf, len + 1);
    return true;
}

#define ICD_SHAPE "is not an ICD-10-CM code (a letter, a digit or letter, then 1 to 5 letters or digits)"

/* ICD-10-CM to its dotted form ("j029" -> "J02.9", "I10" stays); NULL on
 * success, else why not.  out has 9 bytes. */
static const char *icd10_normalise(const char *s, char *out)
{
    char raw[10], bare[8];
    size_t n = 0;
    int len = normalise(s, raw, sizeof raw, UPPER), dot = -1, dots = 0;
    if (len < 0)
        return ICD_SHAPE;
    for (int i = 0; i < len; i++)
        if (raw[i] == '.' && dots++ == 0)
            dot = i;                    /* the first dot */
    if (dots && (dot != 3 || dots > 1))
        return "has a dot that is not after the third character";
    if (dots && dot == len - 1)
        return "ends in a dot";
    for (const char *p = raw; *p; p++) {
        if (*p == '.') continue;
        if (n == 7) return ICD_SHAPE;
        bare[n++] = *p;
    }
    bare[n] = '\0';
    /* the second character is a digit, or a letter since FY2026's QA0 */
    if (n < 3 || !is_upper(bare[0]) || !all_of(bare + 1, is_upper_alnum))
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
    int n = normalise(s, buf, sizeof buf, AS_IS);
    if (n < 0)
        return false;
    if (!strchr(buf, '-')) {
        if (n != 11 || !all_of(buf, is_digit))
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

/* The known members of each kind of object, in documented order; the enum
 * numbers them for member(). */
enum { ROOT_ID, ROOT_PAYER, ROOT_CLIENT, ROOT_PATIENT, ROOT_BILLING,
       ROOT_RENDERING, ROOT_SUPERVISING, ROOT_POS, ROOT_DIAGNOSES,
       ROOT_DOCUMENTATION, ROOT_LINES, ROOT_N };
static const char *const ROOT_FIELDS[ROOT_N] = {
    [ROOT_ID] = "id", [ROOT_PAYER] = "payer", [ROOT_CLIENT] = "client",
    [ROOT_PATIENT] = "patient", [ROOT_BILLING] = "billing_provider",
    [ROOT_RENDERING] = "rendering_provider",
    [ROOT_SUPERVISING] = "supervising_provider",
    [ROOT_POS] = "place_of_service", [ROOT_DIAGNOSES] = "diagnoses",
    [ROOT_DOCUMENTATION] = "documentation", [ROOT_LINES] = "lines"};

enum { PATIENT_ID, PATIENT_BIRTH_DATE, PATIENT_SEX, PATIENT_N };
static const char *const PATIENT_FIELDS[PATIENT_N] = {
    [PATIENT_ID] = "id", [PATIENT_BIRTH_DATE] = "birth_date",
    [PATIENT_SEX] = "sex"};

enum { PROVIDER_NPI, PROVIDER_TAXONOMY, PROVIDER_N };
static const char *const PROVIDER_FIELDS[PROVIDER_N] = {
    [PROVIDER_NPI] = "npi", [PROVIDER_TAXONOMY] = "taxonomy"};

enum { LINE_CODE, LINE_MODIFIERS, LINE_UNITS, LINE_SERVICE_DATE,
       LINE_POINTERS, LINE_CHARGE, LINE_ROUTE, LINE_NDC, LINE_POS,
       LINE_MEASUREMENTS, LINE_SERVICE_DATE_TO, LINE_N };
static const char *const LINE_FIELDS[LINE_N] = {
    [LINE_CODE] = "code", [LINE_MODIFIERS] = "modifiers",
    [LINE_UNITS] = "units", [LINE_SERVICE_DATE] = "service_date",
    [LINE_POINTERS] = "diagnosis_pointers", [LINE_CHARGE] = "charge",
    [LINE_ROUTE] = "route", [LINE_NDC] = "ndc",
    [LINE_POS] = "place_of_service", [LINE_MEASUREMENTS] = "measurements",
    [LINE_SERVICE_DATE_TO] = "service_date_to"};

enum { MEASUREMENT_TYPE, MEASUREMENT_VALUE, MEASUREMENT_N };
static const char *const MEASUREMENT_FIELDS[MEASUREMENT_N] = {
    [MEASUREMENT_TYPE] = "type", [MEASUREMENT_VALUE] = "value"};

_Static_assert(ROOT_N <= MAX_MEMBERS && LINE_N <= MAX_MEMBERS,
               "object.slot is too small");

/* An id (claim, patient): 1..CS_MAX_ID_LEN bytes of printable ASCII, kept
 * as given.  out (CS_MAX_ID_LEN + 1 bytes) is written only when valid. */
static bool read_id(const field *f, bool required, char *out, cs_input_errors *e)
{
    if (!present(f, required, e))
        return false;
    const char *s = text(f, e);
    if (!s)
        return false;
    size_t n = 0;
    bool printable = true;
    for (; s[n]; n++)
        if (!is_print((unsigned char)s[n]))
            printable = false;
    if (n == 0)
        problem(e, &f->at, "must not be empty");
    else if (n > CS_MAX_ID_LEN)
        problem(e, &f->at, "%s is too long (%zu characters, at most %d)",
                show(s).s, n, CS_MAX_ID_LEN);
    else if (!printable)
        problem(e, &f->at, "%s has characters that are not printable ASCII",
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
    int n = normalise(s, buf, sizeof buf, LOWER);
    if (n < 0)
        problem(e, &f->at, "%s is too long (at most %d characters)",
                show(s).s, CS_MAX_ID_LEN);
    else if (!buf[0])
        problem(e, &f->at, "must not be empty");
    else if (!all_of(buf, is_slug))
        problem(e, &f->at, "%s may only use letters, digits, - and _", show(s).s);
    else
        memcpy(out, buf, (size_t)n + 1);
}

static void read_sex(const field *f, char *out, cs_input_errors *e)
{
    if (!present(f, false, e))
        return;
    const char *s = text(f, e);
    if (!s)
        return;
    char buf[4];
    if (normalise(s, buf, sizeof buf, UPPER) != 1 ||
        (buf[0] != 'F' && buf[0] != 'M' && buf[0] != 'U'))
        problem(e, &f->at, "%s is not F, M or U", show(s).s);
    else
        *out = buf[0];
}

static void read_patient(const object *root, cs_claim *c, cs_input_errors *e)
{
    field f = member(root, ROOT_PATIENT);
    object p;
    if (!object_of(&f, false, PATIENT_FIELDS, PATIENT_N, &p, e))
        return;
    c->has_patient = true;
    field id = member(&p, PATIENT_ID);
    read_id(&id, false, c->patient_id, e);
    field birth = member(&p, PATIENT_BIRTH_DATE);
    read_date(&birth, false, &c->patient_birth_date, e);
    field sex = member(&p, PATIENT_SEX);
    read_sex(&sex, &c->patient_sex, e);
}

/* A provider object, root member `which`: npi required (10 digits, valid
 * check digit), taxonomy optional (10 characters). */
static void read_provider(const object *root, int which, cs_provider *pv,
                          cs_input_errors *e)
{
    field f = member(root, which);
    object o;
    if (!object_of(&f, false, PROVIDER_FIELDS, PROVIDER_N, &o, e))
        return;
    pv->present = true;
    field npi = member(&o, PROVIDER_NPI);
    char buf[11];
    if (read_fixed(&npi, true, 10, is_digit, "a 10-digit NPI", buf, e)) {
        /* readable: the payer's front end rejects it, the rules still run */
        if (!npi_valid(buf))
            note(e, &npi.at, "input.npi_check_digit", CS_REJECT,
                 "%s fails the NPI check digit", buf);
        memcpy(pv->npi, buf, sizeof buf);
    }
    field tax = member(&o, PROVIDER_TAXONOMY);
    read_fixed(&tax, false, 10, is_upper_alnum, "a 10-character taxonomy code",
               pv->taxonomy, e);
}

/* One diagnosis, diagnoses[i].  An earlier equal code (diagnoses[j]) is a
 * readable problem: the slot keeps the code and same_as[i] = j, so that
 * pointers still mean what the sender meant (dedupe_diagnoses). */
static void read_diagnosis(const field *f, cs_claim *c, int i, int8_t *same_as,
                           cs_input_errors *e)
{
    same_as[i] = -1;
    c->diagnoses[i][0] = '\0';
    const char *s = text(f, e);
    if (!s)
        return;
    char code[9];
    const char *why = icd10_normalise(s, code);
    if (why) {
        problem(e, &f->at, "%s %s", show(s).s, why);
        return;
    }
    memcpy(c->diagnoses[i], code, sizeof code);
    for (int j = 0; j < i; j++)
        if (same_as[j] < 0 && strcmp(c->diagnoses[j], code) == 0) {
            same_as[i] = (int8_t)j;
            note(e, &f->at, "input.duplicate_diagnosis", CS_WARN,
                 "%s is already diagnoses[%d]; read once, pointers to %d read as %d",
                 code, j, i + 1, j + 1);
            return;
        }
}

/* c->ndiagnoses counts the entries given (at most CS_MAX_DIAGNOSES), so
 * diagnosis pointers are checked against the positions the sender used; a
 * bad entry leaves its slot "" (the claim is then invalid anyway). */
static void read_diagnoses(const object *root, cs_claim *c, int8_t *same_as,
                           cs_input_errors *e)
{
    field f = member(root, ROOT_DIAGNOSES);
    const cJSON *a = array_of(&f, false, CS_MAX_DIAGNOSES, "codes", e);
    if (!a)
        return;
    int i = 0;
    for (const cJSON *v = a->child; v && i < CS_MAX_DIAGNOSES; v = v->next, i++) {
        field d = element(v, &f.at, i);
        read_diagnosis(&d, c, i, same_as, e);
    }
    c->ndiagnoses = i;
}

/* Drop the repeated diagnoses (same_as[i] >= 0: a repeat of diagnoses[j]),
 * keeping the first of each, and renumber the lines' pointers to the kept
 * positions: a pointer at a repeat points at its first, and a line pointing
 * at both keeps one pointer.  Lines are read by now. */
static void dedupe_diagnoses(cs_claim *c, const int8_t *same_as)
{
    int to[CS_MAX_DIAGNOSES], n = 0;    /* 0-based new position of each */
    bool any = false;
    for (int i = 0; i < c->ndiagnoses; i++) {
        if (same_as[i] >= 0) {
            to[i] = to[same_as[i]];
            any = true;
            continue;
        }
        to[i] = n;
        if (n != i)
            memcpy(c->diagnoses[n], c->diagnoses[i], sizeof c->diagnoses[n]);
        n++;
    }
    if (!any)
        return;
    c->ndiagnoses = n;
    for (int l = 0; l < c->nlines; l++) {
        cs_line *ln = &c->lines[l];
        int k = 0;
        for (int p = 0; p < ln->npointers; p++) {
            uint8_t d = (uint8_t)(to[ln->pointers[p] - 1] + 1);
            bool seen = false;
            for (int q = 0; q < k && !seen; q++)
                seen = ln->pointers[q] == d;
            if (!seen)
                ln->pointers[k++] = d;
        }
        ln->npointers = k;
    }
}

/* True when key is a valid documentation key: 1..CS_MAX_DOC_KEY of a-z, 0-9
 * and _. */
static bool doc_key_valid(const char *key)
{
    size_t n = 0;
    for (; key[n]; n++)
        if (n == CS_MAX_DOC_KEY || !is_doc_key((unsigned char)key[n]))
            return false;
    return n > 0;
}

/* documentation.<key>, member m of obj (at `up`): a string (at most
 * CS_MAX_DOC_VALUE bytes, kept as given) or a boolean (kept as
 * "true"/"false"); null means absent. */
static void read_docfield(const cJSON *obj, const path *up, const cJSON *m,
                          cs_claim *c, cs_input_errors *e)
{
    const char *key = m->string ? m->string : "";
    path p = {up, key, 0};
    if (!doc_key_valid(key)) {
        problem(e, &p, "is not a valid key (1 to %d of a-z, 0-9 and _)", CS_MAX_DOC_KEY);
        return;
    }
    if (seen_before(obj, m)) {
        problem(e, &p, "field is given more than once");
        return;
    }
    const char *value;
    if (cJSON_IsNull(m))
        return;
    if (cJSON_IsBool(m))
        value = cJSON_IsTrue(m) ? "true" : "false";
    else if (is_type(m, cJSON_String) && m->valuestring)
        value = m->valuestring;
    else {
        problem(e, &p, "expected a string or a boolean, got %s", type_name(m));
        return;
    }
    size_t n = strlen(value);
    if (n > CS_MAX_DOC_VALUE) {
        problem(e, &p, "is too long (%zu bytes, at most %d)", n, CS_MAX_DOC_VALUE);
        return;
    }
    cs_docfield *d = &c->documentation[c->ndocumentation++];
    memset(d, 0, sizeof *d);
    memcpy(d->key, key, strlen(key) + 1);
    memcpy(d->value, value, n + 1);
}

static void read_documentation(const object *root, cs_claim *c, cs_input_errors *e)
{
    field f = member(root, ROOT_DOCUMENTATION);
    if (!present(&f, false, e))
        return;
    if (!is_type(f.v, cJSON_Object)) {
        problem(e, &f.at, "expected an object, got %s", type_name(f.v));
        return;
    }
    c->has_documentation = true;
    int n = count(f.v), i = 0;
    if (n > CS_MAX_DOC_FIELDS)
        problem(e, &f.at, "has %d fields, at most %d allowed", n, CS_MAX_DOC_FIELDS);
    for (const cJSON *m = f.v->child; m && i < CS_MAX_DOC_FIELDS; m = m->next, i++)
        read_docfield(f.v, &f.at, m, c, e);
}

/* ---- service lines ----------------------------------------------------- */

/* Modifiers: up to CS_MAX_MODIFIERS 2-character codes, no repeats. */
static void read_modifiers(const object *l, cs_line *line, cs_input_errors *e)
{
    field f = member(l, LINE_MODIFIERS);
    const cJSON *a = array_of(&f, false, CS_MAX_MODIFIERS, "modifiers", e);
    int from[CS_MAX_MODIFIERS], i = 0;   /* input position of each kept one */
    if (!a)
        return;
    for (const cJSON *v = a->child; v && i < CS_MAX_MODIFIERS; v = v->next, i++) {
        field m = element(v, &f.at, i);
        char mod[3];
        if (!read_fixed(&m, true, 2, is_upper_alnum, "a 2-character modifier", mod, e))
            continue;
        int j = 0;
        while (j < line->nmodifiers && strcmp(line->modifiers[j], mod) != 0)
            j++;
        if (j < line->nmodifiers) {         /* readable: a set of modifiers */
            note(e, &m.at, "input.duplicate_modifier", CS_WARN,
                 "%s is already modifiers[%d]; read once", mod, from[j]);
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
        problem(e, &f->at, "%.15g is negative", d);
    else if (d < 1)
        problem(e, &f->at, "must be at least 1, got 0");
    else if (d > CS_MAX_UNITS)
        problem(e, &f->at, "%.15g is more than the maximum %d", d, CS_MAX_UNITS);
    else
        *out = (int32_t)d;
}

/* Diagnosis pointers: up to CS_MAX_POINTERS 1-based positions in the
 * claim's diagnoses (ndiag of them), no repeats. */
static void read_pointers(const object *l, int ndiag, cs_line *line,
                          cs_input_errors *e)
{
    field f = member(l, LINE_POINTERS);
    const cJSON *a = array_of(&f, false, CS_MAX_POINTERS, "pointers", e);
    int i = 0;
    if (!a)
        return;
    for (const cJSON *v = a->child; v && i < CS_MAX_POINTERS; v = v->next, i++) {
        field p = element(v, &f.at, i);
        double d;
        if (!read_whole(&p, &d, e))
            continue;
        if (d < 1) {
            problem(e, &p.at, "%.15g is not a diagnosis number (they start at 1)", d);
            continue;
        }
        if (d > ndiag) {
            problem(e, &p.at, "points at diagnosis %.15g but the claim has %d", d, ndiag);
            continue;
        }
        int j = 0;
        while (j < line->npointers && line->pointers[j] != (uint8_t)d)
            j++;
        if (j < line->npointers)            /* readable: a set of pointers */
            note(e, &p.at, "input.duplicate_pointer", CS_WARN,
                 "diagnosis %.15g is already pointed at; read once", d);
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
    if (is_type(f->v, cJSON_String) && f->v->valuestring) {
        const char *s = f->v->valuestring;
        if (!cs_money_parse(s, &cents, &why)) {
            problem(e, &f->at, "%s %s", show(s).s, why);
            return;
        }
    } else if (is_type(f->v, cJSON_Number)) {
        if (!money_from_double(f->v->valuedouble, &cents, &why)) {
            problem(e, &f->at, "%.15g %s", f->v->valuedouble, why);
            return;
        }
    } else {
        problem(e, &f->at, "expected a number or a decimal string, got %s",
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
    int n = normalise(s, buf, sizeof buf, UPPER);
    if (n >= 0 && (!strcmp(buf, "SUBQ") || !strcmp(buf, "SQ") || !strcmp(buf, "SUB-Q"))) {
        memcpy(buf, "SC", 3);
        n = 2;
    }
    if (n <= 0 || n > 8 || !all_of(buf, is_upper)) {
        problem(e, &f->at, "%s is not a route (1 to 8 letters, such as IM, IV or SC)",
                show(s).s);
        return;
    }
    memcpy(out, buf, (size_t)n + 1);
}

static void read_ndc(const field *f, char *out, cs_input_errors *e)
{
    if (!present(f, false, e))
        return;
    const char *s = text(f, e);
    if (s && !ndc_normalise(s, out))
        problem(e, &f->at, "%s is not an NDC (11 digits, or 5-4-2, 4-4-2, "
                "5-3-2 or 5-4-1 with hyphens)", show(s).s);
}

/* One measurement object {type, value}; appended when both are valid. */
static void read_measurement(const field *f, cs_line *line, cs_input_errors *e)
{
    object o;
    if (!object_of(f, true, MEASUREMENT_FIELDS, MEASUREMENT_N, &o, e))
        return;
    cs_measurement m = {{0}, 0};
    field type = member(&o, MEASUREMENT_TYPE);
    bool ok = read_fixed(&type, true, 2, is_upper_alnum,
                         "a 2-character measurement type such as R1", m.type, e);
    field value = member(&o, MEASUREMENT_VALUE);
    if (!present(&value, true, e))
        return;
    if (!is_type(value.v, cJSON_Number) || !isfinite(value.v->valuedouble)) {
        problem(e, &value.at, "expected a number, got %s", type_name(value.v));
        return;
    }
    m.value = value.v->valuedouble;
    if (ok)
        line->measurements[line->nmeasurements++] = m;
}

static void read_measurements(const object *l, cs_line *line, cs_input_errors *e)
{
    field f = member(l, LINE_MEASUREMENTS);
    const cJSON *a = array_of(&f, false, CS_MAX_MEASUREMENTS, "measurements", e);
    int i = 0;
    if (!a)
        return;
    for (const cJSON *v = a->child; v && i < CS_MAX_MEASUREMENTS; v = v->next, i++) {
        field m = element(v, &f.at, i);
        read_measurement(&m, line, e);
    }
}

/* The optional last day of the line's date range: a date, not before
 * service_date.  Kept only when it is after service_date (a one-day range is
 * the date itself). */
static void read_date_to(const object *l, cs_line *line, cs_input_errors *e)
{
    field f = member(l, LINE_SERVICE_DATE_TO);
    cs_date to = 0;
    read_date(&f, false, &to, e);
    if (!to || !line->service_date)
        return;
    if (to < line->service_date) {
        char from_text[11], to_text[11];
        cs_date_format(line->service_date, from_text);
        cs_date_format(to, to_text);
        problem(e, &f.at, "%s is before service_date %s", to_text, from_text);
        return;
    }
    if (to > line->service_date)
        line->service_date_to = to;
}

/* One service line at f; diagnoses must already be read. */
static void read_line(const field *f, const cs_claim *c, cs_line *line,
                      cs_input_errors *e)
{
    object l;
    if (!object_of(f, true, LINE_FIELDS, LINE_N, &l, e))
        return;
    field code = member(&l, LINE_CODE);
    read_fixed(&code, true, 5, is_upper_alnum,
               "a 5-character procedure code", line->code, e);
    read_modifiers(&l, line, e);
    field units = member(&l, LINE_UNITS);
    read_units(&units, &line->units, e);
    field date = member(&l, LINE_SERVICE_DATE);
    read_date(&date, true, &line->service_date, e);
    read_date_to(&l, line, e);
    read_pointers(&l, c->ndiagnoses, line, e);
    field charge = member(&l, LINE_CHARGE);
    read_charge(&charge, line, e);
    field route = member(&l, LINE_ROUTE);
    read_route(&route, line->route, e);
    field ndc = member(&l, LINE_NDC);
    read_ndc(&ndc, line->ndc, e);
    field pos = member(&l, LINE_POS);
    read_fixed(&pos, false, 2, is_digit, "a 2-digit place of service code",
               line->place_of_service, e);
    read_measurements(&l, line, e);
}

static void read_lines(const object *root, cs_claim *c, cs_input_errors *e)
{
    field f = member(root, ROOT_LINES);
    const cJSON *a = array_of(&f, true, CS_MAX_LINES, "lines", e);
    int i = 0;
    if (!a)
        return;
    if (!a->child)
        problem(e, &f.at, "must have at least one line");
    for (const cJSON *v = a->child; v && i < CS_MAX_LINES; v = v->next, i++) {
        field l = element(v, &f.at, i);
        memset(&c->lines[i], 0, sizeof c->lines[i]);
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
            static const path patient = {&CLAIM_PATH, "patient", 0};
            static const path birth = {&patient, "birth_date", 0};
            char birth_text[11], service[11];
            cs_date_format(c->patient_birth_date, birth_text);
            cs_date_format(s, service);
            problem(e, &birth, "%s is after the service date %s of lines[%d]",
                    birth_text, service, i);
            return;
        }
    }
}

/* Reset *c and *errs without writing all of their ~17 KB: *c is zeroed up to
 * its documentation entries and lines, which are zeroed one by one as they
 * are read (entries at or past ndocumentation and nlines keep old bytes, and
 * nothing may look at them); *errs has no problems and every message is "".
 * A field added to cs_claim after `documentation` must be reset here. */
static void reset(cs_claim *c, cs_input_errors *errs)
{
    memset(c, 0, offsetof(cs_claim, documentation));
    c->ndocumentation = 0;
    c->has_documentation = false;
    c->nlines = 0;
    errs->n = 0;
    errs->truncated = false;
    errs->nnotes = 0;
    errs->notes_truncated = false;
    for (int i = 0; i < CS_MAX_INPUT_ERRORS; i++)
        errs->msg[i][0] = '\0';
}

/* Resets *c and *errs (see reset()), then reads root.  The id is read first
 * so that c->id/has_id are set whenever the id itself is fine; the claim's
 * unknown and repeated fields are reported next, then each field in turn. */
bool cs_claim_from_json(const cJSON *root, cs_claim *c, cs_input_errors *errs,
                        bool require_payer)
{
    reset(c, errs);
    if (!is_type(root, cJSON_Object)) {
        cs_input_error(errs, "claim: expected an object, got %s", type_name(root));
        return false;
    }
    object o;
    bool clean = index_members(&o, root, &CLAIM_PATH, ROOT_FIELDS, ROOT_N);
    field id = member(&o, ROOT_ID);
    c->has_id = read_id(&id, true, c->id, errs);
    if (!clean)
        report_members(&o, errs);
    field payer = member(&o, ROOT_PAYER), client = member(&o, ROOT_CLIENT);
    read_slug(&payer, require_payer, c->payer, errs);
    read_slug(&client, false, c->client, errs);
    read_patient(&o, c, errs);
    read_provider(&o, ROOT_BILLING, &c->billing, errs);
    read_provider(&o, ROOT_RENDERING, &c->rendering, errs);
    read_provider(&o, ROOT_SUPERVISING, &c->supervising, errs);
    field pos = member(&o, ROOT_POS);
    read_fixed(&pos, false, 2, is_digit, "a 2-digit place of service code",
               c->place_of_service, errs);
    int8_t same_as[CS_MAX_DIAGNOSES];
    read_diagnoses(&o, c, same_as, errs);
    read_documentation(&o, c, errs);
    read_lines(&o, c, errs);
    dedupe_diagnoses(c, same_as);
    check_birth_date(c, errs);
    return errs->n == 0 && !errs->truncated;
}

/*
 * report.c -- render a verdict record as a text report for people.
 *
 * One block per claim, every line ending in a newline:
 *
 *   CLM-1001  DENY  $35.00 at risk  payer medicare  client riverside-clinic  (a.json #1, line 1)
 *     line 2  deny    cms.inj.em_needs_25  CO-97 M15  $35.00
 *             96372 billed with 99213 on 2026-03-02 without modifier 25
 *             fix: add modifier 25 to line 1
 *             overridden by riverside-clinic (was review)
 *             at payers/medicare/visits.lua:57 (medicare)
 *     waived: cms.x (deny, line 2) by commercial-strict: contract pays per policy
 *
 * Text taken from the record (ids, messages) has its control characters
 * replaced by spaces, so a claim cannot break the layout or send escape
 * sequences to a terminal; newlines in a message continue it on the next
 * line at the same indent.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "claimscrub.h"

/* Width of the location column ("line 12", "claim") and of the severity
 * column ("review"); detail lines are indented past both. */
#define LOC_WIDTH 8
#define SEV_WIDTH 8
#define DETAIL_INDENT (2 + LOC_WIDTH)

static const char *const status_upper[][2] = {
    {"pass", "PASS"}, {"info", "INFO"}, {"warn", "WARN"},
    {"review", "REVIEW"}, {"deny", "DENY"}, {"reject", "REJECT"},
};

/* ---- reading the record ---- */

/* The string at key, or NULL when absent or not a string. */
static const char *get_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The whole number at key into *n; false when absent or not one. */
static bool get_int(const cJSON *o, const char *key, long long *n)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v)) return false;
    double d = v->valuedouble;
    if (!(d >= -9e15 && d <= 9e15)) return false; /* also rejects NaN */
    long long i = (long long)d;
    if ((double)i != d) return false;
    *n = i;
    return true;
}

/* The value at key as text (a string, or a number written plainly) into
 * buf; NULL when absent or neither. */
static const char *get_text(const cJSON *o, const char *key, char *buf, size_t size)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsString(v)) return v->valuestring;
    if (!cJSON_IsNumber(v)) return NULL;
    long long n;
    if (get_int(o, key, &n)) snprintf(buf, size, "%lld", n);
    else snprintf(buf, size, "%.2f", v->valuedouble);
    return buf;
}

/* The upper-case name of a status string; NULL when it is not one. */
static const char *status_name(const char *s)
{
    for (size_t i = 0; s && i < sizeof status_upper / sizeof *status_upper; i++)
        if (strcmp(s, status_upper[i][0]) == 0) return status_upper[i][1];
    return NULL;
}

/* True when key is absent, or an array holding only objects. */
static bool objects_or_absent(const cJSON *o, const char *key)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key), *e;
    if (!a) return true;
    if (!cJSON_IsArray(a)) return false;
    cJSON_ArrayForEach(e, a)
        if (!cJSON_IsObject(e)) return false;
    return true;
}

/* ---- writing ---- */

/* Append s with control characters as spaces. */
static void put_clean(cs_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        cs_buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : *s);
    }
}

/* Append s cleaned, then spaces up to width (at least one space). */
static void put_col(cs_buf *b, const char *s, size_t width)
{
    put_clean(b, s);
    size_t n = strlen(s);
    do cs_buf_putc(b, ' '); while (++n < width);
}

static void put_indent(cs_buf *b, int n)
{
    while (n-- > 0) cs_buf_putc(b, ' ');
}

/* Append s as detail text: each of its lines indented and newline-ended. */
static void put_detail(cs_buf *b, const char *s)
{
    put_indent(b, DETAIL_INDENT);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\n') { cs_buf_putc(b, '\n'); put_indent(b, DETAIL_INDENT); }
        else cs_buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : *s);
    }
    cs_buf_putc(b, '\n');
}

/* ---- the header ---- */

/* "(a.json #3, line 12)" from the record's input object, if it has any. */
static void put_origin(cs_buf *b, const cJSON *input)
{
    const char *file = get_str(input, "file");
    long long rec = 0, line = 0;
    get_int(input, "record", &rec);
    get_int(input, "line", &line);
    if (!file && rec <= 0 && line <= 0) return;
    cs_buf_puts(b, "  (");
    const char *sep = "";
    if (file) { put_clean(b, strcmp(file, "-") == 0 ? "stdin" : file); sep = " "; }
    if (rec > 0) { cs_buf_printf(b, "%s#%lld", sep, rec); sep = ", "; }
    if (line > 0) cs_buf_printf(b, "%sline %lld", sep, line);
    cs_buf_putc(b, ')');
}

/* True for "0", "0.00" and the like: nothing worth showing. */
static bool money_is_zero(const char *s)
{
    return strspn(s, "0.") == strlen(s);
}

static void put_header(cs_buf *b, const cJSON *root, const char *status)
{
    const char *claim = get_str(root, "claim");
    const char *payer = get_str(root, "payer");
    const char *client = get_str(root, "client");
    const char *risk = get_str(root, "amount_at_risk");
    put_clean(b, claim && *claim ? claim : "(no claim id)");
    cs_buf_printf(b, "  %s", status);
    if (risk && !money_is_zero(risk)) {
        cs_buf_puts(b, "  $");
        put_clean(b, risk);
        cs_buf_puts(b, " at risk");
    }
    if (payer) { cs_buf_puts(b, "  payer "); put_clean(b, payer); }
    if (client) { cs_buf_puts(b, "  client "); put_clean(b, client); }
    put_origin(b, cJSON_GetObjectItemCaseSensitive(root, "input"));
    cs_buf_putc(b, '\n');
}

/* ---- one finding ---- */

/* "line 2" for a finding on a line, "lines 1,2" for one that only names
 * related lines, "claim" for a claim-level finding. */
static void put_location(cs_buf *b, const cJSON *f)
{
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(f, "lines"), *e;
    long long line = 0;
    cs_buf loc = {0};
    if (get_int(f, "line", &line)) {
        cs_buf_printf(&loc, "line %lld", line);
    } else if (cJSON_GetArraySize(lines) > 0) {
        cs_buf_puts(&loc, "lines ");
        const char *sep = "";
        cJSON_ArrayForEach(e, lines) {
            if (!cJSON_IsNumber(e)) continue;
            cs_buf_printf(&loc, "%s%.0f", sep, e->valuedouble);
            sep = ",";
        }
    } else {
        cs_buf_puts(&loc, "claim");
    }
    if (loc.oom) b->oom = true;
    else put_col(b, loc.p, LOC_WIDTH);
    cs_buf_free(&loc);
}

/* "  CO-97 M15  $35.00": the adjustment codes and amount, when present. */
static void put_codes(cs_buf *b, const cJSON *f)
{
    const char *group = get_str(f, "group"), *carc = get_str(f, "carc");
    const char *rarc = get_str(f, "rarc");
    char num[64];
    const char *amount = get_text(f, "amount", num, sizeof num);
    if (carc) {
        cs_buf_puts(b, "  ");
        if (group) { put_clean(b, group); cs_buf_putc(b, '-'); }
        else cs_buf_puts(b, "CARC ");
        put_clean(b, carc);
    } else if (group) {
        cs_buf_puts(b, "  ");
        put_clean(b, group);
    }
    if (rarc) { cs_buf_puts(b, carc || group ? " " : "  "); put_clean(b, rarc); }
    if (amount) { cs_buf_puts(b, "  $"); put_clean(b, amount); }
}

/* The fix as an instruction: "add modifier 25 to line 1". */
static void put_fix(cs_buf *b, const cJSON *fix)
{
    if (!cJSON_IsObject(fix)) return;
    const char *action = get_str(fix, "action");
    const char *mod = get_str(fix, "modifier"), *code = get_str(fix, "code");
    char num[64];
    const char *units = get_text(fix, "units", num, sizeof num);
    long long line = 0;
    bool has_line = get_int(fix, "line", &line);
    cs_buf t = {0};
    if (!action) action = "?";
    if (!strcmp(action, "add_modifier") && mod && has_line)
        cs_buf_printf(&t, "fix: add modifier %s to line %lld", mod, line);
    else if (!strcmp(action, "remove_modifier") && mod && has_line)
        cs_buf_printf(&t, "fix: remove modifier %s from line %lld", mod, line);
    else if (!strcmp(action, "replace_code") && code && has_line)
        cs_buf_printf(&t, "fix: change the code on line %lld to %s", line, code);
    else if (!strcmp(action, "set_units") && units && has_line)
        cs_buf_printf(&t, "fix: set the units on line %lld to %s", line, units);
    else if (!strcmp(action, "remove_line") && has_line)
        cs_buf_printf(&t, "fix: remove line %lld", line);
    else if (!strcmp(action, "add_line") && code)
        cs_buf_printf(&t, "fix: add a line for %s", code);
    else if (has_line)
        cs_buf_printf(&t, "fix: %s on line %lld", action, line);
    else
        cs_buf_printf(&t, "fix: %s", action);
    if (!t.oom) put_detail(b, t.p);
    else b->oom = true;
    cs_buf_free(&t);
}

/* "overridden by riverside-clinic (was review)" */
static void put_override(cs_buf *b, const cJSON *ov)
{
    if (!cJSON_IsObject(ov)) return;
    const char *from = get_str(ov, "from"), *by = get_str(ov, "by");
    put_indent(b, DETAIL_INDENT);
    cs_buf_puts(b, "overridden");
    if (by) { cs_buf_puts(b, " by "); put_clean(b, by); }
    if (from) { cs_buf_puts(b, " (was "); put_clean(b, from); cs_buf_putc(b, ')'); }
    cs_buf_putc(b, '\n');
}

/* "at payers/medicare/visits.lua:57 (medicare)" */
static void put_source(cs_buf *b, const cJSON *f)
{
    const char *source = get_str(f, "source"), *layer = get_str(f, "layer");
    if (!source && !layer) return;
    put_indent(b, DETAIL_INDENT);
    if (source) { cs_buf_puts(b, "at "); put_clean(b, source); }
    if (layer) {
        cs_buf_puts(b, source ? " (" : "(");
        put_clean(b, layer);
        cs_buf_putc(b, ')');
    }
    cs_buf_putc(b, '\n');
}

/* "downgraded (was deny): the lines it concerns are charged 0.00" */
static void put_downgrade(cs_buf *b, const cJSON *d)
{
    if (!cJSON_IsObject(d)) return;
    const char *from = get_str(d, "from"), *why = get_str(d, "because");
    put_indent(b, DETAIL_INDENT);
    cs_buf_puts(b, "downgraded");
    if (from) { cs_buf_puts(b, " (was "); put_clean(b, from); cs_buf_putc(b, ')'); }
    if (why && !strcmp(why, "zero_charge")) cs_buf_puts(b, ": no money at stake, its lines are charged 0.00");
    else if (why) { cs_buf_puts(b, ": "); put_clean(b, why); }
    cs_buf_putc(b, '\n');
}

/* One finding in full.  A secondary one (also) is shown under its line's
 * primary finding, as "also", without its amount: the line's money is
 * counted once. */
static void put_finding(cs_buf *b, const cJSON *f, bool also)
{
    const char *sev = get_str(f, "severity"), *rule = get_str(f, "rule");
    const char *msg = get_str(f, "message");
    put_indent(b, 2);
    if (also) put_col(b, "  also", LOC_WIDTH);
    else put_location(b, f);
    put_col(b, sev ? sev : "?", SEV_WIDTH);
    put_clean(b, rule ? rule : "?");
    if (also) {
        cJSON *copy = cJSON_Duplicate(f, true);
        if (!copy) { b->oom = true; return; }
        cJSON_DeleteItemFromObjectCaseSensitive(copy, "amount");
        put_codes(b, copy);
        cJSON_Delete(copy);
    } else {
        put_codes(b, f);
    }
    cs_buf_putc(b, '\n');
    if (msg && *msg) put_detail(b, msg);
    put_fix(b, cJSON_GetObjectItemCaseSensitive(f, "fix"));
    put_override(b, cJSON_GetObjectItemCaseSensitive(f, "overridden"));
    put_downgrade(b, cJSON_GetObjectItemCaseSensitive(f, "downgraded"));
    put_source(b, f);
}

/* ---- findings grouped by line ---- */

static const char *const severity_names[] = {"pass", "info", "warn", "review", "deny", "reject"};

/* The rank of a severity name, -1 when it is not one. */
static int rank(const char *s)
{
    for (int i = 0; s && i < 6; i++)
        if (!strcmp(s, severity_names[i])) return i;
    return -1;
}

/* The finding's line, or 0 for a claim-level one. */
static long long line_of(const cJSON *f)
{
    long long l = 0;
    return get_int(f, "line", &l) && l > 0 ? l : 0;
}

static bool is_primary(const cJSON *f)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "primary"));
}

/* The rule the record's "lines" summary gives as line l's primary, or NULL. */
static const char *summary_primary(const cJSON *root, long long l)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(root, "lines")) {
        long long n;
        if (cJSON_IsObject(e) && get_int(e, "line", &n) && n == l) return get_str(e, "primary");
    }
    return NULL;
}

/* The primary finding of line l among the findings on it: the one the
 * summary names (marked primary), else the most severe, the first of
 * equals.  NULL when l has no finding of its own or the summary's primary
 * sits on another line. */
static const cJSON *group_primary(const cJSON *findings, long long l, const char *want)
{
    const cJSON *f, *best = NULL;
    cJSON_ArrayForEach(f, findings) {
        if (line_of(f) != l) continue;
        if (want) {
            const char *r = get_str(f, "rule");
            if (r && !strcmp(r, want) && is_primary(f) &&
                (!best || rank(get_str(f, "severity")) > rank(get_str(best, "severity"))))
                best = f;
        } else if (!best || rank(get_str(f, "severity")) > rank(get_str(best, "severity"))) {
            best = f;
        }
    }
    return best;
}

/* "line 1  deny    cms.ncci.mue  (see line 3)": line l's primary reason is
 * a finding shown under another line.  False when there is none (the
 * primary is a claim-level finding, shown above). */
static bool put_reference(cs_buf *b, const cJSON *findings, long long l, const char *want)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, findings) {
        const char *r = get_str(f, "rule");
        long long at = line_of(f);
        if (!r || strcmp(r, want) || !is_primary(f) || at == l || at == 0) continue;
        const char *sev = get_str(f, "severity");
        char loc[32];
        snprintf(loc, sizeof loc, "line %lld", l);
        put_indent(b, 2);
        put_col(b, loc, LOC_WIDTH);
        put_col(b, sev ? sev : "?", SEV_WIDTH);
        put_clean(b, r);
        cs_buf_printf(b, "  (see line %lld)\n", at);
        return true;
    }
    return false;
}

/* Line l's findings: its primary reason first (in full, or as a reference
 * to the line it is shown under), then the others ("also"), most severe
 * first, then in record order.  The group's first row names the line. */
static void put_line_group(cs_buf *b, const cJSON *root, const cJSON *findings, long long l)
{
    const char *want = summary_primary(root, l);
    const cJSON *first = group_primary(findings, l, want), *f;
    bool headed = false;
    if (!first && want) headed = put_reference(b, findings, l, want);
    if (!first && !headed) first = group_primary(findings, l, NULL);
    if (first) { put_finding(b, first, headed); headed = true; }
    for (int sev = 5; sev >= -1; sev--)
        cJSON_ArrayForEach(f, findings) {
            if (line_of(f) != l || f == first || rank(get_str(f, "severity")) != sev) continue;
            put_finding(b, f, headed);
            headed = true;
        }
}

/* Claim-level findings first, in record order; then each line with a
 * finding of its own or a primary reason, in claim order. */
static void put_findings(cs_buf *b, const cJSON *root)
{
    const cJSON *findings = cJSON_GetObjectItemCaseSensitive(root, "findings"), *f, *e;
    long long max = 0;
    cJSON_ArrayForEach(f, findings) {
        long long l = line_of(f);
        if (!l) put_finding(b, f, false);
        if (l > max) max = l;
    }
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(root, "lines")) {
        long long n;
        if (cJSON_IsObject(e) && get_int(e, "line", &n) && n > max) max = n;
    }
    if (max > 1000) max = 1000;         /* a record of ours has at most 50 */
    for (long long l = 1; l <= max && !b->oom; l++) {
        bool any = summary_primary(root, l) != NULL;
        cJSON_ArrayForEach(f, findings) any = any || line_of(f) == l;
        if (any) put_line_group(b, root, findings, l);
    }
}

/* "  waived: cms.x (deny, line 2) by commercial-strict: contract pays" */
static void put_waived(cs_buf *b, const cJSON *w)
{
    const char *rule = get_str(w, "rule"), *sev = get_str(w, "severity");
    const char *by = get_str(w, "waived_by"), *reason = get_str(w, "reason");
    long long line = 0;
    bool has_line = get_int(w, "line", &line);
    cs_buf_puts(b, "  waived: ");
    put_clean(b, rule ? rule : "?");
    if (sev || has_line) {
        cs_buf_puts(b, " (");
        if (sev) put_clean(b, sev);
        if (has_line) cs_buf_printf(b, "%sline %lld", sev ? ", " : "", line);
        cs_buf_putc(b, ')');
    }
    if (by) { cs_buf_puts(b, " by "); put_clean(b, by); }
    if (reason && *reason) { cs_buf_puts(b, ": "); put_clean(b, reason); }
    cs_buf_putc(b, '\n');
}

/* ---- public ---- */

/* A record is ours when it is a JSON object whose "status" is a status name
 * and whose "findings" and "waived", when present, are arrays of objects.
 * Other fields are shown when they have the expected type and skipped
 * otherwise.  Returns NULL for anything else and when memory ran out. */
char *cs_record_to_text(const char *record)
{
    if (!record) return NULL;
    cJSON *root = cJSON_Parse(record);
    const char *status = status_name(get_str(root, "status"));
    if (!cJSON_IsObject(root) || !status || !objects_or_absent(root, "findings")
        || !objects_or_absent(root, "waived")) {
        cJSON_Delete(root);
        return NULL;
    }
    cs_buf b = {0};
    const cJSON *e;
    put_header(&b, root, status);
    put_findings(&b, root);
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(root, "waived"))
        put_waived(&b, e);
    cJSON_Delete(root);
    return cs_buf_take(&b, NULL);
}

/*
 * rules.c -- `claimscrub rules`: one line per rule that runs for a payer
 * (and client overlay), in run order, with the overlays' severity changes
 * and waivers applied.
 *
 * Uses only the public API (claimscrub.h).  docs/cli.md is the reference
 * for what a user sees here.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claimscrub.h"
#include "rules.h"

#define EXIT_OK      0
#define EXIT_TROUBLE 2

#define DATE_LEN 10             /* "YYYY-MM-DD" */
#define CELL_MAX 64             /* a formatted column: codes, range, severity */

static const char rules_help[] =
    "usage: claimscrub rules --payer ID [--client ID] [--rules DIR] [--date YYYY-MM-DD]\n"
    "\n"
    "List the rules a claim for payer ID (with client ID's overlay) runs, in\n"
    "run order: layer, rule id, severity after the overlays' severity changes\n"
    "(\"warn (was deny)\"), group-CARC RARC, effective dates of service and\n"
    "summary, then \"waived by LAYER: reason\" when a higher layer waives it.\n"
    "\n"
    "options:\n"
    "  --payer ID           the payer (required)\n"
    "  --client ID          apply client ID's overlay\n"
    "  --rules DIR          rules root holding payers/ and clients/\n"
    "  --date YYYY-MM-DD    omit the rules not in force on that date of service\n"
    "  -h, --help           show this help\n"
    "\n"
    "exit status: 0 listed; 2 usage or rules error.\n";

typedef struct rules_opts {
    const char *payer, *client, *rules_dir, *date;
} rules_opts;

static int rules_usage(const char *fmt, const char *arg)
{
    fputs("claimscrub: rules: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'claimscrub rules --help'.\n", stderr);
    return EXIT_TROUBLE;
}

/* Whether s is "YYYY-MM-DD" in shape (the digits are not range-checked:
 * the comparison with rule dates is by text). */
static bool date_shaped(const char *s)
{
    if (strlen(s) != DATE_LEN) return false;
    for (int i = 0; i < DATE_LEN; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) return false;
    return true;
}

/* Parse the options; returns EXIT_OK, -1 for help, or EXIT_TROUBLE with
 * the message printed. */
static int parse_rules(int argc, char **argv, rules_opts *o)
{
    static const char *const names[] = {"--payer", "--client", "--rules", "--date"};
    const char **slots[] = {&o->payer, &o->client, &o->rules_dir, &o->date};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) return -1;
        size_t k = 0;
        for (; k < sizeof names / sizeof *names; k++) {
            size_t n = strlen(names[k]);
            if (strncmp(a, names[k], n) != 0 || (a[n] != 0 && a[n] != '=')) continue;
            if (a[n] == '=') *slots[k] = a + n + 1;
            else if (i + 1 < argc) *slots[k] = argv[++i];
            else return rules_usage("option %s needs a value", a);
            if (!**slots[k]) return rules_usage("option %s needs a value", names[k]);
            break;
        }
        if (k == sizeof names / sizeof *names)
            return rules_usage(a[0] == '-' ? "unknown option '%s'" : "unexpected argument '%s'", a);
    }
    if (!o->payer) return rules_usage("%s", "--payer ID is required");
    if (o->date && !date_shaped(o->date)) return rules_usage("--date must be YYYY-MM-DD, not '%s'", o->date);
    return EXIT_OK;
}

/* A layer's folder: its manifest without "/payer.lua" or "/client.lua". */
static int folder_len(const char *manifest)
{
    const char *slash = strrchr(manifest, '/');
    return (int)(slash ? (size_t)(slash - manifest) : strlen(manifest));
}

/* Whether the rule is in force on date ("" from/to: open). */
static bool in_force(const cs_rule_info *r, const char *date)
{
    return (!r->from[0] || strcmp(date, r->from) >= 0) && (!r->to[0] || strcmp(date, r->to) <= 0);
}

static void format_severity(const cs_rule_info *r, char *buf)
{
    if (r->severity == r->base_severity) snprintf(buf, CELL_MAX, "%s", cs_status_name(r->severity));
    else snprintf(buf, CELL_MAX, "%s (was %s)", cs_status_name(r->severity),
                  cs_status_name(r->base_severity));
}

/* "CO-16 MA130", "CO-16", "-" */
static void format_codes(const cs_rule_info *r, char *buf)
{
    snprintf(buf, CELL_MAX, "%s%s%s%s%s", r->group, r->group[0] && r->carc[0] ? "-" : "",
             r->carc, r->rarc[0] && (r->group[0] || r->carc[0]) ? " " : "", r->rarc);
    if (!buf[0]) snprintf(buf, CELL_MAX, "-");
}

/* "2008-01-01..", "..2025-12-31", "2008-01-01..2025-12-31", "always" */
static void format_range(const cs_rule_info *r, char *buf)
{
    if (!r->from[0] && !r->to[0]) snprintf(buf, CELL_MAX, "always");
    else snprintf(buf, CELL_MAX, "%s..%s", r->from, r->to);
}

typedef struct widths {
    int layer, id, sev, codes, range;
} widths;

static void print_rule(const cs_rule_info *r, const widths *w)
{
    char sev[CELL_MAX], codes[CELL_MAX], range[CELL_MAX];
    format_severity(r, sev);
    format_codes(r, codes);
    format_range(r, range);
    printf("%-*.*s  %-*s  %-*s  %-*s  %-*s  %s", w->layer, folder_len(r->layer), r->layer,
           w->id, r->id, w->sev, sev, w->codes, codes, w->range, range, r->summary);
    if (r->waived_by)
        printf("  [waived by %.*s: %s]", folder_len(r->waived_by), r->waived_by, r->waive_reason);
    putchar('\n');
}

static int max_int(int a, int b) { return a > b ? a : b; }

/* Column widths over the rules listed. */
static widths measure(const cs_rule_info *rules, int n, const char *date)
{
    widths w = {5, 4, 8, 5, 9};     /* the header's words */
    char cell[CELL_MAX];
    for (int i = 0; i < n; i++) {
        const cs_rule_info *r = &rules[i];
        if (date && !in_force(r, date)) continue;
        w.layer = max_int(w.layer, folder_len(r->layer));
        w.id = max_int(w.id, (int)strlen(r->id));
        format_severity(r, cell); w.sev = max_int(w.sev, (int)strlen(cell));
        format_codes(r, cell); w.codes = max_int(w.codes, (int)strlen(cell));
        format_range(r, cell); w.range = max_int(w.range, (int)strlen(cell));
    }
    return w;
}

/* Print the list for an open engine; returns the exit status. */
static int list_rules(cs_engine *e, const rules_opts *o)
{
    int n = cs_engine_rules(e, o->payer, o->client, NULL, 0);
    if (n == -1) { fprintf(stderr, "claimscrub: rules: no rule pack '%s' under the rules root\n", o->payer); return EXIT_TROUBLE; }
    if (n == -2) { fprintf(stderr, "claimscrub: rules: no client overlay '%s' under the rules root\n", o->client); return EXIT_TROUBLE; }
    cs_rule_info *rules = calloc((size_t)n + 1, sizeof *rules);
    if (!rules) { fputs("claimscrub: rules: out of memory\n", stderr); return EXIT_TROUBLE; }
    cs_engine_rules(e, o->payer, o->client, rules, n);
    widths w = measure(rules, n, o->date);
    printf("%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w.layer, "LAYER", w.id, "RULE", w.sev, "SEVERITY",
           w.codes, "CODES", w.range, "EFFECTIVE", "SUMMARY");
    for (int i = 0; i < n; i++)
        if (!o->date || in_force(&rules[i], o->date)) print_rule(&rules[i], &w);
    free(rules);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_TROUBLE;
}

int cmd_rules(int argc, char **argv)
{
    rules_opts o = {0};
    int rc = parse_rules(argc, argv, &o);
    if (rc < 0) { fputs(rules_help, stdout); return EXIT_OK; }
    if (rc != EXIT_OK) return rc;
    char *err = NULL;
    cs_engine *e = cs_engine_new(&(cs_options){.rules_dir = o.rules_dir}, &err);
    if (!e) {
        fprintf(stderr, "claimscrub: %s\n", err ? err : "out of memory loading rules");
        cs_free(err);
        return EXIT_TROUBLE;
    }
    rc = list_rules(e, &o);
    cs_engine_free(e);
    return rc;
}

/*
 * convert.c -- claimscrub convert (docs/x12.md, docs/cli.md).
 *
 * Prints the claims of X12 837P files exactly as `claimscrub check` hands
 * them to the engine: one claim JSON per line on standard output, and each
 * claim's problems (which make check reject it) on standard error.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claimscrub.h"
#include "convert.h"
#include "x12.h"

#ifndef CS_DEFAULT_ROOT
#define CS_DEFAULT_ROOT "."
#endif

static const char convert_help[] =
    "usage: claimscrub convert [options] FILE...\n"
    "\n"
    "Print the claims of X12 837P (005010X222A1/A2) files as claim JSON, one\n"
    "per line, as `claimscrub check` sees them.  Problems that make check\n"
    "reject a claim are printed on standard error as\n"
    "FILE: segment N: claim ID: problem.  FILE - is standard input.\n"
    "\n"
    "options:\n"
    "  --rules DIR   rules root holding payers/payer-map.csv\n"
    "  --payer ID    a payer is given: an unmapped payer id is not a problem\n"
    "  -h, --help    show this help\n"
    "\n"
    "exit status: 0 every claim converted cleanly; 1 some claim has problems;\n"
    "2 usage error or unreadable file.\n";

static int convert_file(const char *path, const cs_x12_options *xo)
{
    char err[4352] = "", *why = NULL;
    size_t len = 0;
    bool mapped;
    const char *data = cs_x12_load(path, &len, &mapped, err, sizeof err);
    if (!data) { fprintf(stderr, "claimscrub: %s\n", err); return 2; }
    cs_x12_file *f = NULL;
    int rc = cs_x12_read_kept(data, len, xo, &f, &why);
    int status = 0;
    for (size_t i = 0; i < cs_x12_count(f); i++) {
        cs_x12_info c;
        size_t jlen;
        char *json, *problems;
        if (cs_x12_claim_json(cs_x12_claim_at(f, i, &c), &json, &jlen, &problems) < 0) {
            fprintf(stderr, "claimscrub: %s: segment %ld: out of memory\n", path, c.segment);
            status = 2;
            break;
        }
        if (json) {
            fwrite(json, 1, jlen, stdout);
            putchar('\n');
            cs_free(json);
        }
        for (const char *w = c.warnings; w && *w;) {   /* said, not a problem */
            size_t n = strcspn(w, "\n");
            fprintf(stderr, "%s: segment %ld: claim %s: %.*s\n", path, c.segment,
                    c.id ? c.id : "(none)", (int)n, w);
            w += n + (w[n] == '\n');
        }
        if (!problems) continue;
        status = 1;
        const char *p = problems;
        while (*p) {
            size_t n = strcspn(p, "\n");
            bool readable = n && p[0] == '@';   /* "@SEVERITY RULE: message" */
            fprintf(stderr, "%s: segment %ld: claim %s: %.*s\n", path, c.segment,
                    c.id ? c.id : "(none)", (int)n - readable, p + readable);
            p += n + (p[n] == '\n');
        }
        cs_free(problems);
    }
    if (rc < 0) {
        fprintf(stderr, "claimscrub: %s: %s\n", path, rc == -2 ? "out of memory" : why);
        status = 2;
    }
    cs_free(why);
    cs_x12_free(f);
    cs_x12_unload(data, len, mapped);
    return status;
}

int cmd_convert(int argc, char **argv)
{
    cs_x12_options xo = {CS_DEFAULT_ROOT, 0};
    int nfiles = 0, status = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(convert_help, stdout); return 0; }
        if (!strcmp(a, "--rules") || !strcmp(a, "--payer")) {
            if (i + 1 >= argc || !argv[i + 1][0]) {
                fprintf(stderr, "claimscrub: option %s needs a value\n"
                        "Try 'claimscrub convert --help'.\n", a);
                return 2;
            }
            if (!strcmp(a, "--rules")) xo.rules_dir = argv[++i];
            else { xo.payer_given = 1; i++; }
            continue;
        }
        if (a[0] == '-' && a[1]) {
            fprintf(stderr, "claimscrub: unknown option '%s'\nTry 'claimscrub convert --help'.\n", a);
            return 2;
        }
        argv[nfiles++] = argv[i];
    }
    if (nfiles == 0) {
        fprintf(stderr, "claimscrub: convert needs a FILE\nTry 'claimscrub convert --help'.\n");
        return 2;
    }
    for (int i = 0; i < nfiles; i++) {
        int s = convert_file(argv[i], &xo);
        if (s > status) status = s;
    }
    if (fflush(stdout) != 0) status = 2;
    return status;
}

/*
 * data.c -- `claimscrub data import` and `claimscrub data info`.
 *
 * Uses only the public API (claimscrub.h).  docs/data.md is the reference
 * for what a user sees here.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "claimscrub.h"
#include "data.h"

#define EXIT_OK      0
#define EXIT_TROUBLE 2

/* Input files on one command line: up to 8 PTP parts and one of each
 * other table. */
#define MAX_INPUTS 16
/* --window options: one per table, and --valid-from/--valid-to. */
#define MAX_WINDOWS 8
/* A date "YYYY-MM-DD" and its NUL. */
#define DATE_BYTES 11

static const char data_help[] =
    "usage: claimscrub data import --out DIR --release YYYY-MM-DD [tables]\n"
    "       claimscrub data info [--data DIR]\n"
    "\n"
    "import: read CMS tables (CMS's raw files or the normalised CSVs, gzip or\n"
    "not) and write release YYYY-MM-DD of the data set in DIR, replacing a\n"
    "release of that date.  Nothing is written when any input is bad.\n"
    "  --ptp FILE...             NCCI PTP edits (practitioner), up to 8 parts\n"
    "  --mue FILE                Medically Unlikely Edits (practitioner)\n"
    "  --aoc FILE                add-on code edits\n"
    "  --pfs FILE                Physician Fee Schedule RVU file (PPRRVU)\n"
    "  --icd10 FILE              ICD-10-CM code set\n"
    "  --hcpcs FILE              HCPCS Level II codes\n"
    "  --adjustment-codes FILE   CARC, RARC and group codes\n"
    "  --valid-from YYYY-MM-DD   start of the validity window of every table\n"
    "  --valid-to YYYY-MM-DD     end of it (default: the ICD-10-CM fiscal year,\n"
    "                            for the others the quarter, of the release date)\n"
    "  --window TABLE=FROM..TO   the window of one table (ptp, mue, aoc, pfs,\n"
    "                            icd10, hcpcs, adj); either date may be empty\n"
    "\n"
    "info: list the releases of the data set in DIR (default: the starter\n"
    "set): date, file, SHA-256, rows and validity window per table.\n"
    "\n"
    "exit status: 0 done; 2 usage or data error.\n";

static int data_usage(const char *fmt, const char *arg)
{
    fputs("claimscrub: data: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'claimscrub data --help'.\n", stderr);
    return EXIT_TROUBLE;
}

/* The table named by option a ("--mue"), or NULL. */
static const char *table_of(const char *a)
{
    static const char *const opts[][2] = {
        {"--ptp", "ptp"}, {"--mue", "mue"}, {"--aoc", "aoc"}, {"--pfs", "pfs"},
        {"--icd10", "icd10"}, {"--hcpcs", "hcpcs"}, {"--adjustment-codes", "adj"},
    };
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++)
        if (!strcmp(a, opts[i][0])) return opts[i][1];
    return NULL;
}

/* Parse "--window TABLE=FROM..TO" (either date may be empty) into w, the
 * dates copied into from and to.  False when malformed. */
static bool parse_window(char *arg, cs_data_window *w, char *from, char *to)
{
    char *eq = strchr(arg, '='), *dots = eq ? strstr(eq + 1, "..") : NULL;
    if (!eq || !dots || eq == arg) return false;
    size_t nf = (size_t)(dots - eq - 1), nt = strlen(dots + 2);
    if (nf >= DATE_BYTES || nt >= DATE_BYTES) return false;
    memcpy(from, eq + 1, nf);
    from[nf] = 0;
    memcpy(to, dots + 2, nt + 1);
    *eq = 0;
    *w = (cs_data_window){arg, nf ? from : NULL, nt ? to : NULL};
    return true;
}

static int cmd_import(int argc, char **argv)
{
    cs_data_file in[MAX_INPUTS];
    cs_data_window win[MAX_WINDOWS + 1];
    char dates[MAX_WINDOWS][2][DATE_BYTES];
    size_t n = 0, nwin = 1;
    const char *out = NULL, *release = NULL, *table;
    bool after_ptp = false;     /* bare operands after --ptp FILE are more parts */
    win[0] = (cs_data_window){NULL, NULL, NULL};    /* --valid-from, --valid-to */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(data_help, stdout); return EXIT_OK; }
        bool bare = a[0] != '-';
        if (bare && !after_ptp) return data_usage("unexpected argument '%s'", a);
        if (!bare && i + 1 >= argc) return data_usage("option %s needs a value", a);
        if (!bare && !strcmp(a, "--out")) { out = argv[++i]; after_ptp = false; continue; }
        if (!bare && !strcmp(a, "--release")) { release = argv[++i]; after_ptp = false; continue; }
        if (!bare && !strcmp(a, "--valid-from")) { win[0].from = argv[++i]; after_ptp = false; continue; }
        if (!bare && !strcmp(a, "--valid-to")) { win[0].to = argv[++i]; after_ptp = false; continue; }
        if (!bare && !strcmp(a, "--window")) {
            if (nwin == MAX_WINDOWS + 1) return data_usage("more than %s --window options", "8");
            size_t k = nwin - 1;
            if (!parse_window(argv[++i], &win[nwin], dates[k][0], dates[k][1]))
                return data_usage("--window '%s' is not TABLE=YYYY-MM-DD..YYYY-MM-DD", argv[i]);
            nwin++;
            after_ptp = false;
            continue;
        }
        if (!(table = bare ? "ptp" : table_of(a))) return data_usage("unknown option '%s'", a);
        if (n == MAX_INPUTS) return data_usage("more than %s input files", "16");
        in[n++] = (cs_data_file){table, bare ? a : argv[++i]};
        after_ptp = !strcmp(table, "ptp");
    }
    if (!out) return data_usage("%s", "import needs --out DIR");
    if (!release) return data_usage("%s", "import needs --release YYYY-MM-DD");
    char *err = NULL;
    if (cs_data_import_windows(out, release, in, n, win, nwin, &err) != 0) {
        fprintf(stderr, "claimscrub: %s\n", err ? err : "out of memory");
        cs_free(err);
        return EXIT_TROUBLE;
    }
    return EXIT_OK;
}

static int cmd_info(int argc, char **argv)
{
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(data_help, stdout); return EXIT_OK; }
        if (!strncmp(a, "--data=", 7)) dir = a + 7;
        else if (!strcmp(a, "--data") && i + 1 < argc) dir = argv[++i];
        else if (!strcmp(a, "--data")) return data_usage("option %s needs a value", a);
        else return data_usage("unexpected argument '%s'", a);
    }
    char *err = NULL, *text = cs_data_info(dir, &err);
    if (!text) {
        fprintf(stderr, "claimscrub: %s\n", err ? err : "out of memory");
        cs_free(err);
        return EXIT_TROUBLE;
    }
    fputs(text, stdout);
    cs_free(text);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_TROUBLE;
}

int cmd_data(int argc, char **argv)
{
    if (argc < 2) return data_usage("%s", "missing subcommand: import or info");
    const char *sub = argv[1];
    if (!strcmp(sub, "-h") || !strcmp(sub, "--help")) { fputs(data_help, stdout); return EXIT_OK; }
    if (!strcmp(sub, "import")) return cmd_import(argc - 1, argv + 1);
    if (!strcmp(sub, "info")) return cmd_info(argc - 1, argv + 1);
    return data_usage("unknown subcommand '%s'", sub);
}

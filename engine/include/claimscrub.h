/*
 * claimscrub.h -- the public API of the claimscrub claim-editing engine.
 *
 * An engine loads the rule packs under a rules root once, then checks claims
 * one at a time: claim JSON in, one verdict record (JSON) out.
 *
 * Threading contract: a cs_engine is not thread-safe.  Use one engine per
 * thread; engines share nothing, so any number may run in parallel.  The
 * functions that take no engine (cs_status_name, cs_version, cs_free) are
 * safe from any thread.
 *
 * Memory: every string this API hands out is owned by the caller and must be
 * released with cs_free().  Running out of memory is an error like any
 * other: the call fails cleanly, leaks nothing, and an engine stays usable
 * after a failed cs_check.  An error message (*err) is itself allocated:
 * when even that fails, *err is left NULL, which means "out of memory"
 * (docs/testing.md: the fault-injection test holds the library to this).
 */
#ifndef CLAIMSCRUB_H
#define CLAIMSCRUB_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CS_VERSION "0.1.0"

/* Claim status, lowest to highest.  A claim's status is its highest
 * non-waived finding, or CS_PASS when it has none. */
typedef enum cs_status {
    CS_PASS = 0,
    CS_INFO,
    CS_WARN,
    CS_REVIEW,
    CS_DENY,
    CS_REJECT
} cs_status;

typedef struct cs_engine cs_engine;

/* Engine options; a zeroed struct selects every default. */
typedef struct cs_options {
    const char *rules_dir;  /* root holding payers/ and clients/; NULL: built-in */
    const char *stdlib_dir; /* the engine's Lua modules; NULL: built-in */
    const char *payer;      /* when set, overrides the claim's "payer" */
    const char *client;     /* when set, overrides the claim's "client" */
    const char *data_dir;   /* reference data set (claimscrub data import);
                               NULL: the built-in starter data set */
} cs_options;

/* Where a claim came from; echoed in its record as "input".  Any field may
 * be NULL/0 (unknown). */
typedef struct cs_origin {
    const char *file;       /* file name as given by the user */
    long record;            /* 1-based position of the claim in the file */
    long line;              /* 1-based line where the claim starts */
    long segment;           /* X12: 1-based segment number of the claim's CLM
                               (or of ST when there is none) in the file */
    const char *transaction; /* X12: the transaction's control number ST02 */
} cs_origin;

/* Load every pack and overlay under opt->rules_dir.  On error NULL is
 * returned and, when err is not NULL, *err receives a message naming the file
 * and line ("payers/x/payer.lua:3: unknown key 'sevrity'"), to be released
 * with cs_free(). */
cs_engine *cs_engine_new(const cs_options *opt, char **err);

/* Check one claim given as JSON text of len bytes (need not be
 * NUL-terminated).  Always produces exactly one record: bad JSON or a bad
 * claim yields a record with status "reject".  *out receives the record, one
 * line of JSON without the trailing newline, NUL-terminated, its length in
 * *outlen when outlen is not NULL.  Returns the claim's status, or -1 when
 * memory ran out (then *out is NULL and the engine stays usable). */
int cs_check(cs_engine *e, const char *json, size_t len,
             const cs_origin *origin, char **out, size_t *outlen);

/* cs_check, and say why (claimscrub explain): the same record with one more
 * member, "trace", an array of every rule of the claim's layers in run
 * order: {"rule", "layer" (manifest), "status", "severity" (after the
 * overlays), "effective" (when the rule has a range), "waived_by" and
 * "reason" (when a higher layer waives it), "elapsed_us" (wall time on the
 * monotonic clock; absent for a rule that did not run; not deterministic),
 * "findings" [{"rule", "severity", "line", "message", "waived"}] (after
 * merging; a waived rule's show what it would have found), "refs" (the
 * reference rows its ref lookups consulted, at most 32, CS_TRACE_MAX_REFS
 * in docs/limits.md: {"table", "lookup", "key", "date", "release",
 * "found", "row"}) and "refs_more" (lookups not listed)}.  status is
 * "not_in_force", "not_applicable", "error", "waived", "fired" or
 * "no_finding" (docs/cli.md).  A claim that could not be read has an
 * empty trace.
 * Output and return value as cs_check; checking costs nothing more when
 * cs_explain is not used. */
int cs_explain(cs_engine *e, const char *json, size_t len,
               const cs_origin *origin, char **out, size_t *outlen);

/* Produce the record of a claim that could not be turned into claim JSON
 * (an X12 claim with a bad segment, say): status "reject", claim id
 * claim_id (NULL: unknown), payer and client as the engine was given them,
 * and one "input.invalid" finding per line of message.  No rule runs.
 * Output and return value as cs_check. */
int cs_check_problem(cs_engine *e, const char *claim_id, const char *message,
                     const cs_origin *origin, char **out, size_t *outlen);

/* ---- X12 837P input (docs/x12.md) ---- */

/* Options of cs_x12_read; a zeroed struct selects every default. */
typedef struct cs_x12_options {
    const char *rules_dir;  /* root holding payers/payer-map.csv; NULL: built-in */
    int payer_given;        /* nonzero when the engines have a payer (--payer):
                               then an unmapped or missing X12 payer is no
                               problem */
} cs_x12_options;

/* The claims read from one 837P file, and one of them.  Reading splits
 * the file into claims: a claim holds its segments, the loops above them and
 * the problems of its envelopes; it is mapped (into its values and its own
 * problems) only when checked or converted.  Both stay valid, unchanged,
 * until cs_x12_free: any number of threads may read and check claims of one
 * file at once. */
typedef struct cs_x12_file cs_x12_file;
typedef struct cs_x12_claim cs_x12_claim;

/* Where a claim is.  Strings belong to the file.  Its problems come with
 * its JSON (cs_x12_claim_json). */
typedef struct cs_x12_info {
    const char *id;          /* CLM01 as written; NULL when the claim has none */
    long segment;            /* segment number of the CLM (of ST when none) */
    long line;               /* 1-based line of that segment */
    const char *transaction; /* ST02; "" when none */
    const char *warnings;    /* NULL, or what was accepted with a warning,
                                one per line, each "info: " or "warn: " then
                                the message (docs/x12.md); cs_check_x12 makes
                                them input.x12 findings */
} cs_x12_info;

/* Nonzero when data (len bytes) is X12 for cs_x12_read: it starts with "ISA"
 * after an optional UTF-8 byte order mark and white space, or is UTF-16
 * that does, or holds an ISA at the start of a line after a few lines of
 * text, or starts with GS or ST (an interchange without ISA: reading takes
 * the separators of a GS, with a warning, and refuses an ST). */
int cs_x12_detect(const char *data, size_t len);

/* Read len bytes of X12 (need not be NUL-terminated; not kept) into *out:
 * one claim per CLM segment, or one per transaction without CLM.  Returns
 * 0; -1 when an envelope is unreadable, *err (when err is not NULL) saying
 * where and why, the claims before it in *out; -2 when memory ran out (*out
 * NULL).  Release *out with cs_x12_free and *err with cs_free. */
int cs_x12_read(const char *data, size_t len, const cs_x12_options *opt,
                cs_x12_file **out, char **err);

/* As cs_x12_read, but the claims refer to data instead of copying their
 * segments: data must stay valid and unchanged until cs_x12_free (a file
 * mapped into memory, say). */
int cs_x12_read_kept(const char *data, size_t len, const cs_x12_options *opt,
                     cs_x12_file **out, char **err);

/* Number of claims in f. */
size_t cs_x12_count(const cs_x12_file *f);

/* Claim i (< cs_x12_count) of f; fills *info when info is not NULL. */
const cs_x12_claim *cs_x12_claim_at(const cs_x12_file *f, size_t i, cs_x12_info *info);

/* Map claim c once into what convert prints: *json (when json is not NULL)
 * gets the project's claim JSON, one line, NUL-terminated, its length in
 * *len when len is not NULL, or NULL when it has none (a transaction we do
 * not read); *problems (when problems is not NULL) gets NULL, or its X12
 * problems, separated by '\n', each naming segment number and element (its
 * own, then its envelopes'): those that make cs_check_x12 reject it.  A
 * claim with problems may still have JSON.  Returns 0, or -2 when memory
 * ran out (then both NULL).  Release both with cs_free. */
int cs_x12_claim_json(const cs_x12_claim *c, char **json, size_t *len, char **problems);

/* Nonzero when problems (cs_x12_claim_json's; NULL = none) hold a problem
 * that leaves the claim unreadable.  A readable problem is a line
 * "@SEVERITY RULE: message" (a CLM02 total that is not the sum of the
 * lines, a trailer's count or control number, a provider id that is not an
 * NPI): cs_check_x12 reads such a claim, runs its rules and reports each as
 * a finding of RULE with that severity (docs/x12.md). */
int cs_x12_problems_fatal(const char *problems);

/* Check one X12 claim, mapping it once: its record is the one cs_check
 * gives for its claim JSON (cs_x12_claim_json), or, when the claim has X12
 * problems, the one cs_check_problem gives for them.  No JSON is printed
 * or parsed.  Output and return value as cs_check. */
int cs_check_x12(cs_engine *e, const cs_x12_claim *c, const cs_origin *origin,
                 char **out, size_t *outlen);

void cs_x12_free(cs_x12_file *f);

/* Render a record produced by cs_check as a readable text report.  Returns
 * NULL when the record is not one of ours or memory ran out. */
char *cs_record_to_text(const char *record);

/* Hex SHA-256 over the loaded pack and overlay files, in load order, and
 * the stdlib modules: the same value means the same rules. */
const char *cs_engine_rules_hash(const cs_engine *e);

void cs_engine_free(cs_engine *e);
void cs_free(void *p);

/* ---- rule metadata (claimscrub test, claimscrub rules) ---- */

/* One rule as a claim for a payer (and client overlay) sees it.  Strings
 * belong to the engine and stay valid until cs_engine_free; "" when unset. */
typedef struct cs_rule_info {
    const char *id, *summary;
    const char *layer;          /* manifest of the declaring layer:
                                   "payers/medicare/payer.lua" */
    const char *source;         /* "payers/medicare/ncci.lua:12" */
    const char *group, *carc, *rarc;
    int severity;               /* CS_INFO..CS_REJECT, after the severity
                                   changes of the higher layers */
    int base_severity;          /* as the rule declares it */
    const char *waived_by;      /* manifest of the highest layer waiving the
                                   rule, NULL when none */
    const char *waive_reason;   /* its reason, NULL when not waived */
    char from[11], to[11];      /* effective dates of service, "YYYY-MM-DD";
                                   "" = open */
} cs_rule_info;

/* The rules that run for payer `payer` with client overlay `client` (NULL
 * or "" for none): the layers base first, the overlay last, each layer's
 * rules in run order.  Fills out[0..max) (out may be NULL when max is 0)
 * and returns the number of rules, which may exceed max; -1 when the payer
 * has no pack, -2 when client is given and has no overlay (cs_check would
 * then run the payer's layers alone). */
int cs_engine_rules(cs_engine *e, const char *payer, const char *client,
                    cs_rule_info *out, int max);

/* ---- what claimscrub lint reads (engine/src/lintinfo.c) ---- */

/* One entry of a loaded pack or overlay.  Each layer gives one entry of kind
 * "layer" (name ""), then one per script it lists ("script", name the path
 * "payers/x/a.lua"), per waiver ("waive", name the rule id) and per
 * severity change ("severity", name the rule id).  Strings belong to the
 * engine and stay valid until cs_engine_free. */
typedef struct cs_layer_entry {
    const char *id;             /* the pack's or overlay's id */
    const char *manifest;       /* "payers/x/payer.lua" */
    const char *extends;        /* id of the pack below; "" when none */
    int is_client;              /* 1 for a client overlay */
    const char *kind;           /* "layer", "script", "waive", "severity" */
    const char *name;
} cs_layer_entry;

/* The entries of every loaded layer, in load order.  Fills out[0..max)
 * (out may be NULL when max is 0); returns the number of entries, which
 * may exceed max. */
int cs_engine_layer_entries(cs_engine *e, cs_layer_entry *out, int max);

/* Whether adjustment code `code` of kind "group", "carc" or "rarc" is in the
 * adjustment-code list of data set dir (NULL: the built-in starter set),
 * valid on date "YYYY-MM-DD".  Looks up n codes at once: found[i] gets 1 or
 * 0.  Returns 0, or -1 when the data set cannot be opened or an argument is
 * malformed, with *err (when err is not NULL) set; release with cs_free(). */
int cs_data_has_adjustments(const char *dir, const char *date, int n,
                            const char *const kinds[], const char *const codes[],
                            int found[], char **err);

/* ---- reference data sets (docs/data.md) ---- */

/* One input file of a data import.  table is "ptp", "mue", "aoc", "pfs",
 * "icd10", "hcpcs" or "adj"; path is CMS's raw file or the normalised CSV,
 * gzip-compressed or not.  "ptp" may be given up to 8 times (CMS splits
 * the PTP edits in parts); every other table at most once. */
typedef struct cs_data_file {
    const char *table;
    const char *path;
} cs_data_file;

/* The validity window of a table in a release: the dates of service it is
 * meant for.  table as above, or NULL for every table of the import; from
 * and to "YYYY-MM-DD", NULL = that end's default (the ICD-10-CM fiscal year,
 * or for the other tables the calendar quarter, holding the release date;
 * docs/data.md).  A window naming a table overrides one for every table. */
typedef struct cs_data_window {
    const char *table;
    const char *from;
    const char *to;
} cs_data_window;

/* Read the files and write release `release` ("YYYY-MM-DD") of the data set
 * in folder dir, creating dir when missing and replacing a release of the
 * same date.  All or nothing: returns 0 when the release file was written;
 * on any error -1, dir as it was, and *err (when err is not NULL) set to
 * "file:line: problem", to be released with cs_free(). */
int cs_data_import(const char *dir, const char *release, const cs_data_file *files,
                   size_t nfiles, char **err);

/* cs_data_import with validity windows other than the defaults; a window
 * for a table that is not imported is an error. */
int cs_data_import_windows(const char *dir, const char *release, const cs_data_file *files,
                           size_t nfiles, const cs_data_window *windows, size_t nwindows,
                           char **err);

/* A text report of the data set in dir (NULL: the built-in starter set):
 * for each release, oldest first, its date, file, SHA-256 and rows per
 * table ("-" for a table it lacks).  NULL on error, with *err as above.
 * Release with cs_free(). */
char *cs_data_info(const char *dir, char **err);

/* "pass", "info", "warn", "review", "deny", "reject"; NULL when out of range. */
const char *cs_status_name(int status);
const char *cs_version(void);

#ifdef __cplusplus
}
#endif
#endif

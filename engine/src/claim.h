/*
 * claim.h -- the claim model: a validated, normalised professional claim.
 *
 * A cs_claim is filled from parsed JSON by cs_claim_from_json().  Every field
 * is checked and normalised on the way in (codes upper-cased, ICD-10-CM
 * dotted, money in integer cents, dates as validated calendar dates), so the
 * rule runtime never sees raw input.  The struct holds no pointers: it can be
 * copied, zeroed and freed as one block.
 */
#ifndef CS_CLAIM_H
#define CS_CLAIM_H

#include <stdint.h>
#include <stdbool.h>
#include <cjson/cJSON.h>

/* Limits of the claim model; docs/limits.md says why each is what it is. */
#define CS_MAX_LINES        50   /* service lines on a CMS-1500 / 837P claim */
#define CS_MAX_DIAGNOSES    12   /* diagnosis slots on a CMS-1500 (HI segment) */
#define CS_MAX_MODIFIERS     4   /* SV101-3..6 */
#define CS_MAX_POINTERS      4   /* SV107-1..4 */
#define CS_MAX_MEASUREMENTS  4   /* MEA segments we keep per line */
#define CS_MAX_DOC_FIELDS   16   /* documentation key/value pairs */
#define CS_MAX_ID_LEN       64   /* claim, patient, payer and client ids */
#define CS_MAX_DOC_KEY      32
#define CS_MAX_DOC_VALUE   256
#define CS_MAX_UNITS     99999   /* units per line; 837P SV104 has 15 digits,
                                    no real service comes near this */
#define CS_MAX_CHARGE_CENTS 9999999999LL /* $99,999,999.99 per line */
#define CS_MAX_INPUT_ERRORS 16   /* problems reported per claim; then stop */
#define CS_MAX_ERROR_LEN   256   /* one problem's message */

/* A calendar date as YYYYMMDD (20260302); 0 = absent. */
typedef int32_t cs_date;

typedef struct cs_measurement {
    char type[3];               /* "R1" hemoglobin, "R2" hematocrit, ... */
    double value;               /* a lab value, never money */
} cs_measurement;

typedef struct cs_line {
    char code[6];               /* CPT/HCPCS, 5 characters, upper case */
    char modifiers[CS_MAX_MODIFIERS][3];
    int nmodifiers;
    int32_t units;              /* 1..CS_MAX_UNITS */
    cs_date service_date;
    cs_date service_date_to;    /* last day of a from-to range; 0 = one day */
    uint8_t pointers[CS_MAX_POINTERS]; /* 1-based diagnosis numbers */
    int npointers;
    int64_t charge;             /* cents */
    bool has_charge;
    char route[9];              /* "IM", "SC", "IV", ... ; "" = unknown */
    char ndc[12];               /* 11 digits, 5-4-2 without dashes; "" = none */
    char place_of_service[3];   /* per-line POS; "" = claim's */
    cs_measurement measurements[CS_MAX_MEASUREMENTS];
    int nmeasurements;
} cs_line;

typedef struct cs_provider {
    bool present;
    char npi[11];               /* 10 digits; a failed check digit is an
                                   input.npi_check_digit note */
    char taxonomy[11];          /* 10 characters, "" = unknown */
} cs_provider;

typedef struct cs_docfield {
    char key[CS_MAX_DOC_KEY + 1];
    char value[CS_MAX_DOC_VALUE + 1]; /* booleans are kept as "true"/"false" */
} cs_docfield;

typedef struct cs_claim {
    char id[CS_MAX_ID_LEN + 1];
    bool has_id;                /* id was readable (even if claim is bad) */
    char payer[CS_MAX_ID_LEN + 1];  /* "" = not given */
    char client[CS_MAX_ID_LEN + 1]; /* "" = not given */

    bool has_patient;
    char patient_id[CS_MAX_ID_LEN + 1];
    cs_date patient_birth_date;
    char patient_sex;           /* 'F', 'M', 'U', or 0 = unknown */

    cs_provider billing, rendering, supervising;
    char place_of_service[3];   /* 2 digits, "" = unknown */

    char diagnoses[CS_MAX_DIAGNOSES][9]; /* ICD-10-CM, dotted: "D51.0" */
    int ndiagnoses;

    cs_docfield documentation[CS_MAX_DOC_FIELDS];
    int ndocumentation;
    bool has_documentation;

    cs_line lines[CS_MAX_LINES];
    int nlines;
} cs_claim;

#define CS_MAX_INPUT_NOTES  16   /* readable problems reported per claim */

/* A problem that leaves the claim readable (a repeated diagnosis, modifier
 * or pointer, read once; an NPI that fails its check digit): it becomes a
 * finding of its own and the rules still run.  docs/claim-format.md. */
typedef struct cs_input_note {
    const char *rule;           /* "input.duplicate_diagnosis", ... (static) */
    int severity;               /* a cs_status: by harm */
    int line;                   /* 1-based line concerned; 0 = the claim */
    char msg[CS_MAX_ERROR_LEN]; /* "path: problem" */
} cs_input_note;

/* Problems found while reading a claim, each "path: problem": msg the ones
 * that make it unreadable, notes the readable ones. */
typedef struct cs_input_errors {
    char msg[CS_MAX_INPUT_ERRORS][CS_MAX_ERROR_LEN];
    int n;
    bool truncated;             /* more problems than CS_MAX_INPUT_ERRORS */
    cs_input_note notes[CS_MAX_INPUT_NOTES];
    int nnotes;
    bool notes_truncated;       /* more than CS_MAX_INPUT_NOTES */
} cs_input_errors;

/* Fill *c from the JSON value root.  Returns true when the claim is
 * readable (errs->n == 0); readable problems are in errs->notes either way.
 * Only the first nlines lines, ndiagnoses diagnoses and ndocumentation
 * documentation entries are defined; entries past the counts are left as
 * they were (the reset is kept cheap on purpose).
 * On false, errs holds at least one problem and *c holds whatever could be
 * read (notably c->id with c->has_id when the id was readable).
 * require_payer: a missing "payer" is a problem (no --payer was given). */
bool cs_claim_from_json(const cJSON *root, cs_claim *c, cs_input_errors *errs,
                        bool require_payer);

/* Record a problem; printf-style.  Ignored past CS_MAX_INPUT_ERRORS. */
void cs_input_error(cs_input_errors *errs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parse "YYYY-MM-DD" (exactly) into *d.  Returns false for anything that is
 * not a real calendar date between 1900-01-01 and 2099-12-31. */
bool cs_date_parse(const char *s, cs_date *d);

/* Whether d is a real calendar date that cs_date_parse accepts. */
bool cs_date_valid(cs_date d);

/* Write d as "YYYY-MM-DD" into buf (at least 11 bytes). */
void cs_date_format(cs_date d, char *buf);

/* Days from 1970-01-01; for date arithmetic. */
int32_t cs_date_days(cs_date d);

/* Parse a money amount, a decimal string ("125.00", "35", "0.5"), into cents.
 * At most two decimals, no sign, no exponent, at most CS_MAX_CHARGE_CENTS.
 * Returns false and sets *why to a static reason on failure. */
bool cs_money_parse(const char *s, int64_t *cents, const char **why);

/* Write cents as "125.00" into buf (at least 24 bytes). */
void cs_money_format(int64_t cents, char *buf);

#endif

/*
 * x12_twin.h -- an X12 claim's record against its JSON twin's (test_x12.c,
 * fuzz_x12.c).
 *
 * cs_check_x12's record of a claim is the one cs_check gives for its claim
 * JSON (or cs_check_problem for its problems), plus one input.x12 finding
 * per line of cs_x12_info.warnings ("info: " or "warn: " and the message),
 * in order, after the claim's input.invalid findings and before the rules'
 * (the status counting them).  x12_twin_strip checks those findings and
 * gives the record without them, with the status the rest make.
 */
#ifndef CS_X12_TWIN_H
#define CS_X12_TWIN_H

#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

static const char *const x12_twin_sev[] = {"pass", "info", "warn", "review", "deny", "reject"};

static int x12_twin_level(const char *s)
{
    for (int i = 0; i < 6; i++)
        if (s && !strcmp(s, x12_twin_sev[i])) return i;
    return -1;
}

/* rec (a record) without its input.x12 findings, which must be warnings'
 * lines; NULL when they are not, or rec is not a record.  *status gets the
 * status the other findings make.  Caller free()s. */
static char *x12_twin_strip(const char *rec, const char *warnings, int *status)
{
    cJSON *r = cJSON_Parse(rec);
    cJSON *fs = cJSON_GetObjectItemCaseSensitive(r, "findings"), *f = fs ? fs->child : NULL;
    const char *w = warnings ? warnings : "";
    int worst = 0;
    char *out = NULL;
    if (!cJSON_IsArray(fs)) goto done;
    while (f) {
        cJSON *next = f->next;
        const char *rule = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "rule"));
        const char *sev = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "severity"));
        const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "message"));
        if (rule && !strcmp(rule, "input.x12")) {
            size_t n = strcspn(w, "\n");
            if (n < 6 || strncmp(w, sev ? sev : "", 4) || !msg || strlen(msg) != n - 6 ||
                strncmp(w + 6, msg, n - 6))
                goto done;
            w += n + (w[n] == '\n');
            cJSON_Delete(cJSON_DetachItemViaPointer(fs, f));
        } else if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "waived"))) {
            int l = x12_twin_level(sev);
            if (l > worst) worst = l;
        }
        f = next;
    }
    if (*w) goto done;                  /* a warning without its finding */
    cJSON_ReplaceItemInObjectCaseSensitive(r, "status", cJSON_CreateString(x12_twin_sev[worst]));
    *status = worst;
    out = cJSON_PrintUnformatted(r);
done:
    cJSON_Delete(r);
    return out;
}

/* The twin record, reprinted by cJSON as x12_twin_strip's is; free()s. */
static char *x12_twin_reprint(const char *rec)
{
    cJSON *r = cJSON_Parse(rec);
    char *out = r ? cJSON_PrintUnformatted(r) : NULL;
    cJSON_Delete(r);
    return out;
}

#endif

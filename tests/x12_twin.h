/*
 * x12_twin.h -- an X12 claim's record against its JSON twin's (test_x12.c,
 * fuzz_x12.c).
 *
 * cs_check_x12's record of a claim is the one cs_check gives for its claim
 * JSON (or cs_check_problem for its problems, when one of them is fatal:
 * cs_x12_problems_fatal), plus one input.x12 finding per line of
 * cs_x12_info.warnings ("info: " or "warn: " and the message) and, for a
 * claim read despite its problems, one finding per readable problem ("@SEV
 * RULE: message"), in order, before the rules' (the status counting them).
 * x12_twin_strip checks those findings and gives the record without them,
 * with the status the rest make.
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

/* The rule, severity and message of note line w (n bytes): "info: M" or
 * "warn: M" (rule input.x12), or a readable problem "@SEV RULE: M"
 * (cs_x12_problems_fatal).  False when it is neither. */
static int x12_twin_note(const char *w, size_t n, char *rule, char *sev, const char **msg,
                         size_t *mlen)
{
    if (n >= 6 && (!strncmp(w, "info: ", 6) || !strncmp(w, "warn: ", 6))) {
        strcpy(rule, "input.x12");
        memcpy(sev, w, 4);
        sev[4] = 0;
        *msg = w + 6;
        *mlen = n - 6;
        return 1;
    }
    const char *sp = w[0] == '@' ? memchr(w, ' ', n) : NULL;
    const char *co = sp ? memchr(sp, ':', n - (size_t)(sp - w)) : NULL;
    if (!co || sp - w - 1 > 7 || co - sp - 1 > 63 || co + 2 > w + n) return 0;
    memcpy(sev, w + 1, (size_t)(sp - w - 1));
    sev[sp - w - 1] = 0;
    memcpy(rule, sp + 1, (size_t)(co - sp - 1));
    rule[co - sp - 1] = 0;
    *msg = co + 2;
    *mlen = n - (size_t)(co + 2 - w);
    return 1;
}

/* With readable problems (rejections) the money and the primary reasons
 * follow the notes' findings too: compare without them (the claim's own
 * tests check those). */
static void x12_twin_loosen(cJSON *r)
{
    cJSON_DeleteItemFromObjectCaseSensitive(r, "amount_at_risk");
    cJSON_DeleteItemFromObjectCaseSensitive(r, "lines");
    const char *const lists[] = {"findings", "waived"};
    for (int i = 0; i < 2; i++) {
        cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(r, lists[i]))
            cJSON_DeleteItemFromObjectCaseSensitive(f, "primary");
    }
}

/* rec (a record) without the findings of its notes: the lines of warnings
 * (cs_x12_info.warnings), then those of readable (the readable problems of
 * a claim cs_check_x12 still checks; NULL when none), in order, wherever
 * they are among the findings; NULL when they are not all there as their
 * notes say, or rec is not a record.  *status gets the status the other
 * findings make.  Caller free()s. */
static char *x12_twin_strip(const char *rec, const char *warnings, const char *readable,
                            int *status)
{
    cJSON *r = cJSON_Parse(rec);
    cJSON *fs = cJSON_GetObjectItemCaseSensitive(r, "findings"), *f = fs ? fs->child : NULL;
    const char *w = warnings ? warnings : "";
    int worst = 0, loose = readable != NULL;
    char *out = NULL;
    if (!cJSON_IsArray(fs)) goto done;
    while (f) {
        cJSON *next = f->next;
        const char *rule = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "rule"));
        const char *sev = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "severity"));
        const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "message"));
        if (!*w && readable) { w = readable; readable = NULL; }
        char nrule[64], nsev[8];
        const char *nmsg;
        size_t n = strcspn(w, "\n"), nlen;
        if (*w && !x12_twin_note(w, n, nrule, nsev, &nmsg, &nlen)) goto done;
        if (*w && rule && !strcmp(rule, nrule)) {       /* the next note's finding */
            if (!sev || strcmp(sev, nsev) || !msg || strlen(msg) != nlen ||
                strncmp(nmsg, msg, nlen))
                goto done;
            w += n + (w[n] == '\n');
            cJSON_Delete(cJSON_DetachItemViaPointer(fs, f));
        } else if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "waived"))) {
            int l = x12_twin_level(sev);
            if (l > worst) worst = l;
        }
        f = next;
    }
    if (*w || (readable && *readable)) goto done;   /* a note without its finding */
    cJSON_ReplaceItemInObjectCaseSensitive(r, "status", cJSON_CreateString(x12_twin_sev[worst]));
    if (loose) x12_twin_loosen(r);
    *status = worst;
    out = cJSON_PrintUnformatted(r);
done:
    cJSON_Delete(r);
    return out;
}

/* The twin record, reprinted by cJSON as x12_twin_strip's is (loose: as
 * x12_twin_loosen leaves it, for a claim with readable problems); free()s. */
static char *x12_twin_reprint(const char *rec, int loose)
{
    cJSON *r = cJSON_Parse(rec);
    if (r && loose) x12_twin_loosen(r);
    char *out = r ? cJSON_PrintUnformatted(r) : NULL;
    cJSON_Delete(r);
    return out;
}

#endif

/*
 * engine.c -- the public API: an engine is a sandbox with every pack of a
 * rules root loaded, checking one claim at a time.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

#include "claimscrub.h"
#include "claimview.h"
#include "codeset.h"
#include "engine_internal.h"
#include "host.h"
#include "jsonmem.h"
#include "refview.h"
#include "run.h"
#include "x12_internal.h"
#include "trace.h"

#ifndef CS_DEFAULT_ROOT
#define CS_DEFAULT_ROOT "."
#endif
#ifndef CS_DEFAULT_DATA
#define CS_DEFAULT_DATA CS_DEFAULT_ROOT "/build/data/starter"
#endif

struct cs_engine {
    cs_sandbox *sb;
    cs_host host;
    cs_packset packs;
    cs_verdict verdict;
    cs_claim claim;
    cs_input_errors errs;
    cs_arena arena;             /* the cJSON tree of the claim being read */
    char *payer, *client;       /* overrides, NULL when not given */
    cs_refdata *ref;            /* NULL: no reference data */
    cs_trace *trace;            /* cs_explain's; NULL until the first */
};

const char *cs_version(void) { return CS_VERSION; }

const char *cs_status_name(int s)
{
    static const char *const names[] = {"pass", "info", "warn", "review", "deny", "reject"};
    return s >= CS_PASS && s <= CS_REJECT ? names[s] : NULL;
}

void cs_free(void *p) { free(p); }

const char *cs_engine_rules_hash(const cs_engine *e) { return e->packs.hash; }

const cs_packset *cs_engine_packset(const cs_engine *e) { return &e->packs; }

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* The data set named by the options must open; the built-in starter set is
 * used when it has been built (make builds it), else there is none. */
static bool open_data(cs_engine *e, const char *dir, char **err)
{
    static const char starter[] = CS_DEFAULT_DATA;
    struct stat st;
    if (!dir && stat(starter, &st) != 0) return true;
    e->ref = cs_refdata_open(dir ? dir : starter, err);
    return e->ref != NULL;
}

cs_engine *cs_engine_new(const cs_options *opt, char **err)
{
    static const cs_options none;
    if (!opt) opt = &none;
    if (err) *err = NULL;
    cs_engine *e = calloc(1, sizeof *e);
    if (!e) goto oom;
    const char *root = opt->rules_dir ? opt->rules_dir : CS_DEFAULT_ROOT;
    const char *stdlib = opt->stdlib_dir ? opt->stdlib_dir : CS_DEFAULT_ROOT "/stdlib";
    e->payer = dup_or_null(opt->payer);
    e->client = dup_or_null(opt->client);
    if ((opt->payer && !e->payer) || (opt->client && !e->client)) goto oom;
    cs_jsonmem_init();
    if (!open_data(e, opt->data_dir, err)) goto fail;
    e->sb = cs_sandbox_new(stdlib, err);
    if (!e->sb) goto fail;
    e->sb->host = &e->host;
    e->host.ref = e->ref;
    e->host.manifest_ref = LUA_NOREF;
    if (!cs_claimview_init(e->sb->L)) goto oom;
    if (!cs_sandbox_preload(e->sb, "ref", cs_refview_open, err)) goto fail;
    if (!cs_sandbox_preload(e->sb, "codeset", cs_codeset_open, err)) goto fail;
    if (!cs_packset_load(&e->packs, e->sb, root, err)) goto fail;
    return e;
oom:
    if (err) *err = strdup("not enough memory");
fail:
    cs_engine_free(e);
    return NULL;
}

void cs_engine_free(cs_engine *e)
{
    if (!e) return;
    cs_sandbox_free(e->sb);
    cs_packset_free(&e->packs);
    cs_refdata_close(e->ref);
    cs_verdict_free(&e->verdict);
    cs_trace_free(e->trace);
    cs_arena_free(&e->arena);
    free(e->payer);
    free(e->client);
    free(e);
}

static void input_finding(cs_verdict *v, const char *msg)
{
    cs_finding *f = cs_verdict_add_engine(v, "input.invalid", CS_REJECT);
    if (f) cs_verdict_message(v, f, msg, strlen(msg));
}

/* The layers for the claim's payer (base first) and client overlay.
 * Returns false (with an input finding) when the payer has no pack. */
static bool pick_layers(cs_engine *e, const cs_claim *c)
{
    cs_verdict *v = &e->verdict;
    const char *payer = e->payer ? e->payer : c->payer;
    const char *client = e->client ? e->client : (c->client[0] ? c->client : NULL);
    v->payer = payer && payer[0] ? payer : NULL;
    v->client = client;
    const cs_pack *p = v->payer ? cs_packset_find(&e->packs, v->payer, false) : NULL;
    if (!p) {
        char msg[256];
        snprintf(msg, sizeof msg, v->payer ? "payer: no rule pack '%s' under the rules root"
                                           : "payer: missing, and no --payer was given", v->payer);
        input_finding(v, msg);
        return false;
    }
    const cs_pack *chain[CS_MAX_LAYERS];
    int n = 0;
    for (; p && n < CS_MAX_LAYERS - 1; p = p->base) chain[n++] = p;
    for (int i = n - 1; i >= 0; i--) v->layers[v->nlayers++] = chain[i];
    const cs_pack *ov = client ? cs_packset_find(&e->packs, client, true) : NULL;
    if (ov) v->layers[v->nlayers++] = ov;
    return true;
}

/* Number of JSON white-space bytes at the start of s (n bytes). */
static size_t space_run(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) i++;
    return i;
}

/* Best effort for text that is not valid JSON: the string value of a
 * top-level "id" member, copied into id (CS_MAX_ID_LEN + 1 bytes) when it is
 * plain printable ASCII without escapes.  Returns false when none is found. */
static bool salvage_id(const char *s, size_t n, char *id)
{
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '{' || c == '[') depth++;
        else if (c == '}' || c == ']') depth--;
        else if (c == '"') {
            size_t j = i + 1;
            while (j < n && s[j] != '"') j += s[j] == '\\' ? 2 : 1;
            bool is_id = depth == 1 && j == i + 3 && s[i + 1] == 'i' && s[i + 2] == 'd';
            i = j;
            if (!is_id) continue;
            while (++j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n')) ;
            if (j >= n || s[j] != ':') continue;
            while (++j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n')) ;
            if (j >= n || s[j] != '"') continue;
            size_t k = 0;
            for (j++; j < n && s[j] != '"' && k < CS_MAX_ID_LEN; j++, k++) {
                if (s[j] < 0x20 || s[j] > 0x7e || s[j] == '\\') return false;
                id[k] = s[j];
            }
            if (j >= n || s[j] != '"' || k == 0) return false;
            id[k] = 0;
            return true;
        }
    }
    return false;
}

/* Free a tree: arena trees go with the arena, any other (a host's cJSON
 * hooks were in force) with cJSON_Delete. */
static void drop_tree(cs_engine *e, cJSON *root)
{
    bool owned = !root || cs_jsonmem_owns(&e->arena, root);
    cs_jsonmem_end(&e->arena);
    if (!owned) cJSON_Delete(root);
}

/* 1-based offset of the first NUL character of JSON text s (n bytes), raw
 * or escaped as \u0000 inside a string, or 0 when there is none.  cJSON
 * keeps strings NUL-terminated, so such a value would be cut short silently
 * ("H-1\u0000X" read as "H-1"); the claim is rejected instead. */
static size_t nul_scan(const char *s, size_t n)
{
    bool in_string = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == 0) return i + 1;
        if (!in_string) { in_string = s[i] == '"'; continue; }
        if (s[i] == '"') in_string = false;
        else if (s[i] == '\\') {
            if (i + 5 < n && s[i + 1] == 'u' && memcmp(s + i + 2, "0000", 4) == 0) return i + 1;
            if (++i < n && s[i] == 0) return i + 1;
        }
    }
    return 0;
}

/* nul_scan, with the common text that has neither a NUL byte nor an
 * escape answered by two library searches. */
static size_t nul_at(const char *s, size_t n)
{
    if (!memchr(s, 0, n) && !memchr(s, '\\', n)) return 0;
    return nul_scan(s, n);
}

/* Parse exactly one JSON value (then only white space) in the arena.  On
 * failure NULL is returned and msg says why. */
static cJSON *parse(cs_engine *e, const char *json, size_t len, char *msg, size_t size)
{
    size_t nul = nul_at(json, len);
    if (nul) {
        snprintf(msg, size, "not valid JSON: NUL character at byte %zu of %zu", nul, len);
        return NULL;
    }
    const char *end = NULL;
    cs_jsonmem_begin(&e->arena);
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, false);
    size_t at = end && end >= json && end <= json + len ? (size_t)(end - json) : 0;
    if (root) at += space_run(json + at, len - at);
    if (root && at == len) return root;
    bool trailing = root != NULL;
    drop_tree(e, root);
    if (e->arena.oom)
        snprintf(msg, size, "not enough memory to read the claim (%zu bytes)", len);
    else if (space_run(json, len) == len)
        snprintf(msg, size, "empty input: no JSON value");
    else if (trailing)
        snprintf(msg, size, "not valid JSON: text after the claim at byte %zu of %zu", at + 1, len);
    else
        snprintf(msg, size, "not valid JSON (problem at byte %zu of %zu)", at + 1, len);
    return NULL;
}

/* Validate the claim tree root into e->claim; on failure the verdict holds
 * input findings. */
static bool validate(cs_engine *e, const cJSON *root)
{
    cs_verdict *v = &e->verdict;
    e->errs.n = 0;
    e->errs.truncated = false;
    bool ok = cs_claim_from_json(root, &e->claim, &e->errs, e->payer == NULL);
    if (e->claim.has_id) v->claim_id = e->claim.id;
    for (int i = 0; i < e->errs.n; i++) input_finding(v, e->errs.msg[i]);
    if (e->errs.truncated) input_finding(v, "more problems not shown");
    /* readable problems: findings of their own; the rules still run */
    for (int i = 0; i < e->errs.nnotes; i++) {
        const cs_input_note *n = &e->errs.notes[i];
        cs_finding *f = cs_verdict_add_engine(v, n->rule, n->severity);
        if (!f) continue;
        f->line = ok ? n->line : 0;
        cs_verdict_message(v, f, n->msg, strlen(n->msg));
    }
    if (e->errs.notes_truncated) {
        cs_finding *f = cs_verdict_add_engine(v, "input.more_notes", CS_WARN);
        static const char msg[] = "claim: more readable problems not shown";
        if (f) cs_verdict_message(v, f, msg, sizeof msg - 1);
    }
    if (ok) v->claim = &e->claim;
    return ok;
}

/* Parse and validate; on failure the verdict holds input findings. */
static bool read_claim(cs_engine *e, const char *json, size_t len)
{
    cs_verdict *v = &e->verdict;
    char msg[128];
    cJSON *root = parse(e, json, len, msg, sizeof msg);
    if (!root) {
        input_finding(v, msg);
        if (salvage_id(json, len, e->claim.id)) v->claim_id = e->claim.id;
        e->claim.payer[0] = e->claim.client[0] = 0;
        return false;
    }
    bool ok = validate(e, root);
    drop_tree(e, root);
    return ok;
}

/* One X12 note as a finding: a line of cs_x12_info.warnings ("info: " or
 * "warn: " and the message: rule input.x12), or a readable problem of
 * cs_x12_claim_json ("@SEVERITY RULE: message", cs_x12_problems_fatal).
 * Returns false when line is neither (an unreadable problem). */
static bool x12_note(cs_verdict *v, const char *w, size_t len)
{
    const char *rule = "input.x12";
    size_t rlen = strlen(rule), skip;
    int sev;
    char word[8];
    if (len >= 6 && (!strncmp(w, "info: ", 6) || !strncmp(w, "warn: ", 6))) {
        sev = w[0] == 'i' ? CS_INFO : CS_WARN;
        skip = 6;
    } else if (len > 1 && w[0] == '@') {
        size_t sl = strcspn(w + 1, " \n");
        const char *r = w + 1 + sl + 1;
        size_t rl = r < w + len ? strcspn(r, ":\n") : 0;
        if (sl == 0 || sl >= sizeof word || rl <= 9 || rl > CS_MAX_RULE_ID_LEN ||
            r + rl + 2 > w + len || r[rl + 1] != ' ' || strncmp(r, "input.x12", 9))
            return false;
        for (size_t k = 9; k < rl; k++)     /* the X12 reader's rules only */
            if (!(r[k] == '_' || (r[k] >= 'a' && r[k] <= 'z'))) return false;
        memcpy(word, w + 1, sl);
        word[sl] = 0;
        if ((sev = cs_severity_parse(word)) < 0) return false;
        rule = r;
        rlen = rl;
        skip = (size_t)(r + rl + 2 - w);
    } else {
        return false;
    }
    char id[CS_MAX_RULE_ID_LEN + 1];
    memcpy(id, rule, rlen);
    id[rlen] = 0;
    cs_finding *f = len > skip ? cs_verdict_add_engine(v, id, sev) : NULL;
    if (f) cs_verdict_message(v, f, w + skip, len - skip);
    return true;
}

/* The notes of an X12 claim (lines of x12_note), as findings; the rules
 * still run. */
static void x12_warnings(cs_verdict *v, const char *w)
{
    while (w && *w) {
        size_t len = strcspn(w, "\n");
        if (!x12_note(v, w, len) && len) {      /* a warning without a prefix */
            cs_finding *f = cs_verdict_add_engine(v, "input.x12", CS_WARN);
            if (f) cs_verdict_message(v, f, w, len);
        }
        w += len + (w[len] == '\n');
    }
}

static int problem_record(cs_engine *e, const char *claim_id, const char *message,
                          const char *warnings, const cs_origin *origin, char **out,
                          size_t *outlen);

/* Map the X12 claim x into a tree in the arena and, when it has no X12
 * problems, validate it; else *problems gets them (malloc'd). */
static bool read_x12(cs_engine *e, const cs_x12_claim *x, char **problems)
{
    cJSON *root = NULL;
    cs_jsonmem_begin(&e->arena);
    bool ok = cs_x12_map(x, &root, problems) == 0 && (root || *problems);
    if (!ok) e->arena.oom = true;       /* a claim without problems has a tree */
    ok = ok && !cs_x12_problems_fatal(*problems) && validate(e, root);
    bool oom = e->arena.oom;
    drop_tree(e, root);
    e->arena.oom = oom;
    return ok;
}

/* cs_check, and with t (cs_explain) what each rule did, as "trace".  With x
 * (cs_check_x12), the claim is that X12 claim, not the text json. */
static int check(cs_engine *e, const char *json, size_t len, const cs_x12_claim *x,
                 const cs_origin *origin, char **out, size_t *outlen, cs_trace *t)
{
    cs_verdict *v = &e->verdict;
    cs_verdict_reset(v);
    if (!json) { json = ""; len = 0; }
    e->arena.oom = false;
    char *problems = NULL;
    bool ok = x ? read_x12(e, x, &problems) : read_claim(e, json, len);
    cs_x12_info info = {0};
    if (x) cs_x12_info_of(x, &info);
    if (cs_x12_problems_fatal(problems)) {  /* the claim is not validated */
        int st = problem_record(e, info.id, problems, info.warnings, origin, out, outlen);
        free(problems);
        return st;
    }
    x12_warnings(v, info.warnings);
    x12_warnings(v, problems);          /* readable problems: the rules run */
    free(problems);
    /* only a claim that cannot be read is rejected without running rules */
    if (ok && pick_layers(e, &e->claim)) {
        e->host.trace = t;
        cs_run_claim(e->sb, &e->host, &e->claim, v);
        e->host.trace = NULL;
    } else if (!v->payer) {
        v->payer = e->payer ? e->payer : (e->claim.payer[0] ? e->claim.payer : NULL);
        v->client = e->client ? e->client : (e->claim.client[0] ? e->claim.client : NULL);
    }
    cs_verdict_merge(v);
    cs_buf b = {0};
    cs_verdict_json(v, origin, e->packs.hash, &b);
    if (t) cs_trace_json(t, v, &b);
    int status = cs_verdict_status(v);
    *out = cs_buf_take(&b, outlen);
    /* memory ran out: no record at all rather than a wrong one (a claim
     * rejected as unreadable, a finding lost) */
    if (*out && (v->text.oom || (t && t->oom) || e->arena.oom)) { free(*out); *out = NULL; }
    return *out ? status : -1;
}

int cs_check(cs_engine *e, const char *json, size_t len, const cs_origin *origin,
             char **out, size_t *outlen)
{
    return check(e, json, len, NULL, origin, out, outlen, NULL);
}

/* The claim is mapped once: its tree is validated as parsed JSON is (same
 * rules, same messages), or its problems make the record. */
int cs_check_x12(cs_engine *e, const cs_x12_claim *c, const cs_origin *origin,
                 char **out, size_t *outlen)
{
    return check(e, NULL, 0, c, origin, out, outlen, NULL);
}

int cs_explain(cs_engine *e, const char *json, size_t len, const cs_origin *origin,
               char **out, size_t *outlen)
{
    if (!e->trace && !(e->trace = calloc(1, sizeof *e->trace))) { *out = NULL; return -1; }
    cs_trace_reset(e->trace, e->ref);
    return check(e, json, len, NULL, origin, out, outlen, e->trace);
}

int cs_check_problem(cs_engine *e, const char *claim_id, const char *message,
                     const cs_origin *origin, char **out, size_t *outlen)
{
    return problem_record(e, claim_id, message, NULL, origin, out, outlen);
}

/* cs_check_problem, with the claim's X12 warnings (NULL: none). */
static int problem_record(cs_engine *e, const char *claim_id, const char *message,
                          const char *warnings, const cs_origin *origin, char **out,
                          size_t *outlen)
{
    cs_verdict *v = &e->verdict;
    cs_verdict_reset(v);
    e->claim.payer[0] = e->claim.client[0] = 0;
    size_t n = claim_id ? strlen(claim_id) : 0;
    bool printable = n > 0 && n <= CS_MAX_ID_LEN;
    for (size_t i = 0; printable && i < n; i++)
        printable = claim_id[i] >= 0x20 && claim_id[i] <= 0x7e;
    if (printable) {
        memcpy(e->claim.id, claim_id, n + 1);
        v->claim_id = e->claim.id;
    }
    const char *m = message && *message ? message : "the claim could not be read";
    while (*m) {
        size_t len = strcspn(m, "\n");
        if (len && !x12_note(v, m, len)) {
            cs_finding *f = cs_verdict_add_engine(v, "input.invalid", CS_REJECT);
            if (f) cs_verdict_message(v, f, m, len);
        }
        m += len + (m[len] == '\n');
    }
    x12_warnings(v, warnings);
    v->payer = e->payer;
    v->client = e->client;
    cs_verdict_merge(v);
    cs_buf b = {0};
    cs_verdict_json(v, origin, e->packs.hash, &b);
    int status = cs_verdict_status(v);
    *out = cs_buf_take(&b, outlen);
    if (*out && v->text.oom) { free(*out); *out = NULL; }
    return *out ? status : -1;
}

/*
 * test_stream.c -- the no-lost-claims guarantee, end to end.
 *
 * A stream of STREAM_N claims, 10% of its lines corrupted (deterministic
 * seed: truncated, wrong types, garbage bytes) plus blank lines (not
 * claims), CRLF ends on some lines, goes through `claimscrub check` with
 * --jobs 1 and --jobs 2 under a rules root whose pack errors on claims whose
 * id ends in 7 and loops forever (until the CPU budget) on LOOPERS claims.
 * Expected: one record per non-blank line, in order, carrying the input's
 * claim id wherever it could be read; the same bytes for both job counts;
 * every uncorrupted claim's record as when checked alone.
 *
 * Then isolation of client overlays: a hostile overlay (writes to globals,
 * _G, the stdlib, the claim, keeps other claims) in the same run as a
 * well-behaved one changes none of the well-behaved client's verdicts.
 */
#include "stream_util.h"

#include <sys/stat.h>
#include <unistd.h>
#include "claimscrub.h"

#define STREAM_N 10000
#define LOOPERS 20

static char *tmp;
static char rules[512], rules_noevil[512];

static const char *tpath(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmp, name);
    return buf[k];
}

static const char pack_manifest[] =
    "payer { id = \"sp\", name = \"stream\", scripts = { \"r.lua\" } }\n";
static const char pack_script[] =
    "local codes = require \"codes\"\n"
    "rule { id = \"sp.units\", summary = \"too many units\", severity = \"deny\",\n"
    "  check = function(claim)\n"
    "    for _, l in ipairs(claim.lines) do\n"
    "      if l.units > 3 then flag(l, \"too many units: \" .. l.units) end\n"
    "    end\n"
    "  end }\n"
    "rule { id = \"sp.em\", summary = \"E/M with modifier\", severity = \"review\",\n"
    "  check = function(claim)\n"
    "    for _, l in ipairs(claim.lines) do\n"
    "      if codes.is_em(l.code) and #l.modifiers > 0 then flag(l, string.upper(l.code)) end\n"
    "    end\n"
    "  end }\n"
    "rule { id = \"sp.bad\", summary = \"errors or loops\", severity = \"warn\",\n"
    "  check = function(claim)\n"
    "    local last = claim.id:sub(-1)\n"
    "    if last == \"7\" then error(\"boom on \" .. claim.id) end\n"
    "    if last == \"3\" and claim.id:sub(1, 1) == \"L\" then while true do end end\n"
    "  end }\n";

static const char good_manifest[] =
    "client { id = \"good\", name = \"well-behaved\", scripts = { \"g.lua\" },\n"
    "  severity = { [\"sp.units\"] = \"review\" } }\n";
static const char good_script[] =
    "local codes = require \"codes\"\n"
    "local LIMIT = { units = 2 }\n"
    "rule { id = \"good.units\", summary = \"more than two units\", severity = \"warn\",\n"
    "  check = function(claim)\n"
    "    for i, l in ipairs(claim.lines) do\n"
    "      if l.units > LIMIT.units and not codes.is_em(l.code) then\n"
    "        flag(l, string.format(\"%s: %d units (line %d) of claim %s\", l.code, l.units, i, claim.id))\n"
    "      end\n"
    "    end\n"
    "    if #claim.diagnoses > 1 then flag(claim, \"dx \" .. table.concat({claim.diagnoses[1], claim.diagnoses[2]}, \",\")) end\n"
    "  end }\n";

static const char evil_manifest[] =
    "client { id = \"evil\", name = \"hostile\", scripts = { \"e.lua\" },\n"
    "  waive = { [\"sp.units\"] = \"we pay anything\" } }\n";
static const char evil_script[] =
    "local codes = require \"codes\"\n"
    "local kept = nil\n"
    "local function try(f) pcall(f) end\n"
    "try(function() _G.flag = function() end end)\n"
    "try(function() rawset(_G, \"ipairs\", function() return function() end end) end)\n"
    "try(function() string.upper = function() return \"HACKED\" end end)\n"
    "try(function() getmetatable(\"\").__index = { sub = function() return \"7\" end } end)\n"
    "try(function() getmetatable(\"\").__index.sub = function() return \"7\" end end)\n"
    "try(function() table.concat = function() return \"HACKED\" end end)\n"
    "try(function() codes.is_em = function() return false end end)\n"
    "try(function() require(\"codes\").is_em = nil end)\n"
    "try(function() package.loaded.codes = {} end)\n"
    "try(function() setmetatable(_G, nil) end)\n"
    "try(function() _G.LIMIT = { units = 99 } end)\n"
    "try(function() math.huge = 0 end)\n"
    "rule { id = \"evil.r\", summary = \"hostile\", severity = \"info\",\n"
    "  check = function(claim)\n"
    "    try(function() claim.id = \"HACKED\" end)\n"
    "    try(function() rawset(claim, \"id\", \"HACKED\") end)\n"
    "    try(function() claim.lines[1].units = 0 end)\n"
    "    try(function() rawset(claim.lines[1], \"units\", 0) end)\n"
    "    try(function() table.remove(claim.lines) end)\n"
    "    try(function() claim.diagnoses[1] = \"Z00.00\" end)\n"
    "    try(function() getmetatable(claim).__index = function() return 0 end end)\n"
    "    try(function() setmetatable(claim, nil) end)\n"
    "    try(function() _G.flag = nil end)\n"
    "    try(function() string.format = nil end)\n"
    "    try(function() codes.is_em = function() return false end end)\n"
    "    try(function() collectgarbage(\"stop\") end)\n"
    "    if kept then\n"
    "      try(function() kept.id = \"HACKED\" end)\n"
    "      try(function() kept.lines[1].units = 0 end)\n"
    "    end\n"
    "    kept = claim\n"
    "    flag(claim.lines[1], \"evil was here\")\n"
    "  end }\n";

static int setup(void **state)
{
    tmp = tu_tmpdir();
    snprintf(rules, sizeof rules, "%s/rules", tmp);
    snprintf(rules_noevil, sizeof rules_noevil, "%s/rules-noevil", tmp);
    const char *roots[] = {rules, rules_noevil};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(mkdir(roots[i], 0755), 0);
        tu_write(roots[i], "payers/sp/payer.lua", pack_manifest);
        tu_write(roots[i], "payers/sp/r.lua", pack_script);
        tu_write(roots[i], "clients/good/client.lua", good_manifest);
        tu_write(roots[i], "clients/good/g.lua", good_script);
    }
    tu_write(rules, "clients/evil/client.lua", evil_manifest);
    tu_write(rules, "clients/evil/e.lua", evil_script);
    return 0;
}

static int teardown(void **state)
{
    tu_rmdir(tmp);
    return 0;
}

/* ---- the generator ---- */

static uint64_t rng = 0x5eed5eed12345ULL;
static uint32_t rnd(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng >> 33);
}

static const char *const CODES[] = {"99213", "99214", "96372", "J3420", "J0696", "36415"};
static const char *const DX[] = {"D51.0", "J02.9", "E11.9", "N18.4", "I10"};

/* A valid claim for payer sp (client may be NULL). */
static int make_claim(char *buf, size_t size, const char *id, const char *client)
{
    char cl[64] = "";
    if (client) snprintf(cl, sizeof cl, "\"client\":\"%s\",", client);
    char dx[64];
    unsigned d1 = rnd() % 5, d2 = (d1 + 1 + rnd() % 4) % 5;
    if (rnd() % 2) snprintf(dx, sizeof dx, "\"%s\",\"%s\"", DX[d1], DX[d2]);
    else snprintf(dx, sizeof dx, "\"%s\"", DX[d1]);
    int n = snprintf(buf, size,
        "{\"id\":\"%s\",\"payer\":\"sp\",%s"
        "\"patient\":{\"id\":\"P%u\",\"birth_date\":\"19%02u-0%u-1%u\",\"sex\":\"%s\"},"
        "\"billing_provider\":{\"npi\":\"1234567893\"},\"place_of_service\":\"11\","
        "\"diagnoses\":[%s],\"lines\":[",
        id, cl, rnd() % 1000, 30 + rnd() % 60, 1 + rnd() % 9, rnd() % 10,
        rnd() % 2 ? "F" : "M", dx);
    int lines = 1 + rnd() % 3;
    for (int i = 0; i < lines; i++) {
        const char *code = CODES[rnd() % 6];
        const char *mods = rnd() % 4 == 0 ? "\"modifiers\":[\"25\"]," : "";
        unsigned units = 1 + rnd() % 5, day = 1 + rnd() % 9;
        unsigned dollars = 10 + rnd() % 300, cents = rnd() % 100;
        n += snprintf(buf + n, size - n,
            "%s{\"code\":\"%s\",%s\"units\":%u,\"service_date\":\"2026-03-0%u\","
            "\"charge\":\"%u.%02u\",\"diagnosis_pointers\":[1]}",
            i ? "," : "", code, mods, units, day, dollars, cents);
    }
    n += snprintf(buf + n, size - n, "]}");
    return n;
}

typedef struct line_info {
    char id[16];
    int kind;           /* 0 good, 1 truncated, 2 wrong types, 3 garbage */
    long lineno;        /* 1-based line in the file */
} line_info;

/* Write the stream; lines holds one entry per record (non-blank line).
 * When good_only, corrupted lines and blank lines are left out (same
 * claims otherwise: the generator's sequence is replayed). */
static size_t write_stream(const char *path, line_info *info, bool good_only)
{
    rng = 0x5eed5eed12345ULL;
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    static char buf[8192];
    size_t nrec = 0;
    long lineno = 0;
    for (int i = 0; i < STREAM_N; i++) {
        if (rnd() % 100 == 0) {         /* a blank line: not a claim */
            static const char *const blanks[] = {"", " ", "\t", "\r", "  \t \r"};
            const char *b = blanks[rnd() % 5];
            if (!good_only) { fprintf(f, "%s\n", b); lineno++; }
        }
        char id[16];
        if (i % (STREAM_N / LOOPERS) == 5) snprintf(id, sizeof id, "L%05d3", i);
        else snprintf(id, sizeof id, "C%05d", i);
        int n = make_claim(buf, sizeof buf, id, NULL);
        int kind = rnd() % 10 == 0 ? 1 + (int)(rnd() % 3) : 0;
        if (id[0] == 'L') kind = 0;
        uint32_t r1 = rnd(), r2 = rnd();
        bool crlf = rnd() % 7 == 0;
        if (kind == 1) {                /* truncated, after the id */
            int keep = 24 + (int)(r1 % (uint32_t)(n - 30));
            buf[keep] = 0;
            n = keep;
        } else if (kind == 2) {         /* wrong types */
            static const char *const from[] = {"\"units\":", "\"charge\":\"", "\"diagnoses\":[",
                                               "\"patient\":{"};
            static const char *const to[] = {"\"units\":\"x\",\"u\":", "\"charge\":1e3,\"c\":\"",
                                             "\"diagnoses\":7,\"d\":[", "\"patient\":[],\"p\":{"};
            int k = (int)(r1 % 4);
            char *p = strstr(buf, from[k]);
            assert_non_null(p);
            static char tmpb[8192];
            snprintf(tmpb, sizeof tmpb, "%.*s%s%s", (int)(p - buf), buf, to[k], p + strlen(from[k]));
            strcpy(buf, tmpb);
            n = (int)strlen(buf);
        } else if (kind == 3) {         /* garbage bytes after the id */
            for (int g = 0; g < 1 + (int)(r2 % 8); g++) {
                int pos = 20 + (int)(rnd() % (uint32_t)(n - 20));
                unsigned char c = (unsigned char)(1 + rnd() % 255);
                if (c == '\n' || c == '\r') c = 0x80;
                buf[pos] = (char)c;
            }
        }
        if (good_only && kind) continue;
        fwrite(buf, 1, (size_t)n, f);
        fputs(crlf ? "\r\n" : "\n", f);
        lineno++;
        line_info *li = &info[nrec++];
        snprintf(li->id, sizeof li->id, "%s", id);
        li->kind = kind;
        li->lineno = lineno;
    }
    fclose(f);
    return nrec;
}

static line_info all[STREAM_N], good[STREAM_N];

/* out with every "file":"<path>" made "file":"-" (malloc'd). */
static char *with_file_dash(const char *out, const char *path)
{
    char from[600];
    snprintf(from, sizeof from, "\"file\":\"%s\"", path);
    size_t n = strlen(from);
    char *res = malloc(strlen(out) + 1), *q = res;
    assert_non_null(res);
    for (const char *p = out; *p;) {
        if (!strncmp(p, from, n)) { q += sprintf(q, "\"file\":\"-\""); p += n; }
        else *q++ = *p++;
    }
    *q = 0;
    return res;
}

/* Run the tool with its standard input a pipe (a FIFO a child writes the
 * file in into), which cannot seek back. */
static su_result run_piped(const char *in, const char *const *args)
{
    const char *fifo = tpath("stdin.fifo");
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    fflush(NULL);
    pid_t w = fork();
    assert_true(w >= 0);
    if (w == 0) {
        FILE *src = fopen(in, "rb"), *dst = fopen(fifo, "wb");
        if (!src || !dst) _exit(1);
        char b[65536];
        size_t got;
        while ((got = fread(b, 1, sizeof b, src)) > 0) fwrite(b, 1, got, dst);
        _exit(fclose(dst) == 0 ? 0 : 1);
    }
    su_result r = tu_run_cli(tmp, fifo, args);
    int ws;
    assert_int_equal(waitpid(w, &ws, 0), w);
    unlink(fifo);
    return r;
}

static void test_no_lost_claims(void **state)
{
    const char *path = tpath("stream.jsonl");
    const char *gpath = tpath("good.jsonl");
    size_t n = write_stream(path, all, false);
    size_t ng = write_stream(gpath, good, true);
    assert_int_equal(n, STREAM_N);
    size_t bad = 0, loopers = 0;
    for (size_t i = 0; i < n; i++) { bad += all[i].kind != 0; loopers += all[i].id[0] == 'L'; }
    assert_int_equal(ng, n - bad);
    assert_int_equal(loopers, LOOPERS);
    assert_true(bad > STREAM_N / 20 && bad < STREAM_N / 7);   /* about 10% */

    su_result r1 = SU_RUN(tmp, "check", "--rules", rules, "--jobs", "1", path);
    su_result r2 = SU_RUN(tmp, "check", "--rules", rules, "--jobs", "2", path);
    su_result rg = SU_RUN(tmp, "check", "--rules", rules, "--jobs", "1", gpath);
    /* corrupted lines are input that could not be read: exit 2 */
    if (r1.status != 2) fail_msg("exit %d: %s", r1.status, r1.err);
    assert_int_equal(r2.status, 2);
    assert_int_equal(rg.status, 1);
    assert_string_equal(r1.out, r2.out);        /* byte-identical */
    /* standard input, a file or a pipe, reads as the .jsonl file does */
    char *want = with_file_dash(r1.out, path);
    su_result rs = tu_run_cli(tmp, path, (const char *const[]){"check", "--rules", rules, "-", NULL});
    assert_int_equal(rs.status, 2);
    assert_string_equal(rs.out, want);
    su_result rp = run_piped(path, (const char *const[]){"check", "--rules", rules, "-", NULL});
    assert_int_equal(rp.status, 2);
    assert_string_equal(rp.out, want);
    free(want);
    su_done(&rs);
    su_done(&rp);

    char **lines, **glines;
    assert_int_equal(su_lines(r1.out, &lines), n);
    assert_int_equal(su_lines(rg.out, &glines), ng);
    size_t gi = 0, errors = 0, loops = 0, rejects = 0;
    static const char *const drop[] = {"input", NULL};
    for (size_t i = 0; i < n; i++) {
        cJSON *rec = cJSON_Parse(lines[i]);
        if (!rec) fail_msg("record %zu is not JSON: %s", i + 1, lines[i]);
        assert_int_equal(su_input(rec, "record"), (long)i + 1);
        assert_int_equal(su_input(rec, "line"), all[i].lineno);
        const char *claim = su_str(rec, "claim");
        const char *status = su_str(rec, "status");
        assert_non_null(status);
        if (all[i].kind == 0 || all[i].kind == 2) {
            if (!claim || strcmp(claim, all[i].id) != 0)
                fail_msg("record %zu: claim %s, expected %s", i + 1, claim, all[i].id);
        } else if (claim && strcmp(claim, all[i].id) != 0) {
            fail_msg("record %zu: claim %s, expected %s or null", i + 1, claim, all[i].id);
        }
        if (all[i].kind == 2) assert_string_equal(status, "reject");
        if (all[i].kind) rejects += strcmp(status, "reject") == 0;
        if (strstr(lines[i], "boom on")) errors++;
        if (strstr(lines[i], "CPU budget exceeded")) loops++;
        if (all[i].kind == 0) {
            /* the same claim in a stream of good claims only */
            char *a = su_without(lines[i], drop), *b = su_without(glines[gi], drop);
            if (strcmp(a, b) != 0)
                fail_msg("record %zu differs from the good-only run:\n%s\n%s", i + 1, a, b);
            free(a);
            free(b);
            gi++;
        }
        cJSON_Delete(rec);
    }
    assert_int_equal(gi, ng);
    assert_int_equal(loops, LOOPERS);
    assert_true(errors > 0);
    assert_true(rejects > bad / 2);

    /* Checked alone, each in a fresh engine: the good claims right after a
     * corrupted line, an erroring claim or a looping one. */
    static char buf[8192];
    char *text = tu_slurp(path, NULL);
    assert_non_null(text);
    char **in;
    size_t nin = su_lines(text, &in);
    size_t alone = 0;
    size_t ri = 0;
    for (size_t li = 0; li < nin && ri < n; li++) {
        if ((long)li + 1 != all[ri].lineno) continue;   /* a blank line */
        bool after_bad = ri > 0 && (all[ri - 1].kind || all[ri - 1].id[0] == 'L' ||
                                    all[ri - 1].id[5] == '7');
        if (all[ri].kind == 0 && after_bad && alone < 150) {
            size_t len = strlen(in[li]);
            if (len && in[li][len - 1] == '\r') len--;
            memcpy(buf, in[li], len);
            char *err = NULL;
            cs_engine *e = cs_engine_new(&(cs_options){.rules_dir = rules}, &err);
            if (!e) fail_msg("%s", err);
            char *out = NULL;
            int st = cs_check(e, buf, len, &(cs_origin){.file = path, .record = (long)ri + 1,
                                                        .line = all[ri].lineno}, &out, NULL);
            assert_true(st >= 0);
            assert_string_equal(out, lines[ri]);
            cs_free(out);
            cs_engine_free(e);
            alone++;
        }
        ri++;
    }
    assert_true(alone >= 100);
    free(in);
    free(text);
    free(lines);
    free(glines);
    su_done(&r1);
    su_done(&r2);
    su_done(&rg);
}

/* ---- two clients' overlays, one hostile ---- */

static void write_clients(const char *path, bool with_evil)
{
    rng = 0xc11e47ULL;
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    static char buf[8192];
    for (int i = 0; i < 600; i++) {
        int who = i % 3;                /* 0 evil, 1 good, 2 no overlay */
        char id[16];
        snprintf(id, sizeof id, "K%05d", i);
        make_claim(buf, sizeof buf, id, who == 0 ? "evil" : who == 1 ? "good" : NULL);
        if (who == 0 && !with_evil) continue;
        fprintf(f, "%s\n", buf);
    }
    fclose(f);
}

static void test_hostile_overlay_isolated(void **state)
{
    const char *both = tpath("both.jsonl");
    const char *goodonly = tpath("goodonly.jsonl");
    write_clients(both, true);
    write_clients(goodonly, false);
    su_result a = SU_RUN(tmp, "check", "--rules", rules, "--jobs", "1", both);
    su_result a2 = SU_RUN(tmp, "check", "--rules", rules, "--jobs", "2", both);
    su_result b = SU_RUN(tmp, "check", "--rules", rules, "--jobs", "1", goodonly);
    su_result c = SU_RUN(tmp, "check", "--rules", rules_noevil, "--jobs", "1", goodonly);
    assert_int_equal(a.status, 1);
    assert_string_equal(a.out, a2.out);
    char **la, **lb, **lc;
    size_t na = su_lines(a.out, &la), nb = su_lines(b.out, &lb), nc = su_lines(c.out, &lc);
    assert_int_equal(na, 600);
    assert_int_equal(nb, 400);
    assert_int_equal(nc, 400);
    static const char *const drop_in[] = {"input", NULL};
    static const char *const drop_eng[] = {"input", "engine", NULL};
    size_t j = 0, evil = 0, goodflags = 0;
    for (size_t i = 0; i < na; i++) {
        cJSON *rec = cJSON_Parse(la[i]);
        assert_non_null(rec);
        char id[16];
        snprintf(id, sizeof id, "K%05zu", i);
        assert_string_equal(su_str(rec, "claim"), id);     /* never "HACKED" */
        const char *client = su_str(rec, "client");
        if (client && strcmp(client, "evil") == 0) {
            assert_contains(la[i], "evil was here");
            evil++;
        } else {
            if (strstr(la[i], "\"rule\":\"good.units\"")) goodflags++;
            char *x = su_without(la[i], drop_in), *y = su_without(lb[j], drop_in);
            assert_string_equal(x, y);
            free(x); free(y);
            x = su_without(la[i], drop_eng); y = su_without(lc[j], drop_eng);
            assert_string_equal(x, y);
            free(x); free(y);
            j++;
        }
        assert_not_contains(la[i], "HACKED");
        cJSON_Delete(rec);
    }
    assert_int_equal(evil, 200);
    assert_int_equal(j, 400);
    assert_true(goodflags > 20);
    free(la); free(lb); free(lc);
    su_done(&a); su_done(&a2); su_done(&b); su_done(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_lost_claims),
        cmocka_unit_test(test_hostile_overlay_isolated),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

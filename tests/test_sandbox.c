/*
 * test_sandbox.c -- attacks on the sandbox that runs untrusted payer
 * scripts: the 15 escape and abuse cases of the sandbox reference, one
 * attack per test, in the style of Redis's scripting tests.
 *
 * Every test builds a rules root in a temporary folder:
 *
 *   payers/evil/payer.lua   scripts = { "attack.lua", "after.lua" }
 *   payers/evil/attack.lua  the attack: usually the check of rule
 *                           evil.attack, whose body starts on line 3
 *   payers/evil/after.lua   a benign rule that must still run normally
 *                           after the attack: "AFTER RAN on C1"
 *   payers/good/...         a benign pack, checked right after the attack
 *                           to prove the engine was left intact:
 *                           "GOOD OK 100000 table C2"
 *
 * An attack inside check() must fail closed: an engine.script_error
 * finding of severity review whose source names attack.lua and a line, the
 * message naming the problem; later scripts run normally, the next claim
 * (of another payer) is unaffected, and the same claim checked again gives
 * the same record byte for byte.  An attack at a script's top level is a
 * load error: cs_engine_new fails with a message naming the file.
 *
 * Attacks that could hang or kill the process run in a child process with a
 * time limit (check_in_child), so that a regression fails one test instead
 * of stopping the suite.  Run from the repository root.
 */
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "claimscrub.h"
#include "sandbox.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#define EVIL_CLAIM "{\"id\":\"C1\",\"payer\":\"evil\",\"lines\":[{\"code\":\"99213\",\"units\":1," \
                   "\"service_date\":\"2026-03-02\",\"modifiers\":[\"25\"]}]}"
#define GOOD_CLAIM "{\"id\":\"C2\",\"payer\":\"good\",\"lines\":[{\"code\":\"99213\",\"units\":1," \
                   "\"service_date\":\"2026-03-02\"}]}"
/* For the repository's medicare pack: an E/M without 25 with an injection. */
#define MEDICARE_CLAIM "{\"id\":\"M1\",\"payer\":\"medicare\",\"lines\":[" \
    "{\"code\":\"99213\",\"units\":1,\"service_date\":\"2026-03-02\"}," \
    "{\"code\":\"96372\",\"units\":1,\"service_date\":\"2026-03-02\"}]}"

#define AFTER_RAN "AFTER RAN on C1"
#define GOOD_RAN "GOOD OK 100000 table C2"

/* attack.lua for an attack in a check function: the body starts on line 3. */
#define RULE(body) \
    "rule { id = \"evil.attack\", summary = \"hostile\", severity = \"info\",\n" \
    "  check = function(claim)\n" body "\n  end }\n"

static const char EVIL_PAYER[] =
    "payer { id = \"evil\", name = \"hostile\", scripts = { \"attack.lua\", \"after.lua\" } }\n";

/* Uses string and table functions an attack may have tried to replace. */
static const char AFTER_LUA[] =
    "rule { id = \"evil.after\", summary = \"benign\", severity = \"info\",\n"
    "  check = function(claim)\n"
    "    local t = {}\n"
    "    table.insert(t, (\"after\"):upper())\n"
    "    table.insert(t, string.upper(\"ran\"))\n"
    "    flag(nil, table.concat(t, \" \") .. \" on \" .. claim.id)\n"
    "  end }\n";

static const char GOOD_PAYER[] =
    "payer { id = \"good\", name = \"benign\", scripts = { \"good.lua\" } }\n";

/* A fresh CPU budget (100000 iterations), the real string metatable and
 * libraries, a table _G. */
static const char GOOD_LUA[] =
    "rule { id = \"good.ok\", summary = \"benign\", severity = \"info\",\n"
    "  check = function(claim)\n"
    "    local n = 0\n"
    "    for i = 1, 100000 do n = n + 1 end\n"
    "    local t = {}\n"
    "    table.insert(t, (\"good\"):upper())\n"
    "    flag(nil, table.concat(t) .. \" \" .. string.upper(\"ok\") .. \" \" .. n .. \" \" .. type(_G) .. \" \" .. claim.id)\n"
    "  end }\n";

static char *g_root;        /* the temporary rules root */
static char g_stdlib[4200]; /* stdlib folder the engine is given */
static cs_engine *g_e;
static char *g_out;         /* the last record */
static char *g_err;         /* the last load error */
static char *g_first;       /* the first record of the evil claim */
static char *g_child;       /* what a child process sent back */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wall-clock limits are for a native run; valgrind is ~50 times slower. */
static double slack(void) { return RUNNING_ON_VALGRIND ? 50.0 : 1.0; }

static int setup(void **state)
{
    g_root = tu_tmpdir();
    snprintf(g_stdlib, sizeof g_stdlib, "stdlib");
    tu_write(g_root, "payers/evil/payer.lua", EVIL_PAYER);
    tu_write(g_root, "payers/evil/after.lua", AFTER_LUA);
    tu_write(g_root, "payers/good/payer.lua", GOOD_PAYER);
    tu_write(g_root, "payers/good/good.lua", GOOD_LUA);
    return 0;
}

static int teardown(void **state)
{
    cs_sandbox_fail_countdown = 0;
    cs_engine_free(g_e);
    g_e = NULL;
    cs_free(g_out);
    cs_free(g_err);
    free(g_first);
    free(g_child);
    g_out = g_err = g_first = g_child = NULL;
    tu_rmdir(g_root);
    g_root = NULL;
    return 0;
}

static void write_attack(const char *src) { tu_write(g_root, "payers/evil/attack.lua", src); }

/* Write bytes that may hold NULs (tu_write stops at the first). */
static void write_bytes(const char *rel, const char *bytes, size_t n)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", g_root, rel);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
}

static cs_engine *new_engine(char **err)
{
    return cs_engine_new(&(cs_options){.rules_dir = g_root, .stdlib_dir = g_stdlib}, err);
}

static void open_engine(void)
{
    cs_free(g_err);
    g_err = NULL;
    cs_engine_free(g_e);
    g_e = new_engine(&g_err);
    if (!g_e) fail_msg("rules did not load: %s", g_err ? g_err : "(no message)");
}

/* Check json with g_e; the record goes to g_out.  The record must be one
 * line of valid JSON whose status is the one returned. */
static int check(const char *json)
{
    cs_free(g_out);
    g_out = NULL;
    size_t len = 0;
    int st = cs_check(g_e, json, strlen(json), NULL, &g_out, &len);
    if (st < 0) fail_msg("cs_check ran out of memory");
    assert_non_null(g_out);
    assert_int_equal(len, strlen(g_out));
    cJSON *rec = cJSON_Parse(g_out);
    if (!rec) fail_msg("record is not JSON: %s", g_out);
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "status"));
    if (!status || strcmp(status, cs_status_name(st)) != 0)
        fail_msg("cs_check returned %d but the record says %s", st, status ? status : "nothing");
    cJSON_Delete(rec);
    return st;
}

/* The record in g_out reports that rule evil.attack failed with needle. */
static void assert_script_error(int st, const char *needle)
{
    if (st < CS_REVIEW) fail_msg("status %s, expected at least review: %s", cs_status_name(st), g_out);
    assert_contains(g_out, "{\"rule\":\"engine.script_error\",\"severity\":\"review\"");
    assert_contains(g_out, "\"source\":\"payers/evil/attack.lua:");
    assert_contains(g_out, needle);
    assert_contains(g_out, AFTER_RAN);            /* later scripts still run */
}

/* The engine is intact: the benign payer's claim gets exactly its finding,
 * quickly (a fresh budget, the real libraries). */
static void assert_engine_intact(void)
{
    double t0 = now();
    int st = check(GOOD_CLAIM);
    double dt = now() - t0;
    assert_int_equal(st, CS_INFO);
    assert_contains(g_out, GOOD_RAN);
    assert_not_contains(g_out, "engine.script_error");
    if (dt > 1.0 * slack()) fail_msg("the benign claim took %.2f s after the attack", dt);
}

/* The evil claim fails closed with needle; the engine stays intact; the
 * evil claim checked again gives the same record. */
static void expect_attack_fails(const char *attack_src, const char *needle)
{
    write_attack(attack_src);
    open_engine();
    assert_script_error(check(EVIL_CLAIM), needle);
    free(g_first);
    g_first = strdup(g_out);
    assert_engine_intact();
    assert_script_error(check(EVIL_CLAIM), needle);
    assert_string_equal(g_out, g_first);
}

/* The attack in a check function (its body starts on line 3). */
static void attack(const char *body, const char *needle)
{
    char src[8192];
    snprintf(src, sizeof src, RULE("%s"), body);
    expect_attack_fails(src, needle);
}

/* The record in out shows the script stopped by the CPU budget or by the
 * wall-clock backstop (under valgrind the clock may come first). */
static void assert_stopped(const char *out)
{
    if (!strstr(out, "CPU budget exceeded") && !strstr(out, "time limit exceeded"))
        fail_msg("expected the budget or the time limit to stop it: %s", out);
}

/* Natively, an attack of plain Lua instructions is stopped by the budget
 * (deterministic), not by the clock. */
static void assert_budget(const char *out)
{
    if (RUNNING_ON_VALGRIND) assert_stopped(out);
    else assert_contains(out, "CPU budget exceeded");
}

/* The attack in a check function must be stopped by the budget; the engine
 * stays intact, and the next time the same claim is stopped again. */
static void attack_stopped(const char *body)
{
    char src[8192];
    snprintf(src, sizeof src, RULE("%s"), body);
    write_attack(src);
    open_engine();
    assert_script_error(check(EVIL_CLAIM), "could not run");
    assert_budget(g_out);
    assert_engine_intact();
    assert_script_error(check(EVIL_CLAIM), "could not run");
    assert_budget(g_out);
}

/* The attack does not fail, and the claim is flagged with needle (and
 * AFTER RAN); the engine stays intact; the same claim again gives the same
 * record (left in g_out). */
static void attack_flags(const char *body, const char *needle)
{
    char src[8192];
    snprintf(src, sizeof src, RULE("%s"), body);
    write_attack(src);
    open_engine();
    assert_int_equal(check(EVIL_CLAIM), CS_INFO);
    assert_contains(g_out, needle);
    assert_contains(g_out, AFTER_RAN);
    assert_not_contains(g_out, "engine.script_error");
    g_first = strdup(g_out);
    assert_engine_intact();
    assert_int_equal(check(EVIL_CLAIM), CS_INFO);
    assert_string_equal(g_out, g_first);
}

/* attack.lua (whole) must be refused at load, naming the file and needle. */
static void load_fails(const char *attack_src, const char *where, const char *needle)
{
    write_attack(attack_src);
    cs_free(g_err);
    g_err = NULL;
    g_e = new_engine(&g_err);
    if (g_e) fail_msg("rules loaded; expected: %s", needle);
    assert_non_null(g_err);
    assert_contains(g_err, where);
    assert_contains(g_err, needle);
}

/* Check the claims (NULL-terminated) in a child process allowed secs
 * seconds (times slack()).  Returns the records, one per line; fails the
 * test when the child hangs or dies. */
static const char *check_in_child(double secs, const char *const *claims)
{
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        alarm((unsigned)(secs * slack()) + 1);
        char *err = NULL;
        cs_engine *e = new_engine(&err);
        if (!e) {
            dprintf(fd[1], "LOAD ERROR: %s\n", err ? err : "");
            _exit(0);
        }
        for (int i = 0; claims[i]; i++) {
            char *out = NULL;
            int st = cs_check(e, claims[i], strlen(claims[i]), NULL, &out, NULL);
            dprintf(fd[1], "%d %s\n", st, out ? out : "(null)");
            cs_free(out);
        }
        cs_engine_free(e);
        _exit(0);
    }
    close(fd[1]);
    size_t cap = 1 << 16, n = 0;
    g_child = malloc(cap);
    for (;;) {
        if (n + 1 >= cap) g_child = realloc(g_child, cap *= 2);
        ssize_t r = read(fd[0], g_child + n, cap - n - 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
    }
    g_child[n] = 0;
    close(fd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        fail_msg("the engine was still running after %.0f s (the CPU budget did not stop the attack); output so far:\n%s",
                 secs * slack(), g_child);
    if (WIFSIGNALED(status))
        fail_msg("the engine process died of signal %d (%s); output so far:\n%s",
                 WTERMSIG(status), strsignal(WTERMSIG(status)), g_child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return g_child;
}

static const char *const EVIL_ONLY[] = {EVIL_CLAIM, NULL};
static const char *const EVIL_THEN_GOOD[] = {EVIL_CLAIM, GOOD_CLAIM, NULL};

/* ======================================================================
 * 1. load(string.dump(f)), binary chunks
 * ====================================================================== */

/* string.dump is removed from the string library. */
static void t01_string_dump_is_nil(void **s)
{
    attack("local f = string.dump(function() end)", "attempt to call a nil value (field 'dump')");
}

/* load, loadstring: no way to compile code at run time. */
static void t01_load_is_undefined(void **s)
{
    attack("local f = load(\"\\27Lua\")", "undefined global 'load'");
}

static void t01_loadstring_is_undefined(void **s)
{
    attack("local f = loadstring(\"return 1\")", "undefined global 'loadstring'");
}

/* string.dump at a script's top level: a load error naming file and line. */
static void t01_string_dump_at_top_level(void **s)
{
    load_fails("local code = string.dump(function() end)\n",
               "payers/evil/attack.lua:1:", "attempt to call a nil value (field 'dump')");
}

/* A precompiled (binary) script on disk is refused: text-only loading. */
static void t01_binary_script_refused(void **s)
{
    static const char bin[] = "\x1bLua\x54\x00\x19\x93\r\n\x1a\n\x04\x08\x08\x78\x56\0\0\0\0\0\0";
    write_bytes("payers/evil/attack.lua", bin, sizeof bin - 1);
    cs_free(g_err);
    g_err = NULL;
    g_e = new_engine(&g_err);
    assert_null(g_e);
    assert_contains(g_err, "payers/evil/attack.lua");
    assert_contains(g_err, "binary chunk");
}

/* The same for a manifest. */
static void t01_binary_manifest_refused(void **s)
{
    static const char bin[] = "\x1bLua\x54\x00\x19\x93\r\n\x1a\n";
    write_bytes("payers/evil/payer.lua", bin, sizeof bin - 1);
    cs_free(g_err);
    g_err = NULL;
    g_e = new_engine(&g_err);
    assert_null(g_e);
    assert_contains(g_err, "payers/evil/payer.lua");
    assert_contains(g_err, "binary chunk");
}

/* And for a stdlib module that require() would load. */
static void t01_binary_stdlib_module_refused(void **s)
{
    static const char bin[] = "\x1bLua\x54\x00\x19\x93\r\n\x1a\n";
    snprintf(g_stdlib, sizeof g_stdlib, "%s/stdlib", g_root);
    tu_write(g_root, "stdlib/placeholder.lua", "return {}\n");
    write_bytes("stdlib/bin.lua", bin, sizeof bin - 1);
    attack("local m = require \"bin\"", "binary chunk");
}

/* ======================================================================
 * 2. io, os, package, debug, dofile, loadfile, require, collectgarbage
 * ====================================================================== */

static void t02_io_is_undefined(void **s)
{
    attack("local f = io.open(\"/etc/passwd\")", "undefined global 'io'");
}

static void t02_os_execute_is_undefined(void **s)
{
    attack("os.execute(\"touch /tmp/claimscrub-pwned\")", "undefined global 'os'");
}

static void t02_os_getenv_is_undefined(void **s)
{
    attack("local h = os.getenv(\"HOME\")", "undefined global 'os'");
}

static void t02_package_is_undefined(void **s)
{
    attack("local os = package.loaded.os", "undefined global 'package'");
}

/* CVE-2022-0543: package.loadlib is native code execution. */
static void t02_package_loadlib_is_undefined(void **s)
{
    attack("local f = package.loadlib(\"libc.so.6\", \"system\")", "undefined global 'package'");
}

/* require only resolves the engine's stdlib modules. */
static void t02_require_os_refused(void **s)
{
    attack("local os = require \"os\"", "require: no stdlib module 'os'");
}

static void t02_require_io_refused(void **s)
{
    attack("local io = require \"io\"", "require: no stdlib module 'io'");
}

static void t02_require_debug_refused(void **s)
{
    attack("local d = require \"debug\"", "require: no stdlib module 'debug'");
}

/* No paths: a payer's script cannot require another pack's files. */
static void t02_require_path_refused(void **s)
{
    attack("local m = require \"../payers/good/good\"", "is not a stdlib module name");
}

static void t02_require_absolute_path_refused(void **s)
{
    attack("local m = require \"/etc/passwd\"", "is not a stdlib module name");
}

static void t02_require_dotted_name_refused(void **s)
{
    attack("local m = require \"codes.x\"", "is not a stdlib module name");
}

static void t02_dofile_is_undefined(void **s)
{
    attack("dofile(\"/etc/passwd\")", "undefined global 'dofile'");
}

static void t02_loadfile_is_undefined(void **s)
{
    attack("local f = loadfile(\"payers/good/good.lua\")", "undefined global 'loadfile'");
}

static void t02_debug_is_undefined(void **s)
{
    attack("local r = debug.getregistry()", "undefined global 'debug'");
}

/* Through _G, the unreachable libraries are simply absent. */
static void t02_debug_through_G_is_absent(void **s)
{
    attack("local r = _G.debug.getregistry()", "attempt to index a nil value (field 'debug')");
}

static void t02_collectgarbage_is_undefined(void **s)
{
    attack("collectgarbage(\"stop\")", "undefined global 'collectgarbage'");
}

static void t02_print_is_undefined(void **s)
{
    attack("print(\"hello\")", "undefined global 'print'");
}

/* None of them hides in _G or the environment under a raw read. */
static void t02_nothing_behind_rawget(void **s)
{
    attack_flags("local found = {}\n"
                 "for _, name in ipairs({\"io\", \"os\", \"package\", \"debug\", \"load\", \"dofile\",\n"
                 "    \"loadfile\", \"collectgarbage\", \"coroutine\", \"print\", \"next\"}) do\n"
                 "  if rawget(_G, name) ~= nil or _G[name] ~= nil or rawget(_ENV, name) ~= nil then\n"
                 "    found[#found + 1] = name\n"
                 "  end\n"
                 "end\n"
                 "flag(nil, \"reachable: [\" .. table.concat(found, \",\") .. \"]\")",
                 "reachable: []");
}

/* No randomness, no addresses (determinism). */
static void t02_math_random_is_nil(void **s)
{
    attack("local x = math.random()", "attempt to call a nil value (field 'random')");
}

static void t02_format_p_refused(void **s)
{
    attack("local a = string.format(\"%p\", {})", "%p is not allowed");
}

static void t02_tostring_shows_no_address(void **s)
{
    attack_flags("flag(nil, \"shown: \" .. tostring({}) .. \" \" .. tostring(flag) .. \" \" .. string.format(\"%s\", {}))",
                 "shown: table function table");
}

/* ======================================================================
 * 3. Tampering with shared libraries and globals
 * ====================================================================== */

static void t03_string_upper_assignment_refused(void **s)
{
    attack("string.upper = function() return \"pwned\" end", "attempt to modify read-only table (key 'upper')");
    assert_not_contains(g_out, "pwned");
}

/* getmetatable("") is locked: no way to reach the real string table. */
static void t03_string_metatable_locked(void **s)
{
    attack("getmetatable(\"\").__index.upper = function() return \"pwned\" end",
           "attempt to index a boolean value");
    assert_not_contains(g_out, "pwned");
}

static void t03_rawset_string_refused(void **s)
{
    attack("rawset(string, \"upper\", function() return \"pwned\" end)", "attempt to modify read-only table");
    assert_not_contains(g_out, "pwned");
}

static void t03_setmetatable_string_refused(void **s)
{
    attack("setmetatable(string, {__index = function() return \"pwned\" end})",
           "cannot change a protected metatable");
}

static void t03_setmetatable_G_refused(void **s)
{
    attack("setmetatable(_G, {})", "cannot change a protected metatable");
}

static void t03_setmetatable_G_at_top_level(void **s)
{
    load_fails("setmetatable(_G, {})\n", "payers/evil/attack.lua:1:", "cannot change a protected metatable");
}

static void t03_assign_G_in_check_refused(void **s)
{
    attack("_G = {}", "payers/evil/attack.lua:3: ");
    assert_contains(g_out, "'_G'");
}

static void t03_assign_G_at_top_level(void **s)
{
    load_fails("local x = 1\n_G = {}\n", "payers/evil/attack.lua:2:", "cannot redefine built-in '_G'");
}

static void t03_assign_string_at_top_level(void **s)
{
    load_fails("string = { upper = function() return \"pwned\" end }\n",
               "payers/evil/attack.lua:1:", "cannot redefine built-in 'string'");
}

static void t03_G_field_assignment_refused(void **s)
{
    attack("_G.string = {}", "attempt to modify read-only table (key 'string')");
}

static void t03_table_insert_nil_refused(void **s)
{
    attack("table.insert = nil", "attempt to modify read-only table (key 'insert')");
}

static void t03_math_and_utf8_read_only(void **s)
{
    attack("math.pi = 3", "attempt to modify read-only table (key 'pi')");
}

static void t03_string_value_field_refused(void **s)
{
    attack("(\"x\").upper = 1", "attempt to index a string value");
}

/* A script may shadow a built-in in its own environment with rawset; that
 * changes nothing for the next script, the next claim or another payer. */
static void t03_shadowing_in_own_env_stays_local(void **s)
{
    write_attack("rawset(_ENV, \"string\", { upper = function() return \"pwned\" end })\n"
                 RULE("flag(nil, \"own: \" .. string.upper(\"x\"))"));
    open_engine();
    assert_int_equal(check(EVIL_CLAIM), CS_INFO);
    assert_contains(g_out, "own: pwned");
    assert_contains(g_out, AFTER_RAN);
    assert_engine_intact();
}

/* _ENV replaced inside check: only that script's own globals change. */
static void t03_replacing_ENV_stays_local(void **s)
{
    attack("_ENV = { flag = flag }\nlocal u = string.upper(\"x\")", "attempt to index a nil value (global 'string')");
}

/* ======================================================================
 * 4. State shared between scripts or claims
 * ====================================================================== */

/* A global written by script A is invisible to script B's check... */
static void t04_global_invisible_to_other_script(void **s)
{
    write_attack("secret = \"from attack.lua\"\n"
                 RULE("flag(nil, \"own: \" .. secret)"));
    tu_write(g_root, "payers/evil/after.lua",
             "rule { id = \"evil.after\", summary = \"spy\", severity = \"info\",\n"
             "  check = function(claim)\n"
             "    flag(nil, \"stolen: \" .. secret)\n"
             "  end }\n");
    open_engine();
    int st = check(EVIL_CLAIM);
    assert_true(st >= CS_REVIEW);
    assert_contains(g_out, "own: from attack.lua");
    assert_contains(g_out, "\"source\":\"payers/evil/after.lua:3\"");
    assert_contains(g_out, "undefined global 'secret'");
    assert_not_contains(g_out, "stolen");
    assert_engine_intact();
}

/* ...and to its top level. */
static void t04_global_invisible_to_other_script_top_level(void **s)
{
    write_attack("secret = \"from attack.lua\"\n" RULE("flag(nil, secret)"));
    tu_write(g_root, "payers/evil/after.lua", "local stolen = secret\n");
    cs_free(g_err);
    g_err = NULL;
    g_e = new_engine(&g_err);
    assert_null(g_e);
    assert_contains(g_err, "payers/evil/after.lua:1:");
    assert_contains(g_err, "undefined global 'secret'");
}

/* A top-level local counter starts again for every claim. */
static void t04_upvalue_counter_does_not_carry(void **s)
{
    write_attack("local n = 0\n" RULE("n = n + 1\nflag(nil, \"n=\" .. n)"));
    open_engine();
    for (int i = 0; i < 3; i++) {
        assert_int_equal(check(EVIL_CLAIM), CS_INFO);
        assert_contains(g_out, "\"message\":\"n=1\"");
        assert_engine_intact();
    }
}

/* A global counter kept with rawget/rawset starts again for every claim. */
static void t04_global_counter_does_not_carry(void **s)
{
    write_attack("count = (rawget(_ENV, \"count\") or 0) + 1\n"
                 RULE("flag(nil, \"count=\" .. count)"));
    open_engine();
    for (int i = 0; i < 3; i++) {
        assert_int_equal(check(EVIL_CLAIM), CS_INFO);
        assert_contains(g_out, "\"message\":\"count=1\"");
    }
}

/* rawset(_ENV) during a check (refused, or kept only for that claim)
 * never shows in the next claim. */
static void t04_rawset_env_in_check_does_not_carry(void **s)
{
    write_attack(RULE("if rawget(_ENV, \"mark\") then flag(nil, \"leaked\") end\n"
                      "flag(nil, \"checked\")\n"
                      "rawset(_ENV, \"mark\", true)"));
    open_engine();
    for (int i = 0; i < 3; i++) {
        check(EVIL_CLAIM);
        assert_contains(g_out, "checked");
        assert_not_contains(g_out, "leaked");
        if (i == 0) g_first = strdup(g_out);
        else assert_string_equal(g_out, g_first);
    }
}

/* A table kept at the top level, written by a check (refused, or reset
 * for every claim): the next claim never sees the write. */
static void t04_table_upvalue_does_not_carry(void **s)
{
    write_attack("local seen = {}\n"
                 RULE("flag(nil, \"seen=\" .. #seen)\nseen[#seen + 1] = claim.id"));
    open_engine();
    for (int i = 0; i < 3; i++) {
        check(EVIL_CLAIM);
        assert_contains(g_out, "\"message\":\"seen=0\"");
        if (i == 0) g_first = strdup(g_out);
        else assert_string_equal(g_out, g_first);
    }
}

/* A top-level function replaced by a check is back for the next claim. */
static void t04_function_upvalue_does_not_carry(void **s)
{
    write_attack("local helper = function() return \"original\" end\n"
                 RULE("flag(nil, \"helper: \" .. helper())\n"
                      "helper = function() return \"replaced\" end"));
    open_engine();
    for (int i = 0; i < 3; i++) {
        assert_int_equal(check(EVIL_CLAIM), CS_INFO);
        assert_contains(g_out, "helper: original");
        assert_not_contains(g_out, "replaced");
    }
}

/* A counter hidden in a closure made at the top level starts again. */
static void t04_closure_counter_does_not_carry(void **s)
{
    write_attack("local next_n = (function() local n = 0; return function() n = n + 1; return n end end)()\n"
                 RULE("flag(nil, \"n=\" .. next_n())"));
    open_engine();
    for (int i = 0; i < 3; i++) {
        check(EVIL_CLAIM);
        assert_contains(g_out, "\"message\":\"n=1\"");
        assert_not_contains(g_out, "n=2");
    }
}

/* Two rules of one script: what the first does to a shared upvalue is
 * gone by the next claim. */
static void t04_shared_upvalue_between_rules(void **s)
{
    write_attack("local last = \"none\"\n"
                 RULE("flag(nil, \"before: \" .. last)\nlast = claim.id")
                 "rule { id = \"evil.second\", summary = \"s\", severity = \"info\",\n"
                 "  check = function(claim) flag(nil, \"second saw: \" .. last) end }\n");
    open_engine();
    for (int i = 0; i < 3; i++) {
        assert_int_equal(check(EVIL_CLAIM), CS_INFO);
        assert_contains(g_out, "before: none");
        assert_not_contains(g_out, "before: C1");
    }
}

/* A new global written during a check is an error, with name and line. */
static void t04_global_write_in_check_refused(void **s)
{
    attack("local x = 1\nleak = claim.id", "payers/evil/attack.lua:4: assignment to");
    assert_contains(g_out, "global 'leak' (rules keep no state between claims");
    assert_contains(g_out, "\"source\":\"payers/evil/attack.lua:4\"");
}

/* stdlib modules are shared by every script: they are read-only. */
static void t04_stdlib_module_read_only(void **s)
{
    attack("local codes = require \"codes\"\ncodes.is_em_office = function() return false end",
           "attempt to modify read-only table (key 'is_em_office')");
}

static void t04_stdlib_module_rawset_refused(void **s)
{
    attack("rawset(require \"codes\", \"leak\", claim.id)", "attempt to modify read-only table");
}

/* ======================================================================
 * 5. Endless loops
 * ====================================================================== */

static void t05_while_true(void **s)
{
    double t0 = now();
    attack_stopped("while true do end");
    if (!RUNNING_ON_VALGRIND) assert_contains(g_out, "payers/evil/attack.lua:3: CPU budget exceeded");
    if (now() - t0 > 3.0 * slack()) fail_msg("three checks took %.2f s", now() - t0);
}

/* pcall cannot swallow the stop: the budget is sticky. */
static void t05_pcall_in_loop(void **s)
{
    attack_stopped("while true do pcall(function() while true do end end) end");
}

static void t05_pcall_then_carry_on(void **s)
{
    attack_stopped("local ok, e = pcall(function() while true do end end)\n"
                   "flag(nil, \"caught: \" .. tostring(e))");
    assert_not_contains(g_out, "caught");
}

static void t05_repeat_until_false(void **s)
{
    attack_stopped("repeat until false");
}

static void t05_xpcall_handler_swallows(void **s)
{
    attack_stopped("xpcall(function() while true do end end, function(m) return m end)\n"
                   "flag(nil, \"swallowed\")");
    assert_not_contains(g_out, "swallowed");
}

/* Lua runs a message handler inside the count hook when the budget's error
 * is raised there, with hooks off: a looping handler must still stop. */
static void t05_xpcall_handler_loops(void **s)
{
    write_attack(RULE("xpcall(function() repeat until false end, function() while true do end end)"));
    const char *out = check_in_child(5, EVIL_THEN_GOOD);
    assert_budget(out);
    assert_contains(out, GOOD_RAN);
}

/* The budget is per invocation, not cumulative over claims or rules:
 * two rules of 8 million instructions each, three claims in a row. */
static void t05_budget_is_per_invocation(void **s)
{
    if (RUNNING_ON_VALGRIND) skip();    /* 8M instructions pass the time limit there */
    write_attack(RULE("for i = 1, 8000000 do end\nflag(nil, \"first done\")")
                 "rule { id = \"evil.second\", summary = \"heavy\", severity = \"info\",\n"
                 "  check = function(claim) for i = 1, 8000000 do end flag(nil, \"second done\") end }\n");
    open_engine();
    for (int i = 0; i < 3; i++) {
        assert_int_equal(check(EVIL_CLAIM), CS_INFO);
        assert_contains(g_out, "first done");
        assert_contains(g_out, "second done");
    }
}

/* An endless loop at a script's top level: a load error. */
static void t05_loop_at_top_level(void **s)
{
    load_fails("local x = 0\nwhile true do x = x + 1 end\n", "payers/evil/attack.lua:2:", "exceeded");
    assert_budget(g_err);
}

/* Work done in C per VM instruction must count too: a loop of table.move
 * calls (a million element copies per call) runs for hours on a budget of
 * ten million instructions if only instructions are counted.  The C work is
 * charged to the budget (sandbox.h), so the budget, not the clock, stops
 * it. */
static void t05_loop_of_table_move(void **s)
{
    write_attack(RULE("while true do table.move({}, 1, 1048575, 1, {}) end"));
    assert_budget(check_in_child(5, EVIL_ONLY));
}

/* The same with string.rep: 30 MB per call, garbage a moment later. */
static void t05_loop_of_string_rep(void **s)
{
    write_attack(RULE("while true do local x = string.rep(\"x\", 30000000) end"));
    assert_budget(check_in_child(5, EVIL_ONLY));
}

/* The same with a pattern just under the complexity limit (~60 ms each). */
static void t05_loop_of_pattern_search(void **s)
{
    write_attack(RULE("local s = (\"a\"):rep(4000)\nwhile true do string.find(s, \".-b\") end"));
    assert_budget(check_in_child(5, EVIL_ONLY));
}

/* table.sort without a comparator compares in C. */
static void t05_loop_of_sort(void **s)
{
    write_attack(RULE("local t = {}\nfor i = 1, 200000 do t[i] = (i * 7919) % 200000 end\n"
                      "while true do table.sort(t) end"));
    assert_budget(check_in_child(5, EVIL_ONLY));
}

/* codeset.of reads and sorts its list in C: 512 entries a call. */
static void t05_loop_of_codeset(void **s)
{
    write_attack(RULE("local t = {}\nfor i = 1, 512 do t[i] = string.format(\"%05d\", 513 - i) end\n"
                      "local codeset = require \"codeset\"\nwhile true do codeset.of(t) end"));
    assert_budget(check_in_child(5, EVIL_ONLY));
}

/* A list it refuses (513 entries) is charged too: pcall cannot make the
 * reading free. */
static void t05_loop_of_codeset_errors(void **s)
{
    write_attack(RULE("local t = {}\nfor i = 1, 513 do t[i] = string.format(\"%05d\", i) end\n"
                      "local codeset = require \"codeset\"\nwhile true do pcall(codeset.of, t) end"));
    assert_budget(check_in_child(5, EVIL_ONLY));
}

/* Errors raised in C cost far more than the instruction that raises them. */
static void t05_loop_of_errors(void **s)
{
    write_attack(RULE("while true do pcall(string.rep) end"));
    assert_stopped(check_in_child(5, EVIL_ONLY));
}

/* The wall-clock backstop: comparing two 20 MB strings is one instruction. */
static void t05_loop_of_big_comparisons(void **s)
{
    write_attack(RULE("local a, b = (\"x\"):rep(20000000), (\"x\"):rep(20000000)\n"
                      "while true do local same = a < b end"));
    assert_stopped(check_in_child(5, EVIL_ONLY));
}

/* ======================================================================
 * 6. Coroutines
 * ====================================================================== */

static void t06_coroutine_is_undefined(void **s)
{
    attack("coroutine.wrap(function() while true do end end)()", "undefined global 'coroutine'");
}

static void t06_coroutine_through_G_is_absent(void **s)
{
    attack("local co = _G.coroutine.create(function() end)", "attempt to index a nil value (field 'coroutine')");
}

/* ======================================================================
 * 7. Finalizers and other GC-driven metamethods
 * ====================================================================== */

/* __gc runs with hooks off: a looping finalizer would escape the budget. */
static void t07_gc_metamethod_refused(void **s)
{
    attack("setmetatable({}, {__gc = function() while true do end end})",
           "__gc metamethods are not allowed");
}

static void t07_gc_non_function_refused(void **s)
{
    attack("setmetatable({}, {__gc = true})", "__gc metamethods are not allowed");
}

static void t07_close_metamethod_refused(void **s)
{
    attack("setmetatable({}, {__close = function() end})", "__close metamethods are not allowed");
}

/* Weak tables would make a verdict depend on when the GC runs. */
static void t07_mode_metamethod_refused(void **s)
{
    attack("setmetatable({}, {__mode = \"k\"})", "__mode metamethods are not allowed");
}

static void t07_gc_at_top_level(void **s)
{
    load_fails("local keep = setmetatable({}, {__gc = function() while true do end end})\n",
               "payers/evil/attack.lua:1:", "__gc metamethods are not allowed");
}

/* __gc added to the metatable afterwards is never called (Lua marks
 * objects for finalization only in setmetatable). */
static void t07_gc_added_later_never_runs(void **s)
{
    /* a metatable is guarded once used: adding __gc later is refused */
    attack("local mt = {}\n"
           "local t = setmetatable({}, mt)\n"
           "mt.__gc = function() while true do end end",
           "payers/evil/attack.lua:5: __gc metamethods are not allowed in rules");
}

/* __close added afterwards is refused the same way. */
static void t07_close_added_later_is_budgeted(void **s)
{
    attack("local mt = {}\n"
           "local t = setmetatable({}, mt)\n"
           "mt.__close = function() while true do end end\n"
           "do local x <close> = t end",
           "payers/evil/attack.lua:5: __close metamethods are not allowed in rules");
}

/* __mode added afterwards would make a table weak, and whether a key
 * survives would depend on GC timing: refused, by assignment or rawset. */
static void t07_mode_added_later_has_no_effect(void **s)
{
    attack("local mt = {}\n"
           "local w = setmetatable({}, mt)\n"
           "mt.__mode = \"k\"",
           "payers/evil/attack.lua:5: __mode metamethods are not allowed in rules");
    attack("local mt = {}\n"
           "local w = setmetatable({}, mt)\n"
           "rawset(mt, \"__mode\", \"k\")",
           "payers/evil/attack.lua:5: __mode metamethods are not allowed in rules");
}

/* ======================================================================
 * 8. Memory exhaustion
 * ====================================================================== */

static void t08_huge_rep(void **s)
{
    attack("local x = (\"x\"):rep(1e9)", "not enough memory");
}

static void t08_string_doubling(void **s)
{
    attack("local s = \"x\"\nwhile true do s = s .. s end", "not enough memory");
}

static void t08_table_of_big_strings(void **s)
{
    attack("local t = {}\nwhile true do t[#t + 1] = (\"x\"):rep(1000000) .. #t end", "not enough memory");
}

/* A table grown without end: the memory cap or the CPU budget stops it. */
static void t08_table_grown_without_end(void **s)
{
    write_attack(RULE("local t = {}\nlocal i = 0\nwhile true do i = i + 1; t[i] = i end"));
    open_engine();
    for (int k = 0; k < 2; k++) {
        int st = check(EVIL_CLAIM);
        assert_script_error(st, "could not run");
        if (!strstr(g_out, "not enough memory") && !strstr(g_out, "CPU budget exceeded") &&
            !strstr(g_out, "time limit exceeded"))
            fail_msg("neither the memory cap nor the budget stopped it: %s", g_out);
        assert_engine_intact();
    }
}

static void t08_table_of_tables(void **s)
{
    write_attack(RULE("local t = {}\nwhile true do t[#t + 1] = {} end"));
    open_engine();
    int st = check(EVIL_CLAIM);
    assert_script_error(st, "could not run");
    if (!strstr(g_out, "not enough memory") && !strstr(g_out, "CPU budget exceeded") &&
        !strstr(g_out, "time limit exceeded"))
        fail_msg("neither the memory cap nor the budget stopped it: %s", g_out);
    assert_engine_intact();
}

/* Memory exhausted at a script's top level: a load error naming the file. */
static void t08_memory_at_top_level(void **s)
{
    load_fails("local s = \"x\"\nwhile true do s = s .. s end\n", "payers/evil/attack.lua", "not enough memory");
}

/* ======================================================================
 * 9. Recursion, pathological patterns
 * ====================================================================== */

/* Not a tail call: Lua's stack limit or the memory cap stops it. */
static void t09_deep_recursion(void **s)
{
    write_attack(RULE("local function f() return f() + 1 end\nf()"));
    open_engine();
    int st = check(EVIL_CLAIM);
    assert_script_error(st, "could not run");
    if (!strstr(g_out, "stack overflow") && !strstr(g_out, "not enough memory"))
        fail_msg("expected a stack overflow or memory error: %s", g_out);
    assert_engine_intact();
}

/* A handler that fails again: a clean error. */
static void t09_xpcall_f_f(void **s)
{
    attack("local function f() error(\"again\", 0) end\nxpcall(f, f)", "could not run: again");
}

/* xpcall(f, f) recursing through itself: bounded (by C stack or budget). */
static void t09_xpcall_recursive(void **s)
{
    write_attack(RULE("local function f() return xpcall(f, f) end\nf()\nflag(nil, \"returned\")"));
    const char *out = check_in_child(10, EVIL_THEN_GOOD);
    if (!strstr(out, "returned") && !strstr(out, "CPU budget exceeded") &&
        !strstr(out, "time limit exceeded") && !strstr(out, "stack overflow"))
        fail_msg("unexpected outcome: %s", out);
    assert_contains(out, AFTER_RAN);
    assert_contains(out, GOOD_RAN);
}

/* Backtracking in C, out of the budget's reach: refused up front. */
static void t09_pathological_pattern(void **s)
{
    attack("local m = string.match((\"a\"):rep(2000), (\".?\"):rep(2000))", "pattern too complex");
}

static void t09_pathological_find(void **s)
{
    attack("local m = string.find((\"a\"):rep(100000), \"(.-)(.-)(.-)b\")", "pattern too complex");
}

/* gsub whose replacement calls gsub again: the C stack limit stops it. */
static void t09_recursive_gsub(void **s)
{
    attack("local s = (\"a\"):rep(100)\n"
           "local function g(c) return (string.gsub(s, \".\", g)) end\n"
           "string.gsub(s, \".\", g)",
           "stack overflow");
}

/* string.rep of an empty string loops in C without allocating. */
static void t09_rep_of_empty_string(void **s)
{
    double t0 = now();
    attack_flags("local x = string.rep(\"\", 1e18)\nflag(nil, \"len=\" .. #x)", "\"message\":\"len=0\"");
    if (now() - t0 > 1.0 * slack()) fail_msg("string.rep(\"\", 1e18) took %.2f s", now() - t0);
}

static void t09_rep_of_empty_string_with_separator(void **s)
{
    attack("local x = string.rep(\"\", 1e18, \"x\")", "not enough memory");
}

/* table.move copies element by element in C. */
static void t09_table_move_huge(void **s)
{
    attack("table.move({}, 1, 1e15, 1, {})", "table.move: more than");
}

static void t09_table_move_whole_integer_range(void **s)
{
    attack("table.move({}, math.mininteger, math.maxinteger, 1, {})", "table.move: more than");
}

/* ======================================================================
 * 10. Hostile error objects
 * ====================================================================== */

static void t10_error_table(void **s)
{
    attack("error({})", "error object is a table value");
}

/* The host never calls __tostring on an error object. */
static void t10_error_with_looping_tostring(void **s)
{
    double t0 = now();
    attack("error(setmetatable({}, {__tostring = function() while true do end end}))",
           "error object is a table value");
    if (now() - t0 > 1.0 * slack()) fail_msg("took %.2f s: __tostring was called", now() - t0);
}

static void t10_error_with_every_metamethod_looping(void **s)
{
    attack("local loop = function() while true do end end\n"
           "error(setmetatable({}, {__tostring = loop, __index = loop, __concat = loop,\n"
           "                        __eq = loop, __len = loop, __name = \"x\"}))",
           "error object is a table value");
}

static void t10_error_nil(void **s)
{
    attack("error(nil)", "error object is a nil value");
}

static void t10_error_userdata(void **s)
{
    attack("error(claim)", "error object is a table value");
}

/* The script itself calling the looping __tostring: the budget stops it. */
static void t10_script_calls_looping_tostring(void **s)
{
    attack_stopped("local ok, e = pcall(error, setmetatable({}, {__tostring = function() while true do end end}))\n"
                   "flag(nil, tostring(e))");
}

/* At a script's top level: a load error that names the file. */
static void t10_error_table_at_top_level(void **s)
{
    load_fails("error({})\n", "payers/evil/attack.lua", "error object is a table value");
}

/* ======================================================================
 * 11. Cyclic and deep tables handed to the host
 * ====================================================================== */

static void t11_cyclic_opts(void **s)
{
    attack("local t = {}\nt.fix = t\nflag(nil, \"x\", t)", "flag: fix: unknown key 'fix'");
}

static void t11_lines_containing_itself(void **s)
{
    attack("local l = {}\nl[1] = l\nflag(nil, \"x\", {lines = l})", "each of lines must be a line");
}

static void t11_deep_opts(void **s)
{
    attack("local t = {}\nfor i = 1, 100000 do t = {fix = t} end\nflag(nil, \"x\", t)",
           "flag: fix: unknown key 'fix'");
}

static void t11_deep_lines(void **s)
{
    attack("local t = {}\nfor i = 1, 100000 do t = {t} end\nflag(nil, \"x\", {lines = t})",
           "each of lines must be a line");
}

/* A very deep table kept at the top level (sealed or copied by the
 * engine after load): a load error or a normal run, never a crash. */
static void t11_deep_table_kept_at_top_level(void **s)
{
    write_attack("local deep = {}\nfor i = 1, 200000 do deep = {deep} end\n"
                 RULE("flag(nil, \"deep is a \" .. type(deep))"));
    const char *out = check_in_child(30, EVIL_THEN_GOOD);
    if (strncmp(out, "LOAD ERROR: ", 12) == 0) {
        assert_contains(out, "payers/evil/attack.lua");
    } else {
        assert_contains(out, "deep is a table");
        assert_contains(out, GOOD_RAN);
    }
}

/* The same with a chain of closures, each holding the next as upvalue. */
static void t11_deep_closure_chain_kept_at_top_level(void **s)
{
    write_attack("local f = function() return 0 end\n"
                 "for i = 1, 200000 do local g = f; f = function() return g() + 1 end end\n"
                 RULE("flag(nil, \"chain is a \" .. type(f))"));
    const char *out = check_in_child(30, EVIL_THEN_GOOD);
    if (strncmp(out, "LOAD ERROR: ", 12) == 0) {
        assert_contains(out, "payers/evil/attack.lua");
    } else {
        assert_contains(out, "chain is a function");
        assert_contains(out, GOOD_RAN);
    }
}

/* A cyclic table kept at the top level. */
static void t11_cyclic_table_kept_at_top_level(void **s)
{
    write_attack("local t = {}\nt.self = t\nt[1] = {t, {t}}\n"
                 RULE("flag(nil, \"same: \" .. tostring(t.self[1][2][1] == t))"));
    const char *out = check_in_child(30, EVIL_THEN_GOOD);
    if (strncmp(out, "LOAD ERROR: ", 12) == 0) {
        assert_contains(out, "payers/evil/attack.lua");
    } else {
        assert_contains(out, "same: true");
        assert_contains(out, GOOD_RAN);
    }
}

/* Whatever check returns is ignored. */
static void t11_check_returns_cyclic_table(void **s)
{
    attack_flags("local t = {}\nt[1] = t\nt.self = t\nreturn t, t, t", AFTER_RAN);
}

/* A long message is accepted and cut to the limit, marked "...". */
static void t11_long_message_truncated(void **s)
{
    attack_flags("flag(nil, string.rep(\"x\", 100000))", "xxxxxxxxxx...\"");
    char cut[1010];
    memset(cut, 'x', 1001);
    cut[1001] = 0;
    assert_not_contains(g_out, cut);          /* at most 1000 bytes kept */
    cut[1000] = 0;
    assert_contains(g_out, cut);
}

/* ======================================================================
 * 12. Host functions called with wrong types
 * ====================================================================== */

static void t12_flag_no_arguments(void **s)
{
    attack("flag()", "flag: the first argument must be a line");
}

static void t12_flag_line_out_of_range(void **s)
{
    attack("flag(42, \"x\")", "flag: the first argument must be a line of this claim or a line number 1..1");
}

static void t12_flag_line_table(void **s)
{
    attack("flag({}, \"x\")", "flag: the first argument must be a line");
}

static void t12_flag_line_string(void **s)
{
    attack("flag(\"1\", \"x\")", "flag: the first argument must be a line");
}

static void t12_flag_line_nan(void **s)
{
    attack("flag(0/0, \"x\")", "flag: the first argument must be a line");
}

static void t12_flag_line_is_the_claim(void **s)
{
    attack("flag(claim, \"x\")", "flag: the first argument must be a line");
}

static void t12_flag_line_is_the_lines_list(void **s)
{
    attack("flag(claim.lines, \"x\")", "flag: the first argument must be a line");
}

static void t12_flag_line_is_another_view(void **s)
{
    attack("flag(claim.lines[1].modifiers, \"x\")", "flag: the first argument must be a line");
}

static void t12_flag_message_table(void **s)
{
    attack("flag(nil, {})", "flag: the message must be a string");
}

static void t12_flag_opts_string(void **s)
{
    attack("flag(nil, \"x\", \"opts\")", "flag: the third argument must be a table of options");
}

static void t12_flag_lines_is_a_view(void **s)
{
    attack("flag(nil, \"x\", {lines = claim.lines[1].modifiers})", "flag: each of lines must be a line of this claim");
}

static void t12_flag_amount_is_a_view(void **s)
{
    attack("flag(nil, \"x\", {amount = claim})", "flag: amount must be cents");
}

static void t12_flag_amount_huge(void **s)
{
    attack("flag(nil, \"x\", {amount = 1e300})", "flag: amount must be whole cents");
}

static void t12_flag_fix_line_is_the_claim(void **s)
{
    attack("flag(nil, \"x\", {fix = {action = \"remove_line\", line = claim}})", "flag: fix.line must be a line");
}

static void t12_rule_inside_check(void **s)
{
    attack("rule { id = \"evil.inner\", summary = \"s\", severity = \"deny\", check = function() end }",
           "rule{} may only appear at the top level");
}

static void t12_payer_inside_check(void **s)
{
    attack("payer { id = \"good\" }", "payer{} belongs in payer.lua");
}

static void t12_client_inside_check(void **s)
{
    attack("client { id = \"x\" }", "client{} belongs in client.lua");
}

static void t12_payer_in_script(void **s)
{
    load_fails("payer { id = \"good\", scripts = {} }\n", "payers/evil/attack.lua:1:", "payer{} belongs in payer.lua");
}

static void t12_flag_at_top_level(void **s)
{
    load_fails("flag(nil, \"x\")\n", "payers/evil/attack.lua:1:", "flag() may only be called while a rule checks a claim");
}

static void t12_rule_without_table(void **s)
{
    load_fails("rule(\"evil.x\")\n", "payers/evil/attack.lua:1:", "table expected");
}

static void t12_require_the_claim(void **s)
{
    attack("require(claim)", "bad argument #1 to 'require' (string expected");
}

static void t12_rawset_on_the_claim(void **s)
{
    attack("rawset(claim, \"id\", \"x\")", "attempt to modify read-only table");
}

static void t12_rawget_on_the_claim(void **s)
{
    /* the claim is an empty proxy: rawget sees nothing, and changes nothing */
    attack_flags("flag(nil, \"raw id: \" .. tostring(rawget(claim, \"id\")) .. \", id: \" .. claim.id)",
                 "raw id: nil, id: C1");
}

static void t12_setmetatable_on_the_claim(void **s)
{
    attack("setmetatable(claim, {})", "cannot change a protected metatable");
}

static void t12_pairs_on_the_claim(void **s)
{
    attack("for k in pairs(claim) do end", "pairs: claim is not a list; read its fields by name");
}

static void t12_claim_as_gsub_replacement(void **s)
{
    attack("local x = string.gsub(\"abc\", \"%w\", {a = claim})", "invalid replacement value");
}

/* ======================================================================
 * 13. Writing to the claim or reference data; unknown claim fields
 * ====================================================================== */

static void t13_write_claim_id(void **s)
{
    attack("claim.id = \"x\"", "the claim is read-only: cannot set claim.id");
}

static void t13_write_line_code(void **s)
{
    attack("claim.lines[1].code = \"99999\"", "the claim is read-only: cannot set line.code");
}

static void t13_write_modifier(void **s)
{
    attack("claim.lines[1].modifiers[1] = \"59\"", "the claim is read-only: cannot set line.modifiers[1]");
}

static void t13_remove_line(void **s)
{
    attack("claim.lines[1] = nil", "the claim is read-only: cannot set claim.lines[1]");
}

static void t13_unknown_claim_field(void **s)
{
    attack("local x = claim.nonexistent", "claim has no field 'nonexistent'");
}

/* A misspelt field must not quietly disable a rule. */
static void t13_misspelt_line_field(void **s)
{
    attack("local x = claim.lines[1].chrage", "line has no field 'chrage'");
}

static void t13_numeric_claim_field(void **s)
{
    attack("local x = claim[1]", "claim has no field of type number");
}

static void t13_claim_has_no_length(void **s)
{
    attack("local n = #claim", "claim has no length");
}

static void t13_write_reference_data(void **s)
{
    attack("local codes = require \"codes\"\nrawset(codes, \"is_em_office\", nil)", "attempt to modify read-only table");
}

/* The error names the line of the access, not the rule's. */
static void t13_error_names_the_line(void **s)
{
    attack("local a = 1\nlocal b = 2\nlocal x = claim.lines[1].chrage",
           "payers/evil/attack.lua:5: line has no field 'chrage'");
    assert_contains(g_out, "\"source\":\"payers/evil/attack.lua:5\"");
}

/* ======================================================================
 * 14. Many values, huge strings
 * ====================================================================== */

static void t14_unpack_many_into_flag(void **s)
{
    attack("local big = {}\nfor i = 1, 100000 do big[i] = \"v\" end\nflag(table.unpack(big))",
           "flag: the first argument must be a line");
}

static void t14_unpack_huge_range(void **s)
{
    attack("flag(table.unpack({}, 1, 1e8))", "too many results to unpack");
}

static void t14_many_lines_in_opts(void **s)
{
    attack("local big = {}\nfor i = 1, 100000 do big[i] = claim.lines[1] end\nflag(nil, \"x\", {lines = big})",
           "flag: lines lists more than 50 lines");
}

/* A 10 MiB message is cut; the record stays small. */
static void t14_huge_message_truncated(void **s)
{
    attack_flags("flag(nil, string.rep(\"x\", 10 * 1024 * 1024))", "xxxx...\"");
    if (strlen(g_out) > 3000) fail_msg("record of %zu bytes", strlen(g_out));
}

/* A huge error message is cut too. */
static void t14_huge_error_message(void **s)
{
    attack("error(string.rep(\"x\", 1e6))", "xxxxxxxx");
    if (strlen(g_out) > 4000) fail_msg("record of %zu bytes", strlen(g_out));
}

static void t14_huge_field_name(void **s)
{
    attack("local x = claim[string.rep(\"k\", 1e6)]", "claim has no field 'kkkk");
    if (strlen(g_out) > 4000) fail_msg("record of %zu bytes", strlen(g_out));
}

static void t14_huge_global_name(void **s)
{
    attack("local x = _ENV[string.rep(\"g\", 1e6)]", "undefined global 'gggg");
    if (strlen(g_out) > 4000) fail_msg("record of %zu bytes", strlen(g_out));
}

/* Findings per claim are capped; the engine's own finding still shows. */
static void t14_flood_of_findings(void **s)
{
    write_attack(RULE("for i = 1, 100000 do flag(nil, \"x\") end"));
    open_engine();
    int st = check(EVIL_CLAIM);
    assert_true(st >= CS_REVIEW);
    assert_contains(g_out, "{\"rule\":\"engine.script_error\",\"severity\":\"review\"");
    assert_contains(g_out, "rule evil.attack could not run: payers/evil/attack.lua:3: flag: more than 500 findings");
    if (strlen(g_out) > 200000) fail_msg("record of %zu bytes", strlen(g_out));
    assert_engine_intact();
}

static void t14_rep_past_the_cap(void **s)
{
    attack("local x = string.rep(\"x\", 1e8)", "not enough memory");
}

/* A script over the 1 MiB source limit is refused. */
static void t14_huge_script(void **s)
{
    size_t n = (1u << 20) + 100;
    char *src = malloc(n + 1);
    memset(src, '-', n);
    src[n] = 0;
    load_fails(src, "payers/evil/attack.lua", "larger than");
    free(src);
}

/* ======================================================================
 * 15. Allocation failure
 * ====================================================================== */

/* Fail the Nth growing allocation, for every N, while loading the
 * repository's rules and checking two claims: never a crash, every record
 * valid JSON and either the normal verdict or a fail-closed one. */
static void t15_allocation_failure_everywhere(void **s)
{
    cs_options opt = {.rules_dir = ".", .stdlib_dir = "stdlib"};
    char *err = NULL, *base = NULL;
    cs_engine *e = cs_engine_new(&opt, &err);
    if (!e) fail_msg("repository rules did not load: %s", err);
    assert_int_equal(cs_check(e, MEDICARE_CLAIM, strlen(MEDICARE_CLAIM), NULL, &base, NULL), CS_DENY);
    cs_engine_free(e);

    long n, new_failed = 0, runs_left = 0;
    for (n = 1; n < 1000000; n++) {
        cs_sandbox_fail_countdown = n;
        err = NULL;
        e = cs_engine_new(&opt, &err);
        if (!e) {
            if (!err || !*err) fail_msg("N=%ld: cs_engine_new failed without a message", n);
            cs_free(err);
            new_failed++;
        } else {
            for (int i = 0; i < 2; i++) {
                char *out = NULL;
                int st = cs_check(e, MEDICARE_CLAIM, strlen(MEDICARE_CLAIM), NULL, &out, NULL);
                if (st < 0) { assert_null(out); continue; }
                assert_non_null(out);
                cJSON *j = cJSON_Parse(out);
                if (!j) fail_msg("N=%ld claim %d: record is not JSON: %s", n, i + 1, out);
                cJSON_Delete(j);
                if (strcmp(out, base) != 0 && !strstr(out, "\"engine.script_error\""))
                    fail_msg("N=%ld claim %d: a different verdict without a script error:\n%s\nnormal:\n%s",
                             n, i + 1, out, base);
                cs_free(out);
            }
            cs_engine_free(e);
        }
        runs_left = cs_sandbox_fail_countdown;
        cs_sandbox_fail_countdown = 0;
        if (runs_left > 0) break;       /* the run made fewer than n allocations */
    }
    cs_free(base);
    print_message("allocation failure injected at N = 1..%ld; cs_engine_new failed for %ld of them\n",
                  n - 1, new_failed);
    assert_true(runs_left > 0);
    assert_true(new_failed > 0);
}

/* Fill memory up to the cap, from a check, and keep it in the upvalue
 * hoard (Lua source: the fill loop, on the lines after RULE's line 3). */
#define FILL_MEMORY \
    "local keep, n = {}, 0\n" \
    "for j = 1, 1000 do keep[j] = false end\n" \
    "hoard = keep\n" \
    "local size = 1 << 25\n" \
    "while size >= 1 do\n" \
    "  local ok, s\n" \
    "  if size > 64 then ok, s = pcall(string.rep, \"x\", size)\n" \
    "  else ok, s = pcall(string.format, fmts[size], n) end\n" \
    "  if ok then n = n + 1; keep[n] = s else size = size // 2 end\n" \
    "end"
#define FILL_PRELUDE \
    "local hoard, v1, v2 = false, false, false\n" \
    "local fmts = {}\n" \
    "for k = 1, 64 do fmts[k] = \"%\" .. k .. \"d\" end\n"

/* A check fills memory to the cap and keeps it after it returns (an
 * upvalue), and the checks keep their claim views, so no garbage is left:
 * the engine's own allocation before the next rule (the claim view) then
 * fails outside any protected call, where Lua aborts the process.  The
 * engine must survive and answer; another payer's claim must not suffer. */
static void t15_memory_full_between_calls(void **s)
{
    write_attack(FILL_PRELUDE
                 "rule { id = \"evil.attack\", summary = \"hostile\", severity = \"info\",\n"
                 "  check = function(claim)\n"
                 "v1 = claim\n" FILL_MEMORY "\n  end }\n"
                 "rule { id = \"evil.second\", summary = \"s\", severity = \"info\",\n"
                 "  check = function(claim) v2 = claim end }\n"
                 "rule { id = \"evil.third\", summary = \"s\", severity = \"info\",\n"
                 "  check = function(claim) end }\n");
    const char *out = check_in_child(30, EVIL_THEN_GOOD);
    assert_contains(out, "\"claim\":\"C1\"");
    assert_contains(out, GOOD_RAN);
}

/* Memory a payer's rule keeps after its claim (in an upvalue) must not
 * make another payer's claims fail. */
static void t15_memory_kept_does_not_starve_other_payers(void **s)
{
    write_attack(FILL_PRELUDE RULE(FILL_MEMORY));
    const char *out = check_in_child(30, EVIL_THEN_GOOD);
    assert_contains(out, "\"claim\":\"C1\"");
    assert_contains(out, GOOD_RAN);
}

/* ====================================================================== */

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* 1 */
        T(t01_string_dump_is_nil), T(t01_load_is_undefined), T(t01_loadstring_is_undefined),
        T(t01_string_dump_at_top_level), T(t01_binary_script_refused),
        T(t01_binary_manifest_refused), T(t01_binary_stdlib_module_refused),
        /* 2 */
        T(t02_io_is_undefined), T(t02_os_execute_is_undefined), T(t02_os_getenv_is_undefined),
        T(t02_package_is_undefined), T(t02_package_loadlib_is_undefined),
        T(t02_require_os_refused), T(t02_require_io_refused), T(t02_require_debug_refused),
        T(t02_require_path_refused), T(t02_require_absolute_path_refused),
        T(t02_require_dotted_name_refused), T(t02_dofile_is_undefined),
        T(t02_loadfile_is_undefined), T(t02_debug_is_undefined), T(t02_debug_through_G_is_absent),
        T(t02_collectgarbage_is_undefined), T(t02_print_is_undefined),
        T(t02_nothing_behind_rawget), T(t02_math_random_is_nil), T(t02_format_p_refused),
        T(t02_tostring_shows_no_address),
        /* 3 */
        T(t03_string_upper_assignment_refused), T(t03_string_metatable_locked),
        T(t03_rawset_string_refused), T(t03_setmetatable_string_refused),
        T(t03_setmetatable_G_refused), T(t03_setmetatable_G_at_top_level),
        T(t03_assign_G_in_check_refused), T(t03_assign_G_at_top_level),
        T(t03_assign_string_at_top_level), T(t03_G_field_assignment_refused),
        T(t03_table_insert_nil_refused), T(t03_math_and_utf8_read_only),
        T(t03_string_value_field_refused), T(t03_shadowing_in_own_env_stays_local),
        T(t03_replacing_ENV_stays_local),
        /* 4 */
        T(t04_global_invisible_to_other_script), T(t04_global_invisible_to_other_script_top_level),
        T(t04_upvalue_counter_does_not_carry), T(t04_global_counter_does_not_carry),
        T(t04_rawset_env_in_check_does_not_carry), T(t04_table_upvalue_does_not_carry),
        T(t04_function_upvalue_does_not_carry), T(t04_closure_counter_does_not_carry),
        T(t04_shared_upvalue_between_rules), T(t04_global_write_in_check_refused),
        T(t04_stdlib_module_read_only), T(t04_stdlib_module_rawset_refused),
        /* 5 */
        T(t05_while_true), T(t05_pcall_in_loop), T(t05_pcall_then_carry_on),
        T(t05_repeat_until_false), T(t05_xpcall_handler_swallows), T(t05_xpcall_handler_loops),
        T(t05_budget_is_per_invocation), T(t05_loop_at_top_level),
        T(t05_loop_of_table_move), T(t05_loop_of_string_rep), T(t05_loop_of_pattern_search),
        T(t05_loop_of_sort), T(t05_loop_of_codeset), T(t05_loop_of_codeset_errors), T(t05_loop_of_errors), T(t05_loop_of_big_comparisons),
        /* 6 */
        T(t06_coroutine_is_undefined), T(t06_coroutine_through_G_is_absent),
        /* 7 */
        T(t07_gc_metamethod_refused), T(t07_gc_non_function_refused),
        T(t07_close_metamethod_refused), T(t07_mode_metamethod_refused), T(t07_gc_at_top_level),
        T(t07_gc_added_later_never_runs), T(t07_close_added_later_is_budgeted),
        T(t07_mode_added_later_has_no_effect),
        /* 8 */
        T(t08_huge_rep), T(t08_string_doubling), T(t08_table_of_big_strings),
        T(t08_table_grown_without_end), T(t08_table_of_tables), T(t08_memory_at_top_level),
        /* 9 */
        T(t09_deep_recursion), T(t09_xpcall_f_f), T(t09_xpcall_recursive),
        T(t09_pathological_pattern), T(t09_pathological_find), T(t09_recursive_gsub),
        T(t09_rep_of_empty_string), T(t09_rep_of_empty_string_with_separator),
        T(t09_table_move_huge), T(t09_table_move_whole_integer_range),
        /* 10 */
        T(t10_error_table), T(t10_error_with_looping_tostring),
        T(t10_error_with_every_metamethod_looping), T(t10_error_nil), T(t10_error_userdata),
        T(t10_script_calls_looping_tostring), T(t10_error_table_at_top_level),
        /* 11 */
        T(t11_cyclic_opts), T(t11_lines_containing_itself), T(t11_deep_opts), T(t11_deep_lines),
        T(t11_deep_table_kept_at_top_level), T(t11_deep_closure_chain_kept_at_top_level),
        T(t11_cyclic_table_kept_at_top_level),
        T(t11_check_returns_cyclic_table), T(t11_long_message_truncated),
        /* 12 */
        T(t12_flag_no_arguments), T(t12_flag_line_out_of_range), T(t12_flag_line_table),
        T(t12_flag_line_string), T(t12_flag_line_nan), T(t12_flag_line_is_the_claim),
        T(t12_flag_line_is_the_lines_list), T(t12_flag_line_is_another_view),
        T(t12_flag_message_table), T(t12_flag_opts_string), T(t12_flag_lines_is_a_view),
        T(t12_flag_amount_is_a_view), T(t12_flag_amount_huge), T(t12_flag_fix_line_is_the_claim),
        T(t12_rule_inside_check), T(t12_payer_inside_check), T(t12_client_inside_check),
        T(t12_payer_in_script), T(t12_flag_at_top_level), T(t12_rule_without_table),
        T(t12_require_the_claim), T(t12_rawset_on_the_claim), T(t12_rawget_on_the_claim),
        T(t12_setmetatable_on_the_claim), T(t12_pairs_on_the_claim),
        T(t12_claim_as_gsub_replacement),
        /* 13 */
        T(t13_write_claim_id), T(t13_write_line_code), T(t13_write_modifier), T(t13_remove_line),
        T(t13_unknown_claim_field), T(t13_misspelt_line_field), T(t13_numeric_claim_field),
        T(t13_claim_has_no_length), T(t13_write_reference_data), T(t13_error_names_the_line),
        /* 14 */
        T(t14_unpack_many_into_flag), T(t14_unpack_huge_range), T(t14_many_lines_in_opts),
        T(t14_huge_message_truncated), T(t14_huge_error_message), T(t14_huge_field_name),
        T(t14_huge_global_name), T(t14_flood_of_findings), T(t14_rep_past_the_cap),
        T(t14_huge_script),
        /* 15 */
        T(t15_allocation_failure_everywhere), T(t15_memory_full_between_calls),
        T(t15_memory_kept_does_not_starve_other_payers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * sandbox.h -- one Lua 5.4 state for untrusted payer scripts.
 *
 * A sandbox owns a lua_State whose scripts see only an allow-listed,
 * read-only base: no io, os, package, debug, load, dofile, coroutine,
 * collectgarbage, string.dump, print or randomness.  Scripts are compiled as
 * text only.  Each run of a script gets a fresh global table whose reads fall
 * through to the base; every invocation gets a CPU budget (VM instructions,
 * deterministic, sticky once spent: pcall cannot catch it) and the state a
 * memory cap.  See docs/rule-language.md and docs/limits.md.
 */
#ifndef CS_SANDBOX_H
#define CS_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <lua.h>
#include <lauxlib.h>

/* Memory one sandbox (Lua state) may hold, loaded rules included: enough
 * for thousands of rules, small enough that a runaway script cannot take the
 * machine.  A script that needs more fails with a memory error. */
#define CS_SANDBOX_MEM_LIMIT   ((size_t)64 << 20)
/* Room past the cap for the engine's own work between scripts (views,
 * references), so a script that filled the cap cannot make them fail. */
#define CS_SANDBOX_HOST_RESERVE ((size_t)1 << 20)
/* How deep tables and functions kept at a script's top level may nest:
 * sealing walks them recursively in C. */
#define CS_SEAL_MAX_DEPTH      100
/* VM instructions one invocation (a script's load, or one rule's check) may
 * execute: ~50 ms of plain Lua; a real rule uses a few thousand. */
#define CS_SCRIPT_INSN_BUDGET  10000000L
/* How often the count hook runs, in instructions. */
#define CS_HOOK_INTERVAL       1000
/* Work done in C is charged to the same budget: one instruction per this
 * many bytes allocated (string.rep, upper, concat, ...), and explicit
 * charges for table.move, table.sort and pattern matching. */
#define CS_ALLOC_CHARGE_BYTES  64
/* Wall-clock backstop per invocation, for C work no count can see (a VM
 * comparison of two 30 MB strings is one instruction).  Checked by the
 * hook; only scripts that are broken anyway come near it. */
#define CS_SCRIPT_TIME_LIMIT_MS 2000
/* Lua pattern functions (find/match/gmatch/gsub) backtrack in C, where no
 * instruction budget reaches: a call whose estimated work, subject length to
 * the power (quantifiers + 1) times pattern length, passes this is refused. */
#define CS_PATTERN_MAX_WORK    1e8
/* table.move copies element by element in C: at most this many per call. */
#define CS_TABLE_MOVE_MAX      (1L << 20)
/* Source size of one script or manifest. */
#define CS_SCRIPT_MAX_BYTES    ((size_t)1 << 20)

/* What the running code is doing; host functions check it. */
typedef enum cs_phase {
    CS_PHASE_IDLE = 0,
    CS_PHASE_MANIFEST,   /* a payer.lua / client.lua is running */
    CS_PHASE_LOAD,       /* a script's top level is running */
    CS_PHASE_CHECK       /* a rule's check function is running */
} cs_phase;

typedef struct cs_sandbox {
    lua_State *L;
    size_t mem_used, mem_limit;
    long insn_used, insn_budget;
    bool tripped;           /* budget spent: every hook call raises again */
    char where[160];        /* "file:line: " where the budget ran out */
    int seal_depth;
    bool timed_out;         /* the time backstop, not the count, stopped it */
    struct timespec start;  /* when the invocation began */
    bool fail_alloc;        /* test hook: refuse the next allocations */
    cs_phase phase;
    void *host;             /* the owner's context, for host functions */
    char *stdlib_dir;
    int env_mt;             /* registry ref: metatable of script globals */
    int modules;            /* registry ref: loaded stdlib modules */
} cs_sandbox;

/* Fault injection for tests: when > 0, counts down on every allocation that
 * grows memory in any sandbox, and the one that brings it to 0 fails (once).
 * Not thread-safe; tests only. */
extern long cs_sandbox_fail_countdown;

/* Create a sandbox whose require() resolves names in stdlib_dir.  On error
 * NULL is returned and *err (if not NULL) gets a malloc'd message. */
cs_sandbox *cs_sandbox_new(const char *stdlib_dir, char **err);
void cs_sandbox_free(cs_sandbox *sb);

/* The sandbox that owns L. */
cs_sandbox *cs_sandbox_of(lua_State *L);

/* Add host functions (a NULL-terminated list) to the read-only base every
 * script sees.  Returns false when memory ran out. */
bool cs_sandbox_register(cs_sandbox *sb, const luaL_Reg *fns);

/* Make a module written in C available to require(name): open is called
 * (protected) and must return a table, which is frozen and put in the
 * module cache ahead of stdlib/<name>.lua.  On error false is returned and
 * *err (if not NULL) gets a malloc'd message. */
bool cs_sandbox_preload(cs_sandbox *sb, const char *name, lua_CFunction open, char **err);

/* Compile src (len bytes, text only) named chunkname ("@payers/x/y.lua") and
 * push the function.  On error nothing is pushed, false is returned and *err
 * gets a malloc'd "file:line: problem". */
bool cs_sandbox_compile(cs_sandbox *sb, const char *chunkname,
                        const char *src, size_t len, char **err);

/* Push a fresh global table for one run of a script. */
void cs_sandbox_push_env(cs_sandbox *sb);

/* Call the function below nargs arguments on the stack in phase ph with a
 * fresh CPU budget; like lua_pcall with nresults 0.  On error returns the
 * Lua status, leaves nothing on the stack and writes a NUL-terminated
 * description into msg (size msgsize) -- never calling a __tostring. */
int cs_sandbox_call(cs_sandbox *sb, int nargs, cs_phase ph,
                    char *msg, size_t msgsize);

/* The chunk name of ar without Lua's 60-byte cut: "payers/x/y.lua". */
const char *cs_sandbox_source(const lua_Debug *ar);

/* Charge n instructions' worth of work done in C by a host function to the
 * running invocation's budget (CS_SCRIPT_INSN_BUDGET); when that spends it,
 * the script stops at its next instruction. */
void cs_sandbox_charge(lua_State *L, double n);

/* Raise a Lua error prefixed with the position of the Lua code `level`
 * frames up (1 = the caller of the running C function).  Does not return. */
int cs_sandbox_error(lua_State *L, int level, const char *fmt, ...);

/* Seal a script after its top level has run: its globals (the table at
 * env_idx) become read-only, every table reachable from them or from the
 * functions listed in the table at fns_idx is replaced by a read-only proxy,
 * and the upvalues of every reachable Lua function are recorded.  A table
 * with a metatable cannot be sealed.  Returns a registry ref for
 * cs_sandbox_restore, or LUA_NOREF with a malloc'd message in *err. */
int cs_sandbox_seal(cs_sandbox *sb, int env_idx, int fns_idx, char **err);

/* Put every upvalue recorded by cs_sandbox_seal back to its sealed value,
 * undoing whatever a previous claim assigned to them. */
void cs_sandbox_restore(cs_sandbox *sb, int ref);

/* Push a read-only proxy of the table at idx (recursively for nested
 * tables).  Reads go through; writes and rawset raise. */
void cs_sandbox_freeze(lua_State *L, int idx);

#endif

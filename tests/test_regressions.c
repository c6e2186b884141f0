/*
 * test_regressions.c -- replay the fuzz targets' inputs without libFuzzer.
 *
 * Each tests/fuzz/fuzz_<name>.c is compiled with FUZZ_ENTRY=fuzz_<name>
 * and linked here.  Every file under tests/fuzz/regressions/<name>/ (inputs
 * that once crashed the engine, kept after the fix) and under the seed corpus
 * tests/fuzz/corpus/<name>/ is run through it; a broken invariant aborts.
 * Run from the repository root, like the other suites.
 */
#include "testutil.h"

#include <dirent.h>

int fuzz_claim(const uint8_t *data, size_t size);
int fuzz_jsonl(const uint8_t *data, size_t size);
int fuzz_manifest(const uint8_t *data, size_t size);
int fuzz_script(const uint8_t *data, size_t size);
int fuzz_refimport(const uint8_t *data, size_t size);
int fuzz_x12(const uint8_t *data, size_t size);

typedef int (*entry_fn)(const uint8_t *, size_t);

/* Run every regular file of dir through fn; returns how many. */
static int replay_dir(const char *dir, entry_fn fn)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *de;
    int n = 0;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        size_t len = 0;
        char *buf = tu_slurp(path, &len);
        assert_non_null(buf);
        print_message("  %s\n", path);
        assert_int_equal(fn((const uint8_t *)buf, len), 0);
        free(buf);
        n++;
    }
    closedir(d);
    return n;
}

static void replay(const char *name, entry_fn fn)
{
    char dir[256];
    snprintf(dir, sizeof dir, "tests/fuzz/corpus/%s", name);
    int seeds = replay_dir(dir, fn);
    assert_true(seeds > 0);         /* the seed corpus is there */
    snprintf(dir, sizeof dir, "tests/fuzz/regressions/%s", name);
    replay_dir(dir, fn);
}

static void test_claim(void **state) { replay("claim", fuzz_claim); }
static void test_jsonl(void **state) { replay("jsonl", fuzz_jsonl); }
static void test_manifest(void **state) { replay("manifest", fuzz_manifest); }
static void test_script(void **state) { replay("script", fuzz_script); }
static void test_refimport(void **state) { replay("refimport", fuzz_refimport); }
static void test_x12(void **state) { replay("x12", fuzz_x12); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_claim),
        cmocka_unit_test(test_jsonl),
        cmocka_unit_test(test_manifest),
        cmocka_unit_test(test_script),
        cmocka_unit_test(test_refimport),
        cmocka_unit_test(test_x12),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

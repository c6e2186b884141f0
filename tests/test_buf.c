/*
 * test_buf.c -- the output buffer's JSON string writer (buf.c) against a
 * reference written here byte by byte from RFC 8259: every single byte,
 * UTF-8 sequences valid and not, and 20,000 pseudo-random strings.
 */
#include "testutil.h"

#include <stdint.h>

#include "buf.h"

/* The reference: '"' and '\\' escaped, \n \t \r short, other controls as
 * \u00XX, printable ASCII and DEL as they are, valid UTF-8 (no overlong
 * forms, no surrogates, at most U+10FFFF) copied, any other byte \ufffd. */
static size_t ref_utf8(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t need = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (!need || n < need) return 0;
    uint32_t cp = c & (need == 2 ? 0x1F : need == 3 ? 0x0F : 0x07);
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need;
}

static void ref_json(const unsigned char *s, size_t n, char *out)
{
    char *o = out;
    *o++ = '"';
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c == '"' || c == '\\') { *o++ = '\\'; *o++ = (char)c; i++; }
        else if (c == '\n') { o += sprintf(o, "\\n"); i++; }
        else if (c == '\t') { o += sprintf(o, "\\t"); i++; }
        else if (c == '\r') { o += sprintf(o, "\\r"); i++; }
        else if (c < 0x20) { o += sprintf(o, "\\u%04x", c); i++; }
        else if (c < 0x80) { *o++ = (char)c; i++; }
        else {
            size_t k = ref_utf8(s + i, n - i);
            if (k) { memcpy(o, s + i, k); o += k; i += k; }
            else { o += sprintf(o, "\\ufffd"); i++; }
        }
    }
    *o++ = '"';
    *o = 0;
}

static void same(const unsigned char *s, size_t n)
{
    static char want[6 * 64 + 3];
    assert_true(n <= 64);
    ref_json(s, n, want);
    cs_buf b = {0};
    cs_buf_puts(&b, "x");                   /* appends after what is there */
    cs_buf_json_str(&b, (const char *)s, n);
    assert_false(b.oom);
    assert_int_equal(b.len, 1 + strlen(want));
    assert_string_equal(b.p + 1, want);
    cs_buf_free(&b);
}

static void test_every_byte(void **state)
{
    for (int c = 0; c < 256; c++) {
        unsigned char s[3] = {'a', (unsigned char)c, 'z'};
        same(s, 3);
        same(s + 1, 1);
    }
}

static void test_utf8(void **state)
{
    static const char *const cases[] = {
        "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc0\xaf", "\xe0\x80\xaf",
        "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xff\xfe",
        "\x80", "a\"b\\c\n\x01\x7f",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        same((const unsigned char *)cases[i], strlen(cases[i]));
}

static void test_random(void **state)
{
    uint32_t x = 2463534242u;               /* xorshift32: the same strings each run */
    unsigned char s[64];
    for (int k = 0; k < 20000; k++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        size_t n = x % 64;
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13; x ^= x >> 17; x ^= x << 5;
            /* mostly plain text, some controls, quotes and high bytes */
            s[i] = (unsigned char)(x % 4 ? 0x20 + x / 4 % 0x5f : x / 4 % 256);
        }
        same(s, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_byte),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}

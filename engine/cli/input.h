/*
 * input.h -- split an input file into claim records for the CLI.
 *
 * A reader is opened on a path (or "-" for standard input) and yields the
 * file's records one at a time, each with its position: the 1-based count of
 * records so far and the 1-based line where the record starts.  The reader
 * does not parse claims; it finds where each record begins and ends and
 * leaves judging the text to the engine (a record that is not JSON is still
 * a record, and the engine rejects it).  cs_json_check says whether a
 * record is well-formed JSON, and where it is not; the JSON format checks
 * as it scans (to end a broken value in time, malformed below), JSONL
 * lines are not checked (the check costs; ask it of the rejected ones).
 *
 * Formats:
 *   JSONL  every line that is not blank (only spaces, tabs, CR) is one
 *          record; CRLF line ends are accepted.  A broken line costs only
 *          that line.
 *   JSON   a sequence of top-level JSON values, each one record; a top-level
 *          array is expanded, each element one record.  Commas between
 *          values are skipped.  A value that is not well-formed JSON (an
 *          unterminated string, a line cut short, brackets that do not
 *          match, text that is no JSON value) is one malformed record that
 *          ends where the next record can start: before the first later line
 *          whose first non-blank character is '{' or '[' and is indented no
 *          deeper than the broken value's start (see docs/cli.md).
 *   AUTO   by name and content (cs_reader_open): X12 when the content says
 *          so (cs_x12_detect), JSONL for "*.jsonl", JSON otherwise; standard
 *          input is JSONL when its first non-blank line is a whole JSON
 *          value, JSON when it opens an array or a value that goes on (a
 *          pretty-printed claim).  UTF-16 text that is not X12 is refused.
 * Both JSON formats skip a UTF-8 byte order mark at the start of the file.
 * Both are streamed: memory use is bounded by CS_MAX_RECORD_BYTES, not file
 * size.
 */
#ifndef CS_CLI_INPUT_H
#define CS_CLI_INPUT_H

#include <stdbool.h>
#include <stddef.h>

/* Longest record kept, in bytes.  A professional claim (at most 50 lines) is
 * a few kilobytes of JSON; 4 MiB leaves room for anything legitimate while
 * bounding the memory a runaway record (say, an unclosed array) can take.
 * Longer records are still yielded, with too_long set and empty text. */
#define CS_MAX_RECORD_BYTES ((size_t)4 << 20)

/* Bytes looked at to recognise an input (CS_INPUT_AUTO): enough for an X12
 * file's text before its ISA (cs_x12_detect). */
#define CS_SNIFF_BYTES 4096

/* Deepest JSON nesting the record check follows: cJSON's own limit
 * (CJSON_NESTING_LIMIT), so what is deeper is malformed for both. */
#define CS_JSON_MAX_DEPTH 1000

/* Room for an error message: a path (PATH_MAX is 4096 on Linux) plus the
 * reason. */
#define CS_READER_ERROR_MAX 4352

typedef enum cs_input_format {
    CS_INPUT_AUTO = 0,  /* by name and content (above) */
    CS_INPUT_JSON,
    CS_INPUT_JSONL,
    CS_INPUT_X12        /* only as cs_reader_format's answer: read it with
                           cs_reader_slurp or from its path (docs/x12.md) */
} cs_input_format;

typedef struct cs_record {
    const char *text;   /* the record, NUL-terminated; valid until the next
                           cs_reader_next or cs_reader_close */
    size_t len;         /* bytes in text */
    long record;        /* 1-based count of records in this file */
    long line;          /* 1-based line where the record starts */
    bool too_long;      /* longer than CS_MAX_RECORD_BYTES: text is "" */
    bool malformed;     /* JSON format: not one well-formed JSON value
                           (JSONL: always false, see cs_json_check) */
    const char *why;    /* when malformed: what and where ("line 3: ..."),
                           valid as text */
} cs_record;

typedef struct cs_reader cs_reader;

/* Open path ("-": standard input, which is never closed) for reading in the
 * given format (CS_INPUT_AUTO: see above).  On error NULL is returned and
 * err (errlen bytes) receives a message such as "cannot open claims.json:
 * No such file or directory".  With CS_INPUT_AUTO the start of the input is
 * read at once to recognise it; a read error then comes from the first
 * cs_reader_next. */
cs_reader *cs_reader_open(const char *path, cs_input_format format,
                          char *err, size_t errlen);

/* Read the next record into *rec.  Returns 1 when a record was read, 0 at
 * the end of the input, and -1 on a read error, when memory ran out or when
 * the input is UTF-16 text that is not X12; then cs_reader_error() says
 * which, and the reader should be closed.  Not for CS_INPUT_X12. */
int cs_reader_next(cs_reader *r, cs_record *rec);

/* The whole input from where the reader is (for CS_INPUT_X12: from its
 * start, byte order mark included), malloc'd and NUL-terminated, its length
 * in *len; NULL when it is longer than max bytes, on a read error or when
 * memory ran out (then cs_reader_error() says which). */
char *cs_reader_slurp(cs_reader *r, size_t max, size_t *len);

/* Whether s (n bytes) is one well-formed JSON value (white space around
 * it allowed), by the reader's check: as loose as cJSON, so a record the
 * engine reads is never called malformed.  When it is not, why (whylen
 * bytes) says what is wrong and *line gets the count of line feeds before
 * the place. */
bool cs_json_check(const char *s, size_t n, char *why, size_t whylen, long *line);

/* The message for the last -1 from cs_reader_next ("" when none). */
const char *cs_reader_error(const cs_reader *r);

/* The format actually used (never CS_INPUT_AUTO). */
cs_input_format cs_reader_format(const cs_reader *r);

void cs_reader_close(cs_reader *r);

#endif

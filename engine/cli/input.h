/*
 * input.h -- split an input file into claim records for the CLI.
 *
 * A reader is opened on a path (or "-" for standard input) and yields the
 * file's records one at a time, each with its position: the 1-based count of
 * records so far and the 1-based line where the record starts.  The reader
 * does not parse JSON; it only finds where each record begins and ends, and
 * leaves judging the text to the engine (a record that is not JSON is still a
 * record, and the engine rejects it).
 *
 * Formats:
 *   JSONL  every line that is not blank (only spaces, tabs, CR) is one
 *          record; CRLF line ends are accepted.  Robust for streams: a broken
 *          line costs only that line.
 *   JSON   a sequence of top-level JSON values, each one record; a top-level
 *          array is expanded, each element one record.  Commas between
 *          values are skipped.  Records are found by tracking strings,
 *          escapes and bracket depth, so a value that never closes swallows
 *          the rest of the file as one record.
 * Both formats skip a UTF-8 byte order mark at the start of the file.  Both
 * are streamed: memory use is bounded by CS_MAX_RECORD_BYTES, not file size.
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

/* Room for an error message: a path (PATH_MAX is 4096 on Linux) plus the
 * reason. */
#define CS_READER_ERROR_MAX 4352

typedef enum cs_input_format {
    CS_INPUT_AUTO = 0,  /* by name: ".jsonl" is JSONL, anything else JSON */
    CS_INPUT_JSON,
    CS_INPUT_JSONL
} cs_input_format;

typedef struct cs_record {
    const char *text;   /* the record, NUL-terminated; valid until the next
                           cs_reader_next or cs_reader_close */
    size_t len;         /* bytes in text */
    long record;        /* 1-based count of records in this file */
    long line;          /* 1-based line where the record starts */
    bool too_long;      /* longer than CS_MAX_RECORD_BYTES: text is "" */
} cs_record;

typedef struct cs_reader cs_reader;

/* Open path ("-": standard input, which is never closed) for reading in the
 * given format (CS_INPUT_AUTO picks by name; standard input is JSON).  On
 * error NULL is returned and err (errlen bytes) receives a message such as
 * "cannot open claims.json: No such file or directory". */
cs_reader *cs_reader_open(const char *path, cs_input_format format,
                          char *err, size_t errlen);

/* Read the next record into *rec.  Returns 1 when a record was read, 0 at
 * the end of the input, and -1 on a read error or when memory ran out; then
 * cs_reader_error() says which, and the reader should be closed. */
int cs_reader_next(cs_reader *r, cs_record *rec);

/* The message for the last -1 from cs_reader_next ("" when none). */
const char *cs_reader_error(const cs_reader *r);

/* The format actually used (never CS_INPUT_AUTO). */
cs_input_format cs_reader_format(const cs_reader *r);

void cs_reader_close(cs_reader *r);

#endif

/*
 * refdata.c -- CMS reference data releases: reading and lookups.
 *
 * Each release file is mapped read-only and checked once at open: header,
 * directory, every table's extent, the string pool's terminator and the
 * PTP rationale labels.  Rows are never parsed: a lookup is a binary search
 * over the mapped, sorted records.  What open cannot check without reading
 * every row (string offsets and label indexes inside records, sort order)
 * is checked on use: an out-of-range string offset reads as "", and an
 * unsorted table gives wrong answers, never a read outside the mapping.
 * A release's validity windows (one per table) steer release selection
 * (pick) and tell rules whether the release used covers a date.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "claimscrub.h"
#include "refdata.h"
#include "refformat.h"
#include "sha256.h"
#include "buf.h"

#ifndef CS_DEFAULT_ROOT
#define CS_DEFAULT_ROOT "."
#endif
#ifndef CS_DEFAULT_DATA          /* keep in step with engine.c */
#define CS_DEFAULT_DATA CS_DEFAULT_ROOT "/build/data/starter"
#endif

/* Largest release file accepted.  The full CMS tables make about 60 MB;
 * the bound keeps every offset sum far from overflow on any size_t. */
#define CS_REF_MAX_FILE_BYTES ((uint64_t)1 << 31)

/* Longest message (a path plus the problem). */
#define ERR_MAX 4352

typedef struct table {
    const unsigned char *rec;   /* NULL: the release lacks the table */
    size_t count;
} table;

typedef struct release {
    cs_date date;
    char file[64];
    const unsigned char *map;
    size_t size;
    table t[CS_REF_NTABLES];
    const uint32_t *labels;     /* PTP rationales: string offsets */
    size_t nlabels;
    const char *strings;
    size_t nstrings;            /* bytes; strings[nstrings - 1] == 0 */
    cs_date from[CS_REF_NTABLES], to[CS_REF_NTABLES];   /* windows */
    bool windows;               /* the windows table was seen */
    char msg[128];              /* a formatted problem (check_header) */
} release;

struct cs_refdata {
    int n;
    release rel[CS_REF_MAX_RELEASES];   /* by date, oldest first */
};

/* ---- errors ---- */

static void set_err(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* *err = a malloc'd message (NULL when memory ran out). */
static void set_err(char **err, const char *fmt, ...)
{
    if (!err) return;
    char msg[ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    *err = strdup(msg);
}

/* ---- checking a mapped file ---- */

/* The name a release of date d must have: "YYYY-MM-DD.csref". */
static void release_name(cs_date d, char name[17])
{
    cs_date_format(d, name);
    memcpy(name + 10, ".csref", 7);
}

/* Check the header; NULL when it is fine, else the problem. */
static const char *check_header(release *rl, const csref_header *h)
{
    static const char magic[CSREF_MAGIC_LEN] = CSREF_MAGIC;
    if (rl->size < sizeof *h) return "too short to be a release file (truncated?)";
    if (memcmp(h->magic, magic, sizeof magic) != 0) return "not a release file (bad magic)";
    if (h->version > CSREF_VERSION) {
        snprintf(rl->msg, sizeof rl->msg, "format version %u is newer than this claimscrub "
                 "reads (%u): use a newer claimscrub", h->version, CSREF_VERSION);
        return rl->msg;
    }
    if (h->version != CSREF_VERSION) {
        snprintf(rl->msg, sizeof rl->msg, "format version %u is older than this claimscrub "
                 "reads (%u): import the release again (claimscrub data import)",
                 h->version, CSREF_VERSION);
        return rl->msg;
    }
    if (h->file_size != rl->size) return "size differs from its header (truncated or extended)";
    if (!cs_date_valid(h->release)) return "bad release date in the header";
    if (h->ntables > CSREF_MAX_DIRENTS) return "too many directory entries";
    if (sizeof *h + (uint64_t)h->ntables * sizeof(csref_dirent) > rl->size)
        return "directory past the end of the file";
    return NULL;
}

/* Check one directory entry's extent and record size. */
static const char *check_dirent(const release *rl, const csref_dirent *d, uint64_t dir_end)
{
    uint32_t size = csref_record_size(d->table);
    if (size == 0) return "unknown table id in the directory";
    if (d->record_size != size) return "wrong record size in the directory";
    if (d->offset % CSREF_ALIGN != 0) return "misaligned table offset";
    if (d->offset < dir_end || d->offset > rl->size) return "table offset outside the file";
    if (d->count > (rl->size - d->offset) / size) return "table extends past the end of the file";
    return NULL;
}

/* Record a checked entry in rl; NULL or the problem (a duplicate). */
static const char *take_dirent(release *rl, const csref_dirent *d)
{
    const unsigned char *p = rl->map + d->offset;
    if (d->table == CSREF_T_STRINGS) {
        if (rl->strings) return "two string pools";
        if (d->count == 0 || p[d->count - 1] != 0) return "string pool not NUL-terminated";
        rl->strings = (const char *)p;
        rl->nstrings = (size_t)d->count;
    } else if (d->table == CSREF_T_WINDOWS) {
        if (rl->windows) return "two window tables";
        rl->windows = true;
        const csref_window *w = (const csref_window *)(const void *)p;
        for (uint64_t i = 0; i < d->count; i++) {
            if (w[i].table >= CS_REF_NTABLES) return "window of an unknown table";
            if (rl->from[w[i].table]) return "a table has two windows";
            if (!cs_date_valid(w[i].from) || !cs_date_valid(w[i].to) || w[i].to < w[i].from)
                return "bad validity window";
            rl->from[w[i].table] = w[i].from;
            rl->to[w[i].table] = w[i].to;
        }
    } else if (d->table == CSREF_T_LABELS) {
        if (rl->labels) return "two label tables";
        rl->labels = (const uint32_t *)(const void *)p;
        rl->nlabels = (size_t)d->count;
    } else {
        table *t = &rl->t[d->table];
        if (t->rec) return "a table appears twice in the directory";
        t->rec = p;
        t->count = (size_t)d->count;
    }
    return NULL;
}

/* Check the whole mapped file; NULL or the problem. */
static const char *check_release(release *rl)
{
    const csref_header *h = (const csref_header *)(const void *)rl->map;
    const char *why = check_header(rl, h);
    if (why) return why;
    uint64_t dir_end = sizeof *h + (uint64_t)h->ntables * sizeof(csref_dirent);
    const csref_dirent *dir = (const csref_dirent *)(const void *)(rl->map + sizeof *h);
    for (uint32_t i = 0; i < h->ntables; i++)
        if ((why = check_dirent(rl, &dir[i], dir_end)) || (why = take_dirent(rl, &dir[i])))
            return why;
    if (!rl->strings) return "no string pool";
    for (int t = 0; t < CS_REF_NTABLES; t++)
        if (!rl->t[t].rec != !rl->from[t])
            return rl->t[t].rec ? "a table without its validity window"
                                : "a validity window for a table the release lacks";
    if (rl->t[CS_REF_PTP].rec && !rl->labels) return "PTP table without its rationale labels";
    for (size_t i = 0; i < rl->nlabels; i++)
        if (rl->labels[i] >= rl->nstrings) return "rationale label outside the string pool";
    rl->date = h->release;
    char want[17];
    release_name(rl->date, want);
    if (strcmp(want, rl->file) != 0) return "file name does not match its release date";
    return NULL;
}

/* ---- opening ---- */

static bool is_release_name(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && n > 6 && strcmp(name + n - 6, ".csref") == 0;
}

/* Map dir/name into rl and check it.  False with *err set. */
static bool map_release(const char *dir, const char *name, release *rl, char **err)
{
    char path[ERR_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (strlen(name) >= sizeof rl->file) {
        set_err(err, "%s: file name too long for a release", path);
        return false;
    }
    snprintf(rl->file, sizeof rl->file, "%s", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        set_err(err, "%s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return false;
    }
    const char *why = !S_ISREG(st.st_mode) ? "not a regular file"
                    : (uint64_t)st.st_size > CS_REF_MAX_FILE_BYTES ? "larger than 2 GiB"
                    : st.st_size < (off_t)sizeof(csref_header)
                        ? "too short to be a release file (truncated?)" : NULL;
    if (!why) {
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) why = strerror(errno);
        else {
            rl->map = m;
            rl->size = (size_t)st.st_size;
            posix_madvise(m, rl->size, POSIX_MADV_RANDOM);  /* binary search: no readahead */
            why = check_release(rl);
        }
    }
    close(fd);
    if (why) set_err(err, "%s: %s", path, why);
    return why == NULL;
}

static int by_date(const void *a, const void *b)
{
    const release *x = a, *y = b;
    return (x->date > y->date) - (x->date < y->date);
}

/* Map every release file of d into r.  False with *err set. */
static bool read_dir(cs_refdata *r, const char *dir, DIR *d, char **err)
{
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!is_release_name(de->d_name)) continue;
        if (r->n == CS_REF_MAX_RELEASES) {
            set_err(err, "%s: more than %d release files", dir, CS_REF_MAX_RELEASES);
            return false;
        }
        if (!map_release(dir, de->d_name, &r->rel[r->n++], err)) return false;
    }
    return true;
}

cs_refdata *cs_refdata_open(const char *dir, char **err)
{
    if (err) *err = NULL;
    cs_refdata *r = calloc(1, sizeof *r);
    if (!r) { set_err(err, "out of memory"); return NULL; }
    DIR *d = opendir(dir);
    if (!d) {
        set_err(err, "data set %s: %s", dir, strerror(errno));
        free(r);
        return NULL;
    }
    bool ok = read_dir(r, dir, d, err);
    closedir(d);
    if (!ok) { cs_refdata_close(r); return NULL; }
    qsort(r->rel, (size_t)r->n, sizeof *r->rel, by_date);
    return r;
}

void cs_refdata_close(cs_refdata *r)
{
    if (!r) return;
    for (int i = 0; i < r->n; i++)
        if (r->rel[i].map) munmap((void *)r->rel[i].map, r->rel[i].size);
    free(r);
}

/* ---- release selection ---- */

/* The release used for table t on dos: the newest holding t whose window
 * for t contains dos; else the newest holding t dated on or before dos;
 * else the oldest holding t; NULL when none holds t. */
static const release *pick(const cs_refdata *r, cs_ref_table t, cs_date dos)
{
    if (!r || t < 0 || t >= CS_REF_NTABLES) return NULL;
    const release *in = NULL, *best = NULL, *oldest = NULL;
    for (int i = 0; i < r->n; i++) {
        const release *rl = &r->rel[i];
        if (!rl->t[t].rec) continue;
        if (!oldest) oldest = rl;
        if (rl->date <= dos) best = rl;
        if (rl->from[t] <= dos && dos <= rl->to[t]) in = rl;
    }
    return in ? in : best ? best : oldest;
}

cs_date cs_ref_release(const cs_refdata *r, cs_ref_table t, cs_date dos)
{
    const release *rl = pick(r, t, dos);
    return rl ? rl->date : 0;
}

bool cs_ref_window_of(const cs_refdata *r, cs_ref_table t, cs_date dos, cs_ref_window *out)
{
    const release *rl = pick(r, t, dos);
    if (!rl) return false;
    out->release = rl->date;
    out->from = rl->from[t];
    out->to = rl->to[t];
    out->covers = out->from <= dos && dos <= out->to;
    return true;
}

/* Last day of month m (1-12) of year y. */
static int month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

void cs_ref_default_window(cs_ref_table t, cs_date rel, cs_date *from, cs_date *to)
{
    int y = rel / 10000, m = rel / 100 % 100;
    if (t == CS_REF_ICD10) {        /* fiscal year: 1 October - 30 September */
        int fy = m >= 10 ? y + 1 : y;
        *from = (fy - 1) * 10000 + 1001;
        *to = fy * 10000 + 930;
        return;
    }
    int q = (m - 1) / 3 * 3 + 1;    /* first month of the quarter */
    *from = y * 10000 + q * 100 + 1;
    *to = y * 10000 + (q + 2) * 100 + month_days(y, q + 2);
}

/* ---- searching ---- */

/* Index of the first record of table t in rl whose key is >= key. */
static size_t lower_bound(const release *rl, cs_ref_table t, uint64_t key)
{
    const table *tb = &rl->t[t];
    size_t size = csref_record_size((uint32_t)t), lo = 0, hi = tb->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (csref_key((uint32_t)t, tb->rec + mid * size) < key) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The record of table t with exactly key, or NULL (first of equals). */
static const void *find(const release *rl, cs_ref_table t, uint64_t key)
{
    if (!rl) return NULL;
    size_t i = lower_bound(rl, t, key);
    const void *rec = rl->t[t].rec + i * csref_record_size((uint32_t)t);
    return i < rl->t[t].count && csref_key((uint32_t)t, rec) == key ? rec : NULL;
}

/* The string at offset off of the pool; "" when off is outside it. */
static const char *string_at(const release *rl, uint32_t off)
{
    return off < rl->nstrings ? rl->strings + off : "";
}

static uint32_t pack5(const char *code)
{
    return code ? (uint32_t)csref_pack(code, strlen(code), 5) : 0;
}

/* ---- lookups ---- */

/* Whether PTP record p is in force on day (days since 1970). */
static bool ptp_applies(const csref_ptp *p, int32_t day)
{
    return p->effective <= day && (p->deleted == 0 || day <= p->deleted);
}

/* Of two rows in force, the one that describes the day: the later
 * effective date, then the earlier deletion (a row deleted later, or never,
 * was superseded on that day only if a re-added row exists). */
static bool ptp_better(const csref_ptp *a, const csref_ptp *b)
{
    if (a->effective != b->effective) return a->effective > b->effective;
    uint32_t da = a->deleted ? a->deleted : UINT32_MAX, db = b->deleted ? b->deleted : UINT32_MAX;
    return da < db;
}

bool cs_ref_ptp(const cs_refdata *r, const char *col1, const char *col2,
                cs_date dos, cs_ptp *out)
{
    const release *rl = pick(r, CS_REF_PTP, dos);
    uint32_t c1 = pack5(col1), c2 = pack5(col2);
    if (!rl || !c1 || !c2 || !cs_date_valid(dos)) return false;
    int32_t day = cs_date_days(dos);
    const csref_ptp *recs = (const csref_ptp *)(const void *)rl->t[CS_REF_PTP].rec, *best = NULL;
    size_t lo = 0, hi = rl->t[CS_REF_PTP].count;
    while (lo < hi) {           /* the first record of the pair c1/c2 */
        size_t mid = lo + (hi - lo) / 2;
        if (recs[mid].col1 < c1 || (recs[mid].col1 == c1 && recs[mid].col2 < c2)) lo = mid + 1;
        else hi = mid;
    }
    for (size_t i = lo; i < rl->t[CS_REF_PTP].count && recs[i].col1 == c1 && recs[i].col2 == c2; i++)
        if (ptp_applies(&recs[i], day) && (!best || ptp_better(&recs[i], best)))
            best = &recs[i];
    if (!best) return false;
    out->effective = best->effective ? csref_date(best->effective) : 0;
    out->deleted = best->deleted ? csref_date(best->deleted) : 0;
    out->indicator = best->indicator;
    out->rationale = best->rationale < rl->nlabels
                   ? string_at(rl, rl->labels[best->rationale]) : "";
    return true;
}

bool cs_ref_mue(const cs_refdata *r, const char *code, cs_date dos, cs_mue *out)
{
    const release *rl = pick(r, CS_REF_MUE, dos);
    uint32_t c = pack5(code);
    const csref_mue *m = c ? find(rl, CS_REF_MUE, c) : NULL;
    if (!m) return false;
    out->value = (int)m->value;
    out->mai = m->mai;
    out->rationale = string_at(rl, m->rationale);
    return true;
}

int cs_ref_aoc_type(const cs_refdata *r, const char *addon, cs_date dos)
{
    const release *rl = pick(r, CS_REF_AOC, dos);
    uint32_t a = pack5(addon);
    if (!rl || !a) return 0;
    size_t i = lower_bound(rl, CS_REF_AOC, (uint64_t)a << 32);
    const csref_aoc *recs = (const csref_aoc *)(const void *)rl->t[CS_REF_AOC].rec;
    return i < rl->t[CS_REF_AOC].count && recs[i].addon == a ? recs[i].type : 0;
}

bool cs_ref_aoc_primary(const cs_refdata *r, const char *addon, const char *primary,
                        cs_date dos)
{
    const release *rl = pick(r, CS_REF_AOC, dos);
    uint32_t a = pack5(addon), p = pack5(primary);
    return a && p && find(rl, CS_REF_AOC, (uint64_t)a << 32 | p) != NULL;
}

/* Total RVU (hundredths) x conversion factor (ten-thousandths of a dollar)
 * in cents, rounded half away from zero: 43 x 332875 -> 1431. */
static int64_t price_cents(int32_t rvu, int32_t cf)
{
    int64_t x = (int64_t)rvu * cf;          /* millionths of a dollar */
    return x >= 0 ? (x + 5000) / 10000 : -((-x + 5000) / 10000);
}

bool cs_ref_pfs(const cs_refdata *r, const char *code, const char *mod,
                cs_date dos, cs_pfs *out)
{
    const release *rl = pick(r, CS_REF_PFS, dos);
    uint32_t c = pack5(code);
    size_t mlen = mod ? strlen(mod) : 0;
    uint64_t m = mlen ? csref_pack(mod, mlen, 2) : 0;
    if (!c || (mlen && !m)) return false;
    const csref_pfs *p = find(rl, CS_REF_PFS, (uint64_t)c << 16 | m);
    if (!p) return false;
    out->status = p->status;
    memcpy(out->global, p->global, 3);
    out->global[3] = 0;
    out->work_rvu = p->work_rvu;
    out->nonfac_total_rvu = p->nonfac_total_rvu;
    out->fac_total_rvu = p->fac_total_rvu;
    out->conv_factor = p->conv_factor;
    out->nonfac_price = price_cents(p->nonfac_total_rvu, p->conv_factor);
    out->fac_price = price_cents(p->fac_total_rvu, p->conv_factor);
    return true;
}

bool cs_ref_icd10(const cs_refdata *r, const char *code, cs_date dos, cs_icd10 *out)
{
    const release *rl = pick(r, CS_REF_ICD10, dos);
    uint64_t c = code ? csref_pack_icd10(code, strlen(code)) : 0;
    const csref_icd10 *rec = c ? find(rl, CS_REF_ICD10, c) : NULL;
    if (!rec) return false;
    out->billable = rec->billable != 0;
    out->description = string_at(rl, rec->description);
    return true;
}

bool cs_ref_hcpcs(const cs_refdata *r, const char *code, cs_date dos, cs_hcpcs *out)
{
    const release *rl = pick(r, CS_REF_HCPCS, dos);
    uint32_t c = pack5(code);
    const csref_hcpcs *h = c ? find(rl, CS_REF_HCPCS, c) : NULL;
    if (!h || (h->added && dos < h->added) || (h->terminated && dos > h->terminated))
        return false;
    out->section = string_at(rl, h->section);
    out->description = string_at(rl, h->description);
    out->added = h->added;
    out->terminated = h->terminated;
    out->cov = h->cov >= 'A' && h->cov <= 'Z' ? h->cov : 0;
    return true;
}

bool cs_ref_adj(const cs_refdata *r, cs_adj_kind kind, const char *code,
                cs_date dos, cs_adj *out)
{
    const release *rl = pick(r, CS_REF_ADJ, dos);
    uint32_t c = pack5(code);
    if (!rl || !c || kind < CS_ADJ_GROUP || kind > CS_ADJ_RARC) return false;
    uint64_t key = (uint64_t)kind << 32 | c;
    const csref_adj *recs = (const csref_adj *)(const void *)rl->t[CS_REF_ADJ].rec;
    for (size_t i = lower_bound(rl, CS_REF_ADJ, key);
         i < rl->t[CS_REF_ADJ].count && csref_key(CS_REF_ADJ, &recs[i]) == key; i++) {
        const csref_adj *a = &recs[i];
        if ((a->start && dos < a->start) || (a->end && dos > a->end)) continue;
        out->start = a->start;
        out->end = a->end;
        out->description = string_at(rl, a->description);
        return true;
    }
    return false;
}

/* ---- information ---- */

int cs_refdata_info(const cs_refdata *r, cs_ref_info *info, int max)
{
    if (!r) return 0;
    for (int i = 0; i < r->n && i < max; i++) {
        const release *rl = &r->rel[i];
        cs_ref_info *in = &info[i];
        in->release = rl->date;
        snprintf(in->file, sizeof in->file, "%s", rl->file);
        cs_sha256 s;
        cs_sha256_init(&s);
        void *m = (void *)rl->map;      /* read-ahead while hashing only */
        posix_madvise(m, rl->size, POSIX_MADV_SEQUENTIAL);
        cs_sha256_update(&s, rl->map, rl->size);
        posix_madvise(m, rl->size, POSIX_MADV_RANDOM);
        cs_sha256_hex(&s, in->sha256);
        for (int t = 0; t < CS_REF_NTABLES; t++) {
            in->rows[t] = rl->t[t].rec ? (long)rl->t[t].count : -1;
            in->from[t] = rl->from[t];
            in->to[t] = rl->to[t];
        }
    }
    return r->n;
}

const char *cs_ref_table_name(cs_ref_table t)
{
    static const char *const names[CS_REF_NTABLES] = {
        "ptp", "mue", "aoc", "pfs", "icd10", "hcpcs", "adj"
    };
    return t >= 0 && t < CS_REF_NTABLES ? names[t] : NULL;
}

/* ---- public wrapper (claimscrub.h) ---- */

/* Append one release's lines to b. */
static void info_text(cs_buf *b, const cs_ref_info *in)
{
    char date[11];
    cs_date_format(in->release, date);
    cs_buf_printf(b, "release %s  file %s\n  sha256 %s\n  rows", date, in->file, in->sha256);
    for (int t = 0; t < CS_REF_NTABLES; t++) {
        const char *name = cs_ref_table_name((cs_ref_table)t);
        if (in->rows[t] < 0) cs_buf_printf(b, "%s %s -", t ? "," : "", name);
        else cs_buf_printf(b, "%s %s %ld", t ? "," : "", name, in->rows[t]);
    }
    cs_buf_puts(b, "\n  valid");
    bool first = true;
    for (int t = 0; t < CS_REF_NTABLES; t++) {
        if (in->rows[t] < 0) continue;
        char from[11], to[11];
        cs_date_format(in->from[t], from);
        cs_date_format(in->to[t], to);
        cs_buf_printf(b, "%s %s %s..%s", first ? "" : ",", cs_ref_table_name((cs_ref_table)t),
                      from, to);
        first = false;
    }
    if (first) cs_buf_puts(b, " -");
    cs_buf_putc(b, '\n');
}

char *cs_data_info(const char *dir, char **err)
{
    if (err) *err = NULL;
    if (!dir) dir = CS_DEFAULT_DATA;
    cs_refdata *r = cs_refdata_open(dir, err);
    if (!r) return NULL;
    cs_ref_info *info = calloc(CS_REF_MAX_RELEASES, sizeof *info);
    cs_buf b = {0};
    int n = info ? cs_refdata_info(r, info, CS_REF_MAX_RELEASES) : 0;
    if (info && n == 0) cs_buf_printf(&b, "data set %s: no releases\n", dir);
    else if (info) cs_buf_printf(&b, "data set %s: %d release%s\n", dir, n, n == 1 ? "" : "s");
    for (int i = 0; i < n; i++) info_text(&b, &info[i]);
    free(info);
    cs_refdata_close(r);
    char *text = info ? cs_buf_take(&b, NULL) : NULL;
    if (!info) cs_buf_free(&b);
    if (!text) set_err(err, "out of memory");
    return text;
}

/*
 * gen.c -- deterministic generator of realistic professional claims (JSONL)
 * for the benchmark.  Same arguments, same bytes: a fixed-seed xorshift.
 *
 * usage: bench_gen N > claims.jsonl
 *        bench_gen N --x12 > claims.837   (the same claims as X12 837P)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint32_t next(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static int pick(int n) { return (int)(next() % (uint32_t)n); }

#define COUNT(a) (sizeof a / sizeof *a)

static const char *const EM[] = {"99202", "99203", "99204", "99211", "99212", "99213", "99214", "99215"};
static const char *const DRUGS[] = {"J0696", "J3420", "J1885", "J1100", "J0897", "J3301"};
static const char *const OTHER[] = {"80053", "85025", "71046", "93000", "36415", "81002", "87880", "90471", "90686", "20610"};
static const char *const DX[] = {"J02.9", "D51.0", "E53.8", "I10", "E11.9", "M17.11", "J06.9", "R05.9", "Z00.00", "N18.4", "E78.5", "M54.50"};
static const char *const NPIS[] = {"1234567893", "1245319599", "1003000126", "1497758544"};
static const char *const ROUTES[] = {"IM", "IM", "SC", "IV"};

#define MAX_GEN_LINES 6

/* One generated claim; every random choice is made in a fixed order, so the
 * JSON and the X12 forms of claim i are the same claim. */
typedef struct gline {
    const char *code;
    int mod25, units, ptr, route;   /* route: index into ROUTES, -1 none */
    long cents;
    int ndc;
} gline;

typedef struct gclaim {
    long id;
    int month, day, ndx, dx[4];
    int patient, byear, bmonth, bday, female, billing, rendering;
    gline lines[MAX_GEN_LINES];
    int nlines;
} gclaim;

static void add_line(gclaim *c, const char *code, int mod25, int units, long base, int span)
{
    gline *l = &c->lines[c->nlines++];
    l->code = code;
    l->mod25 = mod25;
    l->units = units;
    l->ptr = 1 + pick(c->ndx);
    l->cents = base + pick(span);
    l->route = -1;
    l->ndc = 0;
}

static void make_claim(long i, gclaim *c)
{
    c->id = i;
    c->month = 1 + pick(6);
    c->day = 1 + pick(28);
    c->ndx = 1 + pick(4);
    c->patient = pick(900000);
    c->byear = 30 + pick(60);
    c->bmonth = 1 + pick(12);
    c->bday = 1 + pick(28);
    c->female = pick(2);
    c->billing = pick(COUNT(NPIS));
    c->billing = 0;          /* one billing provider: the X12 form has one per transaction */
    c->rendering = pick(COUNT(NPIS));
    int used[COUNT(DX)] = {0};
    for (int d = 0; d < c->ndx; d++) {
        int k;
        do k = pick(COUNT(DX)); while (used[k]);
        used[k] = 1;
        c->dx[d] = k;
    }
    c->nlines = 0;
    const char *em = EM[pick(COUNT(EM))];
    int mod25 = pick(3) != 0;
    add_line(c, em, mod25, 1, 7500, 10000);
    if (pick(2)) {
        int route = pick(COUNT(ROUTES));
        add_line(c, "96372", 0, 1, 2500, 2000);
        c->lines[c->nlines - 1].route = route;
        const char *drug = DRUGS[pick(COUNT(DRUGS))];
        int units = 1 + pick(4);
        add_line(c, drug, 0, units, 500, 5000);
        c->lines[c->nlines - 1].ndc = 1;
    }
    for (int k = pick(3); k > 0; k--) {
        const char *other = OTHER[pick(COUNT(OTHER))];
        add_line(c, other, 0, 1, 1000, 20000);
    }
}

static void write_json(const gclaim *c)
{
    printf("{\"id\":\"BEN-%07ld\",\"payer\":\"medicare\",\"patient\":{\"id\":\"P%06d\","
           "\"birth_date\":\"19%02d-%02d-%02d\",\"sex\":\"%s\"},", c->id, c->patient,
           c->byear, c->bmonth, c->bday, c->female ? "F" : "M");
    printf("\"billing_provider\":{\"npi\":\"%s\",\"taxonomy\":\"207Q00000X\"},", NPIS[c->billing]);
    printf("\"rendering_provider\":{\"npi\":\"%s\"},\"place_of_service\":\"11\",\"diagnoses\":[",
           NPIS[c->rendering]);
    for (int d = 0; d < c->ndx; d++) printf("%s\"%s\"", d ? "," : "", DX[c->dx[d]]);
    printf("],\"lines\":[");
    for (int k = 0; k < c->nlines; k++) {
        const gline *l = &c->lines[k];
        printf("%s{\"code\":\"%s\",%s\"units\":%d,\"service_date\":\"2026-%02d-%02d\","
               "\"diagnosis_pointers\":[%d],\"charge\":\"%ld.%02ld\"", k ? "," : "", l->code,
               l->mod25 ? "\"modifiers\":[\"25\"]," : "", l->units, c->month, c->day, l->ptr,
               l->cents / 100, l->cents % 100);
        if (l->route >= 0) printf(",\"route\":\"%s\"", ROUTES[l->route]);
        if (l->ndc) printf(",\"ndc\":\"00409733201\"");
        printf("}");
    }
    printf("]}\n");
}

/* ICD-10-CM without its dot, as X12 carries it. */
static void put_dx(const char *dx)
{
    for (; *dx; dx++) if (*dx != '.') putchar(*dx);
}

/* The claim as a 2000B subscriber loop with its 2300 claim; returns the
 * number of segments written. */
static int write_x12_claim(const gclaim *c, int hl)
{
    long total = 0;
    for (int k = 0; k < c->nlines; k++) total += c->lines[k].cents;
    printf("HL*%d*1*22*0~SBR*P*18*******MB~NM1*IL*1*DOE*PAT****MI*P%06d~"
           "DMG*D8*19%02d%02d%02d*%s~NM1*PR*2*MEDICARE PART B*****PI*00435~",
           hl, c->patient, c->byear, c->bmonth, c->bday, c->female ? "F" : "M");
    printf("CLM*BEN-%07ld*%ld.%02ld***11:B:1*Y*A*Y*Y~HI", c->id, total / 100, total % 100);
    for (int d = 0; d < c->ndx; d++) {
        printf("*%s:", d ? "ABF" : "ABK");
        put_dx(DX[c->dx[d]]);
    }
    printf("~NM1*82*1*SMITH*ANNA****XX*%s~", NPIS[c->rendering]);
    int n = 8;
    for (int k = 0; k < c->nlines; k++) {
        const gline *l = &c->lines[k];
        printf("LX*%d~SV1*HC:%s%s*%ld.%02ld*UN*%d***%d~DTP*472*D8*2026%02d%02d~", k + 1, l->code,
               l->mod25 ? ":25" : "", l->cents / 100, l->cents % 100, l->units, l->ptr,
               c->month, c->day);
        n += 3;
        if (l->ndc) { printf("LIN**N4*00409733201~CTP****%d*UN~", l->units); n += 2; }
    }
    putchar('\n');
    return n;
}

/* n claims as one interchange: a transaction of up to PER_ST claims each,
 * billing provider from the first claim of each transaction. */
#define PER_ST 1000

static void write_x12(long n)
{
    printf("ISA*00*          *00*          *ZZ*BENCH          *ZZ*MEDICARE       "
           "*260303*0900*^*00501*000000001*0*P*:~\nGS*HC*BENCH*MEDICARE*20260303*0900*1*X*005010X222A1~\n");
    long st = 0;
    for (long i = 1; i <= n; st++) {
        gclaim c;
        printf("ST*837*%04ld*005010X222A1~BHT*0019*00*B%06ld*20260303*0900*CH~"
               "NM1*41*2*BENCH CLINIC*****46*BC0001~PER*IC*BILLING*TE*5555550100~"
               "NM1*40*2*MEDICARE PART B*****46*00435~HL*1**20*1~PRV*BI*PXC*207Q00000X~"
               "NM1*85*2*BENCH CLINIC*****XX*1234567893~N3*1 MAIN ST~N4*SPRINGFIELD*IL*627010000~"
               "REF*EI*371234567~\n", st + 1, st + 1);
        int segs = 11, hl = 2;
        for (long k = 0; k < PER_ST && i <= n; k++, i++) {
            make_claim(i, &c);
            segs += write_x12_claim(&c, hl++);
        }
        printf("SE*%d*%04ld~\n", segs + 1, st + 1);
    }
    printf("GE*%ld*1~IEA*1*000000001~\n", st);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    if (argc > 2 && !strcmp(argv[2], "--x12")) {
        write_x12(n);
        return 0;
    }
    for (long i = 1; i <= n; i++) {
        gclaim c;
        make_claim(i, &c);
        write_json(&c);
    }
    return 0;
}

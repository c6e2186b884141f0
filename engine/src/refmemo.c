/*
 * refmemo.c -- per-claim memo of reference lookups.  See refmemo.h.
 */
#include <string.h>

#include "host.h"
#include "refmemo.h"
#include "trace.h"

void cs_refmemo_start(cs_host *h)
{
    cs_refmemo *m = &h->memo;
    if (m->gen == h->gen) return;
    m->gen = h->gen;
    memset(m->pfs, -2, sizeof m->pfs);
    m->icd10_problem = -1;
    m->nptp = -3;
}

const cs_refdata *cs_refmemo_data(cs_host *h, cs_ref_table t, cs_date dos)
{
    cs_date rel = h->ref ? cs_ref_release(h->ref, t, dos) : 0;
    if (!rel) return NULL;
    if (h->verdict && rel > h->verdict->data_used[t]) h->verdict->data_used[t] = rel;
    return h->ref;
}

const cs_pfs *cs_refmemo_pfs(cs_host *h, int i, bool *no_data)
{
    cs_refmemo *m = &h->memo;
    cs_refmemo_start(h);
    if (m->pfs[i] == -2) {
        const cs_line *l = &h->claim->lines[i];
        const cs_refdata *r = cs_refmemo_data(h, CS_REF_PFS, l->service_date);
        m->pfs[i] = !r ? -1 : cs_ref_pfs(r, l->code, "", l->service_date, &m->pfs_row[i]);
    }
    *no_data = m->pfs[i] == -1;
    return m->pfs[i] == 1 ? &m->pfs_row[i] : NULL;
}

cs_date cs_refmemo_each_ptp(cs_host *h, cs_ptp_visit *fn, void *ctx)
{
    const cs_claim *c = h->claim;
    cs_date bad = 0;
    for (int j = 0; j < c->nlines; j++) {
        const cs_line *col2 = &c->lines[j];
        for (int i = 0; i < c->nlines; i++) {
            const cs_line *col1 = &c->lines[i];
            if (i == j || col1->service_date != col2->service_date) continue;
            const cs_refdata *r = cs_refmemo_data(h, CS_REF_PTP, col2->service_date);
            cs_ptp e;
            if (!r) { if (!bad) bad = col2->service_date; continue; }
            bool found = cs_ref_ptp(r, col1->code, col2->code, col2->service_date, &e);
            if (h->trace) cs_trace_ptp(h->trace, col1->code, col2->code, col2->service_date, found ? &e : NULL);
            fn(ctx, i, j, found ? &e : NULL);
        }
    }
    return bad;
}

/* Keep the edits found (counting them all, even past the memo's room). */
static void keep_edit(void *ctx, int col1, int col2, const cs_ptp *edit)
{
    cs_refmemo *m = ctx;
    if (!edit) return;
    if (m->nptp < CS_MEMO_MAX_PTP) m->ptp[m->nptp] = (cs_ptp_pair){(uint8_t)col1, (uint8_t)col2, *edit};
    m->nptp++;
}

int cs_refmemo_ptp(cs_host *h, const cs_ptp_pair **pairs)
{
    cs_refmemo *m = &h->memo;
    cs_refmemo_start(h);
    if (m->nptp == -3) {
        m->nptp = 0;
        if (cs_refmemo_each_ptp(h, keep_edit, m)) m->nptp = -1;
        else if (m->nptp > CS_MEMO_MAX_PTP) m->nptp = -2;
    }
    *pairs = m->ptp;
    return m->nptp;
}

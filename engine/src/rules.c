/*
 * rules.c -- cs_engine_rules: the rule metadata of a payer's layers (and a
 * client overlay), with the overlays' waivers and severity changes applied
 * the way cs_verdict_merge applies them to findings.
 */
#include <string.h>

#include "claimscrub.h"
#include "engine_internal.h"
#include "pack.h"

/* Unknown payer / client, as documented in claimscrub.h. */
#define NO_PAYER  (-1)
#define NO_CLIENT (-2)

/* The layers a claim for payer (and client) runs, base first, into
 * layers[CS_MAX_LAYERS]; returns their number or NO_PAYER / NO_CLIENT.
 * Mirrors the engine's pick_layers. */
static int layers_of(const cs_packset *ps, const char *payer, const char *client,
                     const cs_pack **layers)
{
    const cs_pack *p = payer && payer[0] ? cs_packset_find(ps, payer, false) : NULL;
    if (!p) return NO_PAYER;
    const cs_pack *ov = NULL;
    if (client && client[0] && !(ov = cs_packset_find(ps, client, true))) return NO_CLIENT;
    const cs_pack *chain[CS_MAX_LAYERS];
    int n = 0, k = 0;
    for (; p && n < CS_MAX_LAYERS - 1; p = p->base) chain[n++] = p;
    for (int i = n - 1; i >= 0; i--) layers[k++] = chain[i];
    if (ov) layers[k++] = ov;
    return k;
}

/* Fill *ri for rule r of layers[from]: severity changes bottom-up (the
 * highest layer has the last word), the highest waiver named. */
static void describe(const cs_rule *r, const cs_pack *const *layers, int n, int from,
                     cs_rule_info *ri)
{
    memset(ri, 0, sizeof *ri);
    ri->id = r->id;
    ri->summary = r->summary ? r->summary : "";
    ri->layer = layers[from]->manifest;
    ri->source = r->source ? r->source : "";
    ri->group = r->group;
    ri->carc = r->carc;
    ri->rarc = r->rarc;
    const cs_pack *by;
    ri->base_severity = r->severity;
    ri->severity = cs_pack_overrides(layers, n, from, r->id, r->severity, NULL, &by, &ri->waive_reason);
    ri->waived_by = by ? by->manifest : NULL;
    if (r->from) cs_date_format(r->from, ri->from);
    if (r->to) cs_date_format(r->to, ri->to);
}

int cs_engine_rules(cs_engine *e, const char *payer, const char *client,
                    cs_rule_info *out, int max)
{
    const cs_pack *layers[CS_MAX_LAYERS];
    int n = layers_of(cs_engine_packset(e), payer, client, layers);
    if (n < 0) return n;
    int count = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < layers[i]->nrules; j++, count++)
            if (out && count < max) describe(&layers[i]->rules[j], layers, n, i, &out[count]);
    return count;
}

/*
 * trigger.h -- rule triggers: `applies_to` in rule{}.
 *
 * A trigger names, in terms the engine can test in C, the claims a rule can
 * possibly flag: a line with one of some codes, a pair of same-date lines
 * with an NCCI PTP edit, a code over its MUE, ...  Before calling a rule the
 * engine tests its trigger; when the trigger does not hold the rule is not
 * called at all (it is "not applicable" to the claim).  A trigger is a
 * promise by the rule's author that the rule cannot flag a claim outside it
 * (docs/rule-language.md); the engine does not check that promise.
 *
 * Data triggers consult the reference data set exactly as the rule's own
 * `ref` lookups would, and note the releases they used in the verdict, so a
 * record is the same whether the rule was skipped or ran and found nothing.
 * When the data set cannot answer (no data, or no release holds the table)
 * the trigger holds: the rule runs and reports the missing data itself.
 */
#ifndef CS_TRIGGER_H
#define CS_TRIGGER_H

#include <stdbool.h>

#include <lua.h>

typedef struct cs_trigger cs_trigger;
struct cs_host;

/* Read the rule{} field applies_to at stack index idx (a table).  Raises a
 * script error naming the problem (unknown key, bad code, ...); on success
 * returns a new trigger, owned by the caller (cs_trigger_free). */
cs_trigger *cs_trigger_read(lua_State *L, int idx);

/* Whether the rule with trigger t can apply to the claim h is checking
 * (h->claim, h->ref), noting the data releases consulted in h->verdict. */
bool cs_trigger_holds(const cs_trigger *t, struct cs_host *h);

void cs_trigger_free(cs_trigger *t);

#endif

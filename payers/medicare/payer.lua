-- Medicare Part B (CMS) rule pack: professional claims (CMS-1500 / 837P).
--
-- The edits are data-driven: NCCI PTP, MUE and add-on code edits of the
-- *practitioner* files, the Physician Fee Schedule, ICD-10-CM and HCPCS come
-- from the engine's reference data set (require "ref"; the starter set is
-- data/starter, release 2024-07-01), looked up by each line's date of
-- service.  Policy that is not in those files (the 96372 injection rules,
-- ESA claims, global surgery within one claim) is written in the scripts,
-- each citing its source; see /docs and payers/medicare/tests for cases.
--
-- Severities: deny = the line is not paid as billed; review = a person
-- should look (documentation).  Findings carry the CARC/RARC Medicare
-- would report and, as amount, the money of the lines concerned.
payer {
  id = "medicare",
  name = "Medicare Part B (CMS)",
  scripts = { "ncci.lua", "injections.lua", "esa.lua", "global.lua", "validity.lua" },
}

-- Medicare Part B (CMS) rule pack.
-- Starter content: the visit + injection edits of the practitioner NCCI PTP
-- file, written directly (96372/992xx indicator 1, 96372/99211 indicator 0).
payer {
  id = "medicare",
  name = "Medicare Part B (CMS)",
  scripts = { "visits.lua" },
}

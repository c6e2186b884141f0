-- A billing company's overlay for one client, Riverside Clinic.  It applies
-- on top of whatever payer a claim goes to.  This folder's parent,
-- examples/, is a rules root: examples/payers links to the repository's
-- packs, so `claimscrub check --rules examples` checks with this overlay.
client {
  id = "riverside-clinic",
  name = "Riverside Clinic (billing company overlay)",
  -- the clinic's nurses always inject under the physician's direct
  -- supervision, documented in the visit note the payer gets on request
  waive = { ["cms.inj.supervision"] = "supervision is documented in every visit note (clinic policy 2026-01)" },
  -- units over an MUE are reviewed by the coder before submission
  severity = { ["cms.ncci.mue"] = "warn" },
  scripts = { "ndc.lua" },
}

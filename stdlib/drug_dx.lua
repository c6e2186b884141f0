-- drug_dx: which diagnoses support which drug -- the medical-necessity
-- links payers publish in their coverage policies (LCDs/NCDs).  Rules use
-- it to deny a drug whose linked diagnoses do not justify it.
--
-- To add a drug, add one entry to DRUGS below:
--
--   J3420 = {                       -- the HCPCS drug supply code
--     drug = "vitamin B-12 ...",    -- shown in findings
--     dx = { "D51.*", "E53.8" },    -- ICD-10-CM patterns (see icd10.lua):
--                                   -- "D51.*" is every code under D51,
--                                   -- "E53.8" that code only
--     source = "...",               -- where the list comes from (policy, date)
--   },
--
-- A drug that is not listed is not checked.  Every pattern is checked when
-- the module loads: a malformed one stops the engine from starting, with
-- this file and line in the message.
local icd10 = require "icd10"

local DRUGS = {
  J3420 = {
    drug = "vitamin B-12 (cyanocobalamin) injection, up to 1000 mcg",
    dx = { "D51.*", "E53.8" },
    source = "96372 article (2026) and billing-rules.md: a B12 shot needs a "
          .. "vitamin B12 deficiency diagnosis (D51.x, E53.8)",
  },
}

for code, e in pairs(DRUGS) do
  assert(type(code) == "string" and #code == 5, "drug_dx: key must be a 5-character HCPCS code")
  assert(type(e.drug) == "string" and type(e.source) == "string" and type(e.dx) == "table"
         and #e.dx > 0, "drug_dx." .. code .. ": needs drug, dx and source")
  for _, p in ipairs(e.dx) do icd10.check_pattern(p) end
end

local M = {}

--- The entry for a drug supply code, a new table {drug=, dx=, source=}
--- (a copy: the table itself stays as loaded), or nil when the drug has
--- none.
function M.entry(code)
  local e = DRUGS[code]
  if not e then return nil end
  local dx = {}
  for i, p in ipairs(e.dx) do dx[i] = p end
  return { drug = e.drug, dx = dx, source = e.source }
end

--- Whether the diagnoses (a list of ICD-10-CM codes, e.g. line.diagnoses)
--- support drug code: true and the diagnosis and pattern that do; false
--- when none does; nil when the drug is not in the table.
function M.supports(code, diagnoses)
  local e = DRUGS[code]
  if not e then return nil end
  for _, dx in ipairs(diagnoses) do
    local p = icd10.matches_any(dx, e.dx)
    if p then return true, dx, p end
  end
  return false
end

--- The drug codes in the table, sorted.
function M.codes()
  local out = {}
  for code in pairs(DRUGS) do out[#out + 1] = code end
  table.sort(out)
  return out
end

return M

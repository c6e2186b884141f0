-- Riverside's own rule: every drug supply line carries the NDC of the drug
-- given (payers ask for it; the clinic's EHR export has it).
local codes = require "codes"

rule {
  id = "riverside.ndc_on_drug_lines",
  summary = "Every drug supply line (J-code) carries an NDC",
  severity = "deny", group = "CO", carc = "16", rarc = "M119",
  applies_to = { codes = { "J0100-J9999" } },
  check = function(claim)
    for _, l in ipairs(claim.lines) do
      if codes.is_drug_supply(l.code) and not l.ndc then
        flag(l, l.code .. " (line " .. l.number .. ") on " .. l.service_date
                .. " has no NDC: add the 11-digit NDC of the drug given")
      end
    end
  end,
}

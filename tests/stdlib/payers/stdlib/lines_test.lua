local codes = require "codes"
local lines = require "lines"

-- Expects the claim of tests/test_stdlib.c: 99213-25 and 96372 on
-- 2026-03-02, J0696 on 2026-03-03.
rule {
  id = "test.lines", summary = "stdlib lines", severity = "info",
  check = function(claim)
    local em, inj, drug = claim.lines[1], claim.lines[2], claim.lines[3]
    assert(lines.has_modifier(em, "25") and not lines.has_modifier(em, "59"))
    assert(not lines.has_modifier(inj, "25"))
    local sel = lines.select(claim, codes.is_drug_supply)
    assert(#sel == 1 and sel[1] == drug, "select finds the drug line")
    assert(#lines.select(claim, function() return false end) == 0)
    local hit, l = lines.any_on(claim, "2026-03-02", codes.is_injection_sc_im)
    assert(hit and l == inj, "any_on finds the injection")
    assert(not lines.any_on(claim, "2026-03-03", codes.is_injection_sc_im))
    flag(nil, "lines ok")
  end,
}

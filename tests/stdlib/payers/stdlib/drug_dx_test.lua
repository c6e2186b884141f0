local drug_dx = require "drug_dx"

rule {
  id = "test.drug_dx", summary = "stdlib drug_dx", severity = "info",
  check = function()
    assert(drug_dx.supports("J3420", { "D51.0" }) == true)
    local ok, dx, p = drug_dx.supports("J3420", { "J02.9", "D51.9" })
    assert(ok == true and dx == "D51.9" and p == "D51.*")
    ok, dx, p = drug_dx.supports("J3420", { "E53.8" })
    assert(ok and dx == "E53.8" and p == "E53.8")
    assert(drug_dx.supports("J3420", { "D51" }) == true, "the header matches D51.* (validity is another rule)")
    assert(drug_dx.supports("J3420", { "R53.83" }) == false)
    assert(drug_dx.supports("J3420", { "E53.9" }) == false)
    assert(drug_dx.supports("J3420", {}) == false)
    assert(drug_dx.supports("J0696", { "J02.9" }) == nil, "drugs not in the table are not checked")
    local e = drug_dx.entry("J3420")
    assert(e.drug:find("B-12", 1, true) and #e.dx == 2 and e.dx[1] == "D51.*" and e.source ~= "")
    e.dx[1] = "Z99.*"                      -- a copy: the table is unchanged
    assert(drug_dx.entry("J3420").dx[1] == "D51.*")
    assert(drug_dx.entry("J0696") == nil)
    local list = drug_dx.codes()
    assert(#list >= 1 and list[1] == "J3420")
    flag(nil, "drug_dx ok")
  end,
}

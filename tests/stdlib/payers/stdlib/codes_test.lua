local codes = require "codes"

rule {
  id = "test.codes", summary = "stdlib codes", severity = "info",
  check = function()
    for _, c in ipairs({ "99202", "99205", "99211", "99213", "99215" }) do
      assert(codes.is_em_office(c), c .. " is an office E/M")
    end
    for _, c in ipairs({ "99201", "99206", "99210", "99216", "96372", "9921" }) do
      assert(not codes.is_em_office(c), c .. " is not an office E/M")
    end
    assert(codes.is_injection_sc_im("96372"))
    assert(not codes.is_injection_sc_im("96374"))
    assert(codes.is_drug_supply("J0696") and codes.is_drug_supply("J9999") and codes.is_drug_supply("J0100"))
    assert(not codes.is_drug_supply("J0099") and not codes.is_drug_supply("99213") and not codes.is_drug_supply("Q5106"))
    assert(not pcall(function() codes.is_em_office = nil end), "module is read-only")
    flag(nil, "codes ok")
  end,
}

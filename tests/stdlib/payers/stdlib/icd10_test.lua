local icd10 = require "icd10"

rule {
  id = "test.icd10", summary = "stdlib icd10", severity = "info",
  check = function()
    assert(icd10.undot("D51.0") == "D510" and icd10.undot("d510") == "D510" and icd10.undot("Z23") == "Z23")
    assert(icd10.dot("D510") == "D51.0" and icd10.dot("m1711") == "M17.11" and icd10.dot("C61") == "C61")
    assert(icd10.dot("S72.001A") == "S72.001A" and icd10.undot("S72.001A") == "S72001A")
    assert(icd10.dot("QA00101") == "QA0.0101", "FY2026: a letter second (category QA0)")
    for _, bad in ipairs({ "D5", "D51.", "5D1.0", "D-1.0", "D51.0.1", "D5.10", "S72.001AB", "", 510 }) do
      assert(icd10.undot(bad) == nil and icd10.dot(bad) == nil, "not a code: " .. tostring(bad))
    end
    -- prefix patterns
    for _, c in ipairs({ "D51.0", "D510", "D51.9", "D51", "d51.3" }) do
      assert(icd10.matches(c, "D51.*"), c .. " matches D51.*")
      assert(icd10.matches(c, "D51*") and icd10.matches(c, "d51.*") and icd10.matches(c, "D5*"))
    end
    assert(not icd10.matches("D50.9", "D51.*") and not icd10.matches("D5", "D51.*"))
    assert(not icd10.matches("E51.0", "D51.*"))
    -- exact codes, dotted or not
    assert(icd10.matches("E53.8", "E53.8") and icd10.matches("E538", "E53.8") and icd10.matches("E53.8", "E538"))
    assert(not icd10.matches("E53.9", "E53.8") and not icd10.matches("E53", "E53.8"))
    assert(not icd10.matches("E53.81", "E53.8"), "an exact pattern is not a prefix")
    assert(icd10.matches("E53.81", "E53.8*"))
    -- not a code: no match
    assert(not icd10.matches("??", "D51.*") and not icd10.matches(nil, "D51.*"))
    -- malformed patterns raise, naming the pattern
    for _, bad in ipairs({ "*", ".*", "D", "D5", "51.*", "D51.0.1", "D51.**", "D*1" }) do
      local ok, err = pcall(icd10.matches, "D51.0", bad)
      assert(not ok and err:find("is not an ICD-10-CM code or a prefix pattern", 1, true), bad)
    end
    assert(not pcall(icd10.matches, "D51.0", 51))
    assert(icd10.check_pattern("D51.*") == "D51.*" and not pcall(icd10.check_pattern, "D5"))
    assert(icd10.matches_any("D51.0", { "E53.8", "D51.*" }) == "D51.*")
    assert(icd10.matches_any("E53.8", { "E53.8", "D51.*" }) == "E53.8")
    assert(icd10.matches_any("R53.83", { "E53.8", "D51.*" }) == nil)
    flag(nil, "icd10 ok")
  end,
}

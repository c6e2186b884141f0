local modifiers = require "modifiers"

-- Expects the claim of tests/test_stdlib.c: 99213-25 and 96372 on
-- 2026-03-02, J0696 on 2026-03-03.
rule {
  id = "test.modifiers", summary = "stdlib modifiers", severity = "info",
  check = function(claim)
    for _, m in ipairs({ "24", "25", "57", "59", "79", "91", "XE", "XS", "XP", "XU", "E1", "E4",
                         "FA", "F1", "F9", "LT", "RT", "TA", "T9" }) do
      assert(modifiers.is_ncci_bypass(m), m .. " is NCCI-associated")
    end
    for _, m in ipairs({ "26", "TC", "JW", "JZ", "EA", "GA", "E5", "T0", "X", nil }) do
      assert(not modifiers.is_ncci_bypass(m), tostring(m) .. " is not NCCI-associated")
    end
    assert(#modifiers.NCCI_ASSOCIATED == 44 and modifiers.NCCI_ASSOCIATED[1] == "24")
    assert(not pcall(function() modifiers.NCCI_ASSOCIATED[1] = "XX" end), "list is read-only")
    assert(modifiers.is_em_bypass("25") and modifiers.is_em_bypass("57"))
    assert(not modifiers.is_em_bypass("59") and not modifiers.is_em_bypass("XU") and not modifiers.is_em_bypass("24"))
    -- 96372 (col 1) / 99213-25 (col 2): bypassed by 25 on the E/M
    local em, inj, drug = claim.lines[1], claim.lines[2], claim.lines[3]
    local ok, m = modifiers.ptp_bypass(inj, em)
    assert(ok and m == "25")
    -- plain tables work as lines too
    local function L(code, mods) return { code = code, modifiers = mods } end
    assert(not modifiers.ptp_bypass(L("96372", {}), L("99213", { "59" })), "59 on an E/M does not bypass")
    assert(not modifiers.ptp_bypass(L("96372", { "59" }), L("99213", {})), "59 on the other line does not either")
    assert(not modifiers.ptp_bypass(L("96372", {}), L("99213", { "XU", "24" })))
    assert(modifiers.ptp_bypass(L("27447", {}), L("99213", { "57" })))
    -- two procedures: any NCCI-associated modifier on either, but not E/M ones
    assert(modifiers.ptp_bypass(L("20610", {}), L("96372", { "XU" })))
    assert(modifiers.ptp_bypass(L("20610", { "59" }), L("96372", {})))
    assert(not modifiers.ptp_bypass(L("20610", {}), L("96372", { "25" })))
    assert(not modifiers.ptp_bypass(L("20610", { "JW" }), L("96372", { "26" })))
    -- anatomic modifiers: different sites on both lines
    assert(modifiers.is_anatomic("RT") and modifiers.is_anatomic("F9") and not modifiers.is_anatomic("59"))
    assert(not modifiers.ptp_bypass(L("20610", { "RT" }), L("96372", {})), "one side alone says nothing")
    assert(not modifiers.ptp_bypass(L("20610", {}), L("96372", { "LT" })))
    assert(not modifiers.ptp_bypass(L("20610", { "RT" }), L("20611", { "RT" })), "same site")
    local ok2, m2 = modifiers.ptp_bypass(L("20610", { "RT" }), L("20611", { "LT" }))
    assert(ok2 and m2 == "LT", "different sites")
    assert(not modifiers.ptp_bypass(L("11720", { "TA", "T1" }), L("11042", { "T1", "T2" })), "a shared site")
    assert(not modifiers.ptp_bypass(inj, drug))
    flag(nil, "modifiers ok")
  end,
}

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
    assert(modifiers.ptp_bypass(L("27447", {}), L("99213", { "57" }), "090"), "57 against a major surgery")
    assert(not modifiers.ptp_bypass(L("96372", {}), L("99213", { "57" }), "XXX"), "57 against 96372")
    assert(not modifiers.ptp_bypass(L("20610", {}), L("99213", { "57" }), "000"), "57 against a minor procedure")
    assert(not modifiers.ptp_bypass(L("10060", {}), L("99213", { "57" }), "010"))
    assert(modifiers.ptp_bypass(L("0335T", {}), L("99213", { "57" }), "YYY"), "unknown period: accepted")
    assert(modifiers.ptp_bypass(L("0335T", {}), L("99213", { "57" }), nil), "no PFS row: accepted")
    assert(modifiers.ptp_bypass(L("27447", {}), L("99213", { "25" }), "090"), "25 against any code")
    assert(modifiers.allows_57("090") and modifiers.allows_57(nil) and modifiers.allows_57("ZZZ"))
    assert(not modifiers.allows_57("000") and not modifiers.allows_57("010") and not modifiers.allows_57("XXX"))
    assert(modifiers.em_modifier_for("090") == "57" and modifiers.em_modifier_for("000") == "25"
           and modifiers.em_modifier_for(nil) == "25")
    -- the general ophthalmological services are E/M services for 25/57
    assert(modifiers.ptp_case(L("66821", {}), L("92014", {})) == "em_column2")
    assert(modifiers.ptp_bypass(L("66821", {}), L("92014", { "57" }), "090"))
    assert(not modifiers.ptp_bypass(L("66821", { "59" }), L("92014", { "59" }), "090"), "59 on an eye exam")
    -- the E/M in column 1: the procedure modifier on the column 2 code
    assert(modifiers.ptp_case(L("99497", {}), L("G0444", {})) == "em_column1")
    local okc, mc = modifiers.ptp_bypass(L("99497", {}), L("G0444", { "59" }))
    assert(okc and mc == "59")
    assert(modifiers.ptp_bypass(L("99497", {}), L("G0444", { "XU" })))
    assert(modifiers.ptp_bypass(L("99497", { "25" }), L("G0444", {}), "XXX"), "25 on the E/M in column 1")
    assert(not modifiers.ptp_bypass(L("99497", { "57" }), L("G0444", {}), "XXX"), "57 against G0444")
    assert(not modifiers.ptp_bypass(L("99497", {}), L("G0444", { "25" })), "25 on the procedure")
    assert(not modifiers.ptp_bypass(L("99497", { "59" }), L("G0444", {})), "59 on the E/M")
    assert(modifiers.ptp_case(L("99214", {}), L("99213", {})) == "em_both")
    assert(modifiers.ptp_case(L("20610", {}), L("96372", {})) == "procedures")
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
    -- a side and a digit or eyelid on that side may be the same site
    assert(not modifiers.ptp_bypass(L("11750", { "LT" }), L("11730", { "T1" })), "LT and a left toe")
    assert(modifiers.ptp_bypass(L("11750", { "RT" }), L("11730", { "T1" })), "RT and a left toe")
    assert(not modifiers.ptp_bypass(L("67800", { "E3" }), L("67805", { "RT" })), "a right eyelid and RT")
    assert(modifiers.ptp_bypass(L("67800", { "E1" }), L("67805", { "E3" })), "two eyelids")
    assert(modifiers.ptp_bypass(L("26010", { "FA" }), L("26011", { "F5" })), "two thumbs")
    assert(modifiers.ptp_bypass(L("92928", { "LC" }), L("92929", { "RC" })), "two coronary arteries")
    assert(not modifiers.ptp_bypass(L("92928", { "LC" }), L("92929", { "LT" })), "an artery and a side: unknown")
    -- 50 (bilateral) is both sides; a line with RT and LT shares either
    assert(not modifiers.ptp_bypass(L("20611", { "50" }), L("20610", { "RT" })))
    assert(not modifiers.ptp_bypass(L("20611", { "RT", "LT" }), L("20610", { "LT" })))
    assert(not modifiers.ptp_bypass(L("20611", { "50" }), L("20610", {})), "one line alone")
    assert(modifiers.sites_differ(L("x", { "RT" }), L("y", { "LT" })))
    assert(not modifiers.sites_differ(L("x", {}), L("y", { "LT" })))
    assert(not modifiers.ptp_bypass(inj, drug))
    -- edits by the codes' definitions (PTP rationales)
    assert(modifiers.by_definition("HCPCS/CPT procedure code definition"))
    assert(modifiers.by_definition("CPT Manual or CMS manual coding instruction"))
    assert(modifiers.by_definition("Mutually exclusive procedures"))
    assert(not modifiers.by_definition("Standards of medical/surgical practice"))
    assert(not modifiers.by_definition("Misuse of Column Two code with Column One code"))
    assert(not modifiers.by_definition(nil) and not modifiers.by_definition(""))
    local sm = modifiers.site_modifiers(L("20611", { "59", "50", "RT", "JW" }))
    assert(#sm == 2 and sm[1] == "50" and sm[2] == "RT")
    flag(nil, "modifiers ok")
  end,
}

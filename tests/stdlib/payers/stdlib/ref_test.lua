-- ref: the reference-data lookups, on the starter data set (data/starter,
-- releases 2024-07-01, 2024-10-01 and 2025-10-01) that tests run with.
local ref = require "ref"

local D = "2026-03-02"

local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error matching " .. pattern)
  assert(tostring(err):find(pattern, 1, true), "got: " .. tostring(err))
end

rule {
  id = "test.ref", summary = "ref lookups", severity = "info",
  check = function(claim)
    -- PTP: indicator, rationale, deletion; not the reversed pair
    local e = ref.ptp("96372", "99211", D)
    assert(e.indicator == 0 and e.rationale == "Misuse of Column Two code with Column One code")
    assert(e.deleted == nil and e.effective == nil)
    assert(ref.ptp("96372", "99213", D).indicator == 1)
    assert(ref.ptp("99213", "96372", D) == nil)
    e = ref.ptp("96372", "99201", "2020-06-01")
    assert(e.indicator == 1 and e.deleted == "2020-12-31")
    assert(ref.ptp("96372", "99201", "2021-01-01") == nil, "deleted before the date of service")
    assert(ref.ptp("90471", "99211", "2020-06-01").indicator == 0, "the row in force then")
    assert(ref.ptp("90471", "99211", D).indicator == 1, "the row in force now")
    assert(ref.ptp("96372", "99213", "2026-03-02").rationale == "Standards of medical/surgical practice")
    assert(ref.ptp("j9217", "96372", D) == nil, "codes are upper-cased")
    -- the claim's PTP edits at once: 99213-25 and 96372 on 2026-03-02 (the
    -- J0696 line is on another date); column 1 96372, column 2 99213
    local edits = ref.ptp_edits(claim)
    assert(#edits == 1, "edits: " .. #edits)
    assert(rawequal(edits[1].column1, claim.lines[2]) and rawequal(edits[1].column2, claim.lines[1]))
    assert(edits[1].indicator == 1 and edits[1].rationale == "Standards of medical/surgical practice")
    assert(edits[1].effective == nil and edits[1].deleted == nil)
    fails("ref.ptp_edits: the argument must be the claim being checked", ref.ptp_edits, claim.lines)
    fails("ref.ptp_edits: the argument must be the claim being checked", ref.ptp_edits)
    -- MUE
    local m = ref.mue("96372", D)
    assert(m.value == 4 and m.mai == 3 and m.rationale == "Clinical: Data")
    assert(ref.mue("90471", D).mai == 2 and ref.mue("J3471", D).mai == 1)
    assert(ref.mue("J3420", D).value == 1 and ref.mue("99999", D) == nil)
    -- add-on codes
    assert(ref.aoc_type("90472", D) == 1 and ref.aoc_type("20985", D) == 2 and ref.aoc_type("96372", D) == 0)
    assert(ref.aoc_primary("90472", "90471", D) == true and ref.aoc_primary("90472", "G0008", D) == true)
    assert(ref.aoc_primary("90472", "96372", D) == false and ref.aoc_primary("96375", "96374", D) == true)
    -- PFS
    local p = ref.pfs("96372", D)
    assert(p.status == "A" and p.global == "XXX" and p.work_rvu == 0.17)
    assert(p.nonfac_total_rvu == 0.43 and p.nonfac_price == 1431 and p.fac_price == 1431)
    assert(p.conv_factor == 33.2875)
    assert(ref.pfs("96372", D, "") ~= nil and ref.pfs("96372", D, nil) ~= nil)
    assert(ref.pfs("96372", D, "26") == nil)
    local k = ref.pfs("27447", D)
    assert(k.global == "090" and k.fac_price == 128390 and k.work_rvu == 19.6)
    assert(ref.pfs("20610", D).global == "000" and ref.pfs("10060", D).global == "010")
    assert(ref.pfs("J3420", D).status == "E" and ref.pfs("99070", D).status == "B")
    -- ICD-10-CM, dotted or not
    local x = ref.icd10("D51.0", D)
    assert(x.billable == true and x.description == "Vitamin B12 deficiency anemia due to intrinsic factor deficiency")
    assert(ref.icd10("D510", D).billable == true and ref.icd10("d51.0", D) ~= nil)
    assert(ref.icd10("D51", D).billable == false)
    assert(ref.icd10("D51.7", D) == nil)
    -- HCPCS Level II: the 2024 list (sections) in 2024, CMS's October 2025
    -- file (coverage code, add and termination dates) from then on
    local h = ref.hcpcs("J9217", "2024-08-01")
    assert(h.section == "Chemotherapy Drugs" and h.description:find("Leuprolide", 1, true))
    assert(h.cov == nil and h.added == nil)
    assert(ref.hcpcs("J3420", "2024-08-01").section == "Drugs Administered Other Than Oral Method")
    h = ref.hcpcs("J9217", D)
    assert(h.description:find("Leuprolide", 1, true) and h.added == "1991-01-01" and h.terminated == nil)
    assert(ref.hcpcs("G0389", "2025-11-03") == nil, "terminated 2016-12-31")
    assert(ref.hcpcs("J3590", "2025-11-03").cov == "C")
    assert(ref.hcpcs("J0000", D) == nil)
    -- adjustment codes
    assert(ref.carc("97", D).description:find("included in the payment", 1, true))
    assert(ref.rarc("N122", D).description == "Add-on code cannot be billed by itself.")
    assert(ref.rarc("N122", D).start == "2002-09-12" and ref.rarc("N122", D)["end"] == nil)
    assert(ref.group("CO", D).description == "Contractual Obligations")
    assert(ref.carc("999", D) == nil and ref.rarc("N1", D) == nil)
    assert(ref.rarc("N569", "2012-01-01") == nil, "not valid before its start date")
    -- releases: the one whose window holds the date, else the newest on or
    -- before the date, else the oldest
    assert(ref.release("ptp", D) == "2024-07-01" and ref.release("adj", "2000-01-01") == "2024-07-01")
    assert(ref.release("icd10", "2024-09-30") == "2024-07-01" and ref.release("icd10", D) == "2025-10-01")
    assert(ref.release("icd10", "2025-09-30") == "2024-10-01")
    -- windows: the ICD-10-CM fiscal year, the quarter for the others
    local w = ref.window("icd10", D)
    assert(w.release == "2025-10-01" and w.from == "2025-10-01" and w.to == "2026-09-30" and w.covers)
    w = ref.window("hcpcs", D)
    assert(w.release == "2025-10-01" and w.to == "2025-12-31" and w.covers == false)
    assert(ref.covers("icd10", D) and not ref.covers("icd10", "2019-06-03"))
    assert(ref.covers("ptp", "2024-09-30") and not ref.covers("ptp", D))
    -- argument errors
    fails("ref.ptp: column 1 code must be a string, got number", ref.ptp, 96372, "99211", D)
    fails("ref.ptp: column 2 code '9921' is not 5 letters or digits", ref.ptp, "96372", "9921", D)
    fails("ref.ptp: the date of service must be a string, got nil", ref.ptp, "96372", "99211")
    fails("ref.mue: '2026-02-30' is not a date (YYYY-MM-DD)", ref.mue, "96372", "2026-02-30")
    fails("ref.pfs: modifier '2' is not 2 letters or digits", ref.pfs, "96372", D, "2")
    fails("ref.icd10: ICD-10-CM code 'D5' is not 3 to 8 letters or digits (and a dot)", ref.icd10, "D5", D)
    fails("ref.icd10: ICD-10-CM code must be a string, got table", ref.icd10, {}, D)
    fails("ref.release: unknown table 'nosuch'", ref.release, "nosuch", D)
    fails("ref.window: unknown table 'cpt'", ref.window, "cpt", D)
    fails("ref.covers: '2026-13-01' is not a date (YYYY-MM-DD)", ref.covers, "icd10", "2026-13-01")
    fails("ref.carc: reason code 'ABCDEF' is not 1 to 5 letters or digits", ref.carc, "ABCDEF", D)
    -- the module is read-only
    assert(not pcall(function() ref.ptp = nil end))
    flag(nil, "ref ok")
  end,
}

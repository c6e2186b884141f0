-- Code validity on the date of service: ICD-10-CM diagnoses (in the code
-- set, and billable: a header such as D51 is not), HCPCS Level II codes (in
-- the code set; CPT codes are not in the data set and are not checked),
-- and Physician Fee Schedule status codes Medicare does not pay separately.
-- Codes: CO-16 MA130 for invalid codes (the claim is unprocessable), CO-234
-- N19 for bundled codes (PFS status B, P); non-covered services (status N)
-- get CO-96 N130, which billing-rules.md does not list: they come from the
-- X12 code list (x12_carc_rarc_group_codes.csv).
--
-- "Not in the code set" is only a denial when the release consulted is
-- meant for the date of service (ref.covers: its validity window holds the
-- date; docs/data.md).  Outside the window the data set cannot say -- a
-- code may be new since, or retired since -- so the finding is `review`
-- (cms.valid.icd10_outside_data, cms.valid.hcpcs_outside_data), naming the
-- release and its window.
local ref = require "ref"
local codes = require "codes"

local function at(line)
  return line.code .. " (line " .. line.number .. ")"
end

-- For diagnosis number k (1-based): the lines pointing at it, in order.
local function pointing(claim, k)
  local out = {}
  for _, l in ipairs(claim.lines) do
    for _, p in ipairs(l.diagnosis_pointers) do
      if p == k then out[#out + 1] = l; break end
    end
  end
  return out
end

local function earliest_date(claim)
  local d
  for _, l in ipairs(claim.lines) do
    if not d or l.service_date < d then d = l.service_date end
  end
  return d
end

local function total(list)
  local sum = 0
  for _, l in ipairs(list) do sum = sum + (l.charge or 0) end
  return sum
end

-- The claim's diagnoses that are not billable ICD-10-CM codes on their
-- date (the first pointing line's, or the claim's first date of service
-- when no line points at it): {dx, lines, date, entry (nil when not in the
-- code set), covered (the release consulted covers the date)}, looked up
-- once per claim for the three diagnosis rules.
local memo_dx_claim, memo_dx
local function dx_problems(claim)
  if memo_dx_claim == claim then return memo_dx end
  local out = {}
  for k, dx in ipairs(claim.diagnoses) do
    local ls = pointing(claim, k)
    local date = ls[1] and ls[1].service_date or earliest_date(claim)
    local entry = ref.icd10(dx, date)
    if not entry or not entry.billable then
      out[#out + 1] = { dx = dx, lines = ls, date = date, entry = entry,
                        covered = ref.covers("icd10", date) }
    end
  end
  memo_dx_claim, memo_dx = claim, out
  return out
end

-- Run fn(dx, lines, date, entry) for every problem diagnosis whose entry
-- satisfies pred(entry) and whose release covers its date (covered) or not.
local function each_diagnosis(claim, covered, pred, fn)
  for _, p in ipairs(dx_problems(claim)) do
    if p.covered == covered and pred(p.entry) then fn(p.dx, p.lines, p.date, p.entry) end
  end
end

-- Flag a diagnosis problem on the first line pointing at the diagnosis
-- (money: those lines), or on the claim when none does (money: the claim).
local function flag_dx(claim, ls, msg)
  if #ls > 0 then
    flag(ls[1], msg, { lines = ls, amount = total(ls) })
  else
    flag(nil, msg, { amount = total(claim.lines) })
  end
end

-- "ICD-10-CM release 2024-07-01, valid 2023-10-01..2024-09-30": the
-- release table t (ref name) uses on date.
local function release_text(t, label, date)
  local w = ref.window(t, date)
  return label .. " release " .. w.release .. ", valid " .. w.from .. ".." .. w.to
end

-- "ICD-10-CM release 2024-07-01, valid 2023-10-01..2024-09-30, which does
-- not cover the date of service 2026-03-02 (the data set is older than the
-- claim)": why the release used for table t on date cannot decide.
local function outside_text(t, label, date)
  local w = ref.window(t, date)
  return label .. " release " .. w.release .. ", valid " .. w.from .. ".." .. w.to
         .. ", which does not cover the date of service " .. date .. " (the data set is "
         .. (date > w.to and "older" or "newer") .. " than the claim)"
end

local function used_by(ls)
  if #ls == 0 then return "no line points at it" end
  local n = {}
  for i, l in ipairs(ls) do n[i] = tostring(l.number) end
  return "used by line" .. (#ls > 1 and "s " or " ") .. table.concat(n, ", ")
end

rule {
  id = "cms.valid.icd10_unknown",
  summary = "A diagnosis that is not an ICD-10-CM code on the date of service",
  severity = "deny", group = "CO", carc = "16", rarc = "MA130",
  applies_to = { icd10 = true },
  check = function(claim)
    each_diagnosis(claim, true, function(e) return e == nil end, function(dx, ls, date)
      flag_dx(claim, ls, "diagnosis " .. dx .. " (" .. used_by(ls) .. ") is not in the ICD-10-CM "
                         .. "code set in force on " .. date .. " ("
                         .. release_text("icd10", "ICD-10-CM", date) .. ")")
    end)
  end,
}

rule {
  id = "cms.valid.icd10_not_billable",
  summary = "A diagnosis that is an ICD-10-CM category header, not a billable (complete) code",
  severity = "deny", group = "CO", carc = "16", rarc = "MA130",
  applies_to = { icd10 = true },
  check = function(claim)
    each_diagnosis(claim, true, function(e) return e ~= nil end, function(dx, ls, date, e)
      flag_dx(claim, ls, "diagnosis " .. dx .. " (" .. e.description .. "; " .. used_by(ls)
                         .. ") is a category, not a billable ICD-10-CM code on " .. date
                         .. ": code it to the highest specificity ("
                         .. release_text("icd10", "ICD-10-CM", date) .. ")")
    end)
  end,
}

rule {
  id = "cms.valid.icd10_outside_data",
  summary = "A diagnosis the ICD-10-CM code set lacks, or holds as a category, in a release "
         .. "that is not meant for the date of service: the data cannot decide",
  severity = "review",
  applies_to = { icd10 = true },
  check = function(claim)
    each_diagnosis(claim, false, function() return true end, function(dx, ls, date, e)
      local what = e and "is a category, not billable, in " or "is not in the code set of "
      flag_dx(claim, ls, "diagnosis " .. dx .. " (" .. used_by(ls) .. ") " .. what
                         .. outside_text("icd10", "ICD-10-CM", date)
                         .. ": check the code against the code set in force on that date")
    end)
  end,
}

-- The lines whose HCPCS Level II code is not valid on their date, each
-- {line, covered (the release used is meant for the date)}, looked up once
-- per claim for the two HCPCS rules; fn(line, covered) for each.
local memo_hcpcs_claim, memo_hcpcs
local function each_unknown_hcpcs(claim, fn)
  if memo_hcpcs_claim ~= claim then
    local out = {}
    for _, l in ipairs(claim.lines) do
      if codes.is_hcpcs_level2(l.code) and not ref.hcpcs(l.code, l.service_date) then
        out[#out + 1] = { line = l, covered = ref.covers("hcpcs", l.service_date) }
      end
    end
    memo_hcpcs_claim, memo_hcpcs = claim, out
  end
  for _, u in ipairs(memo_hcpcs) do fn(u.line, u.covered) end
end

rule {
  id = "cms.valid.hcpcs_unknown",
  summary = "A HCPCS Level II code (starting with a letter) that is not in the HCPCS code set "
         .. "on the date of service",
  severity = "deny", group = "CO", carc = "16", rarc = "MA130",
  applies_to = { hcpcs = true },
  check = function(claim)
    each_unknown_hcpcs(claim, function(l, cover)
      if cover then
        flag(l, at(l) .. " is not a HCPCS Level II code on " .. l.service_date .. " ("
                .. release_text("hcpcs", "HCPCS", l.service_date) .. ")")
      end
    end)
  end,
}

rule {
  id = "cms.valid.hcpcs_outside_data",
  summary = "A HCPCS Level II code the code set lacks in a release that is not meant for the "
         .. "date of service: the data cannot decide",
  severity = "review",
  applies_to = { hcpcs = true },
  check = function(claim)
    each_unknown_hcpcs(claim, function(l, cover)
      if not cover then
        flag(l, at(l) .. " is not a valid HCPCS Level II code in "
                .. outside_text("hcpcs", "HCPCS", l.service_date)
                .. ": check the code against the code set in force on that date")
      end
    end)
  end,
}

-- PFS status codes Medicare does not pay separately, with what to say and
-- the codes to report.  Other statuses (A, R, T, C, ...) are paid under the
-- PFS, and E and X are paid outside it (drugs, vaccines, lab): no finding.
local NOT_PAID = {
  B = { text = "bundled: payment is always included in other services", carc = "234", rarc = "N19" },
  P = { text = "bundled or excluded: no separate payment", carc = "234", rarc = "N19" },
  I = { text = "not valid for Medicare purposes: Medicare uses another code", carc = "16", rarc = "MA130" },
  N = { text = "a non-covered service", carc = "96", rarc = "N130" },
}

rule {
  id = "cms.valid.pfs_status",
  summary = "A code whose Physician Fee Schedule status Medicare does not pay separately "
         .. "(B, P bundled; I not valid for Medicare; N non-covered)",
  severity = "deny", group = "CO", carc = "234", rarc = "N19",
  applies_to = { pfs_status = { "B", "P", "I", "N" } },
  check = function(claim)
    for _, l in ipairs(claim.lines) do
      local p = ref.pfs(l.code, l.service_date)
      local why = p and NOT_PAID[p.status]
      if why then
        flag(l, at(l) .. " on " .. l.service_date .. " has PFS status " .. p.status .. ", "
                .. why.text, { carc = why.carc, rarc = why.rarc })
      end
    end
  end,
}

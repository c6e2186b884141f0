-- CPT 96372, therapeutic, prophylactic or diagnostic injection (SC or IM):
-- the billing errors of the 96372 article (2026), with the facts checked
-- in billing-rules.md.  The same-day office visit edits are NCCI PTP edits
-- (cms.ncci.ptp); global surgery is in global.lua.
local ref = require "ref"
local codes = require "codes"
local drug_dx = require "drug_dx"

local function at(line)
  return line.code .. " (line " .. line.number .. ")"
end

local function is_96372(code) return codes.is_injection_sc_im(code) end

-- The claim's 96372 lines, each with what else is billed on its date (the
-- other lines only), in line order:
--   { line = the 96372 line, any_drug = a drug or vaccine product,
--     plain_drug = a drug that is neither vaccine nor chemotherapy,
--     vaccine = the first vaccine product line, chemo = the first
--     chemotherapy drug line, vaccine_admin = an immunization
--     administration, chemo_admin = a chemotherapy administration }
-- Worked out once per claim for the rules below: the memo is a local of
-- the script, which the engine puts back to nil before the next claim.
local memo_claim, memo_injections
local function injections(claim)
  if memo_claim == claim then return memo_injections end
  local out, all = {}, claim.lines
  for _, inj in ipairs(all) do
    if is_96372(inj.code) then
      local e, date, n = { line = inj }, inj.service_date, inj.number
      for _, l in ipairs(all) do
        if l.number ~= n and l.service_date == date then
          local code = l.code
          local vaccine, chemo = codes.is_vaccine_product(code), codes.is_chemo_drug(code)
          local drug = codes.is_drug(code)
          e.any_drug = e.any_drug or drug or vaccine
          e.plain_drug = e.plain_drug or (drug and not chemo and not vaccine)
          e.vaccine = e.vaccine or (vaccine and l) or nil
          e.chemo = e.chemo or (chemo and l) or nil
          e.vaccine_admin = e.vaccine_admin or codes.is_vaccine_admin(code)
          e.chemo_admin = e.chemo_admin or codes.is_chemo_admin(code)
        end
      end
      out[#out + 1] = e
    end
  end
  memo_claim, memo_injections = claim, out
  return out
end

-- The other lines on line's date whose code satisfies pred.
local function same_day(claim, line, pred)
  local out = {}
  for _, l in ipairs(claim.lines) do
    if l.number ~= line.number and l.service_date == line.service_date and pred(l.code) then
      out[#out + 1] = l
    end
  end
  return out
end

-- The HCPCS description of a drug code, for messages ("" when unknown).
local function described(line)
  local h = codes.is_hcpcs_level2(line.code) and ref.hcpcs(line.code, line.service_date)
  return h and h.description and (", " .. h.description) or ""
end

rule {
  id = "cms.inj.missing_drug",
  summary = "96372 billed without a drug supply code (HCPCS J-code) on the same date",
  severity = "deny", group = "CO", carc = "16", rarc = "MA130",
  applies_to = { codes = codes.INJECTION_SC_IM },
  check = function(claim)
    for _, e in ipairs(injections(claim)) do
      local inj = e.line
      if not e.any_drug then
        flag(inj, at(inj) .. " on " .. inj.service_date .. " has no drug supply code on that date: "
                  .. "96372 pays only the act of injecting; bill the drug given (its HCPCS J-code) "
                  .. "on its own line")
      end
    end
  end,
}

rule {
  id = "cms.inj.iv_route",
  summary = "96372 documented as given intravenously: an IV push is 96374",
  severity = "deny", group = "CO", carc = "16", rarc = "MA130",
  applies_to = { codes = codes.INJECTION_SC_IM },
  check = function(claim)
    for _, e in ipairs(injections(claim)) do
      local inj = e.line
      local route = inj.route
      if route and route:sub(1, 2) == "IV" then
        flag(inj, at(inj) .. " on " .. inj.service_date .. " is documented with route " .. route
                  .. ": 96372 covers subcutaneous and intramuscular injections only; an IV push is 96374",
             { fix = { action = "replace_code", line = inj, code = "96374" } })
      end
    end
  end,
}

rule {
  id = "cms.inj.vaccine",
  summary = "96372 used to administer a vaccine: vaccine administration is 90471-90474, "
         .. "for Medicare flu/pneumococcal/hepatitis B G0008/G0009/G0010",
  severity = "deny", group = "CO", carc = "16", rarc = "MA130",
  applies_to = { codes = codes.INJECTION_SC_IM },
  check = function(claim)
    for _, e in ipairs(injections(claim)) do
      -- 96372 may be for another drug given the same day, and the vaccine
      -- may have its own administration line
      if e.vaccine and not e.plain_drug and not e.vaccine_admin then
        local inj, v = e.line, e.vaccine
        local admin = codes.vaccine_admin_for(v.code)
        local kind = codes.vaccine_kind(v.code)
        local why = kind and (admin .. " (Medicare Part B " .. kind:gsub("_", " ")
                              .. " vaccine administration)") or admin
        flag(inj, at(inj) .. " on " .. inj.service_date .. " administers the vaccine " .. at(v)
                  .. ": 96372 is not for vaccines; bill " .. why,
             { lines = { inj, v }, fix = { action = "replace_code", line = inj, code = admin } })
      end
    end
  end,
}

rule {
  id = "cms.inj.chemo",
  summary = "96372 used to administer a chemotherapy drug (J9000-J9999): use 96401 "
         .. "(non-hormonal) or 96402 (hormonal anti-neoplastic)",
  severity = "deny", group = "CO", carc = "16", rarc = "MA130",
  applies_to = { codes = codes.INJECTION_SC_IM },
  check = function(claim)
    for _, e in ipairs(injections(claim)) do
      if e.chemo and not e.plain_drug and not e.chemo_admin then
        local inj, d = e.line, e.chemo
        local admin = codes.is_hormonal_antineoplastic(d.code) and "96402" or "96401"
        flag(inj, at(inj) .. " on " .. inj.service_date .. " administers the chemotherapy drug "
                  .. at(d) .. described(d) .. ": anti-neoplastic SC/IM administration is "
                  .. admin .. (admin == "96402" and " (hormonal)" or " (non-hormonal)")
                  .. ", not 96372",
             { lines = { inj, d }, fix = { action = "replace_code", line = inj, code = admin } })
      end
    end
  end,
}

-- documentation.supervision values that meet the incident-to rule
local DIRECT = { direct = true, personal = true }

rule {
  id = "cms.inj.supervision",
  summary = "Documentation says an injection was not under direct supervision "
         .. "(incident-to requires it: Medicare Benefit Policy Manual ch. 15 sec. 60)",
  severity = "review", group = "CO", carc = "16", rarc = "MA130",
  applies_to = { codes = codes.INJECTION_SC_IM },
  check = function(claim)
    local s = claim.documentation.supervision
    if s == nil or DIRECT[s:lower()] then return end
    for _, e in ipairs(injections(claim)) do
      local inj = e.line
      flag(inj, "documentation gives supervision '" .. s .. "' for " .. at(inj) .. " on "
                .. inj.service_date .. ": an injection by a nurse or assistant is covered "
                .. "incident-to only under the direct supervision of a physician in the office "
                .. "suite; check the record")
    end
  end,
}

rule {
  id = "cms.inj.diagnosis",
  summary = "The drug's linked diagnoses do not support it (drug-to-diagnosis table, stdlib/drug_dx.lua)",
  severity = "deny", group = "CO", carc = "11", rarc = "N569",
  applies_to = { codes = drug_dx.codes() },
  check = function(claim)
    for _, d in ipairs(claim.lines) do
      if drug_dx.supports(d.code, d.diagnoses) == false then
        local e = drug_dx.entry(d.code)
        local linked = {}
        for i, dx in ipairs(d.diagnoses) do linked[i] = dx end
        local admins = same_day(claim, d, codes.is_drug_admin)
        local related, amount = { d }, d.charge or 0
        for _, a in ipairs(admins) do
          related[#related + 1] = a
          amount = amount + (a.charge or 0)
        end
        flag(d, at(d) .. " on " .. d.service_date .. " (" .. e.drug .. ") is linked to "
                .. (#linked > 0 and table.concat(linked, ", ") or "no diagnosis")
                .. "; it is covered for " .. table.concat(e.dx, ", ")
                .. (#admins > 0 and "; its administration is denied with it" or ""),
             { lines = related, amount = #admins > 0 and amount or nil })
      end
    end
  end,
}

-- Erythropoiesis-stimulating agents (ESA) for non-ESRD patients (anemia of
-- chronic kidney disease not on dialysis, chemotherapy, ...): J0881
-- darbepoetin alfa (Aranesp), J0885 epoetin alfa (Procrit/Epogen), Q5106
-- epoetin alfa-epbx (Retacrit).  Each line must carry exactly one of EA
-- (anemia from chemotherapy), EB (from radiotherapy) or EC (neither), and
-- the most recent hemoglobin (R1) or hematocrit (R2), 837P loop 2400 MEA.
-- Missing modifier: CO-16 MA130; more than one: CO-16 MA130 N63; missing
-- Hb/Hct: CO-16 MA130 N764.  Source: CMS CR 5699 / MM5699, effective
-- 2008-01-01, as Palmetto GBA publishes it (billing-rules.md).  A finding
-- carries one remark code: the specific one, with MA130 in the message.
local codes = require "codes"

local ESA_MODIFIERS = { EA = true, EB = true, EC = true }

local function at(line)
  return line.code .. " (line " .. line.number .. ")"
end

-- The ESA modifiers on the line, in order.
local function esa_modifiers(line)
  local out = {}
  for _, m in ipairs(line.modifiers) do
    if ESA_MODIFIERS[m] then out[#out + 1] = m end
  end
  return out
end

local function has_hb_or_hct(line)
  for _, m in ipairs(line.measurements) do
    if m.type == "R1" or m.type == "R2" then return true end
  end
  return false
end

local UNPROCESSABLE = " (MA130: the claim is returned as unprocessable; correct it and submit a new claim)"

rule {
  id = "cms.esa.modifier_missing",
  summary = "A non-ESRD ESA line (J0881, J0885, Q5106) without EA, EB or EC",
  severity = "deny", group = "CO", carc = "16", rarc = "MA130",
  applies_to = { codes = codes.ESA_NON_ESRD },
  effective = { from = "2008-01-01" },
  check = function(claim)
    for _, l in ipairs(claim.lines) do
      if codes.is_esa_non_esrd(l.code) and #esa_modifiers(l) == 0 then
        flag(l, at(l) .. " on " .. l.service_date .. " is a non-ESRD ESA without EA (anemia from "
                .. "chemotherapy), EB (from radiotherapy) or EC (neither)" .. UNPROCESSABLE)
      end
    end
  end,
}

rule {
  id = "cms.esa.modifier_multiple",
  summary = "A non-ESRD ESA line carrying more than one of EA, EB, EC",
  severity = "deny", group = "CO", carc = "16", rarc = "N63",
  applies_to = { codes = codes.ESA_NON_ESRD },
  effective = { from = "2008-01-01" },
  check = function(claim)
    for _, l in ipairs(claim.lines) do
      local mods = codes.is_esa_non_esrd(l.code) and esa_modifiers(l) or {}
      if #mods > 1 then
        flag(l, at(l) .. " on " .. l.service_date .. " carries " .. table.concat(mods, " and ")
                .. ": exactly one of EA, EB, EC is allowed; rebill on separate lines (N63)"
                .. UNPROCESSABLE)
      end
    end
  end,
}

rule {
  id = "cms.esa.hb_missing",
  summary = "A non-ESRD ESA line without the most recent hemoglobin (R1) or hematocrit (R2)",
  severity = "deny", group = "CO", carc = "16", rarc = "N764",
  applies_to = { codes = codes.ESA_NON_ESRD },
  effective = { from = "2008-01-01" },
  check = function(claim)
    for _, l in ipairs(claim.lines) do
      if codes.is_esa_non_esrd(l.code) and not has_hb_or_hct(l) then
        flag(l, at(l) .. " on " .. l.service_date .. " has no hemoglobin (R1) or hematocrit (R2) "
                .. "measurement: report the most recent value on the line (loop 2400 MEA)"
                .. UNPROCESSABLE)
      end
    end
  end,
}

-- modifiers: procedure modifiers and NCCI procedure-to-procedure bypasses.
-- Source: billing-rules.md (NCCI PTP section), from the NCCI Policy Manual.
local codes = require "codes"

local M = {}

local set = codes.set_of

-- NCCI-associated modifiers: the only ones that can bypass a PTP edit with
-- modifier indicator 1.
local NCCI = { "24", "25", "27", "57", "58", "59", "78", "79", "91",
               "XE", "XS", "XP", "XU", "E1", "E2", "E3", "E4",
               "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9",
               "LC", "LD", "LM", "LT", "RC", "RI", "RT",
               "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9" }
local NCCI_SET = set(NCCI)

-- On an E/M code only 25 (significant, separately identifiable E/M) or 57
-- (decision for surgery) bypass an edit; 59 and XE/XS/XP/XU describe
-- services other than E/M.
local EM_BYPASS = set { "25", "57" }
-- Modifiers that describe an E/M service; they never bypass an edit
-- between two procedures.
local EM_ONLY = set { "24", "25", "57" }
-- Anatomic modifiers: they bypass an edit only when the two lines name
-- different sites (20610-RT with 20610-LT), not when one line has one.
local ANATOMIC = set { "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7",
                       "F8", "F9", "LC", "LD", "LM", "LT", "RC", "RI", "RT",
                       "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9" }

--- The NCCI-associated modifiers, in the order of the NCCI manual.
M.NCCI_ASSOCIATED = NCCI

--- True when mod is an NCCI-associated modifier.
function M.is_ncci_bypass(mod)
  return NCCI_SET[mod] == true
end

--- True when mod bypasses an edit on an E/M code: 25 or 57.
function M.is_em_bypass(mod)
  return EM_BYPASS[mod] == true
end

--- True when mod is an anatomic NCCI-associated modifier (E1-E4, FA,
--- F1-F9, LC, LD, LM, LT, RC, RI, RT, TA, T1-T9).
function M.is_anatomic(mod)
  return ANATOMIC[mod] == true
end

local function anatomic_of(line)
  local out = {}
  for _, m in ipairs(line.modifiers) do
    if ANATOMIC[m] then out[m] = true end
  end
  return out
end

--- Whether a PTP edit with modifier indicator 1 between the lines col1 and
--- col2 is bypassed by their modifiers.  When either code is an E/M, the
--- E/M line must carry 25 or 57.  Between two procedures, either line may
--- carry 27, 58, 59, 78, 79, 91, XE, XS, XP or XU; anatomic modifiers
--- bypass when both lines carry them and they name different sites.
--- Returns true and the modifier, or false.
function M.ptp_bypass(col1, col2)
  local em1, em2 = codes.is_em(col1.code), codes.is_em(col2.code)
  if em1 or em2 then
    for _, line in ipairs({ col2, col1 }) do
      if codes.is_em(line.code) then
        for _, m in ipairs(line.modifiers) do
          if EM_BYPASS[m] then return true, m end
        end
      end
    end
    return false
  end
  for _, line in ipairs({ col2, col1 }) do
    for _, m in ipairs(line.modifiers) do
      if NCCI_SET[m] and not EM_ONLY[m] and not ANATOMIC[m] then return true, m end
    end
  end
  local a1, a2 = anatomic_of(col1), anatomic_of(col2)
  local any1, shared = false, false
  for m in pairs(a1) do
    any1 = true
    if a2[m] then shared = true end
  end
  for m in pairs(a2) do
    if any1 and not shared then return true, m end
  end
  return false
end

return M

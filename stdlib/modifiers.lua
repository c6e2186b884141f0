-- modifiers: procedure modifiers and NCCI procedure-to-procedure bypasses.
-- Sources: docs/medicare.md ("NCCI procedure-to-procedure edits"), from the
-- NCCI Policy Manual for Medicare Services ch. I, CMS CR 11168 and the
-- Claims Processing Manual ch. 12 section 30.6.6.  Pure: no data access.
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

-- On an E/M service only 25 (significant, separately identifiable E/M) or
-- 57 (decision for surgery) bypass an edit; Medicare processes 59 and
-- XE/XS/XP/XU on an E/M as if they were absent.
local EM_BYPASS = set { "25", "57" }
-- Modifiers that describe an E/M service; they never bypass an edit
-- between two procedures.
local EM_ONLY = set { "24", "25", "57" }
-- Global periods (PFS) that say a code is not a major surgery: minor
-- procedures (000, 010) and codes the global concept does not apply to.
local NOT_MAJOR = set { "000", "010", "XXX" }

-- Anatomic modifiers and the site each names: side "L"/"R" for the side,
-- eyelid, finger and toe modifiers; coronary arteries have no side.
local SITE = {
  LT = { side = "L", whole = true }, RT = { side = "R", whole = true },
  E1 = { side = "L" }, E2 = { side = "L" }, E3 = { side = "R" }, E4 = { side = "R" },
  FA = { side = "L" }, F1 = { side = "L" }, F2 = { side = "L" }, F3 = { side = "L" },
  F4 = { side = "L" }, F5 = { side = "R" }, F6 = { side = "R" }, F7 = { side = "R" },
  F8 = { side = "R" }, F9 = { side = "R" },
  TA = { side = "L" }, T1 = { side = "L" }, T2 = { side = "L" }, T3 = { side = "L" },
  T4 = { side = "L" }, T5 = { side = "R" }, T6 = { side = "R" }, T7 = { side = "R" },
  T8 = { side = "R" }, T9 = { side = "R" },
  LC = { coronary = true }, LD = { coronary = true }, LM = { coronary = true },
  RC = { coronary = true }, RI = { coronary = true },
}

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
  return SITE[mod] ~= nil
end

--- The modifier of the procedure kind on a line (27, 58, 59, 78, 79, 91,
--- XE, XS, XP, XU): NCCI-associated, neither E/M nor anatomic.
local function procedure_bypass(line)
  for _, m in ipairs(line.modifiers) do
    if NCCI_SET[m] and not EM_ONLY[m] and not SITE[m] then return m end
  end
  return nil
end

-- The sites a line names: its anatomic modifiers, and 50 (bilateral) as
-- both sides.
local function sites_of(line)
  local out = {}
  for _, m in ipairs(line.modifiers) do
    if SITE[m] then out[#out + 1] = m
    elseif m == "50" then out[#out + 1] = "LT"; out[#out + 1] = "RT" end
  end
  return out
end

-- Whether two anatomic modifiers may name the same site: the same
-- modifier; a side (LT/RT) and anything on that side; a side and a
-- coronary artery (they cannot be told apart).
local function overlap(a, b)
  if a == b then return true end
  local x, y = SITE[a], SITE[b]
  if x.coronary or y.coronary then
    return not (x.coronary and y.coronary)
  end
  return (x.whole or y.whole) and x.side == y.side
end

--- Whether the anatomic modifiers of lines a and b show different sites:
--- both lines name a site (anatomic modifiers, 50 as both sides) and no
--- site of one may be a site of the other.  Returns true and a modifier of
--- b, or false.
function M.sites_differ(a, b)
  local sa, sb = sites_of(a), sites_of(b)
  if #sa == 0 or #sb == 0 then return false end
  for _, x in ipairs(sa) do
    for _, y in ipairs(sb) do
      if overlap(x, y) then return false end
    end
  end
  return true, sb[1]
end

-- PTP rationales (CMS's PTP table) of edits that rest on the codes'
-- definitions: one code's definition includes the other, a CPT or CMS
-- coding instruction forbids the pair, or the two are mutually exclusive.
local BY_DEFINITION = set { "HCPCS/CPT procedure code definition",
                            "CPT Manual or CMS manual coding instruction",
                            "Mutually exclusive procedures" }

--- True when a PTP edit's rationale says it rests on the codes'
--- definitions, so that a distinct-service modifier (59, XE, XS, XP, XU)
--- is no routine way out of it (NCCI Policy Manual ch. I).
function M.by_definition(rationale)
  return BY_DEFINITION[rationale] == true
end

--- The anatomic modifiers of a line, and 50 (bilateral), in line order.
function M.site_modifiers(line)
  local out = {}
  for _, m in ipairs(line.modifiers) do
    if SITE[m] or m == "50" then out[#out + 1] = m end
  end
  return out
end

--- The kind of an edit between col1 and col2, for its bypass:
--- "em_column2" (the column 2 code is an E/M service, the column 1 code
--- not: the E/M is the one denied), "em_column1" (the reverse),
--- "em_both", or "procedures".  E/M services are codes.EM_SERVICE.
function M.ptp_case(col1, col2)
  local em1, em2 = codes.is_em_service(col1.code), codes.is_em_service(col2.code)
  if em1 and em2 then return "em_both" end
  if em2 then return "em_column2" end
  if em1 then return "em_column1" end
  return "procedures"
end

--- Whether modifier 57 (decision for surgery) can bypass an edit against a
--- code of PFS global period `global`: only a major (090-day) surgery.  An
--- unknown period (nil, YYY, MMM, ZZZ) does not rule it out.
function M.allows_57(global)
  return not NOT_MAJOR[global]
end

--- The E/M modifier that applies against a code of PFS global period
--- `global`: "57" for a major (090-day) surgery, else "25".
function M.em_modifier_for(global)
  return global == "090" and "57" or "25"
end

--- Whether a PTP edit with modifier indicator 1 between the lines col1 and
--- col2 is bypassed by their modifiers.  `global` is the PFS global period
--- of the code that is not an E/M service, when the other one is (nil when
--- unknown).
---  * E/M in column 2 (the E/M is denied): 25 on the E/M, or 57 when
---    `global` allows it; nothing on the other code.
---  * E/M in column 1, a procedure in column 2: 27, 58, 59, 78, 79, 91 or
---    XE/XS/XP/XU on the procedure, or 25 (57 as above) on the E/M.
---  * two E/M services: 25 or 57 on either.
---  * two procedures: 27, 58, 59, 78, 79, 91 or XE/XS/XP/XU on either line,
---    or anatomic modifiers on both lines that show different sites.
--- Returns true and the modifier, or false.
function M.ptp_bypass(col1, col2, global)
  local case = M.ptp_case(col1, col2)
  if case == "em_column2" then
    for _, m in ipairs(col2.modifiers) do
      if m == "25" or (m == "57" and M.allows_57(global)) then return true, m end
    end
    return false
  elseif case == "em_column1" then
    local m = procedure_bypass(col2)
    if m then return true, m end
    for _, x in ipairs(col1.modifiers) do
      if x == "25" or (x == "57" and M.allows_57(global)) then return true, x end
    end
    return false
  elseif case == "em_both" then
    for _, line in ipairs({ col2, col1 }) do
      for _, m in ipairs(line.modifiers) do
        if EM_BYPASS[m] then return true, m end
      end
    end
    return false
  end
  local m = procedure_bypass(col2) or procedure_bypass(col1)
  if m then return true, m end
  return M.sites_differ(col1, col2)
end

return M

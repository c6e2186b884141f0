-- Global surgery within one claim.  A procedure's global period comes from
-- the Physician Fee Schedule (ref.pfs(...).global): 000 = the day of the
-- procedure, 010 = that day and the 10 days after, 090 = the day before,
-- the day of and the 90 days after (a major surgery).  Visits and related
-- services inside it are part of the surgical package unless a modifier
-- says otherwise: 57 decision for surgery (090, day before or day of), 25
-- significant, separately identifiable E/M (000/010, same day), 24
-- unrelated E/M and 79 unrelated procedure in the post-operative period.
-- Source: Medicare Claims Processing Manual ch. 12 sec. 40; billing-rules.md.
local ref = require "ref"
local codes = require "codes"
local dates = require "dates"
local lines = require "lines"

local GLOBAL_DAYS = { ["000"] = 0, ["010"] = 10, ["090"] = 90 }

local function at(line)
  return line.code .. " (line " .. line.number .. ")"
end

-- The claim's procedures with a 000, 010 or 090 global period, in line
-- order: { line = ..., global = "090", days = 90 }.  Computed once per
-- claim for the three rules: the memo is a local of the script, which the
-- engine puts back to nil before the next claim.
local memo_claim, memo_ops
local function surgeries(claim)
  if memo_claim == claim then return memo_ops end
  local out = {}
  for _, l in ipairs(claim.lines) do
    local p = not codes.is_em(l.code) and ref.pfs(l.code, l.service_date)
    if p and GLOBAL_DAYS[p.global] then
      out[#out + 1] = { line = l, global = p.global, days = GLOBAL_DAYS[p.global] }
    end
  end
  memo_claim, memo_ops = claim, out
  return out
end

rule {
  id = "cms.global.em_major_surgery",
  summary = "An E/M on the day of, or the day before, a 090-day surgery without modifier 57 "
         .. "(decision for surgery)",
  severity = "deny", group = "CO", carc = "97", rarc = "M144",
  applies_to = { codes = codes.EM, pfs_global = { "090" } },
  check = function(claim)
    local ops = surgeries(claim)
    for _, em in ipairs(claim.lines) do
      if codes.is_em(em.code) and not lines.has_modifier(em, "57") then
        for _, s in ipairs(ops) do
          local before = dates.diff(em.service_date, s.line.service_date)
          if s.global == "090" and (before == 0 or before == 1) then
            flag(em, at(em) .. " on " .. em.service_date .. " is "
                     .. (before == 0 and "the day of" or "the day before") .. " the major surgery "
                     .. at(s.line) .. " (090-day global period): the visit is part of the surgery "
                     .. "unless it was the decision for surgery, modifier 57",
                 { lines = { s.line, em }, fix = { action = "add_modifier", line = em, modifier = "57" } })
            break
          end
        end
      end
    end
  end,
}

rule {
  id = "cms.global.em_minor_surgery",
  summary = "An E/M on the day of a 000- or 010-day procedure without modifier 25",
  severity = "deny", group = "CO", carc = "97", rarc = "M144",
  applies_to = { codes = codes.EM, pfs_global = { "000", "010" } },
  check = function(claim)
    local ops = surgeries(claim)
    for _, em in ipairs(claim.lines) do
      if codes.is_em(em.code) and not lines.has_modifier(em, "25") then
        for _, s in ipairs(ops) do
          if s.global ~= "090" and s.line.service_date == em.service_date then
            flag(em, at(em) .. " on " .. em.service_date .. " is the day of the minor procedure "
                     .. at(s.line) .. " (" .. s.global .. "-day global period): the visit is part "
                     .. "of the procedure unless it is significant and separately identifiable, "
                     .. "modifier 25",
                 { lines = { s.line, em }, fix = { action = "add_modifier", line = em, modifier = "25" } })
            break
          end
        end
      end
    end
  end,
}

rule {
  id = "cms.global.postop",
  summary = "An E/M or injection after a 010/090-day surgery inside its global period "
         .. "without 24 (unrelated E/M) or 79 (unrelated procedure)",
  severity = "deny", group = "CO", carc = "97", rarc = "M144",
  applies_to = { pfs_global = { "010", "090" } },
  check = function(claim)
    local ops = surgeries(claim)
    for _, x in ipairs(claim.lines) do
      local is_em = codes.is_em(x.code)
      local mod = is_em and "24" or "79"
      if (is_em or codes.is_drug_admin(x.code)) and not lines.has_modifier(x, mod) then
        for _, s in ipairs(ops) do
          local after = dates.diff(s.line.service_date, x.service_date)
          if after >= 1 and after <= s.days then
            flag(x, at(x) .. " on " .. x.service_date .. " is " .. after .. " day"
                    .. (after == 1 and "" or "s") .. " after the surgery " .. at(s.line) .. " on "
                    .. s.line.service_date .. ", inside its " .. s.days .. "-day global period: "
                    .. "post-operative care is part of the surgery; if unrelated, modifier " .. mod
                    .. (is_em and " (unrelated E/M)" or " (unrelated procedure)"),
                 { lines = { s.line, x }, fix = { action = "add_modifier", line = x, modifier = mod } })
            break
          end
        end
      end
    end
  end,
}

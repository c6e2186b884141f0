-- National Correct Coding Initiative edits for practitioners: procedure-to-
-- procedure (PTP) pairs, Medically Unlikely Edits (MUE) and add-on codes
-- (AOC).  The edits themselves are CMS's files in the reference data set
-- (ref.ptp, ref.mue, ref.aoc_*); this script applies them to a claim.
-- Policy: NCCI Policy Manual for Medicare Services, ch. I; billing-rules.md.
local ref = require "ref"
local codes = require "codes"
local modifiers = require "modifiers"

-- ", rationale" when the edit gives one.
local function why(r)
  return r and r ~= "" and ("; " .. r) or ""
end

local function at(line)
  return line.code .. " (line " .. line.number .. ")"
end

local function numbers(list)
  local out = {}
  for i, l in ipairs(list) do out[i] = tostring(l.number) end
  return table.concat(out, ", ")
end

-- The line's modifiers that are NCCI-associated but cannot bypass an E/M
-- edit (59, XE, XS, XP, XU, ...), for the message.
local function non_em_bypass(line)
  for _, m in ipairs(line.modifiers) do
    if modifiers.is_ncci_bypass(m) and not modifiers.is_em_bypass(m) then return m end
  end
  return nil
end

rule {
  id = "cms.ncci.ptp",
  summary = "Two codes on the same date with an active NCCI PTP edit: the column 2 code is not paid "
         .. "(indicator 0), or only with an NCCI-associated modifier (indicator 1)",
  severity = "deny", group = "CO", carc = "97", rarc = "M15",
  applies_to = { ptp = true },
  check = function(claim)
    -- every pair of lines on one date with an edit in force, by column 2 line
    for _, e in ipairs(ref.ptp_edits(claim)) do
      local col1, col2 = e.column1, e.column2
      local date = col2.service_date
      if e.indicator == 0 or (e.indicator == 1 and not modifiers.ptp_bypass(col1, col2)) then
        local edit = "NCCI PTP edit " .. col1.code .. "/" .. col2.code .. " (modifier indicator "
                     .. e.indicator .. why(e.rationale) .. ")"
        local msg, fix
        if e.indicator == 0 then
          msg = at(col2) .. " is not paid with " .. at(col1) .. " on " .. date .. ": " .. edit
                .. "; no modifier bypasses it"
          fix = { action = "remove_line", line = col2 }
        else
          local em = codes.is_em(col2.code) and col2 or codes.is_em(col1.code) and col1 or nil
          msg = at(col2) .. " is bundled into " .. at(col1) .. " on " .. date .. ": " .. edit
          if em then
            -- 57 marks the decision for a major (090-day) surgery, 25 any
            -- other significant, separately identifiable E/M.
            local other = em == col2 and col1 or col2
            local pfs = ref.pfs(other.code, date)
            local mod = pfs and pfs.global == "090" and "57" or "25"
            msg = msg .. "; only modifier " .. mod .. " on the E/M " .. at(em) .. " bypasses it"
            local wrong = non_em_bypass(em)
            if wrong then
              msg = msg .. " (" .. wrong .. " describes a service other than an E/M and does not)"
            end
            fix = { action = "add_modifier", line = em, modifier = mod }
          else
            msg = msg .. "; unless the services are distinct and an NCCI-associated modifier "
                  .. "(59, XE, XS, XP, XU, ...) documents it"
          end
        end
        flag(col2, msg, { lines = { col1, col2 }, fix = fix })
      end
    end
  end,
}

local MAI_TEXT = {
  [1] = "MAI 1: per line",
  [2] = "MAI 2: per day, policy",
  [3] = "MAI 3: per day, clinical",
}

rule {
  id = "cms.ncci.mue",
  summary = "Units of a code over its Medically Unlikely Edit: per line (MAI 1) or summed over "
         .. "the lines of the same date (MAI 2 and 3)",
  severity = "deny", group = "CO", carc = "151", rarc = "N362",
  applies_to = { mue = true },
  check = function(claim)
    -- the lines of each code and date, in line order
    local groups, order = {}, {}
    for _, l in ipairs(claim.lines) do
      local k = l.code .. " " .. l.service_date
      if not groups[k] then groups[k] = {}; order[#order + 1] = k end
      table.insert(groups[k], l)
    end
    for _, k in ipairs(order) do
      local g = groups[k]
      local code, date = g[1].code, g[1].service_date
      local m = ref.mue(code, date)
      local mai = m and (MAI_TEXT[m.mai] or ("MAI " .. m.mai))
      if m and m.mai == 1 then
        for _, l in ipairs(g) do
          if l.units > m.value then
            flag(l, code .. " on " .. date .. ": " .. l.units .. " units on line " .. l.number
                    .. " exceed the MUE of " .. m.value .. " (" .. mai .. why(m.rationale) .. ")",
                 { fix = m.value > 0 and { action = "set_units", line = l, units = m.value }
                         or { action = "remove_line", line = l } })
          end
        end
      elseif m then
        local units, amount = 0, 0
        for _, l in ipairs(g) do
          units = units + l.units
          amount = amount + (l.charge or 0)
        end
        if units > m.value then
          local last = g[#g]
          local others = units - last.units
          local where = #g > 1 and ("lines " .. numbers(g) .. " together") or ("line " .. last.number)
          flag(last, code .. " on " .. date .. ": " .. units .. " units on " .. where
                     .. " exceed the MUE of " .. m.value .. " (" .. mai .. why(m.rationale) .. ")",
               { lines = #g > 1 and g or nil, amount = #g > 1 and amount or nil,
                 fix = others < m.value and { action = "set_units", line = last, units = m.value - others }
                       or { action = "remove_line", line = last } })
        end
      end
    end
  end,
}

rule {
  id = "cms.ncci.aoc",
  summary = "A type 1 add-on code without one of its primary codes on the same date",
  severity = "deny", group = "CO", carc = "B15", rarc = "N122",
  applies_to = { aoc = true },
  check = function(claim)
    for _, addon in ipairs(claim.lines) do
      local date = addon.service_date
      if ref.aoc_type(addon.code, date) == 1 then
        local found = false
        for _, p in ipairs(claim.lines) do
          if p.number ~= addon.number and p.service_date == date
              and ref.aoc_primary(addon.code, p.code, date) then
            found = true
            break
          end
        end
        if not found then
          flag(addon, at(addon) .. " is an add-on code (NCCI AOC edit type 1) billed on " .. date
                      .. " without any of its primary codes on that date; an add-on code cannot "
                      .. "be billed by itself")
        end
      end
    end
  end,
}

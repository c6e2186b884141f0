-- National Correct Coding Initiative edits for practitioners: procedure-to-
-- procedure (PTP) pairs, Medically Unlikely Edits (MUE) and add-on codes
-- (AOC).  The edits themselves are CMS's files in the reference data set
-- (ref.ptp, ref.mue, ref.aoc_*); this script applies them to a claim.
-- Policy: NCCI Policy Manual for Medicare Services, ch. I; billing-rules.md.
local ref = require "ref"
local modifiers = require "modifiers"
local dates = require "dates"
local lines = require "lines"

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

-- The line's modifiers that are NCCI-associated, not E/M modifiers and so
-- cannot bypass an E/M edit (59, XE, XS, XP, XU, ...), for the message.
local function non_em_bypass(line)
  for _, m in ipairs(line.modifiers) do
    if modifiers.is_ncci_bypass(m) and not modifiers.is_em_bypass(m) and m ~= "24" then return m end
  end
  return nil
end

-- How a procedure edit (no E/M denied) can be bypassed, for the message.
-- which: " (the modifiers that would, and where)".
local function procedure_way_out(e, col1, col2, which)
  if modifiers.by_definition(e.rationale) then
    return "; the edit rests on the codes' definitions (" .. e.rationale .. "): report the code "
           .. "that describes the service; a distinct-service modifier is only for services "
           .. "that were really separate (another encounter or site), as the record shows"
  end
  local text = "; unless the services are distinct and an NCCI-associated modifier" .. which
               .. " documents it"
  local s1, s2 = modifiers.site_modifiers(col1), modifiers.site_modifiers(col2)
  if #s1 > 0 and #s2 > 0 then
    text = text .. " (" .. table.concat(s1, "/") .. " and " .. table.concat(s2, "/")
           .. " may name the same site)"
  end
  return text
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
      local case = modifiers.ptp_case(col1, col2)
      -- the global period of the code that is not an E/M, when the other
      -- one is and 25 does not settle it (57 depends on it, and so does
      -- the fix)
      local global
      local em_line = case == "em_column2" and col2 or case == "em_column1" and col1 or nil
      if e.indicator == 1 and em_line and not lines.has_modifier(em_line, "25") then
        local pfs = ref.pfs((em_line == col2 and col1 or col2).code, date)
        global = pfs and pfs.global or nil
      end
      if e.indicator == 0 or (e.indicator == 1 and not modifiers.ptp_bypass(col1, col2, global)) then
        local edit = "NCCI PTP edit " .. col1.code .. "/" .. col2.code .. " (modifier indicator "
                     .. e.indicator .. why(e.rationale) .. ")"
        local msg, fix
        if e.indicator == 0 then
          msg = at(col2) .. " is not paid with " .. at(col1) .. " on " .. date .. ": " .. edit
                .. "; no modifier bypasses it"
          fix = { action = "remove_line", line = col2 }
        else
          msg = at(col2) .. " is bundled into " .. at(col1) .. " on " .. date .. ": " .. edit
          if case == "em_column2" or case == "em_both" then
            -- 57 marks the decision for a major (090-day) surgery, 25 any
            -- other significant, separately identifiable E/M.
            local em = col2
            local mod = case == "em_column2" and modifiers.em_modifier_for(global) or "25"
            if mod == "57" then
              msg = msg .. "; modifier 57 (the decision for this surgery) or 25 (a separate E/M) on the E/M "
                    .. at(em) .. " bypasses it"
            else
              msg = msg .. "; only modifier 25 on the E/M " .. at(em) .. " bypasses it"
            end
            local wrong = non_em_bypass(em)
            if lines.has_modifier(em, "57") then
              msg = msg .. " (57, decision for surgery, applies only against a major (090-day) surgery; "
                    .. col1.code .. " has global period " .. tostring(global) .. ")"
            elseif lines.has_modifier(em, "24") then
              -- 24 is an E/M modifier, for the postoperative period
              msg = msg .. " (24 marks an E/M unrelated to a surgery in its postoperative period, "
                    .. "not one on the day of the procedure, and does not)"
            elseif wrong then
              msg = msg .. " (" .. wrong .. " describes a service other than an E/M and does not)"
            end
            fix = { action = "add_modifier", line = em, modifier = mod }
          elseif case == "em_column1" then
            msg = msg .. procedure_way_out(e, col1, col2, " (59, XE, XS, XP or XU on " .. at(col2)
                                           .. ", or 25 on the E/M " .. at(col1) .. ")")
            if lines.has_modifier(col1, "57") then
              msg = msg .. " (57, decision for surgery, applies only against a major (090-day) "
                    .. "surgery; " .. col2.code .. " has global period " .. tostring(global) .. ")"
            end
          else
            msg = msg .. procedure_way_out(e, col1, col2, " (59, XE, XS, XP, XU, ...)")
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

-- What an MUE of 0 means, by the MUE's rationale (CMS's MUE table); the
-- default is CMS policy for this provider type.
local ZERO_WHY = {
  ["Oral Medication; Not Payable"] = "an oral medication, not payable on a practitioner claim",
  ["Drug discontinued"] = "the drug is discontinued",
  ["Compounded Drug Policy"] = "CMS's compounded drug policy; a compounded drug is billed as J7999, "
                               .. "compounded drug, not otherwise classified",
}

-- The number of days of a line: 1, or the days of its from-to range.
local function days_of(l)
  return l.service_date_to and dates.diff(l.service_date, l.service_date_to) + 1 or 1
end

-- "on 2026-03-02" or "from 2026-03-02 to 2026-03-08 (7 days)".
local function when(l)
  if not l.service_date_to then return "on " .. l.service_date end
  return "from " .. l.service_date .. " to " .. l.service_date_to .. " (" .. days_of(l) .. " days)"
end

-- An MUE of 0: the code is not payable for this provider type, whatever
-- the units.
local function flag_zero(l, m)
  flag(l, l.code .. " " .. when(l) .. " on line " .. l.number .. " is not payable on a practitioner "
          .. "claim: its practitioner MUE is 0 units (" .. (ZERO_WHY[m.rationale] or ("MUE rationale: "
          .. (m.rationale ~= "" and m.rationale or "CMS policy"))) .. ")",
       { fix = { action = "remove_line", line = l } })
end

-- One line over its own limit: MAI 1, or any line with a date range, whose
-- units can be compared only with the MUE times its days.
local function check_line(l, m, mai)
  local days = days_of(l)
  local limit = m.value * days
  if l.units <= limit then return end
  local of = days > 1 and (m.value .. " a day, " .. limit .. " over the range") or tostring(m.value)
  flag(l, l.code .. " " .. when(l) .. ": " .. l.units .. " units on line " .. l.number
          .. " exceed the MUE of " .. of .. " (" .. mai .. why(m.rationale) .. ")",
       { fix = { action = "set_units", line = l, units = limit } })
end

rule {
  id = "cms.ncci.mue",
  summary = "Units of a code over its Medically Unlikely Edit: per line (MAI 1) or summed over "
         .. "the lines of the same date (MAI 2 and 3, every line denied); an MUE of 0 is not payable",
  severity = "deny", group = "CO", carc = "151", rarc = "N362",
  applies_to = { mue = true },
  check = function(claim)
    -- the one-day lines of each code and date, in line order; a line with a
    -- date range is checked by itself against the MUE times its days
    local groups, order = {}, {}
    for _, l in ipairs(claim.lines) do
      local k = l.service_date_to and ("#" .. l.number) or (l.code .. " " .. l.service_date)
      if not groups[k] then groups[k] = {}; order[#order + 1] = k end
      table.insert(groups[k], l)
    end
    for _, k in ipairs(order) do
      local g = groups[k]
      local code, date = g[1].code, g[1].service_date
      local m = ref.mue(code, date)
      local mai = m and (MAI_TEXT[m.mai] or ("MAI " .. m.mai))
      if m and m.value == 0 then
        for _, l in ipairs(g) do flag_zero(l, m) end
      elseif m and (m.mai == 1 or g[1].service_date_to) then
        for _, l in ipairs(g) do check_line(l, m, mai) end
      elseif m then
        -- a date-of-service edit: all units of the code that day are denied,
        -- so every line of it carries the finding, each with its own charge
        local units = 0
        for _, l in ipairs(g) do units = units + l.units end
        if units > m.value then
          local where = #g > 1 and ("lines " .. numbers(g) .. " together") or ("line " .. g[1].number)
          local left = m.value
          for _, l in ipairs(g) do
            local keep = math.min(l.units, left)
            left = left - keep
            local msg = code .. " on " .. date .. ": " .. units .. " units on " .. where
                        .. " exceed the MUE of " .. m.value .. " (" .. mai .. why(m.rationale)
                        .. "); a date-of-service edit denies every unit of the code that day"
            local fix
            if keep < l.units then
              fix = keep > 0 and { action = "set_units", line = l, units = keep }
                    or { action = "remove_line", line = l }
            else
              msg = msg .. " (line " .. l.number .. " is within the MUE once the others are corrected)"
            end
            flag(l, msg, { lines = #g > 1 and g or nil, fix = fix })
          end
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

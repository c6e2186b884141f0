-- Injection policy of the commercial-strict payer (an example contract).
local codes = require "codes"
local lines = require "lines"

-- Injection and infusion administration: 96360-96379.
local function is_inj_or_infusion(code)
  return code >= "96360" and code <= "96379"
end

rule {
  id = "strict.inj.bundled_with_visit",
  summary = "96372 is included in a same-day office visit, modifier 25 or not",
  severity = "deny", group = "CO", carc = "97", rarc = "M15",
  applies_to = { codes = codes.INJECTION_SC_IM },
  check = function(claim)
    for _, inj in ipairs(claim.lines) do
      if inj.code == "96372" then
        local hit, em = lines.any_on(claim, inj.service_date, codes.is_em_office)
        if hit then
          flag(inj, "96372 (line " .. inj.number .. ") is included in the office visit " .. em.code
                   .. " (line " .. em.number .. ") on " .. inj.service_date
                   .. ": this payer does not pay it separately, modifier 25 or not",
               { lines = { em, inj }, fix = { action = "remove_line", line = inj } })
        end
      end
    end
  end,
}

rule {
  id = "strict.visit.99211_with_admin",
  summary = "99211 is not paid with any injection or infusion on the same day",
  severity = "deny", group = "CO", carc = "97", rarc = "M15",
  applies_to = { codes = { "99211" } },
  check = function(claim)
    for _, em in ipairs(claim.lines) do
      if em.code == "99211" then
        local hit, adm = lines.any_on(claim, em.service_date, is_inj_or_infusion)
        if hit then
          flag(em, "99211 (line " .. em.number .. ") is not paid with the administration "
                   .. adm.code .. " (line " .. adm.number .. ") on " .. em.service_date,
               { lines = { adm, em }, fix = { action = "remove_line", line = em } })
        end
      end
    end
  end,
}

rule {
  id = "strict.inj.modifier_59",
  summary = "Injection lines take XS or XU, not plain 59, to show a distinct injection",
  severity = "deny", group = "CO", carc = "4", rarc = "M78",
  applies_to = { codes = { "96360-96379" } },
  check = function(claim)
    for _, l in ipairs(claim.lines) do
      if is_inj_or_infusion(l.code) and lines.has_modifier(l, "59") then
        flag(l, l.code .. " (line " .. l.number .. ") carries modifier 59: this payer accepts XS "
                .. "(separate structure) or XU (unusual non-overlapping service) instead",
             { fix = { action = "remove_modifier", line = l, modifier = "59" } })
      end
    end
  end,
}

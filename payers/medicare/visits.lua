-- Office visits billed with an injection on the same day.
-- Source: NCCI practitioner PTP edits 2024-07-01 (96372/99202-99205 and
-- 96372/99212-99215 modifier indicator 1; 96372/99211 indicator 0);
-- CMS CR 3631 for 99211.
local codes = require "codes"
local lines = require "lines"

rule {
  id = "cms.visit.em_injection_needs_25",
  summary = "An office E/M billed with 96372 on the same day needs modifier 25 on the E/M",
  severity = "deny", group = "CO", carc = "97", rarc = "M15",
  check = function(claim)
    for _, em in ipairs(claim.lines) do
      if codes.is_em_office(em.code) and em.code ~= "99211"
          and not lines.has_modifier(em, "25") then
        local hit, inj = lines.any_on(claim, em.service_date, codes.is_injection_sc_im)
        if hit then
          flag(em, em.code .. " is bundled into " .. inj.code .. " on " .. em.service_date
                   .. " unless modifier 25 is on the E/M",
               { lines = { inj, em },
                 fix = { action = "add_modifier", line = em, modifier = "25" } })
        end
      end
    end
  end,
}

rule {
  id = "cms.visit.99211_with_injection",
  summary = "99211 is not paid with 96372 on the same day, modifier 25 or not",
  severity = "deny", group = "CO", carc = "97", rarc = "M15",
  check = function(claim)
    for _, em in ipairs(claim.lines) do
      if em.code == "99211" then
        local hit, inj = lines.any_on(claim, em.service_date, codes.is_injection_sc_im)
        if hit then
          flag(em, "99211 is not paid with " .. inj.code .. " on " .. em.service_date
                   .. ", with or without modifier 25",
               { lines = { inj, em }, fix = { action = "remove_line", line = em } })
        end
      end
    end
  end,
}

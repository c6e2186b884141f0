 local codeset = require "codeset"
local drugs = codeset.of { "J0100-J9999", "q5101-Q5199", ["90471"] = true }
rule { id = "f.c", summary = "codeset", severity = "info",
  check = function(claim)
    for _, l in ipairs(claim.lines) do if drugs(l.code) or codeset.of({ l.code })(l.code) then flag(l, "drug") end end
  end }

Blocal codes = require "codes"
local ref = require "ref"
rule { id = "f.a", summary = "s", severity = "deny", applies_to = { codes = { "99213", "J3400-J3499", "q5106" } },
  check = function(claim) for _, e in ipairs(ref.ptp_edits(claim)) do flag(e.column2, "ptp") end end }
rule { id = "f.b", summary = "s", severity = "warn", applies_to = { codes = codes.EM, ptp = true, mue = true },
  check = function(claim) flag(nil, "b") end }
rule { id = "f.c", summary = "s", severity = "info", applies_to = { aoc = true, icd10 = true, hcpcs = true },
  check = function(claim) flag(nil, "c") end }
rule { id = "f.d", summary = "s", severity = "info", applies_to = { pfs_status = { "A", "B" }, pfs_global = { "XXX", "090" } },
  check = function(claim) flag(claim.lines[1], "d") end }

-- A private payer stricter than CMS on injections: it bundles 96372 into a
-- same-day office visit whatever the modifier, pays 99211 with no injection
-- or infusion at all, and accepts XS/XU but not plain 59 on injection
-- lines.  CMS's rules (medicare) run first.
payer {
  id = "commercial-strict",
  name = "Example commercial payer that bundles injections into visits",
  extends = "medicare",
  scripts = { "injections.lua" },
}

rule { id = "m.r", summary = "s", severity = "deny", check = function() end }
payer { id = "f" }

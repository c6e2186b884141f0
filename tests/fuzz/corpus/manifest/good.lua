payer { id = "f", name = "fuzz", scripts = { "r.lua" }, waive = { ["x.y"] = "no" }, severity = { ["x.z"] = "warn" } }

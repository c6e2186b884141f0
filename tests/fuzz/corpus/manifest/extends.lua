payer { id = "f", name = "fuzz", extends = "f", scripts = { "r.lua", "r.lua" } }

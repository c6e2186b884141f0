-- Self-tests of the stdlib modules, run inside the sandbox by
-- tests/test_stdlib.c.  Each rule asserts, then flags "<module> ok".
payer {
  id = "stdlib",
  name = "stdlib self-tests",
  scripts = { "codeset_test.lua", "codes_test.lua", "lines_test.lua", "icd10_test.lua", "modifiers_test.lua",
              "drug_dx_test.lua", "dates_test.lua", "ref_test.lua" },
}

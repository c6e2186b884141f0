local dates = require "dates"

rule {
  id = "test.dates", summary = "stdlib dates", severity = "info",
  check = function()
    assert(dates.days("1970-01-01") == 0 and dates.days("1970-01-02") == 1)
    assert(dates.days("1969-12-31") == -1 and dates.days("2000-03-01") == 11017)
    assert(dates.diff("2026-01-05", "2026-04-05") == 90)
    assert(dates.diff("2026-01-05", "2026-01-04") == -1 and dates.diff("2026-03-02", "2026-03-02") == 0)
    assert(dates.diff("2024-02-28", "2024-03-01") == 2, "2024 is a leap year")
    assert(dates.diff("2100-02-28", "2100-03-01") == 1, "2100 is not")
    assert(dates.add("2026-01-05", 90) == "2026-04-05" and dates.add("2026-01-01", -1) == "2025-12-31")
    assert(dates.add("2024-02-28", 1) == "2024-02-29" and dates.add("2000-02-28", 1) == "2000-02-29")
    for _, bad in ipairs({ "2026-02-29", "2026-13-01", "2026-00-10", "2026-1-5", "20260105", "", 5 }) do
      local ok, err = pcall(dates.days, bad)
      assert(not ok and err:find("is not a YYYY-MM-DD date", 1, true), tostring(bad))
    end
    assert(not pcall(dates.add, "2026-01-01", 1.5))
    flag(nil, "dates ok")
  end,
}

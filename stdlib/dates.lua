-- dates: arithmetic on "YYYY-MM-DD" dates as claims give them (proleptic
-- Gregorian calendar).  Pure.  Dates compare correctly as strings; these
-- functions are for distances ("within 90 days after the surgery").
local M = {}

-- Days since 1970-01-01 of y-m-d (H. Hinnant's days_from_civil).
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = (153 * mp + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = (z >= 0 and z or z - 146096) // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  if m <= 2 then y = y + 1 end
  return y, m, d
end

local MDAYS = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

local function parse(s, level)
  local y, m, d
  if type(s) == "string" then
    y, m, d = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  local leap = y and (y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0))
  if not y or m < 1 or m > 12 or d < 1
      or d > (m == 2 and leap and 29 or MDAYS[m]) then
    error("dates: '" .. tostring(s) .. "' is not a YYYY-MM-DD date", level + 1)
  end
  return y, m, d
end

--- Days since 1970-01-01 (negative before).  Raises on a malformed date.
function M.days(date)
  return days_from_civil(parse(date, 2))
end

--- Days from date a to date b: positive when b is later.
function M.diff(a, b)
  return days_from_civil(parse(b, 2)) - days_from_civil(parse(a, 2))
end

--- The date n days after date (before, when n is negative).
function M.add(date, n)
  if math.type(n) ~= "integer" then
    error("dates.add: the number of days must be an integer", 2)
  end
  local y, m, d = civil_from_days(days_from_civil(parse(date, 2)) + n)
  return string.format("%04d-%02d-%02d", y, m, d)
end

return M

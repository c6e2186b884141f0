-- icd10: ICD-10-CM code strings and code patterns.  Pure: no data set, no
-- claim access (ref.icd10 looks codes up in the code set).
--
-- A pattern is a code, dotted or not ("E53.8", "E538"), matching exactly
-- that code, or a prefix followed by "*" ("D51.*", "D51*", "D5*"), matching
-- every code that starts with it.  Dots and letter case never matter:
-- "D51.*" matches "D51.0", "D510", "D51.9" and "D51" itself.
local M = {}

-- A code's letters and digits, upper case, or nil when it is not a code
-- (3 to 7 characters: a letter, a digit or -- since FY2026's category QA0
-- -- a letter, then letters or digits; one dot allowed after the third).
local function strip(code)
  if type(code) ~= "string" or #code < 3 or #code > 8 then return nil end
  local s = code:upper()
  local head, tail = s:match("^(%w%w%w)%.?(%w*)$")
  if not head or (s:find(".", 1, true) and tail == "") then return nil end
  s = head .. tail
  if not s:match("^%a%w") or #s > 7 then return nil end
  return s
end

--- The code without its dot, upper case ("d51.0" -> "D510"); nil when
--- code is not an ICD-10-CM code string.
function M.undot(code)
  return strip(code)
end

--- The code in dotted form ("D510" -> "D51.0", "D51" -> "D51"); nil when
--- code is not an ICD-10-CM code string.
function M.dot(code)
  local s = strip(code)
  if not s then return nil end
  if #s == 3 then return s end
  return s:sub(1, 3) .. "." .. s:sub(4)
end

-- pattern -> prefix (undotted), is_prefix; raises on a malformed pattern.
local function parse(pattern, level)
  if type(pattern) ~= "string" then
    error("icd10: a pattern must be a string, got " .. type(pattern), level + 1)
  end
  local body, star = pattern:match("^([^*]*)(%*?)$")
  local wild = star == "*"
  if wild then body = body:gsub("%.$", "") end
  local s = body and body:upper():gsub("%.", "")
  if not body or s == "" or not s:match("^%a[%d%w]*$") or #s > 7
      or (not wild and not strip(body)) then
    error("icd10: '" .. pattern .. "' is not an ICD-10-CM code or a prefix pattern like 'D51.*'", level + 1)
  end
  return s, wild
end

--- Raise an error when pattern is malformed (for tables of patterns that
--- are checked when they are loaded); returns the pattern.
function M.check_pattern(pattern)
  parse(pattern, 2)
  return pattern
end

--- True when code matches pattern (see above).  A code that is not an
--- ICD-10-CM code string matches nothing; a malformed pattern raises.
function M.matches(code, pattern)
  local p, wild = parse(pattern, 2)
  local c = strip(code)
  if not c then return false end
  if wild then return c:sub(1, #p) == p end
  return c == p
end

--- The first pattern of the list that code matches, or nil.
function M.matches_any(code, patterns)
  for _, p in ipairs(patterns) do
    if M.matches(code, p) then return p end
  end
  return nil
end

return M

-- lines: helpers over claim lines.  Pure functions of their arguments.
local M = {}

--- True when the line carries modifier m (a 2-character string).
function M.has_modifier(line, m)
  for _, x in ipairs(line.modifiers) do
    if x == m then return true end
  end
  return false
end

--- The lines of claim whose code satisfies pred, in line order.
function M.select(claim, pred)
  local out = {}
  for _, line in ipairs(claim.lines) do
    if pred(line.code) then out[#out + 1] = line end
  end
  return out
end

--- True when the claim has a line on date whose code satisfies pred.
function M.any_on(claim, date, pred)
  for _, line in ipairs(claim.lines) do
    if line.service_date == date and pred(line.code) then return true, line end
  end
  return false
end

return M

-- codes: code-set membership for procedure codes (CPT / HCPCS Level II).
-- Every function takes a normalised 5-character code string and returns a
-- boolean.  Pure: no state, no claim access.
local M = {}

local function in_range(code, lo, hi)
  return #code == 5 and code >= lo and code <= hi
end

--- Office or other outpatient E/M visit: 99202-99205 (new), 99211-99215
--- (established).
function M.is_em_office(code)
  return in_range(code, "99202", "99205") or in_range(code, "99211", "99215")
end

--- Therapeutic, prophylactic or diagnostic injection, SC or IM.
function M.is_injection_sc_im(code)
  return code == "96372"
end

--- HCPCS Level II drug supply code (J0100-J8499, J9000-J9999 chemotherapy).
function M.is_drug_supply(code)
  return in_range(code, "J0100", "J9999")
end

return M

-- codes: code-set membership for procedure codes (CPT / HCPCS Level II).
-- Every function takes a normalised 5-character code string and returns a
-- boolean.  Pure: no state, no claim access.  Sets are tables, so a test is
-- one lookup.
local M = {}

local function set(list)
  local s = {}
  for _, v in ipairs(list) do s[v] = true end
  return s
end

local EM_OFFICE = set { "99202", "99203", "99204", "99205",
                        "99211", "99212", "99213", "99214", "99215" }
local INJECTION_SC_IM = set { "96372" }

--- Office or other outpatient E/M visit: 99202-99205 (new), 99211-99215
--- (established).
function M.is_em_office(code)
  return EM_OFFICE[code] == true
end

--- Therapeutic, prophylactic or diagnostic injection, SC or IM.
function M.is_injection_sc_im(code)
  return INJECTION_SC_IM[code] == true
end

--- HCPCS Level II drug supply code (J0100-J8499, J9000-J9999 chemotherapy).
function M.is_drug_supply(code)
  return #code == 5 and code >= "J0100" and code <= "J9999"
end

return M

-- codes: code-set membership for procedure codes (CPT / HCPCS Level II).
-- Every function takes a normalised 5-character code string and returns a
-- boolean.  Pure: no state, no claim access.  Sets are tables, so a test is
-- one lookup; ranges compare strings (all codes have 5 characters).
local M = {}

--- A set of the strings in list: set[x] is true for each of them.  For
--- fast membership tests in rules and modules.
function M.set_of(list)
  local s = {}
  for _, v in ipairs(list) do s[v] = true end
  return s
end
local set = M.set_of

local function in_range(code, lo, hi)
  return type(code) == "string" and #code == 5 and code >= lo and code <= hi
end

local EM_OFFICE = set { "99202", "99203", "99204", "99205",
                        "99211", "99212", "99213", "99214", "99215" }
local INJECTION_SC_IM = set { "96372" }

-- Non-ESRD erythropoiesis-stimulating agents (billing-rules.md, ESA):
-- darbepoetin alfa J0881, epoetin alfa J0885, epoetin alfa-epbx Q5106.
local ESA_NON_ESRD = set { "J0881", "J0885", "Q5106" }

-- Hormonal anti-neoplastics among the chemotherapy drug codes (GnRH
-- agonists/antagonists, estrogen-receptor antagonist; names from the HCPCS
-- 2024 descriptions): J9155 degarelix, J9202 goserelin, J9217/J9218
-- leuprolide acetate, J9395 fulvestrant.  Given SC/IM they are administered
-- with 96402, other anti-neoplastics with 96401.
local HORMONAL_ANTINEOPLASTIC = set { "J9155", "J9202", "J9217", "J9218", "J9395" }

-- Vaccine product codes Medicare Part B covers with its own administration
-- codes (CMS MLN booklet "Medicare Part B Immunization Billing"): influenza
-- (administered with G0008), pneumococcal (G0009), hepatitis B (G0010).
-- Influenza also has HCPCS products Q2034-Q2039 (HCPCS 2024 descriptions).
local FLU_VACCINE = set { "90630", "90653", "90654", "90655", "90656", "90657",
                          "90658", "90660", "90661", "90662", "90664", "90666",
                          "90667", "90668", "90672", "90673", "90674", "90682",
                          "90685", "90686", "90687", "90688", "90689", "90694",
                          "90756", "Q2034", "Q2035", "Q2036", "Q2037", "Q2038",
                          "Q2039" }
local PNEUMO_VACCINE = set { "90670", "90671", "90677", "90732" }
local HEPB_VACCINE = set { "90739", "90740", "90743", "90744", "90746", "90747", "90759" }

-- Immunization administration: 90460/90461 (with counselling), 90471-90474,
-- and Medicare's G0008 (influenza), G0009 (pneumococcal), G0010 (hepatitis B).
local VACCINE_ADMIN = set { "90460", "90461", "90471", "90472", "90473", "90474",
                            "G0008", "G0009", "G0010" }

--- Office or other outpatient E/M visit: 99202-99205 (new), 99211-99215
--- (established).
function M.is_em_office(code)
  return EM_OFFICE[code] == true
end

--- Any evaluation and management service: the CPT E/M section 99201-99499
--- (99201 was deleted in 2021; older claims still carry it).
function M.is_em(code)
  return in_range(code, "99201", "99499")
end

--- Therapeutic, prophylactic or diagnostic injection, SC or IM.
function M.is_injection_sc_im(code)
  return INJECTION_SC_IM[code] == true
end

--- Drug administration: hydration, therapeutic/prophylactic/diagnostic
--- injections and infusions (96360-96379) and chemotherapy administration
--- (96401-96549).
function M.is_drug_admin(code)
  return in_range(code, "96360", "96379") or in_range(code, "96401", "96549")
end

--- Chemotherapy and other highly complex drug administration, 96401-96549.
function M.is_chemo_admin(code)
  return in_range(code, "96401", "96549")
end

--- HCPCS Level II drug supply code (J0100-J8499, J9000-J9999 chemotherapy).
function M.is_drug_supply(code)
  return in_range(code, "J0100", "J9999")
end

--- Chemotherapy drug supply code: HCPCS J9000-J9999 ("Chemotherapy Drugs").
function M.is_chemo_drug(code)
  return in_range(code, "J9000", "J9999")
end

--- A hormonal anti-neoplastic chemotherapy drug (administered SC/IM with
--- 96402 rather than 96401).  See HORMONAL_ANTINEOPLASTIC above.
function M.is_hormonal_antineoplastic(code)
  return HORMONAL_ANTINEOPLASTIC[code] == true
end

--- Any drug product billed on its own line: a J-code drug supply code, a
--- biosimilar Q5101-Q5199, or a non-ESRD ESA.
function M.is_drug(code)
  return M.is_drug_supply(code) or in_range(code, "Q5101", "Q5199")
      or ESA_NON_ESRD[code] == true
end

--- Vaccine or toxoid product: CPT 90476-90759, and the HCPCS influenza
--- vaccine products Q2034-Q2039.
function M.is_vaccine_product(code)
  return in_range(code, "90476", "90759") or in_range(code, "Q2034", "Q2039")
end

--- The kind of a vaccine product for Medicare Part B administration:
--- "flu", "pneumococcal", "hepatitis_b", or nil for any other.
function M.vaccine_kind(code)
  if FLU_VACCINE[code] then return "flu" end
  if PNEUMO_VACCINE[code] then return "pneumococcal" end
  if HEPB_VACCINE[code] then return "hepatitis_b" end
  return nil
end

--- The administration code Medicare expects for a vaccine product:
--- G0008 (flu), G0009 (pneumococcal), G0010 (hepatitis B), else 90471.
function M.vaccine_admin_for(code)
  local kind = M.vaccine_kind(code)
  if kind == "flu" then return "G0008" end
  if kind == "pneumococcal" then return "G0009" end
  if kind == "hepatitis_b" then return "G0010" end
  return "90471"
end

--- Immunization administration: 90460, 90461, 90471-90474, G0008-G0010.
function M.is_vaccine_admin(code)
  return VACCINE_ADMIN[code] == true
end

--- Non-ESRD erythropoiesis-stimulating agent: J0881, J0885, Q5106.
function M.is_esa_non_esrd(code)
  return ESA_NON_ESRD[code] == true
end

--- HCPCS Level II code (starts with a letter), as opposed to CPT (Level I,
--- five digits or four digits and a letter: 0591T, 0001U).
function M.is_hcpcs_level2(code)
  return type(code) == "string" and #code == 5 and code:match("^[A-Z]") ~= nil
end

--- Code lists for rule triggers, `applies_to = { codes = ... }`
--- (docs/rule-language.md): exactly the codes the function of the same
--- name accepts, as codes and "first-last" ranges.
M.EM = { "99201-99499" }                        -- is_em
M.INJECTION_SC_IM = { "96372" }                 -- is_injection_sc_im
M.ESA_NON_ESRD = { "J0881", "J0885", "Q5106" }  -- is_esa_non_esrd

return M

-- codes: code-set membership for procedure codes (CPT / HCPCS Level II).
-- Every test takes a normalised 5-character code string and returns a
-- boolean.  Pure: no state, no claim access.  Each family is a list of
-- codes and "first-last" ranges (codes compare character by character:
-- all have 5), exported in capitals for rule triggers (`applies_to =
-- { codes = codes.EM }`); its test is made from the same list by the
-- engine's `codeset` module, so the two cannot disagree.
local codeset = require "codeset"

local M = {}

--- A set of the strings in list: set[x] is true for each of them.  For
--- fast membership tests in rules and modules.
function M.set_of(list)
  local s = {}
  for _, v in ipairs(list) do s[v] = true end
  return s
end
local set = M.set_of

--- Office or other outpatient E/M visits: 99202-99205 (new), 99211-99215
--- (established).
M.EM_OFFICE = { "99202-99205", "99211-99215" }
--- Any evaluation and management service: the CPT E/M section 99201-99499
--- (99201 was deleted in 2021; older claims still carry it).
M.EM = { "99201-99499" }
--- General ophthalmological services (eye exams, new and established
--- patient): 92002-92014.
M.EYE_EXAM = { "92002-92014" }
--- The services that take the E/M modifiers 25 and 57, and on which
--- Medicare ignores 59 and XE/XS/XP/XU: the E/M section and the general
--- ophthalmological services (docs/medicare.md, "E/M services").
M.EM_SERVICE = { "99201-99499", "92002-92014" }
--- Therapeutic, prophylactic or diagnostic injection, SC or IM.
M.INJECTION_SC_IM = { "96372" }
--- Chemotherapy and other highly complex drug administration.
M.CHEMO_ADMIN = { "96401-96549" }
--- Drug administration: hydration, therapeutic/prophylactic/diagnostic
--- injections and infusions, and chemotherapy administration.
M.DRUG_ADMIN = { "96360-96379", "96401-96549" }
--- HCPCS Level II drug supply codes (J9000-J9999 are chemotherapy).
M.DRUG_SUPPLY = { "J0100-J9999" }
--- Chemotherapy drug supply codes: HCPCS "Chemotherapy Drugs".
M.CHEMO_DRUG = { "J9000-J9999" }

-- Non-ESRD erythropoiesis-stimulating agents (billing-rules.md, ESA):
-- darbepoetin alfa J0881, epoetin alfa J0885, epoetin alfa-epbx Q5106.
M.ESA_NON_ESRD = { "J0881", "J0885", "Q5106" }
--- Any drug product billed on its own line: a drug supply code, a
--- biosimilar Q5101-Q5199, or a non-ESRD ESA.
M.DRUG = { "J0100-J9999", "Q5101-Q5199", "J0881", "J0885", "Q5106" }

-- Hormonal anti-neoplastics among the chemotherapy drug codes (GnRH
-- agonists/antagonists, estrogen-receptor antagonist; names from the HCPCS
-- 2024 descriptions): J9155 degarelix, J9202 goserelin, J9217/J9218
-- leuprolide acetate, J9395 fulvestrant.  Given SC/IM they are administered
-- with 96402, other anti-neoplastics with 96401.
M.HORMONAL_ANTINEOPLASTIC = { "J9155", "J9202", "J9217", "J9218", "J9395" }

--- Vaccine and toxoid products: CPT 90476-90759, and the HCPCS influenza
--- vaccine products Q2034-Q2039.
M.VACCINE_PRODUCT = { "90476-90759", "Q2034-Q2039" }

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
M.VACCINE_ADMIN = { "90460", "90461", "90471-90474", "G0008", "G0009", "G0010" }

--- HCPCS Level II codes: those that start with a letter, as opposed to CPT
--- (Level I: five digits, or four digits and a letter: 0591T, 0001U).
M.HCPCS_LEVEL2 = { "A0000-ZZZZZ" }

-- The tests, one per list above.
M.is_em_office = codeset.of(M.EM_OFFICE)
M.is_em = codeset.of(M.EM)
M.is_eye_exam = codeset.of(M.EYE_EXAM)
M.is_em_service = codeset.of(M.EM_SERVICE)
M.is_injection_sc_im = codeset.of(M.INJECTION_SC_IM)
M.is_drug_admin = codeset.of(M.DRUG_ADMIN)
M.is_chemo_admin = codeset.of(M.CHEMO_ADMIN)
M.is_drug_supply = codeset.of(M.DRUG_SUPPLY)
M.is_chemo_drug = codeset.of(M.CHEMO_DRUG)
M.is_hormonal_antineoplastic = codeset.of(M.HORMONAL_ANTINEOPLASTIC)
M.is_drug = codeset.of(M.DRUG)
M.is_vaccine_product = codeset.of(M.VACCINE_PRODUCT)
M.is_vaccine_admin = codeset.of(M.VACCINE_ADMIN)
M.is_esa_non_esrd = codeset.of(M.ESA_NON_ESRD)
M.is_hcpcs_level2 = codeset.of(M.HCPCS_LEVEL2)

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

return M

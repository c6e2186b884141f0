local codes = require "codes"

local function all(pred, list, want)
  for _, c in ipairs(list) do
    assert(pred(c) == want, c .. (want and " should" or " should not") .. " be in the set")
  end
end

rule {
  id = "test.codes", summary = "stdlib codes", severity = "info",
  check = function()
    all(codes.is_em_office, { "99202", "99205", "99211", "99213", "99215" }, true)
    all(codes.is_em_office, { "99201", "99206", "99210", "99216", "96372", "9921" }, false)
    all(codes.is_em, { "99201", "99202", "99213", "99232", "99499" }, true)
    all(codes.is_em, { "99200", "99500", "96372", "9921", "G0008" }, false)
    all(codes.is_eye_exam, { "92002", "92004", "92012", "92014" }, true)
    all(codes.is_eye_exam, { "92001", "92015", "92018", "99213" }, false)
    all(codes.is_em_service, { "99201", "99213", "99499", "92002", "92014" }, true)
    all(codes.is_em_service, { "92015", "92001", "96372", "G0444" }, false)
    assert(codes.is_injection_sc_im("96372"))
    assert(not codes.is_injection_sc_im("96374"))
    all(codes.is_drug_admin, { "96360", "96372", "96374", "96379", "96401", "96402", "96549" }, true)
    all(codes.is_drug_admin, { "96359", "96380", "96400", "96550", "90471" }, false)
    all(codes.is_chemo_admin, { "96401", "96402", "96413", "96549" }, true)
    all(codes.is_chemo_admin, { "96372", "96400", "96550" }, false)
    assert(codes.is_drug_supply("J0696") and codes.is_drug_supply("J9999") and codes.is_drug_supply("J0100"))
    assert(not codes.is_drug_supply("J0099") and not codes.is_drug_supply("99213") and not codes.is_drug_supply("Q5106"))
    all(codes.is_chemo_drug, { "J9000", "J9217", "J9260", "J9999" }, true)
    all(codes.is_chemo_drug, { "J8999", "J3420", "96401" }, false)
    all(codes.is_hormonal_antineoplastic, { "J9217", "J9218", "J9202", "J9155", "J9395" }, true)
    all(codes.is_hormonal_antineoplastic, { "J9260", "J1950", "J3420" }, false)
    all(codes.is_drug, { "J0696", "J3420", "J9217", "J0881", "Q5106", "Q5101" }, true)
    all(codes.is_drug, { "96372", "90686", "Q2038", "Q5200", "A4550" }, false)
    all(codes.is_vaccine_product, { "90476", "90686", "90715", "90732", "90759", "Q2034", "Q2038", "Q2039" }, true)
    all(codes.is_vaccine_product, { "90475", "90760", "90471", "G0008", "Q2033", "Q2040" }, false)
    assert(codes.vaccine_kind("90686") == "flu" and codes.vaccine_kind("Q2038") == "flu")
    assert(codes.vaccine_kind("90732") == "pneumococcal" and codes.vaccine_kind("90677") == "pneumococcal")
    assert(codes.vaccine_kind("90746") == "hepatitis_b")
    assert(codes.vaccine_kind("90715") == nil and codes.vaccine_kind("96372") == nil)
    assert(codes.vaccine_admin_for("90686") == "G0008" and codes.vaccine_admin_for("90732") == "G0009")
    assert(codes.vaccine_admin_for("90746") == "G0010" and codes.vaccine_admin_for("90715") == "90471")
    all(codes.is_vaccine_admin, { "90460", "90461", "90471", "90472", "90473", "90474", "G0008", "G0009", "G0010" }, true)
    all(codes.is_vaccine_admin, { "90475", "96372", "G0011", "90686" }, false)
    all(codes.is_esa_non_esrd, { "J0881", "J0885", "Q5106" }, true)
    all(codes.is_esa_non_esrd, { "J0882", "J0886", "Q5105", "J3420" }, false)
    all(codes.is_hcpcs_level2, { "J0696", "G0008", "Q5106", "A4550" }, true)
    all(codes.is_hcpcs_level2, { "99213", "0591T", "0001U" }, false)
    -- not a code at all: false, never an error
    for _, f in ipairs({ codes.is_em, codes.is_drug_admin, codes.is_drug, codes.is_vaccine_product,
                         codes.is_hcpcs_level2, codes.is_chemo_drug }) do
      assert(f(nil) == false and f(12345) == false and f("") == false)
    end
    -- each test is its exported list (the lists also serve applies_to)
    for _, name in ipairs({ "EM_OFFICE", "EM", "INJECTION_SC_IM", "DRUG_ADMIN", "CHEMO_ADMIN", "DRUG_SUPPLY",
                            "CHEMO_DRUG", "HORMONAL_ANTINEOPLASTIC", "DRUG", "VACCINE_PRODUCT",
                            "VACCINE_ADMIN", "ESA_NON_ESRD", "HCPCS_LEVEL2", "EYE_EXAM", "EM_SERVICE" }) do
      assert(type(codes[name]) == "table" and #codes[name] > 0, name)
    end
    assert(not pcall(function() codes.is_em_office = nil end), "module is read-only")
    flag(nil, "codes ok")
  end,
}

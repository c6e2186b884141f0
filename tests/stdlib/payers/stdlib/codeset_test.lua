local codeset = require "codeset"

-- f(code) == want for each code
local function all(f, list, want)
  for _, c in ipairs(list) do
    assert(f(c) == want, c .. (want and " should" or " should not") .. " be in the set")
  end
end

-- the error of codeset.of(list), which must fail
local function refused(list)
  local ok, err = pcall(codeset.of, list)
  assert(not ok, "codeset.of should refuse the list")
  return err
end

rule {
  id = "test.codeset", summary = "the codeset module", severity = "info",
  check = function()
    -- codes and inclusive ranges; overlapping and touching ranges merge
    local f = codeset.of { "96372", "J9000-J9999", "90471-90474", "90473-90480", "J3420" }
    all(f, { "96372", "J9000", "J9217", "J9999", "90471", "90474", "90475", "90480", "J3420" }, true)
    all(f, { "96371", "96373", "J8999", "K0000", "90470", "90481", "J3421" }, false)
    -- a set (keys with value true) and lower-case entries
    local g = codeset.of { ["g0008"] = true, ["99213"] = true }
    all(g, { "G0008", "99213" }, true)
    all(g, { "g0008", "99212", "G0009" }, false)   -- arguments are not normalised
    -- anything that is not a 5-character string: false, never an error
    for _, x in ipairs({ f, g }) do
      assert(x(nil) == false and x(96372) == false and x("") == false and x("963720") == false)
      assert(x({}) == false and x(true) == false and x("9637") == false)
    end
    -- a table with a metatable of its own is read as it is
    assert(codeset.of(setmetatable({ "96372" }, {}))("96372"))
    assert(codeset.of(setmetatable({ "96372" }, { __index = function() return "J9000" end }))("96372"))
    -- a refused list names the same entry on every run: the lowest list
    -- index, else the smallest key (not the table's hash order)
    local keys = {}
    for i = 8, 1, -1 do keys["bad" .. i] = true end
    assert(refused(keys):find("'bad1' is not", 1, true))
    assert(refused({ "96372", "x", "y", zz = true }):find("'x' is not", 1, true))
    -- lists of the codes module read through (they are read-only tables)
    assert(codeset.of(require("codes").EM)("99213"))
    -- refused, with the entry named
    assert(refused({}):find("codeset.of: the list is empty", 1, true))
    assert(refused("96372"):find("must be a list of codes", 1, true))
    assert(refused({ "9637" }):find("'9637' is not a 5-character code", 1, true))
    assert(refused({ "J9999-J9000" }):find("'J9999-J9000' is not", 1, true))
    assert(refused({ "96372", 96373 }):find("'number' is not", 1, true))
    assert(refused({ "96.72" }):find("'96.72' is not", 1, true))
    local long = {}
    for i = 1, 513 do long[i] = string.format("%05d", i) end
    assert(refused(long):find("more than 512 entries", 1, true))
    long[513] = nil
    assert(codeset.of(long)("00512") and not codeset.of(long)("00513"))
    flag(nil, "codeset ok")
  end,
}

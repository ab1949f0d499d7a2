-- Workload 2: GetItem of keys known to exist (g00000 .. g<N-1>, preloaded by dynamodb_bench.py).
local C = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
local tbl = os.getenv("BENCH_GET_TABLE") or "bench_kv"
local nkeys = tonumber(os.getenv("BENCH_GET_KEYS") or "10000")
local hdr = C.headers("GetItem")

request = function()
  local key = string.format("g%05d", math.random(0, nkeys - 1))
  local body = '{"TableName":"' .. tbl .. '","Key":{"pk":{"S":"' .. key .. '"}}}'
  return wrk.format("POST", "/", hdr, body)
end

C.install_checker(function(body)
  if not string.find(body, '"Item"', 1, true) then return false, "no-Item" end
  if not string.find(body, '"g%d%d%d%d%d"') then return false, "no-key" end
  return true
end)

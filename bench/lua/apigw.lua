-- API Gateway invoke URL: the same GET on every request (used by bench/apigateway_bench.py).
-- BENCH_PATH: the request path (/restapis/{id}/{stage}/_user_request_/...); BENCH_EXPECT: a
-- substring every 200 body must hold (verify mode only). No Authorization header: execute-api
-- methods with authorizationType NONE are called unsigned, as a browser or curl would.
local C = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
local expect = os.getenv("BENCH_EXPECT") or ""

-- A static request (no request() function): wrk formats it once per thread.
wrk.method = "GET"
wrk.path = os.getenv("BENCH_PATH") or "/"
wrk.headers["Accept"] = "application/json"

C.install_checker(function(body)
  if expect ~= "" and not string.find(body or "", expect, 1, true) then return false, "unexpected-body" end
  return true
end)

-- Shared helpers for the DynamoDB JSON-protocol wrk workloads (used by bench/dynamodb_bench.py).
-- Each workload script loads this file with dofile() (once per wrk thread state).
local C = {}

-- Dummy SigV4 header: the emulators accept any signature; wrk cannot sign each request cheaply.
C.auth = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, "
      .. "SignedHeaders=host;x-amz-date, Signature=00"

function C.headers(op)
  return {
    ["Content-Type"]  = "application/x-amz-json-1.0",
    ["X-Amz-Target"]  = "DynamoDB_20120810." .. op,
    ["X-Amz-Date"]    = "20260101T000000Z",
    ["Authorization"] = C.auth,
  }
end

-- BENCH_VERIFY=1 (run with -t1): check every response body; after BENCH_VERIFY_MAX responses
-- print one BENCHVERIFY line and exit wrk (its main thread would otherwise sleep for -d).
C.verify = os.getenv("BENCH_VERIFY") == "1"
C.verify_max = tonumber(os.getenv("BENCH_VERIFY_MAX") or "200")

local threads = {}
local nthreads = 0

-- wrk calls setup() in the main Lua state once per thread.
function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
  thread:set("checked", 0)
  thread:set("bad", 0)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 97 + (tid or 0) * 7919)
  checked, bad, first_bad = 0, 0, nil
end

-- Install a response() checker only in verify mode (parsing responses slows wrk down).
function C.install_checker(check)
  if not C.verify then return end
  response = function(status, headers, body)
    checked = checked + 1
    local ok, why = false, "status"
    if status == 200 then ok, why = check(body) end
    if not ok then
      bad = bad + 1
      if first_bad == nil then
        first_bad = tostring(status) .. " " .. tostring(why) .. " " .. string.sub(body or "", 1, 300)
      end
    end
    if checked >= C.verify_max then
      io.write(string.format("BENCHVERIFY {\"checked\":%d,\"bad\":%d}\n", checked, bad))
      if first_bad then io.write("BENCHBAD " .. string.gsub(first_bad, "\n", " ") .. "\n") end
      io.flush()
      os.exit(0)
    end
  end
end

-- One machine-readable line, parsed by harness/wrk.py. Latencies are in microseconds.
function done(summary, latency, requests)
  local chk, bad_total, sample = 0, 0, nil
  for _, t in ipairs(threads) do
    chk = chk + (t:get("checked") or 0)
    bad_total = bad_total + (t:get("bad") or 0)
    sample = sample or t:get("first_bad")
  end
  local e = summary.errors
  io.write(string.format(
    "BENCHJSON {\"requests\":%.0f,\"duration_us\":%.0f,\"bytes\":%.0f," ..
    "\"err_connect\":%.0f,\"err_read\":%.0f,\"err_write\":%.0f,\"err_status\":%.0f,\"err_timeout\":%.0f," ..
    "\"lat_mean_us\":%.1f,\"lat_max_us\":%.0f,\"p50_us\":%.0f,\"p90_us\":%.0f,\"p99_us\":%.0f,\"p999_us\":%.0f," ..
    "\"checked\":%.0f,\"bad\":%.0f}\n",
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), chk, bad_total))
  if sample then io.write("BENCHBAD " .. string.gsub(sample, "\n", " ") .. "\n") end
end

return C

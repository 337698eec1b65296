-- wrk script: replays signed ClockEye webhooks from REQUESTS (default /tmp/clockeye-requests.tsv), each thread
-- taking its own slice so that every request has a unique event id. Non-200 answers are counted as errors.
-- THREADS: wrk's -t. RATE (requests/s, all connections together) paces the load.
local requests = {}
local thread_count = 0

function setup(thread)
  thread:set("index", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  local threads = tonumber(os.getenv("THREADS") or "2")
  local n = 0
  for line in io.lines(os.getenv("REQUESTS") or "/tmp/clockeye-requests.tsv") do
    if n % threads == index then
      local tab = line:find("\t")
      requests[#requests + 1] = wrk.format("POST", "/webhooks/clockeye",
        { ["Content-Type"] = "application/json", ["X-ClockEye-Signature"] = line:sub(1, tab - 1) },
        line:sub(tab + 1))
    end
    n = n + 1
  end
  next_request = 0
end

-- Pacing by a schedule, not a fixed pause: each thread sends its share of RATE at fixed intervals measured on the
-- wall clock, so slow answers do not lower the rate (a fixed pause came on top of each answer and undershot).
local rate = tonumber(os.getenv("RATE") or "0")
if rate > 0 then
  local ffi = require("ffi")
  ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } clockrelay_timespec;
             int clock_gettime(int clock, clockrelay_timespec *now); ]]
  local now = ffi.new("clockrelay_timespec")
  local function now_ms()
    ffi.C.clock_gettime(1, now) -- CLOCK_MONOTONIC
    return tonumber(now.tv_sec) * 1000 + tonumber(now.tv_nsec) / 1e6
  end
  local interval = tonumber(os.getenv("THREADS") or "2") * 1000 / rate
  local due = nil
  function delay()
    local t = now_ms()
    -- a connection that was busy longer than a second does not make the others burst to catch up
    if due == nil or due < t - 1000 then due = t end
    local slot = due
    due = due + interval
    return math.max(0, math.floor(slot - t + 0.5))
  end
end

function request()
  next_request = next_request + 1
  return requests[(next_request - 1) % #requests + 1]
end

non_200 = 0
function response(status, headers, body)
  if status ~= 200 then non_200 = non_200 + 1 end
end

-- wrk's --latency table stops at the 99th percentile; the 99.9th comes from its histogram.
function done(summary, latency, requests)
  io.write(string.format("p99.9 %.2fms\n", latency:percentile(99.9) / 1000))
end

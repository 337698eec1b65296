-- wrk script: replays signed ClockEye webhooks from REQUESTS (default /tmp/clockeye-requests.tsv), each thread
-- taking its own slice so that every request has a unique event id. Non-200 answers are counted as errors.
-- THREADS: wrk's -t. RATE (requests/s, all connections together) with CONNECTIONS (wrk's -c) paces the load.
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

local rate = tonumber(os.getenv("RATE") or "0")
if rate > 0 then
  local connections = tonumber(os.getenv("CONNECTIONS") or "16")
  function delay()
    return connections * 1000 / rate
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

-- wrk script for tests/benchmarks/test_gateway_vs_ceiling.py (readable on its own:
--
--   wrk -t2 -c32 -d15s --latency -s tests/benchmarks/gateway_vs_ceiling.lua http://127.0.0.1:PORT \
--       -- GET '/students?id=eq.UUID' JWT 'application/vnd.pgrst.object+json' '' ''
--
-- Arguments after `--`: method, path, token, Accept, Prefer, body template. Empty
-- strings leave a header out. A body template has @KEY@ replaced by
-- "<thread>-<counter>" so that every request inserts a different row.
-- At the end, one line `WRK_JSON {...}` carries the figures the test reads.

local thread_count = 0

function setup(thread)
    thread_count = thread_count + 1
    thread:set("thread_id", thread_count)
end

function init(args)
    method, path = args[1], args[2]
    headers = { ["Authorization"] = "Bearer " .. args[3] }
    if args[4] ~= "" then headers["Accept"] = args[4] end
    if args[5] ~= "" then headers["Prefer"] = args[5] end
    template = args[6] or ""
    counter = 0
    if template == "" then
        fixed = wrk.format(method, path, headers)
    else
        headers["Content-Type"] = "application/json"
    end
end

function request()
    if fixed then return fixed end
    counter = counter + 1
    local body = template:gsub("@KEY@", thread_id .. "-" .. counter)
    return wrk.format(method, path, headers, body)
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "p999_us": %d, "max_us": %d, '
            .. '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d}\n',
        summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max,
        e.connect, e.read, e.write, e.status, e.timeout))
end

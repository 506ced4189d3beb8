-- wrk script for bench/run.sh: page through GET /api/calls by following
-- cursors, and count what went wrong.
--
--   wrk -t C -c C --latency -s bench/follow.lua -H 'Authorization: Bearer …' \
--       URL -- [LIMIT [STOP_AFTER]]
--
-- Each wrk thread has its own Lua state, and bench/run.sh starts one thread
-- per connection (-t equal to -c), so the thread's state is the
-- connection's: it keeps the next_cursor of its previous response and
-- starts over from the first page when has_more is false (or after any
-- answer that is not a 200).
--
-- STOP_AFTER (optional, per thread): stop after that many responses (the
-- memory run; the server's access log gives the exact total).
--
-- done() prints one line "BENCH {json}" that bench/report.pl reads:
-- requests/s, p50/p99/max latency (µs), non-2xx count, socket errors and
-- how often a connection reached the last page.

local limit = 50
local stop_after = 0
local cursor = nil

-- Per thread; collected by done() through thread:get().
responses = 0
non2xx = 0
wraps = 0
bytes_2xx = 0

local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	limit = tonumber(args[1]) or limit
	stop_after = tonumber(args[2]) or 0
end

function request()
	local path = "/api/calls?limit=" .. limit
	if cursor then
		path = path .. "&cursor=" .. cursor
	end
	return wrk.format("GET", path)
end

function response(status, headers, body)
	responses = responses + 1
	if status < 200 or status > 299 then
		non2xx = non2xx + 1
		cursor = nil
	else
		bytes_2xx = bytes_2xx + #body
		-- pagination is the envelope's last member: look in the last
		-- KiB only (a cursor is at most 512 characters). Scanning the
		-- whole 26 KB body with a pattern cost wrk about 200 us per
		-- response (measured), CPU the servers under test then lack.
		local key = '"next_cursor":"'
		local at = body:find(key, math.max(1, #body - 1024), true)
		cursor = at and body:match('^([^"]+)', at + #key)
		-- base64url: no characters that need escaping in a query string
		-- except padding, which the API accepts either way.
		if cursor then
			cursor = cursor:gsub("=", "%%3D")
		elseif body:find('"has_more":false', 1, true) then
			wraps = wraps + 1
		end
	end
	if stop_after > 0 and responses >= stop_after then
		wrk.thread:stop()
	end
end

function done(summary, latency, requests)
	local n, bad, w, b = 0, 0, 0, 0
	for _, t in ipairs(threads) do
		n = n + t:get("responses")
		bad = bad + t:get("non2xx")
		w = w + t:get("wraps")
		b = b + t:get("bytes_2xx")
	end
	local e = summary.errors
	io.write(string.format(
	    'BENCH {"requests":%d,"duration_us":%d,"rps":%.1f,' ..
	    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
	    '"non2xx":%d,"responses_seen":%d,"wraps":%d,' ..
	    '"avg_body_bytes":%.0f,"socket_errors":{"connect":%d,' ..
	    '"read":%d,"write":%d,"timeout":%d},"status_gt399":%d}\n',
	    summary.requests, summary.duration,
	    summary.requests / (summary.duration / 1e6),
	    latency:percentile(50), latency:percentile(90),
	    latency:percentile(99), latency.max, latency.mean,
	    bad, n, w, (n - bad) > 0 and b / (n - bad) or 0,
	    e.connect, e.read, e.write, e.timeout, e.status))
end

-- wrk script of bench_contacts.sh.  Cycles through the requests of the
-- file $WA_BENCH_REQS, one a line:
--     METHOD PATH              no body
--     METHOD PATH @FILE        the contents of FILE as the JSON body
--     METHOD PATH @IMPORT      a fresh import of 1000 new contacts
-- with the key $WA_BENCH_KEY, and prints one row of the table:
-- name ($WA_BENCH_NAME), requests/s, p50, p95, p99 (ms), non-2xx.

local reqs, nreq, pos, seq = {}, 0, 0, 0
local headers = {}

local function slurp(path)
	local f = assert(io.open(path, "rb"))
	local s = f:read("*a")
	f:close()
	return s
end

local threads = {}

function setup(thread)
	thread:set("tid", #threads + 1)
	table.insert(threads, thread)
end

function init(args)
	headers["x-api-key"] = os.getenv("WA_BENCH_KEY")
	for line in io.lines(os.getenv("WA_BENCH_REQS")) do
		local m, p, b = line:match("^(%u+)%s+(%S+)%s*@?(%S*)$")
		if m ~= nil then
			local body = nil
			if b ~= "" and b ~= "IMPORT" then
				body = slurp(b)
			end
			nreq = nreq + 1
			reqs[nreq] = { method = m, path = p, body = body,
			    import = (b == "IMPORT") }
		end
	end
	pos = tid - 1
end

-- 1000 contacts whose phones no other request uses: +99, two digits
-- of the thread, five of the time the run started, six of a counter.
local run = os.time() % 100000

local function import_body(account)
	local parts = {}
	for k = 1, 1000 do
		seq = seq + 1
		parts[k] = string.format('{"phone":"+99%02d%05d%06d","name":' ..
		    '"Bench Import %d","tags":["bench"],"groups":["imported"]}',
		    tid % 100, run, seq, seq)
	end
	return '{"accountId":"' .. account .. '","contacts":[' ..
	    table.concat(parts, ",") .. ']}'
end

function request()
	pos = pos % nreq + 1
	local r = reqs[pos]
	local body = r.body
	local h = headers
	if r.import then
		body = import_body(os.getenv("WA_BENCH_ACCOUNT"))
	end
	if body ~= nil then
		h = { ["x-api-key"] = headers["x-api-key"],
		    ["content-type"] = "application/json" }
	end
	return wrk.format(r.method, r.path, h, body)
end

function done(summary, latency, requests)
	local bad = summary.errors.status + summary.errors.connect +
	    summary.errors.read + summary.errors.write +
	    summary.errors.timeout
	io.write(string.format("%-36s %10.1f %9.2f %9.2f %9.2f %8d\n",
	    os.getenv("WA_BENCH_NAME"),
	    summary.requests / (summary.duration / 1e6),
	    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
	    latency:percentile(99) / 1000, bad))
end

-- Form POSTs for the write benchmarks (writes.py). Each line of the file named by the
-- first script argument is "<path>\t<Cookie header>\t<Content-Type>\t<body>", where a
-- body starting with "@" names a file that holds it (a multipart post with its photo).
-- The requests go in the file's order, round and round; wrk.py appends report.lua.
local prepared = {}
local next_one = 0

local function body_of(field)
  if field:sub(1, 1) ~= "@" then return field end
  local file = assert(io.open(field:sub(2), "rb"))
  local body = file:read("*a")
  file:close()
  return body
end

function init(args)
  for line in io.lines(args[1]) do
    local path, cookie, content_type, body = line:match("^(.-)\t(.-)\t(.-)\t(.*)$")
    local headers = {}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    headers["Cookie"] = cookie
    headers["Content-Type"] = content_type
    prepared[#prepared + 1] = wrk.format("POST", path, headers, body_of(body))
  end
end

function request()
  next_one = next_one % #prepared + 1
  return prepared[next_one]
end

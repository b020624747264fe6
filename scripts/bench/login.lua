-- Login POSTs through the real form. Each line of the file named by the first
-- script argument is "<Cookie header>\t<form body>": a session cookie holding a
-- CSRF token, and the form filled in for one account with that token. The
-- requests rotate through them; report.lua's done() is appended by wrk.py.
local prepared = {}
local next_one = 0

function init(args)
  for line in io.lines(args[1]) do
    local cookie, body = line:match("^(.-)\t(.*)$")
    local headers = {}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    headers["Cookie"] = cookie
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    prepared[#prepared + 1] = wrk.format("POST", "/login", headers, body)
  end
end

function request()
  next_one = next_one % #prepared + 1
  return prepared[next_one]
end

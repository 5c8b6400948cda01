-- wrk script for bench/overhead/service.mjs: a fixed, seeded mix of requests built once
-- in init (so wrk spends no time per request on building them), cycled in order.
--   45% GET /products/:id     (HTML page, skewed ids so the page cache hits and misses)
--   30% POST /api/orders      (JSON cart of 1-12 items, about 1 KB)
--   15% GET /api/search?q=...
--   10% GET /api/orders/:id   (orders posted at least 20 orders earlier in the cycle)
-- At the end it prints one line "WRKJSON {...}" with the numbers run.mjs reads.

local requests = {}
local cursor = 0

local words = { "alpine", "basalt", "cedar", "delta", "ember", "fjord", "granite", "harbor", "indigo", "juniper",
  "kestrel", "lumen", "meadow", "nimbus", "onyx", "prairie", "quartz", "river", "summit", "tundra" }
local categories = { "outdoor", "kitchen", "office", "garden", "travel", "audio" }

local function pick(list)
  return list[math.random(#list)]
end

local function orderBody(key)
  local items = {}
  for i = 1, math.random(12) do
    local gift = "null"
    if math.random() < 0.2 then gift = '"' .. pick(words) .. " " .. pick(words) .. " " .. pick(words) .. '"' end
    items[i] = string.format('{"productId":%d,"quantity":%d,"giftNote":%s}', math.random(0, 499), math.random(4), gift)
  end
  local coupon = "null"
  if math.random() < 0.3 then coupon = '"SPRING10"' end
  return string.format(
    '{"idempotencyKey":"k%d","customer":{"id":"cus_%d","email":"%s.%s@example.com","address":{"line1":"%d %s street","city":"%s","postcode":"%05d","country":"DE"}},"items":[%s],"coupon":%s,"channel":"web","client":{"app":"shop-web","version":"4.12.0"}}',
    key, math.random(100000), pick(words), pick(words), math.random(999), pick(words), pick(words), math.random(99999),
    table.concat(items, ","), coupon)
end

function init(args)
  math.randomseed(7)
  local json = { ["Content-Type"] = "application/json" }
  local posted = {}
  for i = 1, 1000 do
    local r = math.random()
    if r < 0.45 then
      local id = math.floor(500 * math.random() ^ 2)
      requests[i] = wrk.format("GET", "/products/" .. id)
    elseif r < 0.75 then
      posted[#posted + 1] = i
      requests[i] = wrk.format("POST", "/api/orders", json, orderBody(i))
    elseif r < 0.90 or #posted <= 20 then
      local q = pick(words)
      if math.random() < 0.5 then q = q .. "+" .. pick(categories) end
      requests[i] = wrk.format("GET", "/api/search?q=" .. q)
    else
      -- an order posted well before, so the POST has finished even with many connections
      requests[i] = wrk.format("GET", "/api/orders/ord_k" .. posted[math.random(#posted - 20)])
    end
  end
end

function request()
  cursor = cursor % #requests + 1
  return requests[cursor]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"durationUs":%d,"bytes":%d,"errors":%d,"non2xx":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end

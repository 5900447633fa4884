-- wrk script: POST incident reports to a redline node.
--   REDLINE_TOKEN=... wrk -t2 -c16 -d20s --latency -s benches/submit.lua http://127.0.0.1:8088/api/v1/incidents
-- Every answer must be 201; anything else is counted and printed at the end.
local token = os.getenv("REDLINE_TOKEN")
local counter = 0
local failures = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (token or "")

request = function()
  counter = counter + 1
  local tlp = (counter % 4 == 0) and "amber" or "green"
  local body = string.format([[{"title":"Load test incident %d: ransomware at a regional hospital",
"description":"Encrypted patient-record systems; ambulances diverted for six hours. Reported for the load benchmark.",
"reported_by":"EE","victim":"EE","first_observed":"2026-11-01T08:00:00.123456Z","last_observed":"2026-11-01T14:00:00Z",
"status":"confirmed","tlp":"%s",
"targets":[{"sector":"healthcare","country":"EE","essential_service":true,"people_affected":%d},
{"sector":"emergency-services","country":"EE","essential_service":true}],
"effects":[{"kind":"disruption","duration_hours":6,"reversible":true,"scale":"regional"},
{"kind":"data-destruction","reversible":false,"scale":"local"}],
"techniques":["T1486","T1566.001"],"access":"remote",
"suspected_origin":{"state":"RU","confidence":"roughly-even","basis":["technical"]},
"cross_border":true,"shared_with":["FI"]}]], counter, tlp, 12000 + counter)
  return wrk.format(nil, nil, nil, body)
end

response = function(status, headers, body)
  if status ~= 201 then
    failures = failures + 1
    if failures <= 3 then print("unexpected status " .. status .. ": " .. body) end
  end
end

done = function(summary, latency, requests)
  io.write(string.format("non-201 answers: %d\n", failures))
end

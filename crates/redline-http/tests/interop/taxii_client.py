"""Drives redline's TAXII 2.1 server with the OASIS client taxii2-client 2.3.0.

Run by crates/redline-http/tests/taxii.rs against a real server on 127.0.0.1. Arguments come in
the environment: REDLINE_TAXII_URL (the discovery URL), REDLINE_COLLECTION, REDLINE_READ_ONLY_COLLECTION,
REDLINE_USER / REDLINE_PASSWORD (a party id and its API token), REDLINE_OTHER_USER / REDLINE_OTHER_PASSWORD.
Every check is an assert; the script prints one line per step and exits non-zero on failure.
"""
import json
import os
import sys
import time

import stix2
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

url = os.environ["REDLINE_TAXII_URL"]
user, password = os.environ["REDLINE_USER"], os.environ["REDLINE_PASSWORD"]
other_user, other_password = os.environ["REDLINE_OTHER_USER"], os.environ["REDLINE_OTHER_PASSWORD"]
collection_id = os.environ["REDLINE_COLLECTION"]
read_only_id = os.environ["REDLINE_READ_ONLY_COLLECTION"]


def step(text):
    print("taxii2-client:", text, flush=True)


# Discovery and the API root.
server = Server(url, user=user, password=password)
assert server.title == "redline TAXII 2.1 server", server.title
assert len(server.api_roots) == 1
api_root = server.default
assert api_root is not None and api_root.url == server.api_roots[0].url
assert api_root.title == "redline"
assert "application/taxii+json;version=2.1" in api_root.versions
assert api_root.max_content_length > 0
step("discovery and API root")

# Collections: this party sees the shared one (read+write) and the read-only one.
collections = {c.id: c for c in api_root.collections}
assert collection_id in collections, collections.keys()
shared = collections[collection_id]
assert shared.can_read and shared.can_write
assert read_only_id in collections
assert collections[read_only_id].can_read and not collections[read_only_id].can_write
assert "application/stix+json;version=2.1" in shared.media_types
direct = Collection(shared.url, user=user, password=password)
assert direct.title == shared.title
step("collections")

# add_objects: a bundle of an identity, an AMBER indicator, an incident and a relationship.
identity = stix2.Identity(name="CERT-A", identity_class="organization", sectors=["government-national"])
indicator = stix2.Indicator(name="C2 IP", pattern="[ipv4-addr:value = '198.51.100.7']",
                            pattern_type="stix", valid_from="2026-01-01T00:00:00Z",
                            created_by_ref=identity.id, object_marking_refs=[stix2.TLP_AMBER])
incident = stix2.Incident(name="Ransomware at grid operator", created_by_ref=identity.id,
                          object_marking_refs=[stix2.TLP_GREEN])
relationship = stix2.Relationship(indicator, "indicates", incident)
bundle = stix2.Bundle(identity, indicator, incident, relationship)
status = shared.add_objects(bundle.serialize())
assert status.status == "complete", status.status
assert status.total_count == 4 and status.success_count == 4, (status.total_count, status.success_count, status.failures)
assert {s["id"] for s in status.successes} == {identity.id, indicator.id, incident.id, relationship.id}
step("add_objects: 4 of 4 stored")

# The status resource, read back by its URL.
status.refresh()
assert status.success_count == 4 and status.failure_count == 0 and status.pending_count == 0
step("status")

# A second version of the indicator, and the same version again (a failure, as medallion does).
indicator_v2 = indicator.new_version(name="C2 IP (confirmed)", confidence=80)
status = shared.add_objects(stix2.Bundle(indicator_v2, indicator).serialize())
assert status.total_count == 2 and status.success_count == 1 and status.failure_count == 1, status
assert status.failures[0]["id"] == indicator.id and "already" in status.failures[0]["message"]
step("new version stored, duplicate version refused")

# A bad object among good ones: the rest lands, the failure names the object and the reason.
good = stix2.Indicator(name="good", pattern="[domain-name:value = 'evil.example']", pattern_type="stix",
                       valid_from="2026-01-01T00:00:00Z")
bad = json.loads(good.serialize())
bad["id"] = "indicator--6d3c7e2f-4a62-4f1b-9a53-0b3c7f2d9a11"
bad["pattern"] = "[domain-name:value = ]"
status = shared.add_objects(json.dumps({"objects": [json.loads(good.serialize()), bad]}))
assert status.success_count == 1 and status.failure_count == 1
assert status.failures[0]["id"] == bad["id"] and "pattern" in status.failures[0]["message"], status.failures
step("invalid pattern refused with its id and reason, the rest stored")

# get_objects with every filter.
everything = shared.get_objects()
ids = [o["id"] for o in everything["objects"]]
assert set(ids) == {identity.id, indicator.id, incident.id, relationship.id, good.id}, ids
latest = [o for o in everything["objects"] if o["id"] == indicator.id]
assert len(latest) == 1 and latest[0]["name"] == "C2 IP (confirmed)"
step("get_objects: latest versions")

only_indicators = shared.get_objects(type=["indicator"])
assert {o["type"] for o in only_indicators["objects"]} == {"indicator"}
two_types = shared.get_objects(type=["indicator", "identity"])
assert {o["type"] for o in two_types["objects"]} == {"indicator", "identity"}
step("match[type]")

by_id = shared.get_objects(id=[incident.id, identity.id])
assert {o["id"] for o in by_id["objects"]} == {incident.id, identity.id}
step("match[id]")

all_versions = shared.get_objects(id=indicator.id, version="all")
assert len(all_versions["objects"]) == 2
first = shared.get_objects(id=indicator.id, version="first")
assert first["objects"][0]["name"] == "C2 IP"
exact = shared.get_objects(id=indicator.id, version=indicator_v2.modified.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
assert len(exact["objects"]) == 1 and exact["objects"][0]["name"] == "C2 IP (confirmed)"
step("match[version]: all, first, exact")

assert len(shared.get_objects(spec_version="2.1")["objects"]) == 5
assert "objects" not in shared.get_objects(spec_version="2.0")
step("match[spec_version]")

manifest = shared.get_manifest()
records = manifest["objects"]
assert len(records) == 5 and all(r["media_type"] == "application/stix+json;version=2.1" for r in records)
middle = records[2]["date_added"]
after = shared.get_objects(added_after=middle)
assert len(after["objects"]) == 2, after
assert "objects" not in shared.get_objects(added_after="2999-01-01T00:00:00Z")
step("added_after and manifest")

one = shared.get_object(indicator.id)
assert len(one["objects"]) == 1 and one["objects"][0]["name"] == "C2 IP (confirmed)"
one_all = shared.get_object(indicator.id, version="all")
assert len(one_all["objects"]) == 2
versions = shared.object_versions(indicator.id)
assert len(versions["versions"]) == 2, versions
try:
    shared.get_object("indicator--00000000-0000-4000-8000-000000000000")
    raise AssertionError("a missing object must be 404")
except Exception as error:  # requests.HTTPError
    assert "404" in str(error), error
step("object by id, versions")

# Paging with as_pages: 25 more indicators, 7 per page; nothing skipped, nothing repeated.
batch = [stix2.Indicator(name=f"ip {n}", pattern=f"[ipv4-addr:value = '203.0.113.{n}']", pattern_type="stix",
                         valid_from="2026-01-01T00:00:00Z") for n in range(25)]
status = shared.add_objects(stix2.Bundle(*batch).serialize())
assert status.success_count == 25
seen = []
pages = 0
for page in as_pages(shared.get_objects, per_request=7, type="indicator"):
    pages += 1
    seen.extend(o["id"] for o in page.get("objects", []))
assert len(seen) == len(set(seen)) == 27, (len(seen), len(set(seen)))
assert pages == 4, pages
manifest_seen = []
for page in as_pages(shared.get_manifest, per_request=10):
    manifest_seen.extend(o["id"] for o in page.get("objects", []))
assert len(manifest_seen) == 30, len(manifest_seen)
step("as_pages over objects and manifest")

# TLP: the other party may read the collection but not the AMBER indicator it was not given.
other = Collection(shared.url, user=other_user, password=other_password)
other_ids = {o["id"] for o in other.get_objects()["objects"]}
assert indicator.id not in other_ids and identity.id in other_ids, other_ids
try:
    other.get_object(indicator.id)
    raise AssertionError("an AMBER object must be invisible to a non-recipient")
except Exception as error:
    assert "404" in str(error), error
step("TLP per object")

# A read-only collection refuses add_objects with 403.
read_only = Collection(collections[read_only_id].url, user=user, password=password)
try:
    read_only.add_objects(stix2.Bundle(good).serialize())
    raise AssertionError("a read-only collection must refuse writes")
except Exception as error:  # the client checks can_write itself; the server's 403 is tested in Rust
    assert "403" in str(error) or "does not allow writing" in str(error), error
step("can_write enforced")

# Wrong credentials: 401.
try:
    Server(url, user=user, password="rl_wrong_wrong").title
    raise AssertionError("wrong credentials must be refused")
except Exception as error:
    assert "401" in str(error), error
step("wrong credentials refused")
print("taxii2-client: all checks passed")

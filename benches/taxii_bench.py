"""TAXII 2.1 load driver: the same client (taxii2-client 2.3.0) and workload against
any server. POSTs COUNT indicators in batches of BATCH, then reads them all back with
as_pages(get_objects, per_request=PAGE). Prints one JSON line with the timings.

Usage: python benches/taxii_bench.py API_ROOT_URL COLLECTION_ID USER PASSWORD COUNT [BATCH] [PAGE] [READ_BUDGET_S]
READ_BUDGET_S stops the read-back after that many seconds (for servers too slow to finish) and
reports how far it got.
"""
import json
import sys
import time
import uuid

from taxii2client.v21 import Collection, as_pages

url, collection_id, user, password = sys.argv[1:5]
count = int(sys.argv[5])
batch = int(sys.argv[6]) if len(sys.argv) > 6 else 1000
page = int(sys.argv[7]) if len(sys.argv) > 7 else 1000
budget = float(sys.argv[8]) if len(sys.argv) > 8 else float("inf")

collection = Collection(f"{url.rstrip('/')}/collections/{collection_id}/", user=user, password=password)
collection.refresh()
run = uuid.uuid4().hex[:8]


def indicator(n):
    return {
        "type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-11-22T00:00:00.000Z", "modified": "2026-11-22T00:00:00.000Z",
        "name": f"bench {run} {n}", "indicator_types": ["malicious-activity"],
        "pattern": f"[ipv4-addr:value = '10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}']",
        "pattern_type": "stix", "valid_from": "2026-11-22T00:00:00Z",
    }


started = time.perf_counter()
posted = 0
for start in range(0, count, batch):
    objects = [indicator(n) for n in range(start, min(start + batch, count))]
    status = collection.add_objects(json.dumps({"objects": objects}))
    assert status.success_count == len(objects), (status.success_count, status.failures[:3])
    posted += len(objects)
post_seconds = time.perf_counter() - started

started = time.perf_counter()
read = 0
finished = True
for envelope in as_pages(collection.get_objects, per_request=page, type="indicator"):
    read += sum(1 for o in envelope.get("objects", []) if o.get("name", "").startswith(f"bench {run} "))
    if time.perf_counter() - started > budget:
        finished = not envelope.get("more", False)
        break
read_seconds = time.perf_counter() - started
if finished:
    assert read == count, (read, count)
print(json.dumps({"server": url, "count": count, "batch": batch, "page": page, "posted": posted,
                  "post_s": round(post_seconds, 3), "read": read, "read_s": round(read_seconds, 3),
                  "read_finished": finished, "total_s": round(post_seconds + read_seconds, 3)}))

"""Reads redline's public record with real clients, as an anonymous visitor.

Run by crates/redline-http/tests/landing.rs against a real server on 127.0.0.1. Arguments come in
the environment: REDLINE_BASE (http://host:port), REDLINE_PUBLIC_COLLECTION (the public TAXII
collection's id), REDLINE_PUBLIC_TITLES (a JSON list of the public incidents' titles),
REDLINE_FORBIDDEN (a JSON list of strings no answer may contain), REDLINE_JSON_FEED_SCHEMA (the
JSON Feed 1.1 schema file). Every check is an assert; the script prints one line per step and
exits non-zero on failure.

- Atom: feedparser parses /feed.atom without complaint (no bozo) as Atom 1.0, with one entry
  per public incident, each linking to its dashboard page.
- JSON Feed: /feed.json is valid against the JSON Feed 1.1 schema.
- TAXII: taxii2-client, without credentials, reads the public collection's objects (paged),
  manifest and one object, and sees it is read-only.
"""
import json
import os
import urllib.request

import feedparser
import jsonschema
from taxii2client.exceptions import AccessError
from taxii2client.v21 import Collection, as_pages

base = os.environ["REDLINE_BASE"]
public_collection = os.environ["REDLINE_PUBLIC_COLLECTION"]
public_titles = set(json.loads(os.environ["REDLINE_PUBLIC_TITLES"]))
forbidden = json.loads(os.environ["REDLINE_FORBIDDEN"])
with open(os.environ["REDLINE_JSON_FEED_SCHEMA"], encoding="utf-8") as schema_file:
    json_feed_schema = json.load(schema_file)


def step(text):
    print("public record:", text, flush=True)


def fetch(path):
    with urllib.request.urlopen(base + path) as response:
        return response.headers.get("Content-Type", ""), response.read()


def assert_nothing_forbidden(where, text):
    for secret in forbidden:
        assert secret not in text, f"{where} contains `{secret}`"


# Atom, read by feedparser.
content_type, atom = fetch("/feed.atom")
assert content_type.startswith("application/atom+xml"), content_type
feed = feedparser.parse(atom)
assert not feed.bozo, feed.get("bozo_exception")
assert feed.version == "atom10", feed.version
assert feed.feed.title == "redline: the public record", feed.feed.title
entry_titles = {entry.title for entry in feed.entries}
assert public_titles <= entry_titles, public_titles - entry_titles
for entry in feed.entries:
    assert entry.link.startswith(base + "/dashboard/"), entry.link
    assert entry.id == entry.link
    assert entry.get("updated_parsed") is not None, entry
    assert entry.summary, entry
assert_nothing_forbidden("/feed.atom", atom.decode("utf-8"))
step(f"Atom: {len(feed.entries)} entries, no bozo")

# JSON Feed, against the JSON Feed 1.1 schema.
content_type, body = fetch("/feed.json")
assert content_type.startswith("application/feed+json"), content_type
document = json.loads(body)
validator = jsonschema.Draft202012Validator(
    json_feed_schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)
errors = sorted(validator.iter_errors(document), key=lambda error: list(error.path))
assert not errors, [f"{list(error.path)}: {error.message}" for error in errors]
item_titles = {item["title"] for item in document["items"]}
assert public_titles <= item_titles, public_titles - item_titles
assert_nothing_forbidden("/feed.json", body.decode("utf-8"))
step(f"JSON Feed: {len(document['items'])} items valid against JSON Feed 1.1")

# The public TAXII collection, without credentials.
collection_url = f"{base}/taxii2/api/collections/{public_collection}/"
collection = Collection(collection_url)
assert collection.can_read and not collection.can_write
assert collection.id == public_collection
envelope = collection.get_objects()
objects = envelope.get("objects", [])
incident_names = {obj["name"] for obj in objects if obj["type"] == "incident"}
assert public_titles <= incident_names, public_titles - incident_names
assert_nothing_forbidden("the public collection", json.dumps(objects))
paged = [obj for page in as_pages(collection.get_objects, per_request=3) for obj in page.get("objects", [])]
assert len(paged) == len(objects), (len(paged), len(objects))
manifest = collection.get_manifest()
assert len(manifest.get("objects", [])) == len(objects)
one = collection.get_object(objects[0]["id"])
assert one["objects"][0]["id"] == objects[0]["id"]
step(f"TAXII: {len(objects)} objects read without credentials, paged and in the manifest")

# The collection says it is read-only, so the client refuses to write (landing.rs checks that
# the server refuses too).
try:
    collection.add_objects(json.dumps({"objects": [objects[0]]}))
    raise AssertionError("taxii2-client wrote to the read-only public collection")
except AccessError:
    pass
step("TAXII: the public collection is read-only")

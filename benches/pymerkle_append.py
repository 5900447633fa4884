"""pymerkle 7.0 SqliteTree side of the log append benchmark (see BENCHMARKS.md).

Reads the JSON lines written by `log_bench generate`, appends them all to a fresh SqliteTree
with one bulk call (one commit at the end), then computes the root.
"""
import os
import sys
import time

from pymerkle import SqliteTree

entries_file, database = sys.argv[1], sys.argv[2]
with open(entries_file, "rb") as handle:
    entries = [line.rstrip(b"\n") for line in handle]
for suffix in ("", "-journal", "-wal"):
    if os.path.exists(database + suffix):
        os.remove(database + suffix)
started = time.perf_counter()
tree = SqliteTree(database)
tree.append_entries(entries)
root = tree.get_state() if not hasattr(tree, "get_root") else tree.get_root()
tree.con.close() if hasattr(tree, "con") else None
elapsed = time.perf_counter() - started
print(f"pymerkle SqliteTree: {len(entries)} entries in {elapsed * 1e3:.1f} ms "
      f"({len(entries) / elapsed:.0f} entries/s); root {root.hex()}")

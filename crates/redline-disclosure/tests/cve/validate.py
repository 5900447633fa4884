"""Validates CVE JSON 5 records with the CVE Program's bundled schema as cvelib ships it
(cvelib.cve_api.CveRecord.validate with CveRecord.Schemas.V5_SCHEMA, JSON Schema draft 7).

Usage: python validate.py FILE...
Prints "ERROR <file> <message>" per problem and "RESULT <file> valid|invalid" per file; exits 0
when every file is valid, 1 when one is not, 2 when cvelib cannot be imported.
"""
import json
import sys

try:
    from cvelib.cve_api import CveRecord, CveRecordValidationError
except ImportError as error:  # the test fails on exit code 2
    print(f"cannot import cvelib: {error}", file=sys.stderr)
    sys.exit(2)

all_valid = True
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as handle:
        record = json.load(handle)
    try:
        CveRecord.validate(record, schema_path=CveRecord.Schemas.V5_SCHEMA)
        print(f"RESULT {path} valid")
    except CveRecordValidationError as error:
        for problem in error.errors:
            location = "/".join(str(part) for part in problem.absolute_path)
            print(f"ERROR {path} /{location} {problem.message}")
        print(f"RESULT {path} invalid")
        all_valid = False
sys.exit(0 if all_valid else 1)

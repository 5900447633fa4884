"""Validates TOML (or JSON) files against a JSON Schema with the `jsonschema` package (draft
2020-12).

Usage: validate.py SCHEMA FILE...   Prints `FILE: valid` or `FILE: invalid: <error>` per file
and exits 1 when any file is invalid. TOML is read with the standard library's tomllib; a file
ending in `.json` is read as JSON.
"""

import json
import sys
import tomllib

import jsonschema


def main() -> int:
    schema_path, *files = sys.argv[1:]
    with open(schema_path, encoding="utf-8") as handle:
        schema = json.load(handle)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    failed = False
    for path in files:
        with open(path, "rb") as handle:
            document = json.load(handle) if path.endswith(".json") else tomllib.load(handle)
        errors = sorted(validator.iter_errors(document), key=lambda error: list(error.path))
        if errors:
            failed = True
            where = "/".join(str(part) for part in errors[0].absolute_path)
            print(f"{path}: invalid: at /{where}: {errors[0].message}")
        else:
            print(f"{path}: valid")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

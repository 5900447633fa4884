#!/usr/bin/env python3
"""Reference run of the baseline's CEL conditions through cel-python 0.5 (PyPI `cel-python`).

Compiles every `when` of norms/baseline.toml with celpy, builds the same variables the Rust
engine gives conditions (report helpers, Schmitt factors) for the eight documented incidents,
times every evaluation, and checks that the rules that fire agree with the Rust engine's trace in
the insta snapshots of crates/redline-norms/tests/snapshots.

    python3 -m pip install cel-python==0.5.0
    python3 crates/redline-norms/benches/cel_python_reference.py
"""
import json
import pathlib
import time
import tomllib

import celpy

ROOT = pathlib.Path(__file__).resolve().parents[3]
EFFECTS = ["espionage", "data-theft", "influence", "disruption", "data-destruction",
           "destruction", "physical-damage", "injury", "loss-of-life"]
SCALES = ["local", "regional", "national", "international"]
CONFIDENCE = ["remote", "very-unlikely", "unlikely", "roughly-even", "likely", "very-likely",
              "almost-certain"]
GOVERNMENTAL = {"government", "government-national", "government-regional", "government-local",
                "government-public-services", "defense", "elections"}


def schmitt(report, rank, essential, duration, scale_rank, people, confidence_rank):
    if rank >= 8: severity = 4
    elif rank >= 6: severity = 3
    elif rank >= 4: severity = 2
    elif rank >= 3:
        severity = 2 if essential and (duration >= 24 or scale_rank >= 2 or people >= 100_000) else 1
    else: severity = 0
    immediacy = 3 if rank >= 3 else (1 if rank >= 2 else 0)
    supply = report.get("access") == "supply-chain"
    directness = (2 if supply else 3) if rank >= 3 else (1 if rank >= 2 else 0)
    sectors = {t["sector"] for t in report["targets"]}
    ics = any(t.startswith("T0") for t in report.get("techniques", []))
    close = report.get("access") in ("close-access", "insider")
    if ics or sectors & {"government-national", "defense", "nuclear", "elections"} or close:
        invasiveness = 3
    elif essential or sectors & GOVERNMENTAL:
        invasiveness = 2
    else:
        invasiveness = 1
    if rank >= 3:
        measurability = 3 if (people > 0 or duration > 0 or rank >= 6) else 2
    else:
        measurability = 1
    military = 2 * ("defense" in sectors) + int(report.get("armed_conflict", False))
    state = 0 if confidence_rank <= 3 else {4: 1, 5: 2}.get(confidence_rank, 3)
    presumptive = -2 if rank <= 2 else 0
    values = dict(severity=severity, immediacy=immediacy, directness=directness,
                  invasiveness=invasiveness, measurability=measurability,
                  military_character=military, state_involvement=state,
                  presumptive_legality=presumptive)
    values["total"] = sum(values.values())
    return values


def activation(report):
    effects = report["effects"]
    targets = report["targets"]
    rank = max(EFFECTS.index(e["kind"]) for e in effects)
    essential = any(t.get("essential_service", False) for t in targets)
    duration = max([e.get("duration_hours", 0.0) for e in effects] + [0.0])
    scale_rank = max([SCALES.index(e["scale"]) for e in effects if "scale" in e] + [-1])
    people = sum(t.get("people_affected", 0) for t in targets)
    origin = report.get("suspected_origin")
    confidence_rank = CONFIDENCE.index(origin["confidence"]) + 1 if origin else 0
    sectors = sorted({t["sector"] for t in targets})
    variables = {
        "max_effect": EFFECTS[rank], "max_effect_rank": rank,
        "effect_rank": {k: i for i, k in enumerate(EFFECTS)},
        "scale_rank": {k: i for i, k in enumerate(SCALES)},
        "confidence_rank": {k: i + 1 for i, k in enumerate(CONFIDENCE)},
        "effect_kinds": sorted({e["kind"] for e in effects}),
        "espionage_only": all(e["kind"] in ("espionage", "data-theft") for e in effects),
        "people_affected_total": people, "max_duration_hours": float(duration),
        "any_irreversible": any(e.get("reversible") is False for e in effects),
        "irreversible_effects": sorted({e["kind"] for e in effects if e.get("reversible") is False}),
        "max_scale_rank": scale_rank, "sectors": sectors,
        "essential_sectors": sorted({t["sector"] for t in targets if t.get("essential_service")}),
        "any_essential_service": essential,
        "any_governmental_target": any(t["sector"] in GOVERNMENTAL for t in targets),
        "attribution_confidence_rank": confidence_rank,
        "suspected_state": origin["state"] if origin else "",
        "attribution_basis": origin.get("basis", []) if origin else [],
        "foreign_target_countries": sorted({t["country"] for t in targets if t["country"] != report["victim"]}),
        "cross_border": report.get("cross_border", False),
        "close_access": report.get("access") in ("close-access", "insider"),
        "ics_techniques": any(t.startswith("T0") for t in report.get("techniques", [])),
        "armed_conflict": report.get("armed_conflict", False),
        "schmitt": schmitt(report, rank, essential, duration, scale_rank, people, confidence_rank),
        "nciss": {"location_of_observed_activity": (report.get("nciss") or {}).get(
            "location_of_observed_activity", "unknown")},
    }
    variables["spill_over"] = bool(variables["foreign_target_countries"])
    return {name: celpy.json_to_cel(value) for name, value in variables.items()}


def rust_trace(name):
    snapshot = ROOT / "crates/redline-norms/tests/snapshots" / f"incidents__{name}.json.snap"
    text = snapshot.read_text()
    body = text.split("---\n", 2)[2]
    return {entry["rule"]: entry["fired"] for entry in json.loads(body)["trace"]}


def main():
    document = tomllib.loads((ROOT / "norms/baseline.toml").read_text())
    conditions = [(rule["id"], rule["when"]) for rule in document["rule"]]
    conditions += [(line["id"], line["when"]) for line in document["red_line"]]
    environment = celpy.Environment()
    programs = [(rule_id, environment.program(environment.compile(when))) for rule_id, when in conditions]
    evaluations = 0
    elapsed = 0.0
    disagreements = []
    for path in sorted((ROOT / "demo/incidents").glob("*.json")):
        report = json.loads(path.read_text())
        variables = activation(report)
        expected = rust_trace(path.stem)
        for rule_id, program in programs:
            start = time.perf_counter()
            result = program.evaluate(variables)
            elapsed += time.perf_counter() - start
            evaluations += 1
            if bool(result) != expected.get(rule_id):
                disagreements.append((path.stem, rule_id, bool(result), expected.get(rule_id)))
    print(f"cel-python {len(programs)} conditions x 8 incidents: {evaluations} evaluations, "
          f"{elapsed / evaluations * 1e6:.0f} µs per expression")
    print(f"agreement with the Rust engine's trace: {evaluations - len(disagreements)}/{evaluations}")
    for disagreement in disagreements:
        print("  differs:", disagreement)


if __name__ == "__main__":
    main()

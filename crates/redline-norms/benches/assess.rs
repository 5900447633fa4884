//! Benchmark: assessments per second per core with the baseline document over a realistic mix of
//! reports (the eight documented incidents and variants of them: other attribution confidence,
//! armed conflict on or off, espionage-only, criminal). Run with
//! `cargo bench -p redline-norms --bench assess`; the `latency` group prints p50/p99 from a
//! histogram of single assessments.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use redline_model::{Confidence, EffectKind, IncidentReport, Timestamp, parse_incident_report};
use redline_norms::{NormsDocument, assess};

fn mix() -> Vec<IncidentReport> {
    let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/incidents");
    let now = Timestamp::parse("2026-11-22T00:00:00Z").unwrap();
    let mut files: Vec<_> = std::fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    let base: Vec<IncidentReport> = files
        .iter()
        .map(|path| parse_incident_report(&std::fs::read(path).unwrap(), now).unwrap())
        .collect();
    let mut reports = base.clone();
    for (index, report) in base.iter().enumerate() {
        let mut variant = report.clone();
        variant.armed_conflict = !variant.armed_conflict;
        if let Some(origin) = &mut variant.suspected_origin {
            origin.confidence = Confidence::ALL[index % Confidence::ALL.len()];
        }
        reports.push(variant);
        let mut espionage = report.clone();
        for effect in &mut espionage.effects {
            effect.kind = EffectKind::Espionage;
        }
        reports.push(espionage);
        let mut criminal = report.clone();
        criminal.suspected_origin = None;
        reports.push(criminal);
    }
    reports
}

fn baseline() -> NormsDocument {
    NormsDocument::parse(redline_norms::baseline(), "norms/baseline.toml").unwrap()
}

#[divan::bench]
fn assess_mix(bencher: divan::Bencher) {
    let document = baseline();
    let reports = mix();
    bencher
        .counter(divan::counter::ItemsCount::new(reports.len()))
        .bench_local(|| {
            for report in &reports {
                divan::black_box(assess(divan::black_box(report), &document));
            }
        });
}

#[divan::bench]
fn assess_and_serialise_mix(bencher: divan::Bencher) {
    let document = baseline();
    let reports = mix();
    bencher
        .counter(divan::counter::ItemsCount::new(reports.len()))
        .bench_local(|| {
            for report in &reports {
                divan::black_box(assess(divan::black_box(report), &document).to_json_bytes());
            }
        });
}

#[divan::bench]
fn parse_baseline_document() -> NormsDocument {
    baseline()
}

/// Time this thread spent on a CPU (Linux `/proc/thread-self/schedstat`), so that the
/// throughput per core is not diluted by other processes sharing the machine; 0 elsewhere.
fn thread_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |nanoseconds| nanoseconds / 1e9)
}

/// p50 / p99 of single assessments over the mix, from an HDR histogram, printed before divan.
fn latency_report() {
    let document = baseline();
    let reports = mix();
    let mut histogram = hdrhistogram::Histogram::<u64>::new(3).unwrap();
    // Warm up.
    for report in &reports {
        divan::black_box(assess(report, &document));
    }
    let rounds: usize = std::env::var("REDLINE_BENCH_ROUNDS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(500);
    let started = Instant::now();
    let cpu_started = thread_cpu_seconds();
    for _ in 0..rounds {
        for report in &reports {
            let start = Instant::now();
            divan::black_box(assess(divan::black_box(report), &document));
            histogram
                .record(start.elapsed().as_nanos().try_into().unwrap_or(u64::MAX))
                .unwrap();
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu_seconds = thread_cpu_seconds() - cpu_started;
    let count = (rounds * reports.len()) as f64;
    println!(
        "latency over {} reports x {rounds}: {:.0} assessments per wall-clock second, {:.0} per CPU-second of this thread; p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        reports.len(),
        count / elapsed,
        count / cpu_seconds,
        histogram.value_at_quantile(0.50) as f64 / 1000.0,
        histogram.value_at_quantile(0.99) as f64 / 1000.0,
        histogram.max() as f64 / 1000.0,
    );
}

/// The same mix against the baseline without its CEL rules and red lines: the cost of the rest.
fn without_conditions_report() {
    let text: String = redline_norms::baseline()
        .split("\n[[")
        .filter(|block| !block.starts_with("rule]]") && !block.starts_with("red_line]]"))
        .collect::<Vec<_>>()
        .join("\n[[");
    let document = NormsDocument::parse(&text, "stripped.toml").unwrap();
    let reports = mix();
    let rounds = 300;
    let started = Instant::now();
    for _ in 0..rounds {
        for report in &reports {
            divan::black_box(assess(divan::black_box(report), &document));
        }
    }
    let per = started.elapsed().as_secs_f64() / (rounds * reports.len()) as f64;
    println!("without CEL conditions: {:.1} µs per assessment", per * 1e6);
}

fn main() {
    if std::env::var_os("REDLINE_BENCH_BREAKDOWN").is_some() {
        without_conditions_report();
    }
    latency_report();
    divan::main();
}

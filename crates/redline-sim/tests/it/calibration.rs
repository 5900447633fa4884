//! The default parameters reproduce, qualitatively, the published findings `docs/simulator.md`
//! lists (reference/norms-and-escalation.md §4.2 and §4.3, "calibration / sanity targets").

use redline_sim::{
    Ladder, Lever, Levers, MonteCarloConfig, Summary, TensionRegime, no_progress, run_monte_carlo,
};

use crate::{load, shipped_scenarios};

fn summarise(name: &str, levers: Levers, runs: u64) -> Summary {
    let scenario = load(name);
    run_monte_carlo(
        &scenario,
        &Ladder::default_ladder(),
        &levers,
        &MonteCarloConfig { runs, seed: 2026 },
        &no_progress,
    )
}

/// Lonergan & Lonergan (2023): no peacetime cyber incident has led to military force. Every
/// shipped peace or competition scenario keeps P(kinetic) near zero; only the war regime gives it
/// a non-trivial probability (Israel 2019/2021).
#[test]
fn peacetime_incidents_do_not_lead_to_military_force() {
    let ladder = Ladder::default_ladder();
    let config = MonteCarloConfig {
        runs: 20_000,
        seed: 2026,
    };
    let mut saw_war = false;
    for scenario in shipped_scenarios() {
        let summary = run_monte_carlo(&scenario, &ladder, &Levers::NONE, &config, &no_progress);
        let kinetic = summary.probabilities.kinetic;
        if scenario.header.regime <= TensionRegime::Competition {
            assert!(
                kinetic.high < 0.002,
                "{}: P(kinetic) {:.5} [{:.5}, {:.5}] is not near zero",
                scenario.header.id,
                kinetic.estimate,
                kinetic.low,
                kinetic.high
            );
        } else if scenario.header.regime == TensionRegime::War {
            saw_war = true;
            assert!(
                kinetic.low > 0.01,
                "{}: wartime P(kinetic) {:.5} should be non-trivial",
                scenario.header.id,
                kinetic.estimate
            );
        }
    }
    assert!(saw_war, "the shipped scenarios include a wartime crisis");
}

/// EuRepoC: about 92 % of reported incidents draw no coded political or legal response.
#[test]
fn most_incidents_draw_no_political_or_legal_response() {
    let summary = summarise("peacetime-background", Levers::NONE, 20_000);
    let response = summary.probabilities.political_or_legal_response;
    assert!(
        response.high < 0.15,
        "response rate {:.4} is too high",
        response.estimate
    );
    assert!(
        response.low > 0.03,
        "response rate {:.4} is implausibly low",
        response.estimate
    );
}

/// EuRepoC: the response rate rises with intensity.
#[test]
fn response_rate_rises_with_severity() {
    let summary = summarise("peacetime-background", Levers::NONE, 40_000);
    let rows = &summary.response_by_severity;
    for pair in rows.windows(2) {
        assert!(
            pair[1].response.high >= pair[0].response.estimate,
            "response rate falls from level {} ({:.4}) to level {} ({:.4})",
            pair[0].level,
            pair[0].response.estimate,
            pair[1].level,
            pair[1].response.estimate
        );
    }
    let lowest = rows[0].response;
    let highest = rows[5].response;
    assert!(
        highest.low > 3.0 * lowest.high,
        "level 5 ({:.4}) should draw far more responses than level 0 ({:.4})",
        highest.estimate,
        lowest.estimate
    );
}

/// EuRepoC: political attribution median ~7.8 months; formal attributions in the incident set
/// take 4–8 months. Without shared attribution the median lag is months; with it, shorter.
#[test]
fn attribution_takes_months_without_shared_attribution() {
    for name in [
        "peacetime-background",
        "grid-outage-peacetime",
        "hospital-ransomware",
    ] {
        let summary = summarise(name, Levers::NONE, 5_000);
        let median = summary.attribution_lag_days.median;
        assert!(
            (90.0..=365.0).contains(&median),
            "{name}: median attribution lag {median:.1} days is not a matter of months"
        );
        let shared = summarise(name, Levers::only(Lever::SharedAttribution), 5_000);
        assert!(shared.attribution_lag_days.median < median);
    }
}

/// The highest peacetime responses are sanctions, expulsions and rarely severance: most runs
/// that respond at all stay at or below sanctions.
#[test]
fn peacetime_responses_mostly_stay_at_or_below_sanctions() {
    let summary = summarise("peacetime-background", Levers::NONE, 20_000);
    let responding = summary.probabilities.political_or_legal_response.count;
    let above_sanctions: u64 = summary
        .highest_rung
        .iter()
        .filter(|rung| rung.number > 8)
        .map(|rung| rung.share.count)
        .sum();
    assert!(
        (above_sanctions as f64) < 0.35 * responding as f64,
        "{above_sanctions} of {responding} responding runs went above sanctions"
    );
}

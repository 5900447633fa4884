//! Fuzz the scenario TOML parser: any input must give a scenario or a typed error, never a panic.
//! A parsed scenario must also survive a few simulated runs (the model must not panic on any
//! value validation lets through).

#![no_main]

use libfuzzer_sys::fuzz_target;
use redline_sim::{Ladder, Levers, MonteCarloConfig, no_progress, parse_scenario, run_monte_carlo};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_scenario(text) {
        Ok(scenario) => {
            let ladder = Ladder::default_ladder();
            let config = MonteCarloConfig { runs: 16, seed: 1 };
            let _ = run_monte_carlo(&scenario, &ladder, &Levers::NONE, &config, &no_progress);
            let _ = run_monte_carlo(&scenario, &ladder, &Levers::ALL, &config, &no_progress);
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});

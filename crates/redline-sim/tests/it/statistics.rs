//! Wilson score intervals and the normal quantile used for the draws.

use redline_sim::Proportion;
use redline_sim::model::inverse_normal_cdf;

fn close(left: f64, right: f64, tolerance: f64) -> bool {
    (left - right).abs() <= tolerance
}

#[test]
fn wilson_interval_matches_published_values() {
    // Reference values: Wilson (1927) score interval, z = 1.96 (e.g. Newcombe 1998, table I).
    let half = Proportion::wilson(5, 10);
    assert!(
        close(half.low, 0.2366, 1e-4) && close(half.high, 0.7634, 1e-4),
        "{half:?}"
    );
    let none = Proportion::wilson(0, 10);
    assert_eq!(none.low, 0.0);
    assert!(close(none.high, 0.2775, 1e-4), "{none:?}");
    let all = Proportion::wilson(10, 10);
    assert!(close(all.low, 0.7225, 1e-4) && all.high == 1.0, "{all:?}");
    let large = Proportion::wilson(81, 263);
    assert!(
        close(large.low, 0.2553, 1e-4) && close(large.high, 0.3662, 1e-4),
        "{large:?}"
    );
    let empty = Proportion::wilson(0, 0);
    assert_eq!((empty.low, empty.high), (0.0, 1.0));
}

#[test]
fn inverse_normal_cdf_is_accurate() {
    assert!(close(inverse_normal_cdf(0.5), 0.0, 1e-12));
    assert!(close(
        inverse_normal_cdf(0.975),
        1.959_963_984_540_054,
        1e-8
    ));
    assert!(close(
        inverse_normal_cdf(0.025),
        -1.959_963_984_540_054,
        1e-8
    ));
    assert!(close(
        inverse_normal_cdf(0.001),
        -3.090_232_306_167_813,
        1e-7
    ));
    assert!(inverse_normal_cdf(0.0).is_finite());
    assert!(inverse_normal_cdf(1.0).is_finite());
}

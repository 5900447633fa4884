//! The value axis's ticks: whole numbers at a "nice" step (1, 2 or 5 times a power of ten) from
//! zero to the first tick at or above the largest value, at most [`MOST_TICK_INTERVALS`]
//! intervals, each tick distinct (a largest value of 1 gives 0 and 1, never "0, 1, 1").

/// At most this many intervals between ticks (so at most one more tick).
pub const MOST_TICK_INTERVALS: u64 = 5;

/// The ticks of an integer axis whose largest value is `maximum`, from 0 up; the last is the
/// axis's top. A `maximum` of 0 is drawn as 0 to 1.
pub fn integer_ticks(maximum: u64) -> Vec<u64> {
    let maximum = maximum.max(1);
    let step = nice_step(maximum);
    let intervals = maximum.div_ceil(step);
    (0..=intervals)
        .map(|index| index.saturating_mul(step))
        .collect()
}

/// The smallest 1, 2 or 5 times a power of ten that covers `maximum` in at most
/// [`MOST_TICK_INTERVALS`] steps.
fn nice_step(maximum: u64) -> u64 {
    let mut power: u64 = 1;
    loop {
        for multiple in [1u64, 2, 5] {
            let step = multiple.saturating_mul(power);
            if maximum.div_ceil(step) <= MOST_TICK_INTERVALS {
                return step;
            }
        }
        match power.checked_mul(10) {
            Some(next) => power = next,
            None => return u64::MAX,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(maximum: u64, expect: &[u64]) {
        let ticks = integer_ticks(maximum);
        assert_eq!(ticks, expect, "maximum {maximum}");
        assert!(
            ticks.windows(2).all(|pair| pair[0] < pair[1]),
            "distinct, rising"
        );
        assert!(
            ticks.last().is_some_and(|top| *top >= maximum),
            "covers the maximum"
        );
    }

    #[test]
    fn ticks_are_whole_nice_and_distinct() {
        check(0, &[0, 1]);
        check(1, &[0, 1]);
        check(2, &[0, 1, 2]);
        check(3, &[0, 1, 2, 3]);
        check(5, &[0, 1, 2, 3, 4, 5]);
        check(6, &[0, 2, 4, 6]);
        check(7, &[0, 2, 4, 6, 8]);
        check(10, &[0, 2, 4, 6, 8, 10]);
        check(11, &[0, 5, 10, 15]);
        check(26, &[0, 10, 20, 30]);
        check(99, &[0, 20, 40, 60, 80, 100]);
        check(1234, &[0, 500, 1000, 1500]);
        assert_eq!(integer_ticks(u64::MAX).first(), Some(&0));
    }
}

//! The time axis's bins: a series of months (`YYYY-MM`, every month from the first to the last,
//! zero where nothing happened) is drawn month by month while it is short and dense, and year by
//! year when it spans more than three years or most of its months are empty, so a chart of
//! fifteen years is fifteen readable bars rather than a hundred and eighty one-pixel ones. The
//! rule lives here and only here.

/// How finely a time series is binned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeGranularity {
    /// One bin per month, labelled `YYYY-MM`.
    Month,
    /// One bin per year, labelled `YYYY`.
    Year,
}

/// A binned time series: its granularity and its bins (label and count), oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeBins {
    pub granularity: TimeGranularity,
    pub bins: Vec<(String, u64)>,
}

/// Past this many months, a series is binned by year.
pub const MOST_MONTHS_SHOWN: usize = 36;

/// Which granularity a month series is drawn at: by year when it has more than
/// [`MOST_MONTHS_SHOWN`] months or fewer than half of its months are non-zero.
pub fn granularity_for_months(months: &[(String, u64)]) -> TimeGranularity {
    let months_with_incidents = months.iter().filter(|(_, count)| *count > 0).count();
    let too_long = months.len() > MOST_MONTHS_SHOWN;
    let too_sparse = months_with_incidents * 2 < months.len();
    if too_long || too_sparse {
        TimeGranularity::Year
    } else {
        TimeGranularity::Month
    }
}

/// Bins a month series (`YYYY-MM`, oldest first, as the node fills it) at the granularity
/// [`granularity_for_months`] chooses; a year's bin is the sum of its months.
pub fn bin_months(months: &[(String, u64)]) -> TimeBins {
    let granularity = granularity_for_months(months);
    let bins = match granularity {
        TimeGranularity::Month => months.to_vec(),
        TimeGranularity::Year => sum_by_year(months),
    };
    TimeBins { granularity, bins }
}

/// Sums consecutive months of the same year (the text before the first `-`).
fn sum_by_year(months: &[(String, u64)]) -> Vec<(String, u64)> {
    let mut years: Vec<(String, u64)> = Vec::new();
    for (month, count) in months {
        let year = month
            .split_once('-')
            .map_or(month.as_str(), |(year, _)| year);
        match years.last_mut() {
            Some((last_year, total)) if last_year == year => *total += count,
            _ => years.push((year.to_string(), *count)),
        }
    }
    years
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `count` months from `first_year`-01, where `nonzero(index)` says which carry a count.
    fn months(
        first_year: i32,
        count: usize,
        nonzero: impl Fn(usize) -> bool,
    ) -> Vec<(String, u64)> {
        (0..count)
            .map(|index| {
                let year = first_year + (index / 12) as i32;
                let month = index % 12 + 1;
                (format!("{year:04}-{month:02}"), u64::from(nonzero(index)))
            })
            .collect()
    }

    fn check(input: &[(String, u64)], expect_granularity: TimeGranularity, expect_labels: &[&str]) {
        let binned = bin_months(input);
        assert_eq!(binned.granularity, expect_granularity, "{input:?}");
        let labels: Vec<&str> = binned
            .bins
            .iter()
            .map(|(label, _)| label.as_str())
            .collect();
        assert_eq!(labels, expect_labels, "{input:?}");
        let total_in: u64 = input.iter().map(|(_, count)| count).sum();
        let total_out: u64 = binned.bins.iter().map(|(_, count)| count).sum();
        assert_eq!(total_in, total_out, "binning keeps every incident");
    }

    #[test]
    fn months_are_binned_by_year_when_long_or_sparse() {
        use TimeGranularity::{Month, Year};
        check(&[], Month, &[]);
        check(&months(2021, 1, |_| true), Month, &["2021-01"]);
        check(
            &months(2021, 3, |_| true),
            Month,
            &["2021-01", "2021-02", "2021-03"],
        );
        // Half the months non-zero is still dense enough.
        check(
            &months(2021, 4, |index| index % 2 == 0),
            Month,
            &["2021-01", "2021-02", "2021-03", "2021-04"],
        );
        // Fewer than half: by year.
        check(
            &months(2021, 5, |index| index == 0 || index == 4),
            Year,
            &["2021"],
        );
        check(
            &months(2021, 14, |index| index != 5),
            Month,
            &[
                "2021-01", "2021-02", "2021-03", "2021-04", "2021-05", "2021-06", "2021-07",
                "2021-08", "2021-09", "2021-10", "2021-11", "2021-12", "2022-01", "2022-02",
            ],
        );
        // Exactly three years of dense months stay months; one more is by year.
        assert_eq!(bin_months(&months(2020, 36, |_| true)).bins.len(), 36);
        check(
            &months(2020, 37, |_| true),
            Year,
            &["2020", "2021", "2022", "2023"],
        );
        // The issue's case: April 2007 to February 2022, eight incidents.
        let mut issue = months(2007, 12 * 16, |_| false);
        issue.retain(|(month, _)| month.as_str() >= "2007-04" && month.as_str() <= "2022-02");
        for (month, count) in &mut issue {
            if [
                "2007-04", "2010-06", "2015-12", "2017-05", "2017-06", "2021-05", "2022-02",
            ]
            .contains(&month.as_str())
            {
                *count = 1;
            }
        }
        let expected_years: Vec<String> = (2007..=2022).map(|year| year.to_string()).collect();
        let expected_years: Vec<&str> = expected_years.iter().map(String::as_str).collect();
        check(&issue, Year, &expected_years);
        assert_eq!(bin_months(&issue).bins[10], ("2017".to_string(), 2));
    }
}

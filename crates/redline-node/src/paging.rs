//! Page sizes: the one rule every listing applies to how many items a caller asks for — at
//! least one, at most the listing's maximum — refused otherwise (never silently clamped, so a
//! caller that asked for `limit=0` or `limit=100000` learns it did not get what it asked for).

use crate::NodeError;

/// The largest page of a listing of incidents, hotline threads or communication checks.
pub const MAXIMUM_PAGE_SIZE: u32 = 500;

/// The largest page of a party's events (small rows a client reads to catch up).
pub const MAXIMUM_EVENTS_PAGE_SIZE: u32 = 1000;

/// `requested` if it is between 1 and `maximum`; otherwise the refusal, naming `limit`.
pub fn checked_page_size(requested: u32, maximum: u32) -> Result<u32, NodeError> {
    if requested == 0 || requested > maximum {
        return Err(NodeError::invalid(
            "limit",
            format!("must be between 1 and {maximum}"),
        ));
    }
    Ok(requested)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_size_from_one_to_the_maximum_is_taken_as_asked() {
        for requested in [1, 7, MAXIMUM_PAGE_SIZE] {
            assert!(matches!(
                checked_page_size(requested, MAXIMUM_PAGE_SIZE),
                Ok(size) if size == requested
            ));
        }
    }

    #[test]
    fn a_page_size_of_zero_or_past_the_maximum_is_refused_naming_limit() {
        for requested in [0, MAXIMUM_PAGE_SIZE + 1, u32::MAX] {
            match checked_page_size(requested, MAXIMUM_PAGE_SIZE) {
                Err(NodeError::Invalid(issues)) => assert_eq!(issues[0].path, "limit"),
                other => panic!("{requested} gave {other:?}"),
            }
        }
    }
}

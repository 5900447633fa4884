//! The case workflow: one test per row of the product status table (and every move the table
//! does not have is refused), who may take which action, every embargo change recorded, the
//! deadlines, and the publication rule.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use redline_disclosure::{
    ActionBody, CaseState, DisclosurePolicy, PRODUCT_STATUS_TRANSITIONS, ProductStatus,
    StatusCause, VendorDuty, WorkflowError, missed_deadlines, product_transition,
};
use serde_json::json;
use support::*;

fn product(state: &CaseState) -> ProductStatus {
    state.products[&("acme".to_string(), "gw".to_string())].status
}

fn try_move(
    from: ProductStatus,
    cause: StatusCause,
    to: ProductStatus,
) -> Result<CaseState, WorkflowError> {
    let (mut state, _) = reach(from);
    assert_eq!(product(&state), from);
    let action = action(state.case.id, COORDINATOR, body_for(to, cause));
    state
        .apply_action(&action, at("2026-10-01T00:00:00Z"))
        .map(|()| state)
}

/// One test per transition of the table, through the case's actions.
macro_rules! transition_test {
    ($name:ident, $from:ident, $cause:ident, $to:ident) => {
        #[test]
        fn $name() {
            assert!(PRODUCT_STATUS_TRANSITIONS.contains(&(
                ProductStatus::$from,
                StatusCause::$cause,
                ProductStatus::$to
            )));
            let state = try_move(
                ProductStatus::$from,
                StatusCause::$cause,
                ProductStatus::$to,
            )
            .expect("allowed by the table");
            assert_eq!(product(&state), ProductStatus::$to);
        }
    };
}

transition_test!(
    not_contacted_to_under_investigation_by_contact,
    NotContacted,
    Contact,
    UnderInvestigation
);
transition_test!(
    not_contacted_to_affected_by_report,
    NotContacted,
    Report,
    Affected
);
transition_test!(
    not_contacted_to_not_affected_by_report,
    NotContacted,
    Report,
    NotAffected
);
transition_test!(
    not_contacted_to_fixed_by_report,
    NotContacted,
    Report,
    Fixed
);
transition_test!(
    not_contacted_to_under_investigation_by_report,
    NotContacted,
    Report,
    UnderInvestigation
);
transition_test!(
    under_investigation_to_affected,
    UnderInvestigation,
    Report,
    Affected
);
transition_test!(
    under_investigation_to_not_affected,
    UnderInvestigation,
    Report,
    NotAffected
);
transition_test!(
    under_investigation_to_fixed,
    UnderInvestigation,
    Report,
    Fixed
);
transition_test!(
    under_investigation_to_unresponsive,
    UnderInvestigation,
    Unresponsive,
    Unresponsive
);
transition_test!(
    unresponsive_to_under_investigation,
    Unresponsive,
    Report,
    UnderInvestigation
);
transition_test!(unresponsive_to_affected, Unresponsive, Report, Affected);
transition_test!(
    unresponsive_to_not_affected,
    Unresponsive,
    Report,
    NotAffected
);
transition_test!(unresponsive_to_fixed, Unresponsive, Report, Fixed);
transition_test!(affected_to_fixed, Affected, Report, Fixed);
transition_test!(affected_to_not_affected, Affected, Report, NotAffected);
transition_test!(not_affected_to_affected, NotAffected, Report, Affected);
transition_test!(fixed_to_affected, Fixed, Report, Affected);

#[test]
fn the_table_has_one_test_per_row() {
    let source = include_str!("workflow.rs");
    let tests = source.matches("\ntransition_test!(").count();
    assert_eq!(tests, PRODUCT_STATUS_TRANSITIONS.len());
}

#[test]
fn every_move_the_table_does_not_have_is_refused_and_changes_nothing() {
    let causes = [
        StatusCause::Contact,
        StatusCause::Report,
        StatusCause::Unresponsive,
    ];
    for &from in ProductStatus::ALL {
        for cause in causes {
            for &to in ProductStatus::ALL {
                let in_table = PRODUCT_STATUS_TRANSITIONS.contains(&(from, cause, to));
                assert_eq!(
                    product_transition(from, cause, to).is_ok(),
                    in_table,
                    "{from:?} {cause:?} {to:?}"
                );
                if in_table {
                    continue;
                }
                // Through the case: the action either cannot be written (reporting
                // not-contacted or unresponsive), or is refused, and the state stays.
                let (state, _) = reach(from);
                let body = body_for(to, cause);
                let Ok(parsed) = redline_disclosure::DisclosureAction::parse(
                    &serde_json::to_vec(&json!({"v": 1, "id": uuid::Uuid::new_v4(), "case": state.case.id, "author": COORDINATOR, "action": body, "signed_at": "2026-09-02T09:00:00Z"})).unwrap(),
                ) else {
                    continue;
                };
                let mut moved = state.clone();
                match moved.apply_action(&parsed, at("2026-10-01T00:00:00Z")) {
                    Err(_) => assert_eq!(moved, state, "a refused action changed the case"),
                    // Contacting a vendor or marking it unresponsive moves only the products
                    // the table lets move; this product stayed.
                    Ok(()) => assert!(
                        product(&moved) == from
                            || PRODUCT_STATUS_TRANSITIONS.contains(&(from, cause, product(&moved))),
                        "{from:?} {cause:?} {to:?} moved to {:?}",
                        product(&moved)
                    ),
                }
            }
        }
    }
}

#[test]
fn dates_contacted_and_answered_are_kept_per_product() {
    let (state, _) = reach(ProductStatus::Affected);
    let product = &state.products[&("acme".to_string(), "gw".to_string())];
    assert_eq!(product.contacted_at, Some(at("2026-09-02T00:00:00Z")));
    assert_eq!(product.answered_at, Some(at("2026-09-03T00:00:00Z")));
    let (state, _) = reach(ProductStatus::UnderInvestigation);
    assert_eq!(
        state.products[&("acme".to_string(), "gw".to_string())].answered_at,
        None
    );
}

#[test]
fn only_the_coordinator_or_the_vendor_itself_may_act() {
    let mut state = open(&case_json(
        50,
        &[
            (
                "acme",
                Some("vendor-acme"),
                vec![("gw", purl("pkg:generic/acme/gateway@1"))],
            ),
            (
                "globex",
                Some("vendor-globex"),
                vec![("fw", purl("pkg:generic/globex/fw@1"))],
            ),
        ],
    ));
    let before = state.clone();
    let when = at("2026-09-05T00:00:00Z");
    for (author, body) in [
        ("vendor-globex", status("acme", "gw", "not-affected")),
        ("vendor-acme", contacted("acme")),
        (
            "vendor-acme",
            json!({"kind": "embargo-changed", "embargo_end": "2027-01-01T00:00:00Z", "reason": "more time"}),
        ),
        (
            "cert-de",
            json!({"kind": "cve-assigned", "cve": "CVE-2026-55555"}),
        ),
    ] {
        let error = state
            .apply_action(&action(state.case.id, author, body.clone()), when)
            .expect_err("not allowed");
        assert!(
            matches!(error, WorkflowError::NotAllowed(_)),
            "{body}: {error}"
        );
        assert_eq!(state, before);
    }
    state
        .apply_action(
            &action(state.case.id, "vendor-acme", status("acme", "gw", "fixed")),
            when,
        )
        .expect("its own product");
    assert_eq!(
        state.products[&("acme".to_string(), "gw".to_string())].status,
        ProductStatus::Fixed
    );
}

#[test]
fn every_embargo_change_is_recorded_with_its_reason_and_the_case_is_public_only_after_it() {
    let mut state = open(&case_json(
        51,
        &[(
            "acme",
            None,
            vec![("gw", purl("pkg:generic/acme/gateway@1"))],
        )],
    ));
    assert!(!state.is_public(at("2026-11-30T07:59:59Z")));
    assert!(state.is_public(at("2026-11-30T08:00:00Z")));
    for (index, to) in ["2026-12-15T00:00:00Z", "2026-12-01T00:00:00Z"]
        .iter()
        .enumerate()
    {
        let action = redline_disclosure::DisclosureAction {
            v: 1,
            id: uuid::Uuid::new_v4(),
            case: state.case.id,
            author: party(COORDINATOR),
            action: embargo_change(to),
            signed_at: at("2026-10-01T00:00:00Z"),
        };
        state
            .apply_action(&action, at("2026-10-01T00:00:00Z"))
            .unwrap();
        assert_eq!(state.embargo_changes.len(), index + 1);
        assert_eq!(state.embargo_end, at(to));
    }
    assert_eq!(state.embargo_changes[0].from, at("2026-11-30T08:00:00Z"));
    assert_eq!(state.embargo_changes[1].from, at("2026-12-15T00:00:00Z"));
    assert!(
        !state.is_public(at("2026-11-30T09:00:00Z")),
        "moved later: not public at the old end"
    );
    // Once public, never embargoed again.
    let late = redline_disclosure::DisclosureAction {
        v: 1,
        id: uuid::Uuid::new_v4(),
        case: state.case.id,
        author: party(COORDINATOR),
        action: embargo_change("2027-02-01T00:00:00Z"),
        signed_at: at("2026-12-02T00:00:00Z"),
    };
    let error = state
        .apply_action(&late, at("2026-12-02T00:00:00Z"))
        .expect_err("public already");
    assert!(matches!(error, WorkflowError::Conflict(_)), "{error}");
    // A new case version cannot move the embargo by itself.
    let mut next = state.case.clone();
    next.version = 2;
    next.embargo_end = at("2027-03-01T00:00:00Z");
    let error = state
        .clone()
        .apply_version(next, at("2026-10-02T00:00:00Z"))
        .expect_err("embargo kept");
    assert!(error.to_string().contains("embargo-changed"), "{error}");
}

#[test]
fn a_new_version_keeps_every_vendor_and_product_and_may_add_some() {
    let mut state = open(&case_json(
        52,
        &[(
            "acme",
            None,
            vec![("gw", purl("pkg:generic/acme/gateway@1"))],
        )],
    ));
    let mut without = state.case.clone();
    without.version = 2;
    without.vendors[0].products[0].id = "other".into();
    assert!(
        state
            .clone()
            .apply_version(without, at("2026-10-02T00:00:00Z"))
            .is_err()
    );
    let mut added = state.case.clone();
    added.version = 2;
    let mut vendor = added.vendors[0].clone();
    vendor.id = "globex".into();
    added.vendors.push(vendor);
    state
        .apply_version(added, at("2026-10-02T00:00:00Z"))
        .expect("adds a vendor");
    assert_eq!(
        state.products[&("globex".to_string(), "gw".to_string())].status,
        ProductStatus::NotContacted
    );
}

#[test]
fn missed_deadlines_follow_the_policy_and_an_answer_meets_them() {
    let policy = DisclosurePolicy::default();
    assert_eq!(policy.embargo_days, 90);
    let (state, _) = reach(ProductStatus::UnderInvestigation);
    // Contacted 2026-09-02: acknowledgement due 09-09, status due 10-02.
    assert!(missed_deadlines(&state, &policy, at("2026-09-09T00:00:00Z")).is_empty());
    let missed = missed_deadlines(&state, &policy, at("2026-09-09T00:00:01Z"));
    assert_eq!(
        missed
            .iter()
            .map(|deadline| deadline.duty)
            .collect::<Vec<_>>(),
        vec![VendorDuty::Acknowledgement]
    );
    assert_eq!(
        missed_deadlines(&state, &policy, at("2026-10-03T00:00:00Z")).len(),
        2
    );
    let (state, _) = reach(ProductStatus::Affected);
    assert!(missed_deadlines(&state, &policy, at("2027-01-01T00:00:00Z")).is_empty());
    assert_eq!(
        policy.default_embargo_end(at("2026-09-01T00:00:00Z")),
        Some(at("2026-11-30T00:00:00Z"))
    );
}

#[test]
fn an_action_on_another_case_or_an_unknown_vendor_is_refused() {
    let (mut state, _) = reach(ProductStatus::NotContacted);
    let other = action(uuid::Uuid::from_u128(7), COORDINATOR, contacted("acme"));
    assert!(
        state
            .apply_action(&other, at("2026-09-03T00:00:00Z"))
            .unwrap_err()
            .to_string()
            .contains("case")
    );
    let unknown = action(state.case.id, COORDINATOR, contacted("nobody"));
    let error = state
        .apply_action(&unknown, at("2026-09-03T00:00:00Z"))
        .unwrap_err();
    assert!(error.to_string().contains("nobody"), "{error}");
    let _: Option<ActionBody> = None;
}

//! The corpus of disclosure cases the tests share: twelve cases, seven with several vendors,
//! every product status, purl and CPE identifiers, with and without CVSS 3.1, CWE and CVE,
//! anonymous and named reporters.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use redline_disclosure::{
    ActionBody, CaseState, DisclosureAction, DisclosureCase, PRODUCT_STATUS_TRANSITIONS,
    ProductStatus,
};
use redline_model::{PartyId, Timestamp};
use serde_json::{Value, json};
use uuid::Uuid;

pub const COORDINATOR: &str = "cert-eu";

/// A vendor as the corpus writes it: id, party (or an outside vendor), products with their
/// identifier JSON.
pub type VendorSpec<'a> = (&'a str, Option<&'a str>, Vec<(&'a str, Value)>);

pub fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("test time")
}

pub fn party(id: &str) -> PartyId {
    PartyId::parse(id).expect("test party")
}

/// A case version's JSON with `vendors` (each `(id, party or None, products as (id, identifier
/// JSON))`).
pub fn case_json(number: u128, vendors: &[VendorSpec<'_>]) -> Value {
    let vendors: Vec<Value> = vendors
        .iter()
        .map(|(id, party, products)| {
            let mut vendor = json!({
                "id": id,
                "name": format!("{} Corporation", id.to_uppercase()),
                "products": products.iter().map(|(product, identifier)| json!({
                    "id": product, "name": format!("{} {}", id, product), "identifier": identifier,
                })).collect::<Vec<_>>(),
            });
            match party {
                Some(party) => vendor["party"] = json!(party),
                None => vendor["contact"] = json!(format!("security@{id}.example")),
            }
            vendor
        })
        .collect();
    json!({
        "v": 1,
        "id": Uuid::from_u128(number),
        "version": 1,
        "title": format!("Vulnerability {number} in a widely used component"),
        "description": "An unauthenticated attacker on the network can take over the management interface.",
        "coordinator": COORDINATOR,
        "reporter": {"name": "Example Research Lab", "anonymous_to_vendors": false},
        "vendors": vendors,
        "cvss_v4": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "reported_at": "2026-09-01T08:00:00Z",
        "embargo_end": "2026-11-30T08:00:00Z",
        "signed_at": "2026-09-01T09:00:00Z",
    })
}

pub fn purl(text: &str) -> Value {
    json!({"purl": text})
}

pub fn cpe(text: &str) -> Value {
    json!({"cpe": text})
}

pub fn action(case: Uuid, author: &str, body: Value) -> DisclosureAction {
    DisclosureAction::parse(
        &serde_json::to_vec(&json!({
            "v": 1, "id": Uuid::new_v4(), "case": case, "author": author,
            "action": body, "signed_at": "2026-09-02T09:00:00Z",
        }))
        .unwrap(),
    )
    .expect("a valid test action")
}

pub fn open(case: &Value) -> CaseState {
    let case =
        DisclosureCase::parse(&serde_json::to_vec(case).unwrap()).expect("a valid test case");
    CaseState::open(case, at("2026-09-01T09:00:00Z")).expect("opens")
}

/// Applies `(author, body)` actions in order, a day apart.
pub fn apply(state: &mut CaseState, actions: &[(&str, Value)]) {
    for (index, (author, body)) in actions.iter().enumerate() {
        let when = at("2026-09-02T00:00:00Z")
            .plus_seconds(86_400 * index as i64)
            .unwrap();
        let action = action(state.case.id, author, body.clone());
        state
            .apply_action(&action, when)
            .unwrap_or_else(|error| panic!("{body}: {error}"));
    }
}

pub fn contacted(vendor: &str) -> Value {
    json!({"kind": "vendor-contacted", "vendor": vendor})
}

pub fn status(vendor: &str, product: &str, status: &str) -> Value {
    json!({"kind": "product-status", "vendor": vendor, "product": product, "status": status})
}

pub fn status_with(vendor: &str, product: &str, status: &str, statement: &str) -> Value {
    json!({"kind": "product-status", "vendor": vendor, "product": product, "status": status, "statement": statement})
}

/// The twelve corpus cases as the node would hold them after their actions.
pub fn corpus() -> Vec<CaseState> {
    let mut cases = Vec::new();

    // 1. One vendor, one product, affected, CVSS 3.1, CWE, CVE.
    let mut case = case_json(
        1,
        &[(
            "acme",
            None,
            vec![("gw-420", purl("pkg:generic/acme/gateway@4.2.0"))],
        )],
    );
    case["cvss_v3"] = json!("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    case["cwe"] = json!({"id": "CWE-287", "name": "Improper Authentication"});
    case["cve"] = json!("CVE-2026-10001");
    let mut state = open(&case);
    apply(
        &mut state,
        &[
            (COORDINATOR, contacted("acme")),
            (
                COORDINATOR,
                status_with(
                    "acme",
                    "gw-420",
                    "affected",
                    "Restrict the management interface to a trusted network.",
                ),
            ),
        ],
    );
    cases.push(state);

    // 2. Three vendors (two parties, one outside), affected, fixed, not affected.
    let case = case_json(
        2,
        &[
            (
                "acme",
                Some("vendor-acme"),
                vec![
                    ("gw-420", purl("pkg:generic/acme/gateway@4.2.0")),
                    ("gw-421", purl("pkg:generic/acme/gateway@4.2.1")),
                ],
            ),
            (
                "globex",
                Some("vendor-globex"),
                vec![(
                    "router",
                    cpe("cpe:2.3:o:globex:router_os:7.1:*:*:*:*:*:*:*"),
                )],
            ),
            (
                "initech",
                None,
                vec![("tps", purl("pkg:pypi/initech-tps@2.0.0"))],
            ),
        ],
    );
    let mut state = open(&case);
    apply(
        &mut state,
        &[
            (COORDINATOR, contacted("acme")),
            (COORDINATOR, contacted("globex")),
            (COORDINATOR, contacted("initech")),
            ("vendor-acme", status("acme", "gw-420", "affected")),
            (
                "vendor-acme",
                status_with("acme", "gw-421", "fixed", "Update to 4.2.1."),
            ),
            (
                "vendor-globex",
                status_with(
                    "globex",
                    "router",
                    "not-affected",
                    "The vulnerable module is not shipped.",
                ),
            ),
            (COORDINATOR, status("initech", "tps", "affected")),
        ],
    );
    cases.push(state);

    // 3. Two vendors, one unresponsive; CWE-79 with its long name.
    let mut case = case_json(
        3,
        &[
            (
                "umbrella",
                None,
                vec![("portal", purl("pkg:npm/%40umbrella/portal@1.0.0"))],
            ),
            (
                "hooli",
                None,
                vec![("mail", cpe("cpe:2.3:a:hooli:mail:3.0:*:*:*:*:*:*:*"))],
            ),
        ],
    );
    case["cwe"] = json!({"id": "CWE-787", "name": "Out-of-bounds Write"});
    let mut state = open(&case);
    apply(
        &mut state,
        &[
            (COORDINATOR, contacted("umbrella")),
            (COORDINATOR, contacted("hooli")),
            (COORDINATOR, status("umbrella", "portal", "affected")),
            (
                COORDINATOR,
                json!({"kind": "vendor-unresponsive", "vendor": "hooli"}),
            ),
        ],
    );
    cases.push(state);

    // 4. One vendor, still under investigation at the embargo's end.
    let state = {
        let mut state = open(&case_json(
            4,
            &[(
                "stark",
                None,
                vec![("suit", purl("pkg:maven/com.stark/suit@3.0"))],
            )],
        ));
        apply(&mut state, &[(COORDINATOR, contacted("stark"))]);
        state
    };
    cases.push(state);

    // 5. Never contacted (status unknown) beside an answered vendor.
    let mut state = open(&case_json(
        5,
        &[
            (
                "wayne",
                None,
                vec![("cave", purl("pkg:cargo/wayne-cave@0.9.1"))],
            ),
            (
                "oscorp",
                None,
                vec![("glider", cpe("cpe:2.3:h:oscorp:glider:2:*:*:*:*:*:*:*"))],
            ),
        ],
    ));
    apply(
        &mut state,
        &[
            (COORDINATOR, contacted("wayne")),
            (COORDINATOR, status("wayne", "cave", "fixed")),
        ],
    );
    cases.push(state);

    // 6. Anonymous reporter, a party reporter, CVSS 3.1 with only fixed products (no score).
    let mut case = case_json(
        6,
        &[(
            "tyrell",
            None,
            vec![(
                "replicant",
                purl("pkg:golang/github.com/tyrell/replicant@v1.2.3"),
            )],
        )],
    );
    case["reporter"] = json!({"party": "cert-de", "anonymous_to_vendors": true});
    case["cvss_v3"] = json!("CVSS:3.1/AV:L/AC:H/PR:L/UI:R/S:U/C:L/I:L/A:N");
    let mut state = open(&case);
    apply(
        &mut state,
        &[
            (COORDINATOR, contacted("tyrell")),
            (COORDINATOR, status("tyrell", "replicant", "fixed")),
        ],
    );
    cases.push(state);

    // 7. Five vendors, mixed statuses, CVE and CWE.
    let mut case = case_json(
        7,
        &[
            (
                "v1",
                None,
                vec![("a", purl("pkg:deb/debian/openssl@3.0.11"))],
            ),
            (
                "v2",
                None,
                vec![("b", purl("pkg:rpm/fedora/openssl@3.1.1"))],
            ),
            (
                "v3",
                None,
                vec![("c", cpe("cpe:2.3:a:v3:libssl:3.0:*:*:*:*:*:*:*"))],
            ),
            (
                "v4",
                None,
                vec![("d", purl("pkg:apk/alpine/openssl@3.1.4"))],
            ),
            ("v5", None, vec![("e", purl("pkg:conan/openssl@3.0.0"))]),
        ],
    );
    case["cwe"] = json!({"id": "CWE-416", "name": "Use After Free"});
    case["cve"] = json!("CVE-2026-10007");
    case["cvss_v4"] = json!("CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N/E:P");
    let mut state = open(&case);
    apply(
        &mut state,
        &[
            (COORDINATOR, contacted("v1")),
            (COORDINATOR, contacted("v2")),
            (COORDINATOR, contacted("v3")),
            (COORDINATOR, contacted("v4")),
            (COORDINATOR, status("v1", "a", "affected")),
            (COORDINATOR, status("v1", "a", "fixed")),
            (COORDINATOR, status("v2", "b", "affected")),
            (COORDINATOR, status("v3", "c", "not-affected")),
            (
                COORDINATOR,
                json!({"kind": "vendor-unresponsive", "vendor": "v4"}),
            ),
        ],
    );
    cases.push(state);

    // 8. A correction: not affected, then affected after all; CVSS 3.1 scored.
    let mut case = case_json(
        8,
        &[(
            "cyberdyne",
            None,
            vec![
                (
                    "skynet",
                    cpe("cpe:2.3:a:cyberdyne:skynet:1.0:*:*:*:*:*:*:*"),
                ),
                ("t800", cpe("cpe:2.3:h:cyberdyne:t800:-:*:*:*:*:*:*:*")),
            ],
        )],
    );
    case["cvss_v3"] = json!("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H");
    case["cwe"] = json!({"id": "CWE-502", "name": "Deserialization of Untrusted Data"});
    let mut state = open(&case);
    apply(
        &mut state,
        &[
            (COORDINATOR, contacted("cyberdyne")),
            (COORDINATOR, status("cyberdyne", "skynet", "not-affected")),
            (
                COORDINATOR,
                status_with(
                    "cyberdyne",
                    "skynet",
                    "affected",
                    "Disable remote deserialisation.",
                ),
            ),
            (COORDINATOR, status("cyberdyne", "t800", "not-affected")),
        ],
    );
    cases.push(state);

    // 9. A late answer after being marked unresponsive; embargo moved.
    let mut state = open(&case_json(
        9,
        &[
            (
                "soylent",
                None,
                vec![("green", purl("pkg:nuget/Soylent.Green@1.0.0"))],
            ),
            (
                "weyland",
                None,
                vec![("nostromo", purl("pkg:gem/nostromo@2.1.0"))],
            ),
        ],
    ));
    apply(
        &mut state,
        &[
            (COORDINATOR, contacted("soylent")),
            (COORDINATOR, contacted("weyland")),
            (
                COORDINATOR,
                json!({"kind": "vendor-unresponsive", "vendor": "soylent"}),
            ),
            (COORDINATOR, status("soylent", "green", "affected")),
            (COORDINATOR, status("weyland", "nostromo", "fixed")),
            (
                COORDINATOR,
                json!({"kind": "embargo-changed", "embargo_end": "2026-12-15T12:00:00Z", "reason": "Weyland asked for two more weeks to ship."}),
            ),
            (
                COORDINATOR,
                json!({"kind": "cve-assigned", "cve": "CVE-2026-10009"}),
            ),
        ],
    );
    cases.push(state);

    // 10. Twenty vendors, one product each, alternating statuses.
    let vendor_ids: Vec<String> = (0..20).map(|index| format!("vendor-{index:02}")).collect();
    let vendors: Vec<VendorSpec<'_>> = vendor_ids
        .iter()
        .map(|id| {
            (
                id.as_str(),
                None,
                vec![("fw", purl(&format!("pkg:generic/{id}/firmware@1.0")))],
            )
        })
        .collect();
    let mut state = open(&case_json(10, &vendors));
    let mut actions = Vec::new();
    for (index, id) in vendor_ids.iter().enumerate() {
        actions.push((COORDINATOR, contacted(id)));
        let word = ["affected", "not-affected", "fixed", "under-investigation"][index % 4];
        if word != "under-investigation" {
            actions.push((COORDINATOR, status(id, "fw", word)));
        }
    }
    apply(&mut state, &actions);
    cases.push(state);

    // 11. A vendor with three product versions, mixed.
    let mut case = case_json(
        11,
        &[(
            "contoso",
            None,
            vec![
                ("srv-1", cpe("cpe:2.3:a:contoso:server:1.0:*:*:*:*:*:*:*")),
                ("srv-2", cpe("cpe:2.3:a:contoso:server:2.0:*:*:*:*:*:*:*")),
                ("srv-3", cpe("cpe:2.3:a:contoso:server:3.0:*:*:*:*:*:*:*")),
            ],
        )],
    );
    case["cwe"] = json!({"id": "CWE-306", "name": "Missing Authentication for Critical Function"});
    case["cvss_v3"] = json!("CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N");
    let mut state = open(&case);
    apply(
        &mut state,
        &[
            (COORDINATOR, contacted("contoso")),
            (COORDINATOR, status("contoso", "srv-1", "affected")),
            (
                COORDINATOR,
                status_with("contoso", "srv-2", "fixed", "Fixed in 2.0.4."),
            ),
            (COORDINATOR, status("contoso", "srv-3", "not-affected")),
        ],
    );
    cases.push(state);

    // 12. Two vendor parties, one acknowledges and reports, one only acknowledges.
    let mut state = open(&case_json(
        12,
        &[
            (
                "acme",
                Some("vendor-acme"),
                vec![("app", purl("pkg:docker/acme/app@1.4.0"))],
            ),
            (
                "globex",
                Some("vendor-globex"),
                vec![("agent", purl("pkg:github/globex/agent@2.0.0"))],
            ),
        ],
    ));
    apply(
        &mut state,
        &[
            (COORDINATOR, contacted("acme")),
            (COORDINATOR, contacted("globex")),
            (
                "vendor-acme",
                json!({"kind": "vendor-acknowledged", "vendor": "acme"}),
            ),
            (
                "vendor-globex",
                json!({"kind": "vendor-acknowledged", "vendor": "globex"}),
            ),
            ("vendor-acme", status("acme", "app", "affected")),
        ],
    );
    cases.push(state);

    cases
}

/// Every status a product can be in, reached from a fresh case, with the actions that got it
/// there.
pub fn reach(wanted: ProductStatus) -> (CaseState, Vec<(&'static str, Value)>) {
    let mut state = open(&case_json(
        99,
        &[(
            "acme",
            None,
            vec![("gw", purl("pkg:generic/acme/gateway@1"))],
        )],
    ));
    let path: Vec<(&'static str, Value)> = match wanted {
        ProductStatus::NotContacted => vec![],
        ProductStatus::UnderInvestigation => vec![(COORDINATOR, contacted("acme"))],
        ProductStatus::Unresponsive => vec![
            (COORDINATOR, contacted("acme")),
            (
                COORDINATOR,
                json!({"kind": "vendor-unresponsive", "vendor": "acme"}),
            ),
        ],
        other => vec![
            (COORDINATOR, contacted("acme")),
            (COORDINATOR, status("acme", "gw", other.as_str())),
        ],
    };
    apply(&mut state, &path);
    let _ = PRODUCT_STATUS_TRANSITIONS;
    (state, path)
}

/// The action that tries to move the corpus product `acme/gw` to `to` by `cause`'s route.
pub fn body_for(to: ProductStatus, cause: redline_disclosure::StatusCause) -> Value {
    match cause {
        redline_disclosure::StatusCause::Contact => contacted("acme"),
        redline_disclosure::StatusCause::Unresponsive => {
            json!({"kind": "vendor-unresponsive", "vendor": "acme"})
        }
        redline_disclosure::StatusCause::Report => status("acme", "gw", to.as_str()),
    }
}

pub fn embargo_change(to: &str) -> ActionBody {
    ActionBody::EmbargoChanged {
        embargo_end: at(to),
        reason: "the vendor needs more time".into(),
    }
}

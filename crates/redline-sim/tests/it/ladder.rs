//! The ladder is data: the default one, and plugged-in ones.

use redline_sim::{
    Ladder, LadderError, Levers, MonteCarloConfig, Rung, RungKind, no_progress, run_monte_carlo,
};

fn rung(number: u8, id: &str, kind: RungKind) -> Rung {
    Rung {
        number,
        id: id.to_owned(),
        title: id.to_owned(),
        kind,
    }
}

#[test]
fn default_ladder_is_the_fifteen_plus_one_rungs() {
    let ladder = Ladder::default_ladder();
    assert_eq!(ladder.len(), 16);
    assert_eq!(ladder.first_response_rung(), 3);
    assert_eq!(ladder.first_military_rung(), 13);
    assert_eq!(ladder.first_kinetic_rung(), 14);
    assert_eq!(ladder.rung(2).unwrap().id, "hotline-inquiry");
    assert_eq!(ladder.rung(11).unwrap().id, "severance");
    assert_eq!(ladder.scale_from_default(11), 11);
}

#[test]
fn a_shorter_ladder_can_be_plugged_in() {
    let ladder = Ladder::new(vec![
        rung(0, "observe", RungKind::Passive),
        rung(1, "inquiry", RungKind::Cooperative),
        rung(2, "statement", RungKind::Diplomatic),
        rung(3, "sanctions", RungKind::Economic),
        rung(4, "countermeasure", RungKind::Cyber),
        rung(5, "signalling", RungKind::Military),
        rung(6, "strike", RungKind::Kinetic),
    ])
    .unwrap();
    let scenario = crate::load("armed-conflict-crisis");
    let summary = run_monte_carlo(
        &scenario,
        &ladder,
        &Levers::NONE,
        &MonteCarloConfig {
            runs: 3_000,
            seed: 1,
        },
        &no_progress,
    );
    assert_eq!(summary.highest_rung.len(), 7);
    assert_eq!(summary.highest_rung[6].id, "strike");
    let total: u64 = summary
        .highest_rung
        .iter()
        .map(|rung| rung.share.count)
        .sum();
    assert_eq!(total, 3_000);
    assert!(summary.probabilities.kinetic.count > 0);
}

#[test]
fn bad_ladders_are_rejected() {
    assert_eq!(
        Ladder::new(vec![rung(0, "a", RungKind::Passive)]),
        Err(LadderError::TooFewRungs { count: 1 })
    );
    let misnumbered = vec![
        rung(0, "a", RungKind::Passive),
        rung(2, "b", RungKind::Diplomatic),
        rung(3, "c", RungKind::Military),
        rung(4, "d", RungKind::Kinetic),
    ];
    assert_eq!(
        Ladder::new(misnumbered),
        Err(LadderError::BadNumbering {
            position: 1,
            number: 2
        })
    );
    let no_kinetic = vec![
        rung(0, "a", RungKind::Passive),
        rung(1, "b", RungKind::Diplomatic),
        rung(2, "c", RungKind::Economic),
        rung(3, "d", RungKind::Military),
    ];
    assert_eq!(
        Ladder::new(no_kinetic),
        Err(LadderError::MissingKind { kind: "kinetic" })
    );
    let kinetic_first = vec![
        rung(0, "a", RungKind::Kinetic),
        rung(1, "b", RungKind::Diplomatic),
        rung(2, "c", RungKind::Military),
        rung(3, "d", RungKind::Kinetic),
    ];
    assert!(matches!(
        Ladder::new(kinetic_first),
        Err(LadderError::KindOrder { number: 1, .. })
    ));
}

/// Every shipped norms document's `[[rung]]` list is a ladder the simulator accepts: its three
/// firebreaks fall on the document's first unfriendly act, its first military rung and its
/// first self-defence rung, in that order, and a run names the document's own rungs. (Since the
/// baseline 2.0 puts peaceful settlement and the IHL rung among the cooperative options, its
/// ladder is longer than the default one, so runs on it no longer give the default's outcomes.)
#[test]
fn the_ladder_of_every_shipped_norms_document_plugs_in() {
    for name in ["baseline", "sovereignty-as-principle", "sovereignty-strict"] {
        let shipped = redline_norms::shipped_document(name).unwrap();
        let document =
            redline_norms::document::NormsDocument::parse(shipped.text, shipped.file_name).unwrap();
        let ladder = Ladder::from_norms_document(&document).unwrap();
        assert_eq!(ladder.len(), document.rungs.len(), "{name}");
        let number_of = |id: &str| {
            document
                .rungs
                .iter()
                .find(|rung| rung.id == id)
                .map(|rung| u8::try_from(rung.number).unwrap())
                .unwrap()
        };
        assert_eq!(
            ladder.first_response_rung(),
            number_of("private-demarche"),
            "{name}"
        );
        assert_eq!(
            ladder.first_military_rung(),
            number_of("military-signalling"),
            "{name}"
        );
        assert_eq!(
            ladder.first_kinetic_rung(),
            number_of("limited-self-defence"),
            "{name}"
        );
        assert!(ladder.first_response_rung() < ladder.first_military_rung());
        assert!(ladder.first_military_rung() < ladder.first_kinetic_rung());

        let scenario = crate::load("grid-outage-peacetime");
        let config = MonteCarloConfig {
            runs: 2_000,
            seed: 7,
        };
        let on_document = run_monte_carlo(&scenario, &ladder, &Levers::NONE, &config, &no_progress);
        let total: u64 = on_document
            .highest_rung
            .iter()
            .map(|rung| rung.share.count)
            .sum();
        assert_eq!(total, 2_000, "{name}");
        assert_eq!(on_document.highest_rung[2].id, document.rungs[2].id);
    }
}

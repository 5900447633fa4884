//! Standard forms in the six UN languages: one snapshot per kind with all six renderings.

use redline_hotline::forms::check_resources;
use redline_hotline::message::ResponseBody;
use redline_hotline::{FormLanguage, MessageBody, MessageKind, TextDirection, render_form};

use crate::support::*;

#[test]
fn every_resource_parses_and_has_every_message() {
    check_resources().unwrap();
}

#[test]
fn one_form_per_kind_in_all_six_languages() {
    for &kind in MessageKind::ALL {
        let message = sample_message(kind);
        let renderings: Vec<String> = FormLanguage::ALL
            .iter()
            .map(|language| {
                let form = render_form(&message, *language).unwrap();
                format!(
                    "=== {} ({}) ===\n{}",
                    language.tag(),
                    form.direction.as_html_dir(),
                    form.to_plain_text()
                )
            })
            .collect();
        insta::assert_snapshot!(kind.as_str(), renderings.join("\n\n"));
    }
}

#[test]
fn arabic_is_right_to_left_and_isolates_latin_ids() {
    let form = render_form(
        &sample_message(MessageKind::Acknowledgement),
        FormLanguage::Arabic,
    )
    .unwrap();
    assert_eq!(form.direction, TextDirection::RightToLeft);
    assert!(form.standard_text[0].contains("\u{2068}EE\u{2069}"));
    for language in FormLanguage::ALL {
        let expected = if language == FormLanguage::Arabic {
            TextDirection::RightToLeft
        } else {
            TextDirection::LeftToRight
        };
        assert_eq!(language.direction(), expected);
    }
}

#[test]
fn free_text_passes_through_unchanged() {
    let written = "Nous enquêtons — { $from } n'est pas une variable ; مرحبا ‏RLM‏ \u{202E}override 🚨\n  two lines";
    let mut message = sample_message(MessageKind::Response);
    message.body = MessageBody::Response(ResponseBody {
        to: uuid(1001),
        text: written.to_string(),
    });
    for language in FormLanguage::ALL {
        let form = render_form(&message, language).unwrap();
        assert_eq!(form.free_text.len(), 1);
        assert_eq!(form.free_text[0].entries, vec![written.to_string()]);
    }
}

#[test]
fn exercises_carry_a_banner() {
    let mut message = sample_message(MessageKind::CommunicationCheck);
    assert_eq!(
        render_form(&message, FormLanguage::English)
            .unwrap()
            .exercise_banner,
        None
    );
    message.exercise = true;
    for language in FormLanguage::ALL {
        let form = render_form(&message, language).unwrap();
        assert!(form.exercise_banner.is_some(), "{}", language.tag());
        assert!(
            form.to_plain_text()
                .starts_with(form.exercise_banner.as_deref().unwrap())
        );
    }
}

#[test]
fn the_language_is_chosen_from_the_recipients_preferences() {
    let tags = |tags: &[&str]| tags.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(
        FormLanguage::choose(&tags(&["et", "ru"])),
        FormLanguage::Russian
    );
    assert_eq!(
        FormLanguage::choose(&tags(&["zh-Hans-CN"])),
        FormLanguage::Chinese
    );
    assert_eq!(
        FormLanguage::choose(&tags(&["fr_CA"])),
        FormLanguage::French
    );
    assert_eq!(FormLanguage::choose(&tags(&["AR"])), FormLanguage::Arabic);
    assert_eq!(FormLanguage::choose(&tags(&["et"])), FormLanguage::English);
    assert_eq!(FormLanguage::choose(&[]), FormLanguage::English);
}

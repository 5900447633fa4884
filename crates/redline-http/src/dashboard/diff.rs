//! The difference between two versions of a norms document, line by line (the `similar`
//! crate's Myers diff, given a time budget), with unchanged stretches folded to a few lines of
//! context.

use std::time::{Duration, Instant};

use similar::{Algorithm, DiffTag, capture_diff_slices_deadline};

/// One line of a difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DiffLine {
    /// `"-"` removed, `"+"` added, `" "` unchanged, `"…"` folded context.
    pub(crate) mark: &'static str,
    pub(crate) text: String,
}

/// How long the diff may search for the smallest difference; past it, `similar` settles for a
/// larger but still correct one, so a huge document cannot hold a request.
const DIFF_TIME_BUDGET: Duration = Duration::from_millis(500);

pub(crate) fn line_diff(old: &str, new: &str, context: usize) -> Vec<DiffLine> {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let marked = marked_lines(&old_lines, &new_lines);
    fold(&marked, context)
}

/// Every line of both texts in order, marked unchanged, removed or added (removals before the
/// additions that replace them).
fn marked_lines<'a>(old_lines: &[&'a str], new_lines: &[&'a str]) -> Vec<(&'static str, &'a str)> {
    let deadline = Instant::now() + DIFF_TIME_BUDGET;
    let operations =
        capture_diff_slices_deadline(Algorithm::Myers, old_lines, new_lines, Some(deadline));
    let mut lines = Vec::with_capacity(old_lines.len().max(new_lines.len()));
    for operation in operations {
        let (tag, old_range, new_range) = operation.as_tag_tuple();
        match tag {
            DiffTag::Equal => lines.extend(old_lines[old_range].iter().map(|text| (" ", *text))),
            DiffTag::Delete | DiffTag::Insert | DiffTag::Replace => {
                lines.extend(old_lines[old_range].iter().map(|text| ("-", *text)));
                lines.extend(new_lines[new_range].iter().map(|text| ("+", *text)));
            }
        }
    }
    lines
}

fn fold(lines: &[(&'static str, &str)], context: usize) -> Vec<DiffLine> {
    let changed: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, (mark, _))| *mark != " ")
        .map(|(index, _)| index)
        .collect();
    let near_change = |index: usize| {
        changed
            .iter()
            .any(|&position| position.abs_diff(index) <= context)
    };
    let mut result: Vec<DiffLine> = Vec::new();
    for (index, (mark, text)) in lines.iter().enumerate() {
        if *mark != " " || near_change(index) {
            result.push(DiffLine {
                mark,
                text: (*text).to_string(),
            });
        } else if result.last().is_none_or(|last| last.mark != "…") {
            result.push(DiffLine {
                mark: "…",
                text: String::new(),
            });
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_removed_and_added_lines_with_context() {
        let diff = line_diff("a\nb\nc\nd\ne\nf\n", "a\nb\nC\nd\ne\nf\n", 1);
        let marks: Vec<(&str, &str)> = diff
            .iter()
            .map(|line| (line.mark, line.text.as_str()))
            .collect();
        assert_eq!(
            marks,
            vec![
                ("…", ""),
                (" ", "b"),
                ("-", "c"),
                ("+", "C"),
                (" ", "d"),
                ("…", "")
            ]
        );
    }

    #[test]
    fn a_missing_final_newline_is_no_change() {
        assert!(
            line_diff("x\ny", "x\ny\n", 0)
                .iter()
                .all(|line| line.mark == "…")
        );
    }

    #[test]
    fn added_and_removed_stretches_keep_their_order() {
        let diff = line_diff("a\nb\nc\n", "b\nc\nd\n", 5);
        let marks: Vec<(&str, &str)> = diff
            .iter()
            .map(|line| (line.mark, line.text.as_str()))
            .collect();
        assert_eq!(marks, vec![("-", "a"), (" ", "b"), (" ", "c"), ("+", "d")]);
    }

    #[test]
    fn identical_texts_have_no_changes() {
        assert!(
            line_diff("x\ny\n", "x\ny\n", 2)
                .iter()
                .all(|line| line.mark == "…")
        );
    }
}

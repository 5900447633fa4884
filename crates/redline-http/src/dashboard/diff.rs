//! The difference between two versions of a norms document, line by line (longest common
//! subsequence), with unchanged stretches folded to a few lines of context.

/// One line of a difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DiffLine {
    /// `"-"` removed, `"+"` added, `" "` unchanged, `"…"` folded context.
    pub(crate) mark: &'static str,
    pub(crate) text: String,
}

/// Documents longer than this (in lines) are compared without the quadratic table.
const MAXIMUM_LINES: usize = 4000;

pub(crate) fn line_diff(old: &str, new: &str, context: usize) -> Vec<DiffLine> {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let mut lines = Vec::new();
    if old_lines.len() > MAXIMUM_LINES || new_lines.len() > MAXIMUM_LINES {
        lines.extend(old_lines.iter().map(|text| ("-", *text)));
        lines.extend(new_lines.iter().map(|text| ("+", *text)));
        return fold(&lines, context);
    }
    let (n, m) = (old_lines.len(), new_lines.len());
    // common[i][j]: length of the longest common subsequence of old[i..] and new[j..].
    let mut common = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            common[i][j] = if old_lines[i] == new_lines[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && old_lines[i] == new_lines[j] {
            lines.push((" ", old_lines[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || common[i + 1][j] >= common[i][j + 1]) {
            lines.push(("-", old_lines[i]));
            i += 1;
        } else {
            lines.push(("+", new_lines[j]));
            j += 1;
        }
    }
    fold(&lines, context)
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
    fn identical_texts_have_no_changes() {
        assert!(
            line_diff("x\ny\n", "x\ny\n", 2)
                .iter()
                .all(|line| line.mark == "…")
        );
    }
}

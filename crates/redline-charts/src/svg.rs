//! The SVG writer: elements appended as text to one document, each attribute value and text
//! escaped by [`escape_text`]. A document is laid out inline (one line, for a chart inside an
//! HTML page) or one element per line (for a chart file).

use std::fmt::Write as _;

/// Escapes text for XML (SVG) content and attribute values: `&`, `<`, `>`, `"` and `'`.
/// HTML pages are escaped by their askama templates; this is for the SVG this crate writes.
pub fn escape_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// A colour safe to put in an attribute: `#` and three or six hex digits, else a neutral grey.
pub fn safe_colour(colour: &str) -> &str {
    let digits = colour.strip_prefix('#').unwrap_or("");
    if (digits.len() == 6 || digits.len() == 3) && digits.chars().all(|c| c.is_ascii_hexdigit()) {
        colour
    } else {
        "#6b7280"
    }
}

/// How a document's elements are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// All on one line: a chart inside an HTML page.
    Inline,
    /// One element per line: a chart file people may read.
    OneElementPerLine,
}

impl Layout {
    fn separator(self) -> &'static str {
        match self {
            Layout::Inline => "",
            Layout::OneElementPerLine => "\n",
        }
    }
}

/// What an element holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content<'a> {
    /// Nothing: `<line …/>`.
    Empty,
    /// Text: `<text …>text</text>`.
    Text(&'a str),
    /// A tooltip, which is also what a screen reader says: `<rect …><title>tip</title></rect>`.
    Tooltip(&'a str),
    /// Text on several lines, each a `<tspan>` starting at `x`, the lines after the first
    /// `line_height` further down: `<text …><tspan x="x">a</tspan><tspan x="x" dy="h">b</tspan></text>`.
    Lines {
        lines: &'a [String],
        x: &'a str,
        line_height: &'a str,
    },
}

/// One SVG document being written.
#[derive(Debug, Clone)]
pub struct SvgDocument {
    text: String,
    layout: Layout,
}

impl SvgDocument {
    /// Opens `<svg …>` with these attributes, in this order.
    pub fn open(layout: Layout, attributes: &[(&str, &str)]) -> SvgDocument {
        let mut document = SvgDocument {
            text: String::new(),
            layout,
        };
        document.start_tag("svg", attributes);
        document.text.push('>');
        document.text.push_str(layout.separator());
        document
    }

    /// Appends one element.
    pub fn element(&mut self, name: &str, attributes: &[(&str, &str)], content: Content<'_>) {
        self.start_tag(name, attributes);
        match content {
            Content::Empty => self.text.push_str("/>"),
            Content::Text(text) => {
                let _ = write!(self.text, ">{}</{name}>", escape_text(text));
            }
            Content::Tooltip(tooltip) => {
                let _ = write!(
                    self.text,
                    "><title>{}</title></{name}>",
                    escape_text(tooltip)
                );
            }
            Content::Lines {
                lines,
                x,
                line_height,
            } => {
                self.text.push('>');
                for (index, line) in lines.iter().enumerate() {
                    let _ = write!(self.text, r#"<tspan x="{}""#, escape_text(x));
                    if index > 0 {
                        let _ = write!(self.text, r#" dy="{}""#, escape_text(line_height));
                    }
                    let _ = write!(self.text, ">{}</tspan>", escape_text(line));
                }
                let _ = write!(self.text, "</{name}>");
            }
        }
        self.text.push_str(self.layout.separator());
    }

    /// Closes the document and returns its text.
    pub fn finish(mut self) -> String {
        self.text.push_str("</svg>");
        self.text.push_str(self.layout.separator());
        self.text
    }

    fn start_tag(&mut self, name: &str, attributes: &[(&str, &str)]) {
        let _ = write!(self.text, "<{name}");
        for (attribute, value) in attributes {
            let _ = write!(self.text, r#" {attribute}="{}""#, escape_text(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        assert_eq!(
            escape_text("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
        let mut document = SvgDocument::open(Layout::Inline, &[("role", "img")]);
        document.element("text", &[("x", "1\" onload=\"y")], Content::Text("<b>"));
        document.element("rect", &[], Content::Tooltip("a & b"));
        document.element("line", &[("x1", "0")], Content::Empty);
        document.element(
            "text",
            &[],
            Content::Lines {
                lines: &["a<".to_string(), "b".to_string()],
                x: "5",
                line_height: "12",
            },
        );
        assert_eq!(
            document.finish(),
            r#"<svg role="img"><text x="1&quot; onload=&quot;y">&lt;b&gt;</text><rect><title>a &amp; b</title></rect><line x1="0"/><text><tspan x="5">a&lt;</tspan><tspan x="5" dy="12">b</tspan></text></svg>"#
        );
    }

    #[test]
    fn a_file_has_one_element_per_line() {
        let mut document = SvgDocument::open(Layout::OneElementPerLine, &[]);
        document.element("desc", &[], Content::Text("d"));
        assert_eq!(document.finish(), "<svg>\n<desc>d</desc>\n</svg>\n");
    }

    #[test]
    fn colours_are_checked() {
        assert_eq!(safe_colour("#abc"), "#abc");
        assert_eq!(safe_colour("#1f2937"), "#1f2937");
        assert_eq!(safe_colour("red\" onload=\"x"), "#6b7280");
        assert_eq!(safe_colour("#12345"), "#6b7280");
    }
}

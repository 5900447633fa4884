//! STIX 2.1 patterning: a hand-written lexer and recursive-descent parser for the grammar of the
//! specification (§9, `STIXPattern.g4` of `cti-pattern-validator`). It checks that an indicator's
//! `pattern` is well formed and returns its syntax tree; every error names the 1-based column
//! (in characters) where it was found.
//!
//! Supported: observation expressions `[...]` combined with `AND`, `OR` and `FOLLOWEDBY` and
//! grouped with parentheses; qualifiers `WITHIN n SECONDS`, `REPEATS n TIMES`,
//! `START t'…' STOP t'…'`; comparison expressions joined by `AND`/`OR` and grouped; operators `=`,
//! `!=`, `<>`, `<`, `<=`, `>`, `>=`, `IN`, `LIKE`, `MATCHES`, `ISSUBSET`, `ISSUPERSET`, `EXISTS`,
//! each optionally negated with `NOT`; object paths with `.name`, `.'quoted'`, `[n]` and `[*]`;
//! string, integer, float, boolean, hex (`h'…'`), binary (`b'…'`) and timestamp (`t'…'`) literals.

/// A pattern that is not well formed, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct PatternError {
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
}

/// The deepest nesting of parentheses and brackets accepted, so hostile input cannot exhaust
/// the stack.
pub const MAXIMUM_NESTING: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    Integer(i64),
    Float(f64),
    Boolean(bool),
    Hex(String),
    Binary(String),
    Timestamp(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComparisonOperator {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    In,
    Like,
    Matches,
    IsSubset,
    IsSuperset,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    Property(String),
    Index(i64),
    AnyIndex,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectPath {
    pub object_type: String,
    pub steps: Vec<PathStep>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ComparisonExpression {
    Test {
        path: ObjectPath,
        negated: bool,
        operator: ComparisonOperator,
        /// One value, or the set of an `IN`.
        values: Vec<Literal>,
    },
    Exists(ObjectPath),
    And(Vec<ComparisonExpression>),
    Or(Vec<ComparisonExpression>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Qualifier {
    Within { seconds: f64 },
    Repeats { times: i64 },
    StartStop { start: String, stop: String },
}

#[derive(Debug, Clone, PartialEq)]
pub enum ObservationExpression {
    Comparison(ComparisonExpression),
    Qualified {
        expression: Box<ObservationExpression>,
        qualifier: Qualifier,
    },
    And(Vec<ObservationExpression>),
    Or(Vec<ObservationExpression>),
    FollowedBy(Vec<ObservationExpression>),
}

/// Parses a STIX pattern, returning its syntax tree or the first error with its column.
pub fn parse_pattern(text: &str) -> Result<ObservationExpression, PatternError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens,
        position: 0,
        depth: 0,
        end_column: text.chars().count() + 1,
    };
    let expression = parser.observation_expressions()?;
    match parser.peek() {
        None => Ok(expression),
        Some(token) => Err(PatternError {
            column: token.column,
            message: format!("unexpected {} after the end of the pattern", token.kind),
        }),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum TokenKind {
    LeftBracket,
    RightBracket,
    LeftParenthesis,
    RightParenthesis,
    Colon,
    Dot,
    Comma,
    Asterisk,
    Operator(ComparisonOperator),
    Keyword(&'static str),
    Identifier(String),
    Literal(Literal),
    /// An integer literal with an explicit sign or with its text, kept for path indexes.
    Integer(i64),
}

impl std::fmt::Display for TokenKind {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenKind::LeftBracket => formatter.write_str("`[`"),
            TokenKind::RightBracket => formatter.write_str("`]`"),
            TokenKind::LeftParenthesis => formatter.write_str("`(`"),
            TokenKind::RightParenthesis => formatter.write_str("`)`"),
            TokenKind::Colon => formatter.write_str("`:`"),
            TokenKind::Dot => formatter.write_str("`.`"),
            TokenKind::Comma => formatter.write_str("`,`"),
            TokenKind::Asterisk => formatter.write_str("`*`"),
            TokenKind::Operator(operator) => write!(formatter, "operator {operator:?}"),
            TokenKind::Keyword(keyword) => write!(formatter, "`{keyword}`"),
            TokenKind::Identifier(name) => write!(formatter, "`{name}`"),
            TokenKind::Literal(literal) => write!(formatter, "literal {literal:?}"),
            TokenKind::Integer(value) => write!(formatter, "integer {value}"),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: TokenKind,
    column: usize,
}

const KEYWORDS: [&str; 17] = [
    "AND",
    "OR",
    "NOT",
    "FOLLOWEDBY",
    "LIKE",
    "MATCHES",
    "ISSUPERSET",
    "ISSUBSET",
    "EXISTS",
    "LAST",
    "IN",
    "START",
    "STOP",
    "SECONDS",
    "TIMES",
    "WITHIN",
    "REPEATS",
];

fn error<T>(column: usize, message: impl Into<String>) -> Result<T, PatternError> {
    Err(PatternError {
        column,
        message: message.into(),
    })
}

/// Splits a pattern into tokens, each with its 1-based column: white space is skipped, and each
/// token is read by the reader its first character calls for.
fn tokenize(text: &str) -> Result<Vec<Token>, PatternError> {
    let characters: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while let Some(&character) = characters.get(index) {
        if matches!(character, ' ' | '\t' | '\r' | '\n') {
            index += 1;
            continue;
        }
        let column = index + 1;
        let next = characters.get(index + 1).copied();
        let (kind, end) = match character {
            '\'' => {
                let (value, end) = read_quoted(&characters, index)?;
                (TokenKind::Literal(Literal::String(value)), end)
            }
            'h' | 'b' | 't' if next == Some('\'') => {
                read_prefixed_literal(character, &characters, index, column)?
            }
            '+' | '-' | '.' | '0'..='9' => read_number(&characters, index, column)?,
            'a'..='z' | 'A'..='Z' | '_' => read_word(&characters, index),
            _ => read_punctuation(character, next, index, column)?,
        };
        tokens.push(Token { kind, column });
        index = end;
    }
    Ok(tokens)
}

/// Brackets, parentheses, `:`, `,`, `*` and the comparison operators (`=` or `==`, `!=` or
/// `<>`, `<`, `<=`, `>`, `>=`). Returns the token and the index after it.
fn read_punctuation(
    character: char,
    next: Option<char>,
    index: usize,
    column: usize,
) -> Result<(TokenKind, usize), PatternError> {
    let one = |kind: TokenKind| Ok((kind, index + 1));
    let two = |kind: TokenKind| Ok((kind, index + 2));
    match (character, next) {
        ('[', _) => one(TokenKind::LeftBracket),
        (']', _) => one(TokenKind::RightBracket),
        ('(', _) => one(TokenKind::LeftParenthesis),
        (')', _) => one(TokenKind::RightParenthesis),
        (':', _) => one(TokenKind::Colon),
        (',', _) => one(TokenKind::Comma),
        ('*', _) => one(TokenKind::Asterisk),
        ('=', Some('=')) => two(TokenKind::Operator(ComparisonOperator::Equal)),
        ('=', _) => one(TokenKind::Operator(ComparisonOperator::Equal)),
        ('!', Some('=')) | ('<', Some('>')) => {
            two(TokenKind::Operator(ComparisonOperator::NotEqual))
        }
        ('<', Some('=')) => two(TokenKind::Operator(ComparisonOperator::LessOrEqual)),
        ('<', _) => one(TokenKind::Operator(ComparisonOperator::Less)),
        ('>', Some('=')) => two(TokenKind::Operator(ComparisonOperator::GreaterOrEqual)),
        ('>', _) => one(TokenKind::Operator(ComparisonOperator::Greater)),
        (other, _) => error(column, format!("unexpected character `{other}`")),
    }
}

/// `h'…'` (hex), `b'…'` (base64) or `t'…'` (timestamp), its value checked. Returns the literal
/// and the index after its closing quote.
fn read_prefixed_literal(
    prefix: char,
    characters: &[char],
    index: usize,
    column: usize,
) -> Result<(TokenKind, usize), PatternError> {
    let (value, end) = read_quoted(characters, index + 1)?;
    let literal = match prefix {
        'h' => {
            let valid = value.len().is_multiple_of(2)
                && value.chars().all(|digit| digit.is_ascii_hexdigit());
            if !valid {
                return error(
                    column,
                    format!("`{value}` is not an even number of hex digits"),
                );
            }
            Literal::Hex(value)
        }
        'b' => {
            if !is_base64(&value) {
                return error(column, format!("`{value}` is not base64"));
            }
            Literal::Binary(value)
        }
        _ => {
            if !is_pattern_timestamp(&value) {
                return error(
                    column,
                    format!("`{value}` is not a timestamp such as `2026-01-01T00:00:00Z`"),
                );
            }
            Literal::Timestamp(value)
        }
    };
    Ok((TokenKind::Literal(literal), end))
}

/// An integer or a float, signed or not; a `.` followed by no digit is a dot. Returns the token
/// and the index after it.
fn read_number(
    characters: &[char],
    index: usize,
    column: usize,
) -> Result<(TokenKind, usize), PatternError> {
    let character = characters[index];
    let start = index;
    let mut end = index;
    if matches!(character, '+' | '-') {
        end += 1;
    }
    let digits_start = end;
    while characters.get(end).is_some_and(char::is_ascii_digit) {
        end += 1;
    }
    let mut is_float = false;
    if characters.get(end) == Some(&'.')
        && characters.get(end + 1).is_some_and(char::is_ascii_digit)
    {
        is_float = true;
        end += 1;
        while characters.get(end).is_some_and(char::is_ascii_digit) {
            end += 1;
        }
    }
    if end == digits_start {
        if character == '.' {
            return Ok((TokenKind::Dot, index + 1));
        }
        return error(column, format!("`{character}` is not followed by a number"));
    }
    let number_text: String = characters[start..end].iter().collect();
    let number_text = number_text.trim_start_matches('+');
    if is_float {
        let value: f64 = number_text
            .parse()
            .or_else(|_| error(column, format!("`{number_text}` is not a number")))?;
        return Ok((TokenKind::Literal(Literal::Float(value)), end));
    }
    let unsigned = number_text.trim_start_matches('-');
    if unsigned.len() > 1 && unsigned.starts_with('0') {
        return error(
            column,
            format!("`{number_text}`: integers have no leading zeros"),
        );
    }
    let value: i64 = number_text
        .parse()
        .or_else(|_| error(column, format!("`{number_text}` is out of range")))?;
    Ok((TokenKind::Integer(value), end))
}

/// A keyword, `true`, `false` or an identifier (letters, digits, `_` and `-`). Returns the token
/// and the index after it.
fn read_word(characters: &[char], index: usize) -> (TokenKind, usize) {
    let mut end = index;
    while characters.get(end).is_some_and(|character| {
        character.is_ascii_alphanumeric() || *character == '_' || *character == '-'
    }) {
        end += 1;
    }
    let word: String = characters[index..end].iter().collect();
    let kind = match word.as_str() {
        "true" => TokenKind::Literal(Literal::Boolean(true)),
        "false" => TokenKind::Literal(Literal::Boolean(false)),
        _ => match KEYWORDS.iter().find(|keyword| **keyword == word) {
            Some(keyword) => TokenKind::Keyword(keyword),
            None => TokenKind::Identifier(word),
        },
    };
    (kind, end)
}

/// Reads a `'…'` string starting at the quote at `start`; `\'` and `\\` are the only escapes.
/// Returns the value and the index after the closing quote.
fn read_quoted(characters: &[char], start: usize) -> Result<(String, usize), PatternError> {
    let mut value = String::new();
    let mut index = start + 1;
    loop {
        match characters.get(index) {
            None => return error(start + 1, "string literal is not closed with `'`"),
            Some('\'') => return Ok((value, index + 1)),
            Some('\\') => match characters.get(index + 1) {
                Some(escaped @ ('\'' | '\\')) => {
                    value.push(*escaped);
                    index += 2;
                }
                _ => {
                    return error(
                        index + 1,
                        "only `\\'` and `\\\\` may be escaped in a string literal",
                    );
                }
            },
            Some(character) => {
                value.push(*character);
                index += 1;
            }
        }
    }
}

fn is_base64(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    let padding = text.len() - body.len();
    text.len().is_multiple_of(4)
        && padding <= 2
        && body
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'+' || byte == b'/')
}

fn is_pattern_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|slice| slice.iter().all(u8::is_ascii_digit))
    };
    let shape = bytes.len() >= 20
        && digits(0..4)
        && bytes[4] == b'-'
        && digits(5..7)
        && bytes[7] == b'-'
        && digits(8..10)
        && bytes[10] == b'T'
        && digits(11..13)
        && bytes[13] == b':'
        && digits(14..16)
        && bytes[16] == b':'
        && digits(17..19)
        && bytes.last() == Some(&b'Z');
    if !shape {
        return false;
    }
    let fraction_ok = match bytes.get(19..bytes.len() - 1) {
        Some([]) => true,
        Some([b'.', rest @ ..]) => !rest.is_empty() && rest.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    fraction_ok && text.parse::<jiff::Timestamp>().is_ok()
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
    depth: usize,
    end_column: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    fn peek_kind(&self) -> Option<&TokenKind> {
        self.peek().map(|token| &token.kind)
    }

    fn column(&self) -> usize {
        self.peek().map_or(self.end_column, |token| token.column)
    }

    fn advance(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.position).cloned();
        if token.is_some() {
            self.position += 1;
        }
        token
    }

    fn at_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek_kind(), Some(TokenKind::Keyword(found)) if *found == keyword)
    }

    fn expect(&mut self, expected: &TokenKind, what: &str) -> Result<(), PatternError> {
        if self.peek_kind() == Some(expected) {
            self.position += 1;
            Ok(())
        } else {
            self.unexpected(what)
        }
    }

    fn expect_keyword(&mut self, keyword: &str) -> Result<(), PatternError> {
        if self.at_keyword(keyword) {
            self.position += 1;
            Ok(())
        } else {
            self.unexpected(&format!("`{keyword}`"))
        }
    }

    fn unexpected<T>(&self, what: &str) -> Result<T, PatternError> {
        match self.peek() {
            Some(token) => error(
                token.column,
                format!("expected {what}, found {}", token.kind),
            ),
            None => error(
                self.end_column,
                format!("expected {what}, found the end of the pattern"),
            ),
        }
    }

    fn enter(&mut self) -> Result<(), PatternError> {
        self.depth += 1;
        if self.depth > MAXIMUM_NESTING {
            return error(
                self.column(),
                format!("nested more than {MAXIMUM_NESTING} deep"),
            );
        }
        Ok(())
    }

    fn observation_expressions(&mut self) -> Result<ObservationExpression, PatternError> {
        self.joined(
            "FOLLOWEDBY",
            Self::observation_or,
            ObservationExpression::FollowedBy,
        )
    }

    fn observation_or(&mut self) -> Result<ObservationExpression, PatternError> {
        self.joined("OR", Self::observation_and, ObservationExpression::Or)
    }

    fn observation_and(&mut self) -> Result<ObservationExpression, PatternError> {
        self.joined(
            "AND",
            Self::qualified_observation,
            ObservationExpression::And,
        )
    }

    fn joined<T>(
        &mut self,
        keyword: &str,
        operand: fn(&mut Self) -> Result<T, PatternError>,
        combine: fn(Vec<T>) -> T,
    ) -> Result<T, PatternError> {
        let mut operands = vec![operand(self)?];
        while self.at_keyword(keyword) {
            self.position += 1;
            operands.push(operand(self)?);
        }
        Ok(if operands.len() == 1 {
            operands.pop().unwrap_or_else(|| combine(Vec::new()))
        } else {
            combine(operands)
        })
    }

    fn qualified_observation(&mut self) -> Result<ObservationExpression, PatternError> {
        let mut expression = match self.peek_kind() {
            Some(TokenKind::LeftBracket) => {
                self.position += 1;
                self.enter()?;
                let comparison = self.comparison_or()?;
                self.depth -= 1;
                self.expect(&TokenKind::RightBracket, "`]` or `AND`/`OR`")?;
                ObservationExpression::Comparison(comparison)
            }
            Some(TokenKind::LeftParenthesis) => {
                self.position += 1;
                self.enter()?;
                let inner = self.observation_expressions()?;
                self.depth -= 1;
                self.expect(&TokenKind::RightParenthesis, "`)`")?;
                inner
            }
            _ => return self.unexpected("`[` or `(` to start an observation expression"),
        };
        let mut qualifier_count = 0;
        while let Some(qualifier) = self.qualifier()? {
            qualifier_count += 1;
            if qualifier_count > MAXIMUM_NESTING {
                return error(
                    self.column(),
                    format!("more than {MAXIMUM_NESTING} qualifiers on one observation"),
                );
            }
            expression = ObservationExpression::Qualified {
                expression: Box::new(expression),
                qualifier,
            };
        }
        Ok(expression)
    }

    fn qualifier(&mut self) -> Result<Option<Qualifier>, PatternError> {
        if self.at_keyword("WITHIN") {
            self.position += 1;
            let column = self.column();
            let seconds = match self.advance().map(|token| token.kind) {
                Some(TokenKind::Integer(value)) => value as f64,
                Some(TokenKind::Literal(Literal::Float(value))) => value,
                _ => return error(column, "expected a number of seconds after `WITHIN`"),
            };
            if seconds <= 0.0 {
                return error(column, "`WITHIN` needs a positive number of seconds");
            }
            self.expect_keyword("SECONDS")?;
            return Ok(Some(Qualifier::Within { seconds }));
        }
        if self.at_keyword("REPEATS") {
            self.position += 1;
            let column = self.column();
            let times = match self.advance().map(|token| token.kind) {
                Some(TokenKind::Integer(value)) if value > 0 => value,
                _ => return error(column, "expected a positive integer after `REPEATS`"),
            };
            self.expect_keyword("TIMES")?;
            return Ok(Some(Qualifier::Repeats { times }));
        }
        if self.at_keyword("START") {
            self.position += 1;
            let start = self.timestamp_literal("START")?;
            self.expect_keyword("STOP")?;
            let stop_column = self.column();
            let stop = self.timestamp_literal("STOP")?;
            let ordered = match (
                start.parse::<jiff::Timestamp>(),
                stop.parse::<jiff::Timestamp>(),
            ) {
                (Ok(start_time), Ok(stop_time)) => start_time < stop_time,
                _ => false,
            };
            if !ordered {
                return error(stop_column, "`STOP` must be later than `START`");
            }
            return Ok(Some(Qualifier::StartStop { start, stop }));
        }
        Ok(None)
    }

    fn timestamp_literal(&mut self, after: &str) -> Result<String, PatternError> {
        let column = self.column();
        match self.advance().map(|token| token.kind) {
            Some(TokenKind::Literal(Literal::Timestamp(value))) => Ok(value),
            _ => error(
                column,
                format!("expected a timestamp literal `t'…'` after `{after}`"),
            ),
        }
    }

    fn comparison_or(&mut self) -> Result<ComparisonExpression, PatternError> {
        self.joined("OR", Self::comparison_and, ComparisonExpression::Or)
    }

    fn comparison_and(&mut self) -> Result<ComparisonExpression, PatternError> {
        self.joined("AND", Self::property_test, ComparisonExpression::And)
    }

    fn property_test(&mut self) -> Result<ComparisonExpression, PatternError> {
        if self.peek_kind() == Some(&TokenKind::LeftParenthesis) {
            self.position += 1;
            self.enter()?;
            let inner = self.comparison_or()?;
            self.depth -= 1;
            self.expect(&TokenKind::RightParenthesis, "`)` or `AND`/`OR`")?;
            return Ok(inner);
        }
        if self.at_keyword("EXISTS") {
            self.position += 1;
            return Ok(ComparisonExpression::Exists(self.object_path()?));
        }
        let path = self.object_path()?;
        let negated = self.at_keyword("NOT");
        if negated {
            self.position += 1;
        }
        let operator_column = self.column();
        let operator = match self.advance().map(|token| token.kind) {
            Some(TokenKind::Operator(operator)) => operator,
            Some(TokenKind::Keyword("IN")) => ComparisonOperator::In,
            Some(TokenKind::Keyword("LIKE")) => ComparisonOperator::Like,
            Some(TokenKind::Keyword("MATCHES")) => ComparisonOperator::Matches,
            Some(TokenKind::Keyword("ISSUBSET")) => ComparisonOperator::IsSubset,
            Some(TokenKind::Keyword("ISSUPERSET")) => ComparisonOperator::IsSuperset,
            Some(other) => {
                return error(
                    operator_column,
                    format!("expected a comparison operator, found {other}"),
                );
            }
            None => {
                return error(
                    operator_column,
                    "expected a comparison operator, found the end of the pattern",
                );
            }
        };
        let value_column = self.column();
        let values = match operator {
            ComparisonOperator::In => self.set_literal()?,
            _ => vec![self.literal()?],
        };
        let Some(value) = values.first() else {
            return Ok(ComparisonExpression::Test {
                path,
                negated,
                operator,
                values,
            });
        };
        let fits = match operator {
            ComparisonOperator::Equal | ComparisonOperator::NotEqual | ComparisonOperator::In => {
                true
            }
            ComparisonOperator::Less
            | ComparisonOperator::LessOrEqual
            | ComparisonOperator::Greater
            | ComparisonOperator::GreaterOrEqual => !matches!(value, Literal::Boolean(_)),
            ComparisonOperator::Like
            | ComparisonOperator::Matches
            | ComparisonOperator::IsSubset
            | ComparisonOperator::IsSuperset => matches!(value, Literal::String(_)),
        };
        if !fits {
            return error(
                value_column,
                format!("{value:?} cannot be compared with {operator:?}"),
            );
        }
        Ok(ComparisonExpression::Test {
            path,
            negated,
            operator,
            values,
        })
    }

    fn literal(&mut self) -> Result<Literal, PatternError> {
        let column = self.column();
        match self.advance().map(|token| token.kind) {
            Some(TokenKind::Literal(literal)) => Ok(literal),
            Some(TokenKind::Integer(value)) => Ok(Literal::Integer(value)),
            Some(other) => error(column, format!("expected a literal value, found {other}")),
            None => error(
                column,
                "expected a literal value, found the end of the pattern",
            ),
        }
    }

    fn set_literal(&mut self) -> Result<Vec<Literal>, PatternError> {
        self.expect(&TokenKind::LeftParenthesis, "`(` to start the set of `IN`")?;
        let mut values = Vec::new();
        if self.peek_kind() == Some(&TokenKind::RightParenthesis) {
            self.position += 1;
            return Ok(values);
        }
        loop {
            values.push(self.literal()?);
            match self.advance().map(|token| token.kind) {
                Some(TokenKind::Comma) => {}
                Some(TokenKind::RightParenthesis) => return Ok(values),
                _ => {
                    self.position = self.position.saturating_sub(1);
                    return self.unexpected("`,` or `)` in the set");
                }
            }
        }
    }

    fn object_path(&mut self) -> Result<ObjectPath, PatternError> {
        let column = self.column();
        let object_type = match self.advance().map(|token| token.kind) {
            Some(TokenKind::Identifier(name)) => name,
            _ => return error(column, "expected an object type such as `ipv4-addr`"),
        };
        self.expect(&TokenKind::Colon, "`:` after the object type")?;
        let mut steps = Vec::new();
        let column = self.column();
        match self.advance().map(|token| token.kind) {
            Some(TokenKind::Identifier(name)) if !name.contains('-') => {
                steps.push(PathStep::Property(name));
            }
            Some(TokenKind::Literal(Literal::String(name))) => steps.push(PathStep::Property(name)),
            _ => return error(column, "expected a property name after `:`"),
        }
        loop {
            match self.peek_kind() {
                Some(TokenKind::Dot) => {
                    self.position += 1;
                    let column = self.column();
                    match self.advance().map(|token| token.kind) {
                        Some(TokenKind::Identifier(name)) if !name.contains('-') => {
                            steps.push(PathStep::Property(name));
                        }
                        Some(TokenKind::Literal(Literal::String(name))) => {
                            steps.push(PathStep::Property(name));
                        }
                        _ => return error(column, "expected a property name after `.`"),
                    }
                }
                Some(TokenKind::LeftBracket) => {
                    self.position += 1;
                    let column = self.column();
                    match self.advance().map(|token| token.kind) {
                        Some(TokenKind::Integer(index)) => steps.push(PathStep::Index(index)),
                        Some(TokenKind::Asterisk) => steps.push(PathStep::AnyIndex),
                        _ => return error(column, "expected a list index or `*`"),
                    }
                    self.expect(&TokenKind::RightBracket, "`]` after the list index")?;
                }
                _ => break,
            }
        }
        Ok(ObjectPath { object_type, steps })
    }
}

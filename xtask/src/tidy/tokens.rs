//! A small Rust lexer for tidy's source rules: enough to see code without comments, string
//! and character literals, or `#[cfg(test)]` items.

/// What a [`Token`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An identifier, keyword or number (`r#` raw identifiers without their prefix).
    Ident,
    /// A string, byte string, raw string or character literal (its contents are not code).
    Literal,
    /// `'a`.
    Lifetime,
    /// Punctuation: `::`, `->` and `=>` as one token, anything else one character.
    Punct,
}

/// A token of Rust source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// What it is.
    pub kind: Kind,
    /// Its text in the source.
    pub text: &'a str,
    /// Its byte offset in the source.
    pub start: usize,
    /// Its 1-based line.
    pub line: usize,
}

impl Token<'_> {
    /// Whether this is the identifier or punctuation `text` (never a literal).
    pub fn is(&self, text: &str) -> bool {
        self.kind != Kind::Literal && self.text == text
    }

    /// The byte offset just after it.
    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }
}

/// The tokens of `source` outside comments and outside items marked `#[cfg(test)]`.
pub fn code(source: &str) -> Vec<Token<'_>> {
    without_test_items(lex(source))
}

/// Every token of `source`, comments left out. Unterminated literals and comments run to
/// the end of the file (the compiler reports those; tidy only needs not to panic).
fn lex(source: &str) -> Vec<Token<'_>> {
    let bytes = source.as_bytes();
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let start_line = line;
        let kind = match bytes[i] {
            b'\n' => {
                line += 1;
                i += 1;
                continue;
            }
            b if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'/' if at(i + 1) == b'/' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if at(i + 1) == b'*' => {
                i = block_comment_end(bytes, i, &mut line);
                continue;
            }
            b'"' => {
                i = quoted_end(bytes, i + 1, b'"', &mut line);
                Kind::Literal
            }
            b'\'' => match char_literal_end(source, i) {
                Some(end) => {
                    i = end;
                    Kind::Literal
                }
                None => {
                    i += 1;
                    while is_ident(at(i)) {
                        i += 1;
                    }
                    Kind::Lifetime
                }
            },
            b if is_ident(b) => {
                while is_ident(at(i)) {
                    i += 1;
                }
                let word = &source[start..i];
                let hashes = bytes[i..].iter().take_while(|&&b| b == b'#').count();
                match (word, at(i), at(i + hashes)) {
                    ("b" | "c", b'"', _) => {
                        i = quoted_end(bytes, i + 1, b'"', &mut line);
                        Kind::Literal
                    }
                    ("b", b'\'', _) => {
                        i = quoted_end(bytes, i + 1, b'\'', &mut line);
                        Kind::Literal
                    }
                    ("r" | "br" | "cr", b'"' | b'#', b'"') => {
                        i = raw_string_end(bytes, i + hashes + 1, hashes, &mut line);
                        Kind::Literal
                    }
                    ("r", b'#', b) if hashes == 1 && is_ident(b) => {
                        // A raw identifier: the token is the name without `r#`.
                        i += 1;
                        let name_start = i;
                        while is_ident(at(i)) {
                            i += 1;
                        }
                        tokens.push(Token {
                            kind: Kind::Ident,
                            text: &source[name_start..i],
                            start: name_start,
                            line: start_line,
                        });
                        continue;
                    }
                    _ => Kind::Ident,
                }
            }
            _ => {
                let pair = source.get(i..i + 2);
                i += if matches!(pair, Some("::" | "->" | "=>")) {
                    2
                } else {
                    source[i..].chars().next().map_or(1, char::len_utf8)
                };
                Kind::Punct
            }
        };
        tokens.push(Token {
            kind,
            text: &source[start..i],
            start,
            line: start_line,
        });
    }
    tokens
}

/// The end of the (nested) block comment starting at `i`.
fn block_comment_end(bytes: &[u8], mut i: usize, line: &mut usize) -> usize {
    let mut depth = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'/', Some(b'*')) => {
                depth += 1;
                i += 2;
            }
            (b'*', Some(b'/')) => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            (b, _) => {
                *line += usize::from(b == b'\n');
                i += 1;
            }
        }
    }
    i
}

/// The end (after the closing `quote`) of a literal whose contents start at `i`.
fn quoted_end(bytes: &[u8], mut i: usize, quote: u8, line: &mut usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                // An escaped newline still starts a new line.
                *line += usize::from(bytes.get(i + 1) == Some(&b'\n'));
                i += 2;
            }
            b if b == quote => return i + 1,
            b => {
                *line += usize::from(b == b'\n');
                i += 1;
            }
        }
    }
    bytes.len()
}

/// The end of a raw string whose contents start at `i` and end with `"` and `hashes` `#`.
fn raw_string_end(bytes: &[u8], mut i: usize, hashes: usize, line: &mut usize) -> usize {
    while i < bytes.len() {
        if bytes[i] == b'"' && bytes[i + 1..].iter().take_while(|&&b| b == b'#').count() >= hashes {
            return i + 1 + hashes;
        }
        *line += usize::from(bytes[i] == b'\n');
        i += 1;
    }
    bytes.len()
}

/// The end of the character literal starting at `i` (a `'`), or `None` for a lifetime.
fn char_literal_end(source: &str, i: usize) -> Option<usize> {
    let rest = &source[i + 1..];
    if rest.starts_with('\\') {
        // '\n', '\'', '\u{1F600}': the closing quote is the first one after the escape.
        return rest.get(2..)?.find('\'').map(|end| i + 1 + 2 + end + 1);
    }
    let c = rest.chars().next()?;
    rest[c.len_utf8()..]
        .starts_with('\'')
        .then(|| i + 1 + c.len_utf8() + 1)
}

/// `tokens` without the items that follow a `#[cfg(test)]` attribute (and their other
/// attributes): up to a `;` or through the item's `{ ... }` body.
fn without_test_items(tokens: Vec<Token<'_>>) -> Vec<Token<'_>> {
    const CFG_TEST: [&str; 7] = ["#", "[", "cfg", "(", "test", ")", "]"];
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let is_cfg_test = tokens.len() >= i + CFG_TEST.len()
            && CFG_TEST
                .iter()
                .zip(&tokens[i..])
                .all(|(t, token)| token.is(t));
        if !is_cfg_test {
            out.push(tokens[i]);
            i += 1;
            continue;
        }
        i += CFG_TEST.len();
        let mut depth = 0usize;
        while let Some(token) = tokens.get(i) {
            if depth == 0 && token.is("}") {
                break; // the end of the enclosing block, not of this item
            }
            i += 1;
            if token.is("{") {
                depth += 1;
            } else if token.is("}") {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            } else if token.is(";") && depth == 0 {
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(source: &str) -> Vec<&str> {
        code(source).iter().map(|t| t.text).collect()
    }

    #[test]
    fn leaves_out_comments_and_keeps_literals_whole() {
        assert_eq!(
            texts("a // x { \n/* b /* nested */ c */ d \"e // f\" r#\"g\"h\"# 'i' '\\'' 'j"),
            ["a", "d", "\"e // f\"", "r#\"g\"h\"#", "'i'", "'\\''", "'j"]
        );
        let kinds: Vec<Kind> = code("x::y -> 'a b\"s\" é").iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Ident,
                Kind::Punct,
                Kind::Ident,
                Kind::Punct,
                Kind::Lifetime,
                Kind::Literal,
                Kind::Ident
            ]
        );
        assert_eq!(texts("r#type b'x' c\"y\""), ["type", "b'x'", "c\"y\""]);
    }

    #[test]
    fn counts_lines_through_comments_and_literals() {
        let lines: Vec<(&str, usize)> = code("a\n/* 1\n2 */ b \"3\n4\" c\nr\"\n\"\nd")
            .iter()
            .filter(|t| t.kind == Kind::Ident)
            .map(|t| (t.text, t.line))
            .collect();
        assert_eq!(lines, [("a", 1), ("b", 3), ("c", 4), ("d", 7)]);
    }

    #[test]
    fn leaves_out_test_items() {
        assert_eq!(
            texts(
                "a\n#[cfg(test)]\n#[allow(x)]\nmod tests { fn t() { x } }\nb\n#[cfg(test)] use y;\nc"
            ),
            ["a", "b", "c"]
        );
        assert_eq!(
            texts("fn f() { #[cfg(test)] g() }"),
            ["fn", "f", "(", ")", "{", "}"]
        );
        assert_eq!(
            texts("#[cfg(not(test))] d"),
            ["#", "[", "cfg", "(", "not", "(", "test", ")", ")", "]", "d"]
        );
    }

    #[test]
    fn unterminated_input_runs_to_the_end() {
        for (source, expected) in [
            ("a \"bc", &["a", "\"bc"][..]),
            ("a \"\\é", &["a", "\"\\é"]),
            ("a /* bc", &["a"]),
            ("a r#\"bc", &["a", "r#\"bc"]),
            ("a '", &["a", "'"]),
            ("a b'", &["a", "b'"]),
            ("a #[cfg(test)] mod x {", &["a"]),
        ] {
            assert_eq!(texts(source), expected, "{source:?}");
        }
    }
}

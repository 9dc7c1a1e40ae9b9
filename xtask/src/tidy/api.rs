//! The client crates' API rule: every call takes its optional inputs through a builder, so
//! no public function has a positional `Option<...>` parameter.

use super::tokens::{self, Kind, Token};

/// A public function with an `Option` parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionParameter {
    /// The line of the function's name.
    pub line: usize,
    /// The function's name.
    pub function: String,
    /// The parameter as written, like `tenant: Option<&str>`.
    pub parameter: String,
}

/// Every parameter of a `pub` function (or method) in `source` whose type is an `Option`
/// (`Option<T>`, `&Option<T>`, `std::option::Option<T>`, `impl Into<Option<T>>`), outside
/// comments and `#[cfg(test)]` items. `pub(crate)` and narrower are not public.
pub fn option_parameters(source: &str) -> Vec<OptionParameter> {
    let tokens = tokens::code(source);
    let mut found = Vec::new();
    for (at, token) in tokens.iter().enumerate() {
        if !token.is("pub") {
            continue;
        }
        let Some((name, params)) = function_after_pub(&tokens[at + 1..]) else {
            continue;
        };
        for param in split_top_level(params) {
            let colon = param.iter().position(|t| t.is(":"));
            if let Some(colon) = colon
                && is_option(&param[colon + 1..])
                && let (Some(first), Some(last)) = (param.first(), param.last())
            {
                found.push(OptionParameter {
                    line: name.line,
                    function: name.text.to_owned(),
                    parameter: source[first.start..last.end()].to_owned(),
                });
            }
        }
    }
    found
}

/// For the tokens after `pub`: the function's name and the tokens between its parentheses,
/// if they declare a function (`pub const async unsafe extern "C" fn name<...>(...)`).
fn function_after_pub<'t, 'a>(tokens: &'t [Token<'a>]) -> Option<(Token<'a>, &'t [Token<'a>])> {
    let qualifiers = tokens
        .iter()
        .take_while(|t| {
            t.kind == Kind::Literal
                || ["const", "async", "unsafe", "extern"]
                    .iter()
                    .any(|q| t.is(q))
        })
        .count();
    let [fn_keyword, name, rest @ ..] = &tokens[qualifiers..] else {
        return None;
    };
    if !fn_keyword.is("fn") || name.kind != Kind::Ident {
        return None;
    }
    let rest = if rest.first()?.is("<") {
        &rest[matching(rest, "<", ">")? + 1..]
    } else {
        rest
    };
    if !rest.first()?.is("(") {
        return None;
    }
    Some((*name, &rest[1..matching(rest, "(", ")")?]))
}

/// The index of the token closing `tokens[0]` (an `open`).
fn matching(tokens: &[Token<'_>], open: &str, close: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate() {
        if token.is(open) {
            depth += 1;
        } else if token.is(close) {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// `tokens` split at commas outside any brackets (`()`, `[]`, `{}`, `<>`), empty parts left
/// out.
fn split_top_level<'t, 'a>(tokens: &'t [Token<'a>]) -> Vec<&'t [Token<'a>]> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, token) in tokens.iter().enumerate() {
        if token.kind != Kind::Punct {
            continue;
        }
        match token.text {
            "(" | "[" | "{" | "<" => depth += 1,
            ")" | "]" | "}" | ">" => depth -= 1,
            "," if depth == 0 => {
                parts.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&tokens[start..]);
    parts.retain(|p| !p.is_empty());
    parts
}

/// Whether a parameter type is an `Option`.
fn is_option(ty: &[Token<'_>]) -> bool {
    let mut ty = ty;
    while let [first, rest @ ..] = ty
        && (first.is("&") || first.is("mut") || first.kind == Kind::Lifetime)
    {
        ty = rest;
    }
    if let [impl_, into, open, rest @ ..] = ty
        && impl_.is("impl")
        && into.is("Into")
        && open.is("<")
    {
        return is_option(rest);
    }
    if let [root, sep, option, sep2, rest @ ..] = ty
        && (root.is("std") || root.is("core"))
        && sep.is("::")
        && option.is("option")
        && sep2.is("::")
    {
        ty = rest;
    }
    matches!(ty, [option, open, ..] if option.is("Option") && open.is("<"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(source: &str) -> Vec<(usize, String, String)> {
        option_parameters(source)
            .into_iter()
            .map(|o| (o.line, o.function, o.parameter))
            .collect()
    }

    #[test]
    fn finds_positional_options_in_public_functions() {
        let source = r#"
impl Client {
    pub async fn sign_in(&self, login_id: &str, tenant: Option<&str>) -> Result<(), E> {}
    pub fn with_map(
        &self,
        map: HashMap<String, Option<u8>>,
        code: &'a mut std::option::Option<Code>,
    ) {}
    pub const unsafe extern "C" fn raw<T: Into<u8>>(x: impl Into<Option<T>>) {}
}
pub fn top((a, b): (u8, u8), c: Option<Vec<u8>>) {}
"#;
        assert_eq!(
            found(source),
            [
                (3, "sign_in".to_owned(), "tenant: Option<&str>".to_owned()),
                (
                    4,
                    "with_map".to_owned(),
                    "code: &'a mut std::option::Option<Code>".to_owned()
                ),
                (9, "raw".to_owned(), "x: impl Into<Option<T>>".to_owned()),
                (11, "top".to_owned(), "c: Option<Vec<u8>>".to_owned()),
            ]
        );
    }

    #[test]
    fn leaves_alone_what_is_not_a_public_positional_option() {
        let source = r#"
/// pub fn documented(x: Option<u8>) {}
// pub fn commented(x: Option<u8>) {}
pub(crate) fn internal(x: Option<u8>) {}
fn private(x: Option<u8>) {}
pub fn returns(x: u8) -> Option<u8> { let s = "pub fn s(x: Option<u8>)"; None }
pub fn builder(self, tenant: impl Into<String>) -> Self { self }
pub struct S { pub field: Option<u8> }
pub fn callback(f: impl Fn(Option<u8>)) {}
#[cfg(test)]
mod tests {
    pub fn helper(x: Option<u8>) {}
}
"#;
        assert_eq!(found(source), []);
    }
}

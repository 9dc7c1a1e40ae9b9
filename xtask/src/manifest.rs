//! Line-based reading and editing of `Cargo.toml` and `Cargo.lock`.
//!
//! A TOML round trip would drop comments and reorder keys, so edits touch only the value of a
//! `version` key (or a lockfile entry) on its own line and keep every other byte as it is.
//! The subset understood is what Cargo manifests use in practice: `[table]` headers (quoted
//! segments allowed, as in `[target.'cfg(unix)'.dependencies]`), `key = value` lines and
//! single-line inline tables.

use std::collections::BTreeSet;

use crate::version::Version;

/// How a `[package]` field is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// `key.workspace = true` or `key = { workspace = true }`.
    Inherited,
    /// A value of its own (the raw TOML text after `=`).
    Own(String),
    /// Not set.
    Missing,
}

/// How `key` is set in the `[package]` table of a crate manifest.
pub fn package_field(manifest: &str, key: &str) -> Field {
    let mut field = Field::Missing;
    for_each_key(manifest, |table, line_key, value| {
        if table != ["package"] {
            return;
        }
        if line_key == [key, "workspace"] && value.trim() == "true" {
            field = Field::Inherited;
        } else if line_key == [key] {
            let inherited = inline_entries(value.trim()).is_some_and(|e| {
                e.iter()
                    .any(|(k, v)| k == "workspace" && v.trim() == "true")
            });
            field = if inherited {
                Field::Inherited
            } else {
                Field::Own(value.trim().to_owned())
            };
        }
    });
    field
}

/// The string value of `key` in the table `table` (like `["workspace", "package"]`).
pub fn string_value(manifest: &str, table: &[&str], key: &str) -> Option<String> {
    let mut found = None;
    for_each_key(manifest, |t, k, value| {
        if t == table && k == [key] {
            found = string_span(value).map(|(start, end)| value[start..end].to_owned());
        }
    });
    found
}

/// Sets `version` in `[workspace.package]` to `new`. `None` if the manifest has no such line.
pub fn set_workspace_version(manifest: &str, new: &Version) -> Option<String> {
    let mut changed = false;
    let text = rewrite_lines(manifest, |table, line| {
        if table != ["workspace", "package"] {
            return None;
        }
        let (key, value_at) = split_key(line)?;
        if key != ["version"] {
            return None;
        }
        let (start, end) = string_span(&line[value_at..])?;
        changed = true;
        Some(splice(
            line,
            value_at + start,
            value_at + end,
            &new.to_string(),
        ))
    });
    changed.then_some(text)
}

/// Rewrites every dependency requirement on one of `crates` that states a `version`, in any
/// dependency table (`[workspace.dependencies]`, `[dependencies]`, `[dev-dependencies]`,
/// `[build-dependencies]`, their `[target.*.…]` forms and `[dependencies.name]` sub-tables),
/// to `new`. An operator prefix (`=`, `^`, `~`) is kept. Returns the new text and how many
/// requirements changed.
pub fn bump_requirements(
    manifest: &str,
    crates: &BTreeSet<String>,
    new: &Version,
) -> (String, usize) {
    let tables = split_tables(manifest);
    let mut count = 0;
    let mut out = String::with_capacity(manifest.len());
    for table in tables {
        let segments = table
            .header
            .as_deref()
            .map(split_dotted)
            .unwrap_or_default();
        let is_dep_table = segments.last().is_some_and(|s| is_dependency_table(s));
        let sub_table_dep = match segments.as_slice() {
            [.., parent, name] if is_dependency_table(parent) => Some(name.clone()),
            _ => None,
        };
        let sub_table_package = sub_table_dep.as_ref().map(|name| {
            table
                .lines
                .iter()
                .find_map(|line| {
                    let (key, at) = split_key(line)?;
                    let (s, e) = string_span(&line[at..])?;
                    (key == ["package"]).then(|| line[at + s..at + e].to_owned())
                })
                .unwrap_or_else(|| name.clone())
        });
        for line in &table.lines {
            let rewritten = if let Some(package) = &sub_table_package {
                rewrite_sub_table_line(line, package, crates, new)
            } else if is_dep_table {
                rewrite_inline_dependency(line, crates, new)
            } else {
                None
            };
            match rewritten {
                Some(new_line) => {
                    count += 1;
                    out.push_str(&new_line);
                }
                None => out.push_str(line),
            }
        }
    }
    (out, count)
}

/// Sets the version of the workspace packages `crates` (entries without a `source`) from
/// `old` to `new` in a `Cargo.lock`, including version-qualified references to them in
/// `dependencies` arrays.
pub fn bump_lockfile(
    lock: &str,
    crates: &BTreeSet<String>,
    old: &Version,
    new: &Version,
) -> String {
    let (old, new) = (old.to_string(), new.to_string());
    let mut out = String::with_capacity(lock.len());
    for table in split_tables(lock) {
        let is_package = table.header.as_deref() == Some("package");
        let field = |key: &str| {
            table.lines.iter().find_map(|line| {
                let (k, at) = split_key(line)?;
                let (s, e) = string_span(&line[at..])?;
                (k == [key]).then(|| line[at + s..at + e].to_owned())
            })
        };
        let bump_this = is_package
            && field("source").is_none()
            && field("version").as_deref() == Some(old.as_str())
            && field("name").is_some_and(|name| crates.contains(&name));
        for line in &table.lines {
            if bump_this && split_key(line).is_some_and(|(k, _)| k == ["version"]) {
                out.push_str(&line.replacen(&format!("\"{old}\""), &format!("\"{new}\""), 1));
                continue;
            }
            let trimmed = line.trim_start();
            let reference = crates
                .iter()
                .map(|name| format!("\"{name} {old}\""))
                .find(|r| trimmed.starts_with(r.as_str()));
            match reference {
                Some(reference) => {
                    let name = &reference[1..reference.len() - old.len() - 2];
                    out.push_str(&line.replacen(&reference, &format!("\"{name} {new}\""), 1));
                }
                None => out.push_str(line),
            }
        }
    }
    out
}

fn is_dependency_table(segment: &str) -> bool {
    matches!(
        segment,
        "dependencies" | "dev-dependencies" | "build-dependencies"
    )
}

fn rewrite_sub_table_line(
    line: &str,
    package: &str,
    crates: &BTreeSet<String>,
    new: &Version,
) -> Option<String> {
    if !crates.contains(package) {
        return None;
    }
    let (key, at) = split_key(line)?;
    if key != ["version"] {
        return None;
    }
    let (start, end) = string_span(&line[at..])?;
    Some(replace_requirement(line, at + start, at + end, new))
}

fn rewrite_inline_dependency(
    line: &str,
    crates: &BTreeSet<String>,
    new: &Version,
) -> Option<String> {
    let (key, at) = split_key(line)?;
    let [name] = key.as_slice() else {
        return None;
    };
    let value = &line[at..];
    let open = value.find(|c: char| !c.is_whitespace())?;
    let entries = inline_entries(&value[open..])?;
    let package = entries
        .iter()
        .find(|(k, _)| k == "package")
        .and_then(|(_, v)| string_span(v).map(|(s, e)| v[s..e].to_owned()))
        .unwrap_or_else(|| name.clone());
    if !crates.contains(&package) {
        return None;
    }
    // Find the `version` entry's string inside the original line by scanning again with
    // offsets, so the rest of the line is untouched.
    let spans = inline_entry_spans(&value[open..])?;
    let (_, value_start, value_end) = spans.into_iter().find(|(k, _, _)| k == "version")?;
    let base = at + open;
    let raw = &line[base + value_start..base + value_end];
    let (s, e) = string_span(raw)?;
    Some(replace_requirement(
        line,
        base + value_start + s,
        base + value_start + e,
        new,
    ))
}

/// Replaces the requirement in `line[start..end]`, keeping an operator prefix.
fn replace_requirement(line: &str, start: usize, end: usize, new: &Version) -> String {
    let requirement = &line[start..end];
    let operator_len =
        requirement.len() - requirement.trim_start_matches(['=', '^', '~', ' ']).len();
    splice(line, start + operator_len, end, &new.to_string())
}

fn splice(line: &str, start: usize, end: usize, with: &str) -> String {
    format!("{}{}{}", &line[..start], with, &line[end..])
}

struct Table<'a> {
    /// The normalised header (`None` for the lines before the first header).
    header: Option<String>,
    /// Every line, header included, with its line ending.
    lines: Vec<&'a str>,
}

fn split_tables(text: &str) -> Vec<Table<'_>> {
    let mut tables = vec![Table {
        header: None,
        lines: Vec::new(),
    }];
    for line in text.split_inclusive('\n') {
        if let Some(header) = parse_header(line) {
            tables.push(Table {
                header: Some(header),
                lines: vec![line],
            });
        } else if let Some(table) = tables.last_mut() {
            table.lines.push(line);
        }
    }
    tables
}

/// Calls `f(table segments, key segments, raw value)` for each `key = value` line.
fn for_each_key(text: &str, mut f: impl FnMut(&[String], &[String], &str)) {
    for table in split_tables(text) {
        let segments = table
            .header
            .as_deref()
            .map(split_dotted)
            .unwrap_or_default();
        for line in table.lines {
            if let Some((key, at)) = split_key(line) {
                f(&segments, &key, &line[at..]);
            }
        }
    }
}

fn rewrite_lines(text: &str, mut f: impl FnMut(&[String], &str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    for table in split_tables(text) {
        let segments = table
            .header
            .as_deref()
            .map(split_dotted)
            .unwrap_or_default();
        for line in table.lines {
            match f(&segments, line) {
                Some(new_line) => out.push_str(&new_line),
                None => out.push_str(line),
            }
        }
    }
    out
}

/// `[a.'b.c'.d]` -> `a.'b.c'.d` (as written between the brackets, trimmed); `[[x]]` -> `x`.
fn parse_header(line: &str) -> Option<String> {
    let trimmed = line.trim();
    if !trimmed.starts_with('[') {
        return None;
    }
    let (open, close) = if trimmed.starts_with("[[") {
        ("[[", "]]")
    } else {
        ("[", "]")
    };
    let inner = &trimmed[open.len()..];
    let end = find_outside_quotes(inner, close)?;
    Some(inner[..end].trim().to_owned())
}

/// Splits a dotted key or header into unquoted segments.
pub(crate) fn split_dotted(text: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => quote = Some(c),
            (None, '.') => segments.push(std::mem::take(&mut current).trim().to_owned()),
            (None, c) => current.push(c),
        }
    }
    segments.push(current.trim().to_owned());
    segments
}

/// For a `key = value` line: the key's segments and the byte offset where the value starts
/// (just after `=`).
fn split_key(line: &str) -> Option<(Vec<String>, usize)> {
    let trimmed = line.trim_start();
    if trimmed.is_empty() || trimmed.starts_with(['#', '[']) {
        return None;
    }
    let eq = find_outside_quotes(line, "=")?;
    Some((split_dotted(line[..eq].trim()), eq + 1))
}

fn find_outside_quotes(text: &str, needle: &str) -> Option<usize> {
    let mut quote = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' => quote = Some(c),
            None if text[i..].starts_with(needle) => return Some(i),
            None if c == '#' => return None,
            None => {}
        }
    }
    None
}

/// The byte span of the contents of the string that `value` starts with (after blanks).
fn string_span(value: &str) -> Option<(usize, usize)> {
    let start = value.find(|c: char| !c.is_whitespace())?;
    let quote = value[start..].chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let end = value[start + 1..].find(quote)?;
    Some((start + 1, start + 1 + end))
}

/// The entries of the inline table `text` starts with: `(key, raw value)`.
fn inline_entries(text: &str) -> Option<Vec<(String, String)>> {
    let spans = inline_entry_spans(text)?;
    Some(
        spans
            .into_iter()
            .map(|(k, s, e)| (k, text[s..e].to_owned()))
            .collect(),
    )
}

/// Like [`inline_entries`] with byte spans of the values instead of copies.
fn inline_entry_spans(text: &str) -> Option<Vec<(String, usize, usize)>> {
    let bytes = text.as_bytes();
    if bytes.first() != Some(&b'{') {
        return None;
    }
    let mut entries = Vec::new();
    let mut pos = 1;
    let skip_blanks = |mut p: usize| {
        while p < bytes.len() && (bytes[p] == b' ' || bytes[p] == b'\t') {
            p += 1;
        }
        p
    };
    loop {
        pos = skip_blanks(pos);
        match bytes.get(pos)? {
            b'}' => return Some(entries),
            b',' => {
                pos += 1;
                continue;
            }
            _ => {}
        }
        let eq = pos + find_outside_quotes(&text[pos..], "=")?;
        let key = split_dotted(text[pos..eq].trim()).join(".");
        let value_start = skip_blanks(eq + 1);
        let value_end = value_start + value_len(&text[value_start..])?;
        entries.push((key, value_start, value_end));
        pos = value_end;
    }
}

/// The length of the TOML value `text` starts with (string, array, inline table or bare).
fn value_len(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                quote = None;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '[' | '{' => depth += 1,
            ']' | '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            ',' | '}' | ' ' | '\t' | '\n' | '\r' | '#' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    (depth == 0 && quote.is_none()).then_some(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crates(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    const ROOT: &str = r#"[workspace]
members = ["crates/*"]

[workspace.package]
# Lockstep: every crate has this version.
version = "0.1.0"   # bumped by cargo xtask release
rust-version = "1.88"

[workspace.dependencies]
# Our own crates.
alpha = { path = "crates/alpha", version = "0.1.0" }
beta = { path = "crates/beta", version = "=0.1.0", default-features = false }
"gamma" = {version="^0.1.0",path="crates/gamma"}
renamed = { package = "alpha", path = "crates/alpha", version = "0.1.0" }
no-version = { path = "crates/nv" }
serde = { version = "1", features = ["derive", "version"] }
other = "0.1.0"

[workspace.dependencies.delta]
path = "crates/delta"
version = "0.1.0" # keep me
"#;

    #[test]
    fn reads_workspace_values() {
        assert_eq!(
            string_value(ROOT, &["workspace", "package"], "rust-version").as_deref(),
            Some("1.88")
        );
        assert_eq!(
            string_value(ROOT, &["workspace", "package"], "version").as_deref(),
            Some("0.1.0")
        );
        assert_eq!(string_value(ROOT, &["package"], "version"), None);
    }

    #[test]
    fn sets_the_workspace_version_and_keeps_comments() {
        let new = set_workspace_version(ROOT, &Version::new(0, 2, 0)).unwrap();
        let expected = ROOT.replace(
            "version = \"0.1.0\"   # bumped",
            "version = \"0.2.0\"   # bumped",
        );
        assert_eq!(new, expected);
        assert_eq!(
            set_workspace_version("[package]\nversion = \"1.0.0\"\n", &Version::new(2, 0, 0)),
            None
        );
    }

    #[test]
    fn bumps_only_workspace_crate_requirements() {
        let set = crates(&["alpha", "beta", "gamma", "delta", "no-version"]);
        let (new, count) = bump_requirements(ROOT, &set, &Version::new(0, 1, 1));
        assert_eq!(count, 5);
        let expected = ROOT
            .replace(
                r#"alpha = { path = "crates/alpha", version = "0.1.0" }"#,
                r#"alpha = { path = "crates/alpha", version = "0.1.1" }"#,
            )
            .replace(
                r#"version = "=0.1.0", default"#,
                r#"version = "=0.1.1", default"#,
            )
            .replace(r#"{version="^0.1.0",path"#, r#"{version="^0.1.1",path"#)
            .replace(
                r#"renamed = { package = "alpha", path = "crates/alpha", version = "0.1.0" }"#,
                r#"renamed = { package = "alpha", path = "crates/alpha", version = "0.1.1" }"#,
            )
            .replace(
                r#"version = "0.1.0" # keep me"#,
                r#"version = "0.1.1" # keep me"#,
            );
        assert_eq!(new, expected);
        // The workspace's own version line is not a requirement.
        assert!(new.contains("version = \"0.1.0\"   # bumped"));
    }

    #[test]
    fn bumps_crate_local_and_target_tables() {
        let manifest = r#"[package]
name = "beta"
version.workspace = true

[dependencies]
alpha = { version = "0.1.0", path = "../alpha" }
alpha-like = { version = "0.1.0" }

[target.'cfg(target_os = "linux")'.dependencies]
alpha = { path = "../alpha", version = "0.1.0" }

[dev-dependencies.alpha]
version = "~0.1.0"
path = "../alpha"

[features]
version = ["alpha/x"]
"#;
        let (new, count) = bump_requirements(manifest, &crates(&["alpha"]), &Version::new(1, 0, 0));
        assert_eq!(count, 3);
        assert!(new.contains(r#"alpha = { version = "1.0.0", path = "../alpha" }"#));
        assert!(new.contains(r#"alpha-like = { version = "0.1.0" }"#));
        assert!(new.contains(r#"alpha = { path = "../alpha", version = "1.0.0" }"#));
        assert!(new.contains("version = \"~1.0.0\"\npath"));
        assert!(new.contains(r#"version = ["alpha/x"]"#));
    }

    #[test]
    fn reads_package_field_inheritance() {
        let manifest = r#"[package]
name = "x"
version.workspace = true
edition = { workspace = true }
license = "MIT"
[dependencies]
rust-version.workspace = true
"#;
        assert_eq!(package_field(manifest, "version"), Field::Inherited);
        assert_eq!(package_field(manifest, "edition"), Field::Inherited);
        assert_eq!(
            package_field(manifest, "license"),
            Field::Own("\"MIT\"".into())
        );
        assert_eq!(package_field(manifest, "rust-version"), Field::Missing);
    }

    #[test]
    fn bumps_the_lockfile() {
        let lock = r#"version = 4

[[package]]
name = "alpha"
version = "0.1.0"

[[package]]
name = "alpha"
version = "0.1.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "beta"
version = "0.1.0"
dependencies = [
 "alpha 0.1.0",
 "alpha 0.1.0 (registry+https://github.com/rust-lang/crates.io-index)",
 "serde",
]

[[package]]
name = "tool"
version = "0.1.0"
"#;
        let new = bump_lockfile(
            lock,
            &crates(&["alpha", "beta"]),
            &Version::new(0, 1, 0),
            &Version::new(0, 2, 0),
        );
        let expected = r#"version = 4

[[package]]
name = "alpha"
version = "0.2.0"

[[package]]
name = "alpha"
version = "0.1.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "beta"
version = "0.2.0"
dependencies = [
 "alpha 0.2.0",
 "alpha 0.1.0 (registry+https://github.com/rust-lang/crates.io-index)",
 "serde",
]

[[package]]
name = "tool"
version = "0.1.0"
"#;
        assert_eq!(new, expected);
    }

    #[test]
    fn splits_quoted_dotted_keys() {
        assert_eq!(
            split_dotted(r#"target.'cfg(target_os = "linux")'.dependencies"#),
            vec!["target", r#"cfg(target_os = "linux")"#, "dependencies"]
        );
        assert_eq!(split_dotted(r#" "a.b" . c "#), vec!["a.b", "c"]);
    }
}

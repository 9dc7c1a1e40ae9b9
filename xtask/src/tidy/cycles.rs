//! Module cycles inside a crate: file modules that reach each other through `crate::` paths.
//!
//! Every `.rs` file under `src/` is a module (`src/a/b.rs` is `a::b`), except the crate
//! roots (`lib.rs`, `main.rs`), `mod.rs` files and `src/bin/`, which are re-export hubs or
//! other crates. A `crate::a::b::Item` path in a module's code (comments and `#[cfg(test)]`
//! items left out) depends on the longest module it names (`a::b`, else `a`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::tokens::{self, Kind, Token};

/// A dependency of one module on another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    /// The depending module.
    pub from: String,
    /// The module depended on.
    pub to: String,
    /// The line of the first `crate::` path from `from` to `to`.
    pub line: usize,
}

/// Modules that depend on each other in a circle (a strongly connected component of more
/// than one module), with the dependencies between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    /// The modules, sorted.
    pub modules: Vec<String>,
    /// The dependencies among them, sorted.
    pub edges: Vec<Edge>,
}

/// The module a file under `src` defines (`a/b.rs` -> `a::b`), or `None` for crate roots,
/// `mod.rs` hubs, `bin/` and non-Rust files.
pub fn module_name(relative: &Path) -> Option<String> {
    let segments: Vec<&str> = relative.iter().map(|s| s.to_str()).collect::<Option<_>>()?;
    let (file, dirs) = segments.split_last()?;
    let stem = file.strip_suffix(".rs")?;
    let is_root = dirs.is_empty() && (stem == "lib" || stem == "main");
    if is_root || stem == "mod" || dirs.first() == Some(&"bin") {
        return None;
    }
    Some(
        dirs.iter()
            .copied()
            .chain([stem])
            .collect::<Vec<_>>()
            .join("::"),
    )
}

/// The cycles among `modules` (`(name, source)`), in the order of their first module.
pub fn cycles(modules: &[(String, String)]) -> Vec<Cycle> {
    let names: BTreeSet<&str> = modules.iter().map(|(name, _)| name.as_str()).collect();
    let mut edges: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (from, source) in modules {
        for (path, line) in crate_paths(source) {
            let target = (1..=path.len())
                .rev()
                .map(|len| path[..len].join("::"))
                .find_map(|prefix| names.get(prefix.as_str()).copied());
            if let Some(to) = target
                && to != from
            {
                edges.entry((from, to)).or_insert(line);
            }
        }
    }
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        graph.entry(from).or_default().insert(to);
    }
    let reach: BTreeMap<&str, BTreeSet<&str>> = names
        .iter()
        .map(|&name| (name, reachable(&graph, name)))
        .collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for &name in &names {
        if seen.contains(name) {
            continue;
        }
        let component: BTreeSet<&str> = reach[name]
            .iter()
            .copied()
            .filter(|other| reach[other].contains(name))
            .collect();
        seen.extend(component.iter().copied());
        if component.len() > 1 {
            out.push(Cycle {
                modules: component.iter().map(|m| (*m).to_owned()).collect(),
                edges: edges
                    .iter()
                    .filter(|((from, to), _)| component.contains(from) && component.contains(to))
                    .map(|((from, to), line)| Edge {
                        from: (*from).to_owned(),
                        to: (*to).to_owned(),
                        line: *line,
                    })
                    .collect(),
            });
        }
    }
    out
}

/// The modules `from` reaches, itself included.
fn reachable<'a>(graph: &BTreeMap<&'a str, BTreeSet<&'a str>>, from: &'a str) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(name) = stack.pop() {
        if seen.insert(name) {
            stack.extend(graph.get(name).into_iter().flatten());
        }
    }
    seen
}

/// Every path after `crate::` in `source` (`use` trees expanded, `$crate` left out), as
/// segments, with its line.
fn crate_paths(source: &str) -> Vec<(Vec<&str>, usize)> {
    let tokens = tokens::code(source);
    let mut out = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let after_dollar = i > 0 && tokens[i - 1].is("$");
        if token.is("crate") && !after_dollar && tokens.get(i + 1).is_some_and(|t| t.is("::")) {
            let mut paths = Vec::new();
            use_tree(&tokens, i + 2, Vec::new(), &mut paths);
            out.extend(paths.into_iter().map(|p| (p, token.line)));
        }
    }
    out
}

/// Reads the path or `{...}` group at `tokens[i]` below `prefix` into `out`; returns the
/// index after it.
fn use_tree<'a>(
    tokens: &[Token<'a>],
    mut i: usize,
    mut prefix: Vec<&'a str>,
    out: &mut Vec<Vec<&'a str>>,
) -> usize {
    loop {
        match tokens.get(i) {
            Some(open) if open.is("{") => {
                i += 1;
                while let Some(token) = tokens.get(i) {
                    if token.is("}") {
                        return i + 1;
                    }
                    i = use_tree(tokens, i, prefix.clone(), out);
                    // Skip `as name` up to the next item of the group.
                    while tokens.get(i).is_some_and(|t| !t.is(",") && !t.is("}")) {
                        i += 1;
                    }
                    if tokens.get(i).is_some_and(|t| t.is(",")) {
                        i += 1;
                    }
                }
                return i;
            }
            Some(segment) if segment.kind == Kind::Ident => {
                prefix.push(segment.text);
                i += 1;
                if tokens.get(i).is_some_and(|t| t.is("::")) {
                    i += 1;
                } else {
                    out.push(prefix);
                    return i;
                }
            }
            _ => {
                out.push(prefix);
                return i;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modules(files: &[(&str, &str)]) -> Vec<(String, String)> {
        files
            .iter()
            .map(|(name, source)| ((*name).to_owned(), (*source).to_owned()))
            .collect()
    }

    fn edge(from: &str, to: &str, line: usize) -> Edge {
        Edge {
            from: from.to_owned(),
            to: to.to_owned(),
            line,
        }
    }

    #[test]
    fn names_file_modules() {
        let name = |p: &str| module_name(Path::new(p));
        assert_eq!(name("a.rs").as_deref(), Some("a"));
        assert_eq!(name("a/b.rs").as_deref(), Some("a::b"));
        for hub in ["lib.rs", "main.rs", "a/mod.rs", "bin/tool.rs", "a/notes.md"] {
            assert_eq!(name(hub), None, "{hub}");
        }
        assert_eq!(name("a/lib.rs").as_deref(), Some("a::lib"));
    }

    #[test]
    fn finds_circles_through_crate_paths() {
        let found = cycles(&modules(&[
            (
                "client",
                "use crate::{error::Error, pipeline::{self, Call as C}};\n",
            ),
            (
                "pipeline",
                "fn f() {}\nfn g() -> crate::client::Client { todo() }\n",
            ),
            ("error", "use crate::types::Id;\n"),
            ("types", "// use crate::error::Error;\n"),
            ("a::x", "use crate::a::y::Y;"),
            ("a::y", "use crate::{\n    a::x::X,\n};"),
        ]));
        assert_eq!(
            found,
            [
                Cycle {
                    modules: vec!["a::x".to_owned(), "a::y".to_owned()],
                    edges: vec![edge("a::x", "a::y", 1), edge("a::y", "a::x", 1)],
                },
                Cycle {
                    modules: vec!["client".to_owned(), "pipeline".to_owned()],
                    edges: vec![edge("client", "pipeline", 1), edge("pipeline", "client", 2)],
                },
            ]
        );
    }

    #[test]
    fn a_layered_crate_has_no_cycle() {
        let found = cycles(&modules(&[
            ("client", "use crate::pipeline::run;\nuse crate::Error;\n"),
            (
                "pipeline",
                "use crate::error::Error; use self::client::x;\n",
            ),
            (
                "error",
                "macro_rules! m { () => { $crate::client::C } }\n#[cfg(test)]\nmod tests { use crate::client::C; }\n/* crate::client */ const S: &str = \"crate::client\";\n",
            ),
        ]));
        assert_eq!(found, []);
    }
}

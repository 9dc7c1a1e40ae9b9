//! The README's commands and quickstart stay what CI checks: the quickstart block is
//! `examples/quickstart.rs` verbatim (compiled by `cargo test`).

fn root_readme() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
    std::fs::read_to_string(path).unwrap()
}

/// The fenced code blocks of `text` whose info string starts with `lang`.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim_start().strip_prefix("```")) {
            (None, Some(info)) if info.starts_with(lang) => current = Some(String::new()),
            (Some(block), Some(_)) => {
                out.push(std::mem::take(block));
                current = None;
            }
            (Some(block), None) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    out
}

#[test]
fn the_two_commands_come_first() {
    let readme = root_readme();
    let shell = blocks(&readme, "sh");
    assert!(shell.len() >= 2, "{shell:?}");
    assert_eq!(shell[0].trim(), "cargo run -p descope-cli -- demo");
    assert_eq!(shell[1].trim(), "cargo xtask ci");
    // Before any other section's code.
    let first_rust = readme.find("```rust").unwrap();
    assert!(readme.find("cargo xtask ci").unwrap() < first_rust);
}

#[test]
fn quickstart_is_the_compiled_example() {
    let readme = root_readme();
    let rust = blocks(&readme, "rust");
    let example = include_str!("../examples/quickstart.rs");
    assert_eq!(
        rust.first().map(String::as_str),
        Some(example),
        "README.md's quickstart differs from crates/descope-cli/examples/quickstart.rs"
    );
}

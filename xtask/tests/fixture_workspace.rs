//! xtask's tidy and release logic run against a copy of `tests/fixtures/workspace` in a
//! temporary git repository (offline; nothing is published).

use std::path::{Path, PathBuf};
use std::process::Command;

use xtask::ErrorKind;
use xtask::metadata::Workspace;
use xtask::release::{self, Options};
use xtask::tidy;
use xtask::util::TempDir;
use xtask::version::{Bump, Version};

/// A temporary git repository holding a copy of the fixture workspace.
struct Fixture {
    dir: TempDir,
}

impl Fixture {
    fn new() -> Self {
        let dir = TempDir::new("fixture").unwrap();
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/workspace");
        copy_dir(&source, dir.path());
        let fixture = Fixture { dir };
        fixture.git(&["init", "-q"]);
        for (key, value) in [
            ("user.name", "xtask test"),
            ("user.email", "xtask@example.com"),
            ("commit.gpgsign", "false"),
            ("tag.gpgsign", "false"),
        ] {
            fixture.git(&["config", key, value]);
        }
        fixture.commit_all("fixture");
        fixture
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self, file: &str) -> PathBuf {
        self.root().join(file)
    }

    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.path(file)).unwrap()
    }

    fn write(&self, file: &str, text: &str) {
        std::fs::write(self.path(file), text).unwrap();
    }

    fn edit(&self, file: &str, from: &str, to: &str) {
        let text = self.read(file);
        assert!(text.contains(from), "{file} lacks {from:?}");
        self.write(file, &text.replacen(from, to, 1));
    }

    fn git(&self, args: &[&str]) -> String {
        let output = Command::new("git")
            .arg("-C")
            .arg(self.root())
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "git {args:?}: {output:?}");
        String::from_utf8(output.stdout).unwrap()
    }

    fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-qm", message]);
    }

    fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files = Vec::new();
        walk(self.root(), &mut |path| {
            if !path
                .components()
                .any(|c| c.as_os_str() == ".git" || c.as_os_str() == "target")
            {
                files.push((path.to_path_buf(), std::fs::read(path).unwrap()));
            }
        });
        files.sort();
        files
    }

    fn tidy(&self) -> Vec<String> {
        let ws = Workspace::load(self.root()).unwrap();
        tidy::check(&ws)
            .unwrap()
            .into_iter()
            .map(|v| v.to_string())
            .collect()
    }

    fn release(&self, bump: &str, dry_run: bool) -> xtask::Result<release::Plan> {
        let mut options = Options::new(bump.parse::<Bump>().unwrap());
        options.dry_run = dry_run;
        options.offline = true;
        options.date = "2026-03-04".to_owned();
        release::run(self.root(), &options)
    }
}

fn walk(dir: &Path, f: &mut impl FnMut(&Path)) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, f);
        } else {
            f(&path);
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    walk(from, &mut |path| {
        let target = to.join(path.strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(path, target).unwrap();
    });
}

#[test]
fn the_fixture_is_tidy() {
    assert_eq!(Fixture::new().tidy(), Vec::<String>::new());
}

#[test]
fn tidy_reports_every_violation() {
    let f = Fixture::new();
    std::fs::remove_file(f.path("crates/beta/README.md")).unwrap();
    f.edit("crates/beta/src/lib.rs", "//! Depends on alpha.\n", "");
    f.edit(
        "crates/alpha/src/lib.rs",
        "    42\n",
        "    dbg!(42);\n    42\n",
    );
    f.edit(
        "crates/gamma/Cargo.toml",
        "license.workspace = true",
        "license = \"MIT\"",
    );
    f.edit("tools/helper/Cargo.toml", "edition.workspace = true\n", "");
    f.edit("README.md", "MSRV: Rust 1.85", "MSRV: Rust 1.80");
    f.edit("CHANGELOG.md", "## [Unreleased]", "## Next");
    assert_eq!(
        f.tidy(),
        [
            "crates/alpha/src/lib.rs: line 5: `dbg!` in library code",
            "crates/beta/src/lib.rs: no crate-level docs: start the file with `//!` comments",
            "crates/beta/README.md: publishable crate `fixture-beta` has no README",
            "crates/gamma/Cargo.toml: `license` is not inherited: write `license.workspace = true`",
            "tools/helper/Cargo.toml: `edition` is not inherited: write `edition.workspace = true`",
            "README.md: line 5: MSRV 1.80 does not match `rust-version = \"1.85\"` in Cargo.toml",
            "CHANGELOG.md: no `## [Unreleased]` section",
        ]
    );
}

#[test]
fn dry_run_plans_checks_packages_and_changes_nothing() {
    let f = Fixture::new();
    let before = f.snapshot();
    let plan = f.release("patch", true).unwrap();
    assert_eq!(plan.current, Version::new(0, 3, 0));
    assert_eq!(plan.next, Version::new(0, 3, 1));
    assert_eq!(
        plan.order,
        ["fixture-alpha", "fixture-beta", "fixture-gamma"]
    );
    let edited: Vec<String> = plan
        .edits
        .iter()
        .map(|e| e.path.display().to_string())
        .collect();
    assert_eq!(
        edited,
        [
            "CHANGELOG.md",
            "Cargo.lock",
            "Cargo.toml",
            "crates/gamma/Cargo.toml"
        ]
    );
    let rendered = plan.render(false);
    assert!(rendered.contains("release 0.3.0 -> 0.3.1"), "{rendered}");
    assert!(
        rendered.contains("  1. fixture-alpha\n  2. fixture-beta\n  3. fixture-gamma\n"),
        "{rendered}"
    );
    assert!(rendered.contains("+ version = \"0.3.1\""), "{rendered}");
    assert!(rendered.contains("+ ## [0.3.1] - 2026-03-04"), "{rendered}");
    assert_eq!(f.snapshot(), before, "the dry run changed files");
    assert_eq!(f.git(&["status", "--porcelain"]), "");
    assert_eq!(f.git(&["tag"]), "");
}

#[test]
fn release_bumps_in_lockstep_commits_and_tags() {
    let f = Fixture::new();
    let plan = f.release("minor", false).unwrap();
    assert_eq!(plan.next, Version::new(0, 4, 0));

    let root = f.read("Cargo.toml");
    assert!(root.contains("# Lockstep: every crate has this version.\nversion = \"0.4.0\"\n"));
    assert!(root.contains(
        "# Our own crates (bumped together).\nfixture-alpha = { path = \"crates/alpha\", version = \"0.4.0\" }\nfixture-beta = { path = \"crates/beta\", version = \"0.4.0\", default-features = false }\nfixture-helper = { path = \"tools/helper\" }\n"
    ));
    assert!(f.read("crates/gamma/Cargo.toml").contains(
        "# A crate-local requirement, bumped too.\nfixture-alpha = { path = \"../alpha\", version = \"=0.4.0\" }"
    ));
    assert!(f.read("CHANGELOG.md").contains(
        "## [Unreleased]\n\n## [0.4.0] - 2026-03-04\n\n### Added\n\n- fixture-gamma: a binary.\n\n## [0.3.0] - 2025-01-01\n"
    ));

    // Every member (the unpublished helper inherits the version too) moved to 0.4.0, and the
    // lockfile agrees without Cargo touching it.
    let ws = Workspace::load(f.root()).unwrap();
    for member in &ws.members {
        assert_eq!(member.version, "0.4.0", "{}", member.name);
    }
    let locked = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(f.root())
        .args(["metadata", "--locked", "--offline", "--format-version", "1"])
        .output()
        .unwrap();
    assert!(locked.status.success(), "{locked:?}");

    assert_eq!(f.git(&["status", "--porcelain"]), "");
    assert_eq!(f.git(&["log", "-1", "--format=%s"]), "release v0.4.0\n");
    assert_eq!(f.git(&["tag"]), "v0.4.0\n");

    // The same version cannot be released twice, and an empty Unreleased section stops a
    // real release.
    let err = f.release("0.4.0", false).unwrap_err();
    assert!(err.message().contains("does not increase"), "{err}");
    let err = f.release("patch", false).unwrap_err();
    assert!(
        err.message().contains("Unreleased section is empty"),
        "{err}"
    );
}

#[test]
fn release_refuses_and_explains() {
    let f = Fixture::new();
    f.write("notes.txt", "work in progress\n");
    let err = f.release("patch", true).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Refused);
    assert!(
        err.message().contains("not clean") && err.message().contains("notes.txt"),
        "{err}"
    );
    std::fs::remove_file(f.path("notes.txt")).unwrap();

    for (bump, why) in [
        ("0.3.0", "0.3.0 does not increase"),
        ("0.2.9", "0.2.9 does not increase"),
    ] {
        let err = f.release(bump, true).unwrap_err();
        assert!(err.message().contains(why), "{err}");
    }

    f.edit(
        "crates/beta/Cargo.toml",
        "description = \"Depends on alpha\"\n",
        "",
    );
    f.edit(
        "crates/gamma/Cargo.toml",
        "fixture-beta.workspace = true",
        "fixture-beta = { path = \"../beta\" }\nfixture-helper.workspace = true",
    );
    f.edit(
        "crates/alpha/Cargo.toml",
        "version.workspace = true",
        "version = \"0.3.0\"",
    );
    f.commit_all("break things");
    let err = f.release("patch", true).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Refused);
    let message = err.message();
    for expected in [
        "`fixture-alpha` sets its own version",
        "`fixture-beta` is missing `description`",
        "`fixture-gamma` depends on `fixture-beta` by path without a version",
        "`fixture-gamma` depends on `fixture-helper` by path without a version",
        "`fixture-gamma` depends on `fixture-helper`, which is `publish = false`",
    ] {
        assert!(
            message.contains(expected),
            "{expected:?} not in:\n{message}"
        );
    }
}

#[test]
fn dry_run_refuses_an_existing_tag() {
    let f = Fixture::new();
    f.git(&["tag", "v0.3.1"]);
    let err = f.release("patch", true).unwrap_err();
    assert!(err.message().contains("tag v0.3.1 already exists"), "{err}");
}

#[test]
fn tidy_reports_module_cycles() {
    let f = Fixture::new();
    f.write(
        "crates/alpha/src/lib.rs",
        &format!("{}mod a;\nmod b;\n", f.read("crates/alpha/src/lib.rs")),
    );
    f.write(
        "crates/alpha/src/a.rs",
        "//! A.\n\nuse crate::b::B;\n\n/// A.\npub struct A(pub B);\n",
    );
    f.write("crates/alpha/src/b.rs", "//! B.\n\n/// B.\npub struct B;\n");
    assert_eq!(f.tidy(), Vec::<String>::new(), "a -> b alone is no cycle");
    f.edit(
        "crates/alpha/src/b.rs",
        "pub struct B;\n",
        "pub struct B;\n\n/// Back to `a`.\npub fn a() -> Option<crate::a::A> {\n    None\n}\n",
    );
    assert_eq!(
        f.tidy(),
        [
            "crates/alpha/src: module cycle between `a`, `b` through `crate::` paths: a -> b (a.rs:3), b -> a (b.rs:7)"
        ]
    );
}

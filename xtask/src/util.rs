//! Processes, git, dates, diffs and file copies shared by the tasks.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::Error;

/// `cargo`, as the one running us (`$CARGO`) or from `PATH`.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// A command's printable form, for headers and error messages.
pub fn describe(cmd: &Command) -> String {
    let mut text = String::new();
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            let _ = write!(
                text,
                "{}=\"{}\" ",
                key.to_string_lossy(),
                value.to_string_lossy()
            );
        }
    }
    text.push_str(
        &Path::new(cmd.get_program())
            .file_name()
            .unwrap_or(cmd.get_program())
            .to_string_lossy(),
    );
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Runs `cmd` with inherited output; a non-zero exit is an error.
pub fn run(cmd: &mut Command) -> Result<(), Error> {
    let what = describe(cmd);
    eprintln!("$ {what}");
    let status = cmd
        .status()
        .map_err(|err| Error::io(format!("cannot start `{what}`"), err))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::failed(format!("`{what}` failed ({status})")))
    }
}

/// Runs `cmd` and returns its standard output; a non-zero exit is an error carrying stderr.
pub fn capture(cmd: &mut Command) -> Result<String, Error> {
    let what = describe(cmd);
    let output = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|err| Error::io(format!("cannot start `{what}`"), err))?;
    if !output.status.success() {
        return Err(Error::failed(format!(
            "`{what}` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    String::from_utf8(output.stdout)
        .map_err(|_| Error::parse(format!("`{what}` printed non-UTF-8 output")))
}

/// `git -C root ...`.
pub fn git(root: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(root);
    cmd
}

/// `git status --porcelain`: empty when the tree is clean (untracked files count as dirty).
pub fn git_status(root: &Path) -> Result<String, Error> {
    capture(git(root).args(["status", "--porcelain"]))
}

/// Whether the tag exists.
pub fn git_tag_exists(root: &Path, tag: &str) -> Result<bool, Error> {
    let status = git(root)
        .args(["rev-parse", "-q", "--verify"])
        .arg(format!("refs/tags/{tag}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|err| Error::io("cannot run git", err))?;
    Ok(status.success())
}

/// Today's date (UTC) as `YYYY-MM-DD`, from the system clock.
pub fn today() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((seconds / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A compact line diff of `old` and `new` for plans: changed lines with their numbers.
/// Files of equal line count are compared line by line (our manifest edits); otherwise the
/// differing middle after the common prefix and suffix is shown (our changelog edit).
pub fn diff(old: &str, new: &str) -> String {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let mut out = String::new();
    if old_lines.len() == new_lines.len() {
        for (i, (a, b)) in old_lines.iter().zip(&new_lines).enumerate() {
            if a != b {
                let _ = writeln!(out, "  {:>5} - {a}\n  {:>5} + {b}", i + 1, i + 1);
            }
        }
        return out;
    }
    let prefix = old_lines
        .iter()
        .zip(&new_lines)
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = old_lines[prefix..]
        .iter()
        .rev()
        .zip(new_lines[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    for (i, line) in old_lines[prefix..old_lines.len() - suffix]
        .iter()
        .enumerate()
    {
        let _ = writeln!(out, "  {:>5} - {line}", prefix + i + 1);
    }
    for (i, line) in new_lines[prefix..new_lines.len() - suffix]
        .iter()
        .enumerate()
    {
        let _ = writeln!(out, "  {:>5} + {line}", prefix + i + 1);
    }
    out
}

/// A fresh, empty temporary directory; removed when the guard drops.
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates `$TMPDIR/xtask-<label>-<pid>-<nanos>`.
    pub fn new(label: &str) -> Result<Self, Error> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path =
            std::env::temp_dir().join(format!("xtask-{label}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path)
            .map_err(|err| Error::io(format!("cannot create {}", path.display()), err))?;
        Ok(TempDir(path))
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copies `files` (relative to `from`) into `to`, creating directories.
pub fn copy_files(from: &Path, to: &Path, files: &[PathBuf]) -> Result<(), Error> {
    for file in files {
        let target = to.join(file);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|err| Error::io(format!("cannot create {}", parent.display()), err))?;
        }
        std::fs::copy(from.join(file), &target)
            .map_err(|err| Error::io(format!("cannot copy {}", file.display()), err))?;
    }
    Ok(())
}

/// Reads a file as UTF-8 text.
pub fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path)
        .map_err(|err| Error::io(format!("cannot read {}", path.display()), err))
}

/// Writes a file.
pub fn write(path: &Path, text: &str) -> Result<(), Error> {
    std::fs::write(path, text)
        .map_err(|err| Error::io(format!("cannot write {}", path.display()), err))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(59), (1970, 3, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn today_is_a_date() {
        let today = today();
        assert_eq!(today.len(), 10);
        assert!(today.as_str() > "2024-01-01", "{today}");
    }

    #[test]
    fn diffs_show_changed_lines() {
        assert_eq!(diff("a\nb\nc\n", "a\nB\nc\n"), "      2 - b\n      2 + B\n");
        assert_eq!(
            diff("a\nb\nc\n", "a\nx\ny\nb\nc\n"),
            "      2 + x\n      3 + y\n"
        );
        assert_eq!(diff("same\n", "same\n"), "");
    }
}

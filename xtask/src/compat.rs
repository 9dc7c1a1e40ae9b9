//! `cargo xtask compat`: Descope's official Python and Node SDKs, unchanged, against the
//! emulator binary.
//!
//! The SDKs are installed from PyPI and npm into `target/compat/` (pinned to the versions the
//! wire captures come from); the scripts live in `tests/compat/`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::metadata::Workspace;
use crate::{Error, util};

const PYTHON_SDK: &str = "descope==2.16.1";
const NODE_SDK: &str = "@descope/node-sdk@2.13.0";
/// The demo seed's tenant and one of its SSO domains (see `Seed::demo` in the emulator).
const TENANT: &str = "T2EmulatorTenantAcme";
const SSO_EMAIL: &str = "someone@acme.example";

/// Kills the emulator however `run` ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Installs both SDKs, starts the emulator on a free loopback port and runs both scripts.
pub fn run(root: &Path) -> Result<(), Error> {
    let ws = Workspace::load(root)?;
    let dir = ws.target_directory.join("compat");
    let py = dir.join("py");
    let node = dir.join("node");
    std::fs::create_dir_all(&node).map_err(|e| Error::io("cannot create target/compat", e))?;

    if !py.join("descope").exists() {
        util::run(
            Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--target",
                ])
                .arg(&py)
                .arg(PYTHON_SDK),
        )?;
    }
    if !node.join("node_modules/@descope/node-sdk").exists() {
        util::run(
            Command::new("npm")
                .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
                .arg(&node)
                .arg(NODE_SDK),
        )?;
    }
    // ES modules resolve packages from the script's own directory.
    std::fs::copy(
        root.join("tests/compat/node_sdk.mjs"),
        node.join("node_sdk.mjs"),
    )
    .map_err(|e| Error::io("cannot copy node_sdk.mjs", e))?;

    util::run(util::cargo().current_dir(root).args([
        "build",
        "-p",
        "descope-emulator",
        "--bin",
        "descope-emulator",
    ]))?;
    let binary = ws.target_directory.join("debug/descope-emulator");
    let child = Command::new(&binary)
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Error::io(format!("cannot start {}", binary.display()), e))?;
    let mut emulator = Running(child);
    let (base_url, project_id, management_key) = read_banner(&mut emulator.0)?;
    eprintln!("compat: emulator at {base_url}, project {project_id}");

    let env = [
        ("DESCOPE_BASE_URL", base_url.as_str()),
        ("DESCOPE_PROJECT_ID", project_id.as_str()),
        ("COMPAT_TENANT", TENANT),
        ("COMPAT_SSO_EMAIL", SSO_EMAIL),
        ("COMPAT_MANAGEMENT_KEY", management_key.as_str()),
    ];
    let python = util::run(
        Command::new("python3")
            .arg(root.join("tests/compat/python_sdk.py"))
            .env("PYTHONPATH", &py)
            .envs(env),
    );
    let node = util::run(
        Command::new("node")
            .arg(node.join("node_sdk.mjs"))
            .envs(env),
    );
    drop(emulator);
    python?;
    node
}

/// Reads `base URL:`, `project id:` and `management key:` from the binary's first lines of
/// output (the demo seed's key follows the project id).
fn read_banner(child: &mut Child) -> Result<(String, String, String), Error> {
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| Error::failed("emulator has no stdout"))?;
    let (mut base_url, mut project_id) = (None, None);
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| Error::io("cannot read the emulator's output", e))?;
        if let Some(url) = line.strip_prefix("base URL:") {
            base_url = Some(url.trim().to_owned());
        } else if let Some(pid) = line.strip_prefix("project id:") {
            project_id = Some(pid.trim().to_owned());
        } else if let Some(key) = line.strip_prefix("management key:") {
            let url = base_url.ok_or_else(|| Error::failed("emulator printed no base URL"))?;
            let pid = project_id.ok_or_else(|| Error::failed("emulator printed no project id"))?;
            return Ok((url, pid, key.trim().to_owned()));
        }
    }
    Err(Error::failed(
        "the emulator exited before printing its base URL",
    ))
}

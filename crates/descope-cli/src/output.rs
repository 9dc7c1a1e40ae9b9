//! Terminal output: colour (only on a TTY, never with `NO_COLOR`), the spinner, tables.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Whether to colour stdout: a terminal, and `NO_COLOR` unset or empty (no-color.org).
pub fn colour_enabled() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::stdout().is_terminal()
}

/// ANSI styling that turns into plain text when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    colour: bool,
}

impl Style {
    pub fn new(colour: bool) -> Self {
        Self { colour }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub fn green(self, text: &str) -> String {
        self.paint("32", text)
    }

    pub fn red(self, text: &str) -> String {
        self.paint("31", text)
    }

    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
}

/// A spinner on stderr while a step waits on the network; nothing unless stderr is a TTY.
pub struct Spinner {
    drawn: Arc<AtomicBool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Spinner {
    pub fn start(label: &str) -> Self {
        let drawn = Arc::new(AtomicBool::new(false));
        let task = std::io::stderr().is_terminal().then(|| {
            let drawn = Arc::clone(&drawn);
            let label = label.to_owned();
            tokio::spawn(async move {
                const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
                // A short delay first: fast steps finish before anything is drawn.
                tokio::time::sleep(Duration::from_millis(120)).await;
                let mut frame = 0;
                loop {
                    {
                        let mut err = std::io::stderr().lock();
                        let _ = write!(err, "\r{} {label}", FRAMES[frame % FRAMES.len()]);
                        let _ = err.flush();
                        drawn.store(true, Ordering::Relaxed);
                    }
                    frame += 1;
                    tokio::time::sleep(Duration::from_millis(80)).await;
                }
            })
        });
        Self { drawn, task }
    }

    /// Stops the spinner and erases its line, if it drew one.
    pub fn stop(mut self) {
        if let Some(task) = self.task.take() {
            // The task only yields while sleeping, so it never stops mid-frame.
            task.abort();
            if self.drawn.load(Ordering::Relaxed) {
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K");
                let _ = err.flush();
            }
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Rows of `name  value`, the names padded to one width.
pub fn table(rows: &[(String, String)], indent: &str) -> String {
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (key, value) in rows {
        out.push_str(&format!("{indent}{key:<width$}  {value}\n"));
    }
    out
}

/// A QR code of `text` in Unicode half blocks (two modules per character cell).
pub fn qr_code(text: &str) -> Option<String> {
    use qrcode::render::unicode::Dense1x2;
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    // Inverted colours: light modules drawn, so it scans on dark terminals too.
    Some(
        code.render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

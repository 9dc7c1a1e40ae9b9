//! The console's HTML. Every piece of text from the state goes through [`escape`]; links
//! from the outbox are clickable only when they are `http`/`https` URLs.

use std::fmt::Write as _;

use super::view::{
    AuditRow, Directory, MAX_OUTBOX_ROWS, MAX_USER_ROWS, OutboxRow, SessionRow, System, UserRow,
};
use crate::app::App;
use crate::project::Project;

/// Text (or an attribute value) made safe for HTML.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A URL query value or path segment: every byte but unreserved ones percent-encoded.
fn component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Unix seconds as `YYYY-MM-DD HH:MM:SS UTC`.
pub(crate) fn time(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn time_html(unix: i64) -> String {
    format!("<time data-unix=\"{unix}\">{}</time>", time(unix))
}

/// What every page shares: the project and the switcher's choices.
pub(crate) struct Frame {
    project: String,
    projects: Vec<String>,
}

impl Frame {
    pub(crate) fn new(app: &App, project: &Project) -> Self {
        Self {
            project: project.id.clone(),
            projects: app.projects.ids(),
        }
    }

    /// A console path with this project selected.
    fn link(&self, path: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{path}{sep}projectId={}", component(&self.project))
    }

    /// A control API action that answers the console's form with a redirect to `back`.
    fn action(&self, path: &str, back: &str) -> String {
        format!(
            "{path}?projectId={}&return={}",
            component(&self.project),
            component(&self.link(back))
        )
    }

    fn page(&self, title: &str, current: &str, body: &str) -> String {
        let mut html = String::with_capacity(body.len() + 2048);
        let _ = write!(
            html,
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{} - Descope emulator</title>\
             <link rel=\"stylesheet\" href=\"/emulator/style.css\">\
             <script src=\"/emulator/console.js\" defer></script></head>\n<body>\n\
             <a class=\"skip\" href=\"#main\">Skip to content</a>\n\
             <header class=\"bar\"><span class=\"brand\">Descope emulator</span>\n<nav aria-label=\"Console\"><ul>",
            escape(title)
        );
        for (path, label) in [
            ("/emulator/", "Outbox"),
            ("/emulator/console/users", "Users"),
            ("/emulator/console/directory", "Tenants, roles, keys"),
            ("/emulator/console/system", "Keys and clock"),
        ] {
            let current_attr = if path == current {
                " aria-current=\"page\""
            } else {
                ""
            };
            let _ = write!(
                html,
                "<li><a href=\"{}\"{current_attr}>{label}</a></li>",
                escape(&self.link(path))
            );
        }
        html.push_str("</ul></nav>\n");
        // The switcher is a plain GET form: it works without the script.
        let _ = write!(
            html,
            "<form class=\"switcher\" method=\"get\" action=\"{}\">\
             <label for=\"project\">Project</label> <select id=\"project\" name=\"projectId\" data-autosubmit>",
            escape(current)
        );
        for id in &self.projects {
            let selected = if *id == self.project { " selected" } else { "" };
            let _ = write!(
                html,
                "<option value=\"{0}\"{selected}>{0}</option>",
                escape(id)
            );
        }
        html.push_str(
            "</select> <button type=\"submit\" class=\"secondary\">Switch</button></form></header>\n",
        );
        let _ = write!(
            html,
            "<main id=\"main\">\n<h1>{}</h1>\n{body}</main>\n</body></html>\n",
            escape(title)
        );
        html
    }

    /// One button that posts to the control API and comes back to `back`.
    fn button(
        &self,
        path: &str,
        back: &str,
        label: &str,
        fields: &[(&str, &str)],
        class: &str,
        confirm: Option<&str>,
    ) -> String {
        let mut html = format!(
            "<form method=\"post\" class=\"inline\" action=\"{}\"",
            escape(&self.action(path, back))
        );
        if let Some(question) = confirm {
            let _ = write!(html, " data-confirm=\"{}\"", escape(question));
        }
        html.push('>');
        for (name, value) in fields {
            let _ = write!(
                html,
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(name),
                escape(value)
            );
        }
        let _ = write!(
            html,
            "<button type=\"submit\" class=\"{class}\">{}</button></form>",
            escape(label)
        );
        html
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "<span class=\"muted\">none</span>".to_owned();
    }
    items
        .iter()
        .map(|i| escape(i))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The outbox page: a table whose rows the script refreshes every second.
pub(crate) fn outbox(frame: &Frame, rows: &[OutboxRow]) -> String {
    let body = format!(
        "<p class=\"lead\">What Descope would have sent, newest first (at most {MAX_OUTBOX_ROWS}). \
         This page updates itself: start a sign-in and the code appears here.</p>\n\
         <p class=\"muted\" aria-live=\"polite\" id=\"live-status\"></p>\n\
         <div class=\"table-wrap\"><table><caption class=\"visually-hidden\">Outbox</caption>\n\
         <thead><tr><th scope=\"col\">Time</th><th scope=\"col\">Channel</th><th scope=\"col\">Recipient</th>\
         <th scope=\"col\">Kind</th><th scope=\"col\">Code or link</th></tr></thead>\n\
         <tbody id=\"outbox-rows\" data-src=\"{}\" aria-live=\"polite\">{}</tbody></table></div>\n{}",
        escape(&frame.link("/emulator/console/outbox")),
        outbox_rows(&frame.project, rows),
        frame.button(
            "/emulator/outbox/clear",
            "/emulator/",
            "Clear the outbox",
            &[],
            "secondary",
            None
        ),
    );
    frame.page("Outbox", "/emulator/", &body)
}

/// The rows of the outbox table (also served alone for the page to poll).
pub(crate) fn outbox_rows(_project: &str, rows: &[OutboxRow]) -> String {
    if rows.is_empty() {
        return "<tr><td colspan=\"5\" class=\"muted\">No messages yet.</td></tr>\n".to_owned();
    }
    let mut html = String::new();
    for row in rows {
        let payload = match (&row.code, &row.link) {
            (Some(code), _) => format!(
                "<span class=\"code\" data-testid=\"code\">{0}</span> \
                 <button type=\"button\" class=\"secondary copy\" data-copy=\"{0}\" \
                 aria-label=\"Copy code {0}\">Copy</button>",
                escape(code)
            ),
            (None, Some(link)) if is_web_url(link) => format!(
                "<a href=\"{0}\" target=\"_blank\" rel=\"noopener noreferrer\">Open {1} link</a> \
                 <button type=\"button\" class=\"secondary copy\" data-copy=\"{0}\">Copy</button>",
                escape(link),
                escape(&row.kind)
            ),
            (None, Some(link)) => format!("<code>{}</code>", escape(link)),
            (None, None) => "<span class=\"muted\">-</span>".to_owned(),
        };
        let recipient = if row.to.eq_ignore_ascii_case(&row.login_id) {
            escape(&row.to)
        } else {
            format!(
                "{} <span class=\"muted\">({})</span>",
                escape(&row.to),
                escape(&row.login_id)
            )
        };
        let _ = writeln!(
            html,
            "<tr data-id=\"{}\"><td>{}</td><td>{}</td><td>{recipient}</td><td>{}</td><td>{payload}</td></tr>",
            escape(&row.id),
            time_html(row.created_at),
            escape(&row.channel),
            escape(&row.kind),
        );
    }
    html
}

/// Only `http(s)` links are made clickable: a redirect URL chosen by an SDK caller could be
/// `javascript:`.
fn is_web_url(link: &str) -> bool {
    url::Url::parse(link).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

fn status(user: &UserRow) -> &'static str {
    if user.enabled { "enabled" } else { "disabled" }
}

fn tenants(user: &UserRow) -> String {
    let items: Vec<String> = user
        .tenants
        .iter()
        .map(|(name, roles)| {
            if roles.is_empty() {
                name.clone()
            } else {
                format!("{name} ({})", roles.join(", "))
            }
        })
        .collect();
    list(&items)
}

pub(crate) fn users(frame: &Frame, rows: &[UserRow], total: usize) -> String {
    let mut body = String::new();
    if total > rows.len() {
        let _ = writeln!(
            body,
            "<p class=\"muted\">Showing the first {MAX_USER_ROWS} of {total} users.</p>"
        );
    }
    body.push_str(
        "<div class=\"table-wrap\"><table><caption class=\"visually-hidden\">Users</caption>\n\
         <thead><tr><th scope=\"col\">Login ids</th><th scope=\"col\">Name</th><th scope=\"col\">Status</th>\
         <th scope=\"col\">Roles</th><th scope=\"col\">Tenants</th><th scope=\"col\">Test user</th>\
         <th scope=\"col\">Sign-in methods</th></tr></thead>\n<tbody>\n",
    );
    if rows.is_empty() {
        body.push_str("<tr><td colspan=\"7\" class=\"muted\">No users yet.</td></tr>\n");
    }
    for user in rows {
        let state = status(user);
        let _ = writeln!(
            body,
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td><span class=\"badge {state}\">{state}</span></td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&frame.link(&format!(
                "/emulator/console/users/{}",
                component(&user.user_id)
            ))),
            list(&user.login_ids),
            escape(&user.name),
            list(&user.roles),
            tenants(user),
            if user.test { "yes" } else { "no" },
            list(&user.methods),
        );
    }
    body.push_str("</tbody></table></div>\n");
    frame.page("Users", "/emulator/console/users", &body)
}

pub(crate) fn user(
    frame: &Frame,
    user: &UserRow,
    sessions: &[SessionRow],
    audit: &[AuditRow],
) -> String {
    let id = component(&user.user_id);
    let here = format!("/emulator/console/users/{id}");
    let mut body = String::from("<dl class=\"facts\">");
    let facts = [
        ("User id", escape(&user.user_id)),
        ("Login ids", list(&user.login_ids)),
        ("Name", escape(&user.name)),
        ("Email", escape(&user.email)),
        ("Phone", escape(&user.phone)),
        (
            "Status",
            format!("<span class=\"badge {0}\">{0}</span>", status(user)),
        ),
        ("Roles", list(&user.roles)),
        ("Tenants", tenants(user)),
        ("Test user", if user.test { "yes" } else { "no" }.to_owned()),
        ("Sign-in methods", list(&user.methods)),
        ("Created", time_html(user.created)),
    ];
    for (term, value) in facts {
        let _ = write!(body, "<dt>{term}</dt><dd>{value}</dd>");
    }
    body.push_str("</dl>\n<div class=\"actions\">");
    body.push_str(&if user.enabled {
        frame.button(
            &format!("/emulator/users/{id}/deactivate"),
            &here,
            "Deactivate",
            &[],
            "secondary",
            None,
        )
    } else {
        frame.button(
            &format!("/emulator/users/{id}/activate"),
            &here,
            "Activate",
            &[],
            "secondary",
            None,
        )
    });
    body.push_str(&frame.button(
        &format!("/emulator/users/{id}/logout"),
        &here,
        "Log out everywhere",
        &[],
        "secondary",
        None,
    ));
    body.push_str(&frame.button(
        &format!("/emulator/users/{id}/delete"),
        "/emulator/console/users",
        "Delete user",
        &[],
        "danger",
        Some("Delete this user and end its sessions?"),
    ));
    body.push_str("</div>\n<h2>Sessions</h2>\n");
    if sessions.is_empty() {
        body.push_str("<p class=\"muted\">No sessions.</p>\n");
    } else {
        body.push_str(
            "<div class=\"table-wrap\"><table id=\"sessions\"><caption class=\"visually-hidden\">Sessions</caption>\n\
             <thead><tr><th scope=\"col\">Session id</th><th scope=\"col\">Signed in</th><th scope=\"col\">Expires</th>\
             <th scope=\"col\">Methods</th><th scope=\"col\">Tenant</th><th scope=\"col\">State</th></tr></thead>\n<tbody>\n",
        );
        for s in sessions {
            let _ = writeln!(
                body,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&s.sid),
                time_html(s.created),
                time_html(s.expires),
                list(&s.methods),
                s.tenant
                    .as_deref()
                    .map_or_else(|| "<span class=\"muted\">-</span>".to_owned(), escape),
                if s.live { "live" } else { "ended" },
            );
        }
        body.push_str("</tbody></table></div>\n");
    }
    body.push_str("<h2>Audit records</h2>\n");
    if audit.is_empty() {
        body.push_str("<p class=\"muted\">Audit records appear here.</p>\n");
    } else {
        body.push_str(
            "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Time</th>\
             <th scope=\"col\">Action</th><th scope=\"col\">Detail</th></tr></thead>\n<tbody>\n",
        );
        for a in audit {
            let _ = writeln!(
                body,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                time_html(a.time),
                escape(&a.action),
                escape(&a.detail)
            );
        }
        body.push_str("</tbody></table></div>\n");
    }
    let title = user
        .login_ids
        .first()
        .map_or(user.user_id.as_str(), String::as_str);
    frame.page(title, "/emulator/console/users", &body)
}

pub(crate) fn directory(frame: &Frame, d: &Directory) -> String {
    let mut body = String::from("<h2>Tenants</h2>\n");
    if d.tenants.is_empty() {
        body.push_str("<p class=\"muted\">No tenants.</p>\n");
    } else {
        body.push_str(
            "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Id</th><th scope=\"col\">Name</th>\
             <th scope=\"col\">SSO domains</th></tr></thead>\n<tbody>\n",
        );
        for t in &d.tenants {
            let _ = writeln!(
                body,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                escape(&t.id),
                escape(&t.name),
                list(&t.sso_domains)
            );
        }
        body.push_str("</tbody></table></div>\n");
    }
    body.push_str("<h2>Roles</h2>\n");
    if d.roles.is_empty() {
        body.push_str("<p class=\"muted\">No roles.</p>\n");
    } else {
        body.push_str(
            "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Role</th>\
             <th scope=\"col\">Permissions</th></tr></thead>\n<tbody>\n",
        );
        for r in &d.roles {
            let _ = writeln!(
                body,
                "<tr><td>{}</td><td>{}</td></tr>",
                escape(&r.name),
                list(&r.permissions)
            );
        }
        body.push_str("</tbody></table></div>\n");
    }
    body.push_str(
        "<h2>Access keys</h2>\n<p class=\"muted\">Ids only: secrets are never shown.</p>\n",
    );
    if d.access_keys.is_empty() {
        body.push_str("<p class=\"muted\">No access keys.</p>\n");
    } else {
        body.push_str(
            "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Key id</th>\
             <th scope=\"col\">Name</th><th scope=\"col\">Status</th><th scope=\"col\">Roles</th>\
             <th scope=\"col\">Tenants</th></tr></thead>\n<tbody>\n",
        );
        for k in &d.access_keys {
            let _ = writeln!(
                body,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&k.id),
                escape(&k.name),
                if k.active { "active" } else { "deactivated" },
                list(&k.roles),
                list(&k.tenants)
            );
        }
        body.push_str("</tbody></table></div>\n");
    }
    frame.page(
        "Tenants, roles and access keys",
        "/emulator/console/directory",
        &body,
    )
}

fn duration(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "+" };
    let s = seconds.unsigned_abs();
    format!(
        "{sign}{}d {:02}h {:02}m {:02}s",
        s / 86_400,
        s / 3600 % 24,
        s / 60 % 60,
        s % 60
    )
}

pub(crate) fn system(frame: &Frame, sys: &System) -> String {
    let here = "/emulator/console/system";
    let mut body = String::from(
        "<h2>Signing keys</h2>\n<div class=\"table-wrap\"><table id=\"keys\"><thead><tr><th scope=\"col\">Key id (kid)</th>\
         <th scope=\"col\">Signing since</th><th scope=\"col\">Grace until</th></tr></thead>\n<tbody>\n",
    );
    for key in &sys.keys {
        let _ = writeln!(
            body,
            "<tr><td><code class=\"kid\">{}</code></td><td>{}</td><td>{}</td></tr>",
            escape(&key.kid),
            time_html(key.created),
            key.valid_until
                .map_or_else(|| "current".to_owned(), time_html),
        );
    }
    body.push_str("</tbody></table></div>\n<div class=\"actions\">");
    body.push_str(&frame.button(
        "/emulator/keys/rotate",
        here,
        "Rotate key",
        &[],
        "primary",
        None,
    ));
    let offset = sys.offset_seconds.to_string();
    let _ = write!(
        body,
        "</div>\n<h2>Clock</h2>\n<p>Emulator time: {} (offset <span id=\"offset\">{}</span>, {} s). \
         The offset applies to every project.</p>\n<div class=\"actions\">",
        time_html(sys.now),
        duration(sys.offset_seconds),
        escape(&offset),
    );
    body.push_str(&frame.button(
        "/emulator/clock/advance",
        here,
        "+1 hour",
        &[("seconds", "3600")],
        "secondary",
        None,
    ));
    body.push_str(&frame.button(
        "/emulator/clock/advance",
        here,
        "+1 day",
        &[("seconds", "86400")],
        "secondary",
        None,
    ));
    body.push_str(&frame.button(
        "/emulator/clock",
        here,
        "Reset clock",
        &[("offsetSeconds", "0")],
        "secondary",
        None,
    ));
    body.push_str("</div>\n<h2>Fault rules</h2>\n");
    if sys.faults.is_empty() {
        body.push_str("<p class=\"muted\">No active fault rules.</p>\n");
    } else {
        body.push_str(
            "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Path</th><th scope=\"col\">Fault</th>\
             <th scope=\"col\">Requests left</th></tr></thead>\n<tbody>\n",
        );
        for (path, left, kind) in &sys.faults {
            let _ = writeln!(
                body,
                "<tr><td><code>{}</code></td><td>{}</td><td>{left}</td></tr>",
                escape(path),
                escape(kind)
            );
        }
        body.push_str("</tbody></table></div>\n");
    }
    body.push_str("<div class=\"actions\">");
    body.push_str(&frame.button(
        "/emulator/faults/clear",
        here,
        "Clear all fault rules",
        &[],
        "secondary",
        None,
    ));
    body.push_str("</div>\n<h2>Reset</h2>\n<p>Back to the seed data: users, sessions, pending codes and the outbox. Keys are kept.</p>\n<div class=\"actions\">");
    body.push_str(&frame.button(
        "/emulator/reset",
        here,
        "Reset to seed",
        &[],
        "danger",
        Some("Reset this project to its seed data?"),
    ));
    body.push_str("</div>\n");
    frame.page("Keys and clock", here, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        assert_eq!(component("a b/c?d=e&f"), "a%20b%2Fc%3Fd%3De%26f");
    }

    #[test]
    fn times_are_utc_calendar_dates() {
        assert_eq!(time(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(time(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(time(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(time(-1), "1969-12-31 23:59:59 UTC");
    }

    fn row(code: Option<&str>, link: Option<&str>, to: &str) -> OutboxRow {
        OutboxRow {
            id: "M00000001".to_owned(),
            created_at: 0,
            channel: "email".to_owned(),
            to: to.to_owned(),
            login_id: to.to_owned(),
            kind: "magiclink".to_owned(),
            code: code.map(str::to_owned),
            link: link.map(str::to_owned),
        }
    }

    #[test]
    fn outbox_rows_escape_and_refuse_script_links() {
        let html = outbox_rows(
            "P",
            &[
                row(
                    None,
                    Some("javascript:alert(1)"),
                    "<img src=x onerror=alert(1)>",
                ),
                row(
                    None,
                    Some("http://localhost:3000/verify?a=1&t=T\"><b>"),
                    "a@example.com",
                ),
                row(Some("123456"), None, "a@example.com"),
            ],
        );
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(!html.contains("href=\"javascript:"), "{html}");
        assert!(html.contains("<code>javascript:alert(1)</code>"));
        assert!(
            html.contains("href=\"http://localhost:3000/verify?a=1&amp;t=T&quot;&gt;&lt;b&gt;\"")
        );
        assert!(!html.contains("<b>"));
        assert!(html.contains("<span class=\"code\" data-testid=\"code\">123456</span>"));
        assert!(html.contains("target=\"_blank\" rel=\"noopener noreferrer\""));
    }

    #[test]
    fn user_page_escapes_and_shows_no_tokens() {
        let frame = Frame {
            project: "P<1>".to_owned(),
            projects: vec!["P<1>".to_owned(), "P\"2".to_owned()],
        };
        let user = UserRow {
            user_id: "U2/<x>".to_owned(),
            login_ids: vec!["<script>x</script>@example.com".to_owned()],
            name: "Ada \"Lovelace\"".to_owned(),
            email: String::new(),
            phone: String::new(),
            enabled: true,
            roles: vec!["<admin>".to_owned()],
            tenants: vec![("T&1".to_owned(), vec!["r".to_owned()])],
            test: false,
            methods: vec!["TOTP".to_owned()],
            created: 0,
        };
        let sessions = [SessionRow {
            sid: "S<1>".to_owned(),
            created: 0,
            expires: 10,
            live: true,
            methods: vec!["otp".to_owned()],
            tenant: None,
        }];
        let html = super::user(&frame, &user, &sessions, &[]);
        assert!(!html.contains("<script>x"), "{html}");
        assert!(!html.contains("<admin>"));
        assert!(!html.contains("S<1>"));
        assert!(html.contains("Ada &quot;Lovelace&quot;"));
        assert!(html.contains("<option value=\"P&quot;2\">P&quot;2</option>"));
        // Actions carry the project and a return path, percent-encoded.
        assert!(html.contains("action=\"/emulator/users/U2%2F%3Cx%3E/deactivate?projectId=P%3C1%3E&amp;return=%2Femulator%2Fconsole%2Fusers%2FU2%252F%253Cx%253E%3FprojectId%3DP%253C1%253E\""), "{html}");
        assert!(html.contains("Audit records appear here."));
    }
}

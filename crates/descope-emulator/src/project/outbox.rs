//! The outbox: every email, SMS, voice call or WhatsApp message Descope would send, kept so
//! tests can read the code or link instead.

use std::collections::VecDeque;

use descope_types::MaskedAddressResponse;
use serde::Serialize;

/// Messages a project keeps; when full, the oldest is dropped.
pub(crate) const MAX_MESSAGES: usize = 1 << 14;

/// What a message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum MessageKind {
    Otp,
    #[serde(rename = "magiclink")]
    MagicLink,
    #[serde(rename = "enchantedlink")]
    EnchantedLink,
    PasswordReset,
    /// An invitation (management API): a link that signs the invited user in.
    Invite,
}

/// How it would have been delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Channel {
    Email,
    Sms,
    Voice,
    Whatsapp,
    /// Instant messaging (`im`, a Node SDK delivery method).
    Im,
}

impl Channel {
    /// The channel of a Descope delivery method path segment (`email`, `sms`, `voice`,
    /// `whatsapp`).
    pub(crate) fn from_method(method: &str) -> Option<Self> {
        match method {
            "email" => Some(Self::Email),
            "sms" => Some(Self::Sms),
            "voice" => Some(Self::Voice),
            "whatsapp" => Some(Self::Whatsapp),
            "im" => Some(Self::Im),
            _ => None,
        }
    }
}

/// One message, as `GET /emulator/outbox` shows it.
///
/// Deliberately no `Debug`: it carries one-time codes and tokens.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Message {
    /// Assigned by [`Outbox::push`].
    pub(crate) id: String,
    pub(crate) kind: MessageKind,
    pub(crate) channel: Channel,
    /// The login id the message is for (the existing one for address updates).
    pub(crate) login_id: String,
    /// The address it went to.
    pub(crate) to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) link: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) link_id: Option<String>,
    /// Unix seconds, on the emulator's clock.
    pub(crate) created_at: i64,
}

impl Message {
    /// A message with no code, token or link yet; `id` is set when pushed.
    pub(crate) fn new(
        kind: MessageKind,
        channel: Channel,
        login_id: &str,
        to: &str,
        created_at: i64,
    ) -> Self {
        Self {
            id: String::new(),
            kind,
            channel,
            login_id: login_id.to_owned(),
            to: to.to_owned(),
            code: None,
            token: None,
            link: None,
            link_id: None,
            created_at,
        }
    }
}

/// The messages of one project, oldest first, at most [`MAX_MESSAGES`].
#[derive(Default)]
pub(crate) struct Outbox {
    messages: VecDeque<Message>,
    pushed: u64,
}

impl Outbox {
    /// Keeps `message`, dropping the oldest when full; returns the id it was given.
    pub(crate) fn push(&mut self, mut message: Message) -> String {
        self.pushed += 1;
        message.id = format!("M{:08}", self.pushed);
        if self.messages.len() >= MAX_MESSAGES {
            self.messages.pop_front();
        }
        let id = message.id.clone();
        self.messages.push_back(message);
        id
    }

    /// The messages, oldest first; only those for `login_id` (any case) when given.
    pub(crate) fn list(&self, login_id: Option<&str>) -> Vec<&Message> {
        self.messages
            .iter()
            .filter(|m| login_id.is_none_or(|l| m.login_id.eq_ignore_ascii_case(l)))
            .collect()
    }

    pub(crate) fn clear(&mut self) {
        self.messages.clear();
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.messages.len()
    }
}

/// Replaces or adds `t=<token>` in `url`'s query, as Descope builds the links it sends.
/// An unparsable URL gets `?t=` (or `&t=`) appended.
pub(crate) fn link_with_token(url: &str, token: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            let pairs: Vec<(String, String)> = parsed
                .query_pairs()
                .filter(|(k, _)| k != "t")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            parsed
                .query_pairs_mut()
                .clear()
                .extend_pairs(pairs)
                .append_pair("t", token);
            parsed.into()
        }
        Err(_) => {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}t={token}")
        }
    }
}

/// An address as the answers of Descope's sending calls show it: `a***@example.com` (first
/// character and domain kept) or `+*******1234` (every digit but the last four starred).
pub(crate) fn mask(address: &str, email: bool) -> String {
    if email && let Some((local, domain)) = address.rsplit_once('@') {
        let first: String = local.chars().take(1).collect();
        return format!("{first}***@{domain}");
    }
    let digits = address.chars().filter(char::is_ascii_digit).count();
    let keep_from = digits.saturating_sub(4);
    let mut seen = 0;
    address
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen > keep_from { c } else { '*' }
            } else {
                c
            }
        })
        .collect()
}

/// The answer of a call that sent a message to `to` over `channel`: `{maskedEmail}` for
/// email, `{maskedPhone}` otherwise.
pub(crate) fn masked_answer(channel: Channel, to: &str) -> MaskedAddressResponse {
    let email = channel == Channel::Email;
    let masked = mask(to, email);
    if email {
        MaskedAddressResponse {
            masked_email: masked,
            ..MaskedAddressResponse::default()
        }
    } else {
        MaskedAddressResponse {
            masked_phone: masked,
            ..MaskedAddressResponse::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(login: &str) -> Message {
        Message::new(MessageKind::Otp, Channel::Email, login, login, 1)
    }

    #[test]
    fn oldest_first_filtered_and_capped() {
        let mut outbox = Outbox::default();
        let first = outbox.push(message("a@example.com"));
        outbox.push(message("b@example.com"));
        outbox.push(message("A@example.com"));
        let ids: Vec<_> = outbox.list(None).iter().map(|m| m.id.clone()).collect();
        assert_eq!(ids[0], first);
        assert_eq!(outbox.list(Some("a@EXAMPLE.com")).len(), 2);
        for _ in 0..MAX_MESSAGES {
            outbox.push(message("c@example.com"));
        }
        assert_eq!(outbox.len(), MAX_MESSAGES);
        assert!(outbox.list(Some("a@example.com")).is_empty());
    }

    #[test]
    fn masks() {
        assert_eq!(mask("ada@example.com", true), "a***@example.com");
        assert_eq!(mask("+15555551234", false), "+*******1234");
        assert_eq!(mask("123", false), "123");
        let answer = masked_answer(Channel::Sms, "+15555551234");
        assert_eq!(answer.masked_phone, "+*******1234");
        assert!(answer.masked_email.is_empty());
    }

    #[test]
    fn links_carry_the_token_once() {
        assert_eq!(
            link_with_token("http://localhost:3000/verify?x=1&t=old", "T1"),
            "http://localhost:3000/verify?x=1&t=T1"
        );
        assert_eq!(
            link_with_token("http://localhost/cb", "T2"),
            "http://localhost/cb?t=T2"
        );
        assert_eq!(link_with_token("not a url", "T3"), "not a url?t=T3");
    }

    #[test]
    fn serialized_shape() {
        let mut m = message("a@example.com");
        m.code = Some("123456".to_owned());
        let value = serde_json::to_value(&m).unwrap();
        assert_eq!(value["kind"], "otp");
        assert_eq!(value["channel"], "email");
        assert_eq!(value["loginId"], "a@example.com");
        assert_eq!(value["code"], "123456");
        assert!(value.get("token").is_none());
        let kinds = [
            (MessageKind::MagicLink, "magiclink"),
            (MessageKind::EnchantedLink, "enchantedlink"),
            (MessageKind::PasswordReset, "password-reset"),
            (MessageKind::Invite, "invite"),
        ];
        for (kind, name) in kinds {
            assert_eq!(serde_json::to_value(kind).unwrap(), name);
        }
    }
}

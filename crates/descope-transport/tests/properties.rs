//! `retry_after` reads a header the server controls: over arbitrary bytes, and over
//! structured mutations of both forms (delay-seconds and HTTP-date), it returns `None` or a
//! `Duration`, never panics, and reads every valid value exactly.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use descope_transport::retry_after;
use proptest::collection::vec;
use proptest::prelude::*;

/// The last second HTTP-dates can name: 9999-12-31T23:59:59Z.
const LAST_HTTP_DATE: u64 = 253_402_300_799;

fn headers(value: &[u8]) -> Option<http::HeaderMap> {
    // Bytes `http` refuses in a header value never reach a client.
    let value = http::HeaderValue::from_bytes(value).ok()?;
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::RETRY_AFTER, value);
    Some(headers)
}

fn read(value: &[u8], now: SystemTime) -> Option<Duration> {
    retry_after(&headers(value)?, now)
}

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

/// Any clock reading: well before the epoch to far past the year 9999.
fn now() -> impl Strategy<Value = SystemTime> {
    (-(1i64 << 36)..(1i64 << 38)).prop_map(|s| match u64::try_from(s) {
        Ok(after) => at(after),
        Err(_) => UNIX_EPOCH - Duration::from_secs(s.unsigned_abs()),
    })
}

fn date() -> impl Strategy<Value = u64> {
    0..=LAST_HTTP_DATE
}

/// `at` in the three HTTP-date formats of RFC 9110 (RFC 850 only when its two-digit year
/// reads back as the same year).
fn date_forms(seconds: u64) -> Vec<String> {
    let imf = httpdate::fmt_http_date(at(seconds)); // "Sun, 06 Nov 1994 08:49:37 GMT"
    let f: Vec<&str> = imf.split([' ', ',']).filter(|f| !f.is_empty()).collect();
    let (weekday, day, month, year, time) = (f[0], f[1], f[2], f[3], f[4]);
    let day_number: u32 = day.parse().unwrap();
    let mut forms = vec![
        imf.clone(),
        format!("{weekday} {month} {day_number:>2} {time} {year}"),
    ];
    let full_weekday = match weekday {
        "Mon" => "Monday",
        "Tue" => "Tuesday",
        "Wed" => "Wednesday",
        "Thu" => "Thursday",
        "Fri" => "Friday",
        "Sat" => "Saturday",
        _ => "Sunday",
    };
    if ("1970".."2070").contains(&year) {
        forms.push(format!(
            "{full_weekday}, {day}-{month}-{} {time} GMT",
            &year[2..]
        ));
    }
    forms
}

#[derive(Debug, Clone)]
enum Mutation {
    Truncate(usize),
    Delete(usize),
    Replace(usize, char),
    Insert(usize, char),
    Swap(usize, usize),
    Uppercase,
    Lowercase,
    Repeat,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let c = prop_oneof![
        any::<char>(),
        proptest::char::range(' ', '~'),
        Just('\t'),
        proptest::char::range('0', '9'),
    ];
    prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), c.clone()).prop_map(|(i, c)| Mutation::Replace(i, c)),
        (any::<usize>(), c).prop_map(|(i, c)| Mutation::Insert(i, c)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Mutation::Swap(i, j)),
        Just(Mutation::Uppercase),
        Just(Mutation::Lowercase),
        Just(Mutation::Repeat),
    ]
}

fn mutate(value: &str, mutations: &[Mutation]) -> String {
    let mut chars: Vec<char> = value.chars().collect();
    for m in mutations {
        let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
        match *m {
            Mutation::Truncate(i) => chars.truncate(at(i, chars.len() + 1)),
            Mutation::Delete(i) if !chars.is_empty() => {
                chars.remove(at(i, chars.len()));
            }
            Mutation::Replace(i, c) if !chars.is_empty() => {
                let i = at(i, chars.len());
                chars[i] = c;
            }
            Mutation::Insert(i, c) => chars.insert(at(i, chars.len() + 1), c),
            Mutation::Swap(i, j) if !chars.is_empty() => {
                let (i, j) = (at(i, chars.len()), at(j, chars.len()));
                chars.swap(i, j);
            }
            Mutation::Uppercase => chars = chars.iter().flat_map(|c| c.to_uppercase()).collect(),
            Mutation::Lowercase => chars = chars.iter().flat_map(|c| c.to_lowercase()).collect(),
            Mutation::Repeat => chars.extend(chars.clone()),
            _ => {}
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn arbitrary_bytes(bytes in vec(any::<u8>(), 0..96), now in now()) {
        let _ = read(&bytes, now);
    }

    #[test]
    fn arbitrary_text(text in "[ -~\t]{0,48}", now in now()) {
        let got = read(text.as_bytes(), now);
        // The only way to a `Duration` without a date: digits, nothing else.
        let trimmed = text.trim();
        if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
            prop_assert_eq!(got, trimmed.parse().ok().map(Duration::from_secs));
        }
    }

    #[test]
    fn delay_seconds_read_exactly(
        seconds in any::<u64>(),
        zeros in 0usize..4,
        before in "[ \t]{0,3}",
        after in "[ \t]{0,3}",
        now in now(),
    ) {
        let value = format!("{before}{}{seconds}{after}", "0".repeat(zeros));
        prop_assert_eq!(read(value.as_bytes(), now), Some(Duration::from_secs(seconds)));
    }

    #[test]
    fn delay_seconds_past_u64_are_refused(digits in "[1-9][0-9]{20,40}", now in now()) {
        prop_assert_eq!(read(digits.as_bytes(), now), None);
    }

    #[test]
    fn delay_seconds_with_a_stray_character_are_refused(
        seconds in 10u64..,
        at in any::<usize>(),
        stray in proptest::sample::select(vec!['-', '+', '.', ',', 'e', 'x', ':', '/', ' ', '\u{e9}']),
        now in now(),
    ) {
        let mut value = seconds.to_string();
        // Strictly inside the digits: at either end, a space would just be trimmed.
        value.insert(1 + at % (value.len() - 1), stray);
        prop_assert_eq!(read(value.as_bytes(), now), None, "{:?}", value);
    }

    #[test]
    fn delay_seconds_mutated(
        seconds in any::<u64>(),
        mutations in vec(mutation(), 1..4),
        now in now(),
    ) {
        let _ = read(mutate(&seconds.to_string(), &mutations).as_bytes(), now);
    }

    #[test]
    fn http_dates_read_exactly_in_every_form(seconds in date(), now in now()) {
        let expected = at(seconds).duration_since(now).unwrap_or(Duration::ZERO);
        for form in date_forms(seconds) {
            prop_assert_eq!(read(form.as_bytes(), now), Some(expected), "{}", form);
        }
    }

    #[test]
    fn http_dates_mutated(
        seconds in date(),
        form in 0usize..3,
        mutations in vec(mutation(), 1..4),
        now in now(),
    ) {
        let forms = date_forms(seconds);
        let value = mutate(&forms[form % forms.len()], &mutations);
        if let Some(wait) = read(value.as_bytes(), now) {
            // Whatever it read, it is no further out than the last HTTP-date, or it was
            // digits only.
            let digits = value.trim().bytes().all(|b| b.is_ascii_digit());
            prop_assert!(digits || now + wait <= at(LAST_HTTP_DATE).max(now), "{:?}", value);
        }
    }
}

//! What clients send the bus, checked before anything is stored: a publish's CloudEvent
//! (docs/protocol.md section 9.1) and a subscription (section 9.2).
use brief_runtime::bytes::Bytes;
use brief_runtime::errors::{Code, ErrorReply};
use std::borrow::Cow;

/// A CloudEvent accepted for publishing: the body is stored and delivered unchanged.
#[derive(Debug, Clone)]
pub struct Event {
    pub source: String,
    pub id: String,
    /// The `type`, which is the topic.
    pub topic: String,
    /// Its `traceparent`, if any.
    pub traceparent: Option<String>,
    /// The body as received.
    pub raw: Bytes,
}

/// The context attributes `publish` checks; each must be a string (or null, or absent).
#[derive(serde::Deserialize)]
struct Attributes<'a> {
    #[serde(borrow)]
    specversion: Option<Cow<'a, str>>,
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    source: Option<Cow<'a, str>>,
    #[serde(borrow)]
    r#type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    traceparent: Option<Cow<'a, str>>,
    #[allow(dead_code)]
    #[serde(borrow)]
    time: Option<Cow<'a, str>>,
    #[allow(dead_code)]
    #[serde(borrow)]
    datacontenttype: Option<Cow<'a, str>>,
    #[allow(dead_code)]
    #[serde(borrow)]
    tracestate: Option<Cow<'a, str>>,
}

/// A subscription: (topic, subscriber) and the URL deliveries go to.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Subscription {
    pub topic: String,
    pub subscriber: String,
    #[serde(default)]
    pub url: String,
}

impl Subscription {
    /// The key of its record in the subscriptions topic.
    pub fn key(&self) -> String {
        format!("{}|{}", self.topic, self.subscriber)
    }
}

fn bad(message: impl Into<String>) -> ErrorReply {
    ErrorReply::transport(Code::InvalidArgument, message)
}

/// A topic name the bus can hold as a Kafka topic (and its `.dlq`): 1–200 characters of
/// `[A-Za-z0-9._-]`, not `.` or `..`.
pub fn valid_topic(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 200
        && t != "."
        && t != ".."
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Whether `topic` is accepted: a valid name, and one of `known` when the bus was given a
/// list. Unknown is `unimplemented` (docs/protocol.md section 4.2: unknown topic).
pub fn check_topic(
    topic: &str,
    known: Option<&std::collections::BTreeSet<String>>,
) -> Result<(), ErrorReply> {
    if !valid_topic(topic) {
        return Err(bad(format!(
            "topic {topic:?} is not a topic name (1-200 of A-Z a-z 0-9 . _ -)"
        )));
    }
    match known {
        Some(k)
            if !k.contains(topic) && !topic.strip_suffix(".dlq").is_some_and(|t| k.contains(t)) =>
        {
            Err(ErrorReply::transport(
                Code::Unimplemented,
                format!("unknown topic {topic:?}"),
            ))
        }
        _ => Ok(()),
    }
}

/// Checks a publish body: a JSON object with `specversion` 1.0, non-empty `id` and `source`,
/// a `type` that is an accepted topic (and not a dead-letter topic), string `time`,
/// `datacontenttype` and `traceparent` when present. Over `max_bytes` is `resource_exhausted`.
pub fn parse_event(
    body: Bytes,
    max_bytes: usize,
    known: Option<&std::collections::BTreeSet<String>>,
) -> Result<Event, ErrorReply> {
    if body.len() > max_bytes {
        return Err(ErrorReply::transport(
            Code::ResourceExhausted,
            format!(
                "the event is {} bytes, over the bus's limit of {max_bytes}",
                body.len()
            ),
        ));
    }
    // The attributes the bus checks, borrowed from the body; `data` and extensions are skipped
    // without building a tree of them. A JSON array would fill the struct by position: refused.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(bad("a CloudEvent is a JSON object"));
    }
    let v: Attributes<'_> =
        serde_json::from_slice(&body).map_err(|e| bad(format!("not a JSON CloudEvent: {e}")))?;
    if v.specversion.as_deref() != Some("1.0") {
        return Err(bad("specversion must be \"1.0\""));
    }
    let id = v.id.unwrap_or_default().into_owned();
    let source = v.source.unwrap_or_default().into_owned();
    if id.is_empty() || source.is_empty() {
        return Err(bad("a CloudEvent needs a non-empty id and source"));
    }
    let topic = v.r#type.unwrap_or_default().into_owned();
    if topic.is_empty() {
        return Err(bad("a CloudEvent needs a type (its topic)"));
    }
    if topic.ends_with(".dlq") {
        return Err(bad(format!(
            "{topic:?} is a dead-letter topic; only the bus writes it"
        )));
    }
    check_topic(&topic, known)?;
    let traceparent = v.traceparent.map(Cow::into_owned);
    if let Some(t) = &traceparent {
        if !brief_runtime::meta::valid_traceparent(t) {
            return Err(bad("traceparent is not a W3C traceparent"));
        }
    }
    Ok(Event {
        source,
        id,
        topic,
        traceparent,
        raw: body,
    })
}

/// The Kafka key of an event: `source|id`, with `\` and `|` in `source` escaped by `\`, so
/// that two different (`source`, `id`) never share a key (delivery drops a later record with the
/// same key as a duplicate). Sources without those characters keep the plain `source|id`.
pub fn record_key(source: &str, id: &str) -> String {
    let mut k = String::with_capacity(source.len() + id.len() + 1);
    for c in source.chars() {
        if c == '\\' || c == '|' {
            k.push('\\');
        }
        k.push(c);
    }
    k.push('|');
    k.push_str(id);
    k
}

/// The `traceparent` of a stored event, if any (for the delivery's header).
pub fn traceparent(raw: &[u8]) -> Option<String> {
    let v: Attributes<'_> = serde_json::from_slice(raw).ok()?;
    v.traceparent.map(Cow::into_owned)
}

/// Checks a subscribe body: topic accepted, subscriber a non-empty name, url an absolute
/// `http` or `https` URL with a host.
pub fn parse_subscription(
    body: &[u8],
    known: Option<&std::collections::BTreeSet<String>>,
    with_url: bool,
) -> Result<Subscription, ErrorReply> {
    let sub: Subscription =
        brief_runtime::codec::decode(body).map_err(|e| bad(format!("not a subscription: {e}")))?;
    check_topic(&sub.topic, known)?;
    if sub.subscriber.is_empty()
        || sub.subscriber.len() > 200
        || !sub
            .subscriber
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return Err(bad(format!(
            "subscriber {:?} is not a service name",
            sub.subscriber
        )));
    }
    if with_url {
        let uri: brief_runtime::http::Uri = sub
            .url
            .parse()
            .map_err(|_| bad(format!("url {:?} is not a URL", sub.url)))?;
        let scheme_ok = matches!(uri.scheme_str(), Some("http") | Some("https"));
        if !scheme_ok || uri.host().is_none_or(str::is_empty) {
            return Err(bad(format!(
                "url {:?} is not an absolute http or https URL",
                sub.url
            )));
        }
    }
    Ok(sub)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(v: &str) -> Result<Event, ErrorReply> {
        parse_event(Bytes::from(v.to_owned()), 1000, None)
    }

    #[test]
    fn a_cloudevent_is_accepted_and_kept_byte_for_byte() {
        let body = r#"{"specversion":"1.0","id":"1","source":"s","type":"s.t","data":{"x":1}}"#;
        let e = event(body)
            .map_err(|e| e.message)
            .unwrap_or_else(|m| panic!("{m}"));
        assert_eq!(
            (e.source.as_str(), e.id.as_str(), e.topic.as_str()),
            ("s", "1", "s.t")
        );
        assert_eq!(&e.raw[..], body.as_bytes());
    }

    #[test]
    fn what_is_not_a_cloudevent_is_invalid_argument() {
        for body in [
            "nope",
            "[]",
            r#"{"id":"1","source":"s","type":"t"}"#,
            r#"{"specversion":"0.3","id":"1","source":"s","type":"t"}"#,
            r#"{"specversion":"1.0","id":"","source":"s","type":"t"}"#,
            r#"{"specversion":"1.0","id":"1","source":"s"}"#,
            r#"{"specversion":"1.0","id":"1","source":"s","type":"a b"}"#,
            r#"{"specversion":"1.0","id":"1","source":"s","type":"t.dlq"}"#,
            r#"{"specversion":"1.0","id":1,"source":"s","type":"t"}"#,
            r#"{"specversion":"1.0","id":"1","source":"s","type":"t","traceparent":"x"}"#,
        ] {
            assert_eq!(
                event(body).map(|_| ()).map_err(|e| e.code),
                Err("invalid_argument".into()),
                "{body}"
            );
        }
    }

    #[test]
    fn an_unknown_topic_is_unimplemented_and_a_large_event_resource_exhausted() {
        let known: std::collections::BTreeSet<String> = ["a".to_owned()].into();
        let body = Bytes::from_static(br#"{"specversion":"1.0","id":"1","source":"s","type":"b"}"#);
        let e = parse_event(body.clone(), 1000, Some(&known))
            .map(|_| ())
            .map_err(|e| e.code);
        assert_eq!(e, Err("unimplemented".into()));
        let e = parse_event(body, 10, None).map(|_| ()).map_err(|e| e.code);
        assert_eq!(e, Err("resource_exhausted".into()));
    }

    #[test]
    fn record_keys_of_different_sources_and_ids_never_collide() {
        assert_eq!(record_key("orders", "1"), "orders|1");
        assert_ne!(record_key("a|b", "c"), record_key("a", "b|c"));
        assert_ne!(record_key("a\\", "|b"), record_key("a\\|", "b"));
        assert_eq!(record_key("a|b", "c"), "a\\|b|c");
    }

    #[test]
    fn a_subscription_needs_an_http_url() {
        let ok = br#"{"topic":"t","subscriber":"s","url":"http://127.0.0.1:9/events/t"}"#;
        assert!(parse_subscription(ok, None, true).is_ok());
        for body in [
            &br#"{"topic":"t","subscriber":"s","url":"ftp://h/events/t"}"#[..],
            br#"{"topic":"t","subscriber":"s","url":"/events/t"}"#,
            br#"{"topic":"t","subscriber":"","url":"http://h/"}"#,
            br#"{"topic":"","subscriber":"s","url":"http://h/"}"#,
        ] {
            let r = parse_subscription(body, None, true)
                .map(|_| ())
                .map_err(|e| e.code);
            assert_eq!(r, Err("invalid_argument".into()));
        }
        assert!(parse_subscription(br#"{"topic":"t","subscriber":"s"}"#, None, false).is_ok());
    }
}

//! Runs the interop matrix's scenarios (docs/interop.md) with the generated Rust client against
//! one server and prints one JSON line per scenario: `{"scenario", "ok", "detail"}`.
//!
//! ```text
//! client SERVER FINAL PUBLISHER codec.json values.json [micro]
//! ```
//!
//! FINAL is the server the middle service (SERVER) relays the deadline call to; PUBLISHER is the
//! server asked to publish the event that SERVER must have consumed; `micro` skips vectors with
//! sub-microsecond times (a PHP peer keeps microseconds, docs/php.md).
use brief_runtime::serde_json::{self, json, Value};
use brief_runtime::{codec, ClientOptions, Code, Context};
use interop_rust::gen;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn report(scenario: &str, ok: bool, detail: String) {
    println!(
        "{}",
        json!({"scenario": scenario, "ok": ok, "detail": detail})
    );
}

fn client(url: &str) -> Result<gen::Client, brief_runtime::ConfigError> {
    gen::Client::with_options(
        ClientOptions::new()
            .base_url(url)
            .source_service("matrix-client-rust"),
    )
}

fn nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// Whether a text holds a time with non-zero digits past the sixth fractional one.
fn sub_micro(text: &str) -> bool {
    text.split('.').skip(1).any(|rest| {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        rest[digits.len()..].starts_with('Z') && digits.chars().skip(6).any(|c| c != '0')
    })
}

/// Two JSON texts are the same as golden/wire/README.md says: objects as unordered maps, arrays
/// in order, numbers by value.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y
                || match (x.as_i64(), y.as_i64()) {
                    (Some(i), Some(j)) => i == j,
                    _ => x.as_f64() == y.as_f64(),
                }
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w))
        }
        _ => a == b,
    }
}

/// Decodes `text` as `T`, echoes it through `call`, and re-encodes the answer.
async fn echo_via<T, E, F, Fut>(text: &str, call: F) -> Result<Vec<u8>, String>
where
    T: brief_runtime::serde::Serialize + brief_runtime::serde::de::DeserializeOwned + Default,
    E: std::fmt::Display,
    F: FnOnce(T) -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let input: T = codec::decode(text.as_bytes()).map_err(|e| format!("decode: {e}"))?;
    let out = call(input).await.map_err(|e| e.to_string())?;
    codec::encode(&out).map_err(|e| format!("encode: {e}"))
}

/// The types that have an echo rpc.
const ECHOED: [&str; 5] = ["Item", "Everything", "Tree", "Empty", "AllTypes"];

async fn echo(
    c: &gen::Client,
    ctx: &Context,
    ty: &str,
    text: &str,
) -> Option<Result<Vec<u8>, String>> {
    Some(match ty {
        "Item" => {
            echo_via(
                text,
                |i: gen::Item| async move { c.echo_item(ctx, &i).await },
            )
            .await
        }
        "Everything" => {
            echo_via(text, |i: gen::Everything| async move {
                c.echo_everything(ctx, &i).await
            })
            .await
        }
        "Tree" => {
            echo_via(
                text,
                |i: gen::Tree| async move { c.echo_tree(ctx, &i).await },
            )
            .await
        }
        "Empty" => {
            echo_via(
                text,
                |i: gen::Empty| async move { c.echo_empty(ctx, &i).await },
            )
            .await
        }
        "AllTypes" => {
            echo_via(
                text,
                |i: gen::AllTypes| async move { c.echo_all(ctx, &i).await },
            )
            .await
        }
        _ => return None,
    })
}

/// Sends each case's canonical text and accepted inputs through the echo rpc of its type and
/// compares the answer, re-encoded, with the canonical text.
async fn vectors(c: &gen::Client, ctx: &Context, scenario: &str, path: &str, micro: bool) {
    let file: Value = match std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => return report(scenario, false, format!("{path}: {e}")),
    };
    let (mut ran, mut skipped) = (0, 0);
    for case in file["cases"].as_array().into_iter().flatten() {
        let (Some(ty), Some(canonical)) = (case["type"].as_str(), case["canonical"].as_str())
        else {
            continue;
        };
        if !ECHOED.contains(&ty) {
            continue;
        }
        if micro && sub_micro(canonical) {
            skipped += 1;
            continue;
        }
        let want: Value = match serde_json::from_str(canonical) {
            Ok(v) => v,
            Err(e) => return report(scenario, false, format!("{ty} canonical {canonical}: {e}")),
        };
        let accepted = case["accept"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str);
        for text in std::iter::once(canonical).chain(accepted) {
            let Some(answer) = echo(c, ctx, ty, text).await else {
                break;
            };
            let got = match answer {
                Ok(bytes) => bytes,
                Err(e) => return report(scenario, false, format!("{ty} {text}: {e}")),
            };
            if !serde_json::from_slice(&got).is_ok_and(|g: Value| same(&g, &want)) {
                let got = String::from_utf8_lossy(&got);
                return report(
                    scenario,
                    false,
                    format!("{ty} {text}: echoed {got}, want {canonical}"),
                );
            }
            ran += 1;
        }
    }
    report(
        scenario,
        ran > 0,
        format!(
            "{ran} texts echoed and re-encoded canonically ({skipped} sub-microsecond skipped)"
        ),
    );
}

#[brief_runtime::tokio::main(crate = "brief_runtime::tokio")]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [server, fin, publisher, codec_path, values_path, rest @ ..] = args.as_slice() else {
        eprintln!("usage: client SERVER FINAL PUBLISHER codec.json values.json [micro]");
        return std::process::ExitCode::from(2);
    };
    let micro = rest.iter().any(|a| a == "micro");
    let c = match client(server) {
        Ok(c) => c,
        Err(e) => {
            report("client", false, e.to_string());
            return std::process::ExitCode::FAILURE;
        }
    };
    let ctx = Context::background();
    vectors(&c, &ctx, "wire vectors", codec_path, micro).await;
    vectors(&c, &ctx, "every type", values_path, micro).await;

    let r = c
        .fail(
            &ctx,
            &gen::FailIn {
                code: "NotFound".into(),
                id: 7,
            },
        )
        .await;
    let ok = matches!(&r, Err(gen::FailError::NotFound(e)) if e.id == 7);
    report("typed error", ok, format!("NotFound{{id: 7}} -> {r:?}"));

    let r = c
        .fail(
            &ctx,
            &gen::FailIn {
                code: "permission_denied".into(),
                id: 0,
            },
        )
        .await;
    let ok = matches!(&r, Err(gen::FailError::Transport(e)) if e.code == Code::PermissionDenied);
    report("transport error", ok, format!("permission_denied -> {r:?}"));

    let start = Instant::now();
    let r = c.slow(&ctx, &gen::SlowIn { ms: 1500 }).await;
    let took = start.elapsed();
    let ok = matches!(&r, Err(gen::SlowError::Transport(e)) if e.code == Code::DeadlineExceeded)
        && took < Duration::from_millis(1200);
    report(
        "@timeout",
        ok,
        format!("slow(1500 ms), @timeout 300ms -> {r:?} after {took:?}"),
    );

    let dctx = Context::background().with_deadline(Instant::now() + Duration::from_millis(1500));
    let r = c.relay(&dctx, &gen::RelayIn { url: fin.clone() }).await;
    let ok = matches!(&r, Ok(o) if o.remaining_ms > 0 && o.remaining_ms <= 1500);
    report(
        "deadline via middle",
        ok,
        format!("1500 ms budget, the final server answered {r:?}"),
    );

    let key = format!("rust-{}", nanos());
    let r = c.flaky(&ctx, &gen::FlakyIn { key, failures: 2 }).await;
    let ok = matches!(&r, Ok(o) if o.attempts == 3);
    report("retry idempotent", ok, format!("2 failures, then {r:?}"));

    let note = format!("rust-client-{}", nanos());
    let published = match client(publisher) {
        Ok(p) => p
            .publish(&ctx, &gen::PublishIn { note: note.clone() })
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    match published {
        Err(e) => report("event", false, e),
        Ok(_) => {
            let mut n = 0;
            let end = Instant::now() + Duration::from_secs(15);
            while Instant::now() < end {
                if let Ok(got) = c
                    .consumed(&ctx, &gen::ConsumedIn { note: note.clone() })
                    .await
                {
                    if got.count > 0 {
                        n = got.count;
                        break;
                    }
                }
                brief_runtime::tokio::time::sleep(Duration::from_millis(50)).await;
            }
            report(
                "event",
                n == 1,
                format!("published by {publisher}, consumed {n} time(s)"),
            );
        }
    }
    std::process::ExitCode::SUCCESS
}

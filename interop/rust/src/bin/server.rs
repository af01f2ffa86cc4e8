//! Serves the interop matrix's contract (interop/contract) with the generated Rust server:
//! echoes, errors on request, a slow rpc, the deadline relay, a flaky idempotent rpc, and the
//! event it publishes and consumes. Listens on `$LISTEN_ADDR`; the data bus is
//! `$SERVICE_DATA_BUS_URL`.
use brief_runtime::{ClientOptions, Code, Context, TransportError};
use interop_rust::gen::{self, matrix_peer};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// This server's language, reported by the rpcs that say who answered.
const NAME: &str = "rust";

/// What the rpcs and the event consumer share.
#[derive(Default)]
struct State {
    flaky: Mutex<HashMap<String, i64>>,
    consumed: Mutex<HashMap<String, i64>>,
}

struct Matrix {
    state: Arc<State>,
    events: gen::Publisher,
}

fn count(map: &Mutex<HashMap<String, i64>>, key: &str, add: i64) -> i64 {
    let mut m = map.lock().unwrap_or_else(PoisonError::into_inner);
    let n = m.entry(key.to_owned()).or_insert(0);
    *n += add;
    *n
}

impl gen::Server for Matrix {
    async fn echo_item(
        &self,
        _: Context,
        input: gen::Item,
    ) -> Result<gen::Item, gen::EchoItemError> {
        Ok(input)
    }

    async fn echo_everything(
        &self,
        _: Context,
        input: gen::Everything,
    ) -> Result<gen::Everything, gen::EchoEverythingError> {
        Ok(input)
    }

    async fn echo_tree(
        &self,
        _: Context,
        input: gen::Tree,
    ) -> Result<gen::Tree, gen::EchoTreeError> {
        Ok(input)
    }

    async fn echo_empty(
        &self,
        _: Context,
        input: gen::Empty,
    ) -> Result<gen::Empty, gen::EchoEmptyError> {
        Ok(input)
    }

    async fn echo_all(
        &self,
        _: Context,
        input: gen::AllTypes,
    ) -> Result<gen::AllTypes, gen::EchoAllError> {
        Ok(input)
    }

    async fn fail(&self, _: Context, input: gen::FailIn) -> Result<gen::Empty, gen::FailError> {
        Err(match input.code.as_str() {
            "NotFound" => gen::NotFoundError { id: input.id }.into(),
            "Conflict" => gen::ConflictError {
                reason: format!("conflict {}", input.id),
            }
            .into(),
            code => TransportError::new(
                Code::parse(code).unwrap_or(Code::Unknown),
                format!("failed as asked with {code}"),
            )
            .into(),
        })
    }

    async fn slow(&self, ctx: Context, input: gen::SlowIn) -> Result<gen::Empty, gen::SlowError> {
        let wanted = Duration::from_millis(u64::try_from(input.ms).unwrap_or(0));
        match ctx.remaining() {
            Some(left) if left < wanted => {
                brief_runtime::tokio::time::sleep(left).await;
                Err(TransportError::new(
                    Code::DeadlineExceeded,
                    "the deadline passed while sleeping",
                )
                .into())
            }
            _ => {
                brief_runtime::tokio::time::sleep(wanted).await;
                Ok(gen::Empty {})
            }
        }
    }

    async fn relay(
        &self,
        ctx: Context,
        input: gen::RelayIn,
    ) -> Result<gen::DeadlineOut, gen::RelayError> {
        let client = gen::Client::with_options(
            ClientOptions::new()
                .base_url(input.url)
                .source_service(format!("matrix-{NAME}")),
        )
        .map_err(|e| TransportError::new(Code::InvalidArgument, e.to_string()))?;
        client
            .deadline(&ctx, &gen::Empty {})
            .await
            .map_err(|e| match e {
                gen::DeadlineError::Undeclared(a) => gen::RelayError::Undeclared(a),
                gen::DeadlineError::Transport(t) => gen::RelayError::Transport(t),
            })
    }

    async fn deadline(
        &self,
        ctx: Context,
        _: gen::Empty,
    ) -> Result<gen::DeadlineOut, gen::DeadlineError> {
        let remaining_ms = ctx
            .remaining()
            .map_or(-1, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Ok(gen::DeadlineOut {
            remaining_ms,
            server: NAME.to_owned(),
        })
    }

    async fn flaky(
        &self,
        _: Context,
        input: gen::FlakyIn,
    ) -> Result<gen::FlakyOut, gen::FlakyError> {
        let n = count(&self.state.flaky, &input.key, 1);
        if n <= input.failures {
            return Err(TransportError::new(
                Code::Unavailable,
                format!("attempt {n} of key {} fails", input.key),
            )
            .into());
        }
        Ok(gen::FlakyOut {
            attempts: n,
            server: NAME.to_owned(),
        })
    }

    async fn publish(
        &self,
        ctx: Context,
        input: gen::PublishIn,
    ) -> Result<gen::Empty, gen::PublishError> {
        let event = gen::Happened {
            note: input.note,
            publisher: NAME.to_owned(),
        };
        self.events.publish_matrix_happened(&ctx, &event).await?;
        Ok(gen::Empty {})
    }

    async fn consumed(
        &self,
        _: Context,
        input: gen::ConsumedIn,
    ) -> Result<gen::ConsumedOut, gen::ConsumedError> {
        Ok(gen::ConsumedOut {
            count: count(&self.state.consumed, &input.note, 0),
            server: NAME.to_owned(),
        })
    }
}

#[brief_runtime::tokio::main(crate = "brief_runtime::tokio")]
async fn main() -> std::process::ExitCode {
    let events = match gen::Publisher::new() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("server: publisher: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let state = Arc::new(State::default());
    let consumer = state.clone();
    let router = matrix_peer::consume_matrix_happened(
        gen::router_builder(Matrix { state, events }),
        move |_ctx, e: matrix_peer::Happened| {
            let state = consumer.clone();
            async move {
                count(&state.consumed, &e.note, 1);
                Ok(())
            }
        },
    )
    .build();
    let addr = std::env::var("LISTEN_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    match brief_runtime::serve_addr(&addr, router).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server: {addr}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

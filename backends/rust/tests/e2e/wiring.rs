//! The wiring example of docs/rust.md, compiled against the code generated for
//! golden/cases/summer (keep the two in step), and served once on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use brief_runtime::{ClientOptions, Code, Context, TransportError};
use golden_rust::summer as gen;

struct Service {
    images: gen::image_storage::Client,
}

impl gen::Server for Service {
    async fn sum(&self, ctx: Context, input: gen::SumIn) -> Result<gen::SumOut, gen::SumError> {
        // Calls made with the handler's context inherit its deadline, request id and trace.
        let info = match self
            .images
            .get(&ctx, &gen::image_storage::GetIn { id: input.a })
            .await
        {
            Ok(image) => format!("{image:?}"),
            Err(gen::image_storage::GetError::NotFound(e)) => format!("no image {}", e.id),
            // A transport error of an outgoing call is answered as section 4.5 says.
            Err(gen::image_storage::GetError::Transport(t)) => return Err(t.into()),
            Err(other) => return Err(TransportError::new(Code::Internal, other.to_string()).into()),
        };
        Ok(gen::SumOut {
            sum: input.a + input.b,
            info,
        })
    }
}

#[tokio::test]
async fn the_documented_wiring_serves_and_maps_a_failed_dependency() {
    // image-storage is down (nothing listens): the call fails, and sum answers internal with
    // DEPENDENCY_FAILED (section 4.5).
    let down = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down_url = format!("http://{}", down.local_addr().unwrap());
    drop(down);
    let images =
        gen::image_storage::Client::with_options(ClientOptions::new().base_url(down_url)).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(brief_runtime::serve(
        listener,
        gen::router(Service { images }),
        std::future::pending(),
    ));
    let c = gen::Client::with_options(ClientOptions::new().base_url(url)).unwrap();
    match c
        .sum(&Context::background(), &gen::SumIn { a: 1, b: 2 })
        .await
    {
        Err(gen::SumError::Transport(t)) => {
            assert_eq!(t.code, Code::Internal);
            assert!(t.is_dependency_failed(), "{t:?}");
        }
        other => panic!("want internal DEPENDENCY_FAILED, got {other:?}"),
    }
}

//! A panic while handling one message must not end the session: the request gets an
//! internal-error response, the user gets a message, and the server keeps serving.

use futures::future::BoxFuture;
use futures::FutureExt;
use std::panic::AssertUnwindSafe;
use std::task::{Context, Poll};
use tower::Service;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Request, Response};
use tower_lsp_server::ls_types::MessageType;
use tower_lsp_server::Client;

pub struct CatchPanic<S> {
    inner: S,
    client: Client,
}

impl<S> CatchPanic<S> {
    pub fn new(inner: S, client: Client) -> Self {
        CatchPanic { inner, client }
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

impl<S> Service<Request> for CatchPanic<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Option<Response>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let id = req.id().cloned();
        let method = req.method().to_string();
        let client = self.client.clone();
        let fut = self.inner.call(req);
        Box::pin(async move {
            match AssertUnwindSafe(fut).catch_unwind().await {
                Ok(result) => result,
                Err(p) => {
                    let msg = format!(
                        "tplc: an internal error stopped `{method}`: {}. Please report it; the server keeps running.",
                        panic_message(p.as_ref())
                    );
                    eprintln!("{msg}");
                    client.show_message(MessageType::ERROR, &msg).await;
                    Ok(id.map(|id| {
                        Response::from_error(
                            id,
                            Error {
                                code: ErrorCode::InternalError,
                                message: msg.into(),
                                data: None,
                            },
                        )
                    }))
                }
            }
        })
    }
}

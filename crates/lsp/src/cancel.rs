//! `$/cancelRequest`, honoured at once.
//!
//! The protocol library handles cancellation itself, but as an ordinary message: with
//! one message processed at a time (which keeps edits in order), a cancellation is only
//! looked at after the request it cancels has finished, so it never takes effect. This
//! layer sits in front and acts on `$/cancelRequest` the moment it is read: a request
//! still queued is never started, a running one stops at its next await (the work thread
//! it waits on is left to finish, its result dropped), and either is answered with
//! `RequestCancelled` (-32800) as the specification asks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures::future::{AbortHandle, Abortable, BoxFuture};
use tower::Service;
use tower_lsp_server::jsonrpc::{Error, Id, Request, Response};
use tower_lsp_server::ls_types::NumberOrString;

type Handles = Arc<Mutex<HashMap<Id, AbortHandle>>>;

pub struct Cancel<S> {
    inner: S,
    running: Handles,
}

impl<S> Cancel<S> {
    pub fn new(inner: S) -> Self {
        Cancel {
            inner,
            running: Arc::default(),
        }
    }
}

fn cancelled_id(req: &Request) -> Option<Id> {
    let id = req.params()?.get("id")?.clone();
    serde_json::from_value::<NumberOrString>(id)
        .ok()
        .map(Id::from)
}

impl<S> Service<Request> for Cancel<S>
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
        if req.method() == "$/cancelRequest" {
            if let Some(id) = cancelled_id(&req) {
                let handle = self
                    .running
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&id);
                if let Some(h) = handle {
                    h.abort();
                }
            }
            // The library drops its own record of the request when it sees this.
            return Box::pin(self.inner.call(req));
        }
        let Some(id) = req.id().cloned() else {
            return Box::pin(self.inner.call(req));
        };
        let (handle, registration) = AbortHandle::new_pair();
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.clone(), handle);
        let running = self.running.clone();
        let fut = Abortable::new(self.inner.call(req), registration);
        Box::pin(async move {
            let result = fut.await;
            let mut map = running.lock().unwrap_or_else(|e| e.into_inner());
            match result {
                Ok(r) => {
                    map.remove(&id);
                    r
                }
                // Removed by the cancellation already.
                Err(_) => Ok(Some(Response::from_error(id, Error::request_cancelled()))),
            }
        })
    }
}

//! The tplc language server: `tplc lsp` speaks the Language Server Protocol over stdio.
//!
//! The server is a thin layer over the engine `tplc check` uses ([`tplc_project`]):
//! every diagnostic, hover and fix comes from the same analysis, converted to protocol
//! types here. Each editor feature lives in its own module and is a plain function of
//! the analysis, so it is tested without a connection; `tests/` also drive the real
//! binary over stdio.

pub mod actions;
mod cancel;
pub mod completion;
pub mod convert;
mod framing;
pub mod hover;
mod panic;
pub mod preview;
mod server;
pub mod settings;
mod stack;
pub mod state;
pub mod symbols;
pub mod tokens;
mod transport;
mod watch;

pub use server::{Backend, PANIC_TEST_COMMAND, PANIC_TEST_ENV, WAIT_TEST_COMMAND};
pub use stack::STACK_BYTES;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

/// The command that renders the open template with sample data.
pub const PREVIEW_COMMAND: &str = "tplc.preview";

/// Serve one client over `input`/`output` until `exit`. Returns the process exit code:
/// 0 when `shutdown` came before `exit`, 1 otherwise (as the protocol asks).
pub async fn serve<I, O>(input: I, output: O) -> i32
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let (input, output, writer) = transport::guard(input, output);
    let (service, socket) = LspService::new(Backend::new);
    let shutdown = service.inner().shutdown_flag();
    let client = service.inner().client.clone();
    let background = service.inner().inner();
    // One message at a time: notifications are applied strictly in arrival order, and
    // every handler is short (analysis runs in the background).
    Server::new(input, output, socket)
        .concurrency_level(1)
        .serve(cancel::Cancel::new(panic::CatchPanic::new(service, client)))
        .await;
    background.stop();
    // Everything the server wrote (the `shutdown` response) reaches the client first.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), writer).await;
    if shutdown.load(std::sync::atomic::Ordering::SeqCst) {
        0
    } else {
        1
    }
}

/// `tplc lsp`: serve stdin/stdout on a tokio runtime and return the exit code.
pub fn serve_stdio() -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // Handlers hand heavy work to threads of their own (see `stack`); the runtime's
        // threads get the same headroom anyway, for whatever library code runs on them.
        .thread_stack_size(stack::STACK_BYTES)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tplc lsp: cannot start the async runtime: {e}");
            return 2;
        }
    };
    let code = runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // Background tasks (analysis, file watching) must not keep the process alive.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    code
}

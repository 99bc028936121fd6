//! A guard in front of the protocol library's reader. One unreadable message (broken
//! framing or JSON, a body that is not a JSON-RPC message) would end its input stream,
//! and with it the session; here each such message gets its own error response instead
//! (-32700 parse error, -32600 invalid request) and the session goes on. Framing faults
//! (junk between messages, oversized or truncated bodies, endless header lines) are
//! recovered in [`crate::framing`].

use crate::framing::{Frame, FrameReader, Unreadable};
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};

/// Largest message accepted (a whole template travels in one `didOpen`).
const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// Error responses waiting to be written; past this many, reading the client's input
/// waits for the client to read its answers.
const PENDING_ERRORS: usize = 64;

fn parse_error(why: Unreadable) -> Vec<u8> {
    let message = match why {
        Unreadable::Header => "Parse error: missing or invalid Content-Length header",
        Unreadable::TooLarge => "Parse error: the message is larger than 64 MiB; it was skipped",
        Unreadable::CutShort => {
            "Parse error: the message is shorter than its Content-Length; the next header came first"
        }
    };
    error_response(Value::Null, -32700, message)
}

fn error_response(id: Value, code: i64, message: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {"code": code, "message": message},
    }))
    .unwrap_or_default()
}

/// What to do with one body: pass it on, or answer it with an error.
fn classify(body: &[u8]) -> Result<(), Vec<u8>> {
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(error_response(
            Value::Null,
            -32700,
            "Parse error: the message is not UTF-8",
        ));
    };
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return Err(error_response(
            Value::Null,
            -32700,
            "Parse error: the message is not JSON",
        ));
    };
    // A message without `method` can only be a response, which carries `result` or
    // `error`; the library would read `{"id": 1}` as a call of the method "" and answer
    // -32601, but it is not a request at all.
    let is_request = value.get("method").is_some() && text.parse::<Request>().is_ok();
    let is_response = value.get("method").is_none()
        && (value.get("result").is_some() || value.get("error").is_some())
        && text.parse::<Response>().is_ok();
    if is_request || is_response {
        return Ok(());
    }
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    let id = if id.is_string() || id.is_number() {
        id
    } else {
        Value::Null
    };
    Err(error_response(
        id,
        -32600,
        "Invalid Request: not a JSON-RPC 2.0 message",
    ))
}

async fn write_frame<W: AsyncWrite + Unpin>(w: &mut W, body: &[u8]) -> std::io::Result<()> {
    w.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
        .await?;
    w.write_all(body).await
}

/// Wrap `input`/`output`: returns the (input, output) the protocol library should use,
/// and the task that writes to `output` (it ends after the library's last message).
/// Valid messages pass through unchanged; invalid ones are answered here.
pub fn guard<I, O>(input: I, output: O) -> (DuplexStream, DuplexStream, tokio::task::JoinHandle<()>)
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let (lib_in, mut to_lib) = tokio::io::duplex(1 << 16);
    let (lib_out, from_lib) = tokio::io::duplex(1 << 16);
    let (errors_tx, mut errors_rx) = mpsc::channel::<Vec<u8>>(PENDING_ERRORS);
    let (replies_tx, mut replies_rx) = mpsc::channel::<Vec<u8>>(1);

    // Client to library.
    tokio::spawn(async move {
        let mut frames = FrameReader::new(input, MAX_MESSAGE);
        while let Some(f) = frames.next_frame().await {
            let answer = match f {
                Frame::Body(body) => match classify(&body) {
                    Ok(()) => {
                        if write_frame(&mut to_lib, &body).await.is_err() {
                            break;
                        }
                        continue;
                    }
                    Err(answer) => answer,
                },
                Frame::Unreadable(why) => parse_error(why),
            };
            if errors_tx.send(answer).await.is_err() {
                break;
            }
        }
        // Input ended: let the library see the end too.
        let _ = to_lib.shutdown().await;
    });

    // The library's messages, whole, so the guard's answers go between them, not inside.
    tokio::spawn(async move {
        let mut frames = FrameReader::new(from_lib, usize::MAX);
        while let Some(f) = frames.next_frame().await {
            if let Frame::Body(body) = f {
                if replies_tx.send(body).await.is_err() {
                    break;
                }
            }
        }
    });

    let writer = tokio::spawn(async move {
        let mut out = output;
        loop {
            // Both receives are cancel-safe: a message is either taken whole or left.
            let body = tokio::select! {
                body = replies_rx.recv() => match body {
                    Some(body) => body,
                    None => break,
                },
                Some(error) = errors_rx.recv() => error,
            };
            if write_frame(&mut out, &body).await.is_err() {
                break;
            }
            let _ = out.flush().await;
        }
        let _ = out.flush().await;
    });
    (lib_in, lib_out, writer)
}

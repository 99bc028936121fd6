//! A guard in front of the protocol library's reader. One unreadable message (broken
//! JSON, a body that is not a JSON-RPC message) would end its input stream, and with it
//! the session; here each such message gets its own error response instead
//! (-32700 parse error, -32600 invalid request) and the session goes on.

use serde_json::{json, Value};
use tokio::io::{
    AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, DuplexStream,
};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};

/// Largest message accepted (a whole template travels in one `didOpen`).
const MAX_MESSAGE: usize = 64 * 1024 * 1024;

enum Frame {
    Body(Vec<u8>),
    /// A header block without a usable `Content-Length`.
    BadHeader,
}

async fn read_frame<R: AsyncRead + Unpin>(r: &mut BufReader<R>) -> Option<Frame> {
    let mut len: Option<usize> = None;
    let mut saw_header = false;
    loop {
        let mut line = String::new();
        match r.read_line(&mut line).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if !saw_header {
                continue;
            }
            break;
        }
        saw_header = true;
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                len = value.trim().parse().ok();
            }
        }
    }
    match len {
        Some(n) if n <= MAX_MESSAGE => {
            let mut body = vec![0; n];
            r.read_exact(&mut body).await.ok()?;
            Some(Frame::Body(body))
        }
        _ => Some(Frame::BadHeader),
    }
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

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Wrap `input`/`output`: returns the (input, output) the protocol library should use.
/// Valid messages pass through unchanged; invalid ones are answered here.
pub fn guard<I, O>(input: I, output: O) -> (DuplexStream, DuplexStream, tokio::task::JoinHandle<()>)
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let (lib_in, mut to_lib) = tokio::io::duplex(1 << 16);
    let (lib_out, from_lib) = tokio::io::duplex(1 << 16);
    let (errors_tx, mut errors_rx) = mpsc::unbounded_channel::<Vec<u8>>();

    tokio::spawn(async move {
        let mut r = BufReader::new(input);
        while let Some(f) = read_frame(&mut r).await {
            let body = match f {
                Frame::Body(b) => b,
                Frame::BadHeader => {
                    let _ = errors_tx.send(error_response(
                        Value::Null,
                        -32700,
                        "Parse error: missing or invalid Content-Length header",
                    ));
                    continue;
                }
            };
            match classify(&body) {
                Ok(()) => {
                    if to_lib.write_all(&frame(&body)).await.is_err() {
                        break;
                    }
                }
                Err(resp) => {
                    let _ = errors_tx.send(resp);
                }
            }
        }
        // Input ended: let the library see the end too.
        let _ = to_lib.shutdown().await;
    });

    let writer = tokio::spawn(async move {
        let mut out = output;
        let mut from_lib = BufReader::new(from_lib);
        loop {
            tokio::select! {
                f = read_frame(&mut from_lib) => match f {
                    Some(Frame::Body(b)) => {
                        if out.write_all(&frame(&b)).await.is_err() { break; }
                        let _ = out.flush().await;
                    }
                    Some(Frame::BadHeader) => continue,
                    None => break,
                },
                Some(e) = errors_rx.recv() => {
                    if out.write_all(&frame(&e)).await.is_err() { break; }
                    let _ = out.flush().await;
                }
            }
        }
        let _ = out.flush().await;
    });
    (lib_in, lib_out, writer)
}

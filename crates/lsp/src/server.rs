//! The protocol handlers: each converts positions, asks the state or a feature module,
//! and converts the answer back. No check is implemented here.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Notify;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::{Client, LanguageServer};
use tplc_project::{Analysis, FileAnalysis, Workspace};

use crate::convert::{self, Text};
use crate::state::{Document, State};
use crate::{actions, completion, hover, symbols, tokens, PREVIEW_COMMAND};

/// A command that panics on purpose, honoured only when [`PANIC_TEST_ENV`] is set.
pub const PANIC_TEST_COMMAND: &str = "tplc.test.panic";
/// A command that never finishes on its own (a minute at most), so that a test can
/// cancel a request that is certainly still running; also only with [`PANIC_TEST_ENV`].
pub const WAIT_TEST_COMMAND: &str = "tplc.test.wait";
/// Enables the test commands above; without it they do not exist.
pub const PANIC_TEST_ENV: &str = "TPLC_LSP_TEST_PANIC";

pub struct Inner {
    state: Mutex<State>,
    /// Signalled after every change; the analysis task waits on it.
    dirty: Notify,
    shutdown: Arc<AtomicBool>,
    watcher: Mutex<Option<notify::RecommendedWatcher>>,
    worker_started: AtomicBool,
    untitled: AtomicU64,
    stopped: AtomicBool,
    /// The client answers `workspace/configuration`.
    pull_config: AtomicBool,
}

impl Inner {
    /// End the background work once the session is over: the watcher (and with it the
    /// task reading its events) and the analysis task.
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        *self.watcher.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.dirty.notify_one();
    }
}

pub struct Backend {
    pub client: Client,
    inner: Arc<Inner>,
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    // A panic in one request must not lock everyone else out.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn invalid(msg: impl Into<String>) -> Error {
    Error {
        code: ErrorCode::InvalidParams,
        message: msg.into().into(),
        data: None,
    }
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        let root = std::env::current_dir().unwrap_or_default();
        Backend {
            client,
            inner: Arc::new(Inner {
                state: Mutex::new(State::new(root)),
                dirty: Notify::new(),
                shutdown: Arc::new(AtomicBool::new(false)),
                watcher: Mutex::new(None),
                worker_started: AtomicBool::new(false),
                untitled: AtomicU64::new(0),
                stopped: AtomicBool::new(false),
                pull_config: AtomicBool::new(false),
            }),
        }
    }

    /// The shared state, for stopping background work after the session.
    pub(crate) fn inner(&self) -> Arc<Inner> {
        self.inner.clone()
    }

    pub fn shutdown_flag(&self) -> Arc<AtomicBool> {
        self.inner.shutdown.clone()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.inner.state)
    }

    /// The workspace path of a document URI (untitled buffers get a name in the root).
    fn path_of(&self, st: &State, uri: &lsp::Uri) -> PathBuf {
        if let Some((p, _)) = st.docs.iter().find(|(_, d)| &d.uri == uri) {
            return p.clone();
        }
        let is_file = uri.scheme().as_str().eq_ignore_ascii_case("file");
        match uri.to_file_path() {
            Some(p) if is_file => p.into_owned(),
            _ => {
                let n = self.inner.untitled.fetch_add(1, Ordering::SeqCst);
                st.root.join(format!(".untitled-{n}.tplc"))
            }
        }
    }

    fn changed(&self) {
        self.inner.dirty.notify_one();
    }

    fn start_worker(&self) {
        if self.inner.worker_started.swap(true, Ordering::SeqCst) {
            return;
        }
        let inner = self.inner.clone();
        let client = self.client.clone();
        tokio::spawn(async move { worker(inner, client).await });
    }

    fn start_watcher(&self, root: &Path) {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<PathBuf>>();
        let w = crate::watch::watch(root, tx);
        *self.inner.watcher.lock().unwrap_or_else(|e| e.into_inner()) = w;
        let inner = self.inner.clone();
        tokio::spawn(async move {
            while let Some(paths) = rx.recv().await {
                {
                    let mut st = lock(&inner.state);
                    for p in &paths {
                        st.disk_changed(p);
                    }
                }
                inner.dirty.notify_one();
            }
        });
    }

    /// The current text of an open document with its path, or an error for unknown URIs.
    fn doc(&self, uri: &lsp::Uri) -> Result<(PathBuf, String)> {
        let st = self.state();
        st.docs
            .iter()
            .find(|(_, d)| &d.uri == uri)
            .map(|(p, d)| (p.clone(), d.text.clone()))
            .ok_or_else(|| invalid(format!("{} is not open", uri.as_str())))
    }

    /// Run `f` on the analysis of `path` for the current text (never a stale one) and
    /// the workspace it belongs to. The analysis (when none is cached) and `f` run on a
    /// work thread ([`crate::stack`]); the state is not locked meanwhile.
    async fn with_analysis<R, F>(&self, path: &Path, f: F) -> Option<R>
    where
        R: Send + 'static,
        F: FnOnce(&FileAnalysis, &Workspace) -> R + Send + 'static,
    {
        let (generation, ws, cached) = {
            let st = self.state();
            (
                st.generation,
                st.workspace.clone(),
                st.cached_file_analysis(path),
            )
        };
        let p = path.to_path_buf();
        let (fresh, answer) = crate::stack::run(move || {
            let (fa, fresh) = match cached {
                Some(fa) => (fa, false),
                None => (
                    ws.analyze_only(std::slice::from_ref(&p)).files.remove(&p)?,
                    true,
                ),
            };
            let answer = f(&fa, &ws);
            Some((fresh.then_some(fa), answer))
        })
        .await?;
        if let Some(fa) = fresh {
            self.state()
                .remember_file_analysis(generation, path.to_path_buf(), fa);
        }
        Some(answer)
    }
}

/// Debounced analysis: wait for a quiet moment, analyse a snapshot in the background,
/// publish only if nothing changed meanwhile (else start over with the newer state).
async fn worker(inner: Arc<Inner>, client: Client) {
    loop {
        inner.dirty.notified().await;
        if inner.stopped.load(Ordering::SeqCst) {
            return;
        }
        loop {
            let ms = lock(&inner.state).debounce_ms;
            match tokio::time::timeout(Duration::from_millis(ms), inner.dirty.notified()).await {
                Ok(()) => continue,
                Err(_) => break,
            }
        }
        if inner.stopped.load(Ordering::SeqCst) {
            return;
        }
        let (generation, ws, mut cache) = {
            let mut st = lock(&inner.state);
            let cache = std::mem::take(&mut st.analysis_cache);
            (st.generation, st.workspace.clone(), cache)
        };
        let (cache, result) = crate::stack::run(move || {
            let a = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                ws.analyze_incremental(&mut cache)
            }));
            // After a panic the cache may be half-updated: start again from nothing.
            (a.is_ok().then_some(cache), a)
        })
        .await;
        lock(&inner.state).analysis_cache = cache.unwrap_or_default();
        let analysis = match result {
            Ok(a) => Arc::new(a),
            _ => {
                client
                    .log_message(
                        lsp::MessageType::ERROR,
                        "tplc: the analysis failed on this input; please report it",
                    )
                    .await;
                continue;
            }
        };
        let pubs = {
            let mut st = lock(&inner.state);
            if st.generation != generation {
                // A newer edit arrived; its own signal restarts the loop.
                continue;
            }
            st.analysis = Some((generation, analysis.clone()));
            publications(&mut st, &analysis)
        };
        for (uri, diags, version) in pubs {
            client.publish_diagnostics(uri, diags, version).await;
        }
    }
}

/// Take new editor settings: re-check everything when they change what is checked.
async fn apply_settings(inner: &Inner, client: &Client, v: &Value) {
    let (settings, problems) = crate::settings::parse(v);
    if !problems.is_empty() {
        let msg = format!("tplc: editor settings: {}", problems.join("; "));
        client.show_message(lsp::MessageType::WARNING, msg).await;
    }
    {
        let mut st = lock(&inner.state);
        if let Some(ms) = settings.debounce_ms {
            st.debounce_ms = ms;
        }
        if st.editor == settings {
            return;
        }
        st.editor = settings;
        st.reload_config();
    }
    inner.dirty.notify_one();
}

/// Ask the client for the `tplc` section (`workspace/configuration`) and take it.
async fn pull_settings(inner: Arc<Inner>, client: Client) {
    let item = lsp::ConfigurationItem {
        scope_uri: None,
        section: Some("tplc".into()),
    };
    if let Ok(values) = client.configuration(vec![item]).await {
        if let Some(v) = values.first().filter(|v| v.is_object()) {
            apply_settings(&inner, &client, v).await;
        }
    }
}

type Publication = (lsp::Uri, Vec<lsp::Diagnostic>, Option<i32>);

/// A span in another file of the analysis, as a protocol location.
fn locate(
    st: &State,
    analysis: &Analysis,
    enc: tplc_diagnostics::PositionEncoding,
    path: &Path,
    span: tplc_diagnostics::Span,
) -> Option<lsp::Location> {
    let uri = match st.docs.get(path) {
        Some(d) => d.uri.clone(),
        None => lsp::Uri::from_file_path(path)?,
    };
    let range = match analysis.files.get(path) {
        Some(f) => Text::new(&f.source, enc).range(span),
        None => lsp::Range::default(),
    };
    Some(lsp::Location::new(uri, range))
}

/// What to publish for an analysis: every open file (with its version), files on disk
/// whose problems changed, and empty lists for files that are gone.
fn publications(st: &mut State, analysis: &Analysis) -> Vec<Publication> {
    let enc = st.enc;
    let mut out = Vec::new();
    let uri_of = |st: &State, p: &Path| -> Option<lsp::Uri> {
        match st.docs.get(p) {
            Some(d) => Some(d.uri.clone()),
            None => lsp::Uri::from_file_path(p),
        }
    };
    let mut seen = std::collections::HashSet::new();
    for (path, fa) in &analysis.files {
        let version = st.docs.get(path).map(|d| d.version);
        // Same text, version and findings as last time: the client already has them, and
        // converting every file of a large workspace on each keystroke is not free. A
        // finding located in another file is converted again (that file may have moved).
        let unchanged = st.published_from.get(path).is_some_and(|(src, v, ds)| {
            Arc::ptr_eq(src, &fa.source) && *v == version && *ds == fa.diagnostics
        }) && !fa
            .diagnostics
            .iter()
            .flat_map(|d| &d.labels)
            .any(|l| l.file.is_some());
        if unchanged {
            seen.insert(path.clone());
            continue;
        }
        let Some(uri) = uri_of(st, path) else {
            continue;
        };
        let text = Text::new(&fa.source, enc);
        let other = |p: &Path, span| locate(st, analysis, enc, p, span);
        let body_start = Some(fa.template().body_start);
        let diags: Vec<lsp::Diagnostic> = fa
            .diagnostics
            .iter()
            .map(|d| convert::diagnostic(&text, &uri, d, body_start, &other))
            .collect();
        seen.insert(path.clone());
        st.published_from.insert(
            path.clone(),
            (fa.source.clone(), version, fa.diagnostics.clone()),
        );
        if version.is_none() && st.published.get(path) == Some(&diags) {
            continue;
        }
        if version.is_none() && diags.is_empty() && !st.published.contains_key(path) {
            continue;
        }
        st.published.insert(path.clone(), diags.clone());
        out.push((uri, diags, version));
    }
    st.published_from
        .retain(|p, _| analysis.files.contains_key(p));
    // tplc.toml problems belong to tplc.toml.
    let config = st.config_path();
    if let Ok(text) = std::fs::read_to_string(&config) {
        if let Some(uri) = lsp::Uri::from_file_path(&config) {
            let t = Text::new(&text, enc);
            let other = |p: &Path, span| locate(st, analysis, enc, p, span);
            // From the file's own text: the analysis may have seen the editor's settings
            // added to it (see `settings`), and spans must point into the file.
            let (_, config_diagnostics) = tplc_schema::Config::parse(&text);
            let diags: Vec<lsp::Diagnostic> = config_diagnostics
                .iter()
                .map(|d| convert::diagnostic(&t, &uri, d, None, &other))
                .collect();
            if st.published.get(&config) != Some(&diags) {
                st.published.insert(config.clone(), diags.clone());
                out.push((uri, diags, None));
            }
            seen.insert(config);
        }
    }
    let gone: Vec<PathBuf> = st
        .published
        .keys()
        .filter(|p| !seen.contains(*p))
        .cloned()
        .collect();
    for p in gone {
        st.published.remove(&p);
        if let Some(uri) = lsp::Uri::from_file_path(&p) {
            out.push((uri, Vec::new(), None));
        }
    }
    out
}

fn root_of(params: &lsp::InitializeParams) -> Option<PathBuf> {
    let folder = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| f.uri.clone());
    #[allow(deprecated)]
    let uri = folder.or_else(|| params.root_uri.clone())?;
    uri.to_file_path().map(|p| p.into_owned())
}

fn completion_kind(k: &completion::ItemKind) -> lsp::CompletionItemKind {
    use completion::ItemKind::*;
    match k {
        Field => lsp::CompletionItemKind::FIELD,
        Variable => lsp::CompletionItemKind::VARIABLE,
        Filter => lsp::CompletionItemKind::FUNCTION,
        Keyword => lsp::CompletionItemKind::KEYWORD,
        HeaderKey => lsp::CompletionItemKind::PROPERTY,
        Kind => lsp::CompletionItemKind::ENUM_MEMBER,
        Type => lsp::CompletionItemKind::TYPE_PARAMETER,
        Include => lsp::CompletionItemKind::FILE,
    }
}

fn symbol_kind(k: &symbols::SymbolKind) -> lsp::SymbolKind {
    use symbols::SymbolKind::*;
    match k {
        Header => lsp::SymbolKind::NAMESPACE,
        Entry => lsp::SymbolKind::PROPERTY,
        Param => lsp::SymbolKind::VARIABLE,
        If => lsp::SymbolKind::BOOLEAN,
        For => lsp::SymbolKind::ARRAY,
        Include => lsp::SymbolKind::MODULE,
    }
}

/// Outline levels sent nested; blocks deeper than this are listed flat inside the
/// deepest one. The protocol library serialises the answer recursively on the async
/// runtime's thread, and 64 levels of nesting (the block limit) took a large part of its
/// stack in an unoptimised build, for an outline no one reads that deep.
const MAX_OUTLINE_DEPTH: usize = 16;

/// One outline entry without its children.
#[allow(deprecated)]
fn outline_entry(text: &Text<'_>, s: &symbols::Symbol) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: if s.name.is_empty() {
            "?".into()
        } else {
            s.name.clone()
        },
        detail: s.detail.clone(),
        kind: symbol_kind(&s.kind),
        tags: None,
        deprecated: None,
        range: text.range(s.span),
        selection_range: text.range(s.selection),
        children: None,
    }
}

fn to_document_symbol(text: &Text<'_>, s: &symbols::Symbol, depth: usize) -> lsp::DocumentSymbol {
    let children = if depth + 1 < MAX_OUTLINE_DEPTH {
        s.children
            .iter()
            .map(|c| to_document_symbol(text, c, depth + 1))
            .collect()
    } else {
        // Every descendant, in document order, one level down.
        let mut flat = Vec::new();
        let mut stack: Vec<&symbols::Symbol> = s.children.iter().rev().collect();
        while let Some(c) = stack.pop() {
            flat.push(lsp::DocumentSymbol {
                children: Some(Vec::new()),
                ..outline_entry(text, c)
            });
            stack.extend(c.children.iter().rev());
        }
        flat
    };
    lsp::DocumentSymbol {
        children: Some(children),
        ..outline_entry(text, s)
    }
}

/// One edit turning `old` into `new`: the changed middle only, so cursors and folds
/// outside it stay put.
fn minimal_edit(text: &Text<'_>, new: &str) -> Option<lsp::TextEdit> {
    let old = text.text;
    if old == new {
        return None;
    }
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    let span = tplc_diagnostics::Span::new(prefix, old.len() - suffix);
    Some(lsp::TextEdit::new(
        text.range(span),
        new[prefix..new.len() - suffix].to_string(),
    ))
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let enc = convert::negotiate_encoding(&params.capabilities);
        let pull = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.configuration)
            .unwrap_or(false);
        self.inner.pull_config.store(pull, Ordering::SeqCst);
        let (settings, problems) = params
            .initialization_options
            .as_ref()
            .map(crate::settings::parse)
            .unwrap_or_default();
        if !problems.is_empty() {
            let msg = format!("tplc: editor settings: {}", problems.join("; "));
            self.client
                .show_message(lsp::MessageType::WARNING, msg)
                .await;
        }
        let root = root_of(&params);
        let load_error = {
            let mut st = self.state();
            st.enc = enc;
            if let Some(ms) = settings.debounce_ms {
                st.debounce_ms = ms;
            }
            st.editor = settings;
            if root.is_none() {
                // No project yet (it is found from the first file opened).
                let text = st.editor.config_text(None);
                st.workspace.set_config_text(text);
            }
            st.root_given = root.is_some();
            match &root {
                Some(r) => st.load_root(r.clone()).err(),
                None => None,
            }
        };
        if let Some(e) = load_error {
            self.client
                .log_message(lsp::MessageType::WARNING, format!("tplc: {e}"))
                .await;
        }
        if let Some(r) = &root {
            self.start_watcher(r);
        }
        let sync = lsp::TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
            save: Some(lsp::TextDocumentSyncSaveOptions::Supported(false)),
            ..Default::default()
        };
        Ok(lsp::InitializeResult {
            server_info: Some(lsp::ServerInfo {
                name: "tplc".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: lsp::ServerCapabilities {
                position_encoding: Some(convert::encoding_kind(enc)),
                text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(sync)),
                hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
                completion_provider: Some(lsp::CompletionOptions {
                    trigger_characters: Some(
                        ["{", ".", "|", " ", "\"", ":"]
                            .iter()
                            .map(|s| s.to_string())
                            .collect(),
                    ),
                    ..Default::default()
                }),
                code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
                    lsp::CodeActionOptions {
                        code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                        ..Default::default()
                    },
                )),
                definition_provider: Some(lsp::OneOf::Left(true)),
                document_symbol_provider: Some(lsp::OneOf::Left(true)),
                document_formatting_provider: Some(lsp::OneOf::Left(true)),
                semantic_tokens_provider: Some(
                    lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                        lsp::SemanticTokensOptions {
                            legend: tokens::legend(),
                            full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                            range: None,
                            ..Default::default()
                        },
                    ),
                ),
                execute_command_provider: Some(lsp::ExecuteCommandOptions {
                    commands: vec![PREVIEW_COMMAND.to_string()],
                    ..Default::default()
                }),
                ..Default::default()
            },
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        self.start_worker();
        // Clients that answer workspace/configuration may hold newer settings than
        // their initializationOptions.
        if self.inner.pull_config.load(Ordering::SeqCst) {
            tokio::spawn(pull_settings(self.inner.clone(), self.client.clone()));
        }
        // Clients that watch files for us report template and config changes too.
        let client = self.client.clone();
        tokio::spawn(async move {
            let watchers = ["**/*.tplc", "**/tplc.toml"]
                .iter()
                .map(|g| lsp::FileSystemWatcher {
                    glob_pattern: lsp::GlobPattern::String(g.to_string()),
                    kind: None,
                })
                .collect();
            let opts = lsp::DidChangeWatchedFilesRegistrationOptions { watchers };
            let reg = lsp::Registration {
                id: "tplc-watch".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(opts).ok(),
            };
            let _ = client.register_capability(vec![reg]).await;
        });
        self.changed();
    }

    async fn shutdown(&self) -> Result<()> {
        self.inner.shutdown.store(true, Ordering::SeqCst);
        self.state().shutdown_requested = true;
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        let d = params.text_document;
        let new_root = {
            let mut st = self.state();
            let path = self.path_of(&st, &d.uri);
            // No workspace folder: the project is the folder around the first file.
            let needs_root = !st.root_given && st.docs.is_empty();
            let root = needs_root.then(|| tplc_project::find_root(&path));
            if let Some(r) = &root {
                let _ = st.load_root(r.clone());
                st.root_given = true;
            }
            st.open(
                path,
                Document {
                    uri: d.uri,
                    version: d.version,
                    text: d.text,
                },
            );
            root
        };
        if let Some(r) = new_root {
            self.start_watcher(&r);
        }
        self.start_worker();
        self.changed();
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        {
            let mut st = self.state();
            let path = self.path_of(&st, &params.text_document.uri);
            if st
                .change(&path, params.text_document.version, params.content_changes)
                .is_none()
            {
                return;
            }
        }
        self.changed();
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        {
            let mut st = self.state();
            let path = self.path_of(&st, &params.text_document.uri);
            st.close(&path);
        }
        // A closed file keeps its problems only if it is part of the project on disk.
        self.changed();
    }

    async fn did_change_configuration(&self, params: lsp::DidChangeConfigurationParams) {
        if crate::settings::has_section(&params.settings) {
            apply_settings(&self.inner, &self.client, &params.settings).await;
        } else if self.inner.pull_config.load(Ordering::SeqCst) {
            // `{"settings": null}` means "ask me" (the pull model). Not awaited here: the
            // answer comes through this same connection.
            tokio::spawn(pull_settings(self.inner.clone(), self.client.clone()));
        }
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        {
            let mut st = self.state();
            for c in params.changes {
                if let Some(p) = c.uri.to_file_path() {
                    st.disk_changed(&p);
                }
            }
        }
        self.changed();
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let pos = params.text_document_position_params;
        let (path, text) = self.doc(&pos.text_document.uri)?;
        let enc = self.state().enc;
        let answer = self
            .with_analysis(&path, move |fa, ws| {
                let t = Text::new(&text, enc);
                let offset = t.offset(pos.position);
                hover::hover(fa, ws.schema(), offset).map(|(span, md)| (t.range(span), md))
            })
            .await;
        Ok(answer.flatten().map(|(range, md)| lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: md,
            }),
            range: Some(range),
        }))
    }

    async fn completion(
        &self,
        params: lsp::CompletionParams,
    ) -> Result<Option<lsp::CompletionResponse>> {
        let pos = params.text_document_position;
        let (path, text) = self.doc(&pos.text_document.uri)?;
        let enc = self.state().enc;
        let here = path.clone();
        let found = self
            .with_analysis(&path, move |fa, ws| {
                let t = Text::new(&text, enc);
                let offset = t.offset(pos.position);
                let files: Vec<PathBuf> = ws.files().map(Path::to_path_buf).collect();
                let cx = completion::Context {
                    template: &fa.template(),
                    source: &text,
                    schema: ws.schema(),
                    files: &files,
                    path: &here,
                };
                completion::complete(&cx, offset)
            })
            .await;
        let Some(found) = found else {
            return Ok(None);
        };
        let items: Vec<lsp::CompletionItem> = found
            .into_iter()
            .map(|i| lsp::CompletionItem {
                label: i.label.clone(),
                kind: Some(completion_kind(&i.kind)),
                detail: i.detail,
                documentation: i.doc.map(|d| {
                    lsp::Documentation::MarkupContent(lsp::MarkupContent {
                        kind: lsp::MarkupKind::Markdown,
                        value: d,
                    })
                }),
                insert_text: i.insert,
                ..Default::default()
            })
            .collect();
        Ok(Some(lsp::CompletionResponse::Array(items)))
    }

    async fn code_action(
        &self,
        params: lsp::CodeActionParams,
    ) -> Result<Option<lsp::CodeActionResponse>> {
        let uri = params.text_document.uri;
        let (path, text) = self.doc(&uri)?;
        // Diagnostics the client sent with their data; when a client drops `data`, use
        // the current analysis instead.
        let mut diags = params.context.diagnostics;
        if diags.iter().all(|d| d.data.is_none()) {
            let enc = self.state().enc;
            let doc_uri = uri.clone();
            let fresh = self
                .with_analysis(&path, move |fa, ws| {
                    let t = Text::new(&text, enc);
                    let other = |p: &Path, span: tplc_diagnostics::Span| {
                        let uri = lsp::Uri::from_file_path(p)?;
                        let range = ws
                            .text(p)
                            .map(|src| Text::new(&src, enc).range(span))
                            .unwrap_or_default();
                        Some(lsp::Location::new(uri, range))
                    };
                    let body_start = Some(fa.template().body_start);
                    fa.diagnostics
                        .iter()
                        .map(|d| convert::diagnostic(&t, &doc_uri, d, body_start, &other))
                        .collect::<Vec<_>>()
                })
                .await;
            if let Some(fresh) = fresh {
                diags = fresh;
            }
        }
        let acts = actions::actions(&uri, &params.range, &diags);
        Ok(Some(
            acts.into_iter()
                .map(lsp::CodeActionOrCommand::CodeAction)
                .collect(),
        ))
    }

    async fn formatting(
        &self,
        params: lsp::DocumentFormattingParams,
    ) -> Result<Option<Vec<lsp::TextEdit>>> {
        let (_, text) = self.doc(&params.text_document.uri)?;
        if too_large(&text) {
            return Ok(None);
        }
        let enc = self.state().enc;
        let result = crate::stack::run(move || {
            tplc_fmt::format(&text).map(|formatted| {
                let t = Text::new(&text, enc);
                minimal_edit(&t, &formatted).into_iter().collect::<Vec<_>>()
            })
        })
        .await;
        match result {
            Ok(edits) => Ok(Some(edits)),
            Err(e) => {
                self.client
                    .log_message(lsp::MessageType::INFO, format!("tplc: not formatted: {e}"))
                    .await;
                Ok(None)
            }
        }
    }

    async fn goto_definition(
        &self,
        params: lsp::GotoDefinitionParams,
    ) -> Result<Option<lsp::GotoDefinitionResponse>> {
        let pos = params.text_document_position_params;
        let uri = pos.text_document.uri;
        let (path, text) = self.doc(&uri)?;
        let enc = self.state().enc;
        let here = path.clone();
        let target = self
            .with_analysis(&path, move |fa, ws| {
                let t = Text::new(&text, enc);
                let offset = t.offset(pos.position);
                let files: Vec<PathBuf> = ws.files().map(Path::to_path_buf).collect();
                let exists = |p: &Path| files.iter().any(|f| f == p);
                let target = symbols::definition(
                    &fa.template(),
                    ws.schema(),
                    ws.root(),
                    &here,
                    &exists,
                    offset,
                );
                target.map(|target| match target {
                    symbols::Target::Here(span) => Ok(t.range(span)),
                    symbols::Target::File(p) => Err(p),
                })
            })
            .await
            .flatten();
        let st = self.state();
        Ok(target.and_then(|target| match target {
            Ok(range) => Some(lsp::GotoDefinitionResponse::Scalar(lsp::Location::new(
                uri.clone(),
                range,
            ))),
            Err(p) => {
                let uri = st
                    .docs
                    .get(&p)
                    .map(|d| d.uri.clone())
                    .or_else(|| lsp::Uri::from_file_path(&p))?;
                Some(lsp::GotoDefinitionResponse::Scalar(lsp::Location::new(
                    uri,
                    lsp::Range::default(),
                )))
            }
        }))
    }

    async fn document_symbol(
        &self,
        params: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        let (_, text) = self.doc(&params.text_document.uri)?;
        if too_large(&text) {
            return Ok(None);
        }
        let enc = self.state().enc;
        let syms = crate::stack::run(move || {
            let parse = tplc_syntax::parse(&text);
            let t = Text::new(&text, enc);
            symbols::symbols(&parse.template, &text)
                .iter()
                .map(|s| to_document_symbol(&t, s, 0))
                .collect()
        })
        .await;
        Ok(Some(lsp::DocumentSymbolResponse::Nested(syms)))
    }

    async fn semantic_tokens_full(
        &self,
        params: lsp::SemanticTokensParams,
    ) -> Result<Option<lsp::SemanticTokensResult>> {
        let (_, text) = self.doc(&params.text_document.uri)?;
        if too_large(&text) {
            return Ok(None);
        }
        let enc = self.state().enc;
        let data = crate::stack::run(move || {
            let parse = tplc_syntax::parse(&text);
            let raw = tokens::raw_tokens(&parse.template, &text);
            tokens::encode(&text, &raw, enc)
        })
        .await;
        Ok(Some(lsp::SemanticTokensResult::Tokens(
            lsp::SemanticTokens {
                result_id: None,
                data,
            },
        )))
    }

    async fn execute_command(&self, params: lsp::ExecuteCommandParams) -> Result<Option<Value>> {
        // Lets the test suite prove that a failing request does not end the session;
        // inert unless the server was started with this variable set.
        if params.command == PANIC_TEST_COMMAND && std::env::var_os(PANIC_TEST_ENV).is_some() {
            panic!("requested by {PANIC_TEST_COMMAND}");
        }
        if params.command == WAIT_TEST_COMMAND && std::env::var_os(PANIC_TEST_ENV).is_some() {
            tokio::time::sleep(Duration::from_secs(60)).await;
            return Ok(Some(Value::String("not cancelled".into())));
        }
        if params.command != PREVIEW_COMMAND {
            return Err(invalid(format!(
                "unknown command `{}`: the server provides `{PREVIEW_COMMAND}`",
                params.command
            )));
        }
        let uri_text = params
            .arguments
            .first()
            .and_then(|a| {
                a.as_str()
                    .map(str::to_string)
                    .or_else(|| a.get("uri").and_then(Value::as_str).map(str::to_string))
            })
            .ok_or_else(|| invalid("`tplc.preview` takes the document URI as its argument"))?;
        let uri: lsp::Uri = uri_text
            .parse()
            .map_err(|_| invalid(format!("`{uri_text}` is not a URI")))?;
        let (path, _) = self.doc(&uri)?;
        let (current, ws) = {
            let st = self.state();
            let current = match &st.analysis {
                Some((g, a)) if *g == st.generation => Some(a.clone()),
                _ => None,
            };
            (current, st.workspace.clone())
        };
        let result = crate::stack::run(move || {
            let analysis = current.unwrap_or_else(|| Arc::new(ws.analyze()));
            let fa = analysis
                .files
                .get(&path)
                .ok_or_else(|| invalid("the document is not part of the workspace"))?;
            crate::preview::preview(fa, ws.schema(), ws.root(), &analysis).map_err(|msg| Error {
                code: ErrorCode::InvalidRequest,
                message: msg.into(),
                data: None,
            })
        })
        .await?;
        Ok(Some(result))
    }
}

/// A document over the engine's file limit is reported (`file-too-large`), never parsed
/// for symbols, tokens or formatting, as the command line would not read it.
fn too_large(text: &str) -> bool {
    text.len() as u64 > tplc_project::MAX_FILE_BYTES
}

//! `tplc`: the command-line front end. Thin by design: every command asks the engine
//! (`tplc-project`) or the compiler (`tplc-compile`) and prints the answer.

mod commands;
mod report;

use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::process::ExitCode;

/// The analysis allocates many small, short-lived nodes on every core; mimalloc's
/// per-thread heaps serve them faster than the system allocator and return freed pages
/// (docs/performance.md).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "tplc",
    version,
    about = "Type-checked, policy-checked Amazon buyer-message templates"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Check templates (types and compliance rules) without writing anything.
    Check(commands::check::CheckArgs),
    /// Compile templates to deployable text/HTML Jinja artifacts and a manifest.
    Build(commands::build::BuildArgs),
    /// Render one template with JSON data (or sample data).
    Render(commands::render::RenderArgs),
    /// Explain a diagnostic code: what it means, why, and how to fix it.
    Explain(commands::explain::ExplainArgs),
    /// Create a `tplc.toml` and a first template in a folder.
    Init(commands::init::InitArgs),
    /// Format templates (or check that they are formatted).
    Fmt(commands::fmt::FmtArgs),
    /// Serve the language server protocol over stdio.
    Lsp {
        /// Accepted for clients that always pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Read sent messages (.eml/.mbox) and find out whether and why the account was restricted.
    Audit(tplc_audit::AuditArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Lsp { .. }) {
        end_quietly_on_closed_pipe();
    }
    // An internal error is a bug, never a verdict on the templates: say so and exit 2.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("tplc: internal error: {info}\nThis is a bug in tplc; please report it with the input that caused it.");
    }));
    let result = std::panic::catch_unwind(move || run(cli.command));
    match result {
        Ok(code) => ExitCode::from(code),
        Err(_) => ExitCode::from(2),
    }
}

/// A closed pipe (`tplc explain CODE | head -1`) ends the process quietly, as it ends
/// other command-line tools: Rust ignores SIGPIPE, so every later print would panic. The
/// language server keeps it ignored: a client that goes away is an error it handles.
fn end_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restoring a signal's default disposition, before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn run(command: Command) -> u8 {
    match command {
        Command::Check(args) => commands::check::run(args),
        Command::Build(args) => commands::build::run(args),
        Command::Render(args) => commands::render::run(args),
        Command::Explain(args) => commands::explain::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Fmt(args) => commands::fmt::run(args),
        Command::Lsp { stdio: _ } => tplc_lsp::serve_stdio().clamp(0, 255) as u8,
        Command::Audit(args) => {
            let code = tplc_audit::run(&args, &mut std::io::stdout(), &mut std::io::stderr());
            code.clamp(0, 255) as u8
        }
    }
}

use super::{config_source, error, load, FAILED, OK};
use crate::report::{self, FileReport, Format};
use crate::ColorChoice;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct CheckArgs {
    /// Template files or folders (default: the current folder).
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

pub fn run(args: CheckArgs) -> u8 {
    let (ws, selected) = match load(&args.paths) {
        Ok(x) => x,
        Err(e) => return error(e),
    };
    let analysis = ws.analyze_only(&selected);
    let (config_path, config_text) = config_source(&ws);
    let mut files: Vec<FileReport<'_>> = Vec::new();
    if !analysis.config_diagnostics.is_empty() {
        files.push(FileReport {
            display: report::display_path(&config_path),
            path: &config_path,
            source: &config_text,
            diagnostics: &analysis.config_diagnostics,
        });
    }
    for f in analysis.files.values() {
        files.push(FileReport {
            display: report::display_path(&f.path),
            path: &f.path,
            source: &f.source,
            diagnostics: &f.diagnostics,
        });
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = report::write(&mut out, args.format, &files, args.color.enabled()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return error(e);
        }
    }
    if analysis.error_count() > 0 {
        FAILED
    } else {
        OK
    }
}

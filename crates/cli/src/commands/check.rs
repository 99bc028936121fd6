use super::{config_source, error, load, reports, FAILED, OK};
use crate::report::{self, Format};
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
    let config = config_source(&ws);
    let files = reports(&config, &analysis, analysis.files.values());
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

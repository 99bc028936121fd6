use super::{error, load, FAILED, OK};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct FmtArgs {
    /// Template files or folders (default: the current folder).
    pub paths: Vec<PathBuf>,
    /// Do not write; exit 1 when a file is not formatted.
    #[arg(long)]
    pub check: bool,
}

pub fn run(args: FmtArgs) -> u8 {
    let (ws, selected) = match load(&args.paths) {
        Ok(x) => x,
        Err(e) => return error(e),
    };
    let mut unformatted = 0;
    let mut failed = 0;
    for path in &selected {
        let Some(text) = ws.text(path) else { continue };
        let shown = super::rel(path);
        match tplc_fmt::format(&text) {
            Ok(formatted) if formatted == *text => {}
            Ok(formatted) => {
                unformatted += 1;
                if args.check {
                    println!("would reformat {shown}");
                } else if let Err(e) = write_in_place(path, ws.root(), &formatted) {
                    return error(format!("{shown}: {e}"));
                } else {
                    println!("formatted {shown}");
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("tplc: {shown}: not formatted: {e}");
            }
        }
    }
    if failed > 0 || (args.check && unformatted > 0) {
        FAILED
    } else {
        OK
    }
}

/// Replace the file `path` names with `text`, atomically, after checking once more that
/// the file really lies inside the project: a link is written through only to a file of
/// the project's own (its target is replaced, the link kept).
fn write_in_place(path: &Path, root: &Path, text: &str) -> std::io::Result<()> {
    let target = path.canonicalize()?;
    if !target.starts_with(root.canonicalize()?) {
        return Err(std::io::Error::other(
            "it now leads outside the project folder; not written",
        ));
    }
    tplc_output::replace_file(&target, text.as_bytes())
}

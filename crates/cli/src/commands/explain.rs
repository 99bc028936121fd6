use super::{error, OK};

#[derive(clap::Args)]
pub struct ExplainArgs {
    /// A diagnostic code, e.g. `sentiment-word`; `--list` shows them all.
    pub code: Option<String>,
    /// List every code with its default severity.
    #[arg(long)]
    pub list: bool,
}

pub fn run(args: ExplainArgs) -> u8 {
    // Template codes from the engine, plus the ones only `tplc audit` reports on sent mail.
    let mut codes = tplc_project::all_codes();
    codes.extend_from_slice(tplc_audit::CODES);
    codes.sort_by_key(|c| c.code);
    if args.list || args.code.is_none() {
        for c in &codes {
            println!(
                "{:<28} {:<8} {}",
                c.code,
                c.default_severity.as_str(),
                c.summary
            );
        }
        return OK;
    }
    let code = args.code.unwrap_or_default();
    match codes.iter().find(|c| c.code == code) {
        Some(c) => {
            print!("{}", c.explanation);
            if !c.explanation.ends_with('\n') {
                println!();
            }
            println!(
                "\nDefault severity: {}. Online: {}",
                c.default_severity,
                tplc_diagnostics::docs_url(c.code)
            );
            OK
        }
        None => {
            let names: Vec<&str> = codes.iter().map(|c| c.code).collect();
            let hint = tplc_schema::did_you_mean(&code, names.iter().copied())
                .map(|s| format!(" Did you mean `{s}`?"))
                .unwrap_or_default();
            error(format!(
                "unknown code `{code}`.{hint} Run `tplc explain --list` for every code."
            ))
        }
    }
}

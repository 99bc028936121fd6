use super::{error, OK};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct InitArgs {
    /// Folder to initialise (default: the current folder).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

const CONFIG: &str = r#"# tplc project configuration. Every key is optional; see docs/configuration.md.

[project]
templates = ["templates"]

[build]
out-dir = "dist"

[budget]
# Amazon: no more than 2 proactive messages per order.
max-messages = 2

[rules]
# Change a rule's severity: "error", "warning", "info" or "off".
# emoji = "warning"
"#;

const TEMPLATE: &str = r#"---
kind: review_request
locale: en
subject: Your order {{ order.id }}
send: 7d after delivery
---
Hello {{ buyer.name | default("there") }},

thank you for your order {{ order.id }}.

Your experience helps other shoppers. Please share it in a review:
{% for item in order.items %}
- [{{ item.title }}]({{ item.review_url }})
{% endfor %}

{{ seller.name }}
"#;

pub fn run(args: InitArgs) -> u8 {
    let config = args.dir.join("tplc.toml");
    let template = args.dir.join("templates").join("review-request.tplc");
    for p in [&config, &template] {
        // A link counts as there, even a dangling one: nothing is written through it.
        if std::fs::symlink_metadata(p).is_ok() {
            return error(format!(
                "{} already exists; nothing was changed",
                p.display()
            ));
        }
    }
    let result = std::fs::create_dir_all(args.dir.join("templates"))
        .and_then(|_| write_new(&config, CONFIG))
        .and_then(|_| write_new(&template, TEMPLATE));
    if let Err(e) = result {
        return error(format!("cannot initialise {}: {e}", args.dir.display()));
    }
    println!("created {} and {}", config.display(), template.display());
    println!("next: `tplc check` to check, `tplc build` to compile");
    OK
}

/// Create `path` with `text`; fails when anything, a link included, is already there.
fn write_new(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?
        .write_all(text.as_bytes())
}

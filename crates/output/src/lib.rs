//! What tplc may write on disk, and how it writes it (docs/security.md).
//!
//! - [`names`]: the output path of a template comes from validated path components only.
//! - [`place`]: where the output folder may be, and when an existing one may be replaced.
//! - [`marker`]: the record tplc leaves in every folder it builds, naming what it wrote.
//! - [`replace`]: one named file replaced atomically, never written through a link.
//! - [`staging`]: builds are written beside the output folder and swapped in atomically,
//!   one at a time, and the leftovers of killed builds are cleaned.

pub mod marker;
pub mod names;
pub mod place;
pub mod replace;
pub mod staging;

pub use names::{output_name, NameError, OutputName};
pub use place::{Origin, OutputDir, OutputError};
pub use replace::replace_file;
pub use staging::Staging;

//! Finding mail files and streaming raw messages out of them.
//!
//! An `.mbox` is read line by line and split on `From ` postmark lines, so memory use is
//! bounded by the largest single message (capped at [`MAX_MESSAGE_BYTES`]), never by the
//! size of the mailbox.

use std::collections::HashSet;
use std::fs::{File, FileType, Metadata};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Messages larger than this are skipped (reported as unreadable) instead of buffered.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// How a file is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// One message per file.
    Eml,
    /// Many messages separated by `From ` lines.
    Mbox,
}

/// One input file and how to read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailFile {
    pub path: PathBuf,
    pub kind: FileKind,
    /// Named on the command line: a symbolic link there is followed, as the user meant it.
    /// Files found in folders are opened without following links.
    pub follow_links: bool,
}

/// Expand the command-line paths into mail files: files are taken as given (an mbox is
/// recognised by extension or by a leading `From ` line), folders are walked recursively
/// in name order for `.eml`, `.mbox` and extension-less mbox files (Thunderbird's layout).
///
/// Each real file and folder is visited once, however often it is named or reached.
/// Symbolic links inside folders are not followed (a link to `..` would loop, a link to
/// `/` would walk the whole disk), and only regular files are ever opened: a FIFO,
/// socket or device is listed, never read. Problems with single entries are returned
/// next to the files, so one unreadable folder does not stop the run.
pub fn collect(paths: &[PathBuf]) -> (Vec<MailFile>, Vec<(PathBuf, String)>) {
    let mut walk = Walk::default();
    for p in paths {
        // A path named on the command line is followed if it is a link.
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => {
                if walk.first_visit(p, &m) {
                    walk.dir(p, 0);
                }
            }
            Ok(m) if m.is_file() => {
                if walk.first_visit(p, &m) {
                    walk.file(p, true, true);
                }
            }
            Ok(m) => walk.problems.push((p.clone(), not_regular(&m.file_type()))),
            Err(e) => walk.problems.push((p.clone(), e.to_string())),
        }
    }
    (walk.files, walk.problems)
}

#[derive(Default)]
struct Walk {
    files: Vec<MailFile>,
    problems: Vec<(PathBuf, String)>,
    seen: HashSet<FileIdentity>,
}

impl Walk {
    /// Whether the file or folder behind `meta` is met for the first time.
    fn first_visit(&mut self, path: &Path, meta: &Metadata) -> bool {
        self.seen.insert(identity(path, meta))
    }

    fn dir(&mut self, dir: &Path, depth: u32) {
        // Without links there are no loops; this only bounds very deep real trees.
        if depth > 32 {
            return;
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                self.problems.push((dir.to_path_buf(), e.to_string()));
                return;
            }
        };
        let mut entries: Vec<std::fs::DirEntry> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let p = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            // `DirEntry` metadata describes the entry itself, never a link's target.
            let meta = match entry.metadata() {
                Ok(m) => m,
                Err(e) => {
                    self.problems.push((p, e.to_string()));
                    continue;
                }
            };
            let ft = meta.file_type();
            if ft.is_symlink() {
                self.problems.push((
                    p,
                    "symbolic link inside a folder, not followed (name its target to read it)"
                        .into(),
                ));
            } else if !self.first_visit(&p, &meta) {
                // A hard link to a file already read.
            } else if ft.is_dir() {
                self.dir(&p, depth + 1);
            } else if ft.is_file() {
                self.file(&p, false, false);
            } else {
                self.problems.push((p, not_regular(&ft)));
            }
        }
    }

    fn file(&mut self, path: &Path, explicit: bool, follow_links: bool) {
        match sniff(path, explicit, follow_links) {
            Ok(Some(kind)) => self.files.push(MailFile {
                path: path.to_path_buf(),
                kind,
                follow_links,
            }),
            Ok(None) => {}
            Err(e) => self.problems.push((path.to_path_buf(), e.to_string())),
        }
    }
}

/// What makes two paths the same file: device and inode where there are such.
#[cfg(unix)]
type FileIdentity = (u64, u64);
#[cfg(not(unix))]
type FileIdentity = PathBuf;

#[cfg(unix)]
fn identity(_path: &Path, meta: &Metadata) -> FileIdentity {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(path: &Path, _meta: &Metadata) -> FileIdentity {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Why a file that is not a regular file is not read.
fn not_regular(ft: &FileType) -> String {
    format!("not a regular file ({}); not opened", describe_type(ft))
}

fn describe_type(ft: &FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_block_device() || ft.is_char_device() {
            return "a device";
        }
    }
    if ft.is_dir() {
        "a folder"
    } else if ft.is_symlink() {
        "a symbolic link"
    } else {
        "a special file"
    }
}

/// Open `path` for reading only if it is a regular file. The type is checked on the
/// opened file, so a file swapped for a FIFO or device after the folder walk is refused
/// too; opening is non-blocking, so a FIFO without a writer cannot hang the run, and
/// without `follow_links` a link put in a file's place is not followed.
pub fn open_regular(path: &Path, follow_links: bool) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nofollow = if follow_links { 0 } else { libc::O_NOFOLLOW };
        options.custom_flags(libc::O_NONBLOCK | nofollow);
    }
    #[cfg(not(unix))]
    let _ = follow_links;
    let file = options.open(path)?;
    let ft = file.metadata()?.file_type();
    if !ft.is_file() {
        return Err(io::Error::other(not_regular(&ft)));
    }
    Ok(file)
}

/// Decide how to read `path`. `explicit` files are always read (as one message unless they
/// look like an mbox); files found in a folder must look like mail.
fn sniff(path: &Path, explicit: bool, follow_links: bool) -> io::Result<Option<FileKind>> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("eml") => return Ok(Some(FileKind::Eml)),
        Some("mbox" | "mbx") => return Ok(Some(FileKind::Mbox)),
        _ => {}
    }
    let mut head = [0u8; 5];
    let mut f = open_regular(path, follow_links)?;
    let n = read_full(&mut f, &mut head)?;
    if n == 5 && &head == b"From " {
        Ok(Some(FileKind::Mbox))
    } else if explicit {
        Ok(Some(FileKind::Eml))
    } else {
        Ok(None)
    }
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// One raw message from an mbox, or the reason it was skipped.
#[derive(Debug)]
pub enum MboxItem {
    Message(Vec<u8>),
    /// Larger than [`MAX_MESSAGE_BYTES`]; its bytes were dropped while reading.
    TooLarge(usize),
}

/// Streams messages out of an mbox. Lines starting `>From ` (mboxrd quoting) are unquoted
/// one level; `From ` lines inside bodies that do not look like a postmark are kept.
pub struct MboxReader<R> {
    reader: R,
    line: Vec<u8>,
    /// Length of the last line read, including bytes beyond the cap.
    line_len: usize,
    current: Vec<u8>,
    current_len: usize,
    started: bool,
    done: bool,
    max_message: usize,
    bytes_read: u64,
}

impl<R: BufRead> MboxReader<R> {
    pub fn new(reader: R) -> Self {
        Self::with_limit(reader, MAX_MESSAGE_BYTES)
    }

    pub fn with_limit(reader: R, max_message: usize) -> Self {
        MboxReader {
            reader,
            line: Vec::new(),
            line_len: 0,
            current: Vec::new(),
            current_len: 0,
            started: false,
            done: false,
            max_message,
            bytes_read: 0,
        }
    }

    /// Bytes consumed from the underlying reader so far (for progress display).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Read one line into `self.line`, keeping at most `max_message + 1` bytes of it so a
    /// file without line breaks cannot exhaust memory. Returns false at end of input.
    fn read_line(&mut self) -> io::Result<bool> {
        self.line.clear();
        self.line_len = 0;
        let mut any = false;
        loop {
            let buf = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok(any);
            }
            any = true;
            let (take, found) = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (buf.len(), false),
            };
            let room = (self.max_message + 1).saturating_sub(self.line.len());
            self.line.extend_from_slice(&buf[..take.min(room)]);
            self.reader.consume(take);
            self.line_len += take;
            self.bytes_read += take as u64;
            if found {
                return Ok(true);
            }
        }
    }

    fn finish_current(&mut self) -> MboxItem {
        let len = self.current_len;
        self.current_len = 0;
        if len > self.max_message {
            self.current.clear();
            MboxItem::TooLarge(len)
        } else {
            MboxItem::Message(std::mem::take(&mut self.current))
        }
    }
}

impl<R: BufRead> Iterator for MboxReader<R> {
    type Item = io::Result<MboxItem>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            match self.read_line() {
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
                Ok(false) => {
                    self.done = true;
                    if self.started && self.current_len > 0 {
                        return Some(Ok(self.finish_current()));
                    }
                    return None;
                }
                Ok(true) => {}
            }
            let first = !self.started;
            if is_postmark(&self.line) && (first || self.current_len > 0) {
                self.started = true;
                if first {
                    continue;
                }
                return Some(Ok(self.finish_current()));
            }
            if first {
                // Text before the first postmark: accept it as a message anyway.
                self.started = true;
            }
            let quoted = is_quoted_from(&self.line);
            let line: &[u8] = if quoted { &self.line[1..] } else { &self.line };
            self.current_len += self.line_len - usize::from(quoted);
            if self.current_len <= self.max_message {
                self.current.extend_from_slice(line);
            } else if !self.current.is_empty() {
                // Drop what was buffered; only the length is kept.
                self.current = Vec::new();
            }
        }
    }
}

/// `From sender date`: the separator line. Requires a sender token and a digit in the
/// rest, so a body line such as "From Monday on..." is not taken for a separator.
fn is_postmark(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let mut parts = rest.splitn(2, |&b| b == b' ');
    let sender = parts.next().unwrap_or_default();
    let tail = parts.next().unwrap_or_default();
    !sender.is_empty() && tail.iter().any(u8::is_ascii_digit)
}

fn is_quoted_from(line: &[u8]) -> bool {
    let stripped = line.iter().take_while(|&&b| b == b'>').count();
    stripped > 0 && line[stripped..].starts_with(b"From ")
}

/// Open an mbox for streaming; also returns its size (for progress display).
pub fn open_mbox(f: &MailFile) -> io::Result<(MboxReader<BufReader<File>>, u64)> {
    let file = open_regular(&f.path, f.follow_links)?;
    let size = file.metadata()?.len();
    Ok((
        MboxReader::new(BufReader::with_capacity(256 * 1024, file)),
        size,
    ))
}

/// Read one `.eml`, refusing files over [`MAX_MESSAGE_BYTES`] (also one that grows
/// while it is read).
pub fn read_eml(f: &MailFile) -> io::Result<Result<Vec<u8>, usize>> {
    let file = open_regular(&f.path, f.follow_links)?;
    let len = file.metadata()?.len();
    if len > MAX_MESSAGE_BYTES as u64 {
        return Ok(Err(len as usize));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_MESSAGE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Ok(Err(bytes.len()));
    }
    Ok(Ok(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str, limit: usize) -> Vec<String> {
        MboxReader::with_limit(text.as_bytes(), limit)
            .map(|m| match m.unwrap() {
                MboxItem::Message(b) => String::from_utf8(b).unwrap(),
                MboxItem::TooLarge(n) => format!("<too large: {n}>"),
            })
            .collect()
    }

    #[test]
    fn splits_on_postmarks_and_unquotes_from_lines() {
        let mbox = "From a@b Sat Nov 28 10:00:00 2026\nSubject: one\n\nFrom Monday on we ship.\n>From the archive\n\nFrom a@b Sat Nov 28 11:00:00 2026\nSubject: two\n\nbody\n";
        let msgs = split(mbox, 1000);
        assert_eq!(msgs.len(), 2);
        assert_eq!(
            msgs[0],
            "Subject: one\n\nFrom Monday on we ship.\nFrom the archive\n\n"
        );
        assert_eq!(msgs[1], "Subject: two\n\nbody\n");
    }

    #[test]
    fn oversize_messages_are_dropped_not_buffered() {
        let big = "x".repeat(500);
        let mbox = format!("From a@b 2026\n{big}\nFrom a@b 2026\nsmall\n");
        let msgs = split(&mbox, 100);
        assert_eq!(
            msgs,
            vec!["<too large: 501>".to_string(), "small\n".to_string()]
        );
    }

    #[test]
    fn folders_are_walked_for_mail_files() {
        let dir = tempfile::tempdir().unwrap();
        let apple = dir.path().join("Sent.mbox");
        std::fs::create_dir(&apple).unwrap();
        // Apple Mail and Thunderbird store mboxes without an extension.
        std::fs::write(
            apple.join("mbox"),
            "From a@b Mon Nov 02 10:00:00 2026\nSubject: x\n\nhi\n",
        )
        .unwrap();
        std::fs::write(apple.join("Info.plist"), "<?xml version=\"1.0\"?>").unwrap();
        std::fs::write(
            dir.path().join("Sent.msf"),
            "// <!-- <mdb:mork:z v=\"1.4\"/> -->",
        )
        .unwrap();
        std::fs::write(dir.path().join("a.EML"), "Subject: y\n\nhi\n").unwrap();
        std::fs::write(dir.path().join(".hidden.eml"), "Subject: z\n\nhi\n").unwrap();
        let missing = dir.path().join("missing.eml");
        let (files, problems) = collect(&[dir.path().to_path_buf(), missing.clone()]);
        let found: Vec<(String, FileKind)> = files
            .iter()
            .map(|f| {
                (
                    f.path
                        .strip_prefix(dir.path())
                        .unwrap()
                        .display()
                        .to_string(),
                    f.kind,
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![
                ("Sent.mbox/mbox".to_string(), FileKind::Mbox),
                ("a.EML".to_string(), FileKind::Eml)
            ]
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, missing);
    }

    #[test]
    fn empty_and_headerless_inputs() {
        assert!(split("", 100).is_empty());
        assert_eq!(
            split("Subject: x\n\nno postmark\n", 100),
            vec!["Subject: x\n\nno postmark\n"]
        );
        // A file without any newline is read in bounded pieces.
        let no_newline = "y".repeat(10_000);
        assert_eq!(
            split(&no_newline, 100),
            vec!["<too large: 10000>".to_string()]
        );
    }
}

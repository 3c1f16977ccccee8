//! Which files may be attached to a response, told by their leading bytes (magic numbers), not by
//! their names: a file is what it starts with, and its name must agree.
//!
//! Accepted: PDF, JPEG, PNG and plain text (UTF-8 with no control characters besides tabs, line
//! ends and page breaks, and nothing that reads as a web page). Whatever is accepted is served back
//! only as a download, with its type and `X-Content-Type-Options: nosniff`.

/// The largest attachment accepted: a scanned letter of several pages.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// The largest body a form with a file may send: the file and the form's text around it. A file
/// a little over the limit still arrives whole and is refused with the form shown again; a body
/// past this is cut off where it stands (the text fields, which come first, are kept).
pub const MAX_UPLOAD_BODY_BYTES: usize = MAX_ATTACHMENT_BYTES + 2 * 1024 * 1024;

/// A kind of file heard accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
    Text,
}

impl FileKind {
    /// The media type stored with the file and sent when it is downloaded.
    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Text => "text/plain; charset=utf-8",
        }
    }

    /// As staff call it: "a PDF".
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Pdf => "a PDF",
            FileKind::Jpeg => "a JPEG image",
            FileKind::Png => "a PNG image",
            FileKind::Text => "plain text",
        }
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Pdf => &["pdf"],
            FileKind::Jpeg => &["jpg", "jpeg"],
            FileKind::Png => &["png"],
            FileKind::Text => &["txt", "text"],
        }
    }
}

/// Why a file cannot be attached, in words for the person who chose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRefusal {
    Empty,
    TooLarge,
    /// Its bytes are none of the accepted kinds.
    NotAccepted,
    /// Its bytes are one accepted kind and its name says another (or no kind at all).
    NameDisagrees {
        found: FileKind,
    },
}

impl FileRefusal {
    pub fn message(&self) -> String {
        match self {
            FileRefusal::Empty => {
                "The chosen file is empty. Choose the scanned letter or attachment again.".into()
            }
            FileRefusal::TooLarge => format!(
                "The file must be {} MB or smaller. Scan the letter at a lower resolution, or split it.",
                MAX_ATTACHMENT_BYTES / (1024 * 1024)
            ),
            FileRefusal::NotAccepted => {
                "The file must be a PDF, a JPEG or PNG image, or plain text; this file is none of those."
                    .into()
            }
            FileRefusal::NameDisagrees { found } => format!(
                "The file's name does not match what it contains ({}). Check it is the right file, and give it \
                 a name ending in .{}.",
                found.label(),
                found.extensions()[0]
            ),
        }
    }
}

/// What kind of file `content` is, named `file_name`, if heard accepts it.
pub fn check_attachment(file_name: &str, content: &[u8]) -> Result<FileKind, FileRefusal> {
    if content.is_empty() {
        return Err(FileRefusal::Empty);
    }
    if content.len() > MAX_ATTACHMENT_BYTES {
        return Err(FileRefusal::TooLarge);
    }
    let found = sniff(content).ok_or(FileRefusal::NotAccepted)?;
    let extension = file_name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    if !found.extensions().contains(&extension.as_str()) {
        return Err(FileRefusal::NameDisagrees { found });
    }
    Ok(found)
}

/// The name to keep: the last part of what the browser sent (some send the whole path), trimmed to
/// a length a page can show.
pub fn clean_file_name(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    let base: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if base.is_empty() { "attachment".to_owned() } else { base }
}

/// A `Content-Disposition` value that downloads the file under its name: an ASCII fallback for old
/// browsers and the name itself percent-encoded (RFC 6266), so no name can break the header.
pub fn download_disposition(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') { c } else { '_' })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

fn sniff(content: &[u8]) -> Option<FileKind> {
    if content.starts_with(b"%PDF-") {
        return Some(FileKind::Pdf);
    }
    if content.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(FileKind::Jpeg);
    }
    if content.starts_with(&[0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n']) {
        return Some(FileKind::Png);
    }
    let text = std::str::from_utf8(content).ok()?;
    let plain = !text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'));
    (plain && !reads_as_markup(text)).then_some(FileKind::Text)
}

/// Whether text starts like a web page or other markup a browser would run, which is not a letter.
fn reads_as_markup(text: &str) -> bool {
    let start: String = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    ["<!doctype", "<html", "<head", "<body", "<script", "<svg", "<?xml", "<iframe", "<!--"]
        .iter()
        .any(|tag| start.starts_with(tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n', 0, 0, 0, 13];

    #[test]
    fn files_are_what_their_bytes_say() {
        assert_eq!(check_attachment("letter.pdf", b"%PDF-1.7\n..."), Ok(FileKind::Pdf));
        assert_eq!(check_attachment("Scan.JPG", &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16]), Ok(FileKind::Jpeg));
        assert_eq!(check_attachment("scan.png", PNG), Ok(FileKind::Png));
        assert_eq!(
            check_attachment("email.txt", "Dear Mayor,\r\n\tMore lights please. £5".as_bytes()),
            Ok(FileKind::Text)
        );
    }

    #[test]
    fn a_name_that_disagrees_with_the_bytes_is_refused() {
        assert_eq!(
            check_attachment("letter.pdf", PNG),
            Err(FileRefusal::NameDisagrees { found: FileKind::Png })
        );
        assert_eq!(
            check_attachment("letter.pdf", b"plain words"),
            Err(FileRefusal::NameDisagrees { found: FileKind::Text })
        );
        assert_eq!(
            check_attachment("letter", b"%PDF-1.4"),
            Err(FileRefusal::NameDisagrees { found: FileKind::Pdf })
        );
    }

    #[test]
    fn web_pages_programs_and_archives_are_refused() {
        for (name, bytes) in [
            ("letter.txt", &b"<!DOCTYPE html><script>alert(1)</script>"[..]),
            ("letter.txt", b"  <html><body>hi"),
            ("letter.txt", b"<svg onload=alert(1)>"),
            ("letter.exe", b"MZ\x90\x00\x03"),
            ("letter.zip", b"PK\x03\x04"),
            ("letter.txt", b"binary\x00zero"),
            ("letter.txt", &[0xC3, 0x28]),
        ] {
            assert_eq!(check_attachment(name, bytes), Err(FileRefusal::NotAccepted), "{name} {bytes:?}");
        }
    }

    #[test]
    fn empty_and_oversized_files_are_refused() {
        assert_eq!(check_attachment("a.pdf", b""), Err(FileRefusal::Empty));
        let mut big = b"%PDF-1.7\n".to_vec();
        big.resize(MAX_ATTACHMENT_BYTES + 1, b' ');
        assert_eq!(check_attachment("a.pdf", &big), Err(FileRefusal::TooLarge));
        big.truncate(MAX_ATTACHMENT_BYTES);
        assert_eq!(check_attachment("a.pdf", &big), Ok(FileKind::Pdf));
    }

    #[test]
    fn names_are_kept_without_folders_and_never_break_the_header() {
        assert_eq!(clean_file_name(r"C:\Users\ann\Letter 1.pdf"), "Letter 1.pdf");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name(""), "attachment");
        let header = download_disposition("Zoë's \"letter\"\r\n.pdf");
        assert!(!header.contains('\r') && !header.contains('\n'));
        assert_eq!(header.matches('"').count(), 2, "{header}");
        assert!(header.ends_with("filename*=UTF-8''Zo%C3%AB%27s%20%22letter%22%0D%0A.pdf"), "{header}");
    }
}

//! The header row of `score`'s input: read in one pass, within limits, with the delimiter
//! detected and every way it can be unreadable named.
//!
//! What this guards against (REDTEAM M2, M6, L12): a stray quote that would make the whole
//! file one header name (named with its line and column, found in linear time), a header
//! without a line break or with millions of columns (refused past [`MAX_HEADER_BYTES`] or
//! [`MAX_COLUMNS`]), old-Mac `\r` line endings (the header ends at the first line break of any
//! kind, so the rest streams), and UTF-16 or UTF-32 files (named, with the way to save them
//! as UTF-8). Nothing here reads past the header row and a few bytes more.

use std::io::{self, Read};

use anyhow::Result;

use super::line_index::count_breaks;
use super::records::{Dialect, Fields, Parsed, is_line_break};
use crate::cli::{BadInput, Delimiter};

/// The longest header row read: 16 MiB (a 10 MB column name fits; a file without line
/// breaks is refused after reading this much).
pub const MAX_HEADER_BYTES: usize = 16 << 20;

/// The most columns a header may have: 2^20 = 1,048,576 (each column costs about a hundred
/// bytes of bookkeeping, so the cap also caps that at about 100 MB).
pub const MAX_COLUMNS: usize = 1 << 20;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A header row, read and split.
#[derive(Debug)]
pub struct Header {
    /// The delimiter (given, or detected from the header).
    pub delimiter: u8,
    /// The column names, unquoted, as bytes.
    pub names: Vec<Vec<u8>>,
    /// Bytes read after the header row: the start of the data.
    pub rest: Vec<u8>,
    /// Line breaks in the header row and its ending: the data starts on line `lines + 1`.
    pub lines: u64,
    /// Whether the header ended with `\r` (a `\n` next is the rest of that line break).
    pub after_cr: bool,
    /// A quoted name that spans line breaks, for the message when the header does not map.
    pub long_name: Option<LongName>,
}

/// Where a quoted header name that spans line breaks opens and closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongName {
    /// Line of its opening quote (1-based).
    pub line: u64,
    /// Column of its opening quote (1-based, in characters).
    pub column: usize,
    /// Line of its closing quote.
    pub closed_on: u64,
}

impl LongName {
    /// A note for a header that did not map: the quote may be stray.
    pub fn note(&self) -> String {
        format!(
            "note: the quote at line {}, column {} opens a name that runs on to line {}: is it a stray quote?",
            self.line, self.column, self.closed_on
        )
    }
}

/// Reads the header row of `input` (after up to two UTF-8 byte-order marks, which
/// spreadsheets sometimes double). Errors are [`BadInput`] naming `input_name` and the line,
/// or plain errors for I/O trouble.
pub fn read_header(
    input: &mut impl Read,
    delimiter: Delimiter,
    input_name: &str,
) -> Result<Header> {
    let mut src = Source {
        input,
        buf: Vec::new(),
        piece: vec![0; 1 << 16],
        eof: false,
        input_name,
    };
    while src.buf.len() < 4 && src.more()? {}
    if let Some(encoding) = wide_encoding_by_bom(&src.buf) {
        return Err(wide_encoding_error(input_name, encoding));
    }
    let mut skip = 0;
    for _ in 0..2 {
        while src.buf.len() < skip + BOM.len() && src.more()? {}
        if src.buf[skip..].starts_with(BOM) {
            skip += BOM.len();
        }
    }
    src.buf.drain(..skip);

    check_first_line(&mut src)?;
    let scan = scan_header(&mut src, delimiter)?;
    if let Some(encoding) = wide_encoding_by_nuls(&src.buf[..scan.end]) {
        return Err(wide_encoding_error(input_name, encoding));
    }
    let delimiter = match delimiter {
        Delimiter::Byte(b) => b,
        Delimiter::Auto => pick_delimiter(scan.counts)
            .map_err(|m| BadInput(format!("{input_name}: line 1: {m}")))?,
    };

    // Split the header as the data will be split: with the delimiter now known.
    let dialect = Dialect::new(delimiter);
    let mut fields = Fields::default();
    let end = loop {
        match dialect.parse(&src.buf, 0, src.eof, MAX_COLUMNS + 1, &mut fields) {
            Parsed::Record { end, .. } => break end,
            Parsed::End => return Err(empty_input(input_name)),
            Parsed::Incomplete => {
                if src.buf.len() > MAX_HEADER_BYTES {
                    return Err(too_long(input_name));
                }
                src.more()?;
            }
        }
    };
    if fields.len() > MAX_COLUMNS {
        return Err(BadInput(format!(
            "{input_name}: line 1: the header has more than {MAX_COLUMNS} columns; securebase reads at most {MAX_COLUMNS} (is the delimiter right?)"
        ))
        .into());
    }
    let names = fields.iter(&src.buf).map(<[u8]>::to_vec).collect();
    let header_bytes = &src.buf[..end];
    Ok(Header {
        delimiter,
        names,
        lines: count_breaks(header_bytes, false),
        after_cr: header_bytes.last() == Some(&b'\r'),
        rest: src.buf[end..].to_vec(),
        long_name: scan.long_name,
    })
}

/// The input, read on demand into one growing buffer.
struct Source<'r, R> {
    input: &'r mut R,
    buf: Vec<u8>,
    /// What each read reads into (64 KiB) before it is appended to `buf`.
    piece: Vec<u8>,
    eof: bool,
    input_name: &'r str,
}

impl<R: Read> Source<'_, R> {
    /// Reads more (up to 64 KiB); false at the end of the input. Each byte is copied once
    /// more into the buffer, which grows as a `Vec` grows: reading is linear in the header.
    fn more(&mut self) -> Result<bool> {
        if self.eof {
            return Ok(false);
        }
        let n = loop {
            match self.input.read(&mut self.piece) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(
                        anyhow::Error::new(e).context(format!("cannot read {}", self.input_name))
                    );
                }
            }
        };
        self.buf.extend_from_slice(&self.piece[..n]);
        self.eof = n == 0;
        Ok(n > 0)
    }
}

/// Refuses an input whose first line is blank: an empty input, or a header row that is not
/// on line 1 (every message about the header names line 1).
fn check_first_line<R: Read>(src: &mut Source<'_, R>) -> Result<()> {
    let mut p = 0;
    loop {
        match src.buf.get(p).copied() {
            Some(b' ' | b'\t' | b'\x0C') => p += 1,
            Some(b) if is_line_break(b) => break,
            Some(_) => return Ok(()),
            None if src.buf.len() > MAX_HEADER_BYTES || !src.more()? => break,
            None => {}
        }
    }
    // Line 1 is blank: is there anything at all after it?
    loop {
        if let Some(b) = src.buf.get(p).copied() {
            if !b.is_ascii_whitespace() {
                return Err(BadInput(format!(
                    "{}: line 1 is blank; the header row naming the columns must be the first line",
                    src.input_name
                ))
                .into());
            }
            p += 1;
        } else if src.buf.len() > MAX_HEADER_BYTES || !src.more()? {
            return Err(empty_input(src.input_name));
        }
    }
}

fn empty_input(input_name: &str) -> anyhow::Error {
    BadInput(format!(
        "{input_name}: the input is empty; expected a header row naming the columns"
    ))
    .into()
}

fn too_long(input_name: &str) -> anyhow::Error {
    BadInput(format!(
        "{input_name}: line 1: the header row is longer than 16 MiB (no line break in its first 16 MiB); securebase reads header rows of up to 16 MiB"
    ))
    .into()
}

/// What the first pass over the header found.
struct Scan {
    /// Where the header row's line break is (or the end of the input).
    end: usize,
    /// Commas, semicolons and tabs outside quotes.
    counts: [usize; 3],
    long_name: Option<LongName>,
}

/// The first pass: finds the end of the header row, counts the candidate delimiters outside
/// quotes, and notes quotes, without knowing the delimiter yet. A quote opens a quoted name
/// at the start of a name, that is after a comma, semicolon or tab (only after the delimiter,
/// when one is given). Linear in the header's length, however the quotes fall.
fn scan_header<R: Read>(src: &mut Source<'_, R>, delimiter: Delimiter) -> Result<Scan> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        AfterQuote,
    }
    let is_delimiter = |b: u8| match delimiter {
        Delimiter::Auto => matches!(b, b',' | b';' | b'\t'),
        Delimiter::Byte(d) => b == d,
    };
    let mut state = State::FieldStart;
    let mut counts = [0usize; 3];
    let (mut line, mut line_start) = (1u64, 0usize);
    // The opening quote of the quoted name we are in: (offset, line, start of its line).
    let mut open = (0usize, 1u64, 0usize);
    let mut open_breaks = false;
    let mut long_name = None;
    let mut p = 0;
    loop {
        if p >= src.buf.len() {
            let at_limit = src.buf.len() > MAX_HEADER_BYTES;
            if at_limit || !src.more()? {
                if state == State::Quoted {
                    return Err(stray_quote(src, open, at_limit));
                }
                if at_limit {
                    return Err(too_long(src.input_name));
                }
                return Ok(Scan {
                    end: src.buf.len(),
                    counts,
                    long_name,
                });
            }
            continue;
        }
        if state == State::Quoted {
            let rest = &src.buf[p..];
            let (stretch, closes) = match memchr::memchr(b'"', rest) {
                Some(i) => (&rest[..i], true),
                None => (rest, false),
            };
            let breaks = count_breaks(stretch, p > 0 && src.buf[p - 1] == b'\r');
            if breaks > 0 {
                open_breaks = true;
                line += breaks;
                if let Some(i) = memchr::memrchr2(b'\r', b'\n', stretch) {
                    line_start = p + i + 1;
                }
            }
            p += stretch.len() + usize::from(closes);
            if closes {
                state = State::AfterQuote;
            }
            continue;
        }
        let b = src.buf[p];
        let next = match (state, b) {
            (State::AfterQuote, b'"') => State::Quoted,
            (State::FieldStart, b'"') => {
                open = (p, line, line_start);
                open_breaks = false;
                State::Quoted
            }
            (_, b) if is_line_break(b) => {
                if state == State::AfterQuote {
                    note_long_name(open_breaks, open, line, &src.buf, &mut long_name);
                }
                return Ok(Scan {
                    end: p,
                    counts,
                    long_name,
                });
            }
            (_, b) if is_delimiter(b) => {
                if let Some(i) = [b',', b';', b'\t'].iter().position(|&d| d == b) {
                    counts[i] += 1;
                }
                State::FieldStart
            }
            _ => State::Unquoted,
        };
        if state == State::AfterQuote && next != State::Quoted {
            // The quoted name has closed.
            note_long_name(open_breaks, open, line, &src.buf, &mut long_name);
            open_breaks = false;
        }
        state = next;
        p += 1;
    }
}

/// Keeps the first quoted name that spanned line breaks, when it has just closed.
fn note_long_name(
    open_breaks: bool,
    open: (usize, u64, usize),
    line: u64,
    buf: &[u8],
    long_name: &mut Option<LongName>,
) {
    if open_breaks && long_name.is_none() {
        *long_name = Some(LongName {
            line: open.1,
            column: column_of(buf, open.2, open.0),
            closed_on: line,
        });
    }
}

/// The 1-based column, in characters, of the byte at `at` on the line starting at `start`.
fn column_of(buf: &[u8], start: usize, at: usize) -> usize {
    buf.get(start..at)
        .unwrap_or_default()
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count()
        + 1
}

fn stray_quote<R: Read>(
    src: &Source<'_, R>,
    (at, line, line_start): (usize, u64, usize),
    at_limit: bool,
) -> anyhow::Error {
    let column = column_of(&src.buf, line_start, at);
    let never = if at_limit {
        "is not closed in the first 16 MiB"
    } else {
        "is never closed"
    };
    BadInput(format!(
        "{}: line {line}, column {column}: this quote (\") opens a quoted name that {never}, so the header row does not end; remove the stray quote, or close it",
        src.input_name
    ))
    .into()
}

/// Picks comma, semicolon or tab: whichever occurs most often outside quotes in the header.
/// A tie between two that both occur is ambiguous and an error; none at all means one column,
/// read as comma-separated.
fn pick_delimiter(counts: [usize; 3]) -> Result<u8, String> {
    let mut counts = [(b',', counts[0]), (b';', counts[1]), (b'\t', counts[2])];
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    match counts {
        [(_, 0), ..] => Ok(b','),
        [(a, na), (b, nb), _] if na == nb => Err(format!(
            "cannot tell the delimiter: the header has {na} {} and {nb} {}; pass --delimiter",
            delimiter_name(a),
            delimiter_name(b)
        )),
        [(a, _), ..] => Ok(a),
    }
}

fn delimiter_name(d: u8) -> &'static str {
    match d {
        b',' => "commas",
        b';' => "semicolons",
        _ => "tabs",
    }
}

/// A text encoding that is not UTF-8 and not ASCII-compatible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wide {
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

fn wide_encoding_by_bom(start: &[u8]) -> Option<Wide> {
    if start.starts_with(b"\xFF\xFE\0\0") {
        Some(Wide::Utf32Le)
    } else if start.starts_with(b"\0\0\xFE\xFF") {
        Some(Wide::Utf32Be)
    } else if start.starts_with(b"\xFF\xFE") {
        Some(Wide::Utf16Le)
    } else if start.starts_with(b"\xFE\xFF") {
        Some(Wide::Utf16Be)
    } else {
        None
    }
}

/// UTF-16 without a byte-order mark: text with a NUL in every other byte (the high byte of
/// each ASCII character), at least nine in ten, and almost none in the others.
fn wide_encoding_by_nuls(header: &[u8]) -> Option<Wide> {
    let sample = &header[..header.len().min(512)];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even, mut odd) = (0, 0);
    for pair in sample.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    let most = |n: usize| n * 10 >= pairs * 9;
    let few = |n: usize| n * 10 <= pairs;
    if most(odd) && few(even) {
        Some(Wide::Utf16Le)
    } else if most(even) && few(odd) {
        Some(Wide::Utf16Be)
    } else {
        None
    }
}

fn wide_encoding_error(input_name: &str, encoding: Wide) -> anyhow::Error {
    let what = match encoding {
        Wide::Utf16Le => "UTF-16 (little-endian, as Excel's \"Unicode Text\" saves it)",
        Wide::Utf16Be => "UTF-16 (big-endian)",
        Wide::Utf32Le => "UTF-32 (little-endian)",
        Wide::Utf32Be => "UTF-32 (big-endian)",
    };
    BadInput(format!(
        "{input_name}: the input is {what}; securebase reads UTF-8: save it as UTF-8 (in Excel: \"CSV UTF-8\")"
    ))
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(bytes: &[u8]) -> Result<Header> {
        read_header(&mut &bytes[..], Delimiter::Auto, "in.csv")
    }

    fn message(bytes: &[u8]) -> String {
        format!("{:#}", header(bytes).unwrap_err())
    }

    /// Delivers one byte per read, so that every state is crossed at a buffer boundary.
    struct ByteByByte<'a>(&'a [u8]);

    impl Read for ByteByByte<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((b, rest)), Some(slot)) => {
                    *slot = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn names_delimiter_rest_and_lines() {
        let h = header(b"id;q1;\"a\nb\"\r\n1;2;3\n").unwrap();
        assert_eq!(h.delimiter, b';');
        assert_eq!(h.names, [b"id".to_vec(), b"q1".to_vec(), b"a\nb".to_vec()]);
        assert_eq!(h.rest, b"\n1;2;3\n");
        assert_eq!(h.lines, 2);
        assert!(h.after_cr);
        assert_eq!(
            h.long_name,
            Some(LongName {
                line: 1,
                column: 7,
                closed_on: 2
            })
        );
        let slow = read_header(
            &mut ByteByByte(b"id;q1;\"a\nb\"\r\n1;2;3\n"),
            Delimiter::Auto,
            "in.csv",
        )
        .unwrap();
        assert_eq!(slow.names, h.names);
        assert_eq!(slow.lines, 2);
    }

    #[test]
    fn byte_order_marks_and_cr_only() {
        let h = header(b"\xEF\xBB\xBF\xEF\xBB\xBFid,q1\r1,2\r").unwrap();
        assert_eq!(h.names, [b"id".to_vec(), b"q1".to_vec()]);
        assert_eq!(h.rest, b"1,2\r");
        assert_eq!(h.lines, 1);
    }

    #[test]
    fn empty_and_blank_first_lines() {
        for input in [&b""[..], b"\n", b"\xEF\xBB\xBF", b"\r\n", b"  \n\t\n"] {
            assert!(message(input).contains("the input is empty"), "{input:?}");
        }
        assert!(message(b"\nid,q1\n").contains("line 1 is blank"));
    }

    #[test]
    fn stray_quotes_name_line_and_column() {
        let m = message(b"\"id,q1\n1,2\n3,4\n");
        assert!(m.contains("in.csv: line 1, column 1: this quote"), "{m}");
        assert!(m.contains("never closed"), "{m}");
        // Columns count characters: `é` is one.
        let m = message("né,\"q1\n1,2\n".as_bytes());
        assert!(m.contains("line 1, column 4:"), "{m}");
        // A quote after a closed multi-line name: its own line and column.
        let m = message(b"\"a\nb\",x,\"c\n1,2\n");
        assert!(m.contains("line 2, column 6:"), "{m}");
    }

    /// The quadratic case of REDTEAM M2, read byte by byte: the scan carries its state and
    /// never goes back, so this takes milliseconds even in a debug build.
    #[test]
    fn stray_quote_scan_is_linear() {
        let mut input = b"\"id,q1".to_vec();
        for _ in 0..20_000 {
            input.extend_from_slice(b"\nr,4");
        }
        let started = std::time::Instant::now();
        let err = read_header(&mut ByteByByte(&input), Delimiter::Auto, "x").unwrap_err();
        assert!(format!("{err}").contains("line 1, column 1"));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn limits() {
        let m = message(&b"a,".repeat(MAX_HEADER_BYTES / 2 + 10));
        assert!(
            m.contains("line 1: the header row is longer than 16 MiB"),
            "{m}"
        );
        let mut quoted = b"id,\"".to_vec();
        quoted.resize(MAX_HEADER_BYTES + 10, b'x');
        let m = message(&quoted);
        assert!(
            m.contains("line 1, column 4") && m.contains("16 MiB"),
            "{m}"
        );
        let m = message(&b",".repeat(MAX_COLUMNS));
        assert!(m.contains("more than 1048576 columns"), "{m}");
        let h = header(&b",".repeat(MAX_COLUMNS - 1)).unwrap();
        assert_eq!(h.names.len(), MAX_COLUMNS);
    }

    #[test]
    fn wide_encodings() {
        let text = "id,q1,q2\n1,2,3\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for (input, want) in [
            ([&b"\xFF\xFE"[..], &le].concat(), "UTF-16 (little-endian"),
            ([&b"\xFE\xFF"[..], &be].concat(), "UTF-16 (big-endian"),
            (le.clone(), "UTF-16 (little-endian"),
            (be.clone(), "UTF-16 (big-endian"),
            (b"\xFF\xFE\0\0i\0\0\0".to_vec(), "UTF-32 (little-endian"),
            (b"\0\0\xFE\xFF\0\0\0i".to_vec(), "UTF-32 (big-endian"),
        ] {
            let m = message(&input);
            assert!(m.contains(want) && m.contains("save it as UTF-8"), "{m}");
        }
        // NUL bytes that are not UTF-16 are left to the column checks.
        assert!(header(&[0u8; 64]).is_ok());
    }

    #[test]
    fn delimiter_detection() {
        assert_eq!(header(b"a;b;c,d\n").unwrap().delimiter, b';');
        assert_eq!(header(b"\"a,b,c\";d;e\n").unwrap().delimiter, b';');
        assert_eq!(header(b"single\n").unwrap().delimiter, b',');
        let m = message(b"a,b;c\n");
        assert!(m.contains("cannot tell the delimiter"), "{m}");
        let given = read_header(&mut &b"a,b;c\n"[..], Delimiter::Byte(b';'), "x").unwrap();
        assert_eq!(given.names, [b"a,b".to_vec(), b"c".to_vec()]);
    }
}

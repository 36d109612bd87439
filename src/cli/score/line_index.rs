//! Line numbers of CSV records, counted from the bytes themselves.
//!
//! The `csv` crate's record positions are off by one line after a CRLF line ending or a blank
//! line (its issues #208 and #395), and error messages must name the line a person sees in a
//! text editor. [`LineIndex`] wraps the input, remembers where every line break passes by, and
//! turns a record's reported byte offset into its true line. It forgets breaks once the records
//! before them are done, so its memory is bounded by the reader's buffer, not by the file.

use std::collections::VecDeque;
use std::io::{self, Read};

/// A reader that indexes the line breaks passing through it.
pub struct LineIndex<R> {
    inner: R,
    /// Offset of the next byte read.
    offset: u64,
    /// Whether the last byte read was `\r` (a following `\n` then ends the same line).
    after_cr: bool,
    /// Offsets of `\r` and `\n` bytes not yet passed, with whether each starts a new line.
    breaks: VecDeque<(u64, bool)>,
    /// Line breaks before the first entry of `breaks`.
    lines_before: u64,
}

impl<R: Read> LineIndex<R> {
    /// Wraps `inner`; offsets count from here.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            offset: 0,
            after_cr: false,
            breaks: VecDeque::new(),
            lines_before: 0,
        }
    }

    /// The 1-based line of a record whose position the `csv` crate reports as `byte`. That
    /// position may point into the line-ending run before the record (the bug this works
    /// around): the run is skipped, and the record's line is the one its first byte is on.
    /// Calls must come with non-decreasing `byte`.
    pub fn line_of(&mut self, byte: u64) -> u64 {
        while let Some(&(at, is_break)) = self.breaks.front() {
            if at >= byte {
                break;
            }
            self.lines_before += u64::from(is_break);
            self.breaks.pop_front();
        }
        // Breaks contiguous from `byte` are the terminator run before the record's first byte.
        let run = self
            .breaks
            .iter()
            .zip(byte..)
            .take_while(|((at, _), expected)| at == expected)
            .filter(|((_, is_break), _)| *is_break)
            .count();
        self.lines_before + run as u64 + 1
    }
}

impl<R: Read> Read for LineIndex<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = &buf[..n];
        for i in memchr::memchr2_iter(b'\r', b'\n', chunk) {
            let at = self.offset + i as u64;
            let is_cr = chunk[i] == b'\r';
            let previous_is_cr = if i == 0 {
                self.after_cr
            } else {
                chunk[i - 1] == b'\r'
            };
            // "\r\n" is one line break, counted at the '\r'.
            self.breaks.push_back((at, is_cr || !previous_is_cr));
        }
        if let Some(&last) = chunk.last() {
            self.after_cr = last == b'\r';
        }
        self.offset += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    /// Lines of every record, the way `score` computes them.
    fn lines(input: &[u8]) -> Vec<(String, u64)> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(LineIndex::new(input));
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        while reader.read_byte_record(&mut record).unwrap_or(false) {
            let byte = record.position().map_or(0, csv::Position::byte);
            let line = reader.get_mut().line_of(byte);
            out.push((String::from_utf8_lossy(&record[0]).into_owned(), line));
        }
        out
    }

    fn owned(v: &[(&str, u64)]) -> Vec<(String, u64)> {
        v.iter().map(|(s, l)| ((*s).to_owned(), *l)).collect()
    }

    #[test]
    fn lf() {
        assert_eq!(lines(b"h\na\nb\n"), owned(&[("h", 1), ("a", 2), ("b", 3)]));
    }

    #[test]
    fn crlf() {
        assert_eq!(
            lines(b"h\r\na\r\nb\r\n"),
            owned(&[("h", 1), ("a", 2), ("b", 3)])
        );
    }

    #[test]
    fn blank_lines() {
        assert_eq!(
            lines(b"h\n\na\n\n\nb\n"),
            owned(&[("h", 1), ("a", 3), ("b", 6)])
        );
        assert_eq!(
            lines(b"h\r\n\r\na\r\n\r\nb"),
            owned(&[("h", 1), ("a", 3), ("b", 5)])
        );
    }

    #[test]
    fn quoted_newlines() {
        assert_eq!(
            lines(b"h\n\"x\ny\"\nb\n"),
            owned(&[("h", 1), ("x\ny", 2), ("b", 4)])
        );
    }

    /// Delivers one byte per read, so that every break sits on a chunk boundary.
    struct ByteByByte<'a>(&'a [u8]);

    impl std::io::Read for ByteByByte<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
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
    fn breaks_across_chunk_boundaries() {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(LineIndex::new(ByteByByte(b"h\r\n\r\na\r\nb\r\n")));
        let mut record = csv::ByteRecord::new();
        let mut got = Vec::new();
        while reader.read_byte_record(&mut record).unwrap_or(false) {
            let byte = record.position().map_or(0, csv::Position::byte);
            got.push(reader.get_mut().line_of(byte));
        }
        assert_eq!(got, [1, 3, 4]);
    }

    #[test]
    fn old_mac_cr_only() {
        assert_eq!(lines(b"h\ra\rb\r"), owned(&[("h", 1), ("a", 2), ("b", 3)]));
    }
}

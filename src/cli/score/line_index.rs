//! Line numbers, counted from the bytes themselves.
//!
//! Error messages name the line a person sees in a text editor: a line break is `\n`, `\r\n`
//! or a lone `\r` (old Mac files), and breaks inside quoted cells count too. The reader counts
//! the breaks of every chunk as it cuts it ([`count_breaks`]), which gives each chunk the line
//! it starts on; a record's own line is worked out only when a message needs it ([`line_at`]).

/// The line breaks in `bytes`. `after_cr` says that the byte just before them was `\r`: a `\n`
/// first is then the second half of that `\r\n`, not a break of its own.
pub fn count_breaks(bytes: &[u8], after_cr: bool) -> u64 {
    let lf = count_byte(bytes, b'\n');
    // Most files have no `\r` at all: a quick look first.
    let cr = if memchr::memchr(b'\r', bytes).is_some() {
        count_byte(bytes, b'\r')
    } else {
        0
    };
    if cr == 0 && !after_cr {
        return lf as u64;
    }
    let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count()
        + usize::from(after_cr && bytes.first() == Some(&b'\n'));
    (lf + cr - crlf) as u64
}

/// The line of the byte at `offset` in a chunk that starts on line `start_line`.
pub fn line_at(chunk: &[u8], start_line: u64, after_cr: bool, offset: usize) -> u64 {
    start_line + count_breaks(chunk.get(..offset).unwrap_or(chunk), after_cr)
}

/// How many times `byte` occurs (memchr's vectorised search, one match after the other:
/// line breaks are a few per hundred bytes).
fn count_byte(bytes: &[u8], byte: u8) -> usize {
    memchr::memchr_iter(byte, bytes).count()
}

#[cfg(test)]
mod tests {
    use super::{count_breaks, line_at};

    #[test]
    fn every_kind_of_break() {
        assert_eq!(count_breaks(b"a\nb\n", false), 2);
        assert_eq!(count_breaks(b"a\r\nb\r\n", false), 2);
        assert_eq!(count_breaks(b"a\rb\r", false), 2);
        assert_eq!(count_breaks(b"\n\r", false), 2);
        assert_eq!(count_breaks(b"\r\r\n\n", false), 3);
        assert_eq!(count_breaks(b"", true), 0);
    }

    #[test]
    fn a_crlf_split_between_chunks_counts_once() {
        let whole = b"h\r\na\r\nb";
        for cut in 0..=whole.len() {
            let (first, second) = whole.split_at(cut);
            let after_cr = first.last() == Some(&b'\r');
            assert_eq!(
                count_breaks(first, false) + count_breaks(second, after_cr),
                2,
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn counts_long_runs() {
        let mut bytes = vec![b'\n'; 20_000];
        bytes.extend(std::iter::repeat_n(b'x', 10_001));
        bytes.push(b'\n');
        assert_eq!(count_breaks(&bytes, false), 20_001);
    }

    #[test]
    fn lines_of_offsets() {
        let chunk = b"a\n\nb\r\nc";
        assert_eq!(line_at(chunk, 5, false, 0), 5);
        assert_eq!(line_at(chunk, 5, false, 3), 7);
        assert_eq!(line_at(chunk, 5, false, 6), 8);
        assert_eq!(line_at(b"\nx", 5, true, 1), 5);
    }
}

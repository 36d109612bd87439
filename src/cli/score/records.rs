//! CSV records out of bytes, read the way the `csv` crate reads them (`csv-core` with its
//! defaults), but here, so that the reader can cut the input into chunks at record boundaries
//! and the chunks can be parsed on several threads.
//!
//! The rules:
//! - a record ends at `\n`, `\r\n` or a lone `\r`; empty lines are skipped;
//! - a field that starts with `"` is quoted: delimiters and line breaks in it are data and `""`
//!   is one `"`; after the closing quote, anything up to the next delimiter or line break is
//!   appended as it is (`"ab"c` is `abc`); a quote that never closes runs to the end of the
//!   input;
//! - a `"` anywhere else is an ordinary character (`ab"c` is `ab"c`).
//!
//! [`Dialect::parse`] reads one record; [`Boundary`] finds where records end in a stream of
//! blocks without parsing them, so that a chunk always holds whole records. Both follow the
//! rules above; the tests check them against the `csv` crate on random input.

use memchr::{memchr, memrchr2};

/// Whether `b` ends a record (outside quotes).
#[inline]
pub fn is_line_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// How fields are separated.
#[derive(Clone)]
pub struct Dialect {
    delimiter: u8,
    /// The bytes that end an unquoted field: the delimiter and the two line-break bytes.
    special: [bool; 256],
}

/// What [`Dialect::parse`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsed {
    /// A record from byte `start` (its first byte, after any blank lines) to `end` (just past
    /// its line break, or the end of the input).
    Record {
        /// First byte of the record.
        start: usize,
        /// Where the next record may start.
        end: usize,
    },
    /// Nothing but blank lines before the end of the input.
    End,
    /// The bytes end inside a record, and more may come.
    Incomplete,
}

impl Dialect {
    /// Fields separated by `delimiter`: a comma, semicolon or tab (never a quote or a line
    /// break; the command line offers only those three).
    pub fn new(delimiter: u8) -> Self {
        let mut special = [false; 256];
        special[usize::from(delimiter)] = true;
        special[usize::from(b'\r')] = true;
        special[usize::from(b'\n')] = true;
        Self { delimiter, special }
    }

    /// The delimiter.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// The end of the unquoted run of bytes from `p`.
    #[inline]
    fn scan_unquoted(&self, data: &[u8], p: usize) -> usize {
        let rest = data.get(p..).unwrap_or_default();
        rest.iter()
            .position(|&b| self.special[usize::from(b)])
            .map_or(data.len(), |i| p + i)
    }

    /// Reads the record that starts at `pos` (after any blank lines) into `fields`, keeping at
    /// most `limit` fields (the rest are only counted). `at_eof` says that `data` is all there
    /// is: a record without a line break then ends with the data; otherwise such a record is
    /// [`Parsed::Incomplete`].
    pub fn parse(
        &self,
        data: &[u8],
        pos: usize,
        at_eof: bool,
        limit: usize,
        fields: &mut Fields,
    ) -> Parsed {
        let mut p = pos;
        while data.get(p).copied().is_some_and(is_line_break) {
            p += 1;
        }
        if p >= data.len() {
            return if at_eof {
                Parsed::End
            } else {
                Parsed::Incomplete
            };
        }
        let start = p;
        fields.reset(false);
        // Eight bytes at a time (SWAR: masks of the bytes equal to the delimiter, a line
        // break or a quote, with plain integer arithmetic). Fields without quotes are slices
        // of `data`; a quote anywhere near sends the record down the byte-by-byte path.
        let (splat_delimiter, splat_lf, splat_cr, splat_quote) = (
            ONES * u64::from(self.delimiter),
            ONES * u64::from(b'\n'),
            ONES * u64::from(b'\r'),
            ONES * u64::from(b'"'),
        );
        let mut field_start = start;
        let mut at = start;
        loop {
            if at >= data.len() {
                if !at_eof {
                    return Parsed::Incomplete;
                }
                fields.push(field_start, data.len(), limit);
                return Parsed::Record {
                    start,
                    end: data.len(),
                };
            }
            let word = word_at(data, at);
            if zero_bytes(word ^ splat_quote) != 0 {
                return self.parse_bytewise(data, start, at_eof, limit, fields);
            }
            let breaks = zero_bytes(word ^ splat_lf) | zero_bytes(word ^ splat_cr);
            let mut special = zero_bytes(word ^ splat_delimiter) | breaks;
            while special != 0 {
                let bit = special.trailing_zeros();
                let i = at + (bit / 8) as usize;
                fields.push(field_start, i, limit);
                if breaks >> bit & 1 != 0 {
                    return Parsed::Record { start, end: i + 1 };
                }
                field_start = i + 1;
                special &= special - 1;
            }
            at += 8;
        }
    }

    /// [`Dialect::parse`] byte by byte, for a record with a quote in or near it.
    fn parse_bytewise(
        &self,
        data: &[u8],
        start: usize,
        at_eof: bool,
        limit: usize,
        fields: &mut Fields,
    ) -> Parsed {
        fields.reset(false);
        let mut p = start;
        loop {
            if data.get(p) == Some(&b'"') {
                return self.parse_quoted(data, start, at_eof, limit, fields);
            }
            let end = self.scan_unquoted(data, p);
            fields.push(p, end, limit);
            match data.get(end) {
                None if at_eof => return Parsed::Record { start, end },
                None => return Parsed::Incomplete,
                Some(&b) if b == self.delimiter => p = end + 1,
                Some(_) => {
                    return Parsed::Record {
                        start,
                        end: end + 1,
                    };
                }
            }
        }
    }

    /// [`Dialect::parse`] for a record with a quoted field: every field is copied into the
    /// scratch buffer, unquoted.
    fn parse_quoted(
        &self,
        data: &[u8],
        start: usize,
        at_eof: bool,
        limit: usize,
        fields: &mut Fields,
    ) -> Parsed {
        fields.reset(true);
        let mut p = start;
        loop {
            let field_start = fields.scratch.len();
            let keep = fields.count < limit;
            if data.get(p) == Some(&b'"') {
                p += 1;
                loop {
                    let rest = data.get(p..).unwrap_or_default();
                    let Some(i) = memchr(b'"', rest) else {
                        if keep {
                            fields.scratch.extend_from_slice(rest);
                        }
                        p = data.len();
                        break;
                    };
                    if keep {
                        fields.scratch.extend_from_slice(&rest[..i]);
                    }
                    p += i + 1;
                    if data.get(p) == Some(&b'"') {
                        // `""` inside quotes: one quote.
                        if keep {
                            fields.scratch.push(b'"');
                        }
                        p += 1;
                    } else {
                        break;
                    }
                }
            }
            // Unquoted bytes, or what follows a closing quote: taken as they are.
            let end = self.scan_unquoted(data, p);
            if keep {
                fields.scratch.extend_from_slice(&data[p..end]);
            }
            fields.push(field_start, fields.scratch.len(), limit);
            p = end;
            match data.get(p) {
                None if at_eof => return Parsed::Record { start, end: p },
                None => return Parsed::Incomplete,
                Some(&b) if b == self.delimiter => p += 1,
                Some(_) => return Parsed::Record { start, end: p + 1 },
            }
        }
    }
}

const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
const HIGH: u64 = 0x8080_8080_8080_8080;
/// Each byte 1: times a byte, that byte in every place.
pub(super) const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of `word` that is zero, exactly (no carries between bytes).
#[inline]
pub(super) fn zero_bytes(word: u64) -> u64 {
    !(((word & LOW7) + LOW7) | word) & HIGH
}

/// The eight bytes at `at` as a little-endian word (byte `k` in bits `8k..8k+8`), padded
/// with zeros past the end of `data` (a zero byte is never special).
#[inline]
pub(super) fn word_at(data: &[u8], at: usize) -> u64 {
    if let Some(bytes) = data.get(at..at + 8) {
        bytes.try_into().map_or(0, u64::from_le_bytes)
    } else {
        let mut bytes = [0u8; 8];
        let rest = data.get(at..).unwrap_or_default();
        bytes[..rest.len()].copy_from_slice(rest);
        u64::from_le_bytes(bytes)
    }
}

/// The fields of one record, as byte ranges of the data or, for a record with a quoted field,
/// of a scratch buffer holding the unquoted fields. Reused from record to record.
#[derive(Debug, Default)]
pub struct Fields {
    bounds: Vec<(usize, usize)>,
    scratch: Vec<u8>,
    in_scratch: bool,
    count: usize,
}

impl Fields {
    /// Empties the fields, for a record to be read from `data` or (`in_scratch`) into the
    /// scratch buffer.
    pub(super) fn reset(&mut self, in_scratch: bool) {
        self.bounds.clear();
        self.scratch.clear();
        self.in_scratch = in_scratch;
        self.count = 0;
    }

    #[inline]
    /// Room for exactly `n` fields of `data`, to be filled in place; the record then has them
    /// all (a reader that fails to fill them resets the fields before reading again).
    pub(super) fn slots(&mut self, n: usize) -> &mut [(usize, usize)] {
        self.scratch.clear();
        self.in_scratch = false;
        self.count = n;
        self.bounds.resize(n, (0, 0));
        &mut self.bounds
    }

    /// Adds the field `start..end`, kept when fewer than `limit` are.
    pub(super) fn push(&mut self, start: usize, end: usize, limit: usize) {
        if self.count < limit {
            self.bounds.push((start, end));
        }
        self.count += 1;
    }

    /// The bytes the kept fields' ranges ([`Fields::ranges`]) are of: `data`, or the
    /// scratch buffer for a record with a quoted field.
    #[inline]
    pub fn source<'a>(&'a self, data: &'a [u8]) -> &'a [u8] {
        if self.in_scratch { &self.scratch } else { data }
    }

    /// The kept fields as ranges of [`Fields::source`].
    #[inline]
    pub fn ranges(&self) -> &[(usize, usize)] {
        &self.bounds
    }

    /// How many fields the record has (kept or not).
    pub fn len(&self) -> usize {
        self.count
    }

    /// Field `i` of the record parsed from `data` (kept fields only).
    #[inline]
    pub fn get<'a>(&'a self, data: &'a [u8], i: usize) -> Option<&'a [u8]> {
        let &(start, end) = self.bounds.get(i)?;
        let source = if self.in_scratch { &self.scratch } else { data };
        source.get(start..end)
    }

    /// The kept fields of the record parsed from `data`, in order.
    pub fn iter<'a>(&'a self, data: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
        let source: &'a [u8] = if self.in_scratch { &self.scratch } else { data };
        self.bounds
            .iter()
            .map(move |&(start, end)| source.get(start..end).unwrap_or_default())
    }

    /// Bytes held for fields of the last record (bounds and scratch), for memory checks.
    #[cfg(test)]
    pub fn held_bytes(&self) -> usize {
        self.bounds.capacity() * std::mem::size_of::<(usize, usize)>() + self.scratch.capacity()
    }
}

/// Where a record may be in the middle of, for [`Boundary`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field (or of a record).
    FieldStart,
    /// Inside an unquoted field (a quote here is an ordinary byte).
    Unquoted,
    /// Inside quotes.
    Quoted,
    /// Just after a quote inside quotes: a closing quote, or the first half of `""`.
    AfterQuote,
}

/// Finds record ends in a stream of bytes given block by block, carrying its state across
/// blocks, without parsing fields. Starts at the start of a record.
#[derive(Debug, Clone)]
pub struct Boundary {
    delimiter: u8,
    state: State,
}

impl Boundary {
    /// A scanner at the start of a record.
    pub fn new(delimiter: u8) -> Self {
        Self {
            delimiter,
            state: State::FieldStart,
        }
    }

    /// Scans `bytes`, the continuation of what was scanned before; returns the offset in
    /// `bytes` just past the last record end (a line break outside quotes) in them.
    pub fn scan(&mut self, bytes: &[u8]) -> Option<usize> {
        let mut last = None;
        let mut p = 0;
        while p < bytes.len() {
            match self.state {
                State::FieldStart | State::Unquoted => {
                    // Up to the next quote nothing is quoted: the last line break in that stretch
                    // ends a record, and its last byte says where the quote stands.
                    let rest = &bytes[p..];
                    let q = memchr(b'"', rest).unwrap_or(rest.len());
                    let stretch = &rest[..q];
                    if let Some(i) = memrchr2(b'\r', b'\n', stretch) {
                        last = Some(p + i + 1);
                    }
                    if let Some(&b) = stretch.last() {
                        self.state = if b == self.delimiter || is_line_break(b) {
                            State::FieldStart
                        } else {
                            State::Unquoted
                        };
                    }
                    p += q;
                    if p < bytes.len() {
                        // The quote: opens a quoted field only at the start of a field.
                        if self.state == State::FieldStart {
                            self.state = State::Quoted;
                        }
                        p += 1;
                    }
                }
                State::Quoted => match memchr(b'"', &bytes[p..]) {
                    Some(i) => {
                        p += i + 1;
                        self.state = State::AfterQuote;
                    }
                    None => p = bytes.len(),
                },
                State::AfterQuote => {
                    let b = bytes[p];
                    p += 1;
                    self.state = if b == b'"' {
                        State::Quoted
                    } else if b == self.delimiter {
                        State::FieldStart
                    } else if is_line_break(b) {
                        last = Some(p);
                        State::FieldStart
                    } else {
                        State::Unquoted
                    };
                }
            }
        }
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every record of `data` as the `csv` crate reads it (no headers, any field count).
    fn by_csv_crate(data: &[u8], delimiter: u8) -> Vec<Vec<Vec<u8>>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(data);
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            out.push(record.iter().map(<[u8]>::to_vec).collect());
        }
        out
    }

    /// Every record of `data` as [`Dialect::parse`] reads it, with their start offsets.
    fn by_dialect(data: &[u8], delimiter: u8) -> (Vec<Vec<Vec<u8>>>, Vec<usize>) {
        let dialect = Dialect::new(delimiter);
        let mut fields = Fields::default();
        let (mut out, mut starts) = (Vec::new(), Vec::new());
        let mut pos = 0;
        while let Parsed::Record { start, end } =
            dialect.parse(data, pos, true, usize::MAX, &mut fields)
        {
            out.push(fields.iter(data).map(<[u8]>::to_vec).collect());
            starts.push(start);
            assert!(end > pos, "no progress at {pos}");
            pos = end;
        }
        (out, starts)
    }

    /// Record ends found by [`Boundary`], the bytes given in blocks of `block` bytes.
    fn boundaries(data: &[u8], delimiter: u8, block: usize) -> Vec<usize> {
        let mut scanner = Boundary::new(delimiter);
        let mut ends = Vec::new();
        for (k, piece) in data.chunks(block.max(1)).enumerate() {
            let offset = k * block.max(1);
            let mut copy = scanner.clone();
            let last = copy.scan(piece);
            // Byte by byte, every end: the last one must be what the block scan said.
            let mut every = Vec::new();
            for (i, b) in piece.iter().enumerate() {
                if scanner.scan(std::slice::from_ref(b)).is_some() {
                    every.push(offset + i + 1);
                }
            }
            assert_eq!(last.map(|l| offset + l), every.last().copied());
            assert_eq!(copy.state, scanner.state);
            ends.extend(every);
        }
        ends
    }

    #[test]
    fn plain_quoted_and_odd_fields() {
        let data = b"a,b\n\"x,y\",\"say \"\"hi\"\"\"\r\n\r\nab\"c,\"ab\"c,\"open";
        let (records, starts) = by_dialect(data, b',');
        assert_eq!(records, by_csv_crate(data, b','));
        assert_eq!(
            records[1],
            [b"x,y".to_vec(), b"say \"hi\"".to_vec()],
            "quoted fields"
        );
        assert_eq!(
            records[2],
            [b"ab\"c".to_vec(), b"abc".to_vec(), b"open".to_vec()]
        );
        assert_eq!(starts, [0, 4, 26]);
    }

    #[test]
    fn limit_keeps_the_count() {
        let dialect = Dialect::new(b',');
        let mut fields = Fields::default();
        for data in [&b"a,b,c,d\n"[..], b"\"a\",b,c,d\n"] {
            let parsed = dialect.parse(data, 0, true, 2, &mut fields);
            assert_eq!(
                parsed,
                Parsed::Record {
                    start: 0,
                    end: data.len()
                }
            );
            assert_eq!(fields.len(), 4);
            assert_eq!(fields.iter(data).count(), 2);
            assert_eq!(fields.get(data, 1), Some(&b"b"[..]));
            assert_eq!(fields.get(data, 2), None);
        }
    }

    /// A row far wider than the header holds only the header's width of fields (REDTEAM M6:
    /// memory follows the header, not the widest row).
    #[test]
    fn rows_wider_than_the_limit_hold_only_the_limit() {
        let dialect = Dialect::new(b',');
        let wide = format!("{}\n", ",".repeat(1_000_000));
        let quoted = format!("\"q\"{}\n", ",\"\"".repeat(300_000));
        let mut fields = Fields::default();
        let parsed = dialect.parse(wide.as_bytes(), 0, true, 40, &mut fields);
        assert!(matches!(parsed, Parsed::Record { .. }));
        assert_eq!(fields.len(), 1_000_001);
        assert!(fields.held_bytes() < 4096, "{}", fields.held_bytes());
        let mut fields = Fields::default();
        dialect.parse(quoted.as_bytes(), 0, true, 40, &mut fields);
        assert_eq!(fields.len(), 300_001);
        assert!(fields.held_bytes() < 4096, "{}", fields.held_bytes());
    }

    #[test]
    fn incomplete_unless_at_the_end() {
        let dialect = Dialect::new(b',');
        let mut fields = Fields::default();
        for data in [&b"a,b"[..], b"a,\"b\nc", b"a,\"b\"", b"\n\n"] {
            assert_eq!(
                dialect.parse(data, 0, false, 10, &mut fields),
                Parsed::Incomplete,
                "{}",
                data.escape_ascii()
            );
        }
        assert_eq!(
            dialect.parse(b"a,\"b\"\n", 0, false, 10, &mut fields),
            Parsed::Record { start: 0, end: 6 }
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Random bytes from the characters that matter: the same records as the `csv`
        /// crate, and record ends where the parser ends its records, whatever the blocks.
        #[test]
        fn agrees_with_the_csv_crate(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b'a'), Just(b','), Just(b';'), Just(b'"'), Just(b'\r'),
                            Just(b'\n'), Just(b' ')],
                0..60,
            ),
            semicolon in any::<bool>(),
            block in 1usize..9,
        ) {
            let delimiter = if semicolon { b';' } else { b',' };
            let (records, starts) = by_dialect(&bytes, delimiter);
            prop_assert_eq!(&records, &by_csv_crate(&bytes, delimiter));
            // Without quotes (every record on the eight-bytes-at-a-time path), the same.
            let unquoted: Vec<u8> = bytes.iter().map(|&b| if b == b'"' { b'a' } else { b }).collect();
            prop_assert_eq!(&by_dialect(&unquoted, delimiter).0, &by_csv_crate(&unquoted, delimiter));
            // Cutting at every boundary and parsing the pieces alone gives the same records.
            let ends = boundaries(&bytes, delimiter, block);
            let mut from = 0;
            let mut pieces = Vec::new();
            for &end in ends.iter().chain(std::iter::once(&bytes.len())) {
                pieces.extend(by_dialect(&bytes[from..end], delimiter).0);
                from = end;
            }
            prop_assert_eq!(&pieces, &records);
            // Every record starts right after a boundary (or at 0 after blank lines).
            for start in starts {
                let before = &bytes[..start];
                prop_assert!(
                    before.iter().all(|&b| is_line_break(b))
                        || ends.contains(&start)
                        || before.last().copied().is_some_and(is_line_break),
                );
            }
        }
    }
}

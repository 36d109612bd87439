//! The input cut into chunks of whole records, processed on several threads, and the results
//! put back in input order.
//!
//! One thread reads: it fills a buffer to about [`CHUNK_BYTES`], cuts it after the last record
//! that ends in it ([`Boundary`], which knows quotes, so a quoted line break never splits a
//! record), counts the chunk's line breaks (so that each chunk knows the line it starts on)
//! and hands it on. Worker threads turn chunks into output bytes; the caller's thread writes
//! them in order. A record longer than a chunk makes its chunk longer: chunks are bounded by
//! bytes, however many rows or columns they hold.
//!
//! Memory is bounded by a [`Budget`] of input bytes in flight (read and not yet written):
//! the reader waits when it is spent, except that a chunk may always be read when nothing
//! else is in flight, so one huge row still gets through, alone.

use std::io::{self, Read};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex, PoisonError};

use anyhow::Result;

use super::header::Header;
use super::line_index::count_breaks;
use super::records::Boundary;

/// The size a chunk is filled to (and then cut at its last record end).
pub const CHUNK_BYTES: usize = 256 << 10;

/// Input bytes in flight before the reader waits.
pub const IN_FLIGHT_BYTES: usize = 8 * CHUNK_BYTES;

/// Buffers larger than this are freed after use rather than kept for the next chunk, so that
/// one huge row does not keep its memory for the rest of the run.
const KEEP_BYTES: usize = 4 * CHUNK_BYTES;

/// Whole records of the input, with where they are.
#[derive(Debug, Default)]
pub struct Chunk {
    /// Position in the input: 0, 1, 2, …
    pub index: u64,
    /// The records' bytes.
    pub data: Vec<u8>,
    /// The line the first byte is on.
    pub start_line: u64,
    /// Whether the byte before the chunk was `\r`.
    pub after_cr: bool,
    /// Where the worker puts its output (a recycled buffer).
    pub out: Vec<u8>,
    /// Input bytes this chunk holds of the [`Budget`].
    weight: usize,
}

/// Cuts an input into [`Chunk`]s.
pub struct ChunkReader<R> {
    input: R,
    delimiter: u8,
    chunk_bytes: usize,
    /// Bytes read past the last cut: the start of the next chunk.
    leftover: Vec<u8>,
    eof: bool,
    next_index: u64,
    next_line: u64,
    after_cr: bool,
}

impl<R: Read> ChunkReader<R> {
    /// The data after `header`, read from `input`.
    pub fn new(input: R, header: &Header) -> Self {
        Self::with_chunk_bytes(input, header, CHUNK_BYTES)
    }

    /// [`ChunkReader::new`] with another chunk size (tests cut small chunks).
    pub fn with_chunk_bytes(input: R, header: &Header, chunk_bytes: usize) -> Self {
        Self {
            input,
            delimiter: header.delimiter,
            chunk_bytes: chunk_bytes.max(1),
            leftover: header.rest.clone(),
            eof: false,
            next_index: 0,
            next_line: header.lines + 1,
            after_cr: header.after_cr,
        }
    }

    /// The delimiter the records are cut with.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// The next chunk, read into `data` (a recycled buffer, cleared first); `None` at the end,
    /// or when `budget` was cancelled. Errors are I/O errors.
    pub fn next_chunk(
        &mut self,
        mut data: Vec<u8>,
        budget: &Budget,
        input_name: &str,
    ) -> Result<Option<Chunk>> {
        data.clear();
        data.append(&mut self.leftover);
        let mut boundary = Boundary::new(self.delimiter);
        let mut cut = boundary.scan(&data);
        // `data[..filled]` is input; the rest is room already zeroed, so that every byte of
        // room is zeroed once however the reads fall (a pipe gives 64 KiB at a time).
        let mut filled = data.len();
        let mut reserved = 0;
        while !self.eof && (filled < self.chunk_bytes || cut.is_none()) {
            if filled == data.len() {
                // Room for a chunk, or a quarter more for a record longer than that (the room
                // is zeroed, so resident: a huge row costs 1.25 times its size here, not twice).
                let room = if filled < self.chunk_bytes {
                    self.chunk_bytes - filled
                } else {
                    (filled / 4).max(self.chunk_bytes)
                };
                if filled + room > reserved {
                    if !budget.reserve(filled + room - reserved) {
                        budget.unreserve(reserved);
                        return Ok(None);
                    }
                    reserved = filled + room;
                }
                data.resize(filled + room, 0);
            }
            let n = loop {
                match self.input.read(&mut data[filled..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        budget.unreserve(reserved);
                        return Err(
                            anyhow::Error::new(e).context(format!("cannot read {input_name}"))
                        );
                    }
                }
            };
            if n == 0 {
                self.eof = true;
            } else if let Some(c) = boundary.scan(&data[filled..filled + n]) {
                cut = Some(filled + c);
            }
            filled += n;
        }
        data.truncate(filled);
        let cut = if self.eof {
            data.len()
        } else {
            cut.unwrap_or(data.len())
        };
        self.leftover.extend_from_slice(&data[cut..]);
        data.truncate(cut);
        if data.is_empty() {
            budget.unreserve(reserved);
            return Ok(None);
        }
        let chunk = Chunk {
            index: self.next_index,
            start_line: self.next_line,
            after_cr: self.after_cr,
            weight: reserved,
            data,
            out: Vec::new(),
        };
        self.next_index += 1;
        self.next_line += count_breaks(&chunk.data, chunk.after_cr);
        self.after_cr = chunk.data.last() == Some(&b'\r');
        budget.sent();
        Ok(Some(chunk))
    }
}

/// Input bytes in flight, shared by the reader (which reserves) and the writer (which
/// releases once a chunk is written).
#[derive(Debug)]
pub struct Budget {
    limit: usize,
    state: Mutex<BudgetState>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct BudgetState {
    /// Held by chunks handed on and not yet written.
    sent: usize,
    /// Held by the chunk being read.
    reading: usize,
    cancelled: bool,
    /// The most ever held, for tests.
    peak: usize,
}

impl Budget {
    /// A budget of `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            state: Mutex::new(BudgetState::default()),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BudgetState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes `bytes` for the chunk being read, waiting while the budget is spent and other
    /// chunks are in flight. False when cancelled.
    fn reserve(&self, bytes: usize) -> bool {
        let mut s = self.lock();
        while !s.cancelled
            && s.sent > 0
            && s.sent.saturating_add(s.reading).saturating_add(bytes) > self.limit
        {
            s = self.changed.wait(s).unwrap_or_else(PoisonError::into_inner);
        }
        s.reading = s.reading.saturating_add(bytes);
        s.peak = s.peak.max(s.sent + s.reading);
        !s.cancelled
    }

    /// Gives back what the chunk being read held (it was not sent).
    fn unreserve(&self, bytes: usize) {
        let mut s = self.lock();
        s.reading = s.reading.saturating_sub(bytes);
    }

    /// The chunk being read was handed on.
    fn sent(&self) {
        let mut s = self.lock();
        s.sent += s.reading;
        s.reading = 0;
    }

    /// A chunk was written: its bytes are free.
    pub fn release(&self, chunk: &Chunk) {
        let mut s = self.lock();
        s.sent = s.sent.saturating_sub(chunk.weight);
        drop(s);
        self.changed.notify_all();
    }

    /// Stops the reader at its next reservation.
    pub fn cancel(&self) {
        self.lock().cancelled = true;
        self.changed.notify_all();
    }

    /// Whether [`Budget::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.lock().cancelled
    }

    /// The most bytes ever held at once.
    #[cfg(test)]
    pub fn peak(&self) -> usize {
        self.lock().peak
    }
}

/// A chunk processed by a worker: its output, or the first error in it (its output then
/// holds the rows before the error).
pub struct Done {
    chunk: Chunk,
    error: Option<anyhow::Error>,
}

enum Message {
    Done(Done),
    /// The reader is finished: no chunk from this index on.
    End(u64),
    /// The reader failed before the chunk of this index.
    Failed(u64, anyhow::Error),
}

/// Reads every chunk of `reader` on its own thread, runs `process` on `workers` threads (each
/// with its own state from `make_state`), and calls `write` with each chunk's output in
/// input order. Stops at the first error, in input order: a reader error, an error from
/// `process` (after writing the output it made before the error), or an error from `write`.
pub fn run<R, S, M, P, W>(
    reader: ChunkReader<R>,
    input_name: &str,
    workers: usize,
    make_state: M,
    process: P,
    write: W,
) -> Result<()>
where
    R: Read + Send,
    M: Fn() -> S + Sync,
    P: Fn(&mut S, &Chunk, &mut Vec<u8>) -> Result<()> + Sync,
    W: FnMut(&[u8]) -> Result<()>,
{
    let budget = Budget::new(IN_FLIGHT_BYTES);
    run_with(
        &budget, reader, input_name, workers, make_state, process, write,
    )
}

/// [`run`] within `budget` (tests look at its peak).
fn run_with<R, S, M, P, W>(
    budget: &Budget,
    mut reader: ChunkReader<R>,
    input_name: &str,
    workers: usize,
    make_state: M,
    process: P,
    mut write: W,
) -> Result<()>
where
    R: Read + Send,
    M: Fn() -> S + Sync,
    P: Fn(&mut S, &Chunk, &mut Vec<u8>) -> Result<()> + Sync,
    W: FnMut(&[u8]) -> Result<()>,
{
    let (work_tx, work_rx) = mpsc::channel::<Chunk>();
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::channel::<Message>();
    let (recycle_tx, recycle_rx) = mpsc::channel::<(Vec<u8>, Vec<u8>)>();
    std::thread::scope(|scope| {
        let reader_done = done_tx.clone();
        let budget_ref = budget;
        scope.spawn(move || {
            loop {
                let (data, out) = recycle_rx.try_recv().unwrap_or_default();
                let index = reader.next_index;
                match reader.next_chunk(data, budget_ref, input_name) {
                    Ok(Some(mut chunk)) => {
                        chunk.out = out;
                        if work_tx.send(chunk).is_err() {
                            return;
                        }
                    }
                    Ok(None) => {
                        let _ = reader_done.send(Message::End(index));
                        return;
                    }
                    Err(e) => {
                        let _ = reader_done.send(Message::Failed(index, e));
                        return;
                    }
                }
            }
        });
        for _ in 0..workers.max(1) {
            let done_tx = done_tx.clone();
            let (work_rx, make_state, process) = (&work_rx, &make_state, &process);
            scope.spawn(move || {
                let mut state = make_state();
                loop {
                    let next = work_rx
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .recv();
                    let Ok(mut chunk) = next else {
                        return;
                    };
                    let mut out = std::mem::take(&mut chunk.out);
                    out.clear();
                    let error = if budget.is_cancelled() {
                        None
                    } else {
                        process(&mut state, &chunk, &mut out).err()
                    };
                    chunk.out = out;
                    if done_tx.send(Message::Done(Done { chunk, error })).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        let result = write_in_order(&done_rx, budget, &recycle_tx, &mut write);
        drop(done_rx);
        // Whatever happened, the reader stops at its next read and the workers with it.
        budget.cancel();
        result
    })
}

/// The writing half of [`run`]: results in input order.
fn write_in_order(
    done_rx: &mpsc::Receiver<Message>,
    budget: &Budget,
    recycle: &mpsc::Sender<(Vec<u8>, Vec<u8>)>,
    write: &mut impl FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    let mut pending = std::collections::BTreeMap::new();
    let mut next = 0u64;
    // Where the reader stopped, and its error if it failed: reported once every chunk before
    // it is written.
    let mut stop: Option<(u64, Option<anyhow::Error>)> = None;
    loop {
        while let Some(done) = pending.remove(&next) {
            let Done { chunk, error } = done;
            write(&chunk.out)?;
            if let Some(e) = error {
                return Err(e);
            }
            budget.release(&chunk);
            let Chunk { data, out, .. } = chunk;
            if data.capacity() <= KEEP_BYTES && out.capacity() <= KEEP_BYTES {
                // The reader may have finished; then the buffers are simply dropped.
                let _ = recycle.send((data, out));
            }
            next += 1;
        }
        if stop.as_ref().is_some_and(|(index, _)| *index == next) {
            return match stop.and_then(|(_, error)| error) {
                Some(e) => Err(e),
                None => Ok(()),
            };
        }
        match done_rx.recv() {
            Ok(Message::Done(done)) => {
                pending.insert(done.chunk.index, done);
            }
            Ok(Message::End(index)) => stop = Some((index, None)),
            Ok(Message::Failed(index, e)) => stop = Some((index, Some(e))),
            Err(_) => anyhow::bail!("the input reader stopped unexpectedly"),
        }
    }
}

/// Runs `process` on every chunk of `reader` on this thread, in order: [`run`] without
/// threads, for callers that keep what they read.
pub fn run_here<R: Read>(
    mut reader: ChunkReader<R>,
    input_name: &str,
    mut process: impl FnMut(&Chunk) -> Result<()>,
) -> Result<()> {
    let budget = Budget::new(usize::MAX);
    let mut data = Vec::new();
    while let Some(chunk) = reader.next_chunk(data, &budget, input_name)? {
        process(&chunk)?;
        budget.release(&chunk);
        data = chunk.data;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Delimiter;
    use crate::cli::score::header::read_header;
    use crate::cli::score::line_index::line_at;
    use crate::cli::score::records::{Dialect, Fields, Parsed};
    use proptest::prelude::*;

    /// Gives at most `step` bytes per read, like a pipe.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    /// Every record (its first field) and its line, reading `input` in chunks of
    /// `chunk_bytes` given `step` bytes per read.
    fn records(input: &[u8], chunk_bytes: usize, step: usize) -> Vec<(Vec<u8>, u64)> {
        let mut source = Trickle { bytes: input, step };
        let header = read_header(&mut source, Delimiter::Byte(b','), "x").unwrap();
        let reader = ChunkReader::with_chunk_bytes(source, &header, chunk_bytes);
        let dialect = Dialect::new(b',');
        let mut fields = Fields::default();
        let mut out = Vec::new();
        run_here(reader, "x", |chunk| {
            let mut pos = 0;
            while let Parsed::Record { start, end } =
                dialect.parse(&chunk.data, pos, true, usize::MAX, &mut fields)
            {
                let first = fields.get(&chunk.data, 0).unwrap_or_default().to_vec();
                out.push((
                    first,
                    line_at(&chunk.data, chunk.start_line, chunk.after_cr, start),
                ));
                pos = end;
            }
            Ok(())
        })
        .unwrap();
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// However the input is cut into chunks and reads, the records and their lines are
        /// those of reading it whole.
        #[test]
        fn chunks_change_nothing(
            body in proptest::collection::vec(
                prop_oneof![Just(b'a'), Just(b','), Just(b'"'), Just(b'\r'), Just(b'\n')],
                0..80,
            ),
            chunk_bytes in 1usize..12,
            step in 1usize..7,
        ) {
            let mut input = b"h,i\r\n".to_vec();
            input.extend_from_slice(&body);
            let whole = records(&input, 1 << 20, 1 << 20);
            prop_assert_eq!(records(&input, chunk_bytes, step), whole);
        }
    }

    #[test]
    fn lines_across_chunks() {
        let input = b"h\r\na\r\n\r\n\"b\nc\"\rd\ne";
        for chunk_bytes in 1..8 {
            assert_eq!(
                records(input, chunk_bytes, 3),
                [
                    (b"a".to_vec(), 2),
                    (b"b\nc".to_vec(), 4),
                    (b"d".to_vec(), 6),
                    (b"e".to_vec(), 7)
                ],
                "chunks of {chunk_bytes}"
            );
        }
    }

    /// Runs `input` through [`run_with`] with two workers that copy their chunks, within a
    /// budget of `limit` bytes; returns the output and the budget's peak.
    fn through(input: &[u8], limit: usize) -> (Vec<u8>, usize) {
        let mut source = Trickle {
            bytes: input,
            step: 1 << 16,
        };
        let header = read_header(&mut source, Delimiter::Byte(b','), "x").unwrap();
        let reader = ChunkReader::new(source, &header);
        let budget = Budget::new(limit);
        let mut out = Vec::new();
        run_with(
            &budget,
            reader,
            "x",
            2,
            || (),
            |(), chunk, buf| {
                buf.extend_from_slice(&chunk.data);
                Ok(())
            },
            |bytes| {
                out.extend_from_slice(bytes);
                Ok(())
            },
        )
        .unwrap();
        (out, budget.peak())
    }

    /// REDTEAM M6: however wide or many the rows, the input in flight stays within the
    /// budget (plus one chunk's growth); one row longer than the budget goes through alone.
    #[test]
    fn bytes_in_flight_are_bounded() {
        let wide_row = format!("r{}\n", ",".repeat(100_000));
        let input = format!("h\n{}", wide_row.repeat(300));
        let (out, peak) = through(input.as_bytes(), IN_FLIGHT_BYTES);
        assert_eq!(out, input.as_bytes()[2..]);
        assert!(peak <= IN_FLIGHT_BYTES + CHUNK_BYTES, "peak {peak}");

        let huge = format!("r,{}\n", "x".repeat(5 << 20));
        let input = format!("h\n{}{huge}{}", wide_row.repeat(20), wide_row.repeat(20));
        let (out, peak) = through(input.as_bytes(), IN_FLIGHT_BYTES);
        assert_eq!(out, input.as_bytes()[2..]);
        assert!(peak <= 2 * huge.len() + CHUNK_BYTES, "peak {peak}");
    }

    #[test]
    fn errors_come_in_input_order_after_the_output_before_them() {
        let input = format!("h\n{}", "row\n".repeat(200_000));
        let mut source = input.as_bytes();
        let header = read_header(&mut source, Delimiter::Byte(b','), "x").unwrap();
        let reader = ChunkReader::with_chunk_bytes(source, &header, 4096);
        let mut written = 0usize;
        let sizes = Mutex::new(std::collections::BTreeMap::new());
        let err = run_with(
            &Budget::new(1 << 16),
            reader,
            "x",
            3,
            || (),
            |(), chunk, buf| {
                buf.extend_from_slice(&chunk.data);
                sizes.lock().unwrap().insert(chunk.index, chunk.data.len());
                // Chunks 5 and 9 fail; 9 may finish first, 5 is the one reported.
                match chunk.index {
                    5 | 9 => anyhow::bail!("chunk {}", chunk.index),
                    _ => Ok(()),
                }
            },
            |bytes| {
                written += bytes.len();
                Ok(())
            },
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "chunk 5");
        let sizes = sizes.into_inner().unwrap();
        let first_six: usize = (0..6).map(|i| sizes[&i]).sum();
        assert_eq!(
            written, first_six,
            "chunks 0-5 written, 5 being the one that failed"
        );
    }
}

//! Writes a realistic ECR-R CSV of N respondents to standard output, for benchmarks.
//!
//! `cargo run --release --example gen_ecr_r -- 1000000 > bench-data/ecr-r-1m.csv`
//!
//! Each respondent has a latent anxiety and avoidance; answers scatter around them, reversed
//! items are answered in reverse, about 2 % of cells are empty (some rows far more, so the
//! missing-data rule is exercised), and an id and a site column are passed through.
//! Deterministic (fixed seed, own generator) so that runs are comparable.

use std::io::{self, BufWriter, Write};

/// xorshift64*: small, fast, good enough for synthetic answers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const REVERSED: [u32; 14] = [9, 11, 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36];

fn main() -> io::Result<()> {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let mut rng = Rng(0x5EC0_BA5E_2026_1127);
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    write!(out, "id,site")?;
    for q in 1..=36 {
        write!(out, ",q{q}")?;
    }
    writeln!(out)?;
    let sites = ["north", "south", "east", "west"];
    for row in 0..n {
        let anxiety = 1.5 + 5.0 * rng.unit();
        let avoidance = 1.5 + 5.0 * rng.unit();
        // One respondent in 50 skips a lot, so some scales go over the missing limit.
        let missing_rate = if rng.unit() < 0.02 { 0.3 } else { 0.01 };
        write!(out, "r{row:07},{}", sites[(row % 4) as usize])?;
        for q in 1..=36u32 {
            if rng.unit() < missing_rate {
                out.write_all(b",")?;
                continue;
            }
            let latent = if q <= 18 { anxiety } else { avoidance };
            let noise = (rng.unit() + rng.unit() + rng.unit() - 1.5) * 2.0;
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "clamped to 1..=7 first"
            )]
            let mut value = (latent + noise).round().clamp(1.0, 7.0) as u8;
            if REVERSED.contains(&q) {
                value = 8 - value;
            }
            write!(out, ",{value}")?;
        }
        writeln!(out)?;
    }
    out.flush()
}

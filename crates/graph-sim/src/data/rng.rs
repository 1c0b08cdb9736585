//! A seeded random source with the few shapes generated data needs: GUIDs,
//! hex digests, picks from lists and timestamps before an anchor instant.
//! Every id the simulator invents comes from here, so a seed reproduces a
//! world exactly.

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Seeded generator used by all data builders.
pub struct Gen {
    rng: StdRng,
}

impl Gen {
    /// A generator whose whole output is decided by `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// Uniform integer in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        self.rng.gen_range(lo..=hi)
    }

    /// Uniform index below `len` (which must be non-zero).
    pub fn index(&mut self, len: usize) -> usize {
        self.rng.gen_range(0..len)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p.clamp(0.0, 1.0))
    }

    /// Uniform float in `0.0..1.0`.
    pub fn unit(&mut self) -> f64 {
        self.rng.gen()
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// A lower-case version-4 GUID.
    pub fn guid(&mut self) -> String {
        let a: u32 = self.rng.gen();
        let b: u16 = self.rng.gen();
        let c: u16 = (self.rng.gen::<u16>() & 0x0fff) | 0x4000;
        let d: u16 = (self.rng.gen::<u16>() & 0x3fff) | 0x8000;
        let e: u64 = self.rng.gen::<u64>() & 0xffff_ffff_ffff;
        format!("{a:08x}-{b:04x}-{c:04x}-{d:04x}-{e:012x}")
    }

    /// `len` lower-case hex digits (hashes, MDE device ids).
    pub fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit(self.rng.gen_range(0..16), 16).unwrap_or('0'))
            .collect()
    }

    /// `len` decimal digits, first one non-zero.
    pub fn digits(&mut self, len: usize) -> String {
        let mut out = String::with_capacity(len);
        out.push(char::from(b'1' + self.rng.gen_range(0..9u8)));
        for _ in 1..len {
            out.push(char::from(b'0' + self.rng.gen_range(0..10u8)));
        }
        out
    }

    /// An instant between `min_secs` and `max_secs` seconds before `anchor`,
    /// with sub-second noise so timestamps carry 7 fractional digits.
    pub fn before(&mut self, anchor: DateTime<Utc>, min_secs: i64, max_secs: i64) -> DateTime<Utc> {
        let secs = self.rng.gen_range(min_secs..=max_secs.max(min_secs));
        let ticks = self.rng.gen_range(0..10_000_000i64);
        anchor - Duration::seconds(secs) - Duration::nanoseconds(ticks * 100)
    }

    /// An instant between `min_secs` and `max_secs` seconds after `start`.
    pub fn after(&mut self, start: DateTime<Utc>, min_secs: i64, max_secs: i64) -> DateTime<Utc> {
        let secs = self.rng.gen_range(min_secs..=max_secs.max(min_secs));
        let ticks = self.rng.gen_range(0..10_000_000i64);
        start + Duration::seconds(secs) + Duration::nanoseconds(ticks * 100)
    }

    /// An IPv4 address from a public-looking range.
    pub fn public_ip(&mut self) -> String {
        let first = *self.pick(&[20u8, 40, 52, 81, 103, 139, 185, 194, 203]);
        format!(
            "{first}.{}.{}.{}",
            self.range(0, 255),
            self.range(0, 255),
            self.range(1, 254)
        )
    }

    /// An RFC 1918 address.
    pub fn private_ip(&mut self) -> String {
        format!(
            "10.{}.{}.{}",
            self.range(0, 40),
            self.range(0, 255),
            self.range(2, 250)
        )
    }
}

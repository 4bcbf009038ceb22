//! The random choices of the generator, on a seeded `fastrand::Rng`.
//!
//! Only the 32- and 64-bit draws are used (never `usize`), so a seed gives the same data on
//! every platform.

/// A seeded source of choices.
pub(crate) struct Dice(fastrand::Rng);

/// SplitMix64's finaliser: spreads nearby seeds (unit 7, unit 8) over unrelated streams.
pub(crate) fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Dice {
    /// The stream for one purpose (`salt`) of one seed and index.
    pub(crate) fn new(seed: u64, salt: u64, index: u64) -> Self {
        Dice(fastrand::Rng::with_seed(mix(mix(seed ^ mix(salt)) ^ index)))
    }

    /// A number in `low..=high` (`low` when the range is empty).
    pub(crate) fn between(&mut self, low: u32, high: u32) -> u32 {
        if high <= low { low } else { self.0.u32(low..=high) }
    }

    /// A signed number of days in `low..=high`.
    pub(crate) fn days(&mut self, low: i64, high: i64) -> i64 {
        if high <= low { low } else { self.0.i64(low..=high) }
    }

    /// An index below `len` (0 for an empty list; callers never index an empty one).
    pub(crate) fn index(&mut self, len: usize) -> usize {
        let len = u32::try_from(len).unwrap_or(u32::MAX);
        if len <= 1 { 0 } else { self.0.u32(..len) as usize }
    }

    /// True with probability `percent` / 100.
    pub(crate) fn chance(&mut self, percent: u32) -> bool {
        self.0.u32(..100) < percent
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// An index chosen by weight.
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut draw = self.between(0, total.saturating_sub(1));
        for (i, w) in weights.iter().enumerate() {
            if draw < *w {
                return i;
            }
            draw -= w;
        }
        weights.len().saturating_sub(1)
    }

    /// Fisher–Yates with 32-bit draws.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }

    /// `count` distinct items (all of them when there are fewer), in random order.
    pub(crate) fn sample<T: Clone>(&mut self, items: &[T], count: usize) -> Vec<T> {
        let mut all = items.to_vec();
        self.shuffle(&mut all);
        all.truncate(count);
        all
    }

    pub(crate) fn u64(&mut self) -> u64 {
        self.0.u64(..)
    }
}

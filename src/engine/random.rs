//! Random streams: one generator per (master seed, replication, source of randomness).
//!
//! Separate streams give common random numbers: two scenarios run with the same seed differ only
//! where their parameters differ. Xoshiro256++ is a named, portable algorithm whose output does
//! not change between releases.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator used everywhere in the model.
pub type SimRng = Xoshiro256PlusPlus;

/// Each source of randomness in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Stream {
    /// Arrival times of work items.
    Arrivals = 1,
    /// Per-item attributes: kind, size, AI assistance, speed-up, latent defects.
    Items = 2,
    /// Coding and rework effort.
    Coding = 3,
    /// Review effort and detection.
    Review = 4,
    /// CI, flaky tests, test detection, staging.
    Testing = 5,
    /// Deployment durations.
    Deploy = 6,
    /// Manifestation of escaped defects.
    Production = 7,
    /// Detection, diagnosis and remediation of incidents.
    Recovery = 8,
    /// Incidents not attributable to any deployment.
    Fragility = 9,
    /// Gaming and learning behaviours.
    Culture = 10,
    /// When a reviewer reaches a break long enough to start a review.
    ReviewPickup = 11,
    /// Coding agents' run times and rejections, and the AI reviewer's findings.
    Agents = 12,
    /// Per-item attributes of the work agents take.
    AgentItems = 13,
}

/// SplitMix64 finaliser: a strong 64-bit mixer.
#[inline]
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of one stream of one replication.
#[inline]
pub fn stream_seed(master_seed: u64, replication: u64, stream: Stream) -> u64 {
    mix(mix(mix(master_seed) ^ replication) ^ (stream as u64).wrapping_mul(0xA24B_AED4_963E_E407))
}

/// The generator of one stream of one replication.
pub fn stream_rng(master_seed: u64, replication: u64, stream: Stream) -> SimRng {
    SimRng::seed_from_u64(stream_seed(master_seed, replication, stream))
}

/// A generator for the `index`-th item drawn from a stream seed, so that item `k` gets the same
/// attributes whatever happened before it.
#[inline]
pub fn item_rng(seed: u64, index: u64) -> SimRng {
    SimRng::seed_from_u64(mix(seed ^ mix(index)))
}

/// An exponential wait at `rate` per unit of time, by inversion of one uniform draw: one draw per
/// wait, so a stream's later draws do not depend on the rate.
#[inline]
pub fn exponential_wait<R: rand::Rng + ?Sized>(rng: &mut R, rate: f64) -> f64 {
    use rand::RngExt;
    -(1.0 - rng.random::<f64>()).ln() / rate
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_differ_and_repeat() {
        let mut a = stream_rng(1, 0, Stream::Arrivals);
        let mut b = stream_rng(1, 0, Stream::Items);
        let mut a2 = stream_rng(1, 0, Stream::Arrivals);
        let x = a.next_u64();
        assert_ne!(x, b.next_u64());
        assert_eq!(x, a2.next_u64());
        assert_ne!(
            stream_seed(1, 0, Stream::Review),
            stream_seed(1, 1, Stream::Review)
        );
    }
}

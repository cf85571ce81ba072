//! A future-event list ordered by time, first-in-first-out among equal times.
//!
//! Keys are 128-bit integers, `time bits << 64 | sequence number << 24 | slot`, and the events
//! themselves wait in a slab. A time is never negative (scheduling before now schedules now), so
//! its IEEE bits order like the time itself, and the sequence number makes every key unique.
//!
//! Simulated time only moves forward, so no event is ever scheduled before the last one popped:
//! the queue is a monotone priority queue, kept as a radix heap (Ahuja, Mehlhorn, Orlin and
//! Tarjan, "Faster algorithms for the shortest path problem", J. ACM 37(2), 1990). A key waits in
//! the bucket of the highest bit in which it differs from the last key popped; a pop takes the
//! lowest non-empty bucket and, unless that is the last key's own, spreads it into lower buckets
//! around its minimum. Pushing costs one bucket index; an event moves down a few buckets over its
//! wait. Against a binary heap there is no sifting through unpredictable branches, and the cost
//! of an event does not grow with the number waiting.

/// Bits of a key's low word that name the event's slot; the rest is the sequence number.
const SLOT_BITS: u32 = 24;
/// Most events waiting at once (the slot must fit its bits): 16.7 million.
pub const MAX_PENDING: usize = 1 << SLOT_BITS;
/// Buckets of the radix heap: one per bit of a key, and one for the last key itself.
const BUCKETS: usize = 129;

/// A radix heap of unique 128-bit keys, smallest first, never given a key below the last popped.
#[derive(Debug, Clone)]
struct RadixHeap {
    /// The last key taken out of the buckets (0 at first): every key waiting is above it.
    last: u128,
    /// `buckets[b]`: keys whose highest bit differing from `last` is bit `b - 1`; bucket 0 holds
    /// `last` itself while it has not been popped.
    buckets: Vec<Vec<u128>>,
    /// Bit `b` set: bucket `b` is not empty.
    occupied: [u64; 3],
    len: usize,
}

impl RadixHeap {
    fn new() -> Self {
        RadixHeap {
            last: 0,
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            occupied: [0; 3],
            len: 0,
        }
    }

    #[inline]
    fn bucket_of(&self, key: u128) -> usize {
        (128 - (key ^ self.last).leading_zeros()) as usize
    }

    #[inline]
    fn put(&mut self, key: u128) {
        let b = self.bucket_of(key);
        self.buckets[b].push(key);
        self.occupied[b / 64] |= 1 << (b % 64);
    }

    #[inline]
    fn push(&mut self, key: u128) {
        debug_assert!(key >= self.last, "a key below the last popped");
        self.put(key);
        self.len += 1;
    }

    /// The lowest non-empty bucket.
    #[inline]
    fn first_occupied(&self) -> Option<usize> {
        self.occupied
            .iter()
            .enumerate()
            .find(|(_, bits)| **bits != 0)
            .map(|(word, bits)| word * 64 + bits.trailing_zeros() as usize)
    }

    /// Empties the heap, keeping its buckets' allocations.
    fn clear(&mut self) {
        for bucket in &mut self.buckets {
            bucket.clear();
        }
        self.last = 0;
        self.occupied = [0; 3];
        self.len = 0;
    }

    /// Removes and returns the smallest key.
    #[inline]
    fn pop(&mut self) -> Option<u128> {
        let b = self.first_occupied()?;
        if b > 0 && self.buckets[b].len() == 1 {
            // A lone key is the minimum: it becomes the last key without a detour through
            // bucket 0.
            let key = self.buckets[b].pop();
            self.occupied[b / 64] &= !(1 << (b % 64));
            if let Some(key) = key {
                self.last = key;
            }
            self.len -= 1;
            return key;
        }
        if b > 0 {
            // Spread the bucket around its minimum, the new last key: every key in it shares
            // more high bits with the minimum than with the old last key, so each lands lower.
            let mut keys = std::mem::take(&mut self.buckets[b]);
            self.occupied[b / 64] &= !(1 << (b % 64));
            self.last = keys.iter().copied().min().expect("an occupied bucket");
            for &key in &keys {
                self.put(key);
            }
            keys.clear();
            // Hand the allocation back for the next keys of this bucket.
            self.buckets[b] = keys;
        }
        // Keys are unique: bucket 0 holds exactly the last key.
        let key = self.buckets[0].pop();
        debug_assert!(self.buckets[0].is_empty());
        self.occupied[0] &= !1;
        self.len -= 1;
        key
    }
}

/// The event queue and the simulation clock.
#[derive(Debug, Clone)]
pub struct EventQueue<E> {
    heap: RadixHeap,
    /// Events by slot; `free` lists the slots not in use.
    slab: Vec<Option<E>>,
    free: Vec<u32>,
    next_seq: u64,
    now: f64,
    processed: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue at time 0.
    pub fn new() -> Self {
        EventQueue {
            heap: RadixHeap::new(),
            slab: Vec::with_capacity(1024),
            free: Vec::with_capacity(1024),
            next_seq: 0,
            now: 0.0,
            processed: 0,
        }
    }

    /// Empties the queue and sets the clock back to 0, keeping its allocations: a queue cleared
    /// behaves exactly like a new one.
    pub fn clear(&mut self) {
        self.heap.clear();
        self.slab.clear();
        self.free.clear();
        self.next_seq = 0;
        self.now = 0.0;
        self.processed = 0;
    }

    /// The bits of `time` as a key: times before now (and NaN) become now; `+ 0.0` turns a
    /// negative zero into zero, whose bits sort first.
    #[inline]
    fn time_bits(&self, time: f64) -> u64 {
        let time = if time < self.now || time.is_nan() {
            self.now
        } else {
            time
        } + 0.0;
        time.to_bits()
    }

    /// Puts `event` at `time` with sequence number `seq`.
    #[inline]
    fn push(&mut self, time: f64, seq: u64, event: E) {
        let bits = self.time_bits(time);
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slab[slot as usize] = Some(event);
                slot
            }
            None => {
                assert!(
                    self.slab.len() < MAX_PENDING,
                    "more than {MAX_PENDING} events pending"
                );
                self.slab.push(Some(event));
                (self.slab.len() - 1) as u32
            }
        };
        let key_of =
            |seq: u64| (u128::from(bits) << 64) | u128::from((seq << SLOT_BITS) | u64::from(slot));
        let mut key = key_of(seq);
        if key < self.heap.last {
            // Only a reserved number can fall below the last event popped (at this very time,
            // reserved before it): it pops next instead, with a fresh number.
            key = key_of(self.next_seq);
            self.next_seq += 1;
        }
        self.heap.push(key);
    }

    /// Current simulation time, hours.
    #[inline]
    pub fn now(&self) -> f64 {
        self.now
    }

    /// Events popped so far.
    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// Events waiting.
    pub fn len(&self) -> usize {
        self.heap.len
    }

    /// True when no event waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Schedules `event` at absolute time `time` (never before now).
    #[inline]
    pub fn schedule_at(&mut self, time: f64, event: E) {
        let seq = self.next_seq;
        // 2^40 events (about a trillion) is days of computing for one replication, far past any
        // runaway guard.
        debug_assert!(seq < 1 << (64 - SLOT_BITS), "sequence numbers exhausted");
        self.next_seq += 1;
        self.push(time, seq, event);
    }

    /// Reserves `n` sequence numbers and returns the first: events scheduled later with
    /// [`EventQueue::schedule_reserved`] and these numbers pop exactly as if they had been
    /// scheduled now. A periodic or pre-planned series (a timeline's phase changes) can so keep
    /// only its next event in the queue without changing the order of anything.
    pub fn reserve(&mut self, n: u64) -> u64 {
        let first = self.next_seq;
        self.next_seq += n;
        first
    }

    /// Schedules `event` at `time` (never before now) with a sequence number from
    /// [`EventQueue::reserve`].
    #[inline]
    pub fn schedule_reserved(&mut self, time: f64, seq: u64, event: E) {
        self.push(time, seq, event);
    }

    /// Schedules `event` after `delay` hours.
    #[inline]
    pub fn schedule_in(&mut self, delay: f64, event: E) {
        self.schedule_at(self.now + delay, event);
    }

    /// Pops the next event at or before `until`, advancing the clock to its time. An event past
    /// `until` stays waiting.
    #[inline]
    pub fn pop_until(&mut self, until: f64) -> Option<E> {
        let key = self.heap.pop()?;
        let time = f64::from_bits((key >> 64) as u64);
        if time > until {
            // Back where it was: it is the last key popped, so it goes to bucket 0.
            self.heap.push(key);
            return None;
        }
        self.now = time;
        self.processed += 1;
        let slot = (key as u64 & ((1 << SLOT_BITS) - 1)) as u32;
        self.free.push(slot);
        self.slab[slot as usize].take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order_and_fifo_among_equal_times() {
        let mut q = EventQueue::new();
        q.schedule_at(2.0, "c");
        q.schedule_at(1.0, "a");
        q.schedule_at(1.0, "b");
        q.schedule_at(f64::NAN, "now");
        let order: Vec<_> = std::iter::from_fn(|| q.pop_until(10.0)).collect();
        assert_eq!(order, vec!["now", "a", "b", "c"]);
        assert_eq!(q.processed(), 4);
    }

    #[test]
    fn reserved_numbers_keep_the_order_of_scheduling_at_reservation() {
        // Scheduling "r" lazily with a reserved number pops it where it would have been.
        let mut eager = EventQueue::new();
        eager.schedule_at(3.0, "r");
        eager.schedule_at(3.0, "x");
        eager.schedule_at(1.0, "y");
        let mut lazy = EventQueue::new();
        let seq = lazy.reserve(1);
        lazy.schedule_at(3.0, "x");
        lazy.schedule_at(1.0, "y");
        assert_eq!(lazy.pop_until(10.0), Some("y"));
        lazy.schedule_reserved(3.0, seq, "r");
        let eager: Vec<_> = std::iter::from_fn(|| eager.pop_until(10.0)).collect();
        let mut lazy_order = vec!["y"];
        lazy_order.extend(std::iter::from_fn(|| lazy.pop_until(10.0)));
        assert_eq!(eager, lazy_order);
    }

    #[test]
    fn the_radix_heap_pops_what_a_binary_heap_pops() {
        // Random interleavings of pushes (never below the last popped key) and pops, against
        // std's binary heap: lone keys, equal times, far and near keys.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut radix = RadixHeap::new();
        let mut reference = std::collections::BinaryHeap::new();
        let mut seq = 0u128;
        for _ in 0..200_000 {
            if next() % 3 != 0 || reference.is_empty() {
                let ahead = match next() % 4 {
                    0 => 0,
                    1 => next() % 16,
                    2 => next() % (1 << 20),
                    _ => next() % (1 << 40),
                };
                seq += 1;
                let key = ((radix.last >> 64) + u128::from(ahead)) << 64 | seq;
                radix.push(key);
                reference.push(std::cmp::Reverse(key));
            } else {
                assert_eq!(radix.pop(), reference.pop().map(|r| r.0));
            }
            assert_eq!(radix.len, reference.len());
        }
        while let Some(std::cmp::Reverse(key)) = reference.pop() {
            assert_eq!(radix.pop(), Some(key));
        }
        assert_eq!(radix.pop(), None);
    }

    #[test]
    fn a_cleared_queue_behaves_like_a_new_one() {
        let fill = |q: &mut EventQueue<u32>| {
            for k in 0..50u32 {
                q.schedule_at(f64::from((k * 37) % 11), k);
            }
        };
        let mut used = EventQueue::new();
        fill(&mut used);
        used.pop_until(3.0);
        used.clear();
        assert!(used.is_empty());
        assert_eq!((used.now(), used.processed()), (0.0, 0));
        let mut fresh = EventQueue::new();
        fill(&mut fresh);
        fill(&mut used);
        let a: Vec<_> = std::iter::from_fn(|| fresh.pop_until(20.0)).collect();
        let b: Vec<_> = std::iter::from_fn(|| used.pop_until(20.0)).collect();
        assert_eq!(a, b);
    }

    #[test]
    fn stops_at_the_horizon() {
        let mut q = EventQueue::new();
        q.schedule_at(5.0, 1);
        assert_eq!(q.pop_until(4.0), None);
        assert_eq!(q.pop_until(5.0), Some(1));
    }
}

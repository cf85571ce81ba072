//! A future-event list ordered by time, first-in-first-out among equal times.
//!
//! The heap holds compact 16-byte keys, `(time, sequence number << 24 | slot)`, and the events
//! themselves wait in a slab: sifting moves two words, not the event. A time is never negative
//! (scheduling before now schedules now), so its IEEE bits order like the time itself.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Bits of the key's second word that name the event's slot; the rest is the sequence number.
const SLOT_BITS: u32 = 24;
/// Most events waiting at once (the slot must fit its bits): 16.7 million.
pub const MAX_PENDING: usize = 1 << SLOT_BITS;

/// The event queue and the simulation clock.
#[derive(Debug, Clone)]
pub struct EventQueue<E> {
    /// `(time bits, seq << SLOT_BITS | slot)`, smallest first.
    heap: BinaryHeap<Reverse<(u64, u64)>>,
    /// Events by slot; `free` lists the slots not in use.
    slab: Vec<Option<E>>,
    free: Vec<u32>,
    /// Timers: series that never have more than one event waiting (a periodic tick, the next
    /// week end), each in a slot of its own beside the heap, with the key it would have had in
    /// the heap. Popping takes the smallest of the heap's top and the timers, so the order is
    /// exactly that of one heap, without the heap's cost for the most frequent events.
    timers: Vec<Option<((u64, u64), E)>>,
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
            heap: BinaryHeap::with_capacity(1024),
            slab: Vec::with_capacity(1024),
            free: Vec::with_capacity(1024),
            timers: Vec::new(),
            next_seq: 0,
            now: 0.0,
            processed: 0,
        }
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

    /// Schedules `event` in timer `slot` at `time` (never before now): the slot must be empty
    /// (the timer's previous event popped). Ordered with every other event as
    /// [`EventQueue::schedule_at`] would order it.
    #[inline]
    pub fn schedule_timer(&mut self, slot: usize, time: f64, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.timer_reserved(slot, time, seq, event);
    }

    /// As [`EventQueue::schedule_timer`], with a sequence number from [`EventQueue::reserve`].
    #[inline]
    pub fn timer_reserved(&mut self, slot: usize, time: f64, seq: u64, event: E) {
        if self.timers.len() <= slot {
            self.timers.resize_with(slot + 1, || None);
        }
        let bits = self.time_bits(time);
        debug_assert!(self.timers[slot].is_none(), "timer {slot} already set");
        self.timers[slot] = Some(((bits, seq << SLOT_BITS), event));
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
        self.heap
            .push(Reverse((bits, (seq << SLOT_BITS) | u64::from(slot))));
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
        self.heap.len() + self.timers.iter().filter(|t| t.is_some()).count()
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
    /// only its next event in the heap without changing the order of anything.
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

    /// Pops the next event at or before `until`, advancing the clock to its time.
    #[inline]
    pub fn pop_until(&mut self, until: f64) -> Option<E> {
        // The earliest timer, if it comes before the heap's top.
        let mut best = self.heap.peek().map(|r| r.0);
        let mut timer = None;
        for (i, t) in self.timers.iter().enumerate() {
            if let Some((key, _)) = t
                && best.is_none_or(|b| *key < b)
            {
                best = Some(*key);
                timer = Some(i);
            }
        }
        let (bits, _) = best?;
        let time = f64::from_bits(bits);
        if time > until {
            return None;
        }
        self.now = time;
        self.processed += 1;
        if let Some(i) = timer {
            return self.timers[i].take().map(|(_, event)| event);
        }
        let Reverse((_, tag)) = self.heap.pop()?;
        let slot = (tag & ((1 << SLOT_BITS) - 1)) as u32;
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
    fn timers_pop_where_the_heap_would_have_put_them() {
        let mut heap = EventQueue::new();
        let mut mixed = EventQueue::new();
        for (k, t) in [3.0, 1.0, 3.0, 2.0, 1.0, 3.0].into_iter().enumerate() {
            heap.schedule_at(t, k);
            if k % 2 == 0 {
                mixed.schedule_timer(k / 2, t, k);
            } else {
                mixed.schedule_at(t, k);
            }
        }
        let a: Vec<_> = std::iter::from_fn(|| heap.pop_until(10.0)).collect();
        let b: Vec<_> = std::iter::from_fn(|| mixed.pop_until(10.0)).collect();
        assert_eq!(a, b);
        assert_eq!(a, vec![1, 4, 3, 0, 2, 5]);
        assert!(mixed.is_empty());
    }

    #[test]
    fn stops_at_the_horizon() {
        let mut q = EventQueue::new();
        q.schedule_at(5.0, 1);
        assert_eq!(q.pop_until(4.0), None);
        assert_eq!(q.pop_until(5.0), Some(1));
    }
}

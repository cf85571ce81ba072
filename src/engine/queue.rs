//! A future-event list ordered by time, first-in-first-out among equal times.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// One scheduled event.
#[derive(Debug, Clone, Copy)]
struct Scheduled<E> {
    time: f64,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Scheduled<E> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<E> Eq for Scheduled<E> {}

impl<E> PartialOrd for Scheduled<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Scheduled<E> {
    /// Reversed, so that the max-heap pops the earliest time first; `total_cmp` gives a total
    /// order (never a panic on NaN) and the sequence number keeps equal times first-in-first-out.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .total_cmp(&self.time)
            .then(other.seq.cmp(&self.seq))
    }
}

/// The event queue and the simulation clock.
#[derive(Debug, Clone)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Scheduled<E>>,
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
            next_seq: 0,
            now: 0.0,
            processed: 0,
        }
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
        self.heap.len()
    }

    /// True when no event waits.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Schedules `event` at absolute time `time` (never before now).
    #[inline]
    pub fn schedule_at(&mut self, time: f64, event: E) {
        let time = if time < self.now || time.is_nan() {
            self.now
        } else {
            time
        };
        self.heap.push(Scheduled {
            time,
            seq: self.next_seq,
            event,
        });
        self.next_seq += 1;
    }

    /// Schedules `event` after `delay` hours.
    #[inline]
    pub fn schedule_in(&mut self, delay: f64, event: E) {
        self.schedule_at(self.now + delay, event);
    }

    /// Pops the next event at or before `until`, advancing the clock to its time.
    #[inline]
    pub fn pop_until(&mut self, until: f64) -> Option<E> {
        if self.heap.peek()?.time > until {
            return None;
        }
        let next = self.heap.pop()?;
        self.now = next.time;
        self.processed += 1;
        Some(next.event)
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
    fn stops_at_the_horizon() {
        let mut q = EventQueue::new();
        q.schedule_at(5.0, 1);
        assert_eq!(q.pop_until(4.0), None);
        assert_eq!(q.pop_until(5.0), Some(1));
    }
}

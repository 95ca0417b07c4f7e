//! `Source`: the hook by which upper layers (loop-time's timers) take part in
//! the loop's parking, without loop-core knowing what they are.
//!
//! A source is created on first use through [`Handle::source`](crate::Handle::source)
//! and lives as long as its loop. Before the loop blocks in its park, it asks
//! every source for its [`deadline`](Source::deadline) and parks no later than
//! the earliest one; after every park, blocking or not, it calls
//! [`dispatch`](Source::dispatch), where the source wakes the tasks whose event
//! has come. Because sources are attached lazily, `sleep` works on a bare
//! `Loop::new()` with no wiring.

use std::any::Any;
use std::time::Instant;

/// An event source the loop consults around each park.
pub trait Source: Any {
    /// The instant by which the loop must wake up for this source, if any.
    /// Called only when the loop is about to block.
    fn deadline(&self) -> Option<Instant>;

    /// Called after every park: wake the tasks whose events have come.
    /// `idle` is true when the loop has no task ready to run, so the source is
    /// the only thing that can make progress (a paused clock may then jump
    /// ahead to its next deadline).
    fn dispatch(&self, idle: bool);
}

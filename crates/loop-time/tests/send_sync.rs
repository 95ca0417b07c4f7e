//! The auto traits of loop-time's types: timers are `Send + Sync` (they move
//! to the loop that polls them: `tests/send.rs`); `Elapsed` goes anywhere.

use loop_time::{Elapsed, Interval, MissedTickBehavior, Sleep};
use static_assertions::assert_impl_all;

assert_impl_all!(Sleep: Send, Sync, Unpin, std::future::Future, std::fmt::Debug);
assert_impl_all!(Interval: Send, Sync, Unpin, futures_util::Stream, std::fmt::Debug);
assert_impl_all!(Elapsed: Send, Sync, Copy, Unpin, std::error::Error);
assert_impl_all!(MissedTickBehavior: Send, Sync, Copy, Default, Eq);

#[test]
fn the_assertions_above_compile() {}

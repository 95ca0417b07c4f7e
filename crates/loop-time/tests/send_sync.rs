//! The auto traits of loop-time's types: timers belong to their loop's
//! thread; `Elapsed` goes anywhere.

use loop_time::{Elapsed, Interval, MissedTickBehavior, Sleep};
use static_assertions::{assert_impl_all, assert_not_impl_any};

assert_impl_all!(Sleep: Unpin, std::future::Future, std::fmt::Debug);
assert_not_impl_any!(Sleep: Send, Sync);
assert_impl_all!(Interval: Unpin, futures_util::Stream, std::fmt::Debug);
assert_not_impl_any!(Interval: Send, Sync);
assert_impl_all!(Elapsed: Send, Sync, Copy, Unpin, std::error::Error);
assert_impl_all!(MissedTickBehavior: Send, Sync, Copy, Default, Eq);

#[test]
fn the_assertions_above_compile() {}

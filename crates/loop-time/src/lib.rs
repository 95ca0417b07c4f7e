#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

mod clock;
mod current;
mod heap;
mod interval;
mod messages;
mod sleep;
mod store;
mod timeout;
mod timers;
mod wheel;

pub use current::{advance, now, pause, resume, timer_count};
pub use interval::{Interval, MissedTickBehavior, interval, interval_at};
pub use sleep::{Sleep, sleep, sleep_until};
pub use timeout::{Elapsed, timeout, timeout_at};

//! Nothing to see: this package holds the integration tests, and runs as
//! doctests the README samples of the crates whose own `lib.rs` does not
//! include its README (loop-core and the goldiloop facade).

#![doc(test(attr(deny(warnings))))]

/// loop-core's README sample, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../crates/loop-core/README.md")]
struct LoopCoreReadme;

/// The goldiloop facade's README sample, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../crates/goldiloop/README.md")]
struct GoldiloopReadme;

//! Nothing to see: this package holds the integration tests, and runs the
//! workspace README's samples as doctests. (Each library crate's own README is
//! its front page on docs.rs and is tested by that crate's doctests.)

#![doc(test(attr(deny(warnings))))]

/// The workspace README's Rust samples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct WorkspaceReadme;

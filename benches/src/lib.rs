//! Nothing to see: this package only holds the benchmarks.

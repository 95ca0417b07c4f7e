//! The words the facade says when it panics, kept in one place so that each
//! message names what went wrong and what to do instead, and tests can check
//! them.

/// `Loop::new()` could not create its epoll Reactor (or, without the `net`
/// feature, never happens); the kernel's error follows the message.
pub(crate) const LOOP_SETUP_FAILED: &str = "goldiloop: `Loop::new()` could not set up its \
     epoll Reactor (the kernel refused an epoll instance or an eventfd); raise the file \
     descriptor limit (`ulimit -n`) or close descriptors you no longer need, or call \
     `Loop::try_new()` to handle the error";

/// `run_per_core` could not build its pool (the error follows the message).
pub(crate) const POOL_SETUP_FAILED: &str = "goldiloop: `run_per_core` could not start its \
     loops (a thread, the CPU affinity, or a loop's epoll Reactor was refused); raise the file \
     descriptor or thread limits, or build the pool with `LoopPool::builder()` to handle the \
     error";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setup_message_names_both_fixes() {
        assert!(LOOP_SETUP_FAILED.starts_with("goldiloop: `Loop::new()` could not"));
        assert!(LOOP_SETUP_FAILED.contains("raise the file descriptor limit"));
        assert!(LOOP_SETUP_FAILED.ends_with("call `Loop::try_new()` to handle the error"));
    }

    #[test]
    fn the_pool_setup_message_names_both_fixes() {
        assert!(POOL_SETUP_FAILED.starts_with("goldiloop: `run_per_core` could not start"));
        assert!(POOL_SETUP_FAILED.contains("raise the file descriptor or thread limits"));
        assert!(POOL_SETUP_FAILED.ends_with("`LoopPool::builder()` to handle the error"));
    }
}

//! The words loop-sync says when it panics, kept in one place so that each
//! message names what went wrong and what to do instead, and tests can check
//! them.
//!
//! Two kinds: misuse (a future polled again after it completed), which names
//! the fix in the caller's code; and broken internal invariants, which cannot
//! happen unless loop-sync itself is wrong, and say so.

/// A `SendFuture` (from `Sender::send`) polled after it returned `Ready`.
pub(crate) const SEND_POLLED_AFTER_COMPLETION: &str = "loop-sync: a `SendFuture` (from \
     `Sender::send`) was polled after it completed, and its message is gone; await each send \
     once, and call `send` again for the next message";

/// A `blocking_*` method called on a thread that runs a goldiloop loop.
pub(crate) const BLOCKING_IN_TASK: &str = "loop-sync: a `blocking_send`, `blocking_recv` or \
     other `blocking_*` method was called inside a goldiloop task, where waiting would stall the \
     whole loop (and deadlock if the message must come from a task on it); await the async \
     method (`send(v).await`, `recv().await`) there, and keep `blocking_*` for plain threads";

/// `broadcast(0)`.
pub(crate) const BROADCAST_CAPACITY_ZERO: &str = "loop-sync: `broadcast(0)` makes a channel \
     that can keep no message for its receivers; give it a capacity of at least 1 (the number of \
     messages a slow receiver may fall behind before it lags)";

/// A `Gather` or `TryGather` polled after it returned `Ready`.
pub(crate) const GATHER_POLLED_AFTER_COMPLETION: &str = "loop-sync: a `Gather` or `TryGather` \
     future was polled after it completed, and its outputs are gone; await it once (in a \
     select loop, keep it in an `Option` and take it out when it completes)";

/// A oneshot `Receiver` polled after it returned `Ready`.
pub(crate) const ONESHOT_POLLED_AFTER_COMPLETION: &str = "loop-sync: a oneshot `Receiver` \
     was polled after it completed, and its value is gone; await it once (in a select loop, \
     keep it in an `Option` and take it out when it completes), or use `try_recv`";

/// More readers than the `RwLock`'s state word can count.
pub(crate) const TOO_MANY_READERS: &str = "loop-sync: an `RwLock` would be held by more than \
     `usize::MAX / 4` readers at once, which its state word cannot count; this means guards \
     are being leaked (`mem::forget`): drop each read guard, and await fewer readers at once";

/// A waiting sender's entry without its message.
pub(crate) const SENDER_ENTRY_EMPTY: &str = "loop-sync bug: a waiting sender's entry in the \
     channel held no message; this is a bug in loop-sync, not in your program: please report \
     it with the program that triggers it";

/// A oneshot's value cell empty where its state word says it holds the value.
pub(crate) const ONESHOT_VALUE_MISSING: &str = "loop-sync bug: a oneshot channel's state said \
     its value was stored, but the cell was empty; this is a bug in loop-sync, not in your \
     program: please report it with the program that triggers it";

/// An `RwLock` dispatch granting an entry from an empty list.
pub(crate) const DISPATCH_EMPTY: &str = "loop-sync bug: an `RwLock` tried to grant the lock to \
     a waiter from an empty wait list; this is a bug in loop-sync, not in your program: please \
     report it with the program that triggers it";

/// `Gather`/`TryGather` handing out outputs before every future completed.
pub(crate) const GATHER_OUTPUT_MISSING: &str = "loop-sync bug: a gather handed out its outputs \
     before every future had completed; this is a bug in loop-sync, not in your program: \
     please report it with the program that triggers it";

/// `TryGather` keeping an error among its outputs instead of returning it.
pub(crate) const TRY_GATHER_KEPT_ERROR: &str = "loop-sync bug: `try_gather` kept an error \
     among its outputs instead of returning it; this is a bug in loop-sync, not in your \
     program: please report it with the program that triggers it";

/// `gather!` taking one branch's output twice.
pub const GATHER_MACRO_OUTPUT_TAKEN: &str = "loop-sync bug: `gather!` took a branch's output \
     twice; this is a bug in loop-sync, not in your program: please report it with the program \
     that triggers it";

#[cfg(test)]
mod tests {
    use super::*;

    const MISUSE: [&str; 3] = [
        SEND_POLLED_AFTER_COMPLETION,
        GATHER_POLLED_AFTER_COMPLETION,
        BLOCKING_IN_TASK,
    ];
    const OTHER_MISUSE: [&str; 2] = [ONESHOT_POLLED_AFTER_COMPLETION, TOO_MANY_READERS];

    const BUGS: [&str; 6] = [
        SENDER_ENTRY_EMPTY,
        DISPATCH_EMPTY,
        ONESHOT_VALUE_MISSING,
        GATHER_OUTPUT_MISSING,
        TRY_GATHER_KEPT_ERROR,
        GATHER_MACRO_OUTPUT_TAKEN,
    ];

    #[test]
    fn every_misuse_message_names_the_crate_and_a_fix() {
        for message in MISUSE {
            assert!(message.starts_with("loop-sync: "), "{message}");
            assert!(message.contains("; await"), "no fix named: {message}");
        }
    }

    #[test]
    fn the_lock_and_oneshot_messages_name_the_crate_and_a_fix() {
        for message in OTHER_MISUSE {
            assert!(message.starts_with("loop-sync: "), "{message}");
            assert!(
                message.contains("; await") || message.contains(": drop each"),
                "no fix named: {message}"
            );
        }
    }

    #[test]
    fn the_bad_argument_message_names_the_crate_and_a_fix() {
        let message = BROADCAST_CAPACITY_ZERO;
        assert!(message.starts_with("loop-sync: "), "{message}");
        assert!(message.contains("; give"), "no fix named: {message}");
    }

    #[test]
    fn every_invariant_message_says_it_is_a_bug_to_report() {
        for message in BUGS {
            assert!(message.starts_with("loop-sync bug: "), "{message}");
            assert!(message.contains("not in your program"), "{message}");
            assert!(message.ends_with("please report it with the program that triggers it"));
        }
    }
}

//! Every live task of a loop, so that dropping the loop can drop their
//! futures, and a dump can list them.
//!
//! A slab: a task's index is stored in its header when it is inserted and used
//! to remove it in O(1) when it completes. Free indices are reused.
//!
//! The slots live in fixed chunks of [`CHUNK`] rather than one `Vec`: a
//! growing `Vec` doubles, so right after it grows half of it is empty, up to
//! 16 bytes of empty slot per live task; chunks waste at most one chunk
//! (issue 17's memory per idle task).

use crate::task::TaskRef;

/// Slots per chunk: 16 KiB of fat pointers, so one allocation per 1 024
/// spawns (smaller chunks cost page faults on the spawn benchmark).
const CHUNK: usize = 1024;

type Chunk = [Option<TaskRef>; CHUNK];

/// An empty chunk, written in place on the heap (not built on the stack and
/// copied).
#[cold]
fn new_chunk() -> Box<Chunk> {
    let slots: Box<[Option<TaskRef>]> = (0..CHUNK).map(|_| None).collect();
    slots
        .try_into()
        .unwrap_or_else(|_| unreachable!("CHUNK slots"))
}

#[derive(Default)]
pub(crate) struct Registry {
    /// Boxed: the `Vec` that grows by doubling holds one pointer per chunk,
    /// not the chunks themselves (which would bring the doubling back).
    #[allow(clippy::vec_box)]
    chunks: Vec<Box<Chunk>>,
    /// Slots handed out so far (used, or in `free`).
    high: u32,
    free: Vec<u32>,
    len: usize,
}

impl Registry {
    fn slot(&mut self, index: u32) -> Option<&mut Option<TaskRef>> {
        let index = index as usize;
        Some(&mut self.chunks.get_mut(index / CHUNK)?[index % CHUNK])
    }

    /// Adds a task, tells it its index (`Header::set_slot`), and returns the index.
    #[inline]
    pub(crate) fn insert(&mut self, task: TaskRef) -> u32 {
        self.len += 1;
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                let index = self.high;
                assert!(
                    index != crate::task::UNREGISTERED,
                    "{}",
                    crate::messages::TOO_MANY_TASKS
                );
                if index as usize == self.chunks.len() * CHUNK {
                    self.chunks.push(new_chunk());
                }
                self.high += 1;
                index
            }
        };
        // The task learns its slot before it is stored: no extra reference
        // needed to reach its header afterwards.
        crate::task::header(&task).set_slot(index);
        *self.slot(index).expect("a handed-out slot exists") = Some(task);
        index
    }

    /// Removes the task at `index`; the caller drops it outside any borrow.
    #[inline]
    pub(crate) fn remove(&mut self, index: u32) -> Option<TaskRef> {
        let task = self.slot(index)?.take()?;
        self.len -= 1;
        self.free.push(index);
        Some(task)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Every task, in index order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &TaskRef> {
        self.chunks.iter().flat_map(|chunk| chunk.iter().flatten())
    }

    /// Empties the registry, returning every task it held.
    pub(crate) fn take_all(&mut self) -> Vec<TaskRef> {
        let mut tasks = Vec::with_capacity(self.len);
        if self.len > 0 {
            // Taken slot by slot in place: moving a chunk out by value
            // would copy its 16 KiB first.
            for chunk in &mut self.chunks {
                tasks.extend(chunk.iter_mut().filter_map(Option::take));
            }
        }
        self.len = 0;
        self.high = 0;
        self.free.clear();
        self.chunks.clear();
        tasks
    }
}

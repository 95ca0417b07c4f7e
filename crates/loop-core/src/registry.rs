//! Every live task of a loop, so that dropping the loop can drop their futures.
//!
//! A slab: a task's index is stored in its header when it is inserted and used
//! to remove it in O(1) when it completes. Free indices are reused.

use crate::task::TaskRef;

#[derive(Default)]
pub(crate) struct Registry {
    slots: Vec<Option<TaskRef>>,
    free: Vec<u32>,
    len: usize,
}

impl Registry {
    /// Adds a task and returns its index.
    pub(crate) fn insert(&mut self, task: TaskRef) -> u32 {
        self.len += 1;
        match self.free.pop() {
            Some(index) => {
                self.slots[index as usize] = Some(task);
                index
            }
            None => {
                let index = u32::try_from(self.slots.len())
                    .ok()
                    .filter(|&i| i != crate::task::UNREGISTERED)
                    .expect(crate::messages::TOO_MANY_TASKS);
                self.slots.push(Some(task));
                index
            }
        }
    }

    /// Removes the task at `index`; the caller drops it outside any borrow.
    pub(crate) fn remove(&mut self, index: u32) -> Option<TaskRef> {
        let task = self.slots.get_mut(index as usize)?.take()?;
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

    /// Empties the registry, returning every task it held.
    pub(crate) fn take_all(&mut self) -> Vec<TaskRef> {
        self.len = 0;
        self.free.clear();
        std::mem::take(&mut self.slots)
            .into_iter()
            .flatten()
            .collect()
    }
}

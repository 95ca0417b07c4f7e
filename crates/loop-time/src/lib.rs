//! goldiloop's loop-time layer (lands with its issue).

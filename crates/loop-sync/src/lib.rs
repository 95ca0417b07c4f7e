//! goldiloop's loop-sync layer (lands with its issue).

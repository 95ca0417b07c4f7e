//! goldiloop's loop-net layer (lands with its issue).

//! Kernel layer: fault decoding and the executive's dispatch loop.

pub mod fault;

//! Executive support: boot sequence, heap, statistics.

pub mod stats;

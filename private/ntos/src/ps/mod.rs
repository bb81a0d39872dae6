//! Process structure: address spaces, threads and the first client protocol.

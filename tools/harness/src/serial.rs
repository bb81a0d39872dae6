//! Serial console capture: splitting QEMU's output into timestamped lines,
//! removing terminal escapes for matching, and a bounded tail buffer.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// One line of serial output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialLine {
    /// Time from QEMU's start to the arrival of the line's first byte.
    pub elapsed: Duration,
    /// The line as the guest printed it, including escape sequences
    /// (without the line terminator).
    pub raw: String,
    /// The line with ANSI escapes and carriage returns removed: what
    /// `expect*` matches against.
    pub text: String,
}

impl SerialLine {
    fn new(elapsed: Duration, raw_bytes: &[u8]) -> Self {
        let raw = String::from_utf8_lossy(raw_bytes).into_owned();
        let text = strip_ansi(&raw);
        SerialLine { elapsed, raw, text }
    }
}

/// Removes ANSI/VT100 escape sequences (CSI such as colours, OSC titles and
/// two-byte escapes) and carriage returns. The seL4 debug kernel colours its
/// messages, which would otherwise split the words tests look for.
pub fn strip_ansi(s: &str) -> String {
    #[derive(Clone, Copy)]
    enum St {
        Text,
        Esc,
        Csi,
        Osc,
        OscEsc,
    }
    let mut out = String::with_capacity(s.len());
    let mut st = St::Text;
    for c in s.chars() {
        st = match (st, c) {
            (St::Text, '\x1b') => St::Esc,
            (St::Text, '\r') => St::Text,
            (St::Text, c) => {
                out.push(c);
                St::Text
            }
            (St::Esc, '[') => St::Csi,
            (St::Esc, ']') => St::Osc,
            // Any other byte completes a two-byte escape (ESC c, ESC 7, ...).
            (St::Esc, _) => St::Text,
            // CSI parameters and intermediates are 0x20..=0x3f; the final byte ends it.
            (St::Csi, '\x40'..='\x7e') => St::Text,
            (St::Csi, _) => St::Csi,
            (St::Osc, '\x07') => St::Text,
            (St::Osc, '\x1b') => St::OscEsc,
            (St::Osc, _) => St::Osc,
            (St::OscEsc, '\\') => St::Text,
            (St::OscEsc, _) => St::Osc,
        };
    }
    out
}

/// Keeps the last `capacity` items pushed into it.
#[derive(Debug, Clone)]
pub struct TailBuffer<T> {
    items: VecDeque<T>,
    capacity: usize,
}

impl<T> TailBuffer<T> {
    /// An empty buffer holding at most `capacity` items.
    pub fn new(capacity: usize) -> Self {
        TailBuffer {
            items: VecDeque::with_capacity(capacity.min(1024)),
            capacity,
        }
    }

    /// Appends an item, dropping the oldest one when full.
    pub fn push(&mut self, item: T) {
        if self.capacity == 0 {
            return;
        }
        if self.items.len() == self.capacity {
            self.items.pop_front();
        }
        self.items.push_back(item);
    }

    /// Number of items held.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The held items, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.items.iter()
    }
}

/// Splits a byte stream into lines, remembering when each line started.
#[derive(Debug, Default)]
pub(crate) struct LineSplitter {
    partial: Vec<u8>,
    partial_start: Option<Duration>,
}

impl LineSplitter {
    /// Feeds a chunk read at `now`; returns the completed lines.
    pub(crate) fn feed(&mut self, chunk: &[u8], now: Duration) -> Vec<SerialLine> {
        let mut done = Vec::new();
        for &b in chunk {
            if self.partial_start.is_none() {
                self.partial_start = Some(now);
            }
            if b == b'\n' {
                done.push(self.take());
            } else {
                self.partial.push(b);
            }
        }
        done
    }

    /// The unterminated text received so far (a prompt, typically).
    pub(crate) fn pending(&self) -> Option<SerialLine> {
        self.partial_start
            .map(|start| SerialLine::new(start, &self.partial))
    }

    /// Ends the stream: any unterminated text becomes a last line.
    pub(crate) fn finish(&mut self) -> Option<SerialLine> {
        if self.partial.is_empty() {
            None
        } else {
            Some(self.take())
        }
    }

    fn take(&mut self) -> SerialLine {
        let start = self.partial_start.take().unwrap_or_default();
        let line = SerialLine::new(start, &self.partial);
        self.partial.clear();
        line
    }
}

/// What the reader thread has collected so far.
#[derive(Debug, Default)]
pub(crate) struct Captured {
    pub(crate) lines: Vec<SerialLine>,
    /// The current unterminated line, if any.
    pub(crate) pending: Option<SerialLine>,
    /// Set when the stream ended (QEMU closed its stdout).
    pub(crate) eof: bool,
}

/// Capture state shared between the reader thread and the harness.
#[derive(Debug, Default)]
pub(crate) struct SharedCapture {
    state: Mutex<Captured>,
    changed: Condvar,
}

impl SharedCapture {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Captured> {
        // A poisoned lock only means a reader thread panicked mid-update; the
        // lines collected so far are still the best information we have.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until the capture changes or `timeout` passes.
    pub(crate) fn wait<'a>(
        &self,
        guard: MutexGuard<'a, Captured>,
        timeout: Duration,
    ) -> MutexGuard<'a, Captured> {
        match self.changed.wait_timeout(guard, timeout) {
            Ok((g, _)) => g,
            Err(e) => e.into_inner().0,
        }
    }

    fn notify(&self) {
        self.changed.notify_all();
    }
}

/// Where the reader thread copies what it reads.
pub(crate) struct Sinks {
    pub(crate) log: Option<File>,
    /// Prefix for live echo to stderr; `None` disables the echo.
    pub(crate) echo_prefix: Option<String>,
}

/// Reads `source` until end of stream, splitting it into lines for
/// `shared` and copying each line to the sinks.
pub(crate) fn pump(
    mut source: impl Read,
    start: Instant,
    shared: Arc<SharedCapture>,
    mut sinks: Sinks,
) {
    let mut splitter = LineSplitter::default();
    let mut buf = [0u8; 4096];
    loop {
        let n = match source.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        let done = splitter.feed(&buf[..n], start.elapsed());
        for line in &done {
            sinks.emit(line);
        }
        let mut st = shared.lock();
        st.lines.extend(done);
        st.pending = splitter.pending();
        drop(st);
        shared.notify();
    }
    let last = splitter.finish();
    if let Some(line) = &last {
        sinks.emit(line);
    }
    if let Some(log) = sinks.log.as_mut() {
        let _ = log.flush();
    }
    let mut st = shared.lock();
    st.lines.extend(last);
    st.pending = None;
    st.eof = true;
    drop(st);
    shared.notify();
}

impl Sinks {
    fn emit(&mut self, line: &SerialLine) {
        // Logging is best effort: a full disk must not make a test fail
        // for reasons unrelated to the guest.
        if let Some(log) = self.log.as_mut() {
            let _ = writeln!(log, "[{:>9.3}] {}", line.elapsed.as_secs_f64(), line.raw);
        }
        if let Some(prefix) = &self.echo_prefix {
            eprintln!("{prefix}{}", line.text);
        }
    }
}

/// Renders lines as `[   1.234] text`, the format used in error messages.
pub(crate) fn format_lines<'a>(lines: impl IntoIterator<Item = &'a SerialLine>) -> String {
    let mut out = String::new();
    for l in lines {
        out.push_str(&format!(
            "  [{:>8.3}] {}\n",
            l.elapsed.as_secs_f64(),
            l.text
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_colour_codes() {
        assert_eq!(strip_ansi("\x1b[32mBoot\x1b[0m config"), "Boot config");
        assert_eq!(strip_ansi("\x1b[1;31;40mred\x1b[m!"), "red!");
        assert_eq!(strip_ansi("line\r"), "line");
        assert_eq!(strip_ansi("a\x1b]0;title\x07b"), "ab");
        assert_eq!(strip_ansi("a\x1b]0;title\x1b\\b"), "ab");
        assert_eq!(strip_ansi("x\x1bcy"), "xy");
        assert_eq!(strip_ansi("\x1b[2J\x1b[Hclear"), "clear");
        assert_eq!(strip_ansi("plain ünïcode"), "plain ünïcode");
    }

    #[test]
    fn tail_buffer_keeps_last_items() {
        let mut t = TailBuffer::new(3);
        assert!(t.is_empty());
        for i in 0..5 {
            t.push(i);
        }
        assert_eq!(t.len(), 3);
        assert_eq!(t.iter().copied().collect::<Vec<_>>(), vec![2, 3, 4]);
        let mut zero = TailBuffer::new(0);
        zero.push(1);
        assert!(zero.is_empty());
    }

    #[test]
    fn splitter_handles_chunks_and_timestamps() {
        let mut s = LineSplitter::default();
        let ms = Duration::from_millis;
        assert!(s.feed(b"hel", ms(1)).is_empty());
        assert_eq!(s.pending().map(|l| l.text), Some("hel".to_string()));
        let done = s.feed(b"lo\r\n\x1b[31mtwo\x1b[0m\nthr", ms(5));
        assert_eq!(done.len(), 2);
        assert_eq!(done[0].text, "hello");
        assert_eq!(done[0].elapsed, ms(1));
        assert_eq!(done[1].raw, "\x1b[31mtwo\x1b[0m");
        assert_eq!(done[1].text, "two");
        assert_eq!(done[1].elapsed, ms(5));
        let last = s.finish().expect("unterminated line");
        assert_eq!(last.text, "thr");
        assert_eq!(s.finish(), None);
        assert_eq!(s.pending(), None);
    }

    #[test]
    fn invalid_utf8_is_kept_lossily() {
        let mut s = LineSplitter::default();
        let done = s.feed(b"a\xffb\n", Duration::ZERO);
        assert_eq!(done[0].text, "a\u{fffd}b");
    }

    #[test]
    fn pump_collects_lines_and_eof() {
        let shared = Arc::new(SharedCapture::default());
        let sinks = Sinks {
            log: None,
            echo_prefix: None,
        };
        pump(
            &b"one\ntwo\nthree"[..],
            Instant::now(),
            shared.clone(),
            sinks,
        );
        let st = shared.lock();
        let texts: Vec<_> = st.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["one", "two", "three"]);
        assert!(st.eof);
    }
}

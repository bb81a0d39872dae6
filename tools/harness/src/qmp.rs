//! A minimal synchronous QMP (QEMU Machine Protocol) client.
//!
//! QMP is line-delimited JSON. Commands are answered in order, so one
//! outstanding command at a time needs no ids; asynchronous events can
//! arrive between replies and are set aside.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use crate::error::HarnessError;

/// How long a single QMP reply may take. Generous because TCG guests on a
/// loaded 2-core machine can stall QEMU's main loop.
pub const QMP_REPLY_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) struct QmpClient {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    events: Vec<Value>,
}

impl QmpClient {
    /// Connects and negotiates capabilities. Fails fast if nothing listens;
    /// the caller retries while QEMU starts up.
    pub(crate) fn connect(path: &Path) -> std::io::Result<UnixStream> {
        UnixStream::connect(path)
    }

    /// Performs the greeting/capabilities handshake on a fresh connection.
    pub(crate) fn handshake(stream: UnixStream) -> Result<Self, HarnessError> {
        stream
            .set_read_timeout(Some(QMP_REPLY_TIMEOUT))
            .map_err(|e| HarnessError::io("QMP socket", e))?;
        let writer = stream
            .try_clone()
            .map_err(|e| HarnessError::io("QMP socket", e))?;
        let mut client = QmpClient {
            reader: BufReader::new(stream),
            writer,
            events: Vec::new(),
        };
        let greeting = client.read_message()?;
        if greeting.get("QMP").is_none() {
            return Err(HarnessError::Qmp(format!(
                "unexpected greeting: {greeting}"
            )));
        }
        client.execute("qmp_capabilities", Value::Null)?;
        Ok(client)
    }

    /// Runs `command`; `args` of `null` sends no arguments. Returns the
    /// command's `return` value.
    pub(crate) fn execute(&mut self, command: &str, args: Value) -> Result<Value, HarnessError> {
        let request = match args {
            Value::Null => json!({ "execute": command }),
            args => json!({ "execute": command, "arguments": args }),
        };
        let mut line = request.to_string();
        line.push('\n');
        self.writer
            .write_all(line.as_bytes())
            .map_err(|e| HarnessError::io(format!("sending QMP command `{command}`"), e))?;
        loop {
            let msg = self.read_message()?;
            if msg.get("event").is_some() {
                self.events.push(msg);
                continue;
            }
            return parse_reply(command, msg);
        }
    }

    /// Events received so far (e.g. `SHUTDOWN`), oldest first; clears them.
    pub(crate) fn take_events(&mut self) -> Vec<Value> {
        std::mem::take(&mut self.events)
    }

    fn read_message(&mut self) -> Result<Value, HarnessError> {
        let mut line = String::new();
        let n = self
            .reader
            .read_line(&mut line)
            .map_err(|e| HarnessError::io("reading from QMP", e))?;
        if n == 0 {
            return Err(HarnessError::Qmp("QEMU closed the QMP connection".into()));
        }
        serde_json::from_str(&line).map_err(|e| {
            HarnessError::Qmp(format!("bad JSON from QEMU ({e}): {}", line.trim_end()))
        })
    }
}

/// Turns a reply into the command's result or a typed error.
pub(crate) fn parse_reply(command: &str, msg: Value) -> Result<Value, HarnessError> {
    if let Some(ret) = msg.get("return") {
        return Ok(ret.clone());
    }
    if let Some(err) = msg.get("error") {
        let field = |k: &str| {
            err.get(k)
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string()
        };
        return Err(HarnessError::QmpCommand {
            command: command.to_string(),
            class: field("class"),
            desc: field("desc"),
        });
    }
    Err(HarnessError::Qmp(format!(
        "unexpected reply to `{command}`: {msg}"
    )))
}

/// `send-key` arguments pressing `keys` together.
pub(crate) fn send_key_args(keys: &[&str], hold_time_ms: Option<u32>) -> Value {
    let keys: Vec<Value> = keys
        .iter()
        .map(|k| json!({ "type": "qcode", "data": k }))
        .collect();
    match hold_time_ms {
        Some(ms) => json!({ "keys": keys, "hold-time": ms }),
        None => json!({ "keys": keys }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_replies() {
        assert_eq!(
            parse_reply("x", json!({"return": {"a": 1}})).expect("ok"),
            json!({"a": 1})
        );
        let err = parse_reply(
            "screendump",
            json!({"error": {"class": "GenericError", "desc": "no"}}),
        )
        .expect_err("error reply");
        assert_eq!(
            err.to_string(),
            "QMP command `screendump` failed: GenericError: no"
        );
        assert!(matches!(
            parse_reply("x", json!({"foo": 1})),
            Err(HarnessError::Qmp(_))
        ));
    }

    #[test]
    fn builds_send_key_arguments() {
        assert_eq!(
            send_key_args(&["shift", "a"], None),
            json!({"keys": [{"type": "qcode", "data": "shift"}, {"type": "qcode", "data": "a"}]})
        );
        assert_eq!(
            send_key_args(&["ret"], Some(50)),
            json!({"keys": [{"type": "qcode", "data": "ret"}], "hold-time": 50})
        );
    }

    #[test]
    fn client_over_socketpair() {
        // A scripted peer stands in for QEMU to check the framing and that
        // events between replies are kept, not mistaken for the reply.
        let (ours, theirs) = UnixStream::pair().expect("socketpair");
        let peer = std::thread::spawn(move || {
            let mut r = BufReader::new(theirs.try_clone().expect("clone"));
            let mut w = theirs;
            w.write_all(b"{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n")
                .expect("greet");
            let mut line = String::new();
            r.read_line(&mut line).expect("caps");
            assert!(line.contains("qmp_capabilities"));
            w.write_all(b"{\"return\": {}}\n").expect("caps reply");
            line.clear();
            r.read_line(&mut line).expect("cmd");
            let req: Value = serde_json::from_str(&line).expect("json");
            assert_eq!(req["execute"], "query-status");
            w.write_all(
                b"{\"event\": \"STOP\", \"timestamp\": {}}\n{\"return\": {\"running\": true}}\n",
            )
            .expect("reply");
        });
        let mut client = QmpClient::handshake(ours).expect("handshake");
        let ret = client.execute("query-status", Value::Null).expect("query");
        assert_eq!(ret, json!({"running": true}));
        let events = client.take_events();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["event"], "STOP");
        peer.join().expect("peer");
        assert!(matches!(
            client.execute("query-status", Value::Null),
            Err(HarnessError::Qmp(_)) | Err(HarnessError::Io { .. })
        ));
    }
}

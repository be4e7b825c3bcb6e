//! Wyoming's framing: a JSON header line, then `data_length` bytes of JSON data merged over the
//! header's `data`, then `payload_length` raw bytes.
//!
//! The reader bounds everything a client controls: the header line, `data_length` and
//! `payload_length` are checked before anything is allocated for them. A header that is not
//! JSON (a line of garbage) is skipped with an error; an over-long line, an over-large block or
//! a stream cut inside an event ends the connection.

use serde_json::{Map, Value, json};
use tokio::io::{AsyncBufRead, AsyncBufReadExt as _, AsyncReadExt as _};

/// The protocol version written in every header: the `wyoming` package release whose events
/// this module speaks.
pub(crate) const VERSION: &str = "1.10.2";

/// The longest header line accepted, in bytes (with its `\n`).
pub(crate) const MAX_HEADER_BYTES: usize = 64 << 10;
/// The largest `data_length` accepted.
pub(crate) const MAX_DATA_BYTES: usize = 1 << 20;
/// The largest `payload_length` accepted (a TTS server reads no audio; a client's payload is
/// read and dropped).
pub(crate) const MAX_PAYLOAD_BYTES: usize = 1 << 20;

/// One event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    /// `type`.
    pub(crate) kind: String,
    /// `data`, the header's merged with the data block's.
    pub(crate) data: Map<String, Value>,
}

/// Why no event was read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The stream ended between events.
    Closed,
    /// Something the stream cannot recover from: the connection is closed after an `error`.
    Fatal(String),
    /// A malformed event that was read whole: answered with an `error`, the next one is read.
    Malformed(String),
}

/// Reads one event from `reader`.
pub(crate) async fn read_event<R: AsyncBufRead + Unpin>(
    reader: &mut R,
) -> Result<Event, ReadError> {
    let mut line = Vec::new();
    let n = (&mut *reader)
        .take(MAX_HEADER_BYTES as u64)
        .read_until(b'\n', &mut line)
        .await
        .map_err(|e| ReadError::Fatal(format!("reading the event failed: {e}")))?;
    if n == 0 {
        return Err(ReadError::Closed);
    }
    if line.last() != Some(&b'\n') {
        return Err(if line.len() >= MAX_HEADER_BYTES {
            ReadError::Fatal(format!(
                "the event header is longer than {MAX_HEADER_BYTES} bytes"
            ))
        } else {
            ReadError::Fatal("the stream ended inside an event header".into())
        });
    }
    let header: Value = match serde_json::from_slice(&line) {
        Ok(v) => v,
        Err(e) => {
            if line.iter().all(u8::is_ascii_whitespace) {
                return Err(ReadError::Malformed("an empty event header".into()));
            }
            return Err(ReadError::Malformed(format!(
                "the event header is not JSON: {e}"
            )));
        }
    };
    let Value::Object(mut header) = header else {
        return Err(ReadError::Malformed(
            "the event header is not a JSON object".into(),
        ));
    };
    let data_length = length(&header, "data_length", MAX_DATA_BYTES)?;
    let payload_length = length(&header, "payload_length", MAX_PAYLOAD_BYTES)?;
    let mut block = vec![0; data_length];
    read_block(reader, &mut block, "data").await?;
    skip_payload(reader, payload_length).await?;
    let kind = match header.remove("type") {
        Some(Value::String(s)) if !s.is_empty() => s,
        _ => {
            return Err(ReadError::Malformed(
                "the event has no `type` string".into(),
            ));
        }
    };
    let mut data = match header.remove("data") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(o)) => o,
        Some(_) => return Err(ReadError::Malformed("`data` is not a JSON object".into())),
    };
    if data_length > 0 {
        match serde_json::from_slice(&block) {
            Ok(Value::Object(more)) => data.extend(more),
            Ok(_) => {
                return Err(ReadError::Malformed(
                    "the data block is not a JSON object".into(),
                ));
            }
            Err(e) => {
                return Err(ReadError::Malformed(format!(
                    "the data block is not JSON: {e}"
                )));
            }
        }
    }
    Ok(Event { kind, data })
}

/// A length field: absent or null is 0; a negative, fractional or over-large one is fatal
/// (the bytes that follow cannot be framed).
fn length(header: &Map<String, Value>, key: &str, max: usize) -> Result<usize, ReadError> {
    match header.get(key) {
        None | Some(Value::Null) => Ok(0),
        Some(v) => match v.as_u64() {
            Some(n) if n <= max as u64 => Ok(n as usize),
            Some(n) => Err(ReadError::Fatal(format!(
                "`{key}` {n} is over the limit of {max} bytes"
            ))),
            None => Err(ReadError::Fatal(format!(
                "`{key}` is not a byte count: {v}"
            ))),
        },
    }
}

async fn read_block<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    block: &mut [u8],
    what: &str,
) -> Result<(), ReadError> {
    reader
        .read_exact(block)
        .await
        .map(drop)
        .map_err(|_| ReadError::Fatal(format!("the stream ended inside an event's {what}")))
}

async fn skip_payload<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    len: usize,
) -> Result<(), ReadError> {
    let copied = tokio::io::copy(&mut (&mut *reader).take(len as u64), &mut tokio::io::sink())
        .await
        .map_err(|e| ReadError::Fatal(format!("reading the payload failed: {e}")))?;
    if copied < len as u64 {
        return Err(ReadError::Fatal(
            "the stream ended inside an event's payload".into(),
        ));
    }
    Ok(())
}

/// An event's bytes: the header line, the data block (as the 1.10.2 writer puts it), the
/// payload.
pub(crate) fn encode(kind: &str, data: Option<Value>, payload: &[u8]) -> Vec<u8> {
    let mut header = json!({"type": kind, "version": VERSION});
    let data = data
        .filter(|d| d.as_object().is_some_and(|o| !o.is_empty()))
        .map(|d| d.to_string().into_bytes());
    if let Some(d) = &data {
        header["data_length"] = json!(d.len());
    }
    if !payload.is_empty() {
        header["payload_length"] = json!(payload.len());
    }
    let mut out = header.to_string().into_bytes();
    out.push(b'\n');
    if let Some(d) = data {
        out.extend(d);
    }
    out.extend_from_slice(payload);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read_all(bytes: &[u8]) -> Vec<Result<Event, String>> {
        let mut reader = tokio::io::BufReader::new(bytes);
        let mut out = Vec::new();
        loop {
            match read_event(&mut reader).await {
                Ok(e) => out.push(Ok(e)),
                Err(ReadError::Closed) => break,
                Err(ReadError::Malformed(m)) => out.push(Err(m)),
                Err(ReadError::Fatal(m)) => {
                    out.push(Err(format!("fatal: {m}")));
                    break;
                }
            }
        }
        out
    }

    #[tokio::test]
    async fn inline_data_and_data_blocks_merge_and_payloads_are_skipped() {
        let mut bytes = encode("synthesize", Some(json!({"text": "Hi."})), b"");
        bytes.extend(b"{\"type\":\"ping\",\"data\":{\"text\":\"a\",\"x\":1},\"data_length\":12,\"payload_length\":3}\n{\"text\":\"b\"}xyz");
        bytes.extend(b"{\"type\":\"describe\"}\n");
        let events = read_all(&bytes).await;
        assert_eq!(events.len(), 3);
        let e0 = events[0].as_ref().unwrap();
        assert_eq!(
            (e0.kind.as_str(), &e0.data["text"]),
            ("synthesize", &json!("Hi."))
        );
        let e1 = events[1].as_ref().unwrap();
        assert_eq!(e1.kind, "ping");
        assert_eq!(e1.data["text"], json!("b"));
        assert_eq!(e1.data["x"], json!(1));
        assert_eq!(events[2].as_ref().unwrap().kind, "describe");
    }

    #[tokio::test]
    async fn garbage_lines_are_skipped_and_bad_lengths_end_the_stream() {
        let events = read_all(b"not json\n[1,2]\n{\"data\":{}}\n{\"type\":\"ping\"}\n").await;
        assert_eq!(events.len(), 4);
        assert!(events[0].as_ref().unwrap_err().contains("not JSON"));
        assert!(
            events[1]
                .as_ref()
                .unwrap_err()
                .contains("not a JSON object")
        );
        assert!(events[2].as_ref().unwrap_err().contains("no `type`"));
        assert_eq!(events[3].as_ref().unwrap().kind, "ping");
        let huge = read_all(b"{\"type\":\"ping\",\"data_length\":999999999999}\n").await;
        assert!(
            huge[0].as_ref().unwrap_err().contains("over the limit"),
            "{huge:?}"
        );
        let negative = read_all(b"{\"type\":\"ping\",\"payload_length\":-1}\n").await;
        assert!(
            negative[0]
                .as_ref()
                .unwrap_err()
                .contains("not a byte count")
        );
        let cut = read_all(b"{\"type\":\"ping\",\"data_length\":40}\n{\"te").await;
        assert!(
            cut[0].as_ref().unwrap_err().contains("ended inside"),
            "{cut:?}"
        );
        let half = read_all(b"{\"type\":\"pi").await;
        assert!(
            half[0]
                .as_ref()
                .unwrap_err()
                .contains("ended inside an event header")
        );
        let long = vec![b'x'; MAX_HEADER_BYTES + 10];
        let long = read_all(&long).await;
        assert!(long[0].as_ref().unwrap_err().contains("longer than"));
    }

    #[test]
    fn encoding_puts_data_in_a_block_as_the_reference_writer_does() {
        let bytes = encode("audio-chunk", Some(json!({"rate": 24000})), &[1, 2]);
        let text = String::from_utf8_lossy(&bytes);
        let (header, rest) = text.split_once('\n').unwrap();
        let header: Value = serde_json::from_str(header).unwrap();
        assert_eq!(header["type"], "audio-chunk");
        assert_eq!(header["version"], VERSION);
        assert_eq!(header["data_length"], json!(14));
        assert_eq!(header["payload_length"], json!(2));
        assert_eq!(rest.as_bytes(), b"{\"rate\":24000}\x01\x02");
        assert_eq!(
            encode("pong", None, b""),
            b"{\"type\":\"pong\",\"version\":\"1.10.2\"}\n".to_vec()
        );
    }
}

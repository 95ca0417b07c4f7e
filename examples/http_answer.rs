//! The HTTP work of `http_hello`: find the request heads, answer each with
//! `Hello, World!`. The example includes this file as a module, and so do the
//! tokio, smol and raw epoll servers of `benches/net.rs`, so that the
//! benchmark compares runtimes, not parsers.

/// Room for request heads: a head that does not fit is refused.
pub(crate) const BUF: usize = 8 * 1024;

/// The answer to every request on a connection that stays open.
pub(crate) const HELLO: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";
/// The answer to the last request on a connection.
pub(crate) const HELLO_CLOSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\nHello, World!";
/// The answer to a head that does not fit in [`BUF`].
pub(crate) const TOO_LARGE: &[u8] = b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// Finds the first complete request head in `buf`. Returns its length,
/// blank line included, and whether the connection stays open after the
/// answer.
fn parse_head(buf: &[u8]) -> Option<(usize, bool)> {
    let len = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let mut lines = buf[..len - 4].split(|&b| b == b'\n');
    let request_line = lines.next()?.trim_ascii_end();
    let mut keep_alive = request_line.ends_with(b"HTTP/1.1");
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"connection") {
            if value.eq_ignore_ascii_case(b"close") {
                keep_alive = false;
            } else if value.eq_ignore_ascii_case(b"keep-alive") {
                keep_alive = true;
            }
        } else if (name.eq_ignore_ascii_case(b"content-length") && value != b"0")
            || name.eq_ignore_ascii_case(b"transfer-encoding")
        {
            // A body this server does not read: answer, then close.
            return Some((len, false));
        }
    }
    Some((len, keep_alive))
}

/// Appends to `out` the answers to the complete request heads at the start
/// of `buf` (pipelined requests in order). Returns how many bytes of `buf`
/// they took and whether the connection stays open.
pub(crate) fn answer(buf: &[u8], out: &mut Vec<u8>) -> (usize, bool) {
    let mut start = 0;
    let mut open = true;
    while open && let Some((head, keep_alive)) = parse_head(&buf[start..]) {
        start += head;
        open = keep_alive;
        out.extend_from_slice(if open { HELLO } else { HELLO_CLOSE });
    }
    (start, open)
}

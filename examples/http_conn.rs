//! One HTTP connection served on goldiloop: the loop `http_hello` and
//! `http_per_core` share (each includes this file as a module, beside
//! `http_answer.rs` as `http`).

use std::io;

use goldiloop::net::AioSocket;

use super::http::{BUF, TOO_LARGE, answer};

/// Answers the requests on one connection until either side closes it.
pub(crate) async fn serve(conn: AioSocket) -> io::Result<()> {
    let mut buf = [0; BUF];
    let mut len = 0;
    let mut out = Vec::new();
    loop {
        let n = conn.recv(&mut buf[len..]).await?;
        if n == 0 {
            return Ok(());
        }
        len += n;
        let (start, open) = answer(&buf[..len], &mut out);
        if start == 0 && len == BUF {
            return conn.send_all(TOO_LARGE).await;
        }
        conn.send_all(&out).await?;
        out.clear();
        if !open {
            return Ok(());
        }
        buf.copy_within(start..len, 0);
        len -= start;
    }
}

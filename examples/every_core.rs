//! What `echo_per_core` and `http_per_core` share: their command line, and
//! one `SO_REUSEPORT` listener per loop on the same address. Each example
//! includes this file as a module.

use std::io;
use std::net::SocketAddr;
use std::sync::Mutex;

use goldiloop::net::TcpListener;

/// `[ADDR] [--loops N]`: where to listen, and how many loops (default: one
/// per CPU, pinned, through `run_per_core`).
pub(crate) struct Args {
    pub(crate) addr: SocketAddr,
    pub(crate) loops: Option<usize>,
}

pub(crate) fn args(default_addr: &str) -> io::Result<Args> {
    let bad = |what: String| io::Error::new(io::ErrorKind::InvalidInput, what);
    let mut args = Args {
        addr: default_addr.parse().unwrap(),
        loops: None,
    };
    let mut argv = std::env::args().skip(1);
    while let Some(arg) = argv.next() {
        if arg == "--loops" {
            let n = argv
                .next()
                .ok_or_else(|| bad("--loops needs a number".into()))?;
            args.loops = Some(n.parse().map_err(|e| bad(format!("--loops {n}: {e}")))?);
        } else {
            args.addr = arg.parse().map_err(|e| bad(format!("{arg}: {e}")))?;
        }
    }
    Ok(args)
}

/// The listeners of every loop: the first is bound here, on a loop of its
/// own, so that port 0 becomes a real port the other loops can share; it
/// moves to loop 0 as std's listener (`into_std`, then `from_std` there).
pub(crate) struct Listeners {
    pub(crate) addr: SocketAddr,
    first: Mutex<Option<std::net::TcpListener>>,
}

impl Listeners {
    pub(crate) fn bind(addr: SocketAddr) -> io::Result<Listeners> {
        let (addr, first) = goldiloop::run(async move {
            let listener = TcpListener::bind_reuseport(addr)?;
            Ok::<_, io::Error>((listener.local_addr()?, listener.into_std()))
        })?;
        Ok(Listeners {
            addr,
            first: Mutex::new(Some(first)),
        })
    }

    /// The listener of the loop running this: the first one for loop 0, a
    /// new `bind_reuseport` on the same address for the others.
    pub(crate) fn for_loop(&self, index: usize) -> io::Result<TcpListener> {
        let first = if index == 0 {
            self.first.lock().unwrap().take()
        } else {
            None
        };
        match first {
            Some(listener) => TcpListener::from_std(listener),
            None => TcpListener::bind_reuseport(self.addr),
        }
    }
}

/// Runs `body` on every loop: `run_per_core` (a pinned loop per CPU), or a
/// pool of `loops` unpinned loops.
pub(crate) fn run<B, F>(loops: Option<usize>, body: B) -> io::Result<Vec<F::Output>>
where
    B: Fn(usize) -> F + Send + Sync + 'static,
    F: Future + 'static,
    F::Output: Send + 'static,
{
    Ok(match loops {
        None => goldiloop::run_per_core(body),
        Some(n) => goldiloop::LoopPool::builder().loops(n).build()?.run(body),
    })
}

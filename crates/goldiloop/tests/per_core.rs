//! `run_per_core` and the facade's `LoopPool`: pinned loops with a Reactor
//! each, `SO_REUSEPORT` listeners spread across them.

#![cfg(all(feature = "net", feature = "time"))]

use std::collections::HashSet;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use goldiloop::net::TcpListener;
use goldiloop::{Loop, LoopPool, run_per_core};

/// The CPUs the calling thread may run on.
fn affinity() -> Vec<usize> {
    // SAFETY: all zeroes is a valid (empty) `cpu_set_t`.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` has the size passed; pid 0 is the calling thread.
    let rc = unsafe { libc::sched_getaffinity(0, size_of::<libc::cpu_set_t>(), &mut set) };
    assert_eq!(rc, 0, "{}", std::io::Error::last_os_error());
    (0..libc::CPU_SETSIZE as usize)
        // SAFETY: `cpu` is below `CPU_SETSIZE`.
        .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
        .collect()
}

#[test]
fn run_per_core_runs_the_body_once_per_cpu_on_distinct_pinned_threads() {
    let allowed = affinity();
    let out = run_per_core(|index| async move {
        let current = Loop::try_current().map(|h| h.id());
        (index, std::thread::current().id(), current, affinity())
    });
    assert_eq!(out.len(), allowed.len());
    let threads: HashSet<_> = out.iter().map(|o| o.1).collect();
    assert_eq!(threads.len(), allowed.len());
    for (i, (index, _, current, mask)) in out.iter().enumerate() {
        assert_eq!(*index, i);
        assert!(current.is_some(), "loop {i} has a current loop");
        assert_eq!(mask, &[allowed[i]], "loop {i} is pinned to its own CPU");
    }
}

#[test]
fn a_pool_of_n_pinned_loops_runs_the_body_n_times_each_pinned() {
    let allowed = affinity();
    for n in [1, 2, 3] {
        let pool = LoopPool::builder()
            .loops(n)
            .pin_to_cores(true)
            .build()
            .unwrap();
        let out = pool.run(|index| async move {
            // Sockets work: each loop has its Reactor.
            let listener = TcpListener::bind_reuseport("127.0.0.1:0").unwrap();
            (index, listener.local_addr().is_ok(), affinity())
        });
        assert_eq!(out.len(), n);
        for (i, (index, socket_ok, mask)) in out.into_iter().enumerate() {
            assert_eq!((index, socket_ok), (i, true));
            assert_eq!(mask, [allowed[i % allowed.len()]]);
        }
    }
}

#[test]
fn a_thousand_connections_to_a_reuseport_port_on_two_loops_are_all_served_by_both() {
    let pool = LoopPool::builder().loops(2).build().unwrap();
    // Loop 0 binds first (to a port the kernel picks), and hands its
    // listener back as std's: the port is then known before serving starts.
    let bound = pool.spawner(0).add_task_with(|| async {
        let listener = TcpListener::bind_reuseport("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        (listener.into_std(), addr)
    });
    let (first, addr) = Loop::new().run_task(bound).unwrap();
    let first = Arc::new(Mutex::new(Some(first)));
    let accepted: Arc<[AtomicUsize; 2]> = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let servers: Vec<_> = (0..2)
        .map(|i| {
            let (first, accepted, ready_tx) = (first.clone(), accepted.clone(), ready_tx.clone());
            pool.spawner(i).add_task_with(move || async move {
                let listener = match first.lock().unwrap().take().filter(|_| i == 0) {
                    Some(std_listener) => TcpListener::from_std(std_listener).unwrap(),
                    None => TcpListener::bind_reuseport(addr).unwrap(),
                };
                ready_tx.send(()).unwrap();
                loop {
                    let (stream, _) = listener.accept().await.unwrap();
                    accepted[i].fetch_add(1, Ordering::SeqCst);
                    drop(goldiloop::spawn(async move {
                        let mut byte = [0];
                        if stream.read(&mut byte).await.unwrap() == 1 {
                            stream.write(&[byte[0] + 1]).await.unwrap();
                        }
                    }));
                }
            })
        })
        .collect();
    for _ in 0..2 {
        ready_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    }
    for n in 0..1000u32 {
        let mut client = std::net::TcpStream::connect(addr).unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        client.write_all(&[(n % 200) as u8]).unwrap();
        let mut reply = [0];
        client.read_exact(&mut reply).unwrap();
        assert_eq!(reply[0], (n % 200) as u8 + 1, "connection {n}");
    }
    let counts = [0, 1].map(|i| accepted[i].load(Ordering::SeqCst));
    assert_eq!(counts[0] + counts[1], 1000);
    assert!(
        counts[0] > 0 && counts[1] > 0,
        "both loops accept: {counts:?}"
    );
    for server in servers {
        server.abort();
        assert!(Loop::new().run_task(server).unwrap_err().is_cancelled());
    }
}

#[test]
fn a_panic_in_one_loops_body_does_not_hang_run_while_another_waits_on_a_socket() {
    let pool = LoopPool::builder().loops(2).build().unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pool.run(|index| async move {
            let listener = TcpListener::bind_reuseport("127.0.0.1:0").unwrap();
            if index == 0 {
                panic!("loop zero fails");
            }
            let _ = listener.accept().await; // never comes
        })
    }));
    let message = test_support::payload_message(&*result.unwrap_err());
    assert!(message.ends_with("(loop 0: loop zero fails)"), "{message}");
}

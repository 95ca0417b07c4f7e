//! Host-name lookups run on loop-core's blocking pool: alone in their own
//! process, since they count the process's threads and set the pool's cap.

use std::time::{Duration, Instant};

use loop_core::{Loop, blocking, spawn};
use loop_net::{Reactor, TcpListener, TcpStream};

fn os_threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

#[test]
fn a_hundred_concurrent_lookups_start_no_more_threads_than_the_pools_cap() {
    blocking::set_max_threads(4);
    let baseline = os_threads();
    let lp = Loop::with_park(Reactor::new().unwrap());
    let (connected, most) = lp.run_task(async move {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepter = spawn(async move {
            let mut streams = Vec::new();
            for _ in 0..100 {
                streams.push(listener.accept().await.unwrap());
            }
            streams.len()
        });
        let clients: Vec<_> = (0..100)
            .map(|_| spawn(async move { TcpStream::connect(("localhost", port)).await }))
            .collect();
        let mut most = 0;
        let mut connected = 0;
        for client in clients {
            most = most.max(os_threads());
            // "localhost" may name ::1 first, where nothing listens: every
            // address is tried in turn, so the connection must succeed.
            client.await.unwrap().unwrap();
            connected += 1;
        }
        assert_eq!(accepter.await.unwrap(), 100);
        (connected, most)
    });
    assert_eq!(connected, 100);
    assert!(most <= baseline + 4, "{most} threads, baseline {baseline}");
    assert!(blocking::thread_count() <= 4);
    // And they go away when idle.
    blocking::set_idle_timeout(Duration::from_millis(20));
    let deadline = Instant::now() + Duration::from_secs(30);
    while blocking::thread_count() > 0 {
        assert!(
            Instant::now() < deadline,
            "pool threads still alive after 30 s"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

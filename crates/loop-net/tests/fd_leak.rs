//! No fd leaks: alone in its own test binary, so no other test opens fds meanwhile.

use std::net::SocketAddr;

use loop_core::Loop;
use loop_net::{Reactor, aiosocket};

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[test]
fn a_thousand_connect_accept_close_cycles_leak_no_fd() {
    let lp = Loop::with_park(Reactor::new().unwrap());
    lp.run_task(async {
        let server = aiosocket().unwrap();
        server.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        server.listen(1024).unwrap();
        let addr = server.local_addr().unwrap();
        let before = open_fds();
        for i in 0..1000 {
            let client = aiosocket().unwrap();
            client.connect(addr).await.unwrap();
            let (peer, _) = server.accept().await.unwrap();
            if i % 2 == 0 {
                drop(peer);
            } else {
                client.close();
                continue;
            }
            let refused = aiosocket().unwrap();
            let closed: SocketAddr = "127.0.0.1:1".parse().unwrap();
            assert!(refused.connect(closed).await.is_err());
        }
        assert_eq!(open_fds(), before);
    });
}

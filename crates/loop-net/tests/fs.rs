//! `fs`: whole-file helpers, directories, and `File` with its bounded
//! buffer, all on the blocking pool.

mod util;

use std::io::SeekFrom;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use loop_core::Loop;
use loop_net::fs::{self, File};

/// A fresh directory under the system's temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("goldiloop-fs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 241) as u8).collect()
}

#[test]
fn write_read_rename_metadata_and_remove_round_trip() {
    let dir = TempDir::new("round");
    let lp = Loop::new();
    lp.run_task(async {
        let a = dir.0.join("a.txt");
        let b = dir.0.join("nested/deeper");
        fs::write(&a, "hello file").await.unwrap();
        assert_eq!(fs::read_to_string(&a).await.unwrap(), "hello file");
        assert_eq!(fs::metadata(&a).await.unwrap().len(), 10);
        fs::create_dir_all(&b).await.unwrap();
        assert!(fs::metadata(&b).await.unwrap().is_dir());
        let moved = b.join("a.txt");
        fs::rename(&a, &moved).await.unwrap();
        assert_eq!(fs::read(&moved).await.unwrap(), b"hello file");
        fs::remove_file(&moved).await.unwrap();
        let err = fs::metadata(&moved).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    });
}

#[test]
fn opening_a_missing_path_is_not_found_naming_the_path() {
    let lp = Loop::new();
    let err = lp
        .run_task(File::open("/goldiloop/no/such/file.txt"))
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    assert!(
        err.to_string().contains("/goldiloop/no/such/file.txt"),
        "{err}"
    );
    let err = lp.run_task(fs::read("/goldiloop/missing")).unwrap_err();
    assert!(err.to_string().contains("/goldiloop/missing"), "{err}");
}

#[test]
fn a_file_written_in_small_pieces_reads_back_in_64_kib_chunks() {
    let dir = TempDir::new("chunks");
    let path = dir.0.join("big");
    let data = pattern(1 << 20);
    let lp = Loop::new();
    let back = lp.run_task({
        let (path, data) = (path.clone(), data.clone());
        async move {
            let mut file = File::create(&path).await.unwrap();
            for piece in data.chunks(1000) {
                file.write_all(piece).await.unwrap();
            }
            file.flush().await.unwrap();
            drop(file);
            let mut file = File::open(&path).await.unwrap();
            let mut back = Vec::new();
            let mut chunk = vec![0; 64 * 1024];
            loop {
                let n = file.read(&mut chunk).await.unwrap();
                if n == 0 {
                    break;
                }
                assert!(n <= 64 * 1024);
                back.extend_from_slice(&chunk[..n]);
            }
            back
        }
    });
    assert!(back == data);
    assert!(std::fs::read(&path).unwrap() == data);
}

#[test]
fn seeks_reads_and_writes_mix_at_the_position_the_caller_sees() {
    let dir = TempDir::new("seek");
    let path = dir.0.join("f");
    let lp = Loop::new();
    lp.run_task(async {
        let mut file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .await
            .unwrap();
        file.write_all(b"0123456789").await.unwrap();
        assert_eq!(file.seek(SeekFrom::Start(2)).await.unwrap(), 2);
        let mut two = [0; 2];
        file.read_exact(&mut two).await.unwrap();
        assert_eq!(&two, b"23");
        // The read fetched ahead; a write goes where the caller is (4).
        file.write_all(b"ab").await.unwrap();
        assert_eq!(file.seek(SeekFrom::Current(0)).await.unwrap(), 6);
        file.seek(SeekFrom::Start(0)).await.unwrap();
        let mut all = String::new();
        file.read_to_string(&mut all).await.unwrap();
        assert_eq!(all, "0123ab6789");
        file.set_len(4).await.unwrap();
        assert_eq!(file.metadata().await.unwrap().len(), 4);
        file.sync_all().await.unwrap();
    });
}

#[test]
fn unflushed_writes_are_written_when_the_file_is_dropped() {
    let dir = TempDir::new("drop");
    let path = dir.0.join("f");
    let lp = Loop::new();
    lp.run_task(async {
        let mut file = File::create(&path).await.unwrap();
        file.write_all(b"not flushed").await.unwrap();
        // dropped here, with the bytes still buffered
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::fs::read(&path).unwrap() != b"not flushed" {
        assert!(
            Instant::now() < deadline,
            "the buffered bytes never arrived"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn read_dir_lists_every_entry_across_batches() {
    let dir = TempDir::new("dir");
    for i in 0..150 {
        std::fs::write(dir.0.join(format!("{i:03}")), "").unwrap();
    }
    let lp = Loop::new();
    let mut names = lp.run_task(async {
        let entries = fs::read_dir(&dir.0).await.unwrap();
        entries
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect::<Vec<_>>()
            .await
    });
    names.sort();
    assert_eq!(
        names,
        (0..150).map(|i| format!("{i:03}")).collect::<Vec<_>>()
    );
    let err = lp.run_task(fs::read_dir("/goldiloop/nowhere")).unwrap_err();
    assert!(err.to_string().contains("/goldiloop/nowhere"), "{err}");
}

#[test]
fn a_write_error_is_reported_by_flush() {
    let lp = Loop::new();
    lp.run_task(async {
        // /dev/full fails every write with ENOSPC.
        let mut file = File::options().write(true).open("/dev/full").await.unwrap();
        file.write_all(b"no room").await.unwrap(); // buffered
        let err = file.flush().await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ENOSPC));
    });
}

#[test]
fn stdout_writes_through_the_blocking_pool() {
    let lp = Loop::new();
    lp.run_task(async {
        let mut out = loop_net::stdout();
        out.write_all(b"").await.unwrap();
        out.flush().await.unwrap();
        let mut err = loop_net::stderr();
        err.flush().await.unwrap();
    });
}

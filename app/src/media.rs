//! The media store: where photo files live, behind one small interface
//! ([`MediaStore`]) over the `object_store` crate. The local filesystem
//! (`data/media/` by default, created on first run) or any S3-compatible
//! store (S3, MinIO, R2) for `s3://bucket/prefix`, with credentials and
//! endpoint from the usual `AWS_*` variables. Also the image pipeline
//! ([`process`]) and the cap on concurrent image work. Server-only.

pub mod process;

use anyhow::Context as _;
use bytes::Bytes;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt as _, PutPayload};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Where photo files are kept, keyed `{media key}/{slot}.jpg`. Cheap to clone.
#[derive(Clone)]
pub struct MediaStore {
    inner: Arc<dyn ObjectStore>,
    /// Permits for decoding/encoding: one per core, so an upload storm
    /// queues here instead of starving page requests.
    image_work: Arc<Semaphore>,
    description: String,
}

impl std::fmt::Debug for MediaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaStore")
            .field("at", &self.description)
            .finish_non_exhaustive()
    }
}

impl MediaStore {
    /// Opens the store `url` names: `s3://bucket[/prefix]` (credentials,
    /// region and endpoint from `AWS_*` variables), `memory:` (tests), or
    /// a local folder (a path or `file:///path`), created if missing.
    ///
    /// # Errors
    /// When the folder can't be created or the S3 settings are incomplete.
    pub fn open(url: &str) -> anyhow::Result<Self> {
        let (inner, description): (Arc<dyn ObjectStore>, String) = if let Some(rest) =
            url.strip_prefix("s3://")
        {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let s3 = object_store::aws::AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .build()
                .context("configuring the S3 media store")?;
            let store: Arc<dyn ObjectStore> = if prefix.trim_matches('/').is_empty() {
                Arc::new(s3)
            } else {
                Arc::new(object_store::prefix::PrefixStore::new(
                    s3,
                    prefix.trim_matches('/'),
                ))
            };
            (store, url.to_owned())
        } else if url == "memory:" {
            (
                Arc::new(object_store::memory::InMemory::new()),
                "memory".to_owned(),
            )
        } else {
            let dir = url.strip_prefix("file://").unwrap_or(url);
            std::fs::create_dir_all(dir).with_context(|| format!("creating media folder {dir}"))?;
            let local = object_store::local::LocalFileSystem::new_with_prefix(dir)
                .with_context(|| format!("opening media folder {dir}"))?
                .with_automatic_cleanup(true);
            (Arc::new(local), dir.to_owned())
        };
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Ok(Self {
            inner,
            image_work: Arc::new(Semaphore::new(cores)),
            description,
        })
    }

    /// Where it stores, for logs.
    pub fn describe(&self) -> &str {
        &self.description
    }

    fn path(key: &str, slot: u32) -> Path {
        Path::from(format!("{key}/{slot}.jpg"))
    }

    /// Stores one variant.
    ///
    /// # Errors
    /// When the store refuses.
    pub async fn put(&self, key: &str, slot: u32, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.inner
            .put(&Self::path(key, slot), PutPayload::from(bytes))
            .await
            .with_context(|| format!("storing media {key}/{slot}"))?;
        Ok(())
    }

    /// Reads one variant; `None` if it isn't there.
    ///
    /// # Errors
    /// When the store fails otherwise.
    pub async fn get(&self, key: &str, slot: u32) -> anyhow::Result<Option<Bytes>> {
        match self.inner.get(&Self::path(key, slot)).await {
            Ok(r) => Ok(Some(r.bytes().await.context("reading media")?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading media {key}/{slot}")),
        }
    }

    /// Stores a file of a video under `{key}/{name}` (`name` like
    /// `hls/720/seg_000.ts`; the caller checks it).
    ///
    /// # Errors
    /// When the store refuses.
    pub async fn put_file(&self, key: &str, name: &str, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.inner
            .put(
                &Path::from(format!("{key}/{name}")),
                PutPayload::from(bytes),
            )
            .await
            .with_context(|| format!("storing media {key}/{name}"))?;
        Ok(())
    }

    /// Reads `{key}/{name}`; `None` if it isn't there.
    ///
    /// # Errors
    /// When the store fails otherwise.
    pub async fn get_file(&self, key: &str, name: &str) -> anyhow::Result<Option<Bytes>> {
        match self.inner.get(&Path::from(format!("{key}/{name}"))).await {
            Ok(r) => Ok(Some(r.bytes().await.context("reading media")?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading media {key}/{name}")),
        }
    }

    /// Deletes every file of `key`: photo variants, and a video's
    /// playlists, segments and poster (missing ones are fine).
    ///
    /// # Errors
    /// When the store fails; the caller retries.
    pub async fn delete_all(&self, key: &str) -> anyhow::Result<()> {
        use futures::TryStreamExt as _;
        let prefix = Path::from(key);
        let files: Vec<Path> = self
            .inner
            .list(Some(&prefix))
            .map_ok(|m| m.location)
            .try_collect()
            .await
            .with_context(|| format!("listing media {key}"))?;
        for path in files {
            match self.inner.delete(&path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e).with_context(|| format!("deleting media {path}")),
            }
        }
        Ok(())
    }

    /// Runs CPU-heavy image work on the blocking pool, at most one job per
    /// core at a time (later ones wait their turn).
    ///
    /// # Errors
    /// When the job panicked.
    pub async fn run_image_work<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let _permit = self
            .image_work
            .acquire()
            .await
            .context("image work semaphore closed")?;
        tokio::task::spawn_blocking(work)
            .await
            .context("image work panicked")
    }
}

/// A fresh random media key: 128 bits as 32 lower-case hex digits.
pub fn new_key() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// Whether `s` looks like a media key (32 lower-case hex digits), checked
/// before it reaches the database or the store.
pub fn is_key(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_hex() {
        let (a, b) = (new_key(), new_key());
        assert!(is_key(&a) && is_key(&b));
        assert_ne!(a, b);
        assert!(!is_key("../etc/passwd"));
        assert!(!is_key(&a.to_uppercase()));
    }

    #[tokio::test]
    async fn local_store_round_trip() {
        let dir = std::env::temp_dir().join(format!("hearth-media-test-{}", new_key()));
        let store = MediaStore::open(dir.to_str().expect("utf-8")).expect("open");
        let key = new_key();
        store.put(&key, 160, vec![1, 2, 3]).await.expect("put");
        assert_eq!(
            store.get(&key, 160).await.expect("get").as_deref(),
            Some(&[1u8, 2, 3][..])
        );
        assert!(store.get(&key, 640).await.expect("get").is_none());
        store.delete_all(&key).await.expect("delete");
        assert!(store.get(&key, 160).await.expect("get").is_none());
        let _ = std::fs::remove_dir_all(dir);
    }
}

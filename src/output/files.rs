//! The output directory: never overwritten without `--force`, and every file written to a
//! temporary name and renamed into place, so a reader sees either the old file or a complete new
//! one.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Errors writing outputs.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The directory already holds results.
    #[error(
        "output directory `{0}` already holds results ({1}); pass --force to overwrite them, or choose another --out"
    )]
    Exists(PathBuf, String),
    /// Another dorasim process holds the lock of this output set.
    #[error(
        "another dorasim process is writing {1} in `{0}`; wait for it to finish, or choose another --out"
    )]
    Busy(PathBuf, String),
    /// An output directory's path names a file.
    #[error("`{0}` is a file, not a directory: give a directory (new or existing) for the results")]
    NotADirectory(PathBuf),
    /// A file to write already exists and `--force` was not given.
    #[error("`{0}` already exists; pass --force to replace it, or choose another path")]
    FileExists(PathBuf),
    /// The path names something other than a regular file (a directory, a device, a FIFO, a
    /// socket): dorasim never replaces it.
    #[error("`{0}` is {1}, not a regular file; dorasim writes reports only to regular files")]
    NotAFile(PathBuf, &'static str),
    /// An I/O failure.
    #[error("cannot write `{path}`: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
}

/// Creates `dir` if needed; an existing file of that name is an error that says so.
fn ensure_directory(dir: &Path) -> Result<(), OutputError> {
    if dir.exists() && !dir.is_dir() {
        return Err(OutputError::NotADirectory(dir.to_path_buf()));
    }
    fs::create_dir_all(dir).map_err(io_error(dir))
}

/// Takes the exclusive lock `.{set}.lock` in `dir` without waiting.
pub fn lock(dir: &Path, set: &str) -> Result<DirLock, OutputError> {
    let path = dir.join(format!(".{set}.lock"));
    let busy = || OutputError::Busy(dir.to_path_buf(), format!("its {set} results"));
    // A few attempts: each fails only if the holder removed the file between our open and our
    // lock (it had just finished).
    for _ in 0..8 {
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_error(&path))?;
        match file.try_lock() {
            Ok(()) if still_at(&file, &path) => {
                return Ok(DirLock {
                    file: Some(file),
                    path,
                });
            }
            Ok(()) => continue,
            Err(fs::TryLockError::WouldBlock) => return Err(busy()),
            Err(fs::TryLockError::Error(source)) => {
                return Err(OutputError::Io { path, source });
            }
        }
    }
    Err(busy())
}

/// Checks, before any work, that a single output file (`--report FILE`) may be written: its
/// path is free, or holds a regular file and `force` is given. Devices, FIFOs, sockets and
/// directories are never replaced, even with `force`.
pub fn check_file_target(path: &Path, force: bool) -> Result<(), OutputError> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    let kind = meta.file_type();
    if kind.is_file() {
        return if force {
            Ok(())
        } else {
            Err(OutputError::FileExists(path.to_path_buf()))
        };
    }
    let what = if kind.is_dir() {
        "a directory"
    } else {
        special_kind(&kind)
    };
    Err(OutputError::NotAFile(path.to_path_buf(), what))
}

#[cfg(unix)]
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "a special file"
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A directory receiving a run's output files.
#[derive(Debug, Clone)]
pub struct OutputDir {
    dir: PathBuf,
}

/// The temporary and final names of a file being written. Dropped without
/// [`TempName::commit`] (an error or an interruption), it removes the temporary file, so no
/// partial file is left behind.
#[derive(Debug)]
pub struct TempName {
    temp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl TempName {
    /// Renames the (flushed) temporary file into place.
    pub fn commit(mut self, file: &fs::File) -> Result<PathBuf, OutputError> {
        file.sync_all().map_err(io_error(&self.temp))?;
        fs::rename(&self.temp, &self.target).map_err(io_error(&self.target))?;
        self.committed = true;
        Ok(self.target.clone())
    }

    /// The temporary path.
    pub fn temp(&self) -> &Path {
        &self.temp
    }

    /// Syncs the (flushed) temporary file to disk but leaves it under its temporary name, so
    /// that several files can be renamed into place together (see [`commit_all`]).
    pub fn stage(self, file: &fs::File) -> Result<Staged, OutputError> {
        file.sync_all().map_err(io_error(&self.temp))?;
        Ok(Staged { name: self })
    }
}

/// A complete file still under its temporary name. Dropped without [`commit_all`] (an error or
/// Ctrl-C before the end of the run), it is removed and the previous file stays.
#[derive(Debug)]
pub struct Staged {
    name: TempName,
}

impl Staged {
    /// The name the file will have.
    pub fn target(&self) -> &Path {
        &self.name.target
    }
}

/// Renames staged files into place, in order. Every file was complete and synced before the
/// first rename, and a rename replaces a file atomically, so a reader sees each file either
/// whole and old or whole and new; the renames themselves take microseconds.
pub fn commit_all(staged: Vec<Staged>) -> Result<Vec<PathBuf>, OutputError> {
    let mut written = Vec::with_capacity(staged.len());
    for Staged { mut name } in staged {
        fs::rename(&name.temp, &name.target).map_err(io_error(&name.target))?;
        name.committed = true;
        written.push(name.target.clone());
    }
    Ok(written)
}

impl Drop for TempName {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// A file being written under a temporary name.
pub struct PendingFile {
    /// Names of the file.
    pub name: TempName,
    /// The buffered writer.
    pub writer: BufWriter<fs::File>,
}

impl PendingFile {
    /// Flushes, syncs and renames the file into place.
    pub fn commit(self) -> Result<PathBuf, OutputError> {
        let PendingFile { name, writer } = self;
        let file = writer.into_inner().map_err(|e| OutputError::Io {
            path: name.temp.clone(),
            source: e.into_error(),
        })?;
        name.commit(&file)
    }

    /// Flushes and syncs the file, leaving it under its temporary name for [`commit_all`].
    pub fn stage(self) -> Result<Staged, OutputError> {
        let PendingFile { name, writer } = self;
        let file = writer.into_inner().map_err(|e| OutputError::Io {
            path: name.temp.clone(),
            source: e.into_error(),
        })?;
        name.stage(&file)
    }
}

/// An exclusive lock on one output set of a directory, held while the set is written: a second
/// process writing the same set into the same directory is refused instead of silently
/// replacing the first one's files. The operating system releases it when the process ends,
/// however it ends. Dropped normally, it removes its lock file (still holding the lock), so a
/// finished run leaves only its results; [`lock`] checks that the file it locked is still the
/// one at the path, so a process that locked a file just removed tries again.
#[derive(Debug)]
pub struct DirLock {
    file: Option<fs::File>,
    path: PathBuf,
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
        drop(self.file.take());
    }
}

/// Whether `file` is the file now at `path` (after a lock: not one removed meanwhile).
#[cfg(unix)]
fn still_at(file: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_at(_: &fs::File, path: &Path) -> bool {
    path.exists()
}

impl OutputDir {
    /// [`OutputDir::prepare`] under an exclusive lock named after the output set (`run`,
    /// `compare`, `sweep.csv`): the lock is taken first, then the existing files are checked, so
    /// two processes cannot both pass the check.
    pub fn prepare_exclusive(
        dir: &Path,
        names: &[&str],
        force: bool,
        set: &str,
    ) -> Result<(OutputDir, DirLock), OutputError> {
        ensure_directory(dir)?;
        let lock = lock(dir, set)?;
        // Under the lock no other process writes these files: temporary files of theirs are
        // leftovers of a killed run, removed now.
        if let Ok(entries) = fs::read_dir(dir) {
            for entry in entries.flatten() {
                let file = entry.file_name().to_string_lossy().into_owned();
                let stale = names
                    .iter()
                    .any(|n| file.starts_with(&format!(".{n}.partial-")));
                if stale {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        let out = OutputDir::prepare(dir, names, force)?;
        Ok((out, lock))
    }

    /// Prepares `dir` for the files named `names`: creates it if needed, and refuses to touch
    /// existing results unless `force`.
    pub fn prepare(dir: &Path, names: &[&str], force: bool) -> Result<OutputDir, OutputError> {
        ensure_directory(dir)?;
        if !force {
            let existing: Vec<&str> = names
                .iter()
                .copied()
                .filter(|n| dir.join(n).exists())
                .collect();
            if !existing.is_empty() {
                return Err(OutputError::Exists(dir.to_path_buf(), existing.join(", ")));
            }
        }
        Ok(OutputDir {
            dir: dir.to_path_buf(),
        })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Starts writing `name` under a temporary name.
    pub fn create(&self, name: &str) -> Result<PendingFile, OutputError> {
        let target = self.dir.join(name);
        let temp = self
            .dir
            .join(format!(".{name}.partial-{}", std::process::id()));
        let file = fs::File::create(&temp).map_err(io_error(&temp))?;
        Ok(PendingFile {
            name: TempName {
                temp,
                target,
                committed: false,
            },
            writer: BufWriter::new(file),
        })
    }

    /// Writes a whole file under its temporary name, ready for [`commit_all`].
    pub fn stage(&self, name: &str, contents: &[u8]) -> Result<Staged, OutputError> {
        let mut pending = self.create(name)?;
        let temp = pending.name.temp.clone();
        pending
            .writer
            .write_all(contents)
            .map_err(io_error(&temp))?;
        let PendingFile { name, writer } = pending;
        let file = writer.into_inner().map_err(|e| OutputError::Io {
            path: temp.clone(),
            source: e.into_error(),
        })?;
        name.stage(&file)
    }

    /// Names of `names` that exist in the directory now (what an interrupted run keeps).
    pub fn existing(&self, names: &[&str]) -> Vec<String> {
        names
            .iter()
            .filter(|n| self.dir.join(n).is_file())
            .map(|n| n.to_string())
            .collect()
    }

    /// Writes a whole file atomically.
    pub fn write(&self, name: &str, contents: &[u8]) -> Result<PathBuf, OutputError> {
        let mut pending = self.create(name)?;
        let temp = pending.name.temp.clone();
        pending
            .writer
            .write_all(contents)
            .map_err(io_error(&temp))?;
        pending.commit()
    }
}

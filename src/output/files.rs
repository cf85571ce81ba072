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
    /// An I/O failure.
    #[error("cannot write `{path}`: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
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
}

impl OutputDir {
    /// Prepares `dir` for the files named `names`: creates it if needed, and refuses to touch
    /// existing results unless `force`.
    pub fn prepare(dir: &Path, names: &[&str], force: bool) -> Result<OutputDir, OutputError> {
        if dir.exists() && !force {
            let existing: Vec<&str> = names
                .iter()
                .copied()
                .filter(|n| dir.join(n).exists())
                .collect();
            if !existing.is_empty() {
                return Err(OutputError::Exists(dir.to_path_buf(), existing.join(", ")));
            }
        }
        fs::create_dir_all(dir).map_err(io_error(dir))?;
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

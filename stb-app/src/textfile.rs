//! The small text files the box reads (remote key maps, replay lineups, dvbv5 channel and tuning files): one
//! entry a line, `#` comments, and errors that name the file and the line, so a technician can find the mistake.

use std::path::{Path, PathBuf};

/// A text file that could not be read, or a line of it that is wrong.
#[derive(Debug, thiserror::Error)]
pub enum TextFileError {
    #[error("{file}:{line}: {what}")]
    Syntax {
        file: PathBuf,
        line: usize,
        what: String,
    },
    #[error("{file}: {source}")]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
}

impl TextFileError {
    /// Line `line` (from 1) of `file` is wrong: `what` says how.
    pub fn syntax(file: &Path, line: usize, what: impl Into<String>) -> Self {
        TextFileError::Syntax {
            file: file.to_path_buf(),
            line,
            what: what.into(),
        }
    }
}

/// Where a `#` starts a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comments {
    /// Anywhere on the line (key maps, lineups: `#` is not part of any value).
    Anywhere,
    /// Only at the start of a line (dvbv5 files, where a channel name may hold a `#`).
    WholeLine,
}

/// A text file read whole.
pub struct TextFile {
    pub path: PathBuf,
    text: String,
}

impl TextFile {
    pub fn read(path: &Path) -> Result<Self, TextFileError> {
        let text = std::fs::read_to_string(path).map_err(|source| TextFileError::Io {
            file: path.to_path_buf(),
            source,
        })?;
        Ok(TextFile {
            path: path.to_path_buf(),
            text,
        })
    }

    /// The lines that say something (comments and surrounding blanks removed, blank lines skipped), each with
    /// its line number from 1.
    pub fn entries(&self, comments: Comments) -> impl Iterator<Item = (usize, &str)> {
        self.text.lines().enumerate().filter_map(move |(i, raw)| {
            let line = match comments {
                Comments::Anywhere => raw.split('#').next().unwrap_or(""),
                Comments::WholeLine if raw.trim_start().starts_with('#') => "",
                Comments::WholeLine => raw,
            }
            .trim();
            (!line.is_empty()).then_some((i + 1, line))
        })
    }

    /// An error about line `line` of this file.
    pub fn error(&self, line: usize, what: impl Into<String>) -> TextFileError {
        TextFileError::syntax(&self.path, line, what)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_keep_their_line_numbers_and_drop_comments() {
        let dir = std::env::temp_dir().join(format!("stb-textfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f.conf");
        std::fs::write(
            &path,
            "# head\n\n  a = 1  # why\n[CCTV#1]\n   \n  # indented\nb\n",
        )
        .unwrap();
        let f = TextFile::read(&path).unwrap();
        assert_eq!(
            f.entries(Comments::Anywhere).collect::<Vec<_>>(),
            [(3, "a = 1"), (4, "[CCTV"), (7, "b")]
        );
        assert_eq!(
            f.entries(Comments::WholeLine).collect::<Vec<_>>(),
            [(3, "a = 1  # why"), (4, "[CCTV#1]"), (7, "b")]
        );
        assert_eq!(
            f.error(4, "no closing ]").to_string(),
            format!("{}:4: no closing ]", path.display())
        );
        let missing = TextFile::read(&dir.join("none")).err().unwrap().to_string();
        assert!(missing.contains("none: "), "{missing}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}

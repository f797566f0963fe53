//! Why a sandbox could not start, with the process exit code each cause maps to.

use std::fmt;

/// A start-up failure. The binary prints it to stderr and exits with [`Error::exit_code`].
#[derive(Debug)]
pub enum Error {
    /// The seed or persisted state file could not be read or is invalid.
    BadData {
        /// File named in the message (or `<built-in demo seed>`).
        file: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A flag value makes no sense (bad base path, missing static folder).
    BadConfig(String),
    /// Another process already listens on the port.
    PortInUse {
        /// The port asked for.
        port: u16,
    },
    /// Any other failure to listen.
    Bind {
        /// Address asked for.
        addr: String,
        /// OS error.
        source: std::io::Error,
    },
}

impl Error {
    /// 2 for bad input files or flags, 1 for failures to listen.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::BadData { .. } | Error::BadConfig(_) => 2,
            Error::PortInUse { .. } | Error::Bind { .. } => 1,
        }
    }

    pub(crate) fn bad_data(file: &str, problem: impl Into<String>) -> Self {
        Error::BadData {
            file: file.to_string(),
            problem: problem.into(),
        }
    }

    pub(crate) fn bad_file(path: &std::path::Path, problem: impl Into<String>) -> Self {
        Self::bad_data(&path.display().to_string(), problem)
    }

    pub(crate) fn static_dir_missing(dir: &std::path::Path) -> Self {
        Error::BadConfig(format!(
            "static folder {} does not exist or is not a folder",
            dir.display()
        ))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadData { file, problem } => write!(f, "{file}: {problem}"),
            Error::BadConfig(message) => f.write_str(message),
            Error::PortInUse { port } => write!(f, "port {port} is already in use"),
            Error::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Bind { source, .. } => Some(source),
            _ => None,
        }
    }
}

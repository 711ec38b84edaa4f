//! What every command gets: where the profile lives, whether to print JSON, and the one error type that ends a run
//! (with its exit code and the single `error: ...` line shown for it).

use std::env;
use std::fmt;
use std::path::PathBuf;

use kindred_core::{Error, ErrorKind, Kindred, Profiles, Secret};
use serde::Serialize;

/// The environment variable naming the data directory when `--data-dir` is not given.
pub const DATA_DIR_VAR: &str = "KINDRED_DATA_DIR";

/// The environment variable holding the profile's passphrase when `--passphrase-file` is not given.
pub const PASSPHRASE_VAR: &str = "KINDRED_PASSPHRASE";

/// Exit code for input the program could not accept (clap uses the same code for usage errors).
const EXIT_INVALID_INPUT: u8 = 2;
/// Exit code for everything else that failed.
const EXIT_FAILURE: u8 = 1;

/// The settings shared by all commands.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The profile's data directory.
    pub data_dir: PathBuf,
    /// Print one JSON document instead of text meant for people.
    pub json: bool,
    /// `--passphrase-file`, if given.
    pub passphrase_file: Option<PathBuf>,
}

/// What a command produces: the full text for stdout, or the reason it failed.
pub type Outcome = Result<String, CliError>;

impl Ctx {
    /// `--data-dir` if given, else `$KINDRED_DATA_DIR` if set and not empty, else `<data dir>/kindred`, else
    /// `./.kindred` on a system without a data directory.
    pub fn new(data_dir: Option<PathBuf>, json: bool, passphrase_file: Option<PathBuf>) -> Self {
        let data_dir = data_dir
            .or_else(|| env::var_os(DATA_DIR_VAR).filter(|dir| !dir.is_empty()).map(PathBuf::from))
            .or_else(|| dirs::data_dir().map(|dir| dir.join("kindred")))
            .unwrap_or_else(|| PathBuf::from(".kindred"));
        Self { data_dir, json, passphrase_file }
    }

    /// The passphrase: from `--passphrase-file` if given, else from `$KINDRED_PASSPHRASE` if set.
    pub fn passphrase(&self) -> Result<Option<Secret>, CliError> {
        match &self.passphrase_file {
            Some(file) => read_passphrase(file).map(Some),
            None => Ok(env_passphrase()),
        }
    }

    /// The vault of encrypted profiles in the data directory.
    pub fn vault(&self) -> Result<Profiles, CliError> {
        Ok(Profiles::new(&self.data_dir)?)
    }

    /// Opens the profile: the encrypted one the passphrase opens, or without a passphrase the unencrypted profile
    /// in the data directory.
    pub fn open(&self) -> Result<Kindred, CliError> {
        match self.passphrase()? {
            Some(secret) => Ok(self.vault()?.open(&secret)?),
            None if !Kindred::exists(&self.data_dir) && self.data_dir.join("salt").exists() => {
                Err(CliError::input("this profile is encrypted: give --passphrase-file FILE or set KINDRED_PASSPHRASE"))
            }
            None => Ok(Kindred::open(&self.data_dir)?),
        }
    }

    /// `value` as pretty JSON with `--json`, else the text `human` makes of it.
    pub fn render<T: Serialize>(&self, value: &T, human: impl FnOnce(&T) -> String) -> Outcome {
        if self.json {
            let mut text = serde_json::to_string_pretty(value)
                .map_err(|e| CliError::Other(format!("could not write JSON: {e}")))?;
            text.push('\n');
            Ok(text)
        } else {
            Ok(human(value))
        }
    }
}

/// `$KINDRED_PASSPHRASE`, if set and not empty.
pub fn env_passphrase() -> Option<Secret> {
    env::var(PASSPHRASE_VAR).ok().filter(|p| !p.is_empty()).map(Secret::Passphrase)
}

/// A passphrase from a file: its text without the line break that ends it.
pub fn read_passphrase(file: &std::path::Path) -> Result<Secret, CliError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| CliError::input(format!("could not read the passphrase file {}: {e}", file.display())))?;
    let text = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text);
    if text.is_empty() {
        return Err(CliError::input("the passphrase file is empty"));
    }
    Ok(Secret::Passphrase(text.to_owned()))
}

/// Why a command failed.
#[derive(Debug)]
pub enum CliError {
    /// An error from the core; its Display is the message.
    Core(Error),
    /// Input the program itself rejected before reaching the core.
    Input(String),
    /// Anything else (writing output, ...).
    Other(String),
}

impl CliError {
    pub fn input(message: impl Into<String>) -> Self {
        CliError::Input(message.into())
    }

    /// The process exit code: 2 for input that was not accepted, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Core(err)
                if matches!(
                    err.kind(),
                    ErrorKind::InvalidInput { .. } | ErrorKind::Ambiguous { .. } | ErrorKind::WrongPassphrase
                ) =>
            {
                EXIT_INVALID_INPUT
            }
            CliError::Input(_) => EXIT_INVALID_INPUT,
            CliError::Core(_) | CliError::Other(_) => EXIT_FAILURE,
        }
    }

    /// The message on one line, whatever the underlying error held.
    pub fn one_line(&self) -> String {
        self.to_string().replace(['\r', '\n'], " ")
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Core(err) if matches!(err.kind(), ErrorKind::NoProfile(_)) => {
                write!(f, "{err} (run `kindred init --name NAME --passphrase-file FILE`)")
            }
            CliError::Core(err) => err.fmt(f),
            CliError::Input(message) | CliError::Other(message) => f.write_str(message),
        }
    }
}

impl From<Error> for CliError {
    fn from(err: Error) -> Self {
        CliError::Core(err)
    }
}

//! Loading libespeak-ng at run time and calling it behind a process-wide lock (one per
//! loaded copy of the library; one copy unless asked for more).

use std::ffi::{CStr, CString, c_char, c_int, c_uchar, c_void};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};

use crate::Error;

/// Where libespeak-ng and its data come from. Every field is optional; see
/// [`Phonemizer::new`](crate::Phonemizer::new) for the lookup order of what is left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EspeakConfig {
    /// Path to the shared library (`libespeak-ng.so.1`, `libespeak-ng.dylib`, `espeak-ng.dll`).
    pub library: Option<PathBuf>,
    /// Path to the `espeak-ng-data` directory.
    pub data_dir: Option<PathBuf>,
    /// How many independent copies of libespeak-ng to load (0 and 1 mean one, the default).
    ///
    /// With one, every call in the process is serialised behind one lock. With `n > 1`, the
    /// library file is copied and loaded `n - 1` more times (each copy has its own globals,
    /// as `phonemizer` does for its parallel jobs); each copy is serialised behind its own
    /// lock, so up to `n` threads phonemise at once. Results are identical; each copy costs
    /// ~1 MB. Only the first load in a process decides the number.
    pub instances: usize,
}

/// Environment variable naming the library file.
pub const ENV_LIBRARY: &str = "KITTENTTS_ESPEAK_LIBRARY";
/// Environment variable naming the `espeak-ng-data` directory.
pub const ENV_DATA: &str = "KITTENTTS_ESPEAK_DATA";
/// Environment variable naming the runtimes folder that `scripts/fetch-runtimes.sh` fills.
pub const ENV_RUNTIME_DIR: &str = "KITTENTTS_RUNTIME_DIR";

#[cfg(target_os = "macos")]
const LIB_FILE: &str = "libespeak-ng.1.dylib";
#[cfg(windows)]
const LIB_FILE: &str = "espeak-ng.dll";
#[cfg(not(any(target_os = "macos", windows)))]
const LIB_FILE: &str = "libespeak-ng.so.1";

/// The espeak-ng version the model's token ids were made with.
pub(crate) const REFERENCE_VERSION: (u32, u32) = (1, 52);

/// `espeakINITIALIZE_DONT_EXIT`: without it, a failed initialisation calls `exit(1)`.
const INITIALIZE_DONT_EXIT: c_int = 0x8000;
/// `AUDIO_OUTPUT_SYNCHRONOUS`, as `phonemizer` passes it.
const AUDIO_OUTPUT_SYNCHRONOUS: c_int = 2;
/// `espeakCHARS_UTF8`.
const CHARS_UTF8: c_int = 1;
/// IPA output with `_` between phonemes: `('_' << 8) | 0x02`, `phonemizer`'s mode.
const PHONEME_MODE: c_int = ((b'_' as c_int) << 8) | 0x02;
/// Files the data directory must hold for `en-us`.
const REQUIRED_DATA: [&str; 4] = ["phontab", "phondata", "phonindex", "en_dict"];

/// `espeak_VOICE` from `speak_lib.h`.
#[repr(C)]
struct EspeakVoice {
    name: *const c_char,
    languages: *const c_char,
    identifier: *const c_char,
    gender: c_uchar,
    age: c_uchar,
    variant: c_uchar,
    xx1: c_uchar,
    score: c_int,
    spare: *mut c_void,
}

type InitializeFn = unsafe extern "C" fn(c_int, c_int, *const c_char, c_int) -> c_int;
type InfoFn = unsafe extern "C" fn(*mut *const c_char) -> *const c_char;
type ListVoicesFn = unsafe extern "C" fn(*mut EspeakVoice) -> *const *const EspeakVoice;
type SetVoiceByNameFn = unsafe extern "C" fn(*const c_char) -> c_int;
type TextToPhonemesFn = unsafe extern "C" fn(*mut *const c_void, c_int, c_int) -> *const c_char;

/// The resolved place of the library and its data.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Location {
    /// A path (canonicalised when it exists) or a bare library name for the system loader.
    library: PathBuf,
    /// `None`: espeak's compiled-in default.
    data_dir: Option<PathBuf>,
}

impl Location {
    fn describe(&self) -> String {
        match &self.data_dir {
            Some(d) => format!("{} (data {})", self.library.display(), d.display()),
            None => format!("{} (espeak's default data)", self.library.display()),
        }
    }
}

fn canonical(path: PathBuf) -> PathBuf {
    std::fs::canonicalize(&path).unwrap_or(path)
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Resolves the library: explicit path > `KITTENTTS_ESPEAK_LIBRARY` >
/// `$KITTENTTS_RUNTIME_DIR/espeak-ng/<lib>` (when it exists) > the system's library name.
/// Data: explicit > `KITTENTTS_ESPEAK_DATA` > `espeak-ng-data` beside the library > default.
fn resolve(config: &EspeakConfig) -> Location {
    let library = config
        .library
        .clone()
        .or_else(|| env_path(ENV_LIBRARY))
        .or_else(|| {
            env_path(ENV_RUNTIME_DIR)
                .map(|dir| dir.join("espeak-ng").join(LIB_FILE))
                .filter(|p| p.exists())
        });
    let data_dir = config
        .data_dir
        .clone()
        .or_else(|| env_path(ENV_DATA))
        .or_else(|| {
            let lib = library.as_ref()?;
            let beside = lib.parent()?.join("espeak-ng-data");
            beside.is_dir().then_some(beside)
        });
    Location {
        library: library.map_or_else(|| PathBuf::from(LIB_FILE), canonical),
        data_dir: data_dir.map(canonical),
    }
}

/// One loaded copy of the library: its translation function and the lock that serialises
/// every call into it (espeak keeps its state in globals).
struct Instance {
    text_to_phonemes: TextToPhonemesFn,
    /// Held for the duration of each espeak call sequence.
    lock: Mutex<()>,
    /// Keeps the library mapped for as long as the engine lives (the engine is never dropped:
    /// it lives in a process-wide static).
    _library: libloading::Library,
}

/// The process's libespeak-ng: normally one instance; optionally more private copies of the
/// same file (see [`EspeakConfig::instances`]).
pub(crate) struct Engine {
    location: Location,
    version: String,
    numeric_version: (u32, u32),
    instances: Vec<Instance>,
    /// Where the next call starts looking for a free instance.
    next: AtomicUsize,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("location", &self.location)
            .field("version", &self.version)
            .field("instances", &self.instances.len())
            .finish_non_exhaustive()
    }
}

/// The one engine of this process (libespeak-ng has global state: one per process).
static ENGINE: Mutex<Option<Arc<Engine>>> = Mutex::new(None);

/// Returns the process's engine, loading it on first use. A later request for another library
/// or data directory is [`Error::AlreadyInitialized`]; a request for the same files (by
/// canonical path) shares the loaded engine, with the number of instances it was loaded with.
pub(crate) fn engine(config: &EspeakConfig) -> Result<Arc<Engine>, Error> {
    let location = resolve(config);
    let mut slot = ENGINE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(engine) = slot.as_ref() {
        if engine.location == location {
            if config.instances > 1 && config.instances != engine.instances.len() {
                tracing::warn!(
                    loaded = engine.instances.len(),
                    requested = config.instances,
                    "libespeak-ng is already loaded; keeping its number of instances"
                );
            }
            return Ok(Arc::clone(engine));
        }
        return Err(Error::AlreadyInitialized {
            loaded: engine.location.describe(),
            requested: location.describe(),
        });
    }
    let engine = Arc::new(Engine::load(location, config.instances.max(1))?);
    *slot = Some(Arc::clone(&engine));
    Ok(engine)
}

fn symbol<T: Copy>(lib: &libloading::Library, path: &Path, name: &'static str) -> Result<T, Error> {
    let with_nul = format!("{name}\0");
    // SAFETY: `T` is the function pointer type declared in speak_lib.h for `name`; the
    // pointer is only called while `lib` is alive (the engine owns it and is never dropped).
    unsafe { lib.get::<T>(with_nul.as_bytes()) }
        .map(|s| *s)
        .map_err(|source| Error::MissingSymbol {
            library: path.display().to_string(),
            symbol: name,
            source,
        })
}

fn parse_version(version: &str) -> Option<(u32, u32)> {
    // "1.52.0", "1.51", "1.48.03  04.Mar.14", "1.52-dev"
    let first = version.split_whitespace().next()?;
    let mut parts = first.split(['.', '-']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// Opens `path`, initialises espeak with `location`'s data and selects `en-us`. Returns the
/// instance and the version `espeak_Info` reported.
fn load_instance(path: &Path, location: &Location) -> Result<(Instance, String), Error> {
    // SAFETY: loading libespeak-ng runs its (trivial) initialisers; the library is a C
    // library with no load-time side effects beyond that.
    let lib = unsafe { libloading::Library::new(path.as_os_str()) }.map_err(|source| {
        Error::LibraryLoad {
            library: path.display().to_string(),
            source,
        }
    })?;
    let initialize: InitializeFn = symbol(&lib, path, "espeak_Initialize")?;
    let info: InfoFn = symbol(&lib, path, "espeak_Info")?;
    let list_voices: ListVoicesFn = symbol(&lib, path, "espeak_ListVoices")?;
    let set_voice: SetVoiceByNameFn = symbol(&lib, path, "espeak_SetVoiceByName")?;
    let text_to_phonemes: TextToPhonemesFn = symbol(&lib, path, "espeak_TextToPhonemes")?;

    let data_c =
        match &location.data_dir {
            Some(d) => Some(CString::new(d.to_string_lossy().into_owned()).map_err(|_| {
                Error::DataDir {
                    path: d.clone(),
                    missing: "phontab",
                }
            })?),
            None => None,
        };
    let data_ptr = data_c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
    // SAFETY: a valid NUL-terminated path (or NULL); we hold the ENGINE lock and this copy is
    // not shared yet, so no other thread is inside it.
    let code = unsafe { initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data_ptr, INITIALIZE_DONT_EXIT) };
    if code <= 0 {
        return Err(Error::Initialize {
            code,
            data_dir: location.data_dir.as_ref().map_or_else(
                || "espeak's default".to_owned(),
                |d| d.display().to_string(),
            ),
        });
    }
    // SAFETY: espeak_Info returns a static string; the out pointer is a valid local.
    let version = unsafe {
        let mut data: *const c_char = std::ptr::null();
        let v = info(&mut data);
        if v.is_null() {
            String::new()
        } else {
            CStr::from_ptr(v).to_string_lossy().trim().to_owned()
        }
    };
    let identifier = find_voice(list_voices, "en-us")?;
    // SAFETY: a valid NUL-terminated identifier; this copy is not shared yet.
    let code = unsafe { set_voice(identifier.as_ptr()) };
    if code != 0 {
        return Err(Error::Voice {
            voice: "en-us".to_owned(),
            code,
        });
    }
    let instance = Instance {
        text_to_phonemes,
        lock: Mutex::new(()),
        _library: lib,
    };
    Ok((instance, version))
}

/// Loads one private copy of the library file: `dlopen` shares a file that is already open,
/// so the copy gets its own name (and so its own globals); the file is deleted once mapped.
fn load_copy(location: &Location, index: usize) -> Result<Instance, Error> {
    let name = location
        .library
        .file_name()
        .map_or_else(|| LIB_FILE.into(), std::ffi::OsStr::to_os_string);
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!(
        "kittentts-espeak-{}-{index}-{stamp}",
        std::process::id()
    ));
    let copy_error = |source: std::io::Error| Error::InstanceCopy {
        path: dir.clone(),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(copy_error)?;
    let path = dir.join(name);
    let loaded = std::fs::copy(&location.library, &path)
        .map_err(copy_error)
        .and_then(|_| load_instance(&path, location));
    // The mapping stays valid once the file is gone; nothing is left in the temp folder.
    let _ = std::fs::remove_dir_all(&dir);
    loaded.map(|(instance, _)| instance)
}

impl Engine {
    fn load(location: Location, instances: usize) -> Result<Self, Error> {
        if let Some(dir) = &location.data_dir
            && let Some(missing) = REQUIRED_DATA.iter().find(|f| !dir.join(f).is_file())
        {
            return Err(Error::DataDir {
                path: dir.clone(),
                missing,
            });
        }
        let (first, version) = load_instance(&location.library, &location)?;
        let numeric_version = match parse_version(&version) {
            Some(v) if v >= (1, 49) => v,
            _ => return Err(Error::UnsupportedVersion { version }),
        };
        if numeric_version != REFERENCE_VERSION {
            tracing::warn!(
                version = %version,
                library = %location.library.display(),
                "libespeak-ng {version} is not 1.52: phonemes may differ from the model's training \
                 data, so token ids and audio differ there (1.51 differs on about 10% of \
                 sentences, mostly ɔːɹ/oːɹ); run `kittentts runtimes install` for the reference \
                 build, or make this an error with `strict_espeak_version`"
            );
        }
        let mut all = vec![first];
        if instances > 1 {
            if location.library.is_file() {
                for index in 1..instances {
                    all.push(load_copy(&location, index)?);
                }
            } else {
                tracing::warn!(
                    library = %location.library.display(),
                    "libespeak-ng was found by name, not path: cannot load private copies; using one instance"
                );
            }
        }
        tracing::debug!(
            library = %location.library.display(),
            version = %version,
            instances = all.len(),
            "loaded libespeak-ng"
        );
        Ok(Self {
            location,
            version,
            numeric_version,
            instances: all,
            next: AtomicUsize::new(0),
        })
    }

    /// What `espeak_Info` reported, e.g. `1.52.0`.
    pub(crate) fn version(&self) -> &str {
        &self.version
    }

    /// Whether this is the reference's espeak-ng 1.52.
    pub(crate) fn is_reference_version(&self) -> bool {
        self.numeric_version == REFERENCE_VERSION
    }

    /// How many independent copies of the library are loaded.
    pub(crate) fn instances(&self) -> usize {
        self.instances.len()
    }

    /// A free instance and its lock guard (or, when all are busy, one to wait for).
    fn acquire(&self) -> (&Instance, MutexGuard<'_, ()>) {
        let n = self.instances.len();
        let start = if n > 1 {
            self.next.fetch_add(1, Ordering::Relaxed) % n
        } else {
            0
        };
        for k in 0..n {
            let instance = &self.instances[(start + k) % n];
            match instance.lock.try_lock() {
                Ok(guard) => return (instance, guard),
                // The guarded data is `()`: a panic elsewhere cannot leave it inconsistent.
                Err(TryLockError::Poisoned(p)) => return (instance, p.into_inner()),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        let instance = &self.instances[start];
        let guard = instance.lock.lock().unwrap_or_else(PoisonError::into_inner);
        (instance, guard)
    }

    /// `espeak_TextToPhonemes` called until the text is used up, one clause per call, the
    /// non-empty clauses joined by single spaces (`phonemizer`'s `text_to_phonemes`).
    /// `text` must not contain NUL (espeak would stop there).
    pub(crate) fn text_to_phonemes(&self, text: &CStr) -> Result<String, Error> {
        let bytes = text.to_bytes();
        let start = bytes.as_ptr() as usize;
        let end = start + bytes.len();
        let mut clauses: Vec<String> = Vec::new();
        let mut ptr: *const c_void = text.as_ptr().cast();
        // Every clause consumes at least one byte; anything else is a broken library.
        let mut budget = bytes.len() + 2;
        let (instance, _guard) = self.acquire();
        while !ptr.is_null() {
            if budget == 0 {
                return Err(Error::EspeakProtocol);
            }
            budget -= 1;
            // SAFETY: `ptr` points into `text` (checked below), which is NUL-terminated and
            // outlives the call; the lock serialises all use of espeak's global state; the
            // returned string is copied before the lock is released.
            let out = unsafe { (instance.text_to_phonemes)(&mut ptr, CHARS_UTF8, PHONEME_MODE) };
            if !out.is_null() {
                // SAFETY: espeak returns a NUL-terminated string in its own buffer.
                let s = unsafe { CStr::from_ptr(out) }.to_string_lossy();
                if !s.is_empty() {
                    clauses.push(s.into_owned());
                }
            }
            let at = ptr as usize;
            if !ptr.is_null() && !(start..=end).contains(&at) {
                return Err(Error::EspeakProtocol);
            }
        }
        Ok(clauses.join(" "))
    }
}

/// The identifier of the first non-MBROLA voice whose first language is `language`
/// (`phonemizer`'s `set_voice`).
fn find_voice(list_voices: ListVoicesFn, language: &str) -> Result<CString, Error> {
    let not_found = || Error::Voice {
        voice: language.to_owned(),
        code: -1,
    };
    // SAFETY: NULL asks for every voice; espeak returns a NULL-terminated array of pointers
    // to voices it owns, valid until the next espeak_ListVoices call (we hold the ENGINE lock
    // and copy what we need).
    unsafe {
        let list = list_voices(std::ptr::null_mut());
        if list.is_null() {
            return Err(not_found());
        }
        let mut i = 0;
        loop {
            let voice = *list.add(i);
            if voice.is_null() {
                return Err(not_found());
            }
            i += 1;
            let v = &*voice;
            if v.languages.is_null() || v.identifier.is_null() {
                continue;
            }
            // `languages` is a priority byte, then the language name.
            let lang = CStr::from_ptr(v.languages.add(1)).to_bytes();
            let ident = CStr::from_ptr(v.identifier);
            if ident.to_bytes().starts_with(b"mb/") {
                continue;
            }
            if lang == language.as_bytes() {
                return Ok(ident.to_owned());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse() {
        assert_eq!(parse_version("1.52.0"), Some((1, 52)));
        assert_eq!(parse_version("1.51"), Some((1, 51)));
        assert_eq!(parse_version("1.48.03  04.Mar.14"), Some((1, 48)));
        assert_eq!(parse_version("1.52-dev"), Some((1, 52)));
        assert_eq!(parse_version(""), None);
        assert_eq!(parse_version("x.y"), None);
    }

    #[test]
    fn explicit_paths_win() {
        let config = EspeakConfig {
            library: Some(PathBuf::from("/nonexistent/libespeak-ng.so.1")),
            data_dir: Some(PathBuf::from("/nonexistent/data")),
            instances: 0,
        };
        let loc = resolve(&config);
        assert_eq!(loc.library, PathBuf::from("/nonexistent/libespeak-ng.so.1"));
        assert_eq!(loc.data_dir, Some(PathBuf::from("/nonexistent/data")));
    }
}

//! Finding, loading and remembering the ONNX Runtime shared library (process-wide).

use std::ffi::CStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::Error;

/// The oldest ONNX Runtime minor version (`1.<minor>`) this crate accepts: the C API version
/// ort is built against (`api-31`, i.e. ONNX Runtime 1.31; the fetched runtime is 1.32.0).
pub const MIN_ORT_MINOR_VERSION: u32 = ort::MINOR_VERSION;

/// Environment variable naming the ONNX Runtime library file (ort's own convention).
pub const ORT_DYLIB_PATH_ENV: &str = "ORT_DYLIB_PATH";

/// Environment variable naming the folder `scripts/fetch-runtimes.sh` filled
/// (`<dir>/onnxruntime/libonnxruntime.so`).
pub const RUNTIME_DIR_ENV: &str = "KITTENTTS_RUNTIME_DIR";

/// Where the ONNX Runtime library path came from, in resolution order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LibrarySource {
    /// An explicit path from [`ModelOptions::ort_library`](crate::ModelOptions::ort_library) or
    /// [`init_runtime`].
    Explicit,
    /// The `ORT_DYLIB_PATH` environment variable.
    OrtDylibPathEnv,
    /// `$KITTENTTS_RUNTIME_DIR/onnxruntime/`, filled by `scripts/fetch-runtimes.sh`.
    RuntimeDir,
    /// A copy next to the executable, else the bare library name for the system's dynamic loader.
    System,
}

impl fmt::Display for LibrarySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Explicit => "an explicit path",
            Self::OrtDylibPathEnv => "ORT_DYLIB_PATH",
            Self::RuntimeDir => "$KITTENTTS_RUNTIME_DIR/onnxruntime",
            Self::System => "the system library search path",
        })
    }
}

/// The platform's file name of the ONNX Runtime library (`libonnxruntime.so` on Linux).
pub fn library_file_name() -> String {
    format!(
        "{}onnxruntime{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// Resolves which ONNX Runtime library to load, without loading it.
///
/// Order: `explicit` > `$ORT_DYLIB_PATH` (if not empty) > `$KITTENTTS_RUNTIME_DIR/onnxruntime/<lib>`
/// if that file exists > a copy next to the executable > the bare library name for the system
/// loader.
pub fn resolve_library(explicit: Option<&Path>) -> (PathBuf, LibrarySource) {
    if let Some(path) = explicit {
        return (path.to_path_buf(), LibrarySource::Explicit);
    }
    if let Some(path) = std::env::var_os(ORT_DYLIB_PATH_ENV).filter(|v| !v.is_empty()) {
        return (PathBuf::from(path), LibrarySource::OrtDylibPathEnv);
    }
    let name = library_file_name();
    if let Some(dir) = std::env::var_os(RUNTIME_DIR_ENV).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(dir).join("onnxruntime").join(&name);
        if path.is_file() {
            return (path, LibrarySource::RuntimeDir);
        }
    }
    // What ort's own loader does with a relative name: the executable's folder first.
    let beside_exe = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(&name)))
        .filter(|path| path.is_file());
    (
        beside_exe.unwrap_or_else(|| PathBuf::from(name)),
        LibrarySource::System,
    )
}

pub(crate) struct Runtime {
    pub(crate) env: ort::environment::Environment,
    pub(crate) library: PathBuf,
    pub(crate) version: String,
}

static RUNTIME: Mutex<Option<Arc<Runtime>>> = Mutex::new(None);

/// Loads ONNX Runtime once for the whole process and creates the shared environment.
///
/// `library` is an explicit path to `libonnxruntime`; `None` resolves one as described in
/// [`resolve_library`]. The call is idempotent: once a library is loaded, `init_runtime(None)`
/// and `init_runtime(Some(same path))` return `Ok(())` without doing anything, while a
/// *different* explicit path returns [`Error::RuntimeConflict`] (a loaded shared library cannot
/// be replaced). [`AcousticModel::load`](crate::AcousticModel::load) calls this itself with
/// [`ModelOptions::ort_library`](crate::ModelOptions::ort_library).
///
/// # Errors
/// [`Error::RuntimeLoad`] when the library cannot be opened, [`Error::RuntimeVersion`] when it
/// is older than 1.31, [`Error::RuntimeConflict`] as above, [`Error::Runtime`] when the
/// environment cannot be created.
pub fn init_runtime(library: Option<&Path>) -> Result<(), Error> {
    runtime(library).map(|_| ())
}

/// The version string of the loaded ONNX Runtime (e.g. `"1.32.0"`), or `None` before
/// [`init_runtime`] (or a model load) succeeded.
pub fn runtime_version() -> Option<String> {
    loaded().map(|r| r.version.clone())
}

/// The path of the loaded ONNX Runtime library, or `None` before it is loaded.
pub fn runtime_library() -> Option<PathBuf> {
    loaded().map(|r| r.library.clone())
}

fn loaded() -> Option<Arc<Runtime>> {
    match RUNTIME.lock() {
        Ok(guard) => guard.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

pub(crate) fn runtime(library: Option<&Path>) -> Result<Arc<Runtime>, Error> {
    let mut guard = match RUNTIME.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(rt) = guard.as_ref() {
        if let Some(requested) = library
            && !same_file(requested, &rt.library)
        {
            return Err(Error::RuntimeConflict {
                loaded: rt.library.clone(),
                requested: requested.to_path_buf(),
            });
        }
        return Ok(Arc::clone(rt));
    }
    let rt = Arc::new(load(library)?);
    tracing::info!(library = %rt.library.display(), version = %rt.version, "loaded ONNX Runtime");
    *guard = Some(Arc::clone(&rt));
    Ok(rt)
}

/// The run-time loading path (ort's `load-dynamic`; the default).
#[cfg(any(feature = "load-dynamic", not(feature = "download-binaries")))]
fn load(library: Option<&Path>) -> Result<Runtime, Error> {
    let (path, origin) = resolve_library(library);
    let version = read_version(&path, origin)?;
    let minor = version
        .split('.')
        .nth(1)
        .and_then(|m| m.parse::<u32>().ok())
        .unwrap_or(0);
    if minor < MIN_ORT_MINOR_VERSION {
        return Err(Error::RuntimeVersion {
            path,
            found: version,
            required_minor: MIN_ORT_MINOR_VERSION,
        });
    }
    let builder = ort::init_from(&path).map_err(|source| match source {
        ort::LoadDynamicError::BadVersion { version_str, path } => Error::RuntimeVersion {
            path,
            found: version_str,
            required_minor: MIN_ORT_MINOR_VERSION,
        },
        source => Error::RuntimeLoad {
            path: path.clone(),
            origin,
            source: Box::new(source),
        },
    })?;
    tracing::debug!(%origin, "ONNX Runtime library resolved");
    Ok(Runtime {
        env: build_environment(builder)?,
        library: path,
        version,
    })
}

/// The build-time linking path: `download-binaries` without `load-dynamic` (ort links the
/// library it downloaded; the copy next to the executable is found by the system loader).
#[cfg(not(any(feature = "load-dynamic", not(feature = "download-binaries"))))]
fn load(library: Option<&Path>) -> Result<Runtime, Error> {
    if let Some(path) = library {
        tracing::warn!(
            requested = %path.display(),
            "ONNX Runtime is linked at build time (feature download-binaries); ignoring the explicit library path"
        );
    }
    // SAFETY: `OrtGetApiBase` is linked in and takes no arguments.
    let base = unsafe { ort::sys::OrtGetApiBase() };
    // SAFETY: `base` comes straight from `OrtGetApiBase`.
    let version = unsafe { version_string(base) }.unwrap_or_default();
    Ok(Runtime {
        env: build_environment(ort::init())?,
        library: PathBuf::from(library_file_name()),
        version,
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(any(feature = "load-dynamic", not(feature = "download-binaries")))]
/// Opens the library just long enough to ask for its version string, so that a missing or too
/// old library becomes a typed error before ort keeps it loaded for good.
fn read_version(path: &Path, origin: LibrarySource) -> Result<String, Error> {
    let load_error = |source: Box<dyn std::error::Error + Send + Sync>| Error::RuntimeLoad {
        path: path.to_path_buf(),
        origin,
        source,
    };
    // SAFETY: loading ONNX Runtime runs its initialisers, which have no preconditions; the
    // library stays loaded for the rest of this function while its symbols are used.
    let lib = unsafe { libloading::Library::new(path) }.map_err(|error| {
        load_error(Box::new(ort::LoadDynamicError::Dlopen {
            error,
            path: path.to_path_buf(),
        }))
    })?;
    type GetApiBase = unsafe extern "system" fn() -> *const ort::sys::OrtApiBase;
    // SAFETY: `OrtGetApiBase` has this signature in every ONNX Runtime release.
    let get_base = unsafe { lib.get::<GetApiBase>(b"OrtGetApiBase\0") }.map_err(|_| {
        load_error(Box::new(ort::LoadDynamicError::MissingApi {
            path: path.to_path_buf(),
        }))
    })?;
    // SAFETY: the function takes no arguments and returns a pointer to a static struct.
    let base = unsafe { get_base() };
    // SAFETY: `base` comes straight from the library's `OrtGetApiBase`, which is still loaded.
    unsafe { version_string(base) }
        .ok_or_else(|| load_error(Box::new(ort::LoadDynamicError::InvalidVersionString)))
}

/// The version string `GetVersionString` of an `OrtApiBase` reports, or `None` for null pointers.
///
/// # Safety
/// `base` must be null or the result of the `OrtGetApiBase` of a library that is still loaded.
unsafe fn version_string(base: *const ort::sys::OrtApiBase) -> Option<String> {
    if base.is_null() {
        return None;
    }
    // SAFETY: `base` points to the library's static `OrtApiBase` (caller's contract), and
    // `GetVersionString` returns null or a static NUL-terminated string.
    unsafe {
        let ptr = ((*base).GetVersionString)();
        (!ptr.is_null()).then(|| CStr::from_ptr(ptr).to_string_lossy().into_owned())
    }
}

fn build_environment(
    builder: ort::environment::EnvironmentBuilder,
) -> Result<ort::environment::Environment, Error> {
    builder
        .with_name("kittentts")
        .build()
        .map_err(|source| Error::Runtime {
            context: "create the ONNX Runtime environment",
            source,
        })
}

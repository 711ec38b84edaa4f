#!/usr/bin/env bash
# The rustc wrapper of every build here (`build.rustc-wrapper` in .cargo/config.toml): the same compiler and
# arguments, plus `--remap-path-prefix` for the crates.io source directories, so that the paths in dependencies' panic locations read `automerge-0.12.0/src/...` instead of
# `/home/someone/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/automerge-0.12.0/src/...`: about 8 KB less
# phone library, and no build machine's home directory inside the app. (Kindred's own crates are compiled with paths
# relative to the workspace already.) Rustflags in a cargo config cannot say this: the directory differs per machine.
#
# Cargo runs it as `rustc-short-paths.sh RUSTC ARGS...` (or `... clippy-driver rustc ARGS...` under clippy), so the
# flags go last. Cargo does not count a wrapper in what makes it rebuild: after adding or changing this, `cargo clean`
# before measuring. A wrapper set in the environment (RUSTC_WRAPPER=sccache...) takes its place.
set -euo pipefail
remaps=()
for dir in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
    [[ -d "$dir" ]] && remaps+=("--remap-path-prefix=$dir=")
done
exec "$@" ${remaps[@]+"${remaps[@]}"}

#!/usr/bin/env bash
# Builds @mcc/protocol, codec, mcas and deque as they were at <commit> into
# <dir>, for the "main-equivalent" row of `pnpm bench tracing`:
#
#   tools/bench/scripts/build-baseline.sh <commit-without-tracing> /tmp/mcc-baseline
#   MCC_BENCH_BASELINE=/tmp/mcc-baseline pnpm bench tracing
#
# The copy resolves @mcc/* to itself (node_modules/@mcc symlinks) and borrows
# the workspace's third-party dependencies, so nothing is installed.
set -euo pipefail
commit=${1:?usage: build-baseline.sh <commit> <dir>}
out=${2:?usage: build-baseline.sh <commit> <dir>}
repo=$(git rev-parse --show-toplevel)
packages=(protocol codec mcas deque)
rm -rf "$out"
mkdir -p "$out/node_modules/@mcc"
git -C "$repo" archive "$commit" tsconfig.base.json "${packages[@]/#/packages/}" | tar -x -C "$out"
for name in "${packages[@]}"; do
  ln -s "$out/packages/$name" "$out/node_modules/@mcc/$name"
  # Third-party dependencies (and @types) from the workspace's own install.
  for dependency in "$repo/packages/$name/node_modules"/* "$repo/packages/$name/node_modules"/@*/*; do
    [ -e "$dependency" ] || continue
    relative=${dependency#"$repo/packages/$name/node_modules/"}
    case "$relative" in @mcc | @mcc/*) continue ;; @*/*) ;; @*) continue ;; esac
    mkdir -p "$(dirname "$out/node_modules/$relative")"
    [ -e "$out/node_modules/$relative" ] || ln -s "$(readlink -f "$dependency")" "$out/node_modules/$relative"
  done
done
ln -s "$repo/node_modules/@types" "$out/node_modules/@types" 2>/dev/null || true
for name in "${packages[@]}"; do
  (cd "$out/packages/$name" && "$repo/node_modules/.bin/tsc" -p tsconfig.build.json)
done
echo "baseline of ${commit} built in ${out}"

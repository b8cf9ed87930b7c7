#!/usr/bin/env bash
# One idempotent set-up for `npm start`, `npm test` and CI: system packages (Debian, as
# root), npm dependencies, the native addon, the TypeScript build. A second run with
# nothing to do takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[flambeau setup] %s\n' "$*" >&2; }

# --- system packages ----------------------------------------------------------
# libtorch-dev: the engine; libgloo-dev: the headers of the Gloo collectives libtorch links
# (the c10d addon, build/Release/flambeau_distributed.node). libblis4-openmp and libopenblas0-openmp:
# the two OpenMP BLAS builds libtorch's libblas.so.3 may resolve to; set-up times both once
# (scripts/blas-probe.mjs) and selects the faster, as the CPU decides which it is.
# The rest are the demo's and tests' real data and generators (see ../shared/ECOSYSTEM.md):
# images (Fashion-MNIST, scikit-image's and opencv-doc's photos), text (fortunes), speech
# (espeak-ng, flite, sox, pocketsphinx-testdata), graphs and molecules (networkx's examples,
# rdkit-data), glyphs of many scripts (fonts-noto-core, unicode-data: the few-shot set), and
# WordNet 3.0 (wordnet-base: the knowledge-graph-completion figure's WN18RR-like graph);
# ffmpeg decodes and encodes video and compressed audio (src/io/ffmpeg.ts), and music comes as
# recordings (singularity-music) and MIDI (openttd-openmsx, planetblupi-music-midi) that
# FluidSynth renders with a small General MIDI bank (timgm6mb-soundfont): audio-fingerprinting.
APT_PACKAGES=(libtorch-dev libgloo-dev libblis4-openmp libopenblas0-openmp dataset-fashion-mnist python3-skimage opencv-doc fortunes
  fonts-noto-core unicode-data wordnet-base ffmpeg
  espeak-ng flite sox pocketsphinx-testdata python3-networkx rdkit-data
  fluidsynth timgm6mb-soundfont singularity-music openttd-openmsx planetblupi-music-midi)
APT_PACKAGES+=(fonts-dejavu-core fonts-dejavu-extra) # the symbol faces of scripts/own-data/glyph-shapes.py (issue 25's image row)
# text-style-transfer: the King James Bible (bible-kjv-text; its `bible` program prints every verse).
APT_PACKAGES+=(bible-kjv)
# The chat and FAQ-retrieval data: the Debian FAQ and the FAQs these packages install under
# /usr/share/doc (chat/faq.ts reads whichever are there; installing them all fixes the set).
APT_PACKAGES+=(debian-faq lsof xz-utils procps man-db valgrind zlib1g-dev)
# `--test` adds python3-torch and python3-torchvision: interop tests load Flambeau's files in
# Python PyTorch and torchvision weights (made at test time) in Flambeau; and chromium, which
# playwright-core drives for the browser and studio tests (Playwright downloads no browser).
[ "${1:-}" = "--test" ] && APT_PACKAGES+=(python3-torch python3-torchvision chromium)
# `--bench` adds the benchmark suite's references: python3-torch (its PyTorch side, `npm run
# bench`) and metis (gpmetis: the edge cut beside Cluster-GCN's partitioner, graph-scale cut).
[ "${1:-}" = "--bench" ] && APT_PACKAGES+=(python3-torch metis)
MULTIARCH=/usr/lib/x86_64-linux-gnu

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

if [ -n "${LIBTORCH:-}" ]; then
  export FLAMBEAU_TORCH_INCLUDE="$LIBTORCH/include" FLAMBEAU_TORCH_LIB="$LIBTORCH/lib"
  [ -f "$LIBTORCH/include/torch/script.h" ] || { say "LIBTORCH=$LIBTORCH has no include/torch/script.h"; exit 1; }
elif command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
      say "missing Debian packages: ${missing[*]}"
      say "install them as root (apt-get install ${missing[*]}) or set LIBTORCH to a libtorch distribution"
      exit 1
    fi
    say "installing ${missing[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
  # Debian's package-description translations (translation and summarization data): apt
  # fetches the Translation-en/fr/de indexes only when asked for those languages.
  if [ "$(id -u)" = "0" ] && ! ls /var/lib/apt/lists/*_i18n_Translation-fr* >/dev/null 2>&1; then
    say "fetching apt's description translations (en, fr, de)"
    apt-get update -qq -o Acquire::Languages=en,fr,de >&2 || say "apt-get update failed: translation data unavailable"
  fi
  export FLAMBEAU_TORCH_INCLUDE=/usr/include FLAMBEAU_TORCH_LIB=/usr/lib/x86_64-linux-gnu
elif [ ! -f /usr/include/torch/script.h ]; then
  say "libtorch not found: install libtorch (Debian/Ubuntu: apt-get install libtorch-dev) or set LIBTORCH=/path/to/libtorch"
  exit 1
fi

# --- npm dependencies ----------------------------------------------------------
if [ ! -d node_modules ] || [ package.json -nt node_modules/.package-lock.json ] || \
   { [ -f package-lock.json ] && [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  say "npm install"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund >&2; else npm install --no-audit --no-fund >&2; fi
fi

# --- native addon --------------------------------------------------------------
bash scripts/build-addon.sh

# --- TypeScript ------------------------------------------------------------------
stamp=dist/.build-stamp
if [ ! -f "$stamp" ] || [ -n "$(find src test bench tsconfig.json -newer "$stamp" -name '*.ts' -o -newer "$stamp" -name '*.json' 2>/dev/null | head -n 1)" ]; then
  say "compiling TypeScript"
  npx --no-install tsc -p . >&2
  # The task list `flambeau tasks` prints without importing the tasks (src/tasks/catalog.ts).
  node --input-type=module -e 'await (await import("./dist/src/tasks/catalog.js")).taskCatalog()' >&2
  touch "$stamp"
fi

# --- the BLAS ----------------------------------------------------------------------
# libtorch calls libblas.so.3, which Debian's alternatives point at one installed BLAS. Which of
# BLIS and OpenBLAS (both OpenMP builds, libtorch's own threading) is faster depends on the CPU:
# on a 2-core AVX2 EPYC BLIS ran 1024² matmul at 57 GFLOP/s against 31, on a 2-core AVX-512
# EPYC OpenBLAS at 240 against 82, and training steps followed. So each is timed once, on this
# machine (LD_LIBRARY_PATH puts the candidate first), and the faster is selected; the choice and
# its timings stay in build/blas-choice, which a later run only re-applies.
if [ "$(id -u)" = "0" ] && [ -z "${LIBTORCH:-}" ] && command -v update-alternatives >/dev/null 2>&1; then
  best=$(head -n 1 build/blas-choice 2>/dev/null || true)
  if [ -z "$best" ] || [ ! -f "$MULTIARCH/$best/libblas.so.3" ]; then
    best="" best_ms="" timings=""
    for c in blis-openmp openblas-openmp; do
      [ -f "$MULTIARCH/$c/libblas.so.3" ] || continue
      ms=$(LD_LIBRARY_PATH="$MULTIARCH/$c" node scripts/blas-probe.mjs 2>/dev/null || true)
      [ -n "$ms" ] || continue
      timings="$timings $c=${ms}ms"
      if [ -z "$best" ] || awk -v a="$ms" -v b="$best_ms" 'BEGIN { exit !(a < b) }'; then best=$c best_ms=$ms; fi
    done
    if [ -n "$best" ]; then
      say "BLAS timings (MLP step + 512² matmul, scripts/blas-probe.mjs):$timings; selecting $best"
      printf '%s\n%s\n' "$best" "$timings" > build/blas-choice
    fi
  fi
  if [ -n "$best" ]; then
    for link in libblas.so.3 libopenblas.so.0; do
      target="$MULTIARCH/$best/$link"
      [ -f "$target" ] || continue
      if [ "$(readlink -f "/etc/alternatives/$link-x86_64-linux-gnu" 2>/dev/null || true)" != "$(readlink -f "$target")" ]; then
        update-alternatives --set "$link-x86_64-linux-gnu" "$target" >&2
      fi
    done
  fi
fi

# --- the browser pages (esbuild): web/onnx → dist/web/onnx (`flambeau export --web`), web/studio → dist/web/studio (`flambeau studio`)
# The older of the two bundles is the stamp: a page missing, or any source newer, rebuilds both.
# (|| true: on a fresh clone there is no bundle yet, ls fails, and pipefail would end set-up.)
page=$(ls -t dist/web/onnx/app.js dist/web/studio/app.js 2>/dev/null | tail -n 1 || true)
if [ ! -f dist/web/onnx/app.js ] || [ ! -f dist/web/studio/app.js ] || [ ! -f dist/web/studio/app.css ] ||
  [ -n "$(find web src/io/onnx/metadata.ts scripts/build-web.js -newer "$page" -type f 2>/dev/null | head -n 1)" ]; then
  say "bundling the browser pages (web/onnx, web/studio)"
  node scripts/build-web.js
fi

#!/usr/bin/env bash
# Builds faiss (CPU only, AVX2 kernels, OpenBLAS from Debian) from a release tag into work/faiss/ (ignored by git),
# and this folder's C++ driver twice: against that build (bin/faiss-peer-avx2) and against Debian's libfaiss
# 1.7.3 (bin/faiss-peer-debian, the library Debian's python3-faiss wraps: a generic build, no AVX2).
#
#   benchmarks/faiss/build-faiss.sh [--tag v1.13.2] [--git-dir DIR]
#
# The faiss source comes from a local git repository (no network access at run time): --git-dir, else
# $FAISS_GIT_DIR, else /work/.mirror/facebookresearch+faiss/repo (where the project machines keep a mirror).
# The tag is exported with `git archive` into work/faiss/src-<tag>; nothing of faiss is ever committed here.
# Debian packages needed: cmake g++ libopenblas-dev libfaiss-dev (apt-get install -y ...).
# On 2 shared cores the faiss build runs at nice 19 with -j2 and takes about 25 minutes; reruns reuse it.
set -euo pipefail
cd "$(dirname "$0")/../.."
tag=v1.13.2
git_dir=${FAISS_GIT_DIR:-/work/.mirror/facebookresearch+faiss/repo}
while [[ $# -gt 0 ]]; do
  case $1 in
    --tag) tag=$2; shift 2 ;;
    --git-dir) git_dir=$2; shift 2 ;;
    -h|--help) sed -n 2,12p "$0"; exit 0 ;;
    *) echo "build-faiss: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for pkg in cmake g++ libopenblas-dev libfaiss-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || { echo "build-faiss: Debian package $pkg is missing (apt-get install -y $pkg)" >&2; exit 2; }
done
work=work/faiss
src=$work/src-$tag
build=$work/build-$tag
prefix=$work/install-$tag
mkdir -p "$work/bin"

if [[ ! -f $src/CMakeLists.txt ]]; then
  git --git-dir="$git_dir" rev-parse --verify -q "$tag^{commit}" >/dev/null \
    || { echo "build-faiss: no tag $tag in $git_dir (fetch github:facebookresearch/faiss first)" >&2; exit 2; }
  rm -rf "$src.tmp" && mkdir -p "$src.tmp"
  git --git-dir="$git_dir" archive "$tag" | tar -x -C "$src.tmp"
  mv "$src.tmp" "$src"
fi

if [[ ! -f $prefix/lib/libfaiss_avx2.a ]]; then
  echo "build-faiss: configuring and building faiss $tag (AVX2, CPU only) into $build"
  nice -n 19 cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DFAISS_OPT_LEVEL=avx2 \
    -DFAISS_ENABLE_GPU=OFF -DFAISS_ENABLE_PYTHON=OFF -DBUILD_TESTING=OFF -DBUILD_SHARED_LIBS=OFF \
    -DFAISS_ENABLE_C_API=OFF -DBLA_VENDOR=OpenBLAS -DCMAKE_INSTALL_PREFIX="$PWD/$prefix" >/dev/null
  nice -n 19 cmake --build "$build" --target faiss_avx2 -j2
  mkdir -p "$prefix/lib" "$prefix/include"
  cp "$build/faiss/libfaiss_avx2.a" "$prefix/lib/"
  (cd "$src" && find faiss -name '*.h' -not -path '*/gpu/*' -exec install -D -m 644 {} "$OLDPWD/$prefix/include/{}" \;)
fi

flags=(-O3 -std=c++17 -fopenmp -march=x86-64-v2)
echo "build-faiss: building the driver"
nice -n 10 g++ "${flags[@]}" -mavx2 -mfma -mf16c -I"$prefix/include" benchmarks/faiss/faiss_peer.cpp \
  -o "$work/bin/faiss-peer-avx2" "$prefix/lib/libfaiss_avx2.a" -lopenblas -lgomp -lpthread
nice -n 10 g++ "${flags[@]}" benchmarks/faiss/faiss_peer.cpp -o "$work/bin/faiss-peer-debian" -lfaiss -lopenblas -lgomp
echo "build-faiss: $work/bin/faiss-peer-avx2 (faiss $tag, AVX2) and $work/bin/faiss-peer-debian (Debian libfaiss)"

#!/usr/bin/env bash
# Builds DJL's PyTorch JNI (libdjl_torch.so) against a given libtorch, from DJL's own sources at the tag of the
# pytorch-engine jar on our class path, installs it where DJL looks for it, and writes the environment to use it.
# DJL's sources are third-party code: they live in an ignored folder (default work/djl-src) and are never committed.
#
#   tools/build-djl-jni.sh [--djl-src DIR] [--torch DIR] [--java-home DIR] [--jni-include DIR] [--cache DIR]
#                          [--engine-version V]
#
#   --djl-src DIR      a DJL source tree (the repository root, or the subset tools/gpu-train.sh stages: gradle/
#                      libs.versions.toml, api/src/main/native, engines/pytorch/pytorch-native and the engine's
#                      PyTorchLibrary.java). Default work/djl-src; if absent and the network is reachable, the tag is
#                      cloned there (git clone --depth 1 --branch vV https://github.com/deepjavalibrary/djl).
#   --torch DIR        the torch package directory (holds lib/ and share/cmake/Torch). Default: the torch of python3.
#   --java-home DIR    the Java runtime DJL will run in (for lib/server/libjvm.so). Default $JAVA_HOME.
#   --jni-include DIR  a folder with jni.h and linux/jni_md.h (a jlink'd runtime has none). Default
#                      $JAVA_HOME/include, else DIR/include of --djl-src (staged copies).
#   --cache DIR        DJL's ENGINE_CACHE_DIR to install into. Default work/djl-cache.
#   --engine-version V the pytorch-engine version on the class path. Default: read from java/train/pom.xml.
#   --prepare-only     only check the version, generate the JNI header and copy jni.h/jni_md.h into DIR/include
#                      of --djl-src (what a machine with a JDK does before the tree travels to one without javac).
#
# The source tree's version (gradle/libs.versions.toml: djl = "...") must equal the engine's, else it refuses: the
# JNI's native method signatures change between DJL releases. The JNI header comes from `javac -h` on
# PyTorchLibrary.java when a javac is there, else from a pre-generated build/include/ai_djl_pytorch_jni_PyTorchLibrary.h
# in the source tree (tools/gpu-train.sh generates it here, where the JDK is).
#
# Prints, and writes to CACHE/djl-env.sh, the variables DJL needs: PYTORCH_LIBRARY_PATH, PYTORCH_VERSION,
# PYTORCH_FLAVOR, ENGINE_CACHE_DIR (run java with -Dai.djl.offline=true and no pytorch-jni/pytorch-native jar).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
src=$root/work/djl-src; torch=; jh=${JAVA_HOME:-}; jni_inc=; cache=$root/work/djl-cache; ver=; prepare=0
while (($#)); do
  case $1 in
    --djl-src) src=$2; shift 2 ;;
    --torch) torch=$2; shift 2 ;;
    --java-home) jh=$2; shift 2 ;;
    --jni-include) jni_inc=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --engine-version) ver=$2; shift 2 ;;
    --prepare-only) prepare=1; shift ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "build-djl-jni: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
die() { echo "build-djl-jni: $*" >&2; exit 1; }

if [[ -z $ver ]]; then
  ver=$(sed -n 's:.*<djl.version>\(.*\)</djl.version>.*:\1:p' java/train/pom.xml | head -n 1)
  [[ -n $ver ]] || die "cannot read <djl.version> from java/train/pom.xml; give --engine-version"
fi
if [[ ! -d $src ]]; then
  echo "build-djl-jni: $src missing: cloning DJL v$ver"
  git clone -q --depth 1 --branch "v$ver" https://github.com/deepjavalibrary/djl "$src" \
    || die "no DJL source tree at $src and the clone failed (offline?): stage one with tools/gpu-train.sh or give --djl-src"
fi
toml=$src/gradle/libs.versions.toml
[[ -f $toml ]] || die "$src is not a DJL source tree (no gradle/libs.versions.toml)"
src_ver=$(sed -n 's/^djl *= *"\(.*\)"/\1/p' "$toml" | head -n 1)
[[ $src_ver == "$ver" ]] || die "DJL source tree $src is version '$src_ver' but the pytorch-engine jar is $ver: \
the JNI signatures must match; check out tag v$ver"
native=$src/engines/pytorch/pytorch-native
[[ -f $native/CMakeLists.txt ]] || die "$native/CMakeLists.txt missing"

build=$native/build
mkdir -p "$build/include"
header=$build/include/ai_djl_pytorch_jni_PyTorchLibrary.h
if [[ -x $jh/bin/javac || ! -f $header ]]; then
  javac=$jh/bin/javac; [[ -x $javac ]] || javac=$(command -v javac || true)
  [[ -n $javac ]] || die "no javac to generate the JNI header, and no pre-generated $header"
  api_jar=$(find ~/.m2/repository/ai/djl/api/$ver -name "api-$ver.jar" 2>/dev/null | head -n 1)
  [[ -n $api_jar ]] || die "DJL api-$ver.jar not in ~/.m2 (run a Maven build first)"
  "$javac" -h "$build/include" -d "$build/classes" -cp "$api_jar" \
    -sourcepath "$src/engines/pytorch/pytorch-engine/src/main/java" \
    "$src/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java"
fi
[[ -f $header ]] || die "JNI header $header was not generated"
if ((prepare)); then
  [[ -f $jh/include/jni.h ]] || die "--prepare-only needs a JDK (JAVA_HOME with include/jni.h)"
  mkdir -p "$src/include/linux"
  cp "$jh/include/jni.h" "$src/include/"; cp "$jh/include/linux/jni_md.h" "$src/include/linux/"
  echo "build-djl-jni: $src prepared (DJL $ver, header $header, JNI includes $src/include)"
  exit 0
fi

if [[ -z $torch ]]; then
  torch=$(python3 -c 'import os, torch; print(os.path.dirname(torch.__file__))' 2>/dev/null) \
    || die "no --torch given and python3 has no torch"
fi
[[ -d $torch/share/cmake/Torch && -d $torch/lib ]] || die "$torch is not a torch package (no share/cmake/Torch, lib)"
tver_full=$(python3 -c 'import torch; print(torch.__version__)' 2>/dev/null || true)
[[ -n $tver_full ]] || tver_full=$(sed -n 's/^__version__ *= *.\([^"'"'"']*\).*/\1/p' "$torch/version.py" | head -n 1)
tver=${tver_full%%+*}
flavor=${tver_full#*+}; [[ $flavor == "$tver_full" ]] && flavor=cpu
[[ -n $tver ]] || die "cannot read the torch version under $torch"
use_cuda=0; [[ $flavor == cu* ]] && use_cuda=1

[[ -n $jh && -f $jh/lib/server/libjvm.so ]] || die "no Java runtime with lib/server/libjvm.so (give --java-home)"
if [[ -z $jni_inc ]]; then
  if [[ -f $jh/include/jni.h ]]; then jni_inc=$jh/include; else jni_inc=$src/include; fi
fi
[[ -f $jni_inc/jni.h && -f $jni_inc/linux/jni_md.h ]] || die "no jni.h + linux/jni_md.h under $jni_inc (give --jni-include)"


echo "build-djl-jni: DJL $ver JNI against torch $tver_full ($torch), CUDA=$use_cuda"
gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
t0=$(date +%s)
cmake -S "$native" -B "$build/cmake" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_STANDARD=17 \
  -DUSE_CUDA=$use_cuda -DTorch_DIR="$torch/share/cmake/Torch" \
  -DJAVA_INCLUDE_PATH="$jni_inc" -DJAVA_INCLUDE_PATH2="$jni_inc/linux" \
  -DJAVA_JVM_LIBRARY="$jh/lib/server/libjvm.so" -DJAVA_AWT_INCLUDE_PATH=NotNeeded -DJAVA_AWT_LIBRARY=NotNeeded \
  >"$build/cmake.log" 2>&1 || { tail -n 30 "$build/cmake.log" >&2; die "cmake configure failed ($build/cmake.log)"; }
# DJL's CMakeLists includes build/include relative to the source dir: the header is there.
cmake --build "$build/cmake" -j "$(nproc)" >"$build/build.log" 2>&1 \
  || { tail -n 40 "$build/build.log" >&2; die "build failed ($build/build.log)"; }
lib=$(find "$build/cmake" -name libdjl_torch.so | head -n 1)
[[ -f $lib ]] || die "libdjl_torch.so not produced"

dest=$cache/pytorch/$tver-$flavor-linux-x86_64
mkdir -p "$dest"
cp "$lib" "$dest/$ver-libdjl_torch.so.tmp" && mv -f "$dest/$ver-libdjl_torch.so.tmp" "$dest/$ver-libdjl_torch.so"
env_file=$cache/djl-env.sh
cat >"$env_file.tmp" <<EOF
export PYTORCH_LIBRARY_PATH=$torch/lib
export PYTORCH_VERSION=$tver
export PYTORCH_FLAVOR=$flavor
export ENGINE_CACHE_DIR=$cache
export OPT_OUT_TRACKING=true
EOF
mv -f "$env_file.tmp" "$env_file"
echo "build-djl-jni: built in $(( $(date +%s) - t0 )) s: $dest/$ver-libdjl_torch.so"
echo "build-djl-jni: environment (source $env_file), then java -Dai.djl.offline=true with no pytorch-jni/native jar:"
sed 's/^/  /' "$env_file"

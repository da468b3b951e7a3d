#!/usr/bin/env bash
# Builds a small Java 25 runtime with jlink for the GPU machine (which has no Java) and packs it as
# .gpu/jre.txz (xz: 15 MB against 24 MB as .tgz, which matters under the device tool's 64 MiB transfer limit; the
# folder .gpu/ is git-ignored and travels with the device tool's `carry`). tools/gpu-jre.sh unpacks it there.
# Usage: tools/make-jre.sh            (JAVA_HOME defaults to Temurin 25)
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
out=.gpu
mkdir -p "$out"
rm -f "$out/jre.tgz" # the old gzip packing
if [[ -f $out/jre.txz && $out/jre.txz -nt "$0" ]]; then
  echo "make-jre: $out/jre.txz is up to date"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Modules: the library (java.base, jdk.incubator.vector, java.logging for System.Logger), the JUnit console
# launcher (java.management, java.xml, jdk.unsupported) and jdk.zipfs. java.desktop would double the size.
"$JAVA_HOME/bin/jlink" \
  --add-modules java.base,java.logging,java.management,java.xml,jdk.unsupported,jdk.incubator.vector,jdk.zipfs \
  --strip-debug --no-header-files --no-man-pages --compress=zip-0 \
  --output "$tmp/jre"
tar -C "$tmp" -cf - jre | xz -9 -T0 > "$out/jre.txz.part"
mv "$out/jre.txz.part" "$out/jre.txz"
echo "make-jre: wrote $out/jre.txz ($(du -h "$out/jre.txz" | cut -f1))"

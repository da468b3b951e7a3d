#!/usr/bin/env bash
# Builds a small Java 25 runtime with jlink for the GPU machine (which has no Java) and packs it as
# .gpu/jre.tgz (the folder .gpu/ is git-ignored and travels with the device tool's `carry`).
# Usage: tools/make-jre.sh            (JAVA_HOME defaults to Temurin 25)
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
out=.gpu
mkdir -p "$out"
if [[ -f $out/jre.tgz && $out/jre.tgz -nt "$0" ]]; then
  echo "make-jre: $out/jre.tgz is up to date"
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
tar -C "$tmp" -czf "$out/jre.tgz.part" jre
mv "$out/jre.tgz.part" "$out/jre.tgz"
echo "make-jre: wrote $out/jre.tgz ($(du -h "$out/jre.tgz" | cut -f1))"

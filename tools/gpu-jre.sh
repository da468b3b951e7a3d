#!/usr/bin/env bash
# Sourced by the scripts that run on the GPU machine (which has no Java): unpacks the jlink'd runtime that
# tools/make-jre.sh packed into .gpu/jre.txz (once per machine) and sets DP_JAVA to its java binary.
#   source tools/gpu-jre.sh
DP_JRE_DIR=${DP_JRE_DIR:-/tmp/dpjre}
if [[ ! -x $DP_JRE_DIR/jre/bin/java ]]; then
  if [[ ! -f .gpu/jre.txz ]]; then
    echo "gpu-jre: .gpu/jre.txz is missing: run tools/gpu-prepare.sh here and carry [\".gpu\"]" >&2
    return 1 2>/dev/null || exit 1
  fi
  mkdir -p "$DP_JRE_DIR"
  tar -C "$DP_JRE_DIR" -xJf .gpu/jre.txz
fi
DP_JAVA=$DP_JRE_DIR/jre/bin/java

#!/usr/bin/env bash
# Installs what the test suite needs beyond Maven: Debian's chromium and chromium-driver, for the web page's browser
# test (java/app ServePageBrowserTest drives /usr/bin/chromium through /usr/bin/chromedriver with Selenium; nothing is
# downloaded at test time). Idempotent: does nothing when both are present. Needs root (CI and the dev machines run
# as root) or sudo.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  echo "install-test-deps: chromium and chromedriver already installed ($(command -v chromium), $(command -v chromedriver))"
  exit 0
fi
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "install-test-deps: need root to apt-get install chromium chromium-driver" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-test-deps: apt-get install chromium chromium-driver"
$sudo apt-get update -q
$sudo apt-get install -y -q chromium chromium-driver
command -v chromium >/dev/null && command -v chromedriver >/dev/null
echo "install-test-deps: $(chromium --version 2>/dev/null | head -1); $(chromedriver --version | head -1)"

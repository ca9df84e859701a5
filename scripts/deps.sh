#!/usr/bin/env bash
# Install the Debian packages tapstack needs to build and test; a no-op when all are there.
# Called by `make run` and `make test` (and so by .ci/run) before anything is built.
set -eu
pkgs=(build-essential pkg-config libev-dev check libpcap-dev libedit-dev
      clang libclang-rt-14-dev iproute2 iputils-ping iputils-arping netcat-openbsd
      tshark tcpdump procps ethtool)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "deps.sh: missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/bin/sh
# Install what ovpn needs on Debian 12, as root.
#   tools/deps.sh          build dependencies and what `make demo` uses
#   tools/deps.sh --test   also what the test suite uses (wg interop, tcpdump...)
#   tools/deps.sh --bench  also the VPNs that bench/ compares against
set -e
pkgs="build-essential autoconf automake pkg-config libsodium-dev libconfuse-dev
      libcap-ng-dev libmnl-dev libseccomp-dev iproute2 tcpdump"
case "$1" in
--test)  pkgs="$pkgs wireguard-tools util-linux valgrind clang libclang-rt-dev iperf3 procps xxd jq nftables" ;;
--bench) pkgs="$pkgs iperf3 wireguard-go wireguard-tools fastd procps jq iputils-ping" ;;
"") ;;
*) echo "usage: $0 [--test|--bench]" >&2; exit 2 ;;
esac
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $pkgs

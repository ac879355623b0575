#!/bin/sh
# SPDX-License-Identifier: ISC
# Install what ovpn needs on Debian 12, as root: a minimal install (or a
# debootstrap --variant=minbase root) has none of it; tools/fresh-root.sh
# proves that these lists are complete.
#   tools/deps.sh          build dependencies and what `make demo` uses
#   tools/deps.sh --test   also what the whole test suite uses
#   tools/deps.sh --deb    also what `make deb` uses (debhelper, lintian)
#   tools/deps.sh --bench  also the VPNs that bench/ compares against
set -e
# procps: sysctl (the demo's forwarding); iproute2: ip and bridge.
pkgs="build-essential autoconf automake pkg-config libsodium-dev libssl-dev libconfuse-dev
      libcap-ng-dev libmnl-dev libseccomp-dev iproute2 procps tcpdump"
# The suite: wg interop (wireguard-tools), setpriv and flock (util-linux),
# ping, ps (procps), jq and xxd for the control and wire checks, valgrind,
# clang and its runtime for the fuzz targets and the sanitizer pass, iperf3
# for the TCP rounds, nftables for multihome.sh's firewall, systemd for
# systemd-analyze on the unit,
# bash-completion for the completion test.
test_pkgs="wireguard-tools util-linux valgrind clang libclang-rt-dev iperf3
      iputils-ping xxd jq nftables prometheus curl systemd bash-completion"
deb_pkgs="debhelper dh-autoreconf fakeroot lintian"
case "$1" in
--test)  pkgs="$pkgs $test_pkgs" ;;
--deb)   pkgs="$pkgs $deb_pkgs" ;;
--bench) pkgs="$pkgs iperf3 wireguard-go wireguard-tools fastd jq iputils-ping" ;;
"") ;;
*) echo "usage: $0 [--test|--deb|--bench]" >&2; exit 2 ;;
esac
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $pkgs

#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Prove, as root, that ovpn needs nothing a developer's machine happens to
# have: run README's two lines, or install the .deb, in a fresh minimal
# Debian 12 (debootstrap --variant=minbase bookworm), chrooted, on an
# overlay thrown away afterwards.
#
#   tools/fresh-root.sh readme         both README lines: demo, then the suite
#                                      (fails on any failed or skipped test),
#                                      then make install and its example
#   tools/fresh-root.sh deb FILE.deb   install, check the account, the
#                                      directories and the example, purge
#
# The pristine root is made once and kept in $FRESH_CACHE (default
# /var/tmp/ovpn-fresh); every run works on its own overlay of it.
# $FRESH_MIRROR overrides the Debian mirror (default: the host's own);
# FRESH_KEEP=1 leaves the root mounted for a look inside; the suite's logs
# are copied out to $FRESH_LOGS (default $FRESH_CACHE/logs).
set -uo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
cache=${FRESH_CACHE:-/var/tmp/ovpn-fresh}
base=$cache/bookworm-minbase
logs=${FRESH_LOGS:-$cache/logs}
mode=${1:-}
run=
root=

die() { echo "fresh-root: $*" >&2; exit 1; }
say() { echo "== fresh-root: $*"; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mounts)"
case "$mode" in
readme) [ $# = 1 ] || die "usage: $0 readme" ;;
deb) [ $# -ge 2 ] || die "usage: $0 deb FILE.deb..." ;;
*) die "usage: $0 readme | deb FILE.deb..." ;;
esac

# The first deb822 URI or sources.list line of the host's apt setup.
host_mirror() {
	local m
	m=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v security | head -n 1)
	[ -n "$m" ] || m=$(sed -n 's/^deb  *\(\[[^]]*\] *\)\{0,1\}\([^ ]*\) .*/\2/p' \
		/etc/apt/sources.list 2>/dev/null | grep -v security | head -n 1)
	echo "$m"
}

make_base() {
	local mirror=${FRESH_MIRROR:-$(host_mirror)} t0=$SECONDS
	[ -n "$mirror" ] || die "no Debian mirror in the host's apt sources: set FRESH_MIRROR"
	command -v debootstrap >/dev/null ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends debootstrap; } ||
		die "cannot install debootstrap"
	mkdir -p "$cache"
	rm -rf "$base.new"
	say "debootstrap --variant=minbase bookworm (once, kept in $base)"
	debootstrap --variant=minbase bookworm "$base.new" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$cache/debootstrap.log"; die "debootstrap failed"; }
	mv "$base.new" "$base"
	say "base root made in $((SECONDS - t0)) s"
}

cleanup() {
	[ -n "$root" ] || return 0
	# The suite's logs outlive the root, for a look at what failed.
	if [ -d "$root/root/ovpn/tests" ]; then
		rm -rf "$logs" && mkdir -p "$logs" &&
			(cd "$root/root/ovpn/tests" && find . -name '*.log' -print0 |
				xargs -0 -r cp --parents -t "$logs")
		echo "fresh-root: the suite's logs are in $logs"
	fi
	if [ -n "${FRESH_KEEP:-}" ]; then
		echo "fresh-root: FRESH_KEEP: $root stays mounted (umount -R it, then rm -rf $run)"
		return 0
	fi
	# Whatever still runs inside the root was started there by this run.
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -9 "${p#/proc/}" 2>/dev/null
	done
	sleep 0.2
	# Anything a test left mounted under the root (netns files) goes too.
	umount -R "$root" 2>/dev/null || umount -R -l "$root" 2>/dev/null
	rm -rf "$run"
}

# A /dev of its own with the modes a fresh Debian gives its nodes (the
# host's may have been changed), a private devpts and a /dev/shm.
make_dev() {
	mount -t tmpfs -o mode=0755,nosuid tmpfs "$1"
	mknod -m 0666 "$1/null" c 1 3; mknod -m 0666 "$1/zero" c 1 5
	mknod -m 0666 "$1/full" c 1 7; mknod -m 0666 "$1/random" c 1 8
	mknod -m 0666 "$1/urandom" c 1 9; mknod -m 0666 "$1/tty" c 5 0
	mkdir -m 0755 "$1/net" "$1/pts"; mkdir -m 1777 "$1/shm"
	mknod -m 0666 "$1/net/tun" c 10 200
	mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$1/pts"
	ln -s pts/ptmx "$1/ptmx"
	ln -s /proc/self/fd "$1/fd"; ln -s /proc/self/fd/0 "$1/stdin"
	ln -s /proc/self/fd/1 "$1/stdout"; ln -s /proc/self/fd/2 "$1/stderr"
}

# An overlay of the pristine root with the kernel's file systems bound in:
# /dev for /dev/net/tun, /proc and /sys for ip netns and sysctl.
mount_root() {
	run=$(mktemp -d "$cache/run.XXXXXX") || die "mktemp"
	root=$run/root
	mkdir -p "$run/upper" "$run/work" "$root"
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	mount -t overlay overlay -o "lowerdir=$base,upperdir=$run/upper,workdir=$run/work" "$root" ||
		die "cannot mount the overlay"
	mount -t proc proc "$root/proc"
	mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys"
	make_dev "$root/dev"
	mount -t tmpfs -o mode=0755 tmpfs "$root/run"
	mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
	cp -L /etc/resolv.conf "$root/etc/resolv.conf"
}

# in_root CMD: run a shell command in the root, as a fresh login would.
in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI:-true}" /bin/bash -c "$1"
}

# timed NAME CMD: run CMD in the root, report its time; fail if it fails.
timed() {
	local t0=$SECONDS rc
	say "$1: $2"
	in_root "$2"
	rc=$?
	say "$1: exit $rc after $((SECONDS - t0)) s"
	[ "$rc" = 0 ] || die "$1 failed"
}

# The tree as git has it (tracked files and new ones not ignored), so a
# build left in the developer's tree does not leak in.
copy_tree() {
	mkdir -p "$root/root/ovpn"
	(cd "$src" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf -) | tar -xf - -C "$root/root/ovpn" ||
		die "cannot copy the tree (a git checkout is needed)"
}

readme_line() {
	grep -m 1 -E "^    $1" "$src/README.md" | sed 's/^    //'
}

check_readme() {
	local demo test summary
	demo=$(readme_line 'tools/deps.sh && ')
	test=$(readme_line 'tools/deps.sh --test && ')
	[ -n "$demo" ] && [ -n "$test" ] || die "README has no demo or test line"
	copy_tree
	timed "README line 1" "cd /root/ovpn && $demo"
	timed "README line 2" "cd /root/ovpn && $test"
	summary=$(grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' "$root/root/ovpn/tests/test-suite.log")
	echo "$summary"
	echo "$summary" | grep -qE '^# (SKIP|FAIL|XPASS|ERROR): +[1-9]' && die "the suite had failures or skips"
	say "both README lines passed"
	# A real make install: the account, the directories, a host key, and
	# the installed example passes its check.
	timed "make install" "cd /root/ovpn && make install >/dev/null &&
		getent passwd ovpn && stat -c '%a %n' /usr/local/etc/ovpn/keys /run/ovpn &&
		ovpnd -t -c /usr/local/etc/ovpn/example.conf"
}

check_deb() {
	local d names=()
	shift
	mkdir -p "$root/root/debs"
	for d in "$@"; do
		cp "$d" "$root/root/debs/" || die "no such file: $d"
		names+=("/root/debs/$(basename "$d")")
	done
	timed "install" "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${names[*]}"
	timed "account" "getent passwd ovpn && getent group ovpn && ! getent passwd ovpn | grep -q ':/bin/.*sh\$'"
	timed "directories" "stat -c '%a %U:%G %n' /etc/ovpn /etc/ovpn/keys /etc/ovpn/keys/host.key &&
		test \"\$(stat -c %a /etc/ovpn/keys)\" = 700 && test \"\$(stat -c %a /etc/ovpn/keys/host.key)\" = 600"
	timed "example" "ovpnd -t -c /etc/ovpn/example.conf && ovpnd --version && ovpnctl --version && ovpn-keygen --version"
	# The installed unit, with the installed programs and man pages.
	timed "unit" "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd man-db >/dev/null &&
		cp /lib/systemd/system/ovpnd@.service /tmp/ovpnd@ovpn0.service &&
		systemd-analyze verify /tmp/ovpnd@ovpn0.service && echo verify clean &&
		systemd-analyze security --offline=yes /tmp/ovpnd@ovpn0.service | tail -n 1"
	timed "purge" "dpkg -L ovpn | sort >/root/files && DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq ovpn &&
		! test -e /etc/ovpn && ! dpkg -s ovpn >/dev/null 2>&1 &&
		left=\$(while read -r f; do [ ! -f \"\$f\" ] || echo \"\$f\"; done </root/files) &&
		{ [ -z \"\$left\" ] || { echo \"left behind: \$left\"; false; }; }"
	say "the package installed and purged cleanly"
}

[ -d "$base" ] || make_base
mount_root
case "$mode" in
readme) check_readme ;;
deb) check_deb "$@" ;;
esac

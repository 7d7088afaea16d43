# SPDX-License-Identifier: GPL-2.0
# Sourced: debian_apt DIR sets APT_OPTS to a private apt configuration under
# DIR that reads Debian unstable and testing from the system's own mirror,
# and updates its lists.  Download only: /etc/apt is never touched.
debian_apt() {
	local d=$1 uris
	command -v apt-get >/dev/null || return 1
	uris=$(grep -rhoE '^(URIs:|deb) +[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
		/etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | grep -v security | sort -u | head -1 || true)
	[ -n "$uris" ] || return 1
	mkdir -p "$d/lists/partial" "$d/archives/partial" "$d/pkg"
	for suite in unstable testing; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uris $suite main"
	done > "$d/sources.list"
	APT_OPTS=(-o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
		  -o Dir::State::Lists="$d/lists" -o Dir::Cache="$d" -o Debug::NoLocking=1)
	apt-get "${APT_OPTS[@]}" update >/dev/null
}

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Configure $KOBJ: tinyconfig + the fragments in $CONFIGS (default
# configs/vm.config), then fail if Kconfig dropped any requested option.
. "$(dirname "$0")/lib.sh"

CONFIGS=${CONFIGS:-$TOP/configs/vm.config}
mkdir -p "$KOBJ"
cfgs=()
for c in $CONFIGS; do cfgs+=("$(realpath "$c")"); done

# Only reconfigure when a fragment or the tree changed.
stamp=$KOBJ/.harness-config
want=$(cat "${cfgs[@]}" | sha256sum | cut -c1-16)-$(git -C "$TREE" rev-parse HEAD)
if [ -f "$KOBJ/.config" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
	exit 0
fi

log "configuring $KOBJ from tinyconfig + ${CONFIGS}"
kmake -s tinyconfig >/dev/null
(cd "$KOBJ" && KCONFIG_CONFIG=.config "$TREE/scripts/kconfig/merge_config.sh" -m -O "$KOBJ" .config "${cfgs[@]}" >/dev/null)
kmake -s olddefconfig >/dev/null

# Each symbol as the last fragment that sets it wants it (merge_config.sh
# lets a later fragment override an earlier one).
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		sym=${line%%=*} val=${line#*=}
		if [ "$val" = n ]; then
			grep -qx "$sym=[ym]" "$KOBJ/.config" && { echo >&2 "  $sym: wanted n, got $(grep "^$sym=" "$KOBJ/.config")"; bad=1; }
		elif grep -qxF "$line" "$KOBJ/.config"; then
			:
		elif ! grep -rqxE "(menu)?config ${sym#CONFIG_}" --include='Kconfig*' "$TREE"; then
			echo >&2 "  note: $sym does not exist in this tree (the series adds it); ignored"
		else
			echo >&2 "  $sym: wanted $val, got $(grep -E "^$sym=|^# $sym is not set" "$KOBJ/.config" || echo 'absent')"
			bad=1
		fi ;;
	"# CONFIG_"*" is not set")
		sym=${line#\# } sym=${sym%% *}
		grep -qx "$sym=[ym]" "$KOBJ/.config" && { echo >&2 "  $sym: wanted unset, got set"; bad=1; } ;;
	esac
done < <(awk '
	function set(sym) { if (!(sym in v)) order[n++] = sym; v[sym] = $0 }
	/^CONFIG_[A-Za-z0-9_]+=/ { sym = $0; sub(/=.*/, "", sym); set(sym); next }
	/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { set($2); next }
	END { for (i = 0; i < n; i++) print v[order[i]] }' "${cfgs[@]}")
[ "$bad" = 0 ] || die "Kconfig dropped requested options (see above): fix the fragment's dependencies"
echo "$want" > "$stamp"

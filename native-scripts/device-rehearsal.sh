#!/usr/bin/env bash
# Rehearses a command for the borrowed GPU machine on this CPU machine, under that machine's rules as the
# device tool documents them: only the working tree travels (tracked and untracked-not-ignored files, plus
# the ignored paths named with --carry), 64 MiB at most; the command runs in the copy's root with an empty
# folder in $OUT and is killed after 600 s; at most 8 files come back from $OUT (16 MiB each, 64 MiB
# together, at most two folders down, names of letters, digits, '.', '_' and '-').
#
#   native-scripts/device-rehearsal.sh [--carry PATH]... [--no-fonts [--no-fontconfig]] [--timeout S] [--term-after S]
#                                      [--keep DIR] -- COMMAND
#
# DEVICE_CHECK_STANDIN=1 is exported, so that device-check.sh's `run` uses the CPU stand-in: the COMMAND is
# otherwise exactly what the GPU machine runs. --no-fonts hides every system font from the command (a mount
# namespace; needs root and unshare); --no-fontconfig hides libfontconfig as well (which some Python
# packages, Debian's torch among them, need to load). --term-after sends SIGTERM to the command after
# S seconds (to show that the summary still arrives). --keep copies what came back to DIR.
# Exit status: the command's, or 3 when what came back breaks the 8-file rule, 4 when the tree is too large.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
carry=() no_fonts=0 no_fontconfig=0 limit=600 term_after=0 keep=
while [ $# -gt 0 ]; do
  case $1 in
    --carry) carry+=("$2"); shift 2 ;;
    --no-fonts) no_fonts=1; shift ;;
    --no-fontconfig) no_fontconfig=1; shift ;;
    --timeout) limit=$2; shift 2 ;;
    --term-after) term_after=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "device-rehearsal: unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
[ $# -eq 1 ] || { echo "device-rehearsal: give the command as one argument after --" >&2; exit 2; }
command=$1

stage=$(mktemp -d "${TMPDIR:-/tmp}/device-rehearsal.XXXXXX")
tree="$stage/tree" out="$stage/out"
mkdir -p "$tree" "$out"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 -r cp --parents -P -t "$tree" 2>/dev/null)
for path in "${carry[@]}"; do
  (cd "$root" && cp -a --parents "$path" "$tree") || { echo "device-rehearsal: cannot carry $path" >&2; exit 2; }
done
bytes=$(du -sb "$tree" | cut -f1)
echo "device-rehearsal: working tree that travels: $((bytes / 1024 / 1024)) MiB ($bytes bytes; limit 64 MiB), carried: ${carry[*]:-nothing}"
[ "$bytes" -le $((64 * 1024 * 1024)) ] || { echo "device-rehearsal: larger than 64 MiB: the device tool would refuse it" >&2; exit 4; }

runner=(bash -c "$command")
if [ "$no_fonts" -eq 1 ]; then
  [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null || { echo "device-rehearsal: --no-fonts needs root and unshare" >&2; exit 2; }
  fontconfig=
  [ "$no_fontconfig" -eq 0 ] || fontconfig=$(readlink -f /usr/lib/x86_64-linux-gnu/libfontconfig.so.1 2>/dev/null || true)
  hide='for d in /usr/share/fonts /usr/local/share/fonts /var/cache/fontconfig "$HOME/.fonts" "$HOME/.local/share/fonts"; do
          [ -d "$d" ] && mount -t tmpfs none "$d"; done
        [ -n "$FONTCONFIG_LIB" ] && [ -f "$FONTCONFIG_LIB" ] && mount --bind /dev/null "$FONTCONFIG_LIB"
        exec bash -c "$0"'
  runner=(unshare -m --propagation private env FONTCONFIG_LIB="$fontconfig" bash -c "$hide" "$command")
  echo "device-rehearsal: no fonts visible: tmpfs over the font folders${fontconfig:+, /dev/null over $fontconfig}"
fi

echo "device-rehearsal: \$ $command   (in a copy of the tree, OUT=$out, killed after $limit s)"
start=$(date +%s)
(cd "$tree" && OUT=$out DEVICE_CHECK_STANDIN=1 exec timeout -s KILL "$limit" "${runner[@]}") &
pid=$!
if [ "$term_after" -gt 0 ]; then
  # $pid is timeout's, which leads its own process group: the signal reaches the command, as a kill from outside would.
  (sleep "$term_after" && kill -TERM -- -"$pid" 2>/dev/null && echo "device-rehearsal: sent SIGTERM after $term_after s") &
fi
wait "$pid"
status=$?
echo "device-rehearsal: the command ended with exit status $status after $(( $(date +%s) - start )) s"

# What the device tool would return.
problems=0 files=0 total=0
while IFS= read -r -d '' file; do
  rel=${file#"$out"/}
  size=$(stat -c %s "$file")
  files=$((files + 1)); total=$((total + size))
  depth=$(tr -cd '/' <<<"$rel" | wc -c)
  note=
  [ "$size" -le $((16 * 1024 * 1024)) ] || note+=" over 16 MiB"
  [ "$depth" -le 2 ] || note+=" more than two folders down"
  [[ "$rel" =~ ^[A-Za-z0-9._/-]+$ ]] || note+=" name with other characters"
  [ -z "$note" ] || problems=$((problems + 1))
  printf 'device-rehearsal: back: %-40s %10d bytes%s\n' "$rel" "$size" "${note:+  <- NOT returned:$note}"
done < <(find "$out" -type f -print0 | sort -z)
[ "$files" -le 8 ] || { echo "device-rehearsal: $files files: more than 8 would not all come back"; problems=$((problems + 1)); }
[ "$total" -le $((64 * 1024 * 1024)) ] || { echo "device-rehearsal: more than 64 MiB together"; problems=$((problems + 1)); }
echo "device-rehearsal: $files file(s), $total bytes back; $([ "$problems" -eq 0 ] && echo 'all within the rules' || echo "$problems problem(s)")"
if [ -n "$keep" ]; then mkdir -p "$keep" && cp -a "$out"/. "$keep"/; fi
rm -rf "$stage"
[ "$problems" -eq 0 ] || exit 3
exit "$status"
